"""The issuance job's rules on the in-memory session queue (no moto): sessions
in queue order, candidates by batches, a session closed only once all its
candidates are through (processed, then published unless held for fraud),
and a deadline that stops the run without closing a half-done session (the
next run resumes it). Scoring stays in services/certificates.py (a stand-in
here) and the end-to-end runs in tests/api/test_issuance_job.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain.certification.session import Centre, Session, SessionStatus, Step
from chalicelib.jobs import issue_certificates as job
from tests.unit.fakes import InMemorySessionQueue

FINALISED, PROCESSED, PUBLISHED = SessionStatus.FINALISED, SessionStatus.PROCESSED, SessionStatus.PUBLISHED


class Certificates:
    """Issues each candidate once; counts the batches read ahead."""

    def __init__(self, clock=None) -> None:
        self.issued: set[str] = set()
        self.calls: list[tuple[str, str, str]] = []
        self.prefetches = 0
        self.clock = clock

    def prefetch(self, batch, reports=None):
        self.prefetches += 1
        return frozenset(c.candidate_id for c in batch if c.candidate_id in self.issued)

    def issue_for_candidate(self, session, centre, candidate, known) -> str:
        if self.clock is not None:
            self.clock.now += 1
        self.calls.append((session.session_id, centre.name, candidate.candidate_id))
        if candidate.course_id is None:
            return "skipped"
        if candidate.candidate_id in known:
            return "exists"
        self.issued.add(candidate.candidate_id)
        return "issued"


def session(sid: str, at: int, fraud: bool = False) -> Session:
    return Session(sid, "centre-1", "2026-12-06", "09:00", "1 rue de l'École", "B12", "M. Martin", "ABC123",
                   "hash", status=FINALISED, transitions=(Step(FINALISED, "staff", at),),
                   finalisation={"candidates": {}}, has_fraud_report=fraud, revision=3)


@pytest.fixture()
def queue(monkeypatch):
    fake = InMemorySessionQueue()
    fake.create_centre(Centre("centre-1", "Lycée Victor Hugo", "school", "0750001A", 1))
    monkeypatch.setattr(job, "store", fake)
    return fake


def enrol(queue, sid: str, n: int, absent: int = 0) -> None:
    queue.enrolled[sid] = [SimpleNamespace(candidate_id=f"{sid}-c{i}",
                                           course_id=None if i < absent else f"{sid}-course{i}")
                           for i in range(n)]


def test_sessions_close_in_queue_order_and_a_held_one_stays_private(queue, monkeypatch):
    certs = Certificates()
    monkeypatch.setattr(job, "certificates", certs)
    monkeypatch.setattr(job, "BATCH", 2)
    for sid, at, fraud in (("s-late", 300, False), ("s-early", 100, True), ("s-mid", 200, False)):
        queue.sessions[sid] = session(sid, at, fraud)
        enrol(queue, sid, 5, absent=1)
    report = job.run()
    assert report.sessions_done == ["s-early", "s-mid", "s-late"] and not report.stopped_early
    assert (report.issued, report.skipped, report.existing) == (12, 3, 0)
    assert certs.prefetches == 9                             # 5 candidates by 2: 3 batches a session
    assert {name for _, name, _ in certs.calls} == {"Lycée Victor Hugo"}
    assert queue.sessions["s-early"].status is PROCESSED    # fraud report: held for the jury
    assert queue.sessions["s-mid"].status is PUBLISHED
    assert [s.by for s in queue.sessions["s-mid"].transitions[1:]] == ["job", "job"]
    assert job.run().sessions_done == [] and queue.closes == 3


def test_a_run_stops_at_its_deadline_and_the_next_one_resumes_without_reissuing(queue, monkeypatch):
    clock = SimpleNamespace(now=0.0)
    certs = Certificates(clock)
    monkeypatch.setattr(job, "certificates", certs)
    monkeypatch.setattr(job, "BATCH", 2)
    monkeypatch.setattr(job, "time", SimpleNamespace(monotonic=lambda: clock.now, time=lambda: 1_800_000_000))
    queue.sessions["s1"] = session("s1", 100)
    enrol(queue, "s1", 6)
    assert job.run(deadline=-1.0).sessions_done == [] and not certs.calls   # already late: nothing taken
    first = job.run(deadline=3.0)
    assert first.stopped_early and first.issued == 4 and first.sessions_done == []
    assert queue.sessions["s1"].status is FINALISED        # half done: not closed
    second = job.run(deadline=100.0)
    assert (second.issued, second.existing, second.sessions_done) == (2, 4, ["s1"])
    assert queue.sessions["s1"].status is PUBLISHED

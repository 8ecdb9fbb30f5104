"""The scheduled job: score finalised sessions and issue their certificates.

Idempotent (each certificate is a conditional write), resumable (progress is
the certificates already written: a run cut off mid-session loses nothing and
the next run skips what exists, found 100 at a time by BatchGetItem, so
resuming stays linear in the session's size), batched (sessions read a page at
a time from a sparse index, candidates 100 at a time) and bounded in time, not
in sessions: a run keeps taking sessions until its deadline (a national peak
of results drains at the job's real rate instead of 25 sessions per run), and
what it could not reach waits for the next run.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.certification.session import Session
from chalicelib.services import certificates
from chalicelib.store import certification as store

log = logging.getLogger("pix.jobs.issue_certificates")
QUEUE_PAGE = 25  # sessions read from the queue per Query (the run goes on to the next page)
SAFETY_MARGIN_S = 5.0
BATCH = 100  # candidates whose certificates and courses are read in one BatchGetItem each


@dataclass
class RunReport:
    sessions_done: list[str] = field(default_factory=list)
    issued: int = 0
    existing: int = 0
    skipped: int = 0
    stopped_early: bool = False

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def run(deadline: float | None = None) -> RunReport:
    """`deadline`: time.monotonic() value by which the run must have returned
    (None: until the queue is empty, for local runs and tests)."""
    report = RunReport()
    for session in store.finalised_sessions(page_size=QUEUE_PAGE):
        if deadline is not None and time.monotonic() > deadline:
            report.stopped_early = True
            break
        if not _process_session(session, report, deadline):
            report.stopped_early = True
            break
    log.info('{"job": "issue_certificates", "issued": %d, "existing": %d, "skipped": %d, '
             '"sessions": %d, "stopped_early": %s}', report.issued, report.existing,
             report.skipped, len(report.sessions_done), str(report.stopped_early).lower())
    return report


def _process_session(session: Session, report: RunReport, deadline: float | None) -> bool:
    centre = store.centre(session.centre_id)
    candidates = store.candidates(session.session_id)
    reports = store.finalisation_reports(session)
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start:start + BATCH]
        if deadline is not None and time.monotonic() > deadline:
            return False
        known = certificates.prefetch(batch, reports)
        for candidate in batch:
            if deadline is not None and time.monotonic() > deadline:
                return False
            outcome = certificates.issue_for_candidate(session, centre, candidate, known)
            report.issued += outcome == "issued"
            report.existing += outcome == "exists"
            report.skipped += outcome == "skipped"
    _close(session)
    report.sessions_done.append(session.session_id)
    return True


def _close(session: Session) -> None:
    """finalised -> processed (-> published unless held for a fraud review)."""
    steps = lifecycle.closing_steps(held=session.has_fraud_report, at=int(time.time()))
    store.close_session(session, steps)  # False when an overlapping run closed it first


def handler(event, context) -> dict:
    """Lambda entry: stop safely before the function's own timeout."""
    remaining = 50.0
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        remaining = context.get_remaining_time_in_millis() / 1000
    deadline = time.monotonic() + remaining - min(SAFETY_MARGIN_S, remaining * 0.2)
    return run(deadline).as_dict()

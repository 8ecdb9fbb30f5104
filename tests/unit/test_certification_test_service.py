"""The certification test's rules at service level, on the in-memory course
repository (no moto): answer acceptance and retries, invigilator start,
resume, end and alerts, each against the optimistic lock of the store.
Joining (throttles, identity) and HTTP stay in the moto tests of tests/api."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain.certification import CURRENT
from chalicelib.domain.certification.course import Course
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.services import certification_test as service
from chalicelib.services.certification_inputs import AlertInput
from tests.unit.fakes import InMemoryCertification, StoredCandidate

SID, CID, USER = "session-1", "cand-1", "learner-1"


class Sessions:
    """The session side the service asks: an open session, its first invigilator action noted."""

    def __init__(self, status: str = "created") -> None:
        self.session = SimpleNamespace(session_id=SID, status=status, date="2026-12-06", time="09:00",
                                       room="B12", number="4821570")
        self.started_by: list[str] = []

    def require_session(self, centre_id, session_id):
        if session_id != SID:
            raise NotFound("Session introuvable.", code="session_not_found")
        return self.session

    def mark_in_progress(self, session, by: str) -> None:
        self.started_by.append(by)


@pytest.fixture()
def world(monkeypatch):
    repo, sessions = InMemoryCertification(), Sessions()
    monkeypatch.setattr(service, "store", repo)
    monkeypatch.setattr(service, "sessions", sessions)
    course = repo.new_course(Course(course_id="course-1", session_id=SID, candidate_id=CID, user_id=USER,
                                    certification_version=CURRENT.version))
    repo.enrol(StoredCandidate(SID, CID, user_id=USER, course_id=course.course_id))
    return SimpleNamespace(repo=repo, sessions=sessions, course_id=course.course_id)


def _code(err) -> str:
    return err.value.code


def test_nothing_is_answered_before_the_invigilator_starts_the_test(world):
    with pytest.raises(Conflict) as err:
        service.answer(USER, world.course_id, "any", {"skip": True})
    assert _code(err) == "course_not_started"
    started = service.authorise(SID, CID)
    assert started["status"] == "started" and started["authorised"] and started["answered"] == 0
    assert world.sessions.started_by == ["invigilator"]
    mine = service.my_course(USER, world.course_id)
    assert mine["item"]["id"] == world.repo.course(world.course_id).current_item_id
    # authorising again changes nothing
    writes = world.repo.writes
    service.authorise(SID, CID)
    assert world.repo.writes == writes


def test_an_answer_counts_once_and_only_for_the_current_item(world):
    service.authorise(SID, CID)
    first = world.repo.course(world.course_id).current_item_id
    recorded = service.answer(USER, world.course_id, first, {"skip": True})
    assert recorded["recorded"] and recorded["course"]["answered"] == 1
    following = world.repo.course(world.course_id).current_item_id
    assert following and following != first
    writes = world.repo.writes
    for _ in range(2):  # a retry: the same answer, counted once, no write
        again = service.answer(USER, world.course_id, first, {"skip": True})
        assert again["course"]["answered"] == 1
    assert world.repo.writes == writes
    with pytest.raises(Conflict) as err:
        service.answer(USER, world.course_id, "not-served", {"skip": True})
    assert _code(err) == "not_current_item"
    with pytest.raises(NotFound):
        service.answer("someone-else", world.course_id, following, {"skip": True})


def test_a_candidate_rejoining_waits_for_the_invigilator(world):
    service.authorise(SID, CID)
    current = world.repo.course(world.course_id).current_item_id
    service._resume(world.repo.course(world.course_id))
    with pytest.raises(Forbidden) as err:
        service.answer(USER, world.course_id, current, {"skip": True})
    assert _code(err) == "awaiting_authorisation"
    assert service.live_view(SID)["candidates"][0]["state"] == "waiting_resume"
    resumed = service.authorise(SID, CID)
    assert resumed["authorised"] and world.repo.course(world.course_id).current_item_id == current
    assert service.answer(USER, world.course_id, current, {"skip": True})["recorded"]


def test_the_invigilator_ends_a_test_and_no_answer_lands_after(world):
    service.authorise(SID, CID)
    current = world.repo.course(world.course_id).current_item_id
    ended = service.end_test(SID, CID)
    assert (ended["status"], ended["ended_by"]) == ("ended", "invigilator")
    with pytest.raises(Conflict) as err:
        service.answer(USER, world.course_id, current, {"skip": True})
    assert _code(err) == "course_not_started"
    with pytest.raises(Conflict) as err:
        service.authorise(SID, CID)
    assert _code(err) == "course_finished"
    assert service.end_test(SID, CID)["status"] == "ended"  # idempotent


def test_an_alert_neutralises_the_item_and_serves_another_at_once(world):
    service.authorise(SID, CID)
    alerted = world.repo.course(world.course_id).current_item_id
    with pytest.raises(NotFound) as err:
        service.alert(SID, CID, AlertInput(item_id="never-served", reason="technical"))
    assert _code(err) == "item_not_served"
    service.alert(SID, CID, AlertInput(item_id=alerted, reason="technical"))
    course = world.repo.course(world.course_id)
    assert course.neutralised == [alerted] and course.current_item_id not in (None, alerted)
    assert course.answers == []  # withdrawn: no answer recorded, no slot used (neutralised: never again)
    writes = world.repo.writes
    service.alert(SID, CID, AlertInput(item_id=alerted, reason="technical"))
    assert world.repo.writes == writes  # a second alert on the same item changes nothing


def test_invigilation_stops_once_the_session_is_finalised(world):
    world.sessions.session.status = "finalised"
    for act in (lambda: service.authorise(SID, CID), lambda: service.end_test(SID, CID)):
        with pytest.raises(Conflict) as err:
            act()
        assert _code(err) == "session_finalised"


def test_a_write_from_a_stale_read_is_decided_again(world, monkeypatch):
    """Another write lands between the service's read and its write (the
    candidate's answer while the invigilator ends the test): the store refuses
    the stale write and the service reads again."""
    service.authorise(SID, CID)
    reads = {"n": 0}
    real_course = world.repo.course

    def course_then_race(course_id):
        found = real_course(course_id)
        reads["n"] += 1
        if reads["n"] == 1:   # someone answers right after our first read
            service.answer(USER, course_id, found.current_item_id, {"skip": True})
        return found

    monkeypatch.setattr(world.repo, "course", course_then_race)
    ended = service.end_test(SID, CID)
    assert ended["status"] == "ended" and ended["answered"] == 1 and reads["n"] >= 2

"""The session lifecycle, rule by rule, without any storage."""
from __future__ import annotations

import pytest

from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.certification.session import Actor, SessionStatus, Step
from chalicelib.domain.errors import Conflict

ALLOWED = {
    ("created", SessionStatus.IN_PROGRESS, Actor.INVIGILATOR),
    ("created", SessionStatus.FINALISED, Actor.CENTRE),
    ("in_progress", SessionStatus.FINALISED, Actor.CENTRE),
    ("finalised", SessionStatus.PROCESSED, Actor.JOB),
    ("processed", SessionStatus.PUBLISHED, Actor.JOB),
    ("processed", SessionStatus.PUBLISHED, Actor.ADMIN),
}


@pytest.mark.parametrize("current", [s.value for s in SessionStatus])
@pytest.mark.parametrize("target", list(SessionStatus))
@pytest.mark.parametrize("actor", list(Actor))
def test_only_the_listed_moves_are_allowed(current, target, actor):
    assert lifecycle.may_move(current, target, actor) == ((current, target, actor) in ALLOWED)


def test_a_move_records_who_and_when():
    step = lifecycle.move("in_progress", SessionStatus.FINALISED, Actor.CENTRE, "staff-1", 1700)
    assert step == Step(SessionStatus.FINALISED, "staff-1", 1700)
    assert step.as_dict() == {"status": "finalised", "by": "staff-1", "at": 1700}


def test_finalising_twice_is_refused_with_the_centre_message():
    with pytest.raises(Conflict) as refused:
        lifecycle.move("finalised", SessionStatus.FINALISED, Actor.CENTRE, "staff-1", 1)
    assert refused.value.code == "session_already_finalised"


def test_only_a_processed_session_can_be_published():
    for status in ("created", "in_progress", "finalised", "published"):
        with pytest.raises(Conflict) as refused:
            lifecycle.move(status, SessionStatus.PUBLISHED, Actor.ADMIN, "admin-1", 1)
        assert refused.value.code == "session_not_processed"


def test_open_sessions_are_the_created_and_in_progress_ones():
    assert [s.value for s in SessionStatus if lifecycle.is_open(s.value)] == ["created", "in_progress"]


def test_the_job_publishes_at_once_unless_held_for_a_fraud_review():
    assert [s.status for s in lifecycle.closing_steps(held=False, at=5)] == [
        SessionStatus.PROCESSED, SessionStatus.PUBLISHED]
    assert [s.status for s in lifecycle.closing_steps(held=True, at=5)] == [SessionStatus.PROCESSED]
    assert {s.by for s in lifecycle.closing_steps(held=False, at=5)} == {"job"}


def test_the_store_condition_is_the_domain_sources():
    assert lifecycle.sources(SessionStatus.PROCESSED) == {SessionStatus.FINALISED}
    assert lifecycle.sources(SessionStatus.FINALISED) == {SessionStatus.CREATED, SessionStatus.IN_PROGRESS}

"""The course's rules without storage: answer acceptance, live state, incident endings."""
from __future__ import annotations

import dataclasses

import pytest

from chalicelib.domain.certification.course import (Course, CourseStatus, EndedBy, ending,
                                                    is_running, live_state, refuse_answer,
                                                    withdrawn_items)
from chalicelib.domain.certification.jury import EndReason, Ending

SERVING = Course("s1-c1", "s1", "c1", "u1", "2026.1", status=CourseStatus.STARTED, authorised=True,
                 current_item_id="item-a")


def test_the_current_item_is_accepted():
    assert refuse_answer(SERVING, "item-a") is None


@pytest.mark.parametrize("change, item, code", [
    ({"status": CourseStatus.WAITING}, "item-a", "course_not_started"),
    ({"status": CourseStatus.COMPLETED}, "item-a", "course_not_started"),
    ({"authorised": False}, "item-a", "awaiting_authorisation"),
    ({}, "item-b", "not_current_item"),
    ({"neutralised": ("item-b",)}, "item-b", "item_withdrawn"),
    ({"neutralised": ("item-a",)}, "item-a", "item_withdrawn"),
])
def test_answers_out_of_turn_are_refused(change, item, code):
    assert refuse_answer(dataclasses.replace(SERVING, **change), item).code == code


def test_live_states():
    assert live_state(None) == "not_joined"
    assert live_state(dataclasses.replace(SERVING, status=CourseStatus.WAITING)) == "waiting_authorisation"
    assert live_state(SERVING) == "testing"
    assert live_state(dataclasses.replace(SERVING, authorised=False)) == "waiting_resume"
    assert live_state(dataclasses.replace(SERVING, status=CourseStatus.ENDED)) == "ended"


def test_running_courses_are_waiting_or_started():
    assert [s.value for s in CourseStatus if is_running(s.value)] == ["waiting", "started"]


@pytest.mark.parametrize("category", ["technical_problem", "accessibility"])
def test_an_invigilator_ending_with_a_technical_category_is_an_incident(category):
    ended = dataclasses.replace(SERVING, status=CourseStatus.ENDED, ended_by=EndedBy.INVIGILATOR)
    assert ending(ended, {category}).reason is EndReason.TECHNICAL_INCIDENT


def test_other_endings_are_not_incidents():
    ended = dataclasses.replace(SERVING, status=CourseStatus.ENDED, ended_by=EndedBy.INVIGILATOR)
    assert ending(ended, {"left_early"}).reason is EndReason.ABANDONED
    assert ending(ended, set()).reason is EndReason.ABANDONED
    assert ending(ended, {"fraud_suspicion"}) == Ending(EndReason.ABANDONED, fraud_reported=True)
    completed = dataclasses.replace(SERVING, status=CourseStatus.COMPLETED, ended_by=EndedBy.COMPLETED)
    assert ending(completed, {"technical_problem"}).reason is EndReason.FINISHED


def test_withdrawn_items_are_the_neutralised_ones_never_answered():
    # withdrawn on screen (b, d): no answer, no slot; neutralised after its answer (a): an answer
    assert withdrawn_items(("a", "b", "d"), {"a", "c"}) == ["b", "d"]
    assert withdrawn_items(None, {"a"}) == []

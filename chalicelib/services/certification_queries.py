"""What the other contexts may ask the certification context, and nothing else.

Positioning must not read certification storage (it would then depend on its
keys and statuses); it asks here. Kept apart from the certification services
so that asking imports no service that itself asks positioning (no cycle).
"""
from __future__ import annotations

from chalicelib.domain.certification.course import is_running
from chalicelib.store import certification as store


def running_course(user_id: str) -> str | None:
    """The user's certification test that is waiting or running, if any (one
    query on the user's index of courses and a batch read of them: asked when a
    competence starts, not on every answer)."""
    return next((c.course_id for c in store.courses_of_user(user_id) if is_running(c.status)), None)


def course_running(course_id: str) -> bool:
    """This certification test is still waiting or running (one GetItem)."""
    course = store.course(course_id)
    return course is not None and is_running(course.status)

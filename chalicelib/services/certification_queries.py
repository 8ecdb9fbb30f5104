"""What the other contexts may ask the certification context, and nothing else.

Positioning must not read certification storage (it would then depend on its
keys and statuses); it asks here. Kept apart from the certification services
so that asking imports no service that itself asks positioning (no cycle).
"""
from __future__ import annotations

from chalicelib.domain.certification.course import is_running
from chalicelib.store import certification as store


def test_in_progress(user_id: str) -> bool:
    """A certification test of this user is waiting or running (one query on
    the user's index of courses)."""
    return any(is_running(c.status) for c in store.courses_of_user(user_id))

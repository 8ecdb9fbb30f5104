"""When a learner may start a competence over (the reference platform's rules).

- improve: once a test is completed, after 4 days, a new attempt keeps the
  validated skills and re-tests the others;
- reset: 7 days after the last answer, the competence starts from zero.
The history of every attempt is kept either way.
"""
from __future__ import annotations

DAY_MS = 24 * 3600 * 1000
IMPROVE_AFTER_DAYS = 4
RESET_AFTER_DAYS = 7


def can_improve(status: str, completed_at: int | None, now_ms: int) -> bool:
    return status == "completed" and completed_at is not None \
        and now_ms - completed_at >= IMPROVE_AFTER_DAYS * DAY_MS


def can_reset(last_activity_ms: int, now_ms: int) -> bool:
    return now_ms - last_activity_ms >= RESET_AFTER_DAYS * DAY_MS


def days_left(since_ms: int, days: int, now_ms: int) -> int:
    remaining = since_ms + days * DAY_MS - now_ms
    return max(1, -(-remaining // DAY_MS))

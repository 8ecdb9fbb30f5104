"""When a learner may start a competence over (the reference platform's rules).

- improve: once a test is completed, after 4 days, a new attempt keeps the
  validated skills and re-tests the others;
- reset: 7 days after the last answer, the competence starts from zero.
The history of every attempt is kept either way.

The moments these open are computed here once, so the profile can show the
date a button becomes usable and the service refuses exactly until then (a
"Retenter" that looks active and then says "dans 4 jours" was issue 20).
"""
from __future__ import annotations

DAY_MS = 24 * 3600 * 1000
IMPROVE_AFTER_DAYS = 4
RESET_AFTER_DAYS = 7


def improve_available_at(status: str, completed_at: int | None) -> int | None:
    """Epoch ms from which a completed competence may be retried; None while
    its test runs (nothing to retry yet)."""
    if status != "completed" or completed_at is None:
        return None
    return completed_at + IMPROVE_AFTER_DAYS * DAY_MS


def reset_available_at(last_activity_ms: int) -> int:
    """Epoch ms from which the competence may start from zero."""
    return last_activity_ms + RESET_AFTER_DAYS * DAY_MS


def can_improve(status: str, completed_at: int | None, now_ms: int) -> bool:
    opens = improve_available_at(status, completed_at)
    return opens is not None and now_ms >= opens


def can_reset(last_activity_ms: int, now_ms: int) -> bool:
    return now_ms >= reset_available_at(last_activity_ms)


def days_left(since_ms: int, days: int, now_ms: int) -> int:
    remaining = since_ms + days * DAY_MS - now_ms
    return max(1, -(-remaining // DAY_MS))

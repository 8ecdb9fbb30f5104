"""Rate limiting shared by every Lambda instance, counted in DynamoDB.

Admit first, count what is admitted: `hit(key, limit, window_seconds)` lets
a request through, and counts it, only when it fits under `limit` requests
in the last `window_seconds`; a refused request (TooManyRequests with
`retry_after`) is not counted. Counting refused requests too (the first
version) turned a full window into a livelock: a class of 800 pupils behind
one school address retrying on 429 kept the window full for an hour
(issue 16). Now the refused wait, and exactly `limit` per window get in.

The window slides: the previous fixed window counts in proportion to how
much of it still overlaps, so a burst straddling a window boundary cannot
pass twice the limit.

Failures are counted apart, after the fact, with `record`, and judged
before the next attempt with `peek` (which never counts). `peek` takes an
`allowance` on top of the limit, so a caller can widen a cap with what it
has seen succeed (the sign-in failure cap of an address grows with the
pupils who got in from it).

Keys are namespaced by the caller, e.g. "signin:ip:203.0.113.7"; they are
hashed before storage.
"""
from __future__ import annotations

import math
import time

from chalicelib.domain.errors import TooManyRequests
from chalicelib.store import throttle as store

MESSAGE = "Trop de tentatives. Merci de réessayer dans quelques instants."


def _now() -> float:
    return time.time()


def hit(key: str, limit: int, window_seconds: int, *, message: str = MESSAGE,
        code: str = "too_many_requests") -> None:
    """Admit and count one request, or refuse it without counting it."""
    now = _now()
    index, start, weight = _window(now, window_seconds)
    previous = store.count(key, index - 1, consistent=False)  # a closed window: no more writes
    ceiling = math.floor(limit - previous * weight + 1e-9)
    if store.increment_below(key, index, _expires(start, window_seconds), ceiling) is None:
        current = store.count(key, index)
        raise TooManyRequests(message, code=code, retry_after=_retry_after(
            now, start, window_seconds, previous, current, limit))


def peek(key: str, limit: int, window_seconds: int, *, allowance: float = 0,
         message: str = MESSAGE, code: str = "too_many_requests") -> None:
    """Refuse when one more event would pass `limit + allowance`; counts nothing."""
    now = _now()
    index, start, weight = _window(now, window_seconds)
    current, previous = store.count(key, index), store.count(key, index - 1, consistent=False)
    cap = limit + allowance
    if previous * weight + current + 1 > cap:
        raise TooManyRequests(message, code=code, retry_after=_retry_after(
            now, start, window_seconds, previous, current, cap))


def record(key: str, window_seconds: int) -> None:
    """Count one event (a failure) whatever the count already is."""
    index, start, _ = _window(_now(), window_seconds)
    store.increment(key, index, _expires(start, window_seconds))


def total(key: str, window_seconds: int) -> float:
    """The sliding count of `key` now (what `peek` judges)."""
    index, _, weight = _window(_now(), window_seconds)
    return store.count(key, index - 1, consistent=False) * weight + store.count(key, index)


def reset(key: str, window_seconds: int) -> None:
    index = int(_now() // window_seconds)
    store.clear(key, index)
    store.clear(key, index - 1)


def _window(now: float, window: int) -> tuple[int, float, float]:
    """(index of the current fixed window, its start, weight of the previous one)."""
    index = int(now // window)
    start = index * window
    return index, start, 1 - (now - start) / window


def _expires(start: float, window: int) -> int:
    return int(start + 2 * window)


def _retry_after(now: float, start: float, window: int, previous: int, current: int,
                 limit: float) -> int:
    """Seconds until one more request would pass, if none is made meanwhile."""
    room = limit - 1
    if current <= room and previous > 0:
        ready = start + window * (1 - (room - current) / previous)
    else:
        ready = start + window + window * (1 - room / current if current else 0)
    return max(1, math.ceil(ready - now))

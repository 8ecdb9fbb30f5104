"""Rate limiting shared by every Lambda instance, counted in DynamoDB.

`hit(key, limit, window_seconds)` counts one request and raises
TooManyRequests (with `retry_after`) when the key went over `limit` requests in
the last `window_seconds`. The window slides: the previous fixed window counts
in proportion to how much of it still overlaps, so a burst straddling a window
boundary cannot pass twice the limit. `peek` checks without counting (to
limit failures only: peek before, hit after a failure).

Keys are namespaced by the caller, e.g. "signin:ip:203.0.113.7" or
"verify:ip:…"; they are hashed before storage.
"""
from __future__ import annotations

import math
import time

from chalicelib.domain.errors import TooManyRequests
from chalicelib.store import throttle as store

MESSAGE = "Trop de tentatives. Merci de réessayer dans quelques instants."


def _now() -> float:
    return time.time()


def hit(key: str, limit: int, window_seconds: int, *, message: str = MESSAGE) -> None:
    _check(key, limit, window_seconds, count=True, message=message)


def peek(key: str, limit: int, window_seconds: int, *, message: str = MESSAGE) -> None:
    _check(key, limit, window_seconds, count=False, message=message)


def reset(key: str, window_seconds: int) -> None:
    index = int(_now() // window_seconds)
    store.clear(key, index)
    store.clear(key, index - 1)


def _check(key: str, limit: int, window: int, *, count: bool, message: str) -> None:
    now = _now()
    index = int(now // window)
    start = index * window
    current = (store.increment(key, index, expires_at=int(start + 2 * window)) if count
               else store.count(key, index))
    previous = store.count(key, index - 1)
    # what this request (hit) or the next one (peek) is judged on
    estimate = previous * (1 - (now - start) / window) + current + (0 if count else 1)
    if estimate > limit:
        raise TooManyRequests(message, retry_after=_retry_after(now, start, window, previous,
                                                                current, limit))


def _retry_after(now: float, start: float, window: int, previous: int, current: int,
                 limit: int) -> int:
    """Seconds until one more request would pass, if none is made meanwhile."""
    room = limit - 1
    if current <= room and previous > 0:
        ready = start + window * (1 - (room - current) / previous)
    else:
        ready = start + window + window * (1 - room / current if current else 0)
    return max(1, math.ceil(ready - now))

"""Request counters per key and time window, shared by every Lambda instance.

    THROTTLE#<sha256(key)>   W#<window index>   count (TTL: two windows later)

Keys are hashed (they hold IP addresses and e-mails). A window is addressed
by its index, so an expired-but-not-yet-deleted item is simply never read.

`increment_below` is the admission primitive: one conditional UpdateItem
that counts the request only while the window holds fewer than `ceiling`
requests. A refused request writes nothing, so clients retrying on 429 can
never keep a window full (the livelock of counting before checking).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.store.tables import AccountsTable


class CounterItem(AccountsTable):
    count = NumberAttribute(default=0)


def _pk(key: str) -> str:
    return "THROTTLE#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _expiry(expires_at: int) -> datetime:
    return datetime.fromtimestamp(expires_at, tz=timezone.utc)


def increment(key: str, window_index: int, expires_at: int) -> int:
    """Count one event unconditionally (failures: they happened)."""
    item = CounterItem(_pk(key), f"W#{window_index}")
    item.update(actions=[CounterItem.count.add(1), CounterItem.expires_at.set(_expiry(expires_at))])
    return int(item.count)


def increment_below(key: str, window_index: int, expires_at: int, ceiling: int) -> int | None:
    """Count one request if the window holds fewer than `ceiling`; the new
    count, or None (nothing written) when it was full."""
    if ceiling <= 0:
        return None
    item = CounterItem(_pk(key), f"W#{window_index}")
    try:
        item.update(actions=[CounterItem.count.add(1),
                             CounterItem.expires_at.set(_expiry(expires_at))],
                    condition=CounterItem.count.does_not_exist() | (CounterItem.count < ceiling))
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return int(item.count)


def count(key: str, window_index: int, *, consistent: bool = True) -> int:
    try:
        return int(CounterItem.get(_pk(key), f"W#{window_index}", consistent_read=consistent).count)
    except CounterItem.DoesNotExist:
        return 0


def clear(key: str, window_index: int) -> None:
    CounterItem(_pk(key), f"W#{window_index}").delete()

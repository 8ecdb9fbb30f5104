"""Request counters per key and time window, shared by every Lambda instance.

    THROTTLE#<sha256(key)>   W#<window index>   count (TTL: two windows later)

Keys are hashed (they hold IP addresses and e-mails). A window is addressed
by its index, so an expired-but-not-yet-deleted item is simply never read.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute

from chalicelib.store.tables import AccountsTable


class CounterItem(AccountsTable):
    count = NumberAttribute(default=0)


def _pk(key: str) -> str:
    return "THROTTLE#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def increment(key: str, window_index: int, expires_at: int) -> int:
    item = CounterItem(_pk(key), f"W#{window_index}")
    expiry = datetime.fromtimestamp(expires_at, tz=timezone.utc)
    item.update(actions=[CounterItem.count.add(1), CounterItem.expires_at.set(expiry)])
    return int(item.count)


def count(key: str, window_index: int) -> int:
    try:
        return int(CounterItem.get(_pk(key), f"W#{window_index}", consistent_read=True).count)
    except CounterItem.DoesNotExist:
        return 0


def clear(key: str, window_index: int) -> None:
    CounterItem(_pk(key), f"W#{window_index}").delete()

"""Access tokens revoked before they expire (issue 13, point 3).

    REVOKED#<user id>   REVOKED   min_version, expires_at (TTL)

Access tokens are stateless JWTs carrying the account's token version (`tv`).
When the version is bumped (password change or reset, a stolen refresh token
detected, the account closed), this item says "tokens below `min_version` are
dead". It lives in its own partition so that erasing the account (which
deletes everything under `USER#<id>`) leaves it in place, and it only needs
to outlive the access tokens it kills: it holds nothing but a random id and a
number, and expires after KEEP_S.

moto never expires TTL items: readers compare `expires_at` with the clock.
"""
from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.store.tables import AccountsTable

# Longer than an access token can live (services/tokens.py: ACCESS_TTL 20 min
# plus its 5 s leeway), so no revoked token outlives its marker.
KEEP_S = 30 * 60


class RevocationItem(AccountsTable):
    min_version = NumberAttribute()


def _key(user_id: str) -> tuple[str, str]:
    return f"REVOKED#{user_id}", "REVOKED"


def revoke_below(user_id: str, version: int, now: float | None = None) -> None:
    """Access tokens of `user_id` with a version below `version` stop working.
    Never lowers a marker (two bumps may land out of order)."""
    now = time.time() if now is None else now
    item = RevocationItem(*_key(user_id))
    try:
        item.update(actions=[RevocationItem.min_version.set(int(version)),
                             RevocationItem.expires_at.set(int(now) + KEEP_S)],
                    condition=RevocationItem.pk.does_not_exist()
                    | (RevocationItem.min_version <= int(version)))
    except UpdateError as err:
        if err.cause_response_code != "ConditionalCheckFailedException":
            raise


def min_version(user_id: str, now: float | None = None) -> int | None:
    """The lowest token version still valid, or None when nothing was revoked
    lately. One strongly consistent GetItem: a revocation counts at once."""
    now = time.time() if now is None else now
    try:
        item = RevocationItem.get(*_key(user_id), consistent_read=True)
    except RevocationItem.DoesNotExist:
        return None
    if item.expires_at is not None and item.expires_at <= now:
        return None
    return int(item.min_version)

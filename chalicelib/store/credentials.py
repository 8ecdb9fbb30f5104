"""What proves or guards a sign-in, besides the password hash: refresh
tokens (revocable), password-reset tokens (single use, stored hashed) and the
sign-in guard counting failures per login.

    USER#<id>         REFRESH#<jti>   one refresh token (TTL = its expiry)
    RESET#<sha256>    RESET           one reset token (TTL = its expiry)
    SIGNIN#<sha256(login)>  SOURCE#<sha256(ip)>  failures, block and trust of one
                                                  login from one source (TTL 30 days)

moto never expires TTL items (nor is DynamoDB's expiry prompt): callers always
compare `expires_at`/`blocked_until` with the clock too.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.accounts import SignInGuard
from chalicelib.store.accounts import user_key
from chalicelib.store.tables import AccountsTable


class RefreshItem(AccountsTable):
    used_at = NumberAttribute(null=True)


class ResetItem(AccountsTable):
    user_id = UnicodeAttribute()
    token_version = NumberAttribute()


class GuardItem(AccountsTable):
    failures = NumberAttribute(default=0)
    blocked_until = NumberAttribute(null=True)
    last_success = NumberAttribute(null=True)
    trusted_until = NumberAttribute(null=True)


def _at(epoch: float) -> datetime:
    """TTLAttribute takes aware datetimes; the services speak epoch seconds."""
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc)


def _epoch(value) -> float:
    """Read back a TTL whether the attribute yields a datetime or epoch seconds."""
    return value.timestamp() if isinstance(value, datetime) else float(value or 0)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _conditional_failed(err: UpdateError | DeleteError) -> bool:
    return err.cause_response_code == "ConditionalCheckFailedException"


# Refresh tokens ---------------------------------------------------------------

def save_refresh(user_id: str, jti: str, expires_at: int) -> None:
    RefreshItem(user_key(user_id), f"REFRESH#{jti}", expires_at=_at(expires_at)).save()


def use_refresh(user_id: str, jti: str, now: int, grace_s: int = 0) -> str:
    """Mark a refresh token used, once: "ok", "missing" (revoked), "retried"
    (used again within `grace_s` seconds of its first use) or "reused"."""
    item = RefreshItem(user_key(user_id), f"REFRESH#{jti}")
    try:
        item.update(actions=[RefreshItem.used_at.set(now)],
                    condition=RefreshItem.pk.exists() & RefreshItem.used_at.does_not_exist())
        return "ok"
    except UpdateError as err:
        if not _conditional_failed(err):
            raise
    try:
        used = RefreshItem.get(user_key(user_id), f"REFRESH#{jti}", consistent_read=True)
    except RefreshItem.DoesNotExist:
        return "missing"
    return "retried" if used.used_at is not None and now - int(used.used_at) <= grace_s else "reused"


def delete_refresh(user_id: str, jti: str) -> None:
    RefreshItem(user_key(user_id), f"REFRESH#{jti}").delete()


# Password-reset tokens ----------------------------------------------------------

def save_reset(token: str, user_id: str, token_version: int, expires_at: int) -> None:
    ResetItem(f"RESET#{_digest(token)}", "RESET", user_id=user_id,
              token_version=token_version, expires_at=_at(expires_at)).save()


@dataclass(frozen=True)
class Reset:
    user_id: str
    token_version: int
    expires_at: float


def get_reset(token: str) -> Reset | None:
    try:
        item = ResetItem.get(f"RESET#{_digest(token)}", "RESET", consistent_read=True)
    except ResetItem.DoesNotExist:
        return None
    return Reset(item.user_id, int(item.token_version), _epoch(item.expires_at))


def consume_reset(token: str) -> bool:
    """Delete the token if it is still there: True for exactly one caller."""
    try:
        ResetItem(f"RESET#{_digest(token)}", "RESET").delete(condition=ResetItem.pk.exists())
        return True
    except DeleteError as err:
        if _conditional_failed(err):
            return False
        raise


# Sign-in guard, per login and source -------------------------------------------------

def _guard_pk(login: str) -> str:
    return f"SIGNIN#{_digest(login)}"


def _source_sk(source: str) -> str:
    return f"SOURCE#{_digest(source)}"


def get_guard(login: str, source: str) -> SignInGuard | None:
    try:
        item = GuardItem.get(_guard_pk(login), _source_sk(source), consistent_read=True)
    except GuardItem.DoesNotExist:
        return None
    return SignInGuard(failures=int(item.failures or 0),
                       blocked_until=None if item.blocked_until is None else float(item.blocked_until),
                       last_success=None if item.last_success is None else int(item.last_success),
                       trusted_until=None if item.trusted_until is None else int(item.trusted_until))


def add_failure(login: str, source: str, expires_at: int) -> int:
    """Count one failed sign-in of `login` from `source` atomically; the new count."""
    item = GuardItem(_guard_pk(login), _source_sk(source))
    item.update(actions=[GuardItem.failures.add(1), GuardItem.expires_at.set(_at(expires_at))])
    return int(item.failures)


def set_block(login: str, source: str, until: float) -> None:
    item = GuardItem(_guard_pk(login), _source_sk(source))
    item.update(actions=[GuardItem.blocked_until.set(int(until))])


def record_success(login: str, source: str, now: int, trusted_until: int) -> None:
    """Forget the failures of this login from this source and trust the
    source until `trusted_until` (also the item's expiry)."""
    item = GuardItem(_guard_pk(login), _source_sk(source))
    item.update(actions=[GuardItem.failures.set(0), GuardItem.blocked_until.remove(),
                         GuardItem.last_success.set(now),
                         GuardItem.trusted_until.set(trusted_until),
                         GuardItem.expires_at.set(_at(trusted_until))])


def clear_guard(login: str) -> None:
    """Forget every source's failures and trust for this login (reset, new account, erasure)."""
    for item in GuardItem.query(_guard_pk(login)):
        item.delete()

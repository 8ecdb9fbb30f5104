"""Users, their login identifiers and their memberships in the accounts table.

    USER#<id>      PROFILE                   the user (password hash, token version)
    LOGIN#<login>  LOGIN                     claims an e-mail or username for one user
    USER#<id>      MEMBER#<kind>#<scope>     organisation / centre membership
                   (gsi1: MEMBERS#<kind>#<scope> / USER#<id>, to list members)

Uniqueness of a login is a conditional write in the same transaction as the
user, never a read-then-write: concurrent registrations cannot both win.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.accounts import Account, Membership
from chalicelib.store import revocations
from chalicelib.store.tables import AccountsTable


class UserItem(AccountsTable):
    user_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    username = UnicodeAttribute(null=True)
    login = UnicodeAttribute()
    birth_date = UnicodeAttribute()                 # ISO date: certification needs it
    password_hash = UnicodeAttribute()
    token_version = NumberAttribute(default=0)      # bumped = every refresh token revoked
    is_admin = BooleanAttribute(default=False)
    terms_version = UnicodeAttribute(null=True)
    terms_accepted_at = NumberAttribute(null=True)
    guardian_consent = BooleanAttribute(default=False)
    created_by_org = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class LoginItem(AccountsTable):
    user_id = UnicodeAttribute()


class MembershipItem(AccountsTable):
    kind = UnicodeAttribute()
    scope_id = UnicodeAttribute()
    role = UnicodeAttribute()


def user_key(user_id: str) -> str:
    return f"USER#{user_id}"


def _login_key(login: str) -> str:
    return f"LOGIN#{login}"


def _connection() -> Connection:
    """The table model's own connection: one botocore client per process, not
    one per transaction (creating a client costs ~100 ms of CPU)."""
    return AccountsTable._get_connection().connection


def _account(item: UserItem) -> Account:
    return Account(user_id=item.user_id, login=item.login, first_name=item.first_name,
                   last_name=item.last_name, email=item.email, username=item.username,
                   birth_date=date.fromisoformat(item.birth_date), password_hash=item.password_hash,
                   token_version=int(item.token_version or 0), is_admin=bool(item.is_admin),
                   terms_version=item.terms_version,
                   terms_accepted_at=None if item.terms_accepted_at is None else int(item.terms_accepted_at),
                   guardian_consent=bool(item.guardian_consent), created_by_org=item.created_by_org,
                   created_at=int(item.created_at))


def _user_item(account: Account) -> UserItem:
    return UserItem(user_key(account.user_id), "PROFILE", user_id=account.user_id,
                    login=account.login, first_name=account.first_name, last_name=account.last_name,
                    email=account.email, username=account.username,
                    birth_date=account.birth_date.isoformat(), password_hash=account.password_hash,
                    token_version=account.token_version, is_admin=account.is_admin,
                    terms_version=account.terms_version, terms_accepted_at=account.terms_accepted_at,
                    guardian_consent=account.guardian_consent,
                    created_by_org=account.created_by_org, created_at=account.created_at)


def create_user(account: Account) -> bool:
    """Write the user and claim its login atomically; False if the login is taken."""
    item = _user_item(account)
    login = LoginItem(_login_key(item.login), "LOGIN", user_id=item.user_id)
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(login, condition=LoginItem.pk.does_not_exist())
            tx.save(item, condition=UserItem.pk.does_not_exist())
    except TransactWriteError as err:
        reasons = err.cancellation_reasons or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            return False
        raise
    return True


def seed_accounts(accounts: Iterable[Account]) -> None:
    """Accounts and their logins by batch writes, without the uniqueness
    condition: only for filling a test stack with accounts known to be new
    (scripts/load.py)."""
    with AccountsTable.batch_write() as batch:
        for account in accounts:
            batch.save(_user_item(account))
            batch.save(LoginItem(_login_key(account.login), "LOGIN", user_id=account.user_id))


def get_user(user_id: str) -> Account | None:
    try:
        return _account(UserItem.get(user_key(user_id), "PROFILE", consistent_read=True))
    except UserItem.DoesNotExist:
        return None


def users_by_id(user_ids: list[str]) -> dict[str, Account]:
    """user id -> account, one BatchGetItem per 100 users (a page of members
    names each of them); a missing user is simply absent."""
    keys = [(user_key(uid), "PROFILE") for uid in dict.fromkeys(user_ids)]
    return {item.user_id: _account(item) for item in UserItem.batch_get(keys)} if keys else {}


def user_id_for_login(login: str) -> str | None:
    try:
        return LoginItem.get(_login_key(login), "LOGIN", consistent_read=True).user_id
    except LoginItem.DoesNotExist:
        return None


def _update_user(user_id: str, actions: list) -> Account | None:
    """The account as written (the update returns every attribute), or None
    when there is no such account."""
    item = UserItem(user_key(user_id), "PROFILE")
    try:
        item.update(actions=actions, condition=UserItem.pk.exists())
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _account(item)


def set_password(user_id: str, password_hash: str, *, revoke_tokens: bool) -> Account | None:
    actions = [UserItem.password_hash.set(password_hash)]
    if revoke_tokens:
        actions.append(UserItem.token_version.add(1))
    item = _update_user(user_id, actions)
    if revoke_tokens and item is not None:
        revocations.revoke_below(user_id, int(item.token_version))
    return item


def bump_token_version(user_id: str) -> Account | None:
    """Every refresh token and, through the revocation marker, every access
    token issued so far stops working (a new sign-in gets the new version)."""
    item = _update_user(user_id, [UserItem.token_version.add(1)])
    if item is not None:
        revocations.revoke_below(user_id, int(item.token_version))
    return item


def set_admin(user_id: str, is_admin: bool) -> Account | None:
    return _update_user(user_id, [UserItem.is_admin.set(is_admin)])


def put_membership(user_id: str, kind: str, scope_id: str, role: str) -> None:
    MembershipItem(user_key(user_id), f"MEMBER#{kind}#{scope_id}", kind=kind,
                   scope_id=scope_id, role=role, gsi1pk=f"MEMBERS#{kind}#{scope_id}",
                   gsi1sk=user_key(user_id)).save()


def delete_membership(user_id: str, kind: str, scope_id: str) -> None:
    MembershipItem(user_key(user_id), f"MEMBER#{kind}#{scope_id}").delete()


def memberships(user_id: str) -> list[Membership]:
    return [Membership(m.kind, m.scope_id, m.role) for m in MembershipItem.query(
        user_key(user_id), MembershipItem.sk.startswith("MEMBER#"), consistent_read=True)]


def members_of(kind: str, scope_id: str) -> list[tuple[str, str]]:
    """(user id, role) of a scope's members, through the GSI (may lag a write slightly)."""
    return [(m.gsi1sk.removeprefix("USER#"), m.role)
            for m in MembershipItem.gsi1.query(f"MEMBERS#{kind}#{scope_id}")]


def membership_role(user_id: str, kind: str, scope_id: str) -> str | None:
    """The user's role in the scope, read consistently from the membership item
    itself (the GSI may still show a role just changed)."""
    try:
        return MembershipItem.get(user_key(user_id), f"MEMBER#{kind}#{scope_id}",
                                  consistent_read=True).role
    except MembershipItem.DoesNotExist:
        return None


def members_page(kind: str, scope_id: str, cursor: str | None,
                 limit: int) -> tuple[list[tuple[str, str]], str | None]:
    """(user id, role) of a scope's members, one bounded GSI query a page, in user
    id order. The cursor names the last user of the page; the index keys it
    stands for are rebuilt here, so it cannot reach another scope's members."""
    from chalicelib.store.organizations import decode_cursor, encode_cursor

    start = decode_cursor(cursor, "USER#")
    gsi1pk = f"MEMBERS#{kind}#{scope_id}"
    kwargs = {"limit": limit + 1}
    if start:
        kwargs["last_evaluated_key"] = {"pk": {"S": start}, "sk": {"S": f"MEMBER#{kind}#{scope_id}"},
                                        "gsi1pk": {"S": gsi1pk}, "gsi1sk": {"S": start}}
    rows = [(m.gsi1sk.removeprefix("USER#"), m.role)
            for m in MembershipItem.gsi1.query(gsi1pk, **kwargs)]
    if len(rows) > limit:
        return rows[:limit], encode_cursor(user_key(rows[limit - 1][0]))
    return rows, None


def change_membership_keeping(user_id: str, kind: str, scope_id: str, role: str | None,
                              keeper_id: str) -> None:
    """Set the user's role (None: remove the membership) only while `keeper_id`
    is still an admin of the scope, in one transaction: two admins demoting
    each other at the same time cannot both win and leave the scope without
    one. Raises `Conflicting` when the keeper is no longer an admin, or when
    the membership to change has gone meanwhile."""
    from chalicelib.store.writes import Conflicting, conditional_failed

    sk = f"MEMBER#{kind}#{scope_id}"
    target = MembershipItem(user_key(user_id), sk)
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.condition_check(MembershipItem, user_key(keeper_id), sk,
                               condition=MembershipItem.role == "admin")
            if role is None:
                tx.delete(target, condition=MembershipItem.pk.exists())
            else:
                tx.update(target, actions=[MembershipItem.role.set(role)],
                          condition=MembershipItem.pk.exists())
    except TransactWriteError as err:
        if conditional_failed(err):
            raise Conflicting() from err
        raise


def delete_user(user_id: str, login: str) -> None:
    """Every item under the user's key (profile, memberships, refresh tokens), then its login."""
    with AccountsTable.batch_write() as batch:
        for item in AccountsTable.query(user_key(user_id), consistent_read=True):
            batch.delete(item)
    try:
        LoginItem(_login_key(login), "LOGIN").delete(condition=LoginItem.user_id == user_id)
    except DeleteError as err:
        if err.cause_response_code != "ConditionalCheckFailedException":
            raise


def birth_dates(user_ids: list[str]) -> dict[str, str]:
    """user id -> ISO birth date, one BatchGetItem per 100 users (the answer
    export turns it into an age band; the date itself never leaves)."""
    keys = [(user_key(uid), "PROFILE") for uid in dict.fromkeys(user_ids)]
    return {u.user_id: u.birth_date for u in UserItem.batch_get(keys)} if keys else {}

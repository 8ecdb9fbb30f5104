"""Users, their login identifiers and their memberships in the accounts table.

    USER#<id>      PROFILE                   the user (password hash, token version)
    LOGIN#<login>  LOGIN                     claims an e-mail or username for one user
    USER#<id>      MEMBER#<kind>#<scope>     organisation / centre membership
                   (gsi1: MEMBERS#<kind>#<scope> / USER#<id>, to list members)

Uniqueness of a login is a conditional write in the same transaction as the
user, never a read-then-write: concurrent registrations cannot both win.
"""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

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


def new_user_item(user_id: str, **attrs) -> UserItem:
    return UserItem(user_key(user_id), "PROFILE", user_id=user_id, **attrs)


def create_user(item: UserItem) -> bool:
    """Write the user and claim its login atomically; False if the login is taken."""
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


def get_user(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(user_key(user_id), "PROFILE", consistent_read=True)
    except UserItem.DoesNotExist:
        return None


def user_id_for_login(login: str) -> str | None:
    try:
        return LoginItem.get(_login_key(login), "LOGIN", consistent_read=True).user_id
    except LoginItem.DoesNotExist:
        return None


def _update_user(user_id: str, actions: list) -> UserItem | None:
    item = UserItem(user_key(user_id), "PROFILE")
    try:
        item.update(actions=actions, condition=UserItem.pk.exists())
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return item


def set_password(user_id: str, password_hash: str, *, revoke_tokens: bool) -> UserItem | None:
    actions = [UserItem.password_hash.set(password_hash)]
    if revoke_tokens:
        actions.append(UserItem.token_version.add(1))
    item = _update_user(user_id, actions)
    if revoke_tokens and item is not None:
        revocations.revoke_below(user_id, int(item.token_version))
    return item


def bump_token_version(user_id: str) -> UserItem | None:
    """Every refresh token and, through the revocation marker, every access
    token issued so far stops working (a new sign-in gets the new version)."""
    item = _update_user(user_id, [UserItem.token_version.add(1)])
    if item is not None:
        revocations.revoke_below(user_id, int(item.token_version))
    return item


def set_admin(user_id: str, is_admin: bool) -> UserItem | None:
    return _update_user(user_id, [UserItem.is_admin.set(is_admin)])


def put_membership(user_id: str, kind: str, scope_id: str, role: str) -> None:
    MembershipItem(user_key(user_id), f"MEMBER#{kind}#{scope_id}", kind=kind,
                   scope_id=scope_id, role=role, gsi1pk=f"MEMBERS#{kind}#{scope_id}",
                   gsi1sk=user_key(user_id)).save()


def delete_membership(user_id: str, kind: str, scope_id: str) -> None:
    MembershipItem(user_key(user_id), f"MEMBER#{kind}#{scope_id}").delete()


def memberships(user_id: str) -> list[MembershipItem]:
    return list(MembershipItem.query(user_key(user_id), MembershipItem.sk.startswith("MEMBER#"),
                                     consistent_read=True))


def members_of(kind: str, scope_id: str) -> list[tuple[str, str]]:
    """(user id, role) of a scope's members, through the GSI (may lag a write slightly)."""
    return [(m.gsi1sk.removeprefix("USER#"), m.role)
            for m in MembershipItem.gsi1.query(f"MEMBERS#{kind}#{scope_id}")]


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

"""GAR sign-in state in the accounts table (services/gar.py).

    GARREQ#<request id>        REQ      an AuthnRequest we sent (TTL 10 min), used once; for a
                                        link request, the signed-in user who asked
    GARASSERT#<sha256(issuer, id)>  ASSERT  an assertion already accepted (TTL = its expiry)
    GAR#<sha256(IDO)>          LINK     the GAR person -> our user (and the roster entry)
                               (gsi1 USER#<user id> / GAR: the user's links, for RGPD)
    GARCODE#<sha256(code)>     CODE     the browser's one-time code for its tokens, or for
                                        confirming a link (then with the IDO) (TTL 60 s)
    GARSESS#<sha256(issuer, NameID)>  SESS#<sha256(SessionIndex)>
                                        a GAR session we signed somebody in from: the user,
                                        and the NameID a LogoutRequest names (TTL: our
                                        refresh token's lifetime); all of a NameID's in
                                        one partition, as an IdP's LogoutRequest may name
                                        no SessionIndex

Single use and no replay are conditional writes, never read-then-write: two
posts of the same assertion cannot both pass. moto never expires TTL items, so
a request is also checked against its `expires_at`. The IDO is hashed in keys:
it is an identifier of a minor, and the link keeps only what signing in needs.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError

from chalicelib.store.tables import AccountsTable


class GarRequestItem(AccountsTable):
    user_id = UnicodeAttribute(null=True)   # a link request: who asked
    purpose = UnicodeAttribute(null=True)   # "logout": one of our LogoutRequests


class GarAssertionItem(AccountsTable):
    pass


class GarCodeItem(AccountsTable):
    user_id = UnicodeAttribute()
    ido = UnicodeAttribute(null=True)       # a link to confirm (kept 60 s at most)
    session = UnicodeAttribute(null=True)   # a sign-in: the GAR session's handle (single logout)


class GarSessionItem(AccountsTable):
    user_id = UnicodeAttribute()
    name_id = UnicodeAttribute()
    name_id_format = UnicodeAttribute(null=True)
    session_index = UnicodeAttribute(null=True)


class GarLinkItem(AccountsTable):
    user_id = UnicodeAttribute()
    org_id = UnicodeAttribute(null=True)
    learner_id = UnicodeAttribute(null=True)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _at(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)


def _failed(err: PutError | DeleteError) -> bool:
    return err.cause_response_code == "ConditionalCheckFailedException"


def save_request(request_id: str, expires_at: int, user_id: str | None = None,
                 purpose: str | None = None) -> None:
    GarRequestItem(f"GARREQ#{request_id}", "REQ", expires_at=_at(expires_at), user_id=user_id,
                   purpose=purpose).save()


def use_request(request_id: str, now: float, purpose: str | None = None) -> tuple[bool, str | None]:
    """Consume a request we sent: (True, the user of a link request or None)
    once, before it expires; (False, None) when it is unknown, used or expired.
    The item never changes, so reading it then deleting it on condition is
    still single use. `purpose`: "logout" for our LogoutRequests, None for our
    AuthnRequests; one is never accepted as the other (an answer to a logout
    request cannot sign anybody in)."""
    try:
        item = GarRequestItem.get(f"GARREQ#{request_id}", "REQ", consistent_read=True)
    except GarRequestItem.DoesNotExist:
        return False, None
    if item.purpose != purpose:
        return False, None
    try:
        item.delete(condition=GarRequestItem.pk.exists() & (GarRequestItem.expires_at > _at(now)))
    except DeleteError as err:
        if _failed(err):
            return False, None
        raise
    return True, item.user_id


def note_assertion(issuer: str, assertion_id: str, expires_at: int) -> bool:
    """Remember an accepted assertion; False when it was already accepted (replay)."""
    item = GarAssertionItem(f"GARASSERT#{_digest(issuer, assertion_id)}", "ASSERT",
                            expires_at=_at(expires_at))
    try:
        item.save(condition=GarAssertionItem.pk.does_not_exist())
    except PutError as err:
        if _failed(err):
            return False
        raise
    return True


def link_of(ido: str) -> GarLinkItem | None:
    try:
        return GarLinkItem.get(f"GAR#{_digest(ido)}", "LINK", consistent_read=True)
    except GarLinkItem.DoesNotExist:
        return None


def put_link(ido: str, user_id: str, org_id: str | None, learner_id: str | None) -> bool:
    """Tie the GAR person to a user, once; False when already tied (a parallel first sign-in)."""
    item = GarLinkItem(f"GAR#{_digest(ido)}", "LINK", user_id=user_id, org_id=org_id,
                       learner_id=learner_id, gsi1pk=f"USER#{user_id}", gsi1sk="GAR")
    try:
        item.save(condition=GarLinkItem.pk.does_not_exist())
    except PutError as err:
        if _failed(err):
            return False
        raise
    return True


def save_code(code: str, user_id: str, expires_at: int, ido: str | None = None,
              session: str | None = None) -> None:
    GarCodeItem(f"GARCODE#{_digest(code)}", "CODE", user_id=user_id, ido=ido, session=session,
                expires_at=_at(expires_at)).save()


def use_code(code: str, now: float) -> GarCodeItem | None:
    """A one-time code, once, before it expires (None otherwise). The delete's
    condition makes two uses of one code impossible."""
    key = f"GARCODE#{_digest(code)}"
    try:
        item = GarCodeItem.get(key, "CODE", consistent_read=True)
    except GarCodeItem.DoesNotExist:
        return None
    try:
        item.delete(condition=GarCodeItem.pk.exists() & (GarCodeItem.expires_at > _at(now)))
    except DeleteError as err:
        if _failed(err):
            return None
        raise
    return item


def links_of_user(user_id: str) -> list[GarLinkItem]:
    return list(GarLinkItem.gsi1.query(f"USER#{user_id}", GarLinkItem.gsi1sk == "GAR"))


def delete_link(link: GarLinkItem) -> None:
    link.delete()


def _session_key(issuer: str, name_id: str, session_index: str) -> tuple[str, str]:
    return f"GARSESS#{_digest(issuer, name_id)}", f"SESS#{_digest(session_index)}"


def save_session(issuer: str, name_id: str, name_id_format: str, session_index: str,
                 user_id: str, expires_at: int) -> str:
    """Remember a GAR session we signed `user_id` in from; the handle the
    browser keeps to end it (not a secret: only that user may use it)."""
    pk, sk = _session_key(issuer, name_id, session_index)
    GarSessionItem(pk, sk, user_id=user_id, name_id=name_id, name_id_format=name_id_format or None,
                   session_index=session_index or None, expires_at=_at(expires_at),
                   gsi1pk=f"USER#{user_id}", gsi1sk=pk).save()
    return f"{pk.removeprefix('GARSESS#')}.{sk.removeprefix('SESS#')}"


def session_of(handle: str, now: float) -> GarSessionItem | None:
    head, _, tail = (handle or "").partition(".")
    if not (len(head) == len(tail) == 64 and all(c in "0123456789abcdef" for c in head + tail)):
        return None
    try:
        item = GarSessionItem.get(f"GARSESS#{head}", f"SESS#{tail}", consistent_read=True)
    except GarSessionItem.DoesNotExist:
        return None
    expires = item.expires_at     # the TTL attribute reads back as epoch seconds
    if isinstance(expires, dt.datetime):
        expires = expires.timestamp()
    return item if expires is None or expires > now else None


def sessions_of(issuer: str, name_id: str, session_indexes: tuple[str, ...]) -> list[GarSessionItem]:
    """The sessions a LogoutRequest names: those of its SessionIndexes, or every
    session of the NameID when it names none (saml-core §3.7.3.2)."""
    pk, _ = _session_key(issuer, name_id, "")
    if session_indexes:
        keys = {_session_key(issuer, name_id, i)[1] for i in session_indexes}
        return [i for i in GarSessionItem.query(pk, consistent_read=True) if i.sk in keys]
    return list(GarSessionItem.query(pk, consistent_read=True))


def delete_session(item: GarSessionItem) -> None:
    item.delete()


def sessions_of_user(user_id: str) -> list[GarSessionItem]:
    return list(GarSessionItem.gsi1.query(f"USER#{user_id}", GarSessionItem.gsi1sk.startswith("GARSESS#")))

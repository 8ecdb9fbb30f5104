"""Signing in and staying signed in: sign-in with brute-force protection,
token pairs, refresh rotation, sign-out, password change and reset, and the
re-authenticated closing of an account.

Answers never tell whether a login exists: an unknown login and a wrong
password get the same status and message, cost the same argon2 time, and
count failures the same way (the guard is keyed by the login as typed, not
by the account), so blocks happen for unknown logins too.

Who can be refused, and by whom (issues 13.8 and 16.1, docs/security.md):
- an address gets SIGNIN_PER_IP admitted sign-ins a minute; refused ones are
  not counted, so a class behind one school address all gets in, in turn;
- failures block one login *from one source* (every 10, 2 min doubling, at
  most a day, never permanent): an attacker locks himself out, not the pupil;
- failures of one address are capped (password spraying), but the cap grows
  by one for every account that signed in from that address in the window,
  and sources a login already signed in from are never held by it: one
  class's typos cannot shut out the pupils who type their password right;
- failures of one login from sources it never signed in from are capped per
  day (a brute force spread over many addresses); the owner still gets in
  from any source it signed in from before, and a password reset (proof of
  ownership) lifts everything.
"""
from __future__ import annotations

import logging
import math
import secrets
import time
import uuid

from chalicelib.config import settings
from chalicelib.domain.accounts import (BLOCK_EVERY, Account, Block, SignInGuard, block_after,
                                        normalise_email, normalise_login)
from chalicelib.domain.errors import Forbidden, Gone, TooManyRequests, Unauthenticated
from chalicelib.domain.passwords import check_policy
from chalicelib.services import accounts, mail_queue, mailer, passwords, throttle, tokens
from chalicelib.services.accounts import LOGIN_FAILURES_FROM_NEW_SOURCES, login_failures_key
from chalicelib.store import accounts as store
from chalicelib.store import credentials

log = logging.getLogger("pix.auth")

# (limit, window seconds). Schools sign in a whole class from one address:
# per-IP limits are loose; the per-login-and-source guard does the real work.
SIGNIN_PER_IP = (300, 60)
SIGNIN_FAILURES_PER_IP = (150, 900)        # plus one per account that got in from the address
TRUSTED_SOURCE_SECONDS = 30 * 24 * 3600    # a source a login signed in from, remembered this long
RESET_REQUESTS_PER_IP = (30, 3600)
RESET_MAILS_PER_LOGIN = (3, 3600)
GUARD_SECONDS = 30 * 24 * 3600             # failures of a login from a source are forgotten after
RESET_TOKEN_SECONDS = 3600
REAUTH_SOURCE = "reauthentication"  # the guard's source for password checks of signed-in users
REFRESH_RETRY_GRACE_S = 30  # a used refresh token presented again within this is a retry, not a theft

INVALID_CREDENTIALS = "L'adresse e-mail, l'identifiant ou le mot de passe est incorrect."
SESSION_ENDED = "Votre session a pris fin, reconnectez-vous."
LOGIN_PROTECTED = ("Trop de tentatives ont visé ce compte depuis d'autres réseaux : connectez-vous "
                   "depuis un réseau où vous vous êtes déjà connecté, ou réinitialisez votre mot de "
                   "passe.")
RESET_INVALID = "Ce lien de réinitialisation est invalide ou a expiré. Demandez-en un nouveau."


def _now() -> float:
    return time.time()


def sign_in(login: str, password: str, ip: str | None) -> dict:
    source = ip or "unknown"
    throttle.hit(f"signin:ip:{source}", *SIGNIN_PER_IP)
    login = normalise_login(login)
    guard = credentials.get_guard(login, source)
    _refuse_if_blocked(guard)
    trusted = guard is not None and (guard.trusted_until or 0) > _now()
    if not trusted:
        window = SIGNIN_FAILURES_PER_IP[1]
        throttle.peek(f"signin-failures:ip:{source}", *SIGNIN_FAILURES_PER_IP,
                      allowance=throttle.total(f"signin-ok:ip:{source}", window))
        throttle.peek(login_failures_key(login), *LOGIN_FAILURES_FROM_NEW_SOURCES,
                      message=LOGIN_PROTECTED, code="account_protected")
    user_id = store.user_id_for_login(login)
    item = store.get_user(user_id) if user_id else None
    if item is None:
        passwords.verify_nothing(password)
    if item is None or not passwords.verify(item.password_hash, password):
        failures, block = _record_failure(login, source)
        throttle.record(f"signin-failures:ip:{source}", SIGNIN_FAILURES_PER_IP[1])
        if not trusted and failures <= BLOCK_EVERY:
            # one source weighs at most BLOCK_EVERY failures on the whole login:
            # beyond, its own block holds it, and it cannot shut the owner out alone
            throttle.record(login_failures_key(login), LOGIN_FAILURES_FROM_NEW_SOURCES[1])
        _raise_block(block)
        raise Unauthenticated(INVALID_CREDENTIALS, code="invalid_credentials")
    _record_success(login, source, guard)
    if passwords.needs_rehash(item.password_hash):
        store.set_password(item.user_id, passwords.hash_password(password), revoke_tokens=False)
    return _issue(item)


def refresh(refresh_token: str) -> dict:
    """Exchange a refresh token for a new pair. Each refresh token works once;
    presenting a used one again means it was stolen: every session ends.
    Except within REFRESH_RETRY_GRACE_S of its first use: a school network
    that lost the response (or a 503 after the write) makes the client send
    the same token again, and that must not sign the pupil out mid-test."""
    claims = tokens.decode(refresh_token, "refresh")
    user_id, jti = claims["sub"], claims.get("jti", "")
    item = store.get_user(user_id)
    if item is None or claims.get("tv") != item.token_version:
        raise Unauthenticated(SESSION_ENDED, code="invalid_refresh_token")
    state = credentials.use_refresh(user_id, jti, int(_now()), grace_s=REFRESH_RETRY_GRACE_S)
    if state == "retried":
        return _issue(item)
    if state == "reused":
        store.bump_token_version(user_id)
        log.warning('{"event": "refresh_token_reused"}')
    if state != "ok":
        raise Unauthenticated(SESSION_ENDED, code="invalid_refresh_token")
    return _issue(item)


def revoke(refresh_token: str) -> None:
    """Sign out: this refresh token stops working. Unknown tokens are ignored (RFC 7009)."""
    try:
        claims = tokens.decode(refresh_token, "refresh")
    except Unauthenticated:
        return
    credentials.delete_refresh(claims["sub"], claims.get("jti", ""))


def change_password(user_id: str, current_password: str, new_password: str) -> dict:
    """Revokes every refresh token; returns a fresh pair for this device."""
    item = _signed_in_user(user_id)
    confirm_password(item, current_password)
    check_policy(new_password)
    updated = store.set_password(user_id, passwords.hash_password(new_password),
                                 revoke_tokens=True)
    return _issue(updated or _signed_in_user(user_id))


def request_password_reset(email: str, ip: str | None) -> None:
    """Always the same answer, and the same work: one message on the mail
    queue whatever the address, so neither the answer nor its duration tells
    a registered address from an unknown one (issue 13, point 6). The
    account is looked up by the consumer (`deliver_password_reset`)."""
    throttle.hit(f"reset:ip:{ip or 'unknown'}", *RESET_REQUESTS_PER_IP)
    mail_queue.enqueue({"kind": "password_reset", "login": normalise_email(email)})


def deliver_password_reset(login: str, *, first_delivery: bool = True) -> None:
    """Consumer side of a reset request: a mail only when the account exists,
    at most RESET_MAILS_PER_LOGIN an hour (nobody can flood a mailbox). A
    redelivered message (the previous attempt failed) is not counted again."""
    if first_delivery:
        try:
            throttle.hit(f"reset:login:{login}", *RESET_MAILS_PER_LOGIN)
        except TooManyRequests:
            return
    user_id = store.user_id_for_login(login)
    item = store.get_user(user_id) if user_id else None
    if item is None or not item.email:
        return
    token = secrets.token_urlsafe(32)
    credentials.save_reset(token, item.user_id, item.token_version,
                           int(_now()) + RESET_TOKEN_SECONDS)
    link = f"{settings().public_base_url}/mot-de-passe/nouveau?token={token}"
    mailer.send(item.email, "Réinitialisation de votre mot de passe",
                f"Bonjour {item.first_name},\n\nPour choisir un nouveau mot de passe, ouvrez ce "
                f"lien dans l'heure :\n{link}\n\nSi vous n'êtes pas à l'origine de cette demande, "
                "ignorez ce message : votre mot de passe reste inchangé.")


def confirm_password_reset(token: str, new_password: str) -> None:
    """Single use, one hour, superseded by any later password change. Also
    lifts a sign-in block and ends every session."""
    check_policy(new_password)  # before consuming: a refused password keeps the link usable
    reset = credentials.get_reset(token)
    if reset is None or reset.expires_at < _now():
        raise Gone(RESET_INVALID, code="invalid_reset_token")
    item = store.get_user(reset.user_id)
    if item is None or item.token_version != reset.token_version:
        raise Gone(RESET_INVALID, code="invalid_reset_token")
    if not credentials.consume_reset(token):
        raise Gone(RESET_INVALID, code="invalid_reset_token")
    store.set_password(item.user_id, passwords.hash_password(new_password), revoke_tokens=True)
    accounts.lift_sign_in_blocks(item.login)


def delete_account(user_id: str, password: str) -> None:
    """Closing an account needs the password again (a stolen access token is not enough)."""
    item = _signed_in_user(user_id)
    confirm_password(item, password)
    accounts.erase_account(user_id)


def confirm_password(item: Account, password: str) -> None:
    """Re-authentication of a signed-in user; failures count like sign-in
    failures, from a source of their own (a stolen access token guessing the
    password blocks re-authentication, never the owner's sign-in)."""
    _refuse_if_blocked(credentials.get_guard(item.login, REAUTH_SOURCE))
    if not passwords.verify(item.password_hash, password):
        _raise_block(_record_failure(item.login, REAUTH_SOURCE)[1])
        raise Forbidden("Le mot de passe est incorrect.", code="wrong_password")


def sign_in_vouched(user_id: str) -> dict:
    """Our usual tokens for a user an identity provider vouched for (GAR SAML,
    services/gar.py): no password, no sign-in guard (the IdP authenticated)."""
    return _issue(_signed_in_user(user_id))


# Internals ---------------------------------------------------------------------------

def _signed_in_user(user_id: str) -> Account:
    item = store.get_user(user_id)
    if item is None:
        raise Unauthenticated(SESSION_ENDED, code="account_not_found")
    return item


def _issue(item: Account) -> dict:
    m = accounts.memberships_of(item.user_id, is_admin=bool(item.is_admin))
    jti = uuid.uuid4().hex
    credentials.save_refresh(item.user_id, jti, int(_now()) + tokens.REFRESH_TTL)
    return {
        "access_token": tokens.access_token(item.user_id, is_admin=m.is_admin,
                                            organizations=m.organizations,
                                            centres=list(m.centres),
                                            token_version=int(item.token_version)),
        "token_type": "Bearer", "expires_in": tokens.ACCESS_TTL,
        "refresh_token": tokens.refresh_token(item.user_id, jti, int(item.token_version)),
        "refresh_expires_in": tokens.REFRESH_TTL, "user_id": item.user_id,
    }


def _refuse_if_blocked(guard: SignInGuard | None) -> None:
    if guard is not None and guard.blocked_until:
        _raise_block(Block(guard.blocked_until))


def _raise_block(block: Block | None) -> None:
    if block is None:
        return
    remaining = block.until - _now()
    if remaining > 0:
        minutes = max(1, math.ceil(remaining / 60))
        raise TooManyRequests(f"Trop de tentatives de connexion : réessayez dans {minutes} min.",
                              retry_after=math.ceil(remaining), code="account_temporarily_blocked")


def _record_failure(login: str, source: str) -> tuple[int, Block | None]:
    """Count the failure of `login` from `source`: (failures of the pair, the
    block it earned, already stored)."""
    now = _now()
    failures = credentials.add_failure(login, source, int(now) + GUARD_SECONDS)
    block = block_after(failures, now)
    if block is not None:
        credentials.set_block(login, source, block.until)
    return failures, block


def _record_success(login: str, source: str, guard: SignInGuard | None) -> None:
    """Trust the source for this login; the first success of a login from
    an address in the failure window widens that address's failure cap by one."""
    now = int(_now())
    window = SIGNIN_FAILURES_PER_IP[1]
    if guard is None or guard.last_success is None or now - int(guard.last_success) >= window:
        throttle.record(f"signin-ok:ip:{source}", window)
    credentials.record_success(login, source, now, now + TRUSTED_SOURCE_SECONDS)

"""Accounts: registration, who a user is, what they belong to, and their
personal data (RGPD export and erasure).

Other features call `get_user`, `find_user_by_login`, `add_membership`,
`remove_membership`, `memberships_of` and `members_of`. Memberships reach the
access token at the next sign-in or refresh (at most 20 minutes later).
"""
from __future__ import annotations

import time
import unicodedata
import uuid
from datetime import date, datetime, timezone

from chalicelib.config import settings
from chalicelib.domain import usernames
from chalicelib.domain.accounts import (MEMBERSHIP_KINDS, Account, Memberships, User,
                                        check_birth_date, check_may_register, normalise_email,
                                        normalise_login)
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.passwords import check_policy
from chalicelib.services import passwords, personal_data, throttle
from chalicelib.store import accounts as store
from chalicelib.store import credentials

# A school registers whole classes from one address (a lycée's 800 pupils
# behind one NAT on the first morning). Admitted registrations only are
# counted (services/throttle.py), so 1,000 an hour lets such a school in
# within the hour while still bounding the argon2 CPU one address can spend
# (≈ 1,000 hashes an hour) and the accounts it can mint to widen its own
# sign-in failure cap (docs/security.md, issue 16).
REGISTRATIONS_PER_IP = (1000, 3600)


def _now() -> float:
    return time.time()


def _today() -> date:
    return datetime.now(timezone.utc).date()


# The password hash of an account that signs in only through an identity
# provider (GAR): not an argon2 hash, so no password ever verifies against it.
NO_PASSWORD = "!sso"


def register(*, first_name: str, last_name: str, password: str | None, birth_date: date,
             accepted_terms: bool, email: str | None = None, guardian_consent: bool = False,
             created_by_org: str | None = None, ip: str | None = None) -> User:
    """Create an account. Without an e-mail, a username is generated and returned.

    `created_by_org` is for organisations creating their pupils' accounts
    (they accept the terms and consent on the pupils' behalf). `password` None
    (GAR sign-in of a school's pupil, `created_by_org` set): no password at all,
    the account signs in only through the school's ENT. `ip` (public
    route) limits registrations per address: each costs a password hash, and
    a 409 tells whether an e-mail is registered.
    """
    if ip is not None:
        throttle.hit(f"register:ip:{ip}", *REGISTRATIONS_PER_IP)
    today = _today()
    check_birth_date(birth_date, today)
    check_may_register(birth_date, today, guardian_consent=guardian_consent,
                       created_by_org=created_by_org)
    if not (accepted_terms or created_by_org):
        raise InvalidInput("Vous devez accepter les conditions d'utilisation.",
                           code="terms_not_accepted")
    if password is None and not created_by_org:
        raise InvalidInput("Le mot de passe est obligatoire.", code="invalid_password")
    if password is not None:
        check_policy(password)
    first_name, last_name = _name(first_name, "prénom"), _name(last_name, "nom")
    email = normalise_email(email) if email else None
    now = int(_now())
    attrs = dict(first_name=first_name, last_name=last_name, email=email, birth_date=birth_date,
                 password_hash=NO_PASSWORD if password is None else passwords.hash_password(password),
                 terms_version=None if created_by_org else settings().terms_version,
                 terms_accepted_at=None if created_by_org else now,
                 guardian_consent=bool(guardian_consent and not created_by_org),
                 created_by_org=created_by_org, created_at=now)
    user_id = uuid.uuid4().hex
    logins = [email] if email else usernames.candidates(
        usernames.base_username(first_name, last_name, birth_date))
    for login in logins:
        account = Account(user_id=user_id, login=login, username=None if email else login, **attrs)
        if store.create_user(account):
            lift_sign_in_blocks(login)  # failures recorded before the account existed
            return account.user
    if email:
        raise Conflict("Un compte existe déjà avec cette adresse e-mail.", code="email_taken")
    raise Conflict("Impossible d'attribuer un identifiant : contactez votre établissement.",
                   code="username_unavailable")


def _name(value: str, label: str) -> str:
    value = unicodedata.normalize("NFC", value or "").strip()
    if not value:
        raise InvalidInput(f"Le {label} est obligatoire.", code="invalid_name")
    return value


def get_user(user_id: str) -> User | None:
    account = store.get_user(user_id)
    return account.user if account else None


def find_user_by_login(email_or_username: str) -> User | None:
    user_id = store.user_id_for_login(normalise_login(email_or_username))
    return get_user(user_id) if user_id else None


# Memberships ----------------------------------------------------------------------

def add_membership(user_id: str, kind: str, scope_id: str, role: str) -> None:
    """Make a user a member of an organisation ("org") or a certification centre ("centre")."""
    if role not in MEMBERSHIP_KINDS.get(kind, ()):
        raise InvalidInput(f"Rôle « {role} » inconnu pour « {kind} ».", code="invalid_role")
    if store.get_user(user_id) is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    store.put_membership(user_id, kind, scope_id, role)


def remove_membership(user_id: str, kind: str, scope_id: str) -> None:
    store.delete_membership(user_id, kind, scope_id)


def memberships_of(user_id: str, *, is_admin: bool | None = None) -> Memberships:
    if is_admin is None:
        account = store.get_user(user_id)
        is_admin = bool(account and account.is_admin)
    orgs, centres = {}, {}
    for m in store.memberships(user_id):
        (orgs if m.kind == "org" else centres)[m.scope_id] = m.role
    return Memberships(organizations=orgs, centres=centres, is_admin=is_admin)


def members_of(kind: str, scope_id: str) -> list[tuple[str, str]]:
    return store.members_of(kind, scope_id)


def set_platform_admin(user_id: str, is_admin: bool = True) -> User:
    """Only `scripts/create_admin.py` calls this: no HTTP route makes an admin."""
    account = store.set_admin(user_id, is_admin)
    if account is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    return account.user


# Profile and personal data ----------------------------------------------------------

def profile(user_id: str) -> dict:
    user = get_user(user_id)
    if user is None:
        raise NotFound("Compte introuvable.", code="user_not_found")
    m = memberships_of(user_id, is_admin=user.is_admin)
    return {"id": user.id, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "username": user.username,
            "birth_date": user.birth_date.isoformat(), "is_admin": user.is_admin,
            "terms_version": user.terms_version,
            "memberships": {"organizations": m.organizations, "centres": m.centres}}


def export_personal_data(user_id: str) -> dict:
    """Everything held about the user: the account, then each registered feature."""
    user = get_user(user_id)
    account = profile(user_id)
    account.update(created_at=_iso(user.created_at), guardian_consent=user.guardian_consent,
                   created_by_org=user.created_by_org)
    return {"exported_at": _iso(_now()), "account": account,
            "features": personal_data.export_all(user_id)}


def erase_account(user_id: str) -> None:
    """Every registered eraser first (so a failure leaves a complete account to
    retry with), then the account itself. Callers check the password.

    The token version is bumped before anything is erased: from then on no
    token of this account writes (services/revocations.py), so nothing can be
    created under the id while or after it is erased. If an eraser fails, the
    person signs in again (the account is still whole) and retries."""
    user = get_user(user_id)
    if user is None:
        return
    store.bump_token_version(user_id)
    personal_data.erase_all(user_id)
    store.delete_user(user_id, user.login)
    lift_sign_in_blocks(user.login)


# Sign-in failures on a login from sources it never signed in from: (limit,
# window seconds). Kept here, where blocks are lifted; authentication counts
# them (importing from here, so the two modules form no cycle).
LOGIN_FAILURES_FROM_NEW_SOURCES = (50, 24 * 3600)


def login_failures_key(login: str) -> str:
    return f"signin-failures:login:{login}"


def lift_sign_in_blocks(login: str) -> None:
    """Proof of ownership (a reset link used, a new account) lifts every
    sign-in block on the login, from every source."""
    credentials.clear_guard(login)
    throttle.reset(login_failures_key(login), LOGIN_FAILURES_FROM_NEW_SOURCES[1])


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="seconds")

"""Account rules, pure: who may register alone, how a login is written, how
long repeated sign-in failures block an account. No storage, no HTTP.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.errors import InvalidInput

# RGPD art. 8 as applied in France: under 15, consent to an online service
# needs the holder of parental authority (or an organisation acting for it).
DIGITAL_MAJORITY = 15

# A temporary block every 10 failures of one login from one source,
# 2 min × 2^(n/10 − 1), at most a day. Never permanent: a block anyone can
# earn for someone else must end by itself (issue 13, point 8).
BLOCK_EVERY = 10
BASE_BLOCK_SECONDS = 120
MAX_BLOCK_SECONDS = 24 * 3600

ORG_ROLES = ("member", "admin")
CENTRE_ROLES = ("member", "admin")
MEMBERSHIP_KINDS = {"org": ORG_ROLES, "centre": CENTRE_ROLES}

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class User:
    """A user as other features see it: never the password hash."""
    id: str
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    birth_date: date
    is_admin: bool = False
    terms_version: str | None = None
    guardian_consent: bool = False
    created_by_org: str | None = None
    created_at: int = 0

    @property
    def login(self) -> str:
        return self.email or self.username or ""


@dataclass(frozen=True)
class Account:
    """The stored account as accounts and authentication see it: the user plus
    what proves a sign-in (the password hash) and the version every token of
    the account carries (bumped = every token issued so far is revoked). The
    store builds and takes it, so the sign-in rules run against an in-memory
    repository (tests/unit/fakes.py). Other features get `user` only."""
    user_id: str
    login: str                     # the e-mail, or the generated username
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    birth_date: date
    password_hash: str
    token_version: int = 0
    is_admin: bool = False
    terms_version: str | None = None
    terms_accepted_at: int | None = None   # epoch seconds
    guardian_consent: bool = False
    created_by_org: str | None = None
    created_at: int = 0                    # epoch seconds

    @property
    def user(self) -> User:
        return User(id=self.user_id, first_name=self.first_name, last_name=self.last_name,
                    email=self.email, username=self.username, birth_date=self.birth_date,
                    is_admin=self.is_admin, terms_version=self.terms_version,
                    guardian_consent=self.guardian_consent, created_by_org=self.created_by_org,
                    created_at=self.created_at)


@dataclass(frozen=True)
class Membership:
    kind: str        # "org" | "centre"
    scope_id: str
    role: str


@dataclass(frozen=True)
class SignInGuard:
    """What is remembered of one login signing in from one source: failures
    since the last success, the block they earned, and whether the source is
    trusted (the login signed in from it lately). Epoch seconds."""
    failures: int = 0
    blocked_until: float | None = None
    last_success: int | None = None
    trusted_until: int | None = None


@dataclass(frozen=True)
class Memberships:
    organizations: dict[str, str] = field(default_factory=dict)   # org id -> role
    centres: dict[str, str] = field(default_factory=dict)         # centre id -> role
    is_admin: bool = False


@dataclass(frozen=True)
class Block:
    until: float             # epoch seconds


def normalise_login(value: str) -> str:
    """E-mails and usernames are compared trimmed, NFC and lower-case."""
    return unicodedata.normalize("NFC", value or "").strip().lower()


def normalise_email(value: str) -> str:
    email = normalise_login(value)
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("L'adresse e-mail n'est pas valide.", code="invalid_email")
    return email


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def check_birth_date(birth_date: date, today: date) -> None:
    if birth_date > today or birth_date.year < 1900:
        raise InvalidInput("La date de naissance n'est pas valide.", code="invalid_birth_date")


def check_may_register(birth_date: date, today: date, *, guardian_consent: bool,
                       created_by_org: str | None) -> None:
    """A pupil under 15 registers through an organisation or with a guardian's consent."""
    if created_by_org or guardian_consent or age_on(birth_date, today) >= DIGITAL_MAJORITY:
        return
    raise InvalidInput(
        "Avant 15 ans, l'inscription nécessite l'accord d'un parent ou tuteur "
        "(ou un compte créé par votre établissement).", code="guardian_consent_required")


def block_after(failures: int, now: float) -> Block | None:
    """The block a failure count earns at time `now`, or None."""
    if failures and failures % BLOCK_EVERY == 0:
        doublings = min(failures // BLOCK_EVERY - 1, 30)
        return Block(until=now + min(BASE_BLOCK_SECONDS * 2 ** doublings, MAX_BLOCK_SECONDS))
    return None

"""Organisations (schools, universities, training bodies) and their members.

A platform admin creates an organisation; members are added by a platform
admin or an organisation admin, through `accounts.add_membership`, so they
appear in the members' tokens. API clients are managed by
`services.api_clients`. The UAI (school identifier) is unique: it ties the
organisation to its certification centre (same UAI) and to the report book.
"""
from __future__ import annotations

import time
import uuid
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain import organization as domain
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.organization import Organization
from chalicelib.store import organizations as store
from chalicelib.store.writes import Conflicting

_CONFIG = ConfigDict(extra="forbid", defer_build=True, str_strip_whitespace=True, str_max_length=500)


class OrganizationType(str, Enum):
    COLLEGE = domain.COLLEGE
    LYCEE = domain.LYCEE
    HIGHER_EDUCATION = "higher_education"
    CONTINUING_EDUCATION = "continuing_education"
    PUBLIC_SERVICE = "public_service"


SCHOOL_TYPES = domain.SCHOOL_TYPES


class OrganizationInput(BaseModel):
    model_config = _CONFIG
    name: str = Field(min_length=1, max_length=200)
    type: OrganizationType
    uai: str | None = Field(default=None, pattern=r"^[0-9]{7}[A-Za-z]$")

    @model_validator(mode="after")
    def _schools_have_a_uai(self):
        if self.type.value in SCHOOL_TYPES and not self.uai:
            raise ValueError("un collège ou un lycée a un UAI (7 chiffres et une lettre)")
        return self


class MemberInput(BaseModel):
    model_config = _CONFIG
    user_id: str | None = Field(default=None, min_length=1, max_length=64)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    role: str = Field(default="member", pattern="^(member|admin)$")

    @model_validator(mode="after")
    def _one_identifier(self):
        if bool(self.user_id) == bool(self.email):
            raise ValueError("donnez user_id ou email (un seul)")
        return self


def roster_format(org: Organization) -> str:
    """By the organisation's type only (scripts/bench_roster.py passes a stand-in)."""
    return domain.roster_format_of(org.type)


def requires_reconciliation(org: Organization) -> bool:
    return domain.is_school(org.type)


def create(data: OrganizationInput) -> dict:
    uai = data.uai.upper() if data.uai else None
    org = Organization(org_id=uuid.uuid4().hex[:16], name=data.name, type=data.type.value, uai=uai,
                       created_at=int(time.time()))
    try:
        store.create_organization(org)
    except Conflicting:
        raise Conflict(f"Une organisation avec l'UAI {uai} existe déjà.", code="uai_taken")
    return view(org)


def require(org_id: str) -> Organization:
    org = store.organization(org_id)
    if org is None:
        raise NotFound("Organisation introuvable.", code="organization_not_found")
    return org


def get(org_id: str) -> dict:
    return view(require(org_id))


def list_all(cursor: str | None, limit: int) -> dict:
    items, next_cursor = store.organizations_page(cursor, limit)
    return {"items": [view(r) for r in items], "next_cursor": next_cursor}


def add_member(org_id: str, data: MemberInput) -> dict:
    from chalicelib.services import accounts

    require(org_id)
    user = accounts.get_user(data.user_id) if data.user_id else accounts.find_user_by_login(data.email)
    if user is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    accounts.add_membership(user.id, "org", org_id, data.role)
    return {"org_id": org_id, "user_id": user.id, "role": data.role,
            "message": "Le rôle prend effet à la prochaine connexion du membre."}


def members(org_id: str) -> dict:
    from chalicelib.services import accounts

    require(org_id)
    out = []
    for user_id, role in accounts.members_of("org", org_id):
        user = accounts.get_user(user_id)
        if user is not None:
            out.append({"user_id": user_id, "role": role, "first_name": user.first_name,
                        "last_name": user.last_name, "login": user.login})
    return {"items": out}


def remove_member(org_id: str, user_id: str) -> None:
    from chalicelib.services import accounts

    require(org_id)
    if not any(uid == user_id for uid, _ in accounts.members_of("org", org_id)):
        raise NotFound("Membre introuvable.", code="member_not_found")
    accounts.remove_membership(user_id, "org", org_id)


def view(org: Organization) -> dict:
    return {"org_id": org.org_id, "name": org.name, "type": org.type, "uai": org.uai,
            "roster_format": org.roster_format,
            "requires_reconciliation": org.requires_reconciliation}


def check_limit(limit: int, maximum: int) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInput(f"limit doit être entre 1 et {maximum}.", code="invalid_limit")
    return limit

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
from chalicelib.store import accounts as account_store
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


class RoleInput(BaseModel):
    model_config = _CONFIG
    role: str = Field(pattern="^(member|admin)$")


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
    """Add a member, or give an existing member the role asked (demoting the
    last admin is refused, as with `change_role`)."""
    from chalicelib.services import accounts

    require(org_id)
    user = accounts.get_user(data.user_id) if data.user_id else accounts.find_user_by_login(data.email)
    if user is None:
        raise NotFound("Utilisateur introuvable.", code="user_not_found")
    current = account_store.membership_role(user.id, "org", org_id)
    if domain.loses_admin(current, data.role):
        _change_keeping_an_admin(org_id, user.id, data.role)
    else:
        accounts.add_membership(user.id, "org", org_id, data.role)
    return {"org_id": org_id, "user_id": user.id, "role": data.role,
            "message": "Le rôle prend effet à la prochaine connexion du membre."}


def members(org_id: str, cursor: str | None = None, limit: int = 50) -> dict:
    """One page of members with their names and logins (the admin adds people
    by e-mail and must recognise them in the list)."""
    require(org_id)
    rows, next_cursor = account_store.members_page("org", org_id, cursor, limit)
    people = account_store.users_by_id([user_id for user_id, _ in rows])
    out = [{"user_id": user_id, "role": role, "first_name": people[user_id].first_name,
            "last_name": people[user_id].last_name, "login": people[user_id].login}
           for user_id, role in rows if user_id in people]
    return {"items": out, "next_cursor": next_cursor}


def change_role(org_id: str, user_id: str, data: RoleInput) -> dict:
    require(org_id)
    current = _member_role(org_id, user_id)
    if domain.loses_admin(current, data.role):
        _change_keeping_an_admin(org_id, user_id, data.role)
    elif current != data.role:
        account_store.put_membership(user_id, "org", org_id, data.role)
    return {"org_id": org_id, "user_id": user_id, "role": data.role,
            "message": "Le rôle prend effet à la prochaine connexion du membre."}


def remove_member(org_id: str, user_id: str) -> None:
    require(org_id)
    current = _member_role(org_id, user_id)
    if domain.loses_admin(current, None):
        _change_keeping_an_admin(org_id, user_id, None)
    else:
        account_store.delete_membership(user_id, "org", org_id)


def _member_role(org_id: str, user_id: str) -> str:
    role = account_store.membership_role(user_id, "org", org_id)
    if role is None:
        raise NotFound("Membre introuvable.", code="member_not_found")
    return role


def _change_keeping_an_admin(org_id: str, user_id: str, role: str | None) -> None:
    """Demote or remove an admin only while another admin remains: each other
    admin the index lists is tried as the one whose role the transaction
    checks, so a stale index entry or a concurrent demotion cannot leave the
    organisation without an admin."""
    for keeper in domain.other_admins(account_store.members_of("org", org_id), user_id):
        try:
            account_store.change_membership_keeping(user_id, "org", org_id, role, keeper)
            return
        except Conflicting:
            if account_store.membership_role(user_id, "org", org_id) is None:
                raise NotFound("Membre introuvable.", code="member_not_found")
    raise Conflict(domain.LAST_ADMIN_MESSAGE, code="last_admin")


def view(org: Organization) -> dict:
    return {"org_id": org.org_id, "name": org.name, "type": org.type, "uai": org.uai,
            "roster_format": org.roster_format,
            "requires_reconciliation": org.requires_reconciliation}


def check_limit(limit: int, maximum: int) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInput(f"limit doit être entre 1 et {maximum}.", code="invalid_limit")
    return limit

"""Who may call a route: every route declares one policy, checked here only.

A policy authenticates the bearer token (when needed) and checks the scope the
URL names (the centre, organisation or session in the path). Services then
check that the resource really belongs to that scope (404 otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.domain.principal import Principal
from chalicelib.domain.scopes import check_known, check_known_national

Check = Callable[[Principal, dict], bool]


@dataclass(frozen=True)
class Access:
    name: str
    kinds: frozenset[str]          # principal kinds admitted; empty = public
    check: Check | None = None     # scope check on the URL parameters
    scope: str | None = None       # the API client scope it requires (OpenAPI oauth2 security)

    @property
    def is_public(self) -> bool:
        return not self.kinds

    def authorize(self, headers: dict, url_params: dict) -> Principal | None:
        if self.is_public:
            return None
        principal = _principal(headers)
        if principal.kind not in self.kinds:
            raise Forbidden("Vous n'avez pas accès à cette ressource.")
        if self.check and not (principal.is_admin or self.check(principal, url_params)):
            raise Forbidden("Vous n'avez pas accès à cette ressource.")
        return principal


def _principal(headers: dict) -> Principal:
    from chalicelib.services.tokens import principal_from

    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authentification requise.", code="missing_token")
    return principal_from(token.strip())


PUBLIC = Access("public", frozenset())
USER = Access("user", frozenset({"user"}))
ADMIN = Access("admin", frozenset({"user"}), check=lambda p, _: False)  # admins pass every check


def centre_member(param: str = "centre_id") -> Access:
    return Access(f"centre_member:{param}", frozenset({"user"}),
                  check=lambda p, u: u.get(param) in p.centres)


def invigilator(param: str = "session_id") -> Access:
    return Access(f"invigilator:{param}", frozenset({"invigilator"}),
                  check=lambda p, u: p.subject == u.get(param))


def org_member(param: str = "org_id", *, scope: str) -> Access:
    """Members (people) of the organisation, whatever their role, and its API
    clients holding `scope`: a client gets only what it was granted for."""
    check_known(scope)
    return Access(f"org_member:{param}[{scope}]", frozenset({"user", "client"}),
                  check=lambda p, u: (p.kind == "user" and u.get(param) in p.organizations)
                  or (p.kind == "client" and p.org_id == u.get(param) and scope in p.scopes),
                  scope=scope)


def org_admin(param: str = "org_id") -> Access:
    return Access(f"org_admin:{param}", frozenset({"user"}),
                  check=lambda p, u: p.organizations.get(u.get(param)) == "admin")


def org_client(param: str = "org_id", *, scope: str) -> Access:
    """Only the organisation's API clients holding `scope` (no person)."""
    check_known(scope)
    return Access(f"org_client:{param}[{scope}]", frozenset({"client"}),
                  check=lambda p, u: p.org_id == u.get(param) and scope in p.scopes, scope=scope)


def national_client(*, scope: str) -> Access:
    """Only national clients (LSU/LSL, created by a platform admin) holding
    `scope`: no organisation's client nor member, whatever its scopes."""
    check_known_national(scope)
    return Access(f"national_client[{scope}]", frozenset({"client"}),
                  check=lambda p, _: p.national and p.org_id is None and scope in p.scopes,
                  scope=scope)

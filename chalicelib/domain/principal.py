"""Who is calling: decoded once from a token, passed to every service."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    kind: str                     # "user" | "invigilator" | "client"
    subject: str                  # user id | session id | API client id
    is_admin: bool = False
    organizations: dict[str, str] = field(default_factory=dict)  # org id -> role
    centres: frozenset[str] = frozenset()
    org_id: str | None = None     # API clients: the one organisation they act for
    scopes: frozenset[str] = frozenset()
    national: bool = False        # API clients: a national client (no organisation, LSU/LSL)
    token_version: int = 0        # users: the account's token version when the token was issued

    @property
    def user_id(self) -> str | None:
        return self.subject if self.kind == "user" else None

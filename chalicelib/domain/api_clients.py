"""An API client (a school portal, or a national reader such as LSU/LSL) as
the services see it, whatever table holds it: the store builds and takes it,
so the client-credentials rules run against an in-memory repository
(tests/unit/fakes.py)."""
from __future__ import annotations

from dataclasses import dataclass

# The owner stored on a national client: not an organisation id (those never hold "#").
NATIONAL_OWNER = "#national"


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    org_id: str                    # the organisation, or NATIONAL_OWNER
    name: str
    scopes: tuple[str, ...]        # sorted
    secret_hash: str               # SHA-256 of the secret, hex
    created_at: int                # epoch seconds
    rotated_at: int | None = None  # epoch seconds

    @property
    def national(self) -> bool:
        return self.org_id == NATIONAL_OWNER

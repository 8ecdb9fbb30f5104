"""In-memory repositories with the same functions as the store modules they
stand for, so a service's rules run without moto (Architecture Patterns with
Python, "fake repository"). Install one with `monkeypatch.setattr(service,
"store", Fake())`: a function the fake lacks fails loudly instead of reaching
a table. Each fake keeps the store's contract: same conflicts, same cursors.
"""
from __future__ import annotations

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organization import Organization
from chalicelib.store.organizations import decode_cursor, encode_cursor
from chalicelib.store.writes import Conflicting


class InMemoryOrganizations:
    """`chalicelib.store.organizations`, the organisation part."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.uais: dict[str, str] = {}

    def organization(self, org_id: str) -> Organization | None:
        return self.organizations.get(org_id)

    def create_organization(self, org: Organization) -> None:
        if org.org_id in self.organizations or (org.uai and org.uai in self.uais):
            raise Conflicting()
        self.organizations[org.org_id] = org
        if org.uai:
            self.uais[org.uai] = org.org_id

    def organizations_page(self, cursor: str | None, limit: int) -> tuple[list[Organization], str | None]:
        ordered = sorted(self.organizations.values(), key=lambda o: (o.created_at, o.org_id))
        start = decode_cursor(cursor, "")
        if start:
            if start not in self.organizations:
                raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
            ordered = ordered[[o.org_id for o in ordered].index(start) + 1:]
        if len(ordered) > limit:
            return ordered[:limit], encode_cursor(ordered[limit - 1].org_id)
        return ordered, None

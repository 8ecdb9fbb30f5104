"""An organisation as the services see it, whatever table holds it.

The store builds and takes this dataclass; services never handle a record, a
key or a condition, so their rules can be tested against an in-memory
repository (tests/unit/fakes.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import roster

COLLEGE, LYCEE = "college", "lycee"
SCHOOL_TYPES = frozenset({COLLEGE, LYCEE})


@dataclass(frozen=True)
class Organization:
    org_id: str
    name: str
    type: str
    uai: str | None
    created_at: int   # epoch seconds

    @property
    def is_school(self) -> bool:
        """Collèges and lycées: pupils come from the national pupil base, by INE."""
        return self.type in SCHOOL_TYPES

    @property
    def roster_format(self) -> str:
        """Schools import the national pupil base fields; everyone else student numbers."""
        return roster.SCHOOL if self.is_school else roster.STUDENT

    @property
    def requires_reconciliation(self) -> bool:
        """Pupils of a collège or lycée join its campaigns as a roster entry, so the
        school's results and report book name them by INE."""
        return self.is_school

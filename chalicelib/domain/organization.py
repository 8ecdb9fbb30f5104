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


def is_school(org_type: str) -> bool:
    """Collèges and lycées: pupils come from the national pupil base, by INE."""
    return org_type in SCHOOL_TYPES


def roster_format_of(org_type: str) -> str:
    """Schools import the national pupil base fields; everyone else student numbers."""
    return roster.SCHOOL if is_school(org_type) else roster.STUDENT


@dataclass(frozen=True)
class Organization:
    org_id: str
    name: str
    type: str
    uai: str | None
    created_at: int   # epoch seconds

    @property
    def roster_format(self) -> str:
        return roster_format_of(self.type)

    @property
    def requires_reconciliation(self) -> bool:
        """Pupils of a collège or lycée join its campaigns as a roster entry, so the
        school's results and report book name them by INE."""
        return is_school(self.type)


ADMIN_ROLE = "admin"
LAST_ADMIN_MESSAGE = ("Impossible : c'est le dernier administrateur de l'organisation. "
                      "Nommez d'abord un autre administrateur.")


def loses_admin(current_role: str | None, new_role: str | None) -> bool:
    """An admin becoming a plain member, or removed (new role None): the change
    must leave the organisation another admin, or nobody there could manage its
    members, API clients and imports without a platform administrator."""
    return current_role == ADMIN_ROLE and new_role != ADMIN_ROLE


def other_admins(members: list[tuple[str, str]], user_id: str) -> list[str]:
    """The admins who would remain if `user_id` stopped being one."""
    return [uid for uid, role in members if role == ADMIN_ROLE and uid != user_id]

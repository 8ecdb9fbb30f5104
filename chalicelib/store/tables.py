"""The tables, declared once. `infra/` and the template test read them.

accounts       users, login identifiers, refresh/reset tokens, throttles, API clients
assessments    positioning state per (user, competence)
certification  centres, sessions, enrolments, courses, certificates, codes
"""
from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import gsi_meta, meta


class _AccountsGsi1(GlobalSecondaryIndex):
    Meta = gsi_meta("gsi1")
    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class AccountsTable(Model):
    Meta = meta("accounts")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = _AccountsGsi1()
    expires_at = TTLAttribute(null=True)


class AssessmentsTable(Model):
    Meta = meta("assessments")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = TTLAttribute(null=True)


class _CertificationGsi1(GlobalSecondaryIndex):
    Meta = gsi_meta("gsi1")
    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _CertificationGsi2(GlobalSecondaryIndex):
    Meta = gsi_meta("gsi2")
    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class CertificationTable(Model):
    Meta = meta("certification")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = _CertificationGsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = _CertificationGsi2()
    expires_at = TTLAttribute(null=True)


ALL_TABLES: tuple[type[Model], ...] = (AccountsTable, AssessmentsTable, CertificationTable)


def create_tables() -> None:
    """Create missing tables (local stack and tests); AWS gets them from the template."""
    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=True)

"""The tables, declared once. `infra/` and the template test read them.

accounts       users, login identifiers, refresh/reset tokens, throttles, API clients
assessments    positioning state per (user, competence)
certification  centres, sessions, enrolments, courses, certificates, codes
organizations  organisations, rosters (learners), campaigns, participations, results
"""
from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import gsi_meta, meta


class EpochTTLAttribute(TTLAttribute):
    """The DynamoDB TTL attribute, read and written as epoch seconds (int).

    PynamoDB's TTLAttribute wants datetimes; the code compares expiries with
    `time.time()` (moto never expires items, so every read also checks the
    clock), so plain integers are simpler everywhere."""

    def _normalize(self, value):
        import datetime as dt

        if isinstance(value, (int, float)):
            return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)
        return super()._normalize(value)

    def __set__(self, instance, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = int(value)
            instance.attribute_values[self.attr_name] = value
            return
        super().__set__(instance, value)

    def serialize(self, value):
        if isinstance(value, (int, float)):
            return str(int(value))
        return super().serialize(value)

    def deserialize(self, value):
        return int(float(value))


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
    expires_at = EpochTTLAttribute(null=True)


class AssessmentsTable(Model):
    Meta = meta("assessments")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = EpochTTLAttribute(null=True)


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
    expires_at = EpochTTLAttribute(null=True)


class _OrganizationsGsi1(GlobalSecondaryIndex):
    Meta = gsi_meta("gsi1")
    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _OrganizationsGsi2(GlobalSecondaryIndex):
    Meta = gsi_meta("gsi2")
    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class OrganizationsTable(Model):
    Meta = meta("organizations")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = _OrganizationsGsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = _OrganizationsGsi2()
    expires_at = EpochTTLAttribute(null=True)


ALL_TABLES: tuple[type[Model], ...] = (AccountsTable, AssessmentsTable, CertificationTable,
                                       OrganizationsTable)


def create_tables() -> None:
    """Create missing tables (local stack and tests); AWS gets them from the template."""
    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=True)

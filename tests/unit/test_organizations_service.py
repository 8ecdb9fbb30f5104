"""Organisation rules at service level, on the in-memory repository (no moto).
The HTTP behaviour, members and roles stay in tests/api/test_organizations.py."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services import organizations
from chalicelib.services.organizations import OrganizationInput
from tests.unit.fakes import InMemoryOrganizations


@pytest.fixture()
def repo(monkeypatch):
    fake = InMemoryOrganizations()
    monkeypatch.setattr(organizations, "store", fake)
    return fake


def test_schools_read_the_national_pupil_base_and_others_student_numbers(repo):
    expected = {"college": ("school", True), "lycee": ("school", True),
                "higher_education": ("student", False), "continuing_education": ("student", False),
                "public_service": ("student", False)}
    for n, (kind, (fmt, reconciled)) in enumerate(expected.items()):
        uai = f"075000{n}a" if kind in ("college", "lycee") else None
        created = organizations.create(OrganizationInput(name=f"Org {n}", type=kind, uai=uai))
        assert (created["roster_format"], created["requires_reconciliation"]) == (fmt, reconciled), kind
        assert organizations.get(created["org_id"]) == created
        stored = repo.organization(created["org_id"])
        assert stored.uai == (uai.upper() if uai else None)  # one spelling of a UAI


def test_a_school_needs_a_uai_and_a_uai_names_one_organisation(repo):
    with pytest.raises(ValidationError):
        OrganizationInput(name="Lycée", type="lycee")
    organizations.create(OrganizationInput(name="Lycée A", type="lycee", uai="0750002b"))
    with pytest.raises(Conflict) as err:
        organizations.create(OrganizationInput(name="Lycée B", type="college", uai="0750002B"))
    assert err.value.code == "uai_taken" and "0750002B" in str(err.value)
    assert len(repo.organizations) == 1
    # organisations without a UAI never collide
    for name in ("Université A", "Université B"):
        organizations.create(OrganizationInput(name=name, type="higher_education"))
    assert len(repo.organizations) == 3


def test_an_unknown_organisation_is_not_found(repo):
    with pytest.raises(NotFound) as err:
        organizations.require("nope")
    assert err.value.code == "organization_not_found"


def test_the_listing_pages_through_every_organisation_once(repo):
    created = {organizations.create(OrganizationInput(name=f"U{n}", type="higher_education"))["org_id"]
               for n in range(5)}
    seen, cursor = [], None
    while True:
        page = organizations.list_all(cursor, 2)
        seen += [o["org_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created) and len(seen) == 5
    with pytest.raises(InvalidInput):
        organizations.list_all("bm9wZQ", 2)
    with pytest.raises(InvalidInput):
        organizations.check_limit(0, 100)

"""Certification centre rules at service level, on the in-memory centre and
account repositories (no moto): one spelling of a UAI, an unknown centre or
user is not found, a member gets the centre in their token's memberships and
in the centre's own list. HTTP and roles stay in tests/api/test_certification.py."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.services import accounts, centres
from chalicelib.services.certification_inputs import CentreInput, CentreMemberInput
from tests.unit.fakes import InMemoryAccounts, InMemoryCentres, InMemoryCounters, InMemoryCredentials


@pytest.fixture()
def world(monkeypatch):
    from chalicelib.services import throttle

    repo, users = InMemoryCentres(), InMemoryAccounts()
    monkeypatch.setattr(centres, "store", repo)
    monkeypatch.setattr(accounts, "store", users)
    monkeypatch.setattr(accounts, "credentials", InMemoryCredentials())
    monkeypatch.setattr(throttle, "store", InMemoryCounters())
    return repo


def test_a_centre_keeps_one_spelling_of_its_uai_and_reads_back_as_created(world):
    created = centres.create_centre(CentreInput(name="Lycée Victor Hugo", type="school", uai="0750001a"))
    assert created["uai"] == "0750001A" and created["type"] == "school"
    assert centres.get_centre(created["centre_id"]) == created
    assert world.centre(created["centre_id"]).created_at > 0
    other = centres.create_centre(CentreInput(name="Organisme", type="training"))
    assert other["uai"] is None and other["centre_id"] != created["centre_id"]
    with pytest.raises(NotFound) as err:
        centres.get_centre("nope")
    assert err.value.code == "centre_not_found"


def test_a_member_must_exist_and_joins_both_the_centre_and_their_memberships(world):
    centre = centres.create_centre(CentreInput(name="Lycée Victor Hugo", type="school", uai="0750001A"))
    with pytest.raises(NotFound) as err:
        centres.add_member(centre["centre_id"], CentreMemberInput(user_id="ghost"))
    assert err.value.code == "user_not_found" and not world.members
    user = accounts.register(first_name="Ada", last_name="Lovelace", password="Secret1234",
                             birth_date=date(1990, 1, 2), accepted_terms=True, email="ada@example.org")
    with pytest.raises(NotFound):
        centres.add_member("nope", CentreMemberInput(user_id=user.id))
    added = centres.add_member(centre["centre_id"], CentreMemberInput(user_id=user.id, role="admin"))
    assert added == {"centre_id": centre["centre_id"], "user_id": user.id, "role": "admin"}
    assert world.members == {(centre["centre_id"], user.id): "admin"}
    assert accounts.memberships_of(user.id).centres == {centre["centre_id"]: "admin"}

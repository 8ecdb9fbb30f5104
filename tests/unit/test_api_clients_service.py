"""API client rules at service level, on the in-memory client and counter
repositories (no moto): known scopes only (organisation or national, never
mixed), the secret shown once and stored hashed, a token never wider than
the client, rotation and deletion within the owning organisation, failures
capped per client and address. HTTP and roles stay in tests/api/test_api_clients.py."""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests, Unauthenticated
from chalicelib.services import api_clients, throttle, tokens
from tests.unit.fakes import InMemoryApiClients, InMemoryCounters

PORTAL, OTHER_SCHOOL = "10.0.0.1", "10.0.0.2"


@pytest.fixture()
def repo(monkeypatch):
    fake = InMemoryApiClients()
    monkeypatch.setattr(api_clients, "store", fake)
    monkeypatch.setattr(throttle, "store", InMemoryCounters())
    monkeypatch.setattr(api_clients, "_now", lambda: 1_800_000_000)
    return fake


def test_organisation_and_national_clients_take_only_their_own_scopes(repo):
    for create, scopes in ((lambda s: api_clients.create("org-1", "ENT", s), ["lsu:read"]),
                           (lambda s: api_clients.create("org-1", "ENT", s), []),
                           (lambda s: api_clients.create_national("LSU", s), ["campaign-results"])):
        with pytest.raises(InvalidInput) as err:
            create(scopes)
        assert err.value.code == "invalid_scope"
    assert not repo.clients
    school = api_clients.create("org-1", "ENT", ["learners-read", "campaign-results", "learners-read"])
    national = api_clients.create_national("LSU", ["lsu:read"])
    assert school["scopes"] == ["campaign-results", "learners-read"] and school["org_id"] == "org-1"
    assert national["org_id"] is None and national["national"] is True
    assert list(national) == ["client_id", "org_id", "name", "scopes", "created_at", "rotated_at",
                              "national", "client_secret"]
    stored = repo.get(school["client_id"])
    assert stored.secret_hash == hashlib.sha256(school["client_secret"].encode()).hexdigest()
    assert [c["client_id"] for c in api_clients.list_for_org("org-1")] == [school["client_id"]]
    assert all("client_secret" not in c for c in api_clients.list_for_org("org-1"))
    claims = tokens.decode(api_clients.issue_token(national["client_id"], national["client_secret"],
                                                   None, PORTAL)["access_token"], "client")
    assert claims["nat"] is True and claims["org"] is None


def test_a_token_may_narrow_the_client_scopes_never_widen_them(repo):
    client = api_clients.create("org-1", "ENT", ["learners-read", "campaign-results"])
    token = api_clients.issue_token(client["client_id"], client["client_secret"], "learners-read", PORTAL)
    principal = tokens.principal_from(token["access_token"])
    assert principal.scopes == {"learners-read"} and principal.org_id == "org-1"
    assert token["scope"] == "learners-read"
    with pytest.raises(InvalidInput):
        api_clients.issue_token(client["client_id"], client["client_secret"], "roster-import", PORTAL)


def test_rotation_ends_the_old_secret_and_only_the_owner_rotates_or_deletes(repo):
    client = api_clients.create("org-1", "ENT", ["learners-read"])
    for act in (lambda: api_clients.rotate("org-2", client["client_id"]),
                lambda: api_clients.delete("org-2", client["client_id"])):
        with pytest.raises(NotFound):
            act()
    rotated = api_clients.rotate("org-1", client["client_id"])
    assert rotated["rotated_at"] == 1_800_000_000 and rotated["client_secret"] != client["client_secret"]
    with pytest.raises(Unauthenticated):
        api_clients.issue_token(client["client_id"], client["client_secret"], None, PORTAL)
    api_clients.issue_token(client["client_id"], rotated["client_secret"], None, PORTAL)
    api_clients.delete("org-1", client["client_id"])
    with pytest.raises(Unauthenticated) as err:
        api_clients.issue_token(client["client_id"], rotated["client_secret"], None, PORTAL)
    assert err.value.code == "invalid_client"


def test_failures_are_capped_per_client_and_address_not_for_the_real_portal(repo):
    client = api_clients.create("org-1", "ENT", ["learners-read"])
    limit = api_clients.TOKEN_FAILURES_PER_CLIENT_AND_IP[0]
    for _ in range(limit):
        with pytest.raises(Unauthenticated):
            api_clients.issue_token(client["client_id"], "guess", None, OTHER_SCHOOL)
    with pytest.raises(TooManyRequests):
        api_clients.issue_token(client["client_id"], client["client_secret"], None, OTHER_SCHOOL)
    assert api_clients.issue_token(client["client_id"], client["client_secret"], None, PORTAL)["scope"]

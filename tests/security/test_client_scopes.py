"""Issue 13, point 1: an API client reaches only the organisation routes that
name a scope it holds.

The probe's attack, end to end with real clients (created by the
organisation's admin, token from /oauth/token): a portal granted only
`campaign-results` tried to create a pupil's account (and so get a temporary
password to sign in as the pupil), list learners with their birth dates,
replace the roster, create campaigns and enrol a class. Each is now 403 and
changes nothing; a client holding the route's scope, and the organisation's
members (people, whatever their role), still do it. The matrix
(tests/api/test_authorization_matrix.py) checks every route with one client
per scope.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.api import org_flow as flow
from tests.api.helpers import call, js
from tests.conftest import make_token

PUPIL = "3456789012E"


def _portal(client, org: str, admin: str, *scopes: str) -> str:
    created = js(call(client, "POST", f"/organizations/{org}/api-clients", token=admin,
                      body={"name": "ENT " + " ".join(scopes), "scopes": list(scopes)}))
    response = call(client, "POST", "/oauth/token", raw=urlencode({
        "grant_type": "client_credentials", "client_id": created["client_id"],
        "client_secret": created["client_secret"]}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200, response.body
    return js(response)["access_token"]


@pytest.fixture()
def school(client):
    org = flow.create_org(client)["org_id"]
    admin = flow.member_token(org, "admin")
    assert flow.import_roster(client, org, admin, flow.school_csv()).status_code == 200
    return org, admin


def _attacks(org: str):
    """(scope that would allow it, method, path, body, content type) for each abuse."""
    return [
        ("learner-accounts", "POST", f"/organizations/{org}/learners/{PUPIL}/account", None,
         "application/json"),
        ("learners-read", "GET", f"/organizations/{org}/learners", None, None),
        ("learners-read", "GET", f"/organizations/{org}/learners/{PUPIL}", None, None),
        ("roster-import", "POST", f"/organizations/{org}/learners/import",
         flow.school_csv(flow.PUPILS[:1]), "text/csv"),
        ("campaigns-write", "POST", f"/organizations/{org}/campaigns",
         '{"name": "Intrus", "type": "assessment", "competences": ["1.1"]}', "application/json"),
        ("campaigns-read", "GET", f"/organizations/{org}/campaigns", None, None),
        ("certification-enrolment", "POST",
         f"/organizations/{org}/certification-sessions/session-x/enrolments",
         '{"division": "3A"}', "application/json"),
        ("organization-read", "GET", f"/organizations/{org}", None, None),
    ]


def test_a_campaign_results_client_reaches_nothing_else_and_changes_nothing(client, school):
    org, admin = school
    results_only = _portal(client, org, admin, "campaign-results")
    for _, method, path, raw, ctype in _attacks(org):
        response = call(client, method, path, token=results_only, raw=raw,
                        headers={"Content-Type": ctype} if ctype else None)
        assert response.status_code == 403, (method, path, response.status_code)
    # nothing happened: the pupil has no account, the roster is whole, no campaign exists
    learners = flow.learners(client, org, admin)
    assert len(learners) == 3 and not any(p["left"] for p in learners)
    pupil = js(call(client, "GET", f"/organizations/{org}/learners/{PUPIL}", token=admin))
    assert pupil["reconciled"] is False
    assert js(call(client, "GET", f"/organizations/{org}/campaigns", token=admin))["items"] == []
    # what it was granted still works
    assert call(client, "GET", f"/organizations/{org}/campaigns/c-x/results",
                token=results_only).status_code == 404  # passes authorisation, no such campaign


def test_a_client_holding_the_scope_does_what_the_scope_says(client, school):
    org, admin = school
    accounts_portal = _portal(client, org, admin, "learner-accounts")
    created = call(client, "POST", f"/organizations/{org}/learners/{PUPIL}/account",
                   token=accounts_portal)
    assert created.status_code == 201, created.body
    assert js(created)["temporary_password"]
    # ... and only that: reading the roster is another scope
    assert call(client, "GET", f"/organizations/{org}/learners",
                token=accounts_portal).status_code == 403
    reader = _portal(client, org, admin, "learners-read", "campaigns-write")
    assert len(flow.learners(client, org, reader)) == 3
    campaign = call(client, "POST", f"/organizations/{org}/campaigns", token=reader,
                    body={"name": "ENT", "type": "assessment", "competences": ["1.1"]})
    assert campaign.status_code == 201, campaign.body


def test_a_client_token_narrowed_at_issue_keeps_only_what_it_asked_for(client, school):
    """`scope` in the token request narrows the client's scopes; the routes follow the token."""
    org, admin = school
    created = js(call(client, "POST", f"/organizations/{org}/api-clients", token=admin,
                      body={"name": "ENT", "scopes": ["learners-read", "learner-accounts"]}))
    response = call(client, "POST", "/oauth/token", raw=urlencode({
        "grant_type": "client_credentials", "client_id": created["client_id"],
        "client_secret": created["client_secret"], "scope": "learners-read"}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    narrowed = js(response)["access_token"]
    assert len(flow.learners(client, org, narrowed)) == 3
    assert call(client, "POST", f"/organizations/{org}/learners/{PUPIL}/account",
                token=narrowed).status_code == 403


@pytest.mark.parametrize("role", ["member", "admin"])
def test_members_are_not_bound_by_client_scopes(client, school, role):
    org, _ = school
    person = make_token(f"{role}-of-{org}", orgs={org: role})
    assert len(flow.learners(client, org, person)) == 3
    created = call(client, "POST", f"/organizations/{org}/learners/{PUPIL}/account", token=person)
    assert created.status_code == 201, created.body
    campaign = call(client, "POST", f"/organizations/{org}/campaigns", token=person,
                    body={"name": "Classe", "type": "assessment", "competences": ["1.1"]})
    assert campaign.status_code == 201, campaign.body


def test_a_client_cannot_be_granted_a_scope_that_does_not_exist(client, school):
    org, admin = school
    response = call(client, "POST", f"/organizations/{org}/api-clients", token=admin,
                    body={"name": "ENT", "scopes": ["learners"]})
    assert response.status_code == 400 and js(response)["error"]["code"] == "invalid_scope"
    assert "learners-read" in js(response)["error"]["details"]["known"]

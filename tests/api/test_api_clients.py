"""API clients of school portals: managed by the organisation's admins, and
the OAuth 2 client-credentials token they get, through the HTTP layer."""
from __future__ import annotations

import base64

import jwt
import pytest

from tests.api.helpers import call, js
from tests.conftest import make_token

ORG = "org-42"


@pytest.fixture()
def org_admin():
    return make_token("teacher-1", orgs={ORG: "admin"})


def create(client, token, name="ENT Lycée", scopes=("certification-results",), org=ORG):
    return call(client, "POST", f"/organizations/{org}/api-clients",
                {"name": name, "scopes": list(scopes)}, token=token)


def form_token(client, client_id, secret, **extra):
    fields = {"grant_type": "client_credentials", "client_id": client_id,
              "client_secret": secret, **extra}
    raw = "&".join(f"{k}={v}" for k, v in fields.items())
    return call(client, "POST", "/oauth/token", raw=raw,
                headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_create_returns_the_secret_once_and_stores_it_hashed(client, org_admin):
    from chalicelib.store.tables import AccountsTable

    created = create(client, org_admin)
    assert created.status_code == 201
    body = js(created)
    assert body["org_id"] == ORG and body["scopes"] == ["certification-results"]
    secret = body["client_secret"]
    assert len(secret) >= 40
    stored = [i.attribute_values for i in AccountsTable.scan() if i.pk.startswith("CLIENT#")]
    assert stored and secret not in str(stored)
    listed = js(call(client, "GET", f"/organizations/{ORG}/api-clients", token=org_admin))
    assert [c["client_id"] for c in listed["items"]] == [body["client_id"]]
    assert "client_secret" not in listed["items"][0] and "secret_hash" not in listed["items"][0]


def test_client_credentials_in_form_json_or_basic(client, org_admin):
    body = js(create(client, org_admin, scopes=("certification-results", "campaign-results")))
    cid, secret = body["client_id"], body["client_secret"]
    by_form = form_token(client, cid, secret)
    assert by_form.status_code == 200
    token = js(by_form)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert claims["typ"] == "client" and claims["org"] == ORG and claims["sub"] == cid
    assert claims["scope"] == "campaign-results certification-results"
    by_json = call(client, "POST", "/oauth/token", {"grant_type": "client_credentials",
                                                    "client_id": cid, "client_secret": secret})
    assert by_json.status_code == 200
    basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    by_basic = call(client, "POST", "/oauth/token", raw="grant_type=client_credentials",
                    headers={"Content-Type": "application/x-www-form-urlencoded",
                             "Authorization": f"Basic {basic}"})
    assert by_basic.status_code == 200
    narrowed = js(form_token(client, cid, secret, scope="campaign-results"))
    assert jwt.decode(narrowed["access_token"],
                      options={"verify_signature": False})["scope"] == "campaign-results"


def test_wrong_secret_unknown_client_and_bad_grant(client, org_admin):
    body = js(create(client, org_admin))
    wrong = form_token(client, body["client_id"], "not-the-secret")
    unknown = form_token(client, "no-such-client", "whatever")
    assert wrong.status_code == unknown.status_code == 401 and wrong.body == unknown.body
    assert js(wrong)["error"]["code"] == "invalid_client"
    grant = call(client, "POST", "/oauth/token", raw="grant_type=password&username=a&password=b",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert grant.status_code == 400 and js(grant)["error"]["code"] == "unsupported_grant_type"
    wider = form_token(client, body["client_id"], body["client_secret"], scope="campaign-results")
    assert wider.status_code == 400 and js(wider)["error"]["code"] == "invalid_scope"


def test_unknown_scope_is_refused_at_creation(client, org_admin):
    response = create(client, org_admin, scopes=("everything",))
    assert response.status_code == 400 and js(response)["error"]["code"] == "invalid_scope"


def test_rotation_replaces_the_secret_at_once(client, org_admin):
    body = js(create(client, org_admin))
    rotated = call(client, "POST", f"/organizations/{ORG}/api-clients/{body['client_id']}/rotate",
                   token=org_admin)
    assert rotated.status_code == 200
    new_secret = js(rotated)["client_secret"]
    assert new_secret != body["client_secret"] and js(rotated)["rotated_at"]
    assert form_token(client, body["client_id"], body["client_secret"]).status_code == 401
    assert form_token(client, body["client_id"], new_secret).status_code == 200


def test_delete_then_the_client_cannot_get_tokens(client, org_admin):
    body = js(create(client, org_admin))
    path = f"/organizations/{ORG}/api-clients/{body['client_id']}"
    assert call(client, "DELETE", path, token=org_admin).status_code == 204
    assert call(client, "DELETE", path, token=org_admin).status_code == 404
    assert form_token(client, body["client_id"], body["client_secret"]).status_code == 401
    assert js(call(client, "GET", f"/organizations/{ORG}/api-clients", token=org_admin)) == {
        "items": []}


def test_another_organisation_cannot_touch_these_clients(client, org_admin):
    body = js(create(client, org_admin))
    other_admin = make_token("teacher-2", orgs={"org-7": "admin"})
    own_member = make_token("teacher-3", orgs={ORG: "member"})
    for token in (other_admin, own_member):
        assert call(client, "GET", f"/organizations/{ORG}/api-clients",
                    token=token).status_code == 403
    # an admin of org-7 using org-7's URL still cannot reach org-42's client
    other_url = f"/organizations/org-7/api-clients/{body['client_id']}"
    assert call(client, "POST", other_url + "/rotate", token=other_admin).status_code == 404
    assert call(client, "DELETE", other_url, token=other_admin).status_code == 404
    platform_admin = make_token("root", admin=True)
    assert call(client, "GET", f"/organizations/{ORG}/api-clients",
                token=platform_admin).status_code == 200


def test_a_client_token_is_not_a_user_token(client, org_admin):
    body = js(create(client, org_admin))
    token = js(form_token(client, body["client_id"], body["client_secret"]))["access_token"]
    assert call(client, "GET", "/me", token=token).status_code == 403
    assert call(client, "GET", f"/organizations/{ORG}/api-clients", token=token).status_code == 403


def test_failed_secrets_are_throttled_per_client_and_address(client, org_admin, monkeypatch):
    """From the guessing address; other addresses: tests/security/test_lockout_abuse.py."""
    from chalicelib.services import api_clients

    monkeypatch.setattr(api_clients, "TOKEN_FAILURES_PER_CLIENT_AND_IP", (3, 900))
    body = js(create(client, org_admin))
    statuses = [form_token(client, body["client_id"], "guess").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert form_token(client, body["client_id"], body["client_secret"]).status_code == 429

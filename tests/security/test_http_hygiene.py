"""Issue 13, point 9: HTTP hygiene on every answer.

- `X-Content-Type-Options: nosniff` on JSON too (it was only on pages);
- `Cache-Control: no-store` on every personal answer (tokens, profile, data
  export, errors) unless a route chose its own caching (pages, assets);
- `Strict-Transport-Security` in the deployed stages (HTTPS), not locally;
- JSON bodies only as `application/json`: a cross-site HTML form can post
  text/plain, form or multipart without a CORS preflight, and those reached
  public routes (sign-up, sign-in). Now 415 with a French message.
The gateway's own errors are checked in tests/infra/test_template.py.
"""
from __future__ import annotations

import json

import pytest

from tests.api.helpers import call, js
from tests.api.users import PASSWORD, new_user, register


def _h(response, name: str):
    return {k.lower(): v for k, v in response.headers.items()}.get(name.lower())


def test_personal_json_answers_are_not_sniffed_nor_stored(client):
    user, tokens = new_user(client)
    token = tokens["access_token"]
    answers = [
        call(client, "POST", "/auth/token", {"login": user["email"], "password": PASSWORD}),
        call(client, "GET", "/me", token=token),
        call(client, "GET", "/me/data", token=token),
        call(client, "GET", "/me/profile", token=token),
        call(client, "GET", "/me/certificates", token=token),
        call(client, "GET", "/me/certificates/nope/attestation", token=token),  # an error
        call(client, "GET", "/me", token="not.a.jwt"),
        call(client, "POST", "/me/password", {}, token=token),  # chalice's own 405, rewrapped
    ]
    for response in answers:
        assert _h(response, "X-Content-Type-Options") == "nosniff", response.status_code
        assert _h(response, "Cache-Control") == "no-store", response.status_code
        assert _h(response, "Strict-Transport-Security") is None  # local: plain HTTP


def test_pages_and_assets_keep_their_own_caching(client):
    page = client.http.get("/connexion")
    assert page.status_code == 200
    assert _h(page, "Cache-Control") == "no-cache" and _h(page, "X-Content-Type-Options") == "nosniff"


def test_the_deployed_stages_send_hsts(client, monkeypatch):
    from chalicelib.config import settings

    monkeypatch.setenv("HSTS_MAX_AGE", "63072000")
    settings.cache_clear()
    try:
        for response in (call(client, "GET", "/health"), call(client, "GET", "/me"),
                         client.http.get("/connexion")):
            assert _h(response, "Strict-Transport-Security") == \
                "max-age=63072000; includeSubDomains"
    finally:
        monkeypatch.delenv("HSTS_MAX_AGE")
        settings.cache_clear()
    config = json.loads(open(".chalice/config.json").read())
    for stage in ("dev", "prod"):
        assert int(config["stages"][stage]["environment_variables"]["HSTS_MAX_AGE"]) >= 31536000
    assert "HSTS_MAX_AGE" not in config["stages"]["local"]["environment_variables"]


CROSS_SITE_TYPES = ["text/plain", "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x", "text/plain; charset=utf-8", ""]


@pytest.mark.parametrize("content_type", CROSS_SITE_TYPES)
def test_json_bodies_only_as_application_json(client, content_type):
    body = json.dumps({"first_name": "Jeanne", "last_name": "Dupont", "password": PASSWORD,
                       "birth_date": "1990-05-04", "accepted_terms": True,
                       "email": "csrf@example.org"})
    response = call(client, "POST", "/users", raw=body, headers={"Content-Type": content_type})
    assert response.status_code == 415, response.body
    error = js(response)["error"]
    assert error["code"] == "unsupported_media_type"
    # ours names JSON; chalice's own 415 (types no route accepts) is rewrapped in French
    assert "JSON" in error["message"] or error["message"] == "Type de contenu non pris en charge."
    # nothing was created: the address is still free
    register(client, email="csrf@example.org")


def test_application_json_with_parameters_is_accepted(client):
    user = register(client)
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        response = call(client, "POST", "/auth/token",
                        raw=json.dumps({"login": user["email"], "password": PASSWORD}),
                        headers={"Content-Type": content_type})
        assert response.status_code == 200, (content_type, response.body)


def test_raw_bodies_keep_their_own_media_types(client):
    """The OAuth token route takes a form (RFC 6749); CSV imports take text/csv."""
    response = call(client, "POST", "/oauth/token", raw="grant_type=client_credentials&"
                    "client_id=nobody&client_secret=x",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 401 and js(response)["error"]["code"] == "invalid_client"

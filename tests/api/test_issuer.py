"""The issuer's URL (the `issuer.id` of every Open Badge) and the badge images, over HTTP."""
from __future__ import annotations

import json

from chalicelib.api.certificates import preferred_media_type
from chalicelib.config import settings
from chalicelib.documents.open_badge import achievement_image_svg
from tests.api.helpers import call

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def test_accept_header_negotiation():
    cases = {
        None: "application/ld+json",  # no header: a machine
        "*/*": "application/ld+json",
        "": "application/ld+json",
        BROWSER: "text/html",
        "application/ld+json, application/json": "application/ld+json",  # jsonld.js
        "application/json": "application/json",
        "application/json;q=1, application/ld+json;q=0.5": "application/json",
        "text/html;q=0.1, application/*;q=0.5": "application/ld+json",
        "text/*": "text/html",
        "text/html;q=0, */*": "application/ld+json",
        "image/png": "application/ld+json",  # nothing acceptable: the default
        "text/html;q=abc, application/json;q=0.2": "application/json",
    }
    for accept, expected in cases.items():
        assert preferred_media_type(accept) == expected, accept


def test_issuer_url_serves_json_ld_to_machines_and_a_page_to_people(client):
    base = settings().public_base_url
    for accept in ("application/ld+json", "application/json", "*/*"):
        response = call(client, "GET", "/issuer", headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert response.headers["Content-Type"] == ("application/json" if accept == "application/json"
                                                    else "application/ld+json")
        assert response.headers["Vary"] == "Accept"
        profile = json.loads(response.body)
        assert profile["id"] == f"{base}/issuer" and profile["type"] == ["Profile"]
        assert profile["url"] == base and profile["name"]
        assert all(m["controller"] == profile["id"] for m in profile["verificationMethod"])
    # the key of badges issued before /issuer: controlled by the site root (their
    # signed issuer), which serves its controller document to a client asking for JSON-LD
    key_document = json.loads(call(client, "GET", "/.well-known/badge-key").body)
    assert key_document["controller"] == base
    assert key_document["verificationMethod"][0]["publicKeyMultibase"] \
        == profile["verificationMethod"][0]["publicKeyMultibase"]
    for accept in ("application/ld+json", "application/ld+json, application/json;q=0.9"):
        root = call(client, "GET", "/", headers={"Accept": accept})
        assert root.status_code == 200 and root.headers["Content-Type"] == "application/ld+json"
        assert root.headers["Vary"] == "Accept"
        controller = json.loads(root.body)
        assert controller["id"] == base
        assert all(m["id"] in controller["assertionMethod"] for m in key_document["verificationMethod"])
    for accept in (BROWSER, "*/*", None):   # people, and clients not asking for JSON: the home page
        home = call(client, "GET", "/", headers={"Accept": accept} if accept else {})
        assert home.status_code == 200 and home.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in home.headers["Content-Security-Policy"]

    page = call(client, "GET", "/issuer", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Vary"] == "Accept"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    text = page.body.decode()
    assert profile["name"] in text and "L'émetteur des certificats" in text
    assert call(client, "GET", "/issuer", headers={"Accept": BROWSER,
                                                   "If-None-Match": page.headers["ETag"]}).status_code == 304


def test_badge_images_are_served_as_svg_and_unknown_ones_are_404(client):
    for level in (0, 5, 8):
        response = call(client, "GET", f"/badges/certification-numerique/niveau-{level}.svg")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/svg+xml"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.body.decode() == achievement_image_svg(level)
    for name in ("niveau-9.svg", "niveau-5.png", "niveau-05.svg", "..%2Fapp.py"):
        response = call(client, "GET", f"/badges/certification-numerique/{name}")
        assert response.status_code == 404, name
        assert json.loads(response.body)["error"]["code"] == "badge_image_not_found"

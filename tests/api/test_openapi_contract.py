"""The OpenAPI document against the live routes a school portal calls.

A portal's developer generates a client from /openapi.json: its types are the
response models (api/responses.py), its token request the oauth2
clientCredentials flow. One walk through a populated school (roster, accounts,
campaign, certification session, report book) calls every such route with a
client token, and schemathesis checks each response (status, content type,
body against its schema) against the document the app serves.
"""
from __future__ import annotations

import jsonschema
import pytest
import schemathesis
from werkzeug.test import Client as WSGIClient

from tests.api import cert_flow
from tests.api import org_flow as flow
from tests.api.helpers import call, js
from tests.api.test_school_certification import UAI, certificate, national_token
from tests.fuzz.wsgi import ChaliceWSGI


def _client_operations(document: dict):
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            schemes = {name for requirement in op.get("security", []) for name in requirement}
            if "oauth2" in schemes:
                yield path, method, op


def test_the_document_declares_servers_the_oauth2_flow_and_typed_client_routes(client):
    from chalicelib.config import settings
    from chalicelib.domain.scopes import NATIONAL_SCOPES, SCOPES

    document = js(call(client, "GET", "/openapi.json"))
    base = settings().public_base_url.rstrip("/")
    assert document["servers"][0]["url"] == base
    flow_ = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow_["tokenUrl"] == f"{base}/oauth/token"
    assert set(flow_["scopes"]) == set(SCOPES) | set(NATIONAL_SCOPES)

    client_routes = list(_client_operations(document))
    assert len(client_routes) >= 20
    for path, method, op in client_routes:
        (requirement,) = [r for r in op["security"] if "oauth2" in r]
        assert requirement["oauth2"] and requirement["oauth2"][0] in op["x-access"], (path, method)
        if op["x-access"].startswith(("org_client", "national_client")):
            assert op["security"] == [requirement], (path, method)  # no person's token
        else:
            assert {"bearer": []} in op["security"], (path, method)
        for media, content in op["responses"][next(iter(op["responses"]))].get("content", {}).items():
            if media == "application/json":  # every JSON body a portal reads is typed
                assert content["schema"].get("$ref"), (path, method)

    token = document["paths"]["/oauth/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    fields = document["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
    assert fields["properties"]["grant_type"]["const"] == "client_credentials"
    assert {"grant_type", "client_id", "client_secret"} <= set(fields["required"])
    assert "security" not in token
    assert token["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TokenResponse")


def test_every_documented_example_matches_its_schema(client):
    document = js(call(client, "GET", "/openapi.json"))
    checked = 0
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            for content in op["responses"][next(iter(op["responses"]))].get("content", {}).values():
                if "example" in content and content.get("schema"):
                    schema = dict(content["schema"], components=document["components"])
                    jsonschema.validate(content["example"], schema)
                    checked += 1
    assert checked >= 2


def test_every_school_portal_route_answers_what_the_document_says(client):
    from chalicelib.services import api_clients

    org = flow.create_org(client, name="Lycée Victor Hugo", type="lycee", uai=UAI)["org_id"]
    from chalicelib.domain.scopes import SCOPES

    created = api_clients.create(org, "ENT", list(SCOPES))
    schema = schemathesis.openapi.from_dict(js(call(client, "GET", "/openapi.json")))
    wsgi = WSGIClient(ChaliceWSGI(client.http))
    seen: set[tuple[str, str]] = set()

    def check(method: str, template: str, url: str, token: str, **kwargs):
        response = wsgi.open(url, method=method, headers={"Authorization": f"Bearer {token}"},
                             **kwargs)
        assert response.status_code < 300, (url, response.get_data(as_text=True)[:300])
        schema[template][method].validate_response(response)
        seen.add((method.lower(), template))
        return response.get_json()

    issued = wsgi.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": created["client_id"],
        "client_secret": created["client_secret"]})
    assert issued.status_code == 200, issued.get_data(as_text=True)
    schema["/oauth/token"]["POST"].validate_response(issued)
    portal = issued.get_json()["access_token"]

    ORG = "/organizations/{org_id}"
    o = f"/organizations/{org}"
    check("POST", ORG + "/learners/import", o + "/learners/import", portal,
          data=flow.school_csv(), content_type="text/csv")
    centre_id, staff = cert_flow.create_centre(client, uai=UAI)
    sid = cert_flow.create_session(client, centre_id, staff)["session_id"]
    check("POST", ORG + "/certification-sessions/{session_id}/enrolments",
          f"{o}/certification-sessions/{sid}/enrolments", portal, json={"division": "3A"})
    from chalicelib.store import certification as store

    by_ine = {c.ine: c for c in store.candidates(sid)}
    for ine, outcome in (("123456789AB", {}), ("234567890CD", {"status": "held", "reason": "fraud_reported"})):
        by_ine[ine].course_id = f"k{ine[:4]}"
        by_ine[ine].save()
        certificate(by_ine[ine].course_id, UAI, ine, **outcome)
    check("GET", ORG, o, portal)
    check("GET", ORG + "/learners", o + "/learners", portal)
    check("GET", ORG + "/learners/{learner_id}", o + "/learners/123456789AB", portal)
    check("POST", ORG + "/learners/{learner_id}/account", o + "/learners/123456789AB/account", portal)
    check("GET", ORG + "/divisions", o + "/divisions", portal)
    check("GET", ORG + "/division-roster", o + "/division-roster?division=3A", portal)
    check("POST", ORG + "/learner-accounts", o + "/learner-accounts", portal, json={"division": "3B"})
    upload = check("POST", ORG + "/learners/uploads", o + "/learners/uploads", portal)
    check("GET", ORG + "/learners/uploads/{import_id}", f"{o}/learners/uploads/{upload['import_id']}",
          portal)
    campaign = check("POST", ORG + "/campaigns", o + "/campaigns", portal,
                     json={"name": "Évaluation", "type": "assessment", "competences": ["1.1"]})
    c = f"{o}/campaigns/{campaign['campaign_id']}"
    C = ORG + "/campaigns/{campaign_id}"
    check("GET", ORG + "/campaigns", o + "/campaigns", portal)
    check("GET", C, c, portal)
    check("GET", C + "/results", c + "/results", portal)
    check("GET", C + "/progress", c + "/progress?division=3A", portal)
    check("GET", C + "/competence-profile", c + "/competence-profile", portal)
    check("GET", ORG + "/certification-sessions", o + "/certification-sessions", portal)
    results = check("GET", ORG + "/certification-sessions/{session_id}",
                    f"{o}/certification-sessions/{sid}", portal)
    assert {p["result"]["status"] for p in results["pupils"] if p["result"]} == {"validated", "held"}
    page = check("GET", ORG + "/report-book", o + "/report-book", portal)
    assert {line["status"] for line in page["items"]} == {"validated", "held"}
    check("GET", "/report-book/{uai}", f"/report-book/{UAI}", national_token())

    typed = {(method, path) for path, method, op in _client_operations(schema.raw_schema)
             if "application/json" in op["responses"][next(iter(op["responses"]))].get("content", {})}
    assert typed - seen == set()  # a new typed client route joins this walk


def test_a_field_a_service_adds_without_documenting_it_is_a_500_not_a_silent_extra(client, monkeypatch):
    """The response model is enforced, not only published: drift cannot reach clients."""
    from chalicelib.services import organizations

    org = flow.create_org(client, name="Lycée Victor Hugo", type="lycee", uai=UAI)["org_id"]
    real = organizations.get
    monkeypatch.setattr(organizations, "get", lambda org_id: {**real(org_id), "secret_note": "x"})
    response = call(client, "GET", f"/organizations/{org}", token=flow.client_token(org))
    assert response.status_code == 500 and b"secret_note" not in response.body

    from chalicelib.api import responses
    from chalicelib.api.http import UndocumentedResponse, _shaped

    with pytest.raises(UndocumentedResponse, match="(?s)OrganizationView.*secret_note"):
        _shaped({**real(org), "secret_note": "x"}, responses.OrganizationView)
    assert _shaped(real(org), responses.OrganizationView) == real(org)

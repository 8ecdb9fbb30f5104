"""Hostile input, written by hand, on every route the OpenAPI document lists.

Whatever comes in: a 4xx in the project's error shape
`{"error": {"code", "message"[, "details"]}}`, never a 5xx, never the input
echoed back at length, and nothing written. Unknown fields are refused (400,
`extra_forbidden`), at the top level and nested.

Generated input is tests/fuzz's job; these are the classic cases, named.
"""
from __future__ import annotations

import json

import pytest

from tests.api.helpers import call, js
from tests.conftest import make_token

ADMIN = make_token("admin-bad-input", admin=True, orgs={"org-x": "admin"}, centres=["centre-x"])
PATH_VALUES = {"code": "1.1", "org_id": "org-x", "centre_id": "centre-x", "session_id": "session-x",
               "asset_version": "v1", "name": "app.js"}


@pytest.fixture(scope="module")
def client():
    """One moto for the whole module: every case here is refused and writes
    nothing (each checks it), so they need no fresh tables of their own."""
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.services.mail_queue import create_queues
    from chalicelib.store.tables import create_tables

    with mock_aws():
        create_tables()
        create_queues()  # the password-reset route enqueues
        with Client(app, stage_name="local") as test_client:
            yield test_client


def _operations(kind: str | None = None):
    from app import app
    from chalicelib.api.openapi import build_document

    document = build_document(app)
    for path, ops in sorted(document["paths"].items()):
        for method, op in sorted(ops.items()):
            media = list(op.get("requestBody", {}).get("content", {}))
            if kind == "json" and media != ["application/json"]:
                continue
            yield method.upper(), path, op["x-access"]


def _token(access: str, params: dict) -> str | None:
    from chalicelib.services import tokens

    if access == "public":
        return None
    if access.startswith("invigilator"):
        return tokens.invigilator_token(params.get("session_id", ""), "centre-x")
    if access.startswith("org_client"):
        from chalicelib.domain.scopes import SCOPES

        return tokens.client_token("client-x", params.get("org_id", ""), list(SCOPES))
    return ADMIN


def _url(path: str, overrides: dict | None = None) -> tuple[str, dict]:
    import re

    params = {}
    for name in re.findall(r"{(\w+)}", path):
        params[name] = (overrides or {}).get(name, PATH_VALUES.get(name, f"{name}-x"))
        path = path.replace("{" + name + "}", params[name])
    return path, params


def assert_refused(response, *statuses, label=""):
    assert 400 <= response.status_code < 500, (label, response.status_code, response.body[:300])
    if statuses:
        assert response.status_code in statuses, (label, response.status_code, response.body[:300])
    body = js(response)
    assert set(body) == {"error"}, (label, body)
    assert isinstance(body["error"]["code"], str) and body["error"]["message"], (label, body)
    assert len(response.body) < 20_000, (label, "the input is echoed back")
    return body["error"]


def _send(client, method, path, access, raw, content_type="application/json", overrides=None):
    url, params = _url(path, overrides)
    return call(client, method, url, token=_token(access, params), raw=raw,
                headers={"Content-Type": content_type})


# Bodies that are not what a JSON route takes --------------------------------------------

NOT_AN_OBJECT = {
    "not JSON": b"ceci n'est pas du JSON",
    "truncated JSON": b'{"name": "x"',
    "JSON array": b"[1, 2, 3]",
    "JSON string": b'"{}"',
    "JSON number": b"42",
    "JSON null": b"null",
    "empty body": b"",
    "whitespace only": b" \n\t ",
    "invalid UTF-8": b'{"name": "\xff\xfe\xfa"}',
    "UTF-16 with BOM": '{"name": "x"}'.encode("utf-16"),
    "NUL bytes around": b'\x00{"name": "x"}\x00',
    "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge number": b'{"n": ' + b"9" * 100_000 + b"}",
    "over the 1 MB cap": b'{"name": "' + b"a" * (1024 * 1024 + 1) + b'"}',
}


@pytest.mark.parametrize("method,path,access", list(_operations("json")))
def test_json_routes_refuse_bodies_that_are_not_a_json_object(client, method, path, access):
    for label, raw in NOT_AN_OBJECT.items():
        response = _send(client, method, path, access, raw)
        error = assert_refused(response, 400, 413, label=f"{method} {path}: {label}")
        if label == "over the 1 MB cap":
            assert error["code"] == "body_too_large"


@pytest.mark.parametrize("method,path,access", list(_operations("json")))
def test_unknown_fields_are_refused_everywhere(client, method, path, access):
    for extra in ({"__proto__": {"is_admin": True}}, {"is_admin": True}, {"constructor": 1}):
        response = _send(client, method, path, access, json.dumps(extra).encode())
        error = assert_refused(response, 400, label=f"{method} {path}")
        details = error.get("details") or []
        assert any(d.get("type") == "extra_forbidden" for d in details), (path, error)


def test_nested_unknown_fields_are_refused_too(client):
    path = "/centres/centre-x/sessions/session-x/finalise"
    body = {"comment": "", "candidates": [{"candidate_id": "c1", "present": True,
                                           "incidents": [{"category": "other", "x": 1}]}]}
    error = assert_refused(call(client, "POST", path, token=ADMIN, body=body), 400)
    assert [d["field"] for d in error["details"]] == ["candidates.0.incidents.0.x"]


# Fields of the wrong type, size or value ------------------------------------------------

ENROL = "/centres/{centre}/sessions/{session}/candidates"
GOOD_CANDIDATE = {"first_name": "Léa", "last_name": "Dupont", "birth_date": "2008-05-14"}

BAD_CANDIDATES = {
    "number for a string": {"first_name": 12345},
    "boolean for a string": {"last_name": True},
    "object for a string": {"first_name": {"$ne": ""}},
    "list for a string": {"first_name": ["Léa"]},
    "null for a required string": {"first_name": None},
    "empty string": {"first_name": ""},
    "blank string": {"first_name": "   "},
    "1 MB string": {"first_name": "a" * (1024 * 1024 - 100)},
    "string over the limit": {"last_name": "b" * 101},
    "text for a number": {"extra_time_percent": "beaucoup"},
    "negative number": {"extra_time_percent": -1},
    "enormous number": {"extra_time_percent": 10 ** 30},
    "float for an integer": {"extra_time_percent": 33.5},
    "NaN": None,  # raw, below
    "Infinity": None,
    "text for a boolean": {"accessibility": "peut-être"},
    "February 30th": {"birth_date": "2023-02-30"},
    "month 13": {"birth_date": "2008-13-01"},
    "French date format": {"birth_date": "14/05/2008"},
    "date with time": {"birth_date": "2008-05-14T10:00:00Z"},
    "year 10000": {"birth_date": "10000-01-01"},
    "year 0": {"birth_date": "0000-01-01"},
    "born in the future": {"birth_date": "2999-01-01"},
    "born before 1900": {"birth_date": "1850-01-01"},
    "date as a number": {"birth_date": 20080514},
    "e-mail without @": {"email": "lea.dupont.example.org"},
    "INE of the wrong length": {"ine": "123"},
    "sex outside M/F": {"sex": "X' OR 1=1 --"},
}


@pytest.fixture()
def open_session(client):
    from tests.api import cert_flow as flow

    centre_id, staff = flow.create_centre(client, uai=None)
    session = flow.create_session(client, centre_id, staff)
    return ENROL.format(centre=centre_id, session=session["session_id"]), staff


@pytest.mark.parametrize("label", sorted(BAD_CANDIDATES))
def test_wrong_types_sizes_and_values_are_refused_and_nothing_is_written(client, open_session,
                                                                         label):
    from chalicelib.store.tables import CertificationTable

    path, staff = open_session
    before = CertificationTable.count()
    if label in ("NaN", "Infinity"):
        raw = json.dumps(GOOD_CANDIDATE)[:-1] + f', "extra_time_percent": {label}}}'
        response = call(client, "POST", path, token=staff, raw=raw)
    else:
        response = call(client, "POST", path, token=staff, body={**GOOD_CANDIDATE,
                                                                  **BAD_CANDIDATES[label]})
    error = assert_refused(response, 400, label=label)
    assert error["code"] in ("invalid_input", "invalid_json"), error
    assert CertificationTable.count() == before


def test_a_good_candidate_is_accepted_and_stored_as_sent(client, open_session):
    """The control for the refusals above; numeric text for a number is read
    as a number (the same models read CSV files, where everything is text)."""
    path, staff = open_session
    response = call(client, "POST", path, token=staff,
                    body={**GOOD_CANDIDATE, "extra_time_percent": "30", "first_name": "  Léa  "})
    assert response.status_code == 201, response.body
    assert js(response)["extra_time_percent"] == 30 and js(response)["first_name"] == "Léa"


def test_nul_and_control_characters_do_not_break_anything_downstream(client, open_session):
    """Stored as sent (a name is data, not markup): they come back JSON-escaped,
    and the join comparison, the live view and the CSV-free paths still work."""
    path, staff = open_session
    response = call(client, "POST", path, token=staff,
                    body={**GOOD_CANDIDATE, "first_name": "Lé\x00a\u202e\x1b[31m"})
    assert response.status_code in (201, 400), response.body
    listed = call(client, "GET", path, token=staff)
    assert listed.status_code == 200
    json.loads(listed.body)


ANSWER_PAYLOADS = {
    "answer is a list": [1, 2],
    "answer is a string": "1",
    "choice as text": {"choice": "1"},
    "choice out of range": {"choice": 999},
    "negative choice": {"choice": -1},
    "enormous choice": {"choice": 10 ** 30},
    "float choice": {"choice": 1.5},
    "boolean choice": {"choice": True},
    "duplicate choices": {"choices": [1, 1]},
    "ten thousand choices": {"choices": list(range(10_000))},
    "unknown field key": {"fields": {"nope": "x"}},
    "nested field value": {"fields": {"x": {"y": ["z"]}}},
    "skip as text": {"skip": "yes"},
    "skip and an answer": {"skip": True, "choice": 1},
    "deep answer": {"fields": {"x": json.loads("[" * 500 + "]" * 500)}},
    "empty answer": {},
}


@pytest.mark.parametrize("label", sorted(ANSWER_PAYLOADS))
def test_malformed_answers_are_400_and_change_nothing(client, label):
    import uuid

    learner_token = make_token(f"learner-{uuid.uuid4().hex[:8]}")
    base = "/me/competences/1.1/assessment"
    item = js(call(client, "POST", base, token=learner_token))["item"]
    response = call(client, "POST", base + "/answers", token=learner_token,
                    body={"item_id": item["id"], "answer": ANSWER_PAYLOADS[label]})
    assert_refused(response, 400, label=label)
    state = js(call(client, "GET", base, token=learner_token))
    assert state["answered"] == 0 and state["item"]["id"] == item["id"]


def test_a_very_long_free_answer_is_refused_not_scored(client):
    learner_token = make_token("learner-long-answer")
    from chalicelib.bank.loader import get_bank

    base = "/me/competences/1.1/assessment"
    item = js(call(client, "POST", base, token=learner_token))["item"]
    for text in ("x" * 100_000, "\x00" * 1000):
        fields = {f["key"]: text for f in item.get("fields", [])} or {"x": text}
        body = {"item_id": item["id"], "answer": {"fields": fields}}
        assert_refused(call(client, "POST", base + "/answers", token=learner_token, body=body), 400)
    assert get_bank().items[item["id"]]


# Path parameters and query strings ---------------------------------------------------------

HOSTILE_SEGMENTS = [
    "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "..", "%00", "%00admin", "%25", "%ff%fe",
    "a%20b", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "'%20OR%20'1'%3D'1", "x" * 5000,
    "%F0%9F%92%A9", "COURSE%23x", "USER%23admin-1", "CENTRE%23centre-x%23SESSION",
]


@pytest.mark.parametrize("method,path,access",
                         [op for op in _operations() if "{" in op[1] and op[0] == "GET"])
def test_hostile_path_parameters_never_break_a_route(client, method, path, access):
    import re

    for name in re.findall(r"{(\w+)}", path):
        for value in HOSTILE_SEGMENTS:
            if access.startswith(("invigilator", "org", "centre")) and name in (
                    "session_id", "org_id", "centre_id"):
                continue  # the policy refuses them before any service runs (the matrix's job)
            response = _send(client, method, path, access, None, overrides={name: value})
            assert response.status_code < 500, (path, name, value, response.body[:300])
            if response.status_code >= 400:
                assert_refused(response, label=f"{path} {name}={value}")


@pytest.mark.parametrize("value", ["../../etc/passwd", "\x00", "a/b", "USER#admin-1", "é" * 2000,
                                   "COURSE#x", "%2F"])
def test_decoded_path_parameters_as_api_gateway_passes_them(client, value):
    """API Gateway hands Lambda path parameters already percent-decoded: the
    app gets '/' and NUL as is. Events built by hand, straight to the handler."""
    from chalice.local import LambdaContext

    from app import app

    token = make_token("learner-1")
    for route, params in (("/me/certification-courses/{course_id}", {"course_id": value}),
                          ("/me/competences/{code}/assessment", {"code": value}),
                          ("/certificates/{code}", {"code": value}),
                          ("/me/competences/{code}/assessment/answers/{item_id}",
                           {"code": "1.1", "item_id": value})):
        event = {"requestContext": {"httpMethod": "GET", "resourcePath": route,
                                    "identity": {"sourceIp": "127.0.0.1"}, "path": route},
                 "headers": {"authorization": f"Bearer {token}"}, "pathParameters": params,
                 "multiValueQueryStringParameters": None, "stageVariables": {}, "body": None}
        response = app(event, LambdaContext("api_handler", 256))
        assert 400 <= response["statusCode"] < 500, (route, value, response)
        assert set(json.loads(response["body"])) == {"error"}


QUERIES = ["?limit=-1", "?limit=0", "?limit=99999999999999999999999", "?limit=abc", "?limit=1.5",
           "?cursor=%00%ff", "?cursor=" + "A" * 5000, "?cursor=eyJwayI6IlVTRVIjYWRtaW4ifQ",
           "?unknown=1", "?limit=1&limit=2", "?division=" + "%27" * 100]


@pytest.mark.parametrize("method,path,access",
                         [op for op in _operations() if op[1] in (
                             "/organizations", "/organizations/{org_id}/learners",
                             "/organizations/{org_id}/campaigns/{campaign_id}/results",
                             "/organizations/{org_id}/campaigns/{campaign_id}/results/export")])
def test_hostile_query_strings_are_refused_cleanly(client, method, path, access):
    for query in QUERIES:
        url, params = _url(path)
        response = call(client, method, url + query, token=_token(access, params))
        assert response.status_code < 500, (path, query, response.body[:300])
        if response.status_code >= 400:
            assert_refused(response, label=f"{path}{query}")


# Raw bodies (CSV, form) --------------------------------------------------------------------

CSV_BODIES = {
    "binary": bytes(range(256)) * 20,
    "NUL bytes": b"Pr\x00nom;Nom\x00\n\x00\x00\x00\n",
    "formula injection": "Prénom;Nom;Date de naissance\n=HYPERLINK(\"http://x\");@SUM(1);+1\n".encode(),
    "a million separators": b";" * 1_000_000,
    "one huge line": b"a" * 1_000_000,
    "many empty lines": b"\n" * 500_000,
    "unclosed quote": b'Pr\xc3\xa9nom;Nom;Date de naissance\n"L\xc3\xa9a;Dupont;14/05/2008\n',
    "header only": "Prénom;Nom;Date de naissance\n".encode(),
    "unknown columns": "Prénom;Nom;Date de naissance;is_admin\nLéa;Dupont;14/05/2008;1\n".encode(),
}


@pytest.mark.parametrize("label", sorted(CSV_BODIES))
def test_csv_imports_refuse_garbage_whole(client, open_session, label):
    from chalicelib.store.tables import CertificationTable

    path, staff = open_session
    before = CertificationTable.count()
    response = call(client, "POST", path + "/import", token=staff, raw=CSV_BODIES[label],
                    headers={"Content-Type": "text/csv"})
    assert response.status_code < 500, (label, response.body[:300])
    if response.status_code >= 400:
        assert_refused(response, label=label)
        assert CertificationTable.count() == before


@pytest.mark.parametrize("raw", [b"grant_type=client_credentials&client_id=%00&client_secret=%ff",
                                 b"=&=&==&&", b"client_id=" + b"a" * 100_000, b"\xff\xfe",
                                 b'{"grant_type": "client_credentials", "client_id": 1}'])
def test_oauth_token_refuses_garbage(client, raw):
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        response = call(client, "POST", "/oauth/token", raw=raw,
                        headers={"Content-Type": content_type})
        assert_refused(response, 400, 401, label=repr(raw[:40]))

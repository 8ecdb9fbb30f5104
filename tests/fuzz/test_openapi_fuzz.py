"""Property-based fuzzing of every route of the OpenAPI document (schemathesis).

The document the app serves at GET /openapi.json is the input: every operation
gets generated requests (valid and invalid bodies, query strings, path
parameters mixing random strings with ids that exist), sent in-process through
a WSGI adapter around `chalice.test.Client` (tests/fuzz/wsgi.py), against a
populated platform (tests/security/world.py) in moto.

Each response must: never be a 5xx; be documented (status, content type);
carry every error in the project's shape `{"error": {"code", "message"}}`;
conform to the response schema; reject what the schema forbids (schemathesis'
negative cases, unknown fields included); demand authentication where the
document says so.

Cases per operation: FUZZ_EXAMPLES random ones (default 8 in `make test`, 200 in
`make fuzz`), plus the coverage phase's boundary cases (schemathesis), plus
undeclared methods. The counts are printed at the end and written to
test-artifacts/fuzz-report.json.
"""
from __future__ import annotations

import json
import os

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.specs.openapi import checks as oa_checks

from tests.fuzz.wsgi import ChaliceWSGI
from tests.security import leaks

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"   # make fuzz: a new random draw each run


def _document() -> dict:
    from app import app
    from chalicelib.api.openapi import build_document

    return build_document(app)


ADAPTER = ChaliceWSGI(None)
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = ADAPTER
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=not RANDOM,
                                database="none")
COUNTS: dict[str, int] = {}     # generated cases per operation, for the report
RESPONSES: list[int] = []        # status of every generated request
EXPLAINED: list[str] = []        # "invalid" cases accepted for a documented reason (_validate)


@pytest.fixture(scope="module")
def world():
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.services.mail_queue import create_queues
    from chalicelib.store.tables import create_tables
    from tests.security import world as seeded

    with mock_aws():
        create_tables()
        create_queues()  # the password-reset route enqueues
        with Client(app, stage_name="local") as client:
            ADAPTER._http = client.http
            yield seeded.build(client)
            ADAPTER._http = None


_WORLD: dict = {}


@schema.hook("flatmap_path_parameters")
def mix_in_existing_ids(ctx, path_parameters):
    """Half of the path parameters are ids that exist: generated input then
    reaches the services' checks on real resources, not only their 404."""
    ids = _WORLD.get("ids") or {}
    options = {name: st.sampled_from([value] + list(ids.get(name, [])))
               for name, value in (path_parameters or {}).items()}
    return st.fixed_dictionaries(options)


def _auth(case, world) -> dict:
    from chalicelib.services import tokens

    access = case.operation.definition.raw.get("x-access", "public")
    params = case.path_parameters or {}
    if access == "public":
        return {}
    if access.startswith("invigilator"):
        return {"Authorization": "Bearer " + tokens.invigilator_token(
            str(params.get("session_id", "")), world.centre_id)}
    if access.startswith("org_client"):
        from chalicelib.domain.scopes import SCOPES

        return {"Authorization": "Bearer " + tokens.client_token(
            "fuzz-client", str(params.get("org_id", "")), list(SCOPES))}
    if case.path.startswith("/me/competences"):
        # the admin-learner is in a certification test: positioning is closed to them
        return {"Authorization": f"Bearer {world.learner}"}
    return {"Authorization": f"Bearer {world.admin}"}


EXCLUDED = [
    # Random ids mostly name nothing: a 404 on valid input is the right answer.
    oa_checks.positive_data_acceptance,
    # Undeclared methods (TRACE, PATCH...) never reach Lambda once deployed: API
    # Gateway refuses them itself (403, rewritten into our error shape by the
    # template's gateway responses). Only chalice's local emulation answers 405.
    oa_checks.unsupported_method,
]


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_every_route_survives_generated_input(case, world):
    _WORLD["ids"] = world.ids
    key = f"{case.operation.method.upper()} {case.operation.path}"
    COUNTS[key] = COUNTS.get(key, 0) + 1
    headers = _auth(case, world)
    response = case.call(headers=headers)
    RESPONSES.append(response.status_code)
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
        assert isinstance(body["error"]["code"], str) and body["error"]["message"]
        assert "Traceback" not in response.text
    if "json" in response.headers.get("Content-Type", ""):
        # no item secret in any response (corrections: positioning only, answered items only)
        leaks.scan(key, response.content, answered=_answered(world, response), content=False)
    _validate(case, response, headers)


def _answered(world, response) -> set[str]:
    if b'"correction"' not in response.content:
        return set()
    from chalicelib.store import assessments

    return {a.item_id for s in assessments.list_for_user(world.learner_id) for a in s.answers}


def _validate(case, response, headers):
    """schemathesis' checks, less explained cases of "invalid data accepted",
    where the request the app received was in fact valid:
    - a string that breaks maxLength/minLength only by surrounding whitespace is
      valid once trimmed (ApiModel strips strings, as documented);
    - the invalid part never reached the app: a query value or name a URL cannot
      carry (null, empty name) is dropped by the client, and an invalid
      Authorization header is replaced by this test's own valid token."""
    from schemathesis.core.failures import FailureGroup

    try:
        case.validate_response(response, headers=headers, excluded_checks=EXCLUDED)
    except FailureGroup as group:
        rest = [f for f in group.exceptions if not _explained(case, response, f)]
        if rest:
            raise
        EXPLAINED.append(case.path)


def _explained(case, response, failure) -> bool:
    from schemathesis.core.parameters import ParameterLocation

    if type(failure).__name__ != "AcceptedNegativeData":
        return False
    negative = {location for location, info in (case.meta.components or {}).items()
                if info.mode.is_negative}
    if negative <= {ParameterLocation.QUERY, ParameterLocation.HEADER}:
        return _sent_query_is_valid(case, response)
    return negative == {ParameterLocation.BODY} and _trimmed_is_valid(case)


def _sent_query_is_valid(case, response) -> bool:
    """The query string as received, against the operation's query parameters."""
    import jsonschema
    from urllib.parse import parse_qs, urlsplit

    declared = {p["name"]: p for p in case.operation.definition.raw.get("parameters", [])
                if p.get("in") == "query"}
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    for name, values in sent.items():
        if name not in declared or len(values) != 1:
            return False
        value: object = values[0]
        if declared[name]["schema"].get("type") == "integer":
            try:
                value = int(str(value))
            except ValueError:
                return False
        try:
            jsonschema.validate(value, declared[name]["schema"])
        except jsonschema.ValidationError:
            return False
    return all(name in sent for name, p in declared.items() if p.get("required"))


def _trimmed_is_valid(case) -> bool:
    import jsonschema

    if not isinstance(case.body, dict):
        return False
    schema = case.operation.definition.raw.get("requestBody", {}).get("content", {}).get(
        "application/json", {}).get("schema")
    if not schema:
        return False
    resolved = dict(schema, components=DOCUMENT["components"])
    try:
        jsonschema.validate(_trim(case.body), resolved)
    except jsonschema.ValidationError:
        return False
    return True


def _trim(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_trim(v) for v in value]
    return value

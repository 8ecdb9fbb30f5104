"""Every registered route × every role: the status says whether authorisation
let the request through (anything but 401/403) or stopped it (401 or 403).

Expected outcomes come from tests/api/access_table.py, one access name per
route, turned into a status per role by `expected()` below, written from the
policies' meaning rather than by calling access.py. Requests carry an empty
JSON object as body: authorisation is checked before the body is read, so a
role that passes gets 400/404/…, never 401/403.
"""
from __future__ import annotations

import base64
import json
import re
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date

import jwt
import pytest

from chalicelib.domain.scopes import NATIONAL_SCOPES, SCOPES
from tests.api.access_table import ACCESS
from tests.api.helpers import call

ORG, OTHER_ORG = "org-own", "org-other"
CENTRE, OTHER_CENTRE = "centre-own", "centre-other"
SESSION, OTHER_SESSION = "session-own", "session-other"
PARAM_VALUES = {"org_id": ORG, "centre_id": CENTRE, "session_id": SESSION}
PASSES = "passes auth"


@dataclass(frozen=True)
class Role:
    name: str
    kind: str | None = None            # None: the token must be refused (401)
    admin: bool = False
    orgs: dict = field(default_factory=dict)
    centres: frozenset = frozenset()
    session: str | None = None
    client_org: str | None = None
    scopes: frozenset = frozenset()
    national: bool = False


ROLES = [
    Role("no token"),
    Role("expired token"),
    Role("tampered token"),
    Role("signed with another key"),
    Role("alg none"),
    Role("other algorithm (HS512)"),
    Role("refresh token as access token"),
    Role("not a JWT"),
    Role("Basic scheme"),
    Role("learner", "user"),
    Role("own org member", "user", orgs={ORG: "member"}),
    Role("own org admin", "user", orgs={ORG: "admin"}),
    Role("other org admin", "user", orgs={OTHER_ORG: "admin"}),
    Role("own org client", "client", client_org=ORG, scopes=frozenset(SCOPES)),
    # one client per scope, holding it alone: each reaches exactly the routes naming it
    *(Role(f"own org client, only {scope}", "client", client_org=ORG, scopes=frozenset({scope}))
      for scope in SCOPES),
    Role("other org client", "client", client_org=OTHER_ORG, scopes=frozenset(SCOPES)),
    Role("national client", "client", scopes=frozenset({"lsu:read"}), national=True),
    Role("national client without scope", "client", scopes=frozenset(), national=True),
    Role("own centre member", "user", centres=frozenset({CENTRE})),
    Role("other centre member", "user", centres=frozenset({OTHER_CENTRE})),
    Role("own session invigilator", "invigilator", session=SESSION),
    Role("other session invigilator", "invigilator", session=OTHER_SESSION),
    Role("platform admin", "user", admin=True),
]

KINDS = {"user": {"user"}, "admin": {"user"}, "centre_member": {"user"},
         "invigilator": {"invigilator"}, "org_member": {"user", "client"},
         "org_admin": {"user"}, "org_client": {"client"}, "national_client": {"client"}}

GRANTS = {
    "admin": lambda role, scope: False,
    "centre_member": lambda role, scope: CENTRE in role.centres,
    "invigilator": lambda role, scope: role.session == SESSION,
    "org_member": lambda role, scope: ORG in role.orgs
    or (role.client_org == ORG and scope in role.scopes),
    "org_admin": lambda role, scope: role.orgs.get(ORG) == "admin",
    "org_client": lambda role, scope: role.client_org == ORG and scope in role.scopes,
    "national_client": lambda role, scope: role.national and scope in role.scopes,
}


def parse(access: str) -> tuple[str, str | None, str | None]:
    """"org_client:org_id[campaign-results]" -> ("org_client", "org_id", "campaign-results")."""
    match = re.fullmatch(r"(\w+)(?::(\w+))?(?:\[([\w:-]+)\])?", access)
    assert match, f"access name {access!r} is not understood by the matrix"
    return match.group(1), match.group(2), match.group(3)


def expected(access: str, role: Role):
    if access == "public":
        return PASSES
    if role.kind is None:
        return 401
    policy, _, scope = parse(access)
    assert policy in KINDS, f"teach the matrix the policy {policy!r} (KINDS and GRANTS)"
    if role.kind not in KINDS[policy]:
        return 403
    if policy == "user" or role.admin:
        return PASSES
    return PASSES if GRANTS[policy](role, scope) else 403


# The environment: real users signed in, real API clients, invigilator tokens ------------------

@pytest.fixture(scope="module")
def matrix():
    from chalice.test import Client
    from moto import mock_aws

    from app import app

    with mock_aws():
        from chalicelib.services.mail_queue import create_queues
        from chalicelib.store.tables import create_tables

        create_tables()
        create_queues()  # the password-reset route enqueues
        headers = _role_headers()
        with Client(app, stage_name="local") as client:
            yield client, headers


def _role_headers() -> dict[str, dict]:
    from chalicelib.services import accounts, api_clients, authentication, tokens

    access_tokens, refresh_tokens = {}, {}
    for n, role in enumerate(r for r in ROLES if r.kind == "user"):
        email = f"matrix{n}@example.org"
        user = accounts.register(first_name="Rôle", last_name=role.name, email=email,
                                 password="Matrix123", birth_date=date(1990, 1, 1),
                                 accepted_terms=True)
        for org_id, org_role in role.orgs.items():
            accounts.add_membership(user.id, "org", org_id, org_role)
        for centre_id in role.centres:
            accounts.add_membership(user.id, "centre", centre_id, "member")
        if role.admin:
            accounts.set_platform_admin(user.id)
        pair = authentication.sign_in(email, "Matrix123", "matrix")
        access_tokens[role.name], refresh_tokens[role.name] = pair["access_token"], pair[
            "refresh_token"]
    for role in (r for r in ROLES if r.kind == "client" and r.national):
        # a national client always holds a scope; "without scope" is its token forged without it
        access_tokens[role.name] = tokens.client_token("national-" + role.name, None,
                                                       sorted(role.scopes), national=True)
    for role in (r for r in ROLES if r.kind == "client" and not r.national):
        created = api_clients.create(role.client_org, role.name, sorted(role.scopes))
        access_tokens[role.name] = api_clients.issue_token(
            created["client_id"], created["client_secret"], None, "matrix")["access_token"]
    for role in (r for r in ROLES if r.kind == "invigilator"):
        access_tokens[role.name] = tokens.invigilator_token(role.session, CENTRE)

    admin = access_tokens["platform admin"]
    power = {**jwt.decode(admin, options={"verify_signature": False}),
             "orgs": {ORG: "admin"}, "ctrs": [CENTRE]}
    now = int(time.time())
    secret = tokens._secret()
    learner = access_tokens["learner"]
    head, payload, signature = learner.split(".")
    forged = _b64({**json.loads(base64.urlsafe_b64decode(payload + "==")), "adm": True,
                   "orgs": {ORG: "admin"}})
    bearer = {
        "expired token": jwt.encode({**power, "iat": now - 3600, "exp": now - 600}, secret,
                                    algorithm="HS256"),
        "tampered token": f"{head}.{forged}.{signature}",
        "signed with another key": jwt.encode(power, "another-secret-" + uuid.uuid4().hex,
                                              algorithm="HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(power)}.",
        "other algorithm (HS512)": _hs512(power, secret),
        "refresh token as access token": refresh_tokens["platform admin"],
        "not a JWT": "not.a.jwt",
        **access_tokens,
    }
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in bearer.items()}
    headers["Basic scheme"] = {"Authorization": f"Basic {admin}"}
    headers["no token"] = {}
    assert set(headers) == {r.name for r in ROLES}
    return headers


def _hs512(claims: dict, secret: str) -> str:
    with warnings.catch_warnings():  # the test key is short for SHA-512, and that is fine here
        warnings.simplefilter("ignore")
        return jwt.encode(claims, secret, algorithm="HS512")


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


# The tests -----------------------------------------------------------------------------------

def _registered() -> dict[tuple[str, str], str]:
    from app import app

    return {(method, path): entry.view_function.__endpoint__.access.name
            for path, methods in app.routes.items() for method, entry in methods.items()}


def test_every_route_has_exactly_one_line_in_the_access_table():
    registered = _registered()
    missing = sorted(set(registered) - set(ACCESS))
    stale = sorted(set(ACCESS) - set(registered))
    assert not missing, "add to tests/api/access_table.py:\n" + "\n".join(
        f'    ("{m}", "{p}"): "{registered[(m, p)]}",' for m, p in missing)
    assert not stale, f"routes no longer registered, remove them: {stale}"


def test_every_route_declares_the_policy_written_in_the_table():
    registered = _registered()
    differ = {route: (ACCESS[route], name) for route, name in registered.items()
              if route in ACCESS and ACCESS[route] != name}
    assert not differ, f"(table, declared) differ: {differ}"


def test_every_route_open_to_api_clients_names_one_scope():
    """Issue 13, point 1: a client token reaches only routes naming a scope it
    holds, so no policy admitting clients may go without a scope, and every
    scope a client can be granted opens at least one route."""
    unscoped = sorted(route for route, access in ACCESS.items()
                      if access != "public" and "client" in KINDS[parse(access)[0]]
                      and parse(access)[2] is None)
    assert not unscoped, f"routes open to API clients without a scope: {unscoped}"
    named = {parse(access)[2] for access in ACCESS.values() if access != "public"} - {None}
    known = set(SCOPES) | set(NATIONAL_SCOPES)
    assert named <= known, f"unknown scopes in the table: {named - known}"
    assert known <= named, f"scopes no route names: {known - named}"


def _all_routes() -> list[tuple[str, str]]:
    return sorted(set(ACCESS) | set(_registered()), key=lambda r: (r[1], r[0]))


@pytest.mark.parametrize("method, path", _all_routes(), ids=lambda v: v)
def test_route_against_every_role(matrix, method, path):
    client, headers = matrix
    assert (method, path) in ACCESS, f"({method!r}, {path!r}) has no line in access_table.py"
    access = ACCESS[(method, path)]
    url = re.sub(r"{(\w+)}", lambda m: PARAM_VALUES.get(m.group(1), f"x-{m.group(1)}"), path)
    wrong = []
    for role in ROLES:
        body = {} if method in ("POST", "PUT", "PATCH", "DELETE") else None
        status = call(client, method, url, body=body, headers=headers[role.name]).status_code
        outcome = status if status in (401, 403) else PASSES
        if outcome != expected(access, role):
            wrong.append(f"{role.name}: got {status}, expected {expected(access, role)}")
    assert not wrong, f"{method} {path} ({access}):\n" + "\n".join(wrong)


def test_the_matrix_knows_what_it_expects():
    """The derivation itself, on a few hand-checked cells."""
    by_name = {r.name: r for r in ROLES}
    assert expected("org_admin:org_id", by_name["own org member"]) == 403
    assert expected("org_admin:org_id", by_name["platform admin"]) == PASSES
    assert expected("org_member:org_id[learner-accounts]", by_name["own org client"]) == PASSES
    assert expected("org_member:org_id[learner-accounts]", by_name["own org member"]) == PASSES
    assert expected("org_member:org_id[learner-accounts]",
                    by_name["own org client, only campaign-results"]) == 403
    assert expected("org_member:org_id[learner-accounts]",
                    by_name["own org client, only learner-accounts"]) == PASSES
    assert expected("org_client:org_id[certification-results]",
                    by_name["own org client, only campaign-results"]) == 403
    assert expected("invigilator:session_id", by_name["platform admin"]) == 403
    assert expected("centre_member:centre_id", by_name["other centre member"]) == 403
    assert expected("user", by_name["own org client"]) == 403
    assert expected("admin", by_name["expired token"]) == 401
    assert expected("public", by_name["alg none"]) == PASSES

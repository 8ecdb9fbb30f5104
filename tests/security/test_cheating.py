"""Cheating and reaching what is not yours, at the level of resources.

Which kind of token may call which route, for which centre, session or
organisation named in the URL, is the authorisation matrix
(tests/api/test_authorization_matrix.py: every route × 25 roles, bad tokens
included). Here: the URL names your own scope, or the resource is one you
may address, but the resource itself is someone else's, is not served yet,
or belongs to a finalised session. Services must answer 404/409 and change
nothing.
"""
from __future__ import annotations

import time

import jwt
import pytest

from tests.api import cert_flow as flow
from tests.api.answers import correct_answer
from tests.api.helpers import call, js
from tests.conftest import make_token
from tests.security import scenes


def _course(scene):
    from chalicelib.store import certification as store

    course = store.course(scene.course_id)
    return (course.status, list(course.answers or []), course.current_item_id,
            list(course.neutralised or []), bool(course.authorised))


# Candidates -----------------------------------------------------------------------------

def test_a_candidate_answers_only_the_item_served_to_them(client):
    scene = scenes.started(client)
    mine = scenes.current_item(client, scene)
    # Selection is randomised among the best items (exposure control), so two
    # candidates may be served the same first item: then "theirs" is also mine
    # and answering it is legitimate. Draw other candidates until it differs.
    for _ in range(20):
        theirs = scenes.current_item(client, scenes.started(client))
        if theirs != mine:
            break
    assert theirs != mine
    before = _course(scene)
    from chalicelib.bank.loader import get_bank

    unserved = next(i for i in get_bank().items if i not in (mine, theirs))
    for item_id in (unserved, theirs):
        response = call(client, "POST", scene.course_path + "/answers", token=scene.learner,
                        body={"item_id": item_id, "answer": {"skip": True}})
        assert response.status_code == 409 and js(response)["error"]["code"] == "not_current_item"
    assert _course(scene) == before


def test_no_answer_before_authorisation_nor_after_the_end(client):
    scene = scenes.joined(client)  # waiting for the invigilator
    body = {"item_id": "c11-adresse-2a", "answer": {"skip": True}}
    assert call(client, "POST", scene.course_path + "/answers", token=scene.learner,
                body=body).status_code == 409
    call(client, "POST", scene.candidate_path("authorise"), token=scene.invigilator)
    served = scenes.current_view(client, scene)
    item_id = served["id"]
    call(client, "POST", scene.candidate_path("end"), token=scene.invigilator)
    response = call(client, "POST", scene.course_path + "/answers", token=scene.learner,
                    body={"item_id": item_id, "answer": correct_answer(served)})
    assert response.status_code == 409 and js(response)["error"]["code"] == "course_not_started"
    assert _course(scene)[1] == []


def test_another_candidate_can_neither_read_nor_answer_my_test(client):
    scene = scenes.started(client)
    intruder = make_token("intruder")
    served = scenes.current_view(client, scene)
    item_id = served["id"]
    before = _course(scene)
    assert call(client, "GET", scene.course_path, token=intruder).status_code == 404
    response = call(client, "POST", scene.course_path + "/answers", token=intruder,
                    body={"item_id": item_id, "answer": correct_answer(served)})
    assert response.status_code == 404
    assert js(call(client, "GET", "/me/certification-courses", token=intruder))["courses"] == []
    assert _course(scene) == before


def test_the_invigilator_token_stops_working_once_the_session_is_finalised(client):
    """An invigilator token lives 12 hours: after finalisation it must not
    start, end or alter a test (the job scores what the centre finalised)."""
    scene = scenes.joined(client)        # joined, never authorised: still "waiting"
    finalised = call(client, "POST", f"/centres/{scene.centre_id}/sessions/{scene.session_id}/finalise",
                     token=scene.staff, body={"comment": "Absent"})
    assert finalised.status_code == 200, finalised.body
    before = _course(scene)
    for action, body in (("authorise", None), ("end", None),
                         ("alerts", {"item_id": "c11-adresse-2a", "reason": "x"})):
        response = call(client, "POST", scene.candidate_path(action), token=scene.invigilator,
                        body=body)
        assert response.status_code == 409, (action, response.body)
        assert js(response)["error"]["code"] == "session_finalised"
    assert _course(scene) == before
    # no new invigilator token, no re-entry for the candidate either
    assert call(client, "POST", "/invigilation/token", body={
        "session_id": scene.session_id,
        "password": scene.session["invigilator_password"]}).status_code == 409
    assert call(client, "POST", "/certification/join", token=scene.learner,
                body=scene.identity).status_code in (404, 409)
    assert call(client, "POST", scene.course_path + "/answers", token=scene.learner,
                body={"item_id": "c11-adresse-2a", "answer": {"skip": True}}).status_code == 409


def test_joining_with_someone_else_s_identity_is_refused(client):
    """The access code of my session with the identity of a candidate of
    another session; then the enrolment someone else already joined."""
    a, b = scenes.planned(client), scenes.planned(client)
    mixed = {**b.identity, "access_code": a.identity["access_code"]}
    assert call(client, "POST", "/certification/join", token=a.learner, body=mixed).status_code == 404
    assert call(client, "POST", "/certification/join", token=b.learner,
                body=b.identity).status_code == 200
    stolen = call(client, "POST", "/certification/join", token=a.learner, body=b.identity)
    assert stolen.status_code == 409 and js(stolen)["error"]["code"] == "candidate_already_joined"


def test_nobody_else_gets_my_certificate_documents(client):
    from chalicelib.jobs import issue_certificates

    scene = scenes.started(client)
    flow.run_test(client, scene.learner, scene.course_id, correct_answer)
    call(client, "POST", f"/centres/{scene.centre_id}/sessions/{scene.session_id}/finalise",
         token=scene.staff, body={"comment": ""})
    issue_certificates.run()
    cert = js(call(client, "GET", "/me/certificates", token=scene.learner))["certificates"][0]
    intruder = make_token("intruder")
    for doc in ("attestation", "credential"):
        path = f"/me/certificates/{cert['certificate_id']}/{doc}"
        assert call(client, "GET", path, token=intruder).status_code == 404, doc
    assert js(call(client, "GET", "/me/certificates", token=intruder))["certificates"] == []


# Invigilators and centres -----------------------------------------------------------------

def test_an_invigilator_reaches_only_the_candidates_of_their_session(client):
    """The URL names the invigilator's own session (the policy lets it
    through) but the candidate belongs to another session."""
    mine, other = scenes.joined(client), scenes.started(client)
    before = _course(other)
    for action, body in (("authorise", None), ("end", None),
                         ("alerts", {"item_id": scenes.current_item(client, other), "reason": "x"})):
        path = f"/sessions/{mine.session_id}/candidates/{other.candidate_id}/{action}"
        response = call(client, "POST", path, token=mine.invigilator, body=body)
        assert response.status_code == 404, (action, response.body)
    assert _course(other) == before
    live = js(call(client, "GET", f"/sessions/{mine.session_id}/invigilation", token=mine.invigilator))
    assert [c["candidate_id"] for c in live["candidates"]] == [mine.candidate_id]


def test_a_centre_reaches_only_its_own_sessions(client):
    """Centre A's staff, through centre A's URL, naming centre B's session."""
    a, b = scenes.planned(client), scenes.planned(client)
    base = f"/centres/{a.centre_id}/sessions/{b.session_id}"
    csv = "Prénom;Nom;Date de naissance\nPaul;Martin;02/01/2007\n".encode()
    attempts = [
        ("GET", base, None, None), ("GET", base + "/candidates", None, None),
        ("POST", base + "/candidates", {"first_name": "X", "last_name": "Y",
                                        "birth_date": "2007-01-01"}, None),
        ("POST", base + "/candidates/import", None, csv),
        ("POST", base + "/finalise", {"comment": "pirate"}, None),
    ]
    for method, path, body, raw in attempts:
        headers = {"Content-Type": "text/csv"} if raw else None
        response = call(client, method, path, token=a.staff, body=body, raw=raw, headers=headers)
        assert response.status_code == 404, (path, response.body)
    listed = js(call(client, "GET", f"/centres/{a.centre_id}/sessions", token=a.staff))["sessions"]
    assert [s["session_id"] for s in listed] == [a.session_id]
    session_b = js(call(client, "GET", f"/centres/{b.centre_id}/sessions/{b.session_id}",
                        token=b.staff))
    assert session_b["status"] == "created"
    candidates = js(call(client, "GET", f"/centres/{b.centre_id}/sessions/{b.session_id}/candidates",
                         token=b.staff))["candidates"]
    assert [c["candidate_id"] for c in candidates] == [b.candidate_id]


# Tokens: what the matrix does not already forge ---------------------------------------------

def _forge(claims: dict, key: str | None = None, **header) -> str:
    import os

    secret = key or os.environ["JWT_SECRET"]
    now = int(time.time())
    payload = {"iss": "pix-serverless", "iat": now, "exp": now + 600, "sub": "learner-1",
               "typ": "access", "jti": "x", **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm="HS256", headers=header or None)


@pytest.mark.parametrize("label,token", [
    ("wrong issuer", lambda: _forge({"iss": "someone-else"})),
    ("no type", lambda: _forge({"typ": None})),
    ("unknown type", lambda: _forge({"typ": "admin"})),
    ("no expiry", lambda: _forge({"exp": None})),
    ("no subject", lambda: _forge({"sub": None})),
    ("expired beyond the leeway", lambda: _forge({"iat": int(time.time()) - 7200,
                                                   "exp": int(time.time()) - 60})),
    ("alg None in another case", lambda: jwt.encode(
        {"sub": "learner-1", "typ": "access"}, None, algorithm="none").replace(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0", "eyJhbGciOiJOb25lIiwidHlwIjoiSldUIn0")),
    ("signature stripped", lambda: _forge({}).rsplit(".", 1)[0] + "."),
    ("header kid pointing elsewhere", lambda: _forge({}, key="another-key-0123456789abcdef-0123456789",
                                                     kid="../../dev/null")),
])
def test_forged_tokens_are_refused(client, label, token):
    response = call(client, "GET", "/me/profile", token=token())
    assert response.status_code == 401, label
    assert js(response)["error"]["code"] in ("invalid_token", "token_expired")
    assert response.headers.get("WWW-Authenticate") == "Bearer"

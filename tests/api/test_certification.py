"""The whole certification path over HTTP, and its refusals."""
from __future__ import annotations

import io
import json
import re

import pytest

from tests.api import cert_flow as flow
from tests.api.answers import correct_answer, make_certifiable, wrong_answer
from tests.api.helpers import call, js
from tests.conftest import make_token


def run_job(client):
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                            detail={}, resources=[])
    return client.lambda_.invoke("issue_certificates_job", event).payload


@pytest.fixture()
def planned(client):
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    candidate = flow.enrol(client, centre_id, session["session_id"], staff, extra_time_percent=30)
    return centre_id, staff, session, candidate


def test_whole_path_from_session_to_public_verification(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    joined = call(client, "POST", "/certification/join", token=learner, body={
        "access_code": session["access_code"].lower(), "first_name": "lea",
        "last_name": "DUPONT", "birth_date": "2008-05-14"})
    assert joined.status_code == 200, joined.body
    course = js(joined)
    assert course["status"] == "waiting" and course["item"] is None

    inv = flow.invigilator(client, session)
    live = js(call(client, "GET", f"/sessions/{sid}/invigilation", token=inv))
    assert live["candidates"][0]["state"] == "waiting_authorisation"
    # nothing to answer before the invigilator authorises
    state = js(call(client, "GET", f"/me/certification-courses/{course['course_id']}", token=learner))
    assert state["item"] is None
    assert call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise",
                token=inv).status_code == 200

    served = flow.run_test(client, learner, course["course_id"], correct_answer)
    assert 20 <= len(served) <= 32 and len(set(served)) == len(served)

    report = {"comment": "RAS", "candidates": [{"candidate_id": candidate["candidate_id"],
                                                "present": True, "incidents": []}]}
    finalised = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                     body=report)
    assert finalised.status_code == 200, finalised.body
    assert js(finalised)["status"] == "finalised"

    result = run_job(client)
    assert result["issued"] == 1
    mine = js(call(client, "GET", "/me/certificates", token=learner))["certificates"]
    assert len(mine) == 1
    cert = mine[0]
    assert cert["global_score"] > 0 and cert["level_label"]
    assert set(cert["competence_levels"]) == {f"{a}.{b}" for a, b in [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (3, 2), (3, 3), (3, 4),
        (4, 1), (4, 2), (4, 3), (5, 1), (5, 2)]}

    public = call(client, "GET", f"/certificates/{cert['verification_code']}")
    assert public.status_code == 200
    assert js(public)["holder"]["last_name"] == "Dupont"
    assert b"email" not in public.body
    # issue 13, point 10: the birth year, not the full birth date, to anyone with the code
    assert js(public)["holder"]["birth_year"] == 2008 and "birth_date" not in js(public)["holder"]
    assert b"2008-05-14" not in public.body and b"14/05/2008" not in public.body
    status = js(call(client, "GET", f"/centres/{centre_id}/sessions/{sid}", token=staff))["status"]
    assert status == "published"

    pdf = call(client, "GET", f"/me/certificates/{cert['certificate_id']}/attestation", token=learner,
               headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.body[:4] == b"%PDF"
    # issue 22: the 95% range of each competence level, stored at issuance, is printed
    from pypdf import PdfReader

    printed = PdfReader(io.BytesIO(pdf.body)).pages[0].extract_text()
    assert "Fourchette*" in printed and "95 chances sur 100" in printed
    rows = [line.strip() for line in printed.splitlines() if line.strip().split(" ")[0] in cert["competence_levels"]]
    assert len(rows) == 16
    assert all(re.search(r"\d (de \d à \d|\d)$", row) for row in rows), rows
    assert call(client, "GET", f"/me/certificates/{cert['certificate_id']}/attestation",
                token=make_token("learner-2"), headers={"Accept": "application/pdf"}).status_code == 404
    credential = call(client, "GET", f"/me/certificates/{cert['certificate_id']}/credential", token=learner)
    assert credential.status_code == 200
    badge = json.loads(credential.body)
    key_document = js(call(client, "GET", "/.well-known/badge-key"))
    from chalicelib.documents.open_badge import verify_credential

    jwk = next(m["publicKeyJwk"] for m in key_document["verificationMethod"] if "publicKeyJwk" in m) \
        if "verificationMethod" in key_document else key_document["publicKeyJwk"]
    assert verify_credential(badge, jwk)
    # issue 21: the links a standard verifier follows resolve over HTTP to JSON-LD:
    # proof -> key (in the issuer profile) -> its controller, which lists the key
    # under assertionMethod and is the credential's issuer
    from chalicelib.config import settings

    base = settings().public_base_url

    def fetch(url):
        assert url.startswith(base + "/"), url
        response = call(client, "GET", url.split("#")[0][len(base):],
                        headers={"Accept": "application/ld+json, application/json"})
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "application/ld+json"
        return json.loads(response.body)

    method_url = badge["proof"]["verificationMethod"]
    method = next(m for m in fetch(method_url)["verificationMethod"] if m["id"] == method_url)
    controller = fetch(method["controller"])
    assert controller["id"] == method["controller"] == badge["issuer"]["id"]
    assert method_url in controller["assertionMethod"]
    assert verify_credential(badge, method["publicKeyMultibase"])
    image = call(client, "GET", badge["credentialSubject"]["achievement"]["image"]["id"][len(base):])
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/svg+xml"


def test_not_certifiable_learner_is_told_why(client, planned):
    _, _, session, _ = planned
    response = call(client, "POST", "/certification/join", token=make_token("learner-1"), body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"})
    assert response.status_code == 403
    assert "certifiable" in js(response)["error"]["message"]


@pytest.mark.parametrize("change,status", [
    ({"access_code": "BBBB22"}, 404),
    ({"birth_date": "2008-05-15"}, 404),
    ({"last_name": "Durand"}, 404),
])
def test_join_refusals(client, planned, change, status):
    _, _, session, _ = planned
    body = {"access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
            "birth_date": "2008-05-14", **change}
    response = call(client, "POST", "/certification/join", token=make_token("learner-1"), body=body)
    assert response.status_code == status
    assert js(response)["error"]["message"]


def test_another_person_cannot_take_an_enrolment_already_joined(client, planned):
    _, _, session, _ = planned
    body = {"access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
            "birth_date": "2008-05-14"}
    make_certifiable("learner-1")
    make_certifiable("learner-2", ("1.1", "1.2", "1.3", "2.1", "2.3"))
    assert call(client, "POST", "/certification/join", token=make_token("learner-1"), body=body).status_code == 200
    response = call(client, "POST", "/certification/join", token=make_token("learner-2"), body=body)
    assert response.status_code == 409


def test_other_centre_cannot_see_or_change_a_session(client, planned):
    centre_id, _, session, _ = planned
    other_centre, other_staff = flow.create_centre(client, "Collège Jean Moulin", "0750002B")
    sid = session["session_id"]
    # a member of centre B addressing centre A's URL: refused by the policy
    assert call(client, "GET", f"/centres/{centre_id}/sessions/{sid}", token=other_staff).status_code == 403
    # and through its own centre's URL the session does not exist
    assert call(client, "GET", f"/centres/{other_centre}/sessions/{sid}", token=other_staff).status_code == 404
    assert call(client, "POST", f"/centres/{other_centre}/sessions/{sid}/finalise", token=other_staff,
                body={"comment": ""}).status_code == 404


def test_invigilator_of_another_session_is_refused(client, planned):
    centre_id, staff, session, candidate = planned
    other = flow.create_session(client, centre_id, staff)
    inv_other = flow.invigilator(client, other)
    sid = session["session_id"]
    assert call(client, "GET", f"/sessions/{sid}/invigilation", token=inv_other).status_code == 403
    assert call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise",
                token=inv_other).status_code == 403


def test_wrong_invigilator_password_is_401(client, planned):
    _, _, session, _ = planned
    response = call(client, "POST", "/invigilation/token",
                    body={"session_id": session["session_id"], "password": "BBBBB"})
    assert response.status_code == 401


def test_finalised_session_refuses_join_and_enrolment(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    assert call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                body={"comment": "Session annulée"}).status_code == 200
    make_certifiable("learner-1")
    response = call(client, "POST", "/certification/join", token=make_token("learner-1"), body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"})
    # the access code is released at finalisation: unknown now, free for a new session; an
    # unknown code answers like an unknown candidate (no probing of codes, issue 13 point 4)
    assert response.status_code == 404 and js(response)["error"]["code"] == "candidate_not_found"
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/candidates", token=staff,
                    body={"first_name": "A", "last_name": "B", "birth_date": "2008-01-01"})
    assert response.status_code == 409


def test_finalisation_refused_while_a_candidate_is_testing(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    course = js(call(client, "POST", "/certification/join", token=learner, body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"}))
    inv = flow.invigilator(client, session)
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise", token=inv)
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                    body={"comment": ""})
    assert response.status_code == 409
    # the invigilator ends the test: now it can be finalised
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/end", token=inv)
    state = js(call(client, "GET", f"/me/certification-courses/{course['course_id']}", token=learner))
    assert state["status"] == "ended"
    assert call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                body={"comment": ""}).status_code == 200


def test_answers_are_idempotent_and_never_corrected(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    course = js(call(client, "POST", "/certification/join", token=learner, body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"}))
    inv = flow.invigilator(client, session)
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise", token=inv)
    path = f"/me/certification-courses/{course['course_id']}"
    served = js(call(client, "GET", path, token=learner))["item"]
    item_id = served["id"]
    body = {"item_id": item_id, "answer": wrong_answer(served)}
    first = call(client, "POST", path + "/answers", token=learner, body=body)
    again = call(client, "POST", path + "/answers", token=learner, body=body)
    assert first.status_code == again.status_code == 200
    assert js(call(client, "GET", path, token=learner))["answered"] == 1
    for response in (first, again):
        text = response.body if isinstance(response.body, str) else response.body.decode()
        assert "ko" not in json.loads(text).values() and "correction" not in text and "tutorial" not in text
    # another learner cannot read or answer this course
    other = make_token("learner-9")
    assert call(client, "GET", path, token=other).status_code == 404


def test_live_alert_neutralises_the_item_and_serves_another(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    course = js(call(client, "POST", "/certification/join", token=learner, body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"}))
    # the waiting room recalls the session (join and reload alike); a question's polls do not
    assert course["session"]["room"] == session["room"] and course["session"]["date"] == session["date"]
    path = f"/me/certification-courses/{course['course_id']}"
    assert js(call(client, "GET", path, token=learner))["session"]["time"] == session["time"]
    inv = flow.invigilator(client, session)
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise", token=inv)
    path = f"/me/certification-courses/{course['course_id']}"
    assert "session" not in js(call(client, "GET", path, token=learner))
    served = js(call(client, "GET", path, token=learner))["item"]
    item_id = served["id"]
    response = call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/alerts",
                    token=inv, body={"item_id": item_id, "reason": "Image illisible"})
    assert response.status_code == 200, response.body
    state = js(call(client, "GET", path, token=learner))
    assert state["item"]["id"] != item_id
    # the withdrawn item uses no slot: nothing answered yet, and the candidate is told which went
    assert state["answered"] == 0 and state["withdrawn"] == [item_id]
    late = call(client, "POST", path + "/answers", token=learner,
                body={"item_id": item_id, "answer": correct_answer(served)})
    assert late.status_code == 409 and js(late)["error"]["code"] == "item_withdrawn"
    # the same alert again changes nothing (a double click, a retried request)
    again = call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/alerts",
                 token=inv, body={"item_id": item_id, "reason": "Image illisible"})
    assert again.status_code == 200
    nxt = js(call(client, "GET", path, token=learner))["item"]
    assert call(client, "POST", path + "/answers", token=learner,
                body={"item_id": nxt["id"], "answer": wrong_answer(nxt)}).status_code == 200
    live = js(call(client, "GET", f"/sessions/{sid}/invigilation", token=inv))
    row = live["candidates"][0]
    assert row["alerts"][0]["item_id"] == item_id
    assert row["answered"] == 1 and row["withdrawn"] == 1  # one real answer, one withdrawal


def test_rejoining_after_disconnection_needs_reauthorisation(client, planned):
    centre_id, staff, session, candidate = planned
    sid = session["session_id"]
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    body = {"access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
            "birth_date": "2008-05-14"}
    course = js(call(client, "POST", "/certification/join", token=learner, body=body))
    inv = flow.invigilator(client, session)
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise", token=inv)
    rejoined = js(call(client, "POST", "/certification/join", token=learner, body=body))
    assert rejoined["course_id"] == course["course_id"] and rejoined["authorised"] is False
    live = js(call(client, "GET", f"/sessions/{sid}/invigilation", token=inv))
    assert live["candidates"][0]["state"] == "waiting_resume"
    call(client, "POST", f"/sessions/{sid}/candidates/{candidate['candidate_id']}/authorise", token=inv)
    assert js(call(client, "GET", f"/me/certification-courses/{course['course_id']}", token=learner))["item"]

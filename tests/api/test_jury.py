"""Jury rules through issuance (issue 22): how a test ended decides whether it
is certified, rejected or held, and every party sees that status and its
French reason (candidate, admin; the school's report book is in
test_school_certification.py)."""
from __future__ import annotations

import pytest

from chalicelib.domain.certification import jury
from chalicelib.jobs import issue_certificates
from chalicelib.store import certification as store
from tests.api import cert_flow as flow
from tests.api.answers import correct_answer, make_certifiable
from tests.api.helpers import call, js
from tests.conftest import make_token


def sit(client, *, answers: int | None, incidents=(), user="learner-1", last="Dupont"):
    """One candidate answers `answers` items (None: the whole test) and the
    invigilator ends the test; the centre files `incidents`; the job runs.
    Returns (session id, candidate's token, course id, centre staff)."""
    centre_id, staff = flow.create_centre(client, uai=None)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    enrolled = flow.enrol(client, centre_id, sid, staff, last=last)
    make_certifiable(user)
    learner = make_token(user)
    course = js(call(client, "POST", "/certification/join", token=learner, body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": last,
        "birth_date": "2008-05-14"}))["course_id"]
    inv = flow.invigilator(client, session)
    path = f"/sessions/{sid}/candidates/{enrolled['candidate_id']}"
    assert call(client, "POST", path + "/authorise", token=inv).status_code == 200
    if answers is None:
        flow.run_test(client, learner, course, correct_answer)
    else:
        item = js(call(client, "GET", f"/me/certification-courses/{course}", token=learner))["item"]
        for _ in range(answers):
            response = call(client, "POST", f"/me/certification-courses/{course}/answers", token=learner,
                            body={"item_id": item["id"], "answer": correct_answer(item)})
            assert response.status_code == 200
            item = js(response)["course"]["item"]  # the next one, as the web front reads it
        assert call(client, "POST", path + "/end", token=inv).status_code == 200
    report = {"candidate_id": enrolled["candidate_id"], "present": True,
              "incidents": [{"category": c, "description": ""} for c in incidents]}
    assert call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                body={"comment": "", "candidates": [report]}).status_code == 200
    assert issue_certificates.run().issued == 1
    return sid, learner, course, staff


def mine(client, learner) -> dict:
    [cert] = js(call(client, "GET", "/me/certificates", token=learner))["certificates"]
    return cert


def test_a_test_abandoned_before_20_answers_is_held_for_the_jury_never_level_0(client):
    sid, learner, course, staff = sit(client, answers=5)
    rec = store.certificate(course)
    assert (rec.status, rec.reason, rec.theta) == ("held", jury.TOO_SHORT, None)
    seen = mine(client, learner)
    assert seen["status"] == "held" and seen["reason"] == jury.TOO_SHORT
    assert "décision du jury" in seen["message"] and "20 réponses" in seen["message"]
    assert "global_score" not in seen and "level" not in seen and seen["verification_code"] is None
    assert call(client, "GET", f"/certificates/{rec.verification_code}").status_code == 404
    assert call(client, "GET", f"/me/certificates/{course}/attestation", token=learner,
                headers={"Accept": "application/pdf"}).status_code == 404

    results = js(call(client, "GET", f"/admin/sessions/{sid}/results", token=flow.ADMIN))
    [row] = results["certificates"]
    assert results["held"] == 1
    assert (row["status"], row["reason"], row["global_score"], row["level"]) == \
        ("held", jury.TOO_SHORT, None, None)
    assert "décision du jury" in row["message"]

    # the jury cannot certify what was not measured; it may reject
    decide = f"/admin/certificates/{course}/jury-decision"
    refused = call(client, "POST", decide, token=flow.ADMIN, body={"decision": "validate"})
    assert refused.status_code == 409 and js(refused)["error"]["code"] == "certificate_not_scorable"
    done = call(client, "POST", decide, token=flow.ADMIN, body={"decision": "reject"})
    assert done.status_code == 200, done.body
    assert (js(done)["status"], js(done)["reason"]) == ("rejected", jury.JURY_REJECTED)
    assert mine(client, learner)["status"] == "rejected"
    assert "annulé par décision du jury" in mine(client, learner)["message"]
    again = call(client, "POST", decide, token=flow.ADMIN, body={"decision": "reject"})
    assert again.status_code == 409 and js(again)["error"]["code"] == "certificate_not_held"


def test_an_incident_before_20_answers_is_rejected(client):
    _, learner, course, _ = sit(client, answers=5, incidents=["technical_problem"])
    seen = mine(client, learner)
    assert (seen["status"], seen["reason"]) == ("rejected", jury.INCIDENT_TOO_SHORT)
    assert "incident technique" in seen["message"] and "global_score" not in seen


def test_an_incident_after_20_answers_imputes_nothing_an_abandonment_does(client):
    _, learner, course, _ = sit(client, answers=20, incidents=["technical_problem"])
    cut = store.certificate(course)
    assert (cut.status, cut.reason) == ("validated", None)
    _, _, other, _ = sit(client, answers=20, user="learner-2", last="Durand")  # left by the candidate
    left = store.certificate(other)
    assert (left.status, left.reason) == ("validated", jury.MISSING_IMPUTED)
    # all 20 answers right: imputed failures can only lower the result
    assert float(left.theta) < float(cut.theta)


def test_a_fraud_report_holds_the_score_until_the_jury_validates_it(client):
    sid, learner, course, staff = sit(client, answers=None, incidents=["fraud_suspicion"])
    rec = store.certificate(course)
    assert (rec.status, rec.reason) == ("held", jury.FRAUD_REPORTED) and rec.theta is not None
    assert mine(client, learner)["status"] == "pending"       # the session is held too
    [row] = js(call(client, "GET", f"/admin/sessions/{sid}/results", token=flow.ADMIN))["certificates"]
    assert row["global_score"] > 0 and len(row["competences"]) == 16   # what the jury judges
    assert call(client, "POST", f"/admin/sessions/{sid}/publish", token=flow.ADMIN).status_code == 200
    seen = mine(client, learner)
    assert seen["status"] == "held" and "Suspicion de fraude" in seen["message"]
    assert call(client, "GET", f"/certificates/{rec.verification_code}").status_code == 404

    done = call(client, "POST", f"/admin/certificates/{course}/jury-decision", token=flow.ADMIN,
                body={"decision": "validate"})
    assert done.status_code == 200, done.body
    public = call(client, "GET", f"/certificates/{rec.verification_code}")
    assert public.status_code == 200 and js(public)["global_score"] == int(rec.global_score)
    assert mine(client, learner)["status"] == "validated"


def test_only_a_platform_admin_reads_results_and_decides(client):
    sid, learner, course, staff = sit(client, answers=5)
    decide = f"/admin/certificates/{course}/jury-decision"
    for token in (learner, staff, make_token("someone-else")):
        assert call(client, "GET", f"/admin/sessions/{sid}/results", token=token).status_code == 403
        assert call(client, "POST", decide, token=token, body={"decision": "reject"}).status_code == 403
    assert call(client, "GET", f"/admin/sessions/{sid}/results").status_code == 401
    assert store.certificate(course).status == "held"          # nobody above changed it
    assert call(client, "GET", f"/admin/sessions/{sid}/results", token=flow.ADMIN).status_code == 200
    # another candidate never sees it
    assert js(call(client, "GET", "/me/certificates", token=make_token("learner-2")))["certificates"] == []


@pytest.mark.parametrize("body", [{}, {"decision": "maybe"}, {"decision": "reject", "x": 1}])
def test_a_bad_decision_is_a_400_in_french(client, body):
    response = call(client, "POST", "/admin/certificates/nope/jury-decision", token=flow.ADMIN, body=body)
    assert response.status_code == 400 and js(response)["error"]["message"]


def test_unknown_certificate_or_session_is_404(client):
    assert call(client, "POST", "/admin/certificates/nope/jury-decision", token=flow.ADMIN,
                body={"decision": "reject"}).status_code == 404
    assert call(client, "GET", "/admin/sessions/nope/results", token=flow.ADMIN).status_code == 404


def test_two_jury_decisions_on_the_same_result_never_both_land(client):
    """Two admins read the held result, both decide: only the first write
    lands (conditional on the stored status still being held)."""
    _, _, course, _ = sit(client, answers=5)
    first, second = store.certificate(course), store.certificate(course)   # both read "held"
    assert store.decide_certificate(first, "rejected", jury.JURY_REJECTED)
    assert not store.decide_certificate(second, "validated", jury.JURY_VALIDATED)
    assert (store.certificate(course).status, store.certificate(course).reason) == \
        ("rejected", jury.JURY_REJECTED)

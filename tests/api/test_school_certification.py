"""Certification for schools over HTTP: a class of the roster enrolled in a
session of the centre with the school's UAI, and the report book by INE."""
from __future__ import annotations

import pytest

from chalicelib.domain.framework import COMPETENCES
from tests.api import cert_flow
from tests.api import org_flow as flow
from tests.api.helpers import call, js

UAI = "0750001A"


@pytest.fixture()
def school(client):
    org = flow.create_org(client, name="Lycée Victor Hugo", type="lycee", uai=UAI)["org_id"]
    portal = flow.client_token(org)
    assert flow.import_roster(client, org, portal, flow.school_csv()).status_code == 200
    centre_id, staff = cert_flow.create_centre(client, uai=UAI)
    session = cert_flow.create_session(client, centre_id, staff)
    return org, portal, centre_id, staff, session["session_id"]


def enrol(client, org, session_id, token, **body):
    return call(client, "POST", f"/organizations/{org}/certification-sessions/{session_id}/enrolments",
                token=token, body=body)


def test_a_class_is_enrolled_in_one_call_and_only_once(client, school):
    org, portal, centre_id, staff, sid = school
    response = enrol(client, org, sid, portal, division="3A")
    assert response.status_code == 201, response.body
    body = js(response)
    assert (body["enrolled"], body["already_enrolled"]) == (2, 0)
    listed = js(call(client, "GET", f"/centres/{centre_id}/sessions/{sid}/candidates",
                     token=staff))["candidates"]
    assert sorted((c["last_name"], c["first_name"], c["birth_date"], c["birth_place"], c["sex"])
                  for c in listed) == [("Dupont", "Léa", "2010-05-14", "75056", "F"),
                                       ("Martin", "Hugo", "2009-11-02", "Belgique", "M")]
    from chalicelib.store import certification

    assert sorted(c.ine for c in certification.candidates(sid)) == ["123456789AB", "234567890CD"]

    again = js(enrol(client, org, sid, portal, division="3A"))
    assert (again["enrolled"], again["already_enrolled"]) == (0, 2)
    one = js(enrol(client, org, sid, flow.member_token(org), learner_ids=["3456789012E"]))
    assert one["enrolled"] == 1

    assert enrol(client, org, sid, portal, division="6Z").status_code == 404
    assert enrol(client, org, sid, portal, learner_ids=["999999999ZZ"]).status_code == 404
    assert enrol(client, org, sid, portal, division="3A", learner_ids=["x"]).status_code == 400


def test_pupils_who_left_are_not_enrolled(client, school):
    org, portal, _, _, sid = school
    flow.import_roster(client, org, portal, flow.school_csv([flow.PUPILS[0], flow.PUPILS[2]]))
    assert js(enrol(client, org, sid, portal, division="3A"))["enrolled"] == 1
    assert enrol(client, org, sid, portal, learner_ids=["234567890CD"]).status_code == 404


def test_only_sessions_of_the_centre_with_the_school_uai(client, school):
    org, portal, _, _, sid = school
    other_centre, other_staff = cert_flow.create_centre(client, name="Autre centre", uai="0750009K")
    foreign = cert_flow.create_session(client, other_centre, other_staff)["session_id"]
    assert enrol(client, org, foreign, portal, division="3A").status_code == 404
    assert enrol(client, org, "nope", portal, division="3A").status_code == 404

    other = flow.create_org(client, name="Lycée B", type="lycee", uai="0750009K")["org_id"]
    intruder = flow.client_token(other)
    assert enrol(client, org, sid, intruder, division="3A").status_code == 403
    # through its own URL, school B cannot reach school A's session either
    assert enrol(client, other, sid, intruder, division="3A").status_code == 404


def certificate(course_id: str, uai: str, ine: str | None, *, published=True, date="2026-06-10",
                score=310, label="Indépendant 3", status="validated", reason=None):
    from chalicelib.store import certification as store

    rec = store.CertificateRecord(
        f"CERT#{course_id}", "CERT", certificate_id=course_id, user_id=f"u-{course_id}",
        session_id="s1", verification_code=f"P-TEST{course_id.upper():0>4}", first_name="Léa",
        last_name="Dupont", birth_date="2010-05-14", session_date=date, centre_name="Lycée",
        global_score=score, level=3, level_label=label, competence_levels={"1.1": 3, "2.1": 2},
        certification_version="v3", issued_at=f"{date}T12:00:00+00:00", status=status,
        published=published, ine=ine, reason=reason, theta=None if status != "validated" else 1.0)
    if ine:
        rec.gsi2pk, rec.gsi2sk = f"UAI#{uai}", f"{ine}#{course_id}"
    rec.save()


def test_the_report_book_lists_each_pupil_latest_published_certificate(client, school):
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB", date="2026-01-10", score=200, label="Initié 2")
    certificate("c2", UAI, "123456789AB", date="2026-06-10")
    certificate("c3", UAI, "234567890CD", published=False)
    certificate("c4", "0750009K", "3456789012E")
    response = call(client, "GET", f"/organizations/{org}/report-book", token=portal)
    assert response.status_code == 200, response.body
    book = js(response)
    assert book["uai"] == UAI
    c2 = {"date": "2026-06-10", "global_score": 310, "level": 3,
          "level_label": "Indépendant 3", "competence_levels": {"1.1": 3, "2.1": 2},
          "not_evaluated": [c.code for c in COMPETENCES if c.code not in ("1.1", "2.1")],
          "verification_code": "P-TEST00C2", "issued_at": "2026-06-10T12:00:00+00:00"}
    assert book["pupils"][0] == {
        "ine": "123456789AB", "last_name": "Dupont", "first_name": "Léa", "birth_date": "2010-05-14",
        "certificate": c2,
        "results": [
            {"date": "2026-06-10", "status": "validated", "reason": None, "message": None,
             "global_score": 310, "level_label": "Indépendant 3"},
            {"date": "2026-01-10", "status": "validated", "reason": None, "message": None,
             "global_score": 200, "level_label": "Initié 2"}]}
    # a result not yet published is listed as pending, without its score
    assert book["pupils"][1] == {
        "ine": "234567890CD", "last_name": "Dupont", "first_name": "Léa", "birth_date": "2010-05-14",
        "certificate": None,
        "results": [{"date": "2026-06-10", "status": "pending", "reason": None,
                     "message": "Résultat en cours de vérification par la plateforme.",
                     "global_score": None, "level_label": None}]}
    assert len(book["pupils"]) == 2       # c4 belongs to another school


def test_the_report_book_shows_rejected_and_held_results_with_their_french_reason(client, school):
    """Issue 22: a rejected or held result is visible as such to the school, never as a score."""
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB", date="2026-01-10")
    certificate("c2", UAI, "123456789AB", date="2026-06-10", status="held", reason="too_short",
                score=0, label="")
    certificate("c3", UAI, "234567890CD", status="rejected", reason="incident_too_short",
                score=0, label="")
    book = js(call(client, "GET", f"/organizations/{org}/report-book", token=portal))
    first, second = book["pupils"]
    assert first["certificate"]["date"] == "2026-01-10"     # the latest validated one stays
    held = first["results"][0]
    assert (held["status"], held["reason"], held["global_score"]) == ("held", "too_short", None)
    assert "décision du jury" in held["message"] and "20 réponses" in held["message"]
    assert second["certificate"] is None
    rejected = second["results"][0]
    assert (rejected["status"], rejected["global_score"]) == ("rejected", None)
    assert "incident technique" in rejected["message"]


def test_the_report_book_is_for_the_school_api_client_only(client, school):
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB")
    other = flow.create_org(client, name="Lycée B", type="lycee", uai="0750009K")["org_id"]
    certificate("c9", "0750009K", "3456789012E")
    for token in (flow.member_token(org, "admin"), flow.client_token(org, scopes=("campaign-results",)),
                  flow.client_token(other)):
        assert call(client, "GET", f"/organizations/{org}/report-book", token=token).status_code == 403
    theirs = js(call(client, "GET", f"/organizations/{other}/report-book", token=flow.client_token(other)))
    assert [p["ine"] for p in theirs["pupils"]] == ["3456789012E"]

    fac = flow.create_org(client, name="Université", type="higher_education", uai=None)["org_id"]
    response = call(client, "GET", f"/organizations/{fac}/report-book", token=flow.client_token(fac))
    assert response.status_code == 409 and js(response)["error"]["code"] == "no_uai"

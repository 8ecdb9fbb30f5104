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


def national_token(scopes=("lsu:read",)) -> str:
    from chalicelib.services import tokens

    return tokens.client_token("lsu", None, list(scopes), national=True)


def book(client, path: str, token: str) -> list[dict]:
    """Every line of a report book, following the cursors page by page."""
    lines, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        response = call(client, "GET", path + (f"{sep}cursor={cursor}" if cursor else ""), token=token)
        assert response.status_code == 200, response.body
        page = js(response)
        lines += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return lines


def test_the_report_book_lists_validated_rejected_and_pending_with_the_roster_identity(client, school):
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB", date="2026-01-10", score=200, label="Initié 2")
    certificate("c2", UAI, "234567890CD", date="2026-06-10", status="rejected",
                reason="incident_too_short", score=0, label="")
    certificate("c3", UAI, "3456789012E", published=False)
    certificate("c4", "0750009K", "3456789012E")
    lines = book(client, f"/organizations/{org}/report-book?limit=1", portal)
    assert [(l["ine"], l["status"]) for l in lines] == [
        ("123456789AB", "validated"), ("234567890CD", "rejected"), ("3456789012E", "pending")]
    lea = lines[0]
    assert (lea["first_names"], lea["birth_place"], lea["birth_date"]) == (
        "Léa Marie", {"insee_code": "75056", "country": None}, "2010-05-14")   # from the roster
    assert (lea["reason"], lea["message"]) == (None, None)
    not_evaluated = [c.code for c in COMPETENCES if c.code not in ("1.1", "2.1")]
    result = lea["result"]
    assert {k: v for k, v in result.items() if k != "competences"} == {
        "global_score": 200, "level": 3, "level_label": "Initié 2",
        "competence_levels": {"1.1": 3, "2.1": 2}, "not_evaluated": not_evaluated,
        "verification_code": "P-TEST00C1", "issued_at": "2026-01-10T12:00:00+00:00"}
    labels = {c["code"]: c["label"] for c in result["competences"]}
    assert labels["1.1"] == "niveau 3" and labels[not_evaluated[0]] == "non évalué"
    assert lines[1]["birth_place"]["country"] == "Belgique"
    assert lines[1]["result"] is None      # rejected: its status and reason, never a score
    assert lines[2]["result"] is None and lines[2]["reason"] is None      # pending
    assert lines[2]["message"] == "Résultat en cours de vérification par la plateforme."


def test_the_report_book_shows_rejected_and_held_results_with_their_french_reason(client, school):
    """Issue 22: a rejected or held result is visible as such to the school, never as a score."""
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB", date="2026-01-10")
    certificate("c2", UAI, "123456789AB", date="2026-06-10", status="held", reason="too_short",
                score=0, label="")
    certificate("c3", UAI, "234567890CD", status="rejected", reason="incident_too_short",
                score=0, label="")
    lines = {l["certificate_id"]: l for l in book(client, f"/organizations/{org}/report-book", portal)}
    assert lines["c1"]["status"] == "validated" and lines["c1"]["result"]["global_score"] == 310
    held = lines["c2"]
    assert (held["status"], held["reason"], held["result"]) == ("held", "too_short", None)
    assert "décision du jury" in held["message"] and "20 réponses" in held["message"]
    rejected = lines["c3"]
    assert (rejected["status"], rejected["reason"], rejected["result"]) == (
        "rejected", "incident_too_short", None)
    assert "incident technique" in rejected["message"]
    # the national feed reads the same lines
    national = {l["certificate_id"]: l for l in book(client, f"/report-book/{UAI}", national_token())}
    assert national == lines


def test_the_national_feed_reads_any_school_by_uai_filtered_by_school_year(client, school):
    certificate("c1", UAI, "123456789AB", date="2025-06-10")
    certificate("c2", UAI, "123456789AB", date="2025-09-01")
    certificate("c3", UAI, "234567890CD", date="2026-08-31")
    certificate("c4", "0750009K", "3456789012E")
    lsu = national_token()
    every = book(client, f"/report-book/{UAI}?limit=2", lsu)
    assert [l["certificate_id"] for l in every] == ["c1", "c2", "c3"]
    year = book(client, f"/report-book/{UAI.lower()}?school_year=2025-2026&limit=1", lsu)
    assert [l["certificate_id"] for l in year] == ["c2", "c3"]
    assert [l["ine"] for l in book(client, "/report-book/0750009K", lsu)] == ["3456789012E"]
    for bad in ("/report-book/75001", f"/report-book/{UAI}?school_year=2025-2027",
                f"/report-book/{UAI}?cursor=Zm9v", f"/report-book/{UAI}?limit=0"):
        response = call(client, "GET", bad, token=lsu)
        assert response.status_code == 400 and js(response)["error"]["message"], bad


def test_the_report_book_is_for_the_school_client_or_the_national_client_with_its_scope(client, school):
    org, portal, *_ = school
    certificate("c1", UAI, "123456789AB")
    other = flow.create_org(client, name="Lycée B", type="lycee", uai="0750009K")["org_id"]
    certificate("c9", "0750009K", "3456789012E")
    for token in (flow.member_token(org, "admin"), flow.client_token(org, scopes=("campaign-results",)),
                  flow.client_token(other), national_token(scopes=())):
        assert call(client, "GET", f"/organizations/{org}/report-book", token=token).status_code == 403
    theirs = js(call(client, "GET", f"/organizations/{other}/report-book", token=flow.client_token(other)))
    assert [p["ine"] for p in theirs["items"]] == ["3456789012E"]
    # a school's client cannot read another UAI through the national route, even its own UAI
    for token in (flow.client_token(other), flow.client_token(org), national_token(scopes=()),
                  flow.member_token(org, "admin")):
        assert call(client, "GET", f"/report-book/{UAI}", token=token).status_code == 403

    fac = flow.create_org(client, name="Université", type="higher_education", uai=None)["org_id"]
    response = call(client, "GET", f"/organizations/{fac}/report-book", token=flow.client_token(fac))
    assert response.status_code == 409 and js(response)["error"]["code"] == "no_uai"


def test_a_national_client_is_created_by_a_platform_admin_with_national_scopes_only(client):
    from chalicelib.services import tokens

    created = call(client, "POST", "/national-clients", token=flow.ADMIN,
                   body={"name": "LSU", "scopes": ["lsu:read"]})
    assert created.status_code == 201, created.body
    secret = js(created)
    form = f"grant_type=client_credentials&client_id={secret['client_id']}&client_secret={secret['client_secret']}"
    token = js(call(client, "POST", "/oauth/token", raw=form.encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"}))["access_token"]
    principal = tokens.principal_from(token)
    assert principal.national and principal.org_id is None and principal.scopes == {"lsu:read"}
    assert call(client, "GET", f"/report-book/{UAI}", token=token).status_code == 200
    refused = call(client, "POST", "/national-clients", token=flow.ADMIN,
                   body={"name": "LSU", "scopes": ["certification-results"]})
    assert refused.status_code == 400 and js(refused)["error"]["code"] == "invalid_scope"


def test_the_openapi_document_shows_the_report_book_with_an_example_lsu_maps(client):
    document = js(call(client, "GET", "/openapi.json"))
    national = document["paths"]["/report-book/{uai}"]["get"]
    assert national["x-access"] == "national_client[lsu:read]"
    assert {p["name"] for p in national["parameters"]} >= {"uai", "school_year", "cursor", "limit"}
    example = national["responses"]["200"]["content"]["application/json"]["example"]
    assert {"ine", "first_names", "birth_place", "status", "result"} <= set(example["items"][0])
    roster_import = document["paths"]["/organizations/{org_id}/learners/import"]["post"]
    assert {"application/xml", "application/zip", "text/csv"} <= set(
        roster_import["requestBody"]["content"])


def test_the_session_results_show_a_score_only_for_a_validated_published_certificate(client, school):
    """docs/jury.md « Who sees what »: the school's list of a session's pupils
    gives score and levels for a validated, published certificate; a rejected
    or held one (even when the test was scored) only its status and French
    reason; an unpublished one nothing."""
    from chalicelib.store import certification as store

    org, portal, _, _, sid = school
    assert js(enrol(client, org, sid, portal, division="3A"))["enrolled"] == 2
    assert js(enrol(client, org, sid, portal, learner_ids=["3456789012E"]))["enrolled"] == 1
    by_ine = {c.ine or c.external_id: c for c in store.candidates(sid)}
    outcomes = {"123456789AB": dict(status="validated"),
                "234567890CD": dict(status="rejected", reason="jury_rejected", score=250),
                "3456789012E": dict(status="held", reason="fraud_reported", score=280)}
    for ine, outcome in outcomes.items():
        cand = by_ine[ine]
        cand.course_id = f"k{ine[:3]}"
        cand.save()
        certificate(cand.course_id, UAI, ine, **outcome)
    path = f"/organizations/{org}/certification-sessions/{sid}"
    response = call(client, "GET", path, token=portal)
    assert response.status_code == 200, response.body
    results = {p["learner_id"]: p["result"] for p in js(response)["pupils"]}
    validated = results["123456789AB"]
    assert (validated["status"], validated["global_score"], validated["level"]) == ("validated", 310, 3)
    assert validated["verification_code"] and len(validated["competences"]) == len(COMPETENCES)
    for ine, status in (("234567890CD", "rejected"), ("3456789012E", "held")):
        shown = results[ine]
        assert (shown["status"], shown["reason"]) == (status, outcomes[ine]["reason"]), shown
        assert shown["message"] and shown["verification_code"] is None, shown
        assert (shown["global_score"], shown["level"], shown["level_label"], shown["competences"]) == (
            None, None, None, []), shown

    # unpublished: nothing yet, whatever the status
    rec = store.CertificateRecord.get("CERT#k123", "CERT")
    rec.published = False
    rec.save()
    pupils = js(call(client, "GET", path, token=portal))["pupils"]
    assert next(p for p in pupils if p["learner_id"] == "123456789AB")["result"] is None
    # another school reads none of it
    other = flow.create_org(client, name="Lycée B", type="lycee", uai="0750009K")["org_id"]
    assert call(client, "GET", path, token=flow.client_token(other)).status_code == 403

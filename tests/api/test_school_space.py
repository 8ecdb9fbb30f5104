"""The school space's routes over HTTP: classes with account status, accounts
for a whole class and their credentials sheet, a campaign's progress per class
and per pupil, the class competence profile, and campaign results read by a
member (person) of the school. Authorisation both ways on every route: a
member of another school and a pupil get nothing."""
from __future__ import annotations

import time

import pytest

from tests.api import org_flow as flow
from tests.api.helpers import call, js
from tests.api.test_campaigns import create_campaign, seed_results
from tests.conftest import make_token

MORE_3A = [f"98765432{n}A{chr(66 + n)};Élève{chr(65 + n)};;{first};F;01/02/2010;75056;;3A;10110001110"
           for n, first in enumerate(("Zoé", "Yann", "Xavier"))]


@pytest.fixture()
def school(client):
    org = flow.create_org(client)["org_id"]
    staff = flow.member_token(org, "member")
    response = flow.import_roster(client, org, staff, flow.school_csv(flow.PUPILS + MORE_3A))
    assert response.status_code == 200, response.body
    return org, staff


def routes(org: str, cid: str) -> list[tuple[str, str, dict | None]]:
    return [("GET", f"/organizations/{org}/divisions", None),
            ("GET", f"/organizations/{org}/division-roster?division=3A", None),
            ("POST", f"/organizations/{org}/learner-accounts", {"division": "3A"}),
            ("POST", f"/organizations/{org}/credentials-sheet", {"slips": [SLIP]}),
            ("GET", f"/organizations/{org}/campaigns/{cid}/progress", None),
            ("GET", f"/organizations/{org}/campaigns/{cid}/competence-profile", None),
            ("GET", f"/organizations/{org}/campaigns/{cid}/results", None),
            ("GET", f"/organizations/{org}/campaigns/{cid}/results/export", None)]


PDF = {"Accept": "application/pdf"}
SLIP = {"first_name": "Léa", "last_name": "Dupont", "division": "3A", "username": "lea.dupont",
        "temporary_password": "Bc3dfGh7kP"}


def test_classes_list_pupils_with_their_account_status(client, school):
    org, staff = school
    classes = js(call(client, "GET", f"/organizations/{org}/divisions", token=staff))["items"]
    assert classes == [{"division": "3A", "pupils": 5, "left": 0},
                       {"division": "3B", "pupils": 1, "left": 0}]
    created = js(call(client, "POST", f"/organizations/{org}/learners/123456789AB/account",
                      token=staff))
    roster = js(call(client, "GET", f"/organizations/{org}/division-roster?division=3A", token=staff))
    assert [p["last_name"] for p in roster["items"]][:2] == ["Dupont", "ÉlèveA"]
    status = {p["learner_id"]: p["has_account"] for p in roster["items"]}
    assert status["123456789AB"] is True and created["username"]
    assert sum(status.values()) == 1
    missing = call(client, "GET", f"/organizations/{org}/division-roster?division=6Z", token=staff)
    assert missing.status_code == 404 and js(missing)["error"]["code"] == "division_not_found"
    assert call(client, "GET", f"/organizations/{org}/division-roster", token=staff).status_code == 400


def test_class_accounts_are_created_once_in_batches_and_can_sign_in(client, school, monkeypatch):
    from chalicelib.services import pupil_accounts

    org, staff = school
    monkeypatch.setattr(pupil_accounts, "ACCOUNTS_PER_CALL", 3)
    first = call(client, "POST", f"/organizations/{org}/learner-accounts", token=staff,
                 body={"division": "3A"})
    assert first.status_code == 201, first.body
    first = js(first)
    assert (len(first["created"]), first["already"], first["remaining"]) == (3, 0, 2)
    second = js(call(client, "POST", f"/organizations/{org}/learner-accounts", token=staff,
                     body={"division": "3A"}))
    assert (len(second["created"]), second["already"], second["remaining"]) == (2, 3, 0)
    again = js(call(client, "POST", f"/organizations/{org}/learner-accounts", token=staff,
                    body={"division": "3A"}))
    assert (again["created"], again["already"], again["remaining"]) == ([], 5, 0)
    made = first["created"] + second["created"]
    assert len({m["learner_id"] for m in made}) == 5 and {m["division"] for m in made} == {"3A"}
    lea = next(m for m in made if m["learner_id"] == "123456789AB")
    assert (lea["first_name"], lea["last_name"]) == ("Léa", "Dupont")
    signed = call(client, "POST", "/auth/token",
                  body={"login": lea["username"], "password": lea["temporary_password"]})
    assert signed.status_code == 200, signed.body
    roster = js(call(client, "GET", f"/organizations/{org}/division-roster?division=3A", token=staff))
    assert all(p["has_account"] for p in roster["items"])
    unknown = call(client, "POST", f"/organizations/{org}/learner-accounts", token=staff,
                   body={"division": "6Z"})
    assert unknown.status_code == 404


def test_the_credentials_sheet_is_a_pdf_of_slips(client, school):
    org, staff = school
    sheet = call(client, "POST", f"/organizations/{org}/credentials-sheet", token=staff,
                 body={"slips": [SLIP] * 11}, headers={"Accept": "application/pdf"})
    assert sheet.status_code == 200, sheet.body
    assert sheet.headers["Content-Type"] == "application/pdf"
    assert sheet.body.startswith(b"%PDF") and sheet.body.count(b"/Type /Page\n") == 2
    assert "no-store" in sheet.headers["Cache-Control"]
    empty = call(client, "POST", f"/organizations/{org}/credentials-sheet", token=staff,
                 body={"slips": []}, headers=PDF)
    assert empty.status_code == 400
    unprintable = call(client, "POST", f"/organizations/{org}/credentials-sheet", token=staff,
                       body={"slips": [{**SLIP, "last_name": "王"}]}, headers=PDF)
    assert unprintable.status_code == 409 and js(unprintable)["error"]["code"] == "sheet_unavailable"


def seed_participations(campaign_id: str, org: str, rows: list[tuple[str, str, bool]]) -> None:
    from chalicelib.store import organizations as store

    now = int(time.time())
    store.batch_put([store.ParticipationRecord(
        f"CAMPAIGN#{campaign_id}", f"PART#u{n}", campaign_id=campaign_id, org_id=org,
        user_id=f"u{n}", learner_id=None, first_name=first, last_name=f"Nom{n}", division=division,
        joined_at=now, shared_at=now * 1000 if shared else None)
        for n, (first, division, shared) in enumerate(rows)])


def test_progress_per_class_and_per_pupil(client, school):
    org, staff = school
    cid = create_campaign(client, org, staff)["campaign_id"]
    seed_participations(cid, org, [("Léa", "3A", True), ("Hugo", "3A", False),
                                   ("Awa", "3B", True), ("Adulte", "", False)])
    whole = js(call(client, "GET", f"/organizations/{org}/campaigns/{cid}/progress", token=staff))
    assert whole["classes"] == [{"division": None, "joined": 1, "shared": 0},
                                {"division": "3A", "joined": 2, "shared": 1},
                                {"division": "3B", "joined": 1, "shared": 1}]
    assert (whole["joined"], whole["shared"], whole["pupils"]) == (4, 2, None)
    one = js(call(client, "GET", f"/organizations/{org}/campaigns/{cid}/progress?division=3A",
                  token=staff))
    assert [(p["first_name"], p["shared_at"] is not None) for p in one["pupils"]] == [
        ("Léa", True), ("Hugo", False)]
    no_class = js(call(client, "GET", f"/organizations/{org}/campaigns/{cid}/progress?division=",
                       token=staff))
    assert [p["first_name"] for p in no_class["pupils"]] == ["Adulte"]


def test_competence_profile_counts_pupils_per_level(client, school):
    from chalicelib.store import organizations as store

    org, staff = school
    cid = create_campaign(client, org, staff, competences=["1.1", "2.1"])["campaign_id"]
    now = int(time.time() * 1000)
    levels = [("3A", {"1.1": (20, 2), "2.1": (8, 1)}), ("3A", {"1.1": (32, 4)}),
              ("3B", {"1.1": (0, 0), "2.1": (40, 5)})]
    store.batch_put([store.ResultRecord(
        f"CAMPAIGN#{cid}", store.result_sk(now + n, f"u{n}"), campaign_id=cid, user_id=f"u{n}",
        learner_id=None, first_name="P", last_name=f"N{n}", division=division, shared_at=now + n,
        progress=100, mastery=50, total_pix=1, certifiable=False,
        competences=store.competences_json(comp)) for n, (division, comp) in enumerate(levels)])
    class_a = js(call(client, "GET", f"/organizations/{org}/campaigns/{cid}/competence-profile"
                      "?division=3A", token=staff))
    assert class_a["pupils"] == 2
    c11, c21 = class_a["competences"]
    assert (c11["code"], c11["mean_level"], c11["by_level"][2], c11["by_level"][4]) == ("1.1", 3.0, 1, 1)
    assert c11["title"] and len(c11["by_level"]) == 9
    assert (c21["mean_level"], c21["by_level"][0], c21["by_level"][1]) == (0.5, 1, 1)
    everyone = js(call(client, "GET", f"/organizations/{org}/campaigns/{cid}/competence-profile",
                       token=staff))
    assert everyone["pupils"] == 3 and everyone["competences"][1]["mean_level"] == 2.0


def test_members_read_results_and_the_csv_of_their_school(client, school):
    org, staff = school
    cid = create_campaign(client, org, staff)["campaign_id"]
    seed_results(org, cid, 3)
    listed = call(client, "GET", f"/organizations/{org}/campaigns/{cid}/results?limit=2", token=staff)
    assert listed.status_code == 200 and len(js(listed)["items"]) == 2
    page = call(client, "GET", f"/organizations/{org}/campaigns/{cid}/results/export", token=staff)
    assert page.status_code == 200 and page.body.decode("utf-8").count("\n") == 4


def test_nobody_outside_the_school_reaches_these_routes(client, school):
    org, staff = school
    cid = create_campaign(client, org, staff)["campaign_id"]
    other = flow.create_org(client, name="Collège B", uai="0750003C")["org_id"]
    outsider = flow.member_token(other, "admin")
    other_cid = create_campaign(client, other, outsider)["campaign_id"]
    pupil = make_token("pupil-1")
    results_only = flow.client_token(org, scopes=("campaign-results",), client_id="portal-r")
    for method, path, body in routes(org, cid):
        for token, who in ((outsider, "member of another school"), (pupil, "pupil"), (None, "nobody")):
            response = call(client, method, path, token=token, body=body, headers=PDF)
            assert response.status_code == (401 if token is None else 403), (who, path, response.body)
    # a client's scope opens only its own routes: campaign results, not pupils' passwords
    reached = {path.split("?")[0].rsplit("/", 1)[-1]: call(client, m, path, token=results_only,
                                                            body=b, headers=PDF).status_code
               for m, path, b in routes(org, cid)}
    assert reached == {"divisions": 403, "division-roster": 403, "learner-accounts": 403,
                       "credentials-sheet": 403, "progress": 200, "competence-profile": 200,
                       "results": 200, "export": 200}
    # the other school's campaign id, under this school's URL: 404, as if it did not exist
    for path in (f"/organizations/{org}/campaigns/{other_cid}/progress",
                 f"/organizations/{org}/campaigns/{other_cid}/competence-profile"):
        assert call(client, "GET", path, token=staff).status_code == 404


# --- certification ---------------------------------------------------------------------------------


@pytest.fixture()
def certified(client):
    """A lycée whose 3A is enrolled in a session of its centre; Léa's
    certificate is published, Hugo's is issued but not published."""
    from chalicelib.store import certification as store
    from tests.api import cert_flow
    from tests.api.test_school_certification import UAI, certificate

    org = flow.create_org(client, name="Lycée Victor Hugo", type="lycee", uai=UAI)["org_id"]
    staff = flow.member_token(org, "member")
    assert flow.import_roster(client, org, staff, flow.school_csv()).status_code == 200
    centre_id, centre_staff = cert_flow.create_centre(client, uai=UAI)
    sid = cert_flow.create_session(client, centre_id, centre_staff)["session_id"]
    enrolled = call(client, "POST", f"/organizations/{org}/certification-sessions/{sid}/enrolments",
                    token=staff, body={"division": "3A"})
    assert enrolled.status_code == 201, enrolled.body
    # an adult of the centre, not of the school's roster, in the same session
    cert_flow.enrol(client, centre_id, sid, centre_staff, first="Paul", last="Adulte")
    for cand in store.candidates(sid):
        course = {"123456789AB": "c1", "234567890CD": "c2"}.get(cand.ine)
        if course:
            cand.course_id = course
            cand.save()
    certificate("c1", UAI, "123456789AB")
    certificate("c2", UAI, "234567890CD", published=False)
    return org, staff, sid


def test_the_school_follows_its_sessions_and_published_results(client, certified):
    org, staff, sid = certified
    sessions = js(call(client, "GET", f"/organizations/{org}/certification-sessions", token=staff))
    assert [s["session_id"] for s in sessions["items"]] == [sid]
    one = js(call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}", token=staff))
    assert [(p["last_name"], p["division"], p["joined"]) for p in one["pupils"]] == [
        ("Dupont", "3A", True), ("Martin", "3A", True)]  # the centre's adult is not the school's
    lea, hugo = one["pupils"]
    shown = {k: lea["result"][k] for k in ("status", "global_score", "level", "level_label",
                                           "verification_code")}
    assert shown == {"status": "validated", "global_score": 310, "level": 3,
                     "level_label": "Indépendant 3", "verification_code": "P-TEST00C1"}
    assert len(lea["result"]["competences"]) == 16  # a validated result carries its levels
    assert hugo["result"] is None  # not published: nothing yet, as for the pupil


def test_a_class_attestations_come_in_one_pdf(client, certified):
    from chalicelib.store import certification as store

    org, staff, sid = certified
    pdf = call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}/attestations"
               "?division=3A", token=staff, headers=PDF)
    assert pdf.status_code == 200, pdf.body
    assert pdf.body.startswith(b"%PDF") and pdf.body.count(b"/Type /Page\n") == 1
    assert 'filename="attestations-3A.pdf"' in pdf.headers["Content-Disposition"]
    rec = store.certificate("c2")
    rec.published = True
    rec.save()
    both = call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}/attestations",
                token=staff, headers=PDF)
    assert both.status_code == 200 and both.body.count(b"/Type /Page\n") == 2
    none = call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}/attestations"
                "?division=3B", token=staff, headers=PDF)
    assert none.status_code == 404 and js(none)["error"]["code"] == "no_attestation"


def test_certification_routes_stay_within_the_school(client, certified):
    org, staff, sid = certified
    other = flow.create_org(client, name="Lycée B", type="lycee", uai="0750009K")["org_id"]
    outsider = flow.member_token(other, "admin")
    paths = (f"/organizations/{org}/certification-sessions",
             f"/organizations/{org}/certification-sessions/{sid}",
             f"/organizations/{org}/certification-sessions/{sid}/attestations")
    for path in paths:
        for token in (outsider, make_token("pupil-1"),
                      flow.client_token(org, scopes=("campaign-results",), client_id="p2")):
            assert call(client, "GET", path, token=token, headers=PDF).status_code == 403, path
    # school B, through its own URL, cannot read school A's session (another UAI)
    for path in (f"/organizations/{other}/certification-sessions/{sid}",
                 f"/organizations/{other}/certification-sessions/{sid}/attestations"):
        assert call(client, "GET", path, token=outsider, headers=PDF).status_code == 404, path
    assert js(call(client, "GET", f"/organizations/{other}/certification-sessions",
                   token=outsider))["items"] == []

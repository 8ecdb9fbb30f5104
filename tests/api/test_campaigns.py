"""Campaigns over HTTP: creation, the learner's journey (code, reconciliation,
join, positioning, share), results as JSON pages and CSV pages, isolation
between organisations. The 6,000-participant export is checked in
tests/unit/test_campaigns.py and measured by scripts/bench_roster.py."""
from __future__ import annotations

import csv
import io
import time

import pytest

from tests.api import org_flow as flow
from tests.api import users
from tests.api.answers import correct_answer, make_certifiable, opened
from tests.api.helpers import call, js
from tests.conftest import make_token

LEA = {"first_name": "lea", "last_name": "DUPONT", "birth_date": "2010-05-14"}


@pytest.fixture()
def school(client):
    org = flow.create_org(client)["org_id"]
    portal = flow.client_token(org)
    assert flow.import_roster(client, org, portal, flow.school_csv()).status_code == 200
    return org, portal


def create_campaign(client, org, token, expect=201, **body):
    body = {"name": "Évaluation 3e", "type": "assessment", "competences": ["1.1"], **body}
    response = call(client, "POST", f"/organizations/{org}/campaigns", token=token, body=body)
    assert response.status_code == expect, response.body
    return js(response)


def results(client, org, campaign_id, token, query=""):
    return call(client, "GET", f"/organizations/{org}/campaigns/{campaign_id}/results{query}",
                token=token)


def export(client, org, campaign_id, token, query=""):
    return call(client, "GET", f"/organizations/{org}/campaigns/{campaign_id}/results/export{query}",
                token=token)


def seed_results(org_id: str, campaign_id: str, count: int) -> None:
    """Shared results as `share` writes them (the share path itself is tested below)."""
    from chalicelib.store import organizations as store

    now = int(time.time() * 1000)
    store.batch_put([store.ResultRecord(
        f"CAMPAIGN#{campaign_id}", store.result_sk(now + n, f"user-{n}"), campaign_id=campaign_id,
        user_id=f"user-{n}", learner_id=f"{n:09d}AB", first_name="Léa", last_name=f"Nom{n}",
        division="3A", shared_at=now + n, progress=100, mastery=50, total_pix=40, certifiable=False,
        competences=store.competences_json({"1.1": (10, 1)})) for n in range(count)])


def test_campaigns_are_created_with_a_code_and_a_frozen_target(client, school):
    org, portal = school
    staff = flow.member_token(org, "member")
    assessment = create_campaign(client, org, staff, competences=["1.1"])
    assert len(assessment["code"]) == 9 and assessment["type"] == "assessment"
    assert assessment["competences"] == ["1.1"] and assessment["target_skills_count"] > 10
    narrow = create_campaign(client, org, staff, competences=[], tubes=["@adresseWeb"])
    assert narrow["target_skills"] == ["@adresseWeb1", "@adresseWeb2", "@adresseWeb3"]
    collection = create_campaign(client, org, portal, name="Collecte", type="profile_collection",
                                 competences=[])
    assert len(collection["competences"]) == 16 and collection["target_skills"] == []

    listed = js(call(client, "GET", f"/organizations/{org}/campaigns", token=portal))["items"]
    assert {c["campaign_id"] for c in listed} == {assessment["campaign_id"], narrow["campaign_id"],
                                                  collection["campaign_id"]}
    one = js(call(client, "GET", f"/organizations/{org}/campaigns/{assessment['campaign_id']}",
                  token=staff))
    assert one["target_skills"] == assessment["target_skills"]

    create_campaign(client, org, staff, expect=400, competences=[])
    create_campaign(client, org, staff, expect=400, type="profile_collection")
    unknown = create_campaign(client, org, staff, expect=400, competences=["9.9"])
    assert unknown["error"]["code"] == "unknown_target"


def answer_until_completed(client, learner, code: str) -> None:
    state = js(call(client, "POST", f"/me/competences/{code}/assessment", token=learner))
    for _ in range(60):
        if state["status"] == "completed":
            return
        served = opened(client, f"/me/competences/{code}/assessment", learner, state["item"])
        item_id = served["id"]
        response = call(client, "POST", f"/me/competences/{code}/assessment/answers", token=learner,
                        body={"item_id": item_id, "answer": correct_answer(served)})
        assert response.status_code == 200, response.body
        state = js(response)["assessment"]
    raise AssertionError("the positioning test did not end")


def count_items() -> int:
    from chalicelib.store.tables import OrganizationsTable

    return sum(1 for _ in OrganizationsTable.scan())


def test_a_pupil_reconciles_joins_is_positioned_and_shares(client, school):
    org, portal = school
    campaign = create_campaign(client, org, flow.member_token(org), competences=["1.1", "2.1"])
    code, cid = campaign["code"], campaign["campaign_id"]
    pupil = make_token("pupil-lea")

    seen = js(call(client, "GET", f"/campaigns/{code.lower()}", token=pupil))
    assert (seen["requires_reconciliation"], seen["reconciled"], seen["joined"]) == (True, False, False)
    assert seen["organization"]["name"] == "Collège Jean Moulin"
    refused = call(client, "POST", f"/campaigns/{code}/participation", token=pupil)
    assert refused.status_code == 409 and js(refused)["error"]["code"] == "reconciliation_required"

    wrong = call(client, "POST", f"/campaigns/{code}/reconciliation", token=pupil,
                 body={**LEA, "birth_date": "2010-05-15"})
    assert wrong.status_code == 404
    found = call(client, "POST", f"/campaigns/{code}/reconciliation", token=pupil, body=LEA)
    assert found.status_code == 200, found.body
    # issue 13, point 10: whoever knows names and birth date learns neither INE nor class
    assert js(found) == {"org_id": org, "reconciled": True, "first_name": "Léa",
                         "last_name": "Dupont"}
    assert b"123456789AB" not in found.body and b"3A" not in found.body
    # the school sees the link
    assert js(call(client, "GET", f"/organizations/{org}/learners/123456789AB",
                   token=portal))["reconciled"] is True
    taken = call(client, "POST", f"/campaigns/{code}/reconciliation", token=make_token("someone-else"),
                 body=LEA)
    assert taken.status_code == 409 and js(taken)["error"]["code"] == "learner_already_reconciled"

    joined = call(client, "POST", f"/campaigns/{code}/participation", token=pupil)
    assert joined.status_code == 201, joined.body
    view = js(joined)
    assert (view["progress"], view["can_share"], view["shared_at"]) == (0, False, None)
    assert view["reconciled"] is True and b"123456789AB" not in joined.body
    assert js(call(client, "POST", f"/campaigns/{code}/participation", token=pupil))["joined_at"] \
        == view["joined_at"]  # joining twice is harmless

    # nothing is visible before sharing
    assert js(results(client, org, cid, portal))["items"] == []
    assert js(call(client, "POST", f"/me/campaign-participations/{cid}/share",
                   token=pupil))["error"]["code"] == "campaign_not_finished"

    # answers write no campaign item: progress comes from the learner's own positioning state
    before = count_items()
    answer_until_completed(client, pupil, "1.1")
    assert count_items() == before
    halfway = js(call(client, "GET", f"/me/campaign-participations/{cid}", token=pupil))
    assert 40 <= halfway["progress"] < 100 and not halfway["can_share"]
    assert [c["status"] for c in halfway["competences"]] == ["completed", "not_started"]

    make_certifiable("pupil-lea", competences=("1.2", "1.3", "2.1", "2.2"))
    done = js(call(client, "GET", f"/me/campaign-participations/{cid}", token=pupil))
    assert done["progress"] == 100 and done["can_share"]
    shared = call(client, "POST", f"/me/campaign-participations/{cid}/share", token=pupil)
    assert shared.status_code == 200, shared.body
    result = js(shared)["result"]
    assert result["certifiable"] is True and result["progress"] == 100
    assert 0 < result["mastery_percent"] <= 100
    assert [c["code"] for c in result["competences"]] == ["1.1", "2.1"]
    again = js(call(client, "POST", f"/me/campaign-participations/{cid}/share", token=pupil))
    assert again["shared_at"] == js(shared)["shared_at"]

    listed = js(results(client, org, cid, portal))
    assert len(listed["items"]) == 1 and listed["next_cursor"] is None
    row = listed["items"][0]
    assert (row["learner_id"], row["last_name"], row["first_name"], row["division"]) == (
        "123456789AB", "Dupont", "Léa", "3A")
    assert row["competences"] == result["competences"]

    page = export(client, org, cid, portal)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/csv")
    assert "X-Next-Cursor" not in page.headers
    text = page.body.decode("utf-8")
    assert text.startswith("\ufeffNom;Prénom;INE;Classe;Date d'envoi;Progression (%);"
                           "Maîtrise du profil cible (%);Pix total;Certifiable;Niveau 1.1 ")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][:3] == ["Dupont", "Léa", "123456789AB"] and rows[1][8] == "Oui"

    mine = js(call(client, "GET", "/me/campaign-participations", token=pupil))["items"]
    assert [m["campaign_id"] for m in mine] == [cid] and mine[0]["shared_at"]


def test_a_student_shares_a_profile_collection_without_roster(client):
    org = flow.create_org(client, name="Université", type="higher_education", uai=None)["org_id"]
    portal = flow.client_token(org)
    campaign = create_campaign(client, org, portal, type="profile_collection", competences=[])
    student, tokens = users.new_user(client)
    learner = tokens["access_token"]
    seen = js(call(client, "GET", f"/campaigns/{campaign['code']}", token=learner))
    assert seen["requires_reconciliation"] is False
    joined = js(call(client, "POST", f"/campaigns/{campaign['code']}/participation", token=learner))
    assert joined["can_share"] and joined["progress"] == 100
    shared = js(call(client, "POST", f"/me/campaign-participations/{campaign['campaign_id']}/share",
                     token=learner))
    result = shared["result"]
    assert (result["mastery_percent"], result["total_pix"], result["certifiable"]) == (None, 0, False)
    assert len(result["competences"]) == 16 and result["learner_id"] is None
    assert result["last_name"] == student["last_name"]
    text = export(client, org, campaign["campaign_id"], portal).body.decode("utf-8")
    assert text.startswith("\ufeffNom;Prénom;Numéro étudiant;Groupe;Date d'envoi;Progression (%);"
                           "Pix total;Certifiable;")

    data = js(call(client, "GET", "/me/data", token=learner))["features"]["organizations"]
    assert data["campaign_participations"][0]["campaign_id"] == campaign["campaign_id"]
    assert call(client, "DELETE", "/me", token=learner,
                body={"password": users.PASSWORD}).status_code == 204
    assert js(results(client, org, campaign["campaign_id"], portal))["items"] == []


def test_results_and_csv_come_in_pages_that_join_into_one_file(client, school):
    org, portal = school
    cid = create_campaign(client, org, portal)["campaign_id"]
    seed_results(org, cid, 5)
    seen, cursor = [], ""
    for _ in range(5):
        page = js(results(client, org, cid, portal, f"?limit=2{cursor}"))
        seen += [r["learner_id"] for r in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [f"{n:09d}AB" for n in range(5)]

    texts, query = [], "?limit=2"
    for _ in range(5):
        page = export(client, org, cid, portal, query)
        assert page.status_code == 200
        texts.append(page.body.decode("utf-8"))
        if "X-Next-Cursor" not in page.headers:
            break
        assert page.headers["Link"].endswith('>; rel="next"')
        query = page.headers["Link"].split("?", 1)[1].split(">", 1)[0]
        query = "?" + query
    assert len(texts) == 3 and texts[0].startswith("\ufeffNom;") and not texts[1].startswith("\ufeff")
    rows = list(csv.reader(io.StringIO("".join(texts).lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 6 and [r[2] for r in rows[1:]] == seen

    assert results(client, org, cid, portal, "?cursor=bm9wZQ").status_code == 400
    assert results(client, org, cid, portal, "?limit=1000").status_code == 400
    assert export(client, org, cid, portal, "?limit=100000").status_code == 400


def test_another_organisation_gets_nothing_of_these_campaigns(client, school):
    org, portal = school
    cid = create_campaign(client, org, portal)["campaign_id"]
    seed_results(org, cid, 3)
    other = flow.create_org(client, name="Collège B", uai="0750003C")["org_id"]
    intruder = flow.client_token(other)
    own_cid = create_campaign(client, other, intruder)["campaign_id"]

    for path in (f"/organizations/{org}/campaigns", f"/organizations/{org}/campaigns/{cid}",
                 f"/organizations/{org}/campaigns/{cid}/results",
                 f"/organizations/{org}/campaigns/{cid}/results/export"):
        assert call(client, "GET", path, token=intruder).status_code == 403, path
    for path in (f"/organizations/{other}/campaigns/{cid}",
                 f"/organizations/{other}/campaigns/{cid}/results",
                 f"/organizations/{other}/campaigns/{cid}/results/export"):
        assert call(client, "GET", path, token=intruder).status_code == 404, path
    listed = js(call(client, "GET", f"/organizations/{other}/campaigns", token=intruder))["items"]
    assert [c["campaign_id"] for c in listed] == [own_cid]
    assert call(client, "POST", f"/organizations/{org}/campaigns", token=intruder,
                body={"name": "x", "type": "profile_collection"}).status_code == 403

    # a cursor of school A's results only positions inside B's own campaign
    cursor = js(results(client, org, cid, portal, "?limit=1"))["next_cursor"]
    assert js(results(client, other, own_cid, intruder, f"?cursor={cursor}"))["items"] == []
    page = export(client, other, own_cid, intruder, f"?cursor={cursor}")
    assert page.status_code == 200 and page.body == b""

    # results are for the API client holding the scope
    no_scope = flow.client_token(org, scopes=("certification-results",), client_id="c2")
    assert results(client, org, cid, no_scope).status_code == 403
    assert export(client, org, cid, no_scope).status_code == 403


def test_unknown_codes_and_participations(client):
    learner = make_token("learner-1")
    assert call(client, "GET", "/campaigns/NOPE12345", token=learner).status_code == 404
    assert call(client, "POST", "/campaigns/NOPE12345/participation", token=learner).status_code == 404
    assert call(client, "GET", "/me/campaign-participations/nope", token=learner).status_code == 404
    assert call(client, "POST", "/me/campaign-participations/nope/share",
                token=learner).status_code == 404

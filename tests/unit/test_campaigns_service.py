"""Campaign rules at service level, on the in-memory repositories (no moto):
unique codes, joining once (after reconciliation in a school), sharing once
and only when finished, frozen results paged in sharing order, personal data.
The learner's positioning is a stand-in: campaigns only ask it two questions.
HTTP, roles and the CSV file as served stay in tests/api/test_campaigns.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.organization import Organization
from chalicelib.services import accounts, campaigns, organizations, positioning
from chalicelib.services.campaigns import CampaignInput
from tests.unit.fakes import InMemoryCampaigns, InMemoryOrganizations

SCHOOL, UNIVERSITY = "org-school", "org-univ"


class Positioning:
    """What campaigns ask positioning: each competence's status and answers, and
    the profile frozen at share."""

    def __init__(self) -> None:
        self.status: dict[str, dict[str, str]] = {}   # user -> competence -> status

    def answers_by_competence(self, user_id: str) -> dict:
        return {code: positioning.CompetenceAnswers(status, ())
                for code, status in self.status.get(user_id, {}).items()}

    def profile(self, user_id: str) -> dict:
        done = self.status.get(user_id, {})
        competences = [{"code": code, "pix": 16 if code in done else 0, "level": 2 if code in done else 0}
                       for code in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2",
                                    "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2")]
        return {"competences": competences, "total_pix": sum(c["pix"] for c in competences),
                "certifiable": len(done) >= 5}


class Rosters:
    """The roster side: which account reconciled with which pupil."""

    def __init__(self) -> None:
        self.learners: dict[tuple[str, str], SimpleNamespace] = {}
        self.erased: list[str] = []

    def linked_learner(self, org_id: str, user_id: str):
        return self.learners.get((org_id, user_id))

    def export_links(self, user_id: str) -> list:
        return []

    def erase_links(self, user_id: str) -> None:
        self.erased.append(user_id)


@pytest.fixture()
def world(monkeypatch):
    repo, orgs, learner, roster = InMemoryCampaigns(), InMemoryOrganizations(), Positioning(), Rosters()
    monkeypatch.setattr(campaigns, "store", repo)
    monkeypatch.setattr(organizations, "store", orgs)
    monkeypatch.setattr(campaigns, "rosters", roster)
    monkeypatch.setattr(positioning, "answers_by_competence", learner.answers_by_competence)
    monkeypatch.setattr(positioning, "profile", learner.profile)
    monkeypatch.setattr(accounts, "get_user", lambda uid: SimpleNamespace(
        id=uid, first_name="Ada", last_name="Lovelace") if uid.startswith("user") else None)
    orgs.create_organization(Organization(SCHOOL, "Collège Jean Moulin", "college", "0750001A", 1))
    orgs.create_organization(Organization(UNIVERSITY, "Université", "higher_education", None, 2))
    return SimpleNamespace(repo=repo, positioning=learner, roster=roster)


def assessment(name="Évaluation 1.1") -> CampaignInput:
    return CampaignInput(name=name, type="assessment", competences=["1.1"])


def collection(name="Collecte") -> CampaignInput:
    return CampaignInput(name=name, type="profile_collection")


def test_a_code_already_taken_is_drawn_again_and_exhaustion_is_a_conflict(world, monkeypatch):
    draws = iter(["BCDFGH234"] * 3 + ["BCDFGH235"])
    monkeypatch.setattr(campaigns, "campaign_code", lambda: next(draws))
    first = campaigns.create(UNIVERSITY, collection(), "admin")
    second = campaigns.create(UNIVERSITY, collection("Autre"), "admin")
    assert (first["code"], second["code"]) == ("BCDFGH234", "BCDFGH235")
    assert len(world.repo.campaigns) == 2
    monkeypatch.setattr(campaigns, "campaign_code", lambda: "BCDFGH234")
    with pytest.raises(Conflict) as err:
        campaigns.create(UNIVERSITY, collection("Trop"), "admin")
    assert err.value.code == "campaign_code_exhausted" and len(world.repo.campaigns) == 2


def test_targets_are_frozen_at_creation_and_listed_newest_first(world, monkeypatch):
    clock = iter([1_000, 2_000])
    monkeypatch.setattr(campaigns.time, "time", lambda: next(clock))
    target = campaigns.create(UNIVERSITY, assessment(), "admin")
    profile = campaigns.create(UNIVERSITY, collection(), None)
    assert target["competences"] == ["1.1"] and target["target_skills"]
    assert target["target_skills_count"] == len(target["target_skills"])
    assert len(profile["competences"]) == 16 and profile["target_skills"] == []
    assert campaigns.get(UNIVERSITY, target["campaign_id"]) == target
    listed = campaigns.list_for_org(UNIVERSITY)["items"]
    assert [c["campaign_id"] for c in listed] == [profile["campaign_id"], target["campaign_id"]]
    assert "target_skills" not in listed[0]
    with pytest.raises(NotFound):       # another organisation's campaign is not found
        campaigns.get(SCHOOL, target["campaign_id"])
    with pytest.raises(NotFound):
        campaigns.list_for_org("nope")


def test_joining_is_once_and_a_school_needs_its_roster_first(world):
    code = campaigns.create(SCHOOL, collection(), "admin")["code"]
    with pytest.raises(Conflict) as err:
        campaigns.join("user-1", code.lower())
    assert err.value.code == "reconciliation_required" and not world.repo.participations
    world.roster.learners[(SCHOOL, "user-1")] = SimpleNamespace(
        learner_id="123456789AB", first_names="Léa Marie", usage_name="", last_name="Dupont",
        division="3A")
    world.repo.links.add((SCHOOL, "user-1"))
    joined = campaigns.join("user-1", code)
    again = campaigns.join("user-1", code)
    assert joined == again and joined["reconciled"] and len(world.repo.participations) == 1
    part = next(iter(world.repo.participations.values()))
    assert (part.first_name, part.last_name, part.division) == ("Léa", "Dupont", "3A")
    seen = campaigns.by_code("user-1", code)
    assert seen["joined"] and seen["reconciled"] and seen["requires_reconciliation"]
    with pytest.raises(NotFound) as err:
        campaigns.join("user-1", "ZZZZZZ999")
    assert err.value.code == "campaign_not_found"


def test_outside_a_school_the_account_names_the_participant(world):
    code = campaigns.create(UNIVERSITY, collection(), "admin")["code"]
    joined = campaigns.join("user-2", code)
    assert not joined["reconciled"] and joined["can_share"] and joined["progress"] == 100
    part = world.repo.participation(joined["campaign"]["campaign_id"], "user-2")
    assert (part.first_name, part.last_name, part.learner_id, part.division) == ("Ada", "Lovelace", None, "")
    with pytest.raises(NotFound) as err:
        campaigns.join("ghost", code)
    assert err.value.code == "user_not_found"


def test_an_assessment_is_shared_once_and_only_when_finished(world, monkeypatch):
    campaign = campaigns.create(UNIVERSITY, assessment(), "admin")
    cid = campaign["campaign_id"]
    campaigns.join("user-3", campaign["code"])
    world.positioning.status["user-3"] = {"1.1": "started"}
    with pytest.raises(Conflict) as err:
        campaigns.share("user-3", cid)
    assert err.value.code == "campaign_not_finished" and err.value.details == {"progress": 0}
    assert world.repo.participation(cid, "user-3").shared_at is None and not world.repo.results
    world.positioning.status["user-3"] = {"1.1": "completed"}
    clock = iter([1_800_000_000.5, 1_900_000_000.0])
    monkeypatch.setattr(campaigns.time, "time", lambda: next(clock))
    shared = campaigns.share("user-3", cid)
    assert shared["shared_at"] == "2027-01-15T08:00:00+00:00" and not shared["can_share"]
    assert shared["result"]["progress"] == 100 and shared["result"]["mastery_percent"] == 0
    assert shared["result"]["competences"] == [{"code": "1.1", "pix": 16, "level": 2}]
    world.positioning.status["user-3"] = {}              # the profile moves on: the result does not
    assert campaigns.share("user-3", cid)["result"] == shared["result"]
    assert world.repo.participation(cid, "user-3").shared_at == 1_800_000_000_500
    with pytest.raises(NotFound) as err:
        campaigns.share("user-4", cid)
    assert err.value.code == "participation_not_found"


def test_results_page_in_sharing_order_and_the_csv_pages_make_one_file(world, monkeypatch):
    campaign = campaigns.create(UNIVERSITY, collection(), "admin")
    cid = campaign["campaign_id"]
    clock = iter(range(1_800_000_000, 1_800_000_100))
    monkeypatch.setattr(campaigns.time, "time", lambda: next(clock))
    for n in (3, 1, 2):
        campaigns.join(f"user-{n}", campaign["code"])
        campaigns.share(f"user-{n}", cid)
    seen, cursor = [], None
    while True:
        page = campaigns.results(UNIVERSITY, cid, cursor, 2)
        seen += [r["participant_id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["user-3", "user-1", "user-2"]
    first = campaigns.results_csv(UNIVERSITY, cid, None, 2)
    rest = campaigns.results_csv(UNIVERSITY, cid, first.next_cursor, 2)
    lines = (first.text + rest.text).splitlines()
    assert lines[0].startswith("\ufeffNom;Prénom;Numéro étudiant;Groupe") and len(lines) == 4
    assert rest.next_cursor is None and first.filename == f"resultats-{campaign['code']}.csv"


def test_personal_data_lists_then_forgets_participations_and_results(world):
    campaign = campaigns.create(UNIVERSITY, collection(), "admin")
    campaigns.join("user-5", campaign["code"])
    campaigns.share("user-5", campaign["campaign_id"])
    other = campaigns.create(UNIVERSITY, collection("Autre"), "admin")
    campaigns.join("user-5", other["code"])
    mine = {i["campaign_id"]: i for i in campaigns.my_participations("user-5")["items"]}
    assert set(mine) == {campaign["campaign_id"], other["campaign_id"]}
    assert mine[other["campaign_id"]]["shared_at"] is None
    exported = {i["campaign_id"]: i for i in campaigns.export("user-5")["campaign_participations"]}
    assert exported[campaign["campaign_id"]]["shared_result"]["total_pix"] == 0
    assert "shared_result" not in exported[other["campaign_id"]]
    campaigns.erase("user-5")
    assert world.roster.erased == ["user-5"]
    assert not world.repo.participations and not any(world.repo.results.values())
    assert campaigns.my_participations("user-5") == {"items": []}

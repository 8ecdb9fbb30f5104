"""Knowledge elements, pix and levels of a competence (chalicelib.domain.knowledge)."""
from __future__ import annotations

import pytest

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.knowledge import (
    CompetenceProfile,
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    PositioningAnswer,
    competence_level,
    competence_pix,
    competence_profile,
    knowledge_elements,
    shown_pix,
    skills_tested,
)
from tests.unit.skill_banks import bank_from_items, make_bank, make_item

OK, KO = AnswerStatus.OK, AnswerStatus.KO
V, I = KnowledgeStatus.VALIDATED, KnowledgeStatus.INVALIDATED
DIRECT, INFERRED = KnowledgeSource.DIRECT, KnowledgeSource.INFERRED

BANK = make_bank({"@web": [1, 2, 3, 4, 5], "@mail": [1, 2, 3]})


def answer(skill: str, status: AnswerStatus = OK, suffix: str = "a") -> PositioningAnswer:
    tube, level = skill[:-1], int(skill[-1])
    return PositioningAnswer(f"11-{tube[1:].lower()}-{level}{suffix}", status)


def by_skill(elements: list[KnowledgeElement]) -> dict[str, tuple[KnowledgeStatus, KnowledgeSource]]:
    return {e.skill: (e.status, e.source) for e in elements}


def test_an_ok_answer_validates_its_skill_directly():
    (element,) = [e for e in knowledge_elements(BANK, "1.1", [answer("@web1")]) if e.is_direct]
    assert element == KnowledgeElement("@web1", V, DIRECT, "11-web-1a")
    assert element.is_validated


@pytest.mark.parametrize("status", [s for s in AnswerStatus if s is not AnswerStatus.OK])
def test_any_other_status_invalidates_its_skill(status):
    elements = knowledge_elements(BANK, "1.1", [answer("@web5", status)])
    assert elements == [KnowledgeElement("@web5", I, DIRECT, "11-web-5a")]


def test_a_validated_skill_validates_the_easier_untested_skills_of_its_tube():
    elements = by_skill(knowledge_elements(BANK, "1.1", [answer("@web3")]))
    assert elements == {
        "@web3": (V, DIRECT),
        "@web1": (V, INFERRED),
        "@web2": (V, INFERRED),
    }


def test_an_invalidated_skill_invalidates_the_harder_untested_skills_of_its_tube():
    elements = by_skill(knowledge_elements(BANK, "1.1", [answer("@web2", KO)]))
    assert elements == {
        "@web2": (I, DIRECT),
        "@web3": (I, INFERRED),
        "@web4": (I, INFERRED),
        "@web5": (I, INFERRED),
    }


def test_inferred_elements_name_no_item():
    elements = knowledge_elements(BANK, "1.1", [answer("@web3")])
    assert {e.item_id for e in elements if not e.is_direct} == {None}


def test_inference_stays_inside_the_tube():
    elements = knowledge_elements(BANK, "1.1", [answer("@web5"), answer("@mail1", KO)])
    assert skills_tested(elements) == {"@web1", "@web2", "@web3", "@web4", "@web5",
                                       "@mail1", "@mail2", "@mail3"}
    assert all(e.is_validated for e in elements if e.skill.startswith("@web"))
    assert not any(e.is_validated for e in elements if e.skill.startswith("@mail"))


def test_inference_never_overrides_earlier_evidence():
    # web3 ok validates web1-2; a later ko on web1 would invalidate web2-5, but
    # web2 and web3 are already known: only web4 and web5 are inferred.
    elements = by_skill(knowledge_elements(BANK, "1.1", [answer("@web3"), answer("@web1", KO)]))
    assert elements["@web1"] == (I, DIRECT)
    assert elements["@web2"] == (V, INFERRED)
    assert elements["@web3"] == (V, DIRECT)
    assert elements["@web4"] == (I, INFERRED)
    assert elements["@web5"] == (I, INFERRED)


def test_direct_evidence_beats_inferred_evidence_in_both_directions():
    # web2 ko infers web4 invalidated; answering web4 ok directly wins.
    elements = by_skill(knowledge_elements(BANK, "1.1", [answer("@web2", KO), answer("@web4")]))
    assert elements["@web4"] == (V, DIRECT)
    assert elements["@web3"] == (I, INFERRED)  # inferred first, not re-inferred
    # web4 ok infers web3 validated; answering web3 ko directly wins.
    elements = by_skill(knowledge_elements(BANK, "1.1", [answer("@web4"), answer("@web3", KO)]))
    assert elements["@web3"] == (I, DIRECT)
    assert elements["@web2"] == (V, INFERRED)


def test_the_latest_direct_answer_on_a_skill_counts():
    bank = make_bank({"@web": [1, 2]}, items_per_skill=2)
    elements = knowledge_elements(bank, "1.1", [answer("@web2", KO), answer("@web2", OK, "b")])
    assert by_skill(elements)["@web2"] == (V, DIRECT)
    assert [e.item_id for e in elements if e.skill == "@web2"] == ["11-web-2b"]


def test_answers_outside_the_competence_or_the_bank_are_ignored():
    bank = bank_from_items([make_item("1.1", "@web", 1), make_item("2.1", "@chat", 1)])
    answers = [PositioningAnswer("21-chat-1a", OK), PositioningAnswer("gone-item", OK)]
    assert knowledge_elements(bank, "1.1", answers) == []


def test_elements_keep_the_order_of_the_evidence():
    elements = knowledge_elements(BANK, "1.1", [answer("@mail2", KO), answer("@web2")])
    assert [e.skill for e in elements] == ["@mail2", "@mail3", "@web2", "@web1"]


# --- pix and level -------------------------------------------------------------


def test_competence_pix_sums_the_validated_skills_pix_values():
    # levels 1-3 have 2 skills each (4 pix each), levels 4-5 one skill (capped at 4 pix)
    elements = knowledge_elements(BANK, "1.1", [answer("@web4"), answer("@mail1", KO)])
    assert competence_pix(elements, BANK, "1.1") == pytest.approx(4 * 4)


def test_pix_ignore_other_competences():
    bank = bank_from_items([make_item("1.1", "@web", 1), make_item("2.1", "@chat", 1)])
    elements = knowledge_elements(bank, "2.1", [PositioningAnswer("21-chat-1a", OK)])
    assert competence_pix(elements, bank, "2.1") == 4
    assert competence_pix(elements, bank, "1.1") == 0


def test_thirds_of_pix_add_up_to_a_whole_level():
    bank = make_bank({"@a": [1], "@b": [1], "@c": [1]})  # 3 skills at level 1: 8/3 pix each
    elements = knowledge_elements(bank, "1.1", [answer("@a1"), answer("@b1"), answer("@c1")])
    pix = competence_pix(elements, bank, "1.1")
    assert shown_pix(pix) == 8
    assert competence_level(pix) == 1


@pytest.mark.parametrize(
    "pix, max_level, level",
    [(0, 6, 0), (7.99, 6, 0), (8, 6, 1), (47.5, 6, 5), (48, 6, 6), (64, 6, 6), (64, 7, 7), (64, 8, 8)],
)
def test_level_is_pix_over_8_capped_at_the_highest_open_level(pix, max_level, level):
    assert competence_level(pix, max_level) == level


def test_shown_pix_are_rounded_down_and_capped():
    assert shown_pix(17.9) == 17
    assert shown_pix(63.0) == 56                     # the open level is 7 (framework.MAX_OPEN_LEVEL)
    assert shown_pix(55.0, max_reachable_level=6) == 48
    assert shown_pix(55.0, max_reachable_level=7) == 55


def test_profile_gives_pix_level_and_pix_to_the_next_level():
    elements = knowledge_elements(BANK, "1.1", [answer("@web3"), answer("@mail2")])  # 5 skills
    assert competence_profile(elements, BANK, "1.1") == CompetenceProfile(
        competence="1.1", pix=20, exact_pix=20.0, level=2, pix_to_next_level=4
    )


def test_profile_at_the_highest_open_level_has_no_next_level():
    bank = make_bank({"@a": range(1, 9)})  # one skill a level: 4 pix each, 32 in all
    elements = knowledge_elements(bank, "1.1", [answer("@a8")])
    profile = competence_profile(elements, bank, "1.1", max_reachable_level=3)
    assert (profile.pix, profile.exact_pix, profile.level, profile.pix_to_next_level) == (24, 32.0, 3, None)

"""Adaptive positioning test (chalicelib.domain.positioning)."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.items import ItemStatus
from chalicelib.domain.knowledge import (
    PositioningAnswer,
    competence_level,
    competence_pix,
    knowledge_elements,
    skills_tested,
)
from chalicelib.domain.positioning import estimate_level, next_item
from tests.unit.skill_banks import bank_from_items, make_bank, make_item

OK, KO, TIMEDOUT = AnswerStatus.OK, AnswerStatus.KO, AnswerStatus.TIMEDOUT

# Two easy tubes (hardest skill <= 3) and three harder ones.
BANK = make_bank({
    "@web": [1, 2, 3],
    "@mail": [1, 2, 3],
    "@doc": range(1, 8),
    "@net": [2, 3, 4, 5, 6],
    "@cloud": [3, 4, 5, 6, 7, 8],
}, items_per_skill=2)


def run(bank, answer_for, seed="assessment-1", *, early_stop=True, competence="1.1"):
    """Play a whole test; `answer_for(item, answers)` gives each status."""
    answers: list[PositioningAnswer] = []
    served = []
    while (item := next_item(bank, competence, answers, seed, early_stop=early_stop)) is not None:
        served.append(item)
        answers.append(PositioningAnswer(item.id, answer_for(item, answers)))
        assert len(answers) <= len(bank.skills_of(competence)), "the test must end"
    return served, answers


def learner(theta):
    """A deterministic learner: succeeds when the item's 2PL chance is >= 0.5."""
    def answer_for(item, _answers):
        p = 1 / (1 + math.exp(-item.calibration.a * (theta - item.calibration.b)))
        return OK if p >= 0.5 else KO
    return answer_for


# --- first item ----------------------------------------------------------------


@pytest.mark.parametrize("seed", [f"s{k}" for k in range(12)])
def test_first_item_is_a_level_2_skill_of_an_easy_tube(seed):
    item = next_item(BANK, "1.1", [], seed)
    assert item.level == 2 and item.tube in ("@web", "@mail")


def test_first_item_is_not_timed_when_an_untimed_one_exists():
    bank = make_bank({"@web": [1, 2, 3], "@mail": [1, 2, 3], "@doc": range(1, 6)}, timed={"@web2"})
    assert {next_item(bank, "1.1", [], f"s{k}").skill for k in range(12)} == {"@mail2"}


def test_first_item_prefers_the_untimed_item_of_a_skill():
    timed = make_item("1.1", "@web", 2, "a", timer=30)
    untimed = make_item("1.1", "@web", 2, "b")
    bank = bank_from_items([timed, untimed, make_item("1.1", "@web", 3)])
    assert {next_item(bank, "1.1", [], f"s{k}").id for k in range(12)} == {untimed.id}


def test_first_item_without_easy_tube_or_level_2():
    assert next_item(make_bank({"@doc": range(1, 8)}), "1.1", [], "s").skill == "@doc2"
    assert next_item(make_bank({"@doc": range(3, 8)}), "1.1", [], "s").skill == "@doc3"


# --- what is never served ------------------------------------------------------


def test_skills_inferred_from_an_answer_are_never_served():
    _, answers = run(BANK, lambda item, answers: KO if not answers else OK, seed="x")
    first = answers[0].item_id
    tube = BANK.items[first].tube
    served_in_tube = [BANK.items[a.item_id].level for a in answers[1:] if BANK.items[a.item_id].tube == tube]
    assert all(level < 2 for level in served_in_tube)  # the ko on level 2 invalidated 2 and above


def test_draft_items_are_never_served():
    bank = make_bank({"@web": [1, 2, 3], "@doc": range(1, 7)}, drafts={"@web2", "@doc3"})
    for theta in (-2.0, 0.0, 2.0, 4.0):
        served, _ = run(bank, learner(theta), early_stop=False)
        assert all(item.status is ItemStatus.VALIDATED for item in served)
        assert not {"@web2", "@doc3"} & {item.skill for item in served}


def test_the_test_ends_when_every_skill_is_known():
    answers = [PositioningAnswer("11-web-3a", OK), PositioningAnswer("11-mail-3a", OK)]
    bank = make_bank({"@web": [1, 2, 3], "@mail": [1, 2, 3]})
    assert next_item(bank, "1.1", answers, "s", early_stop=False) is None


def test_no_skill_more_than_2_levels_above_the_estimate():
    for theta in (-2.0, -0.5, 1.0, 2.5):
        _, answers = run(BANK, learner(theta), early_stop=False)
        for k in range(1, len(answers)):
            estimate = estimate_level(BANK, "1.1", answers[:k])
            assert BANK.items[answers[k].item_id].level <= estimate.level + 2 + 1e-9


# --- timed items ---------------------------------------------------------------

# @web is the only untimed tube; every @doc item is timed.
TIMED_BANK = make_bank({"@web": [1, 2, 3], "@doc": range(1, 7)}, timed={f"@doc{k}" for k in range(1, 7)})


def test_after_a_timeout_timed_items_wait_while_untimed_ones_remain():
    first = next_item(TIMED_BANK, "1.1", [], "s")
    assert first.skill == "@web2"
    answers = [PositioningAnswer(first.id, TIMEDOUT)]
    second = next_item(TIMED_BANK, "1.1", answers, "s", early_stop=False)
    assert second.skill == "@web1"
    answers.append(PositioningAnswer(second.id, OK))
    third = next_item(TIMED_BANK, "1.1", answers, "s", early_stop=False)
    assert third is not None and third.is_timed  # nothing else left: the test goes on


def test_without_a_timeout_timed_items_are_served():
    first = next_item(TIMED_BANK, "1.1", [], "s")
    second = next_item(TIMED_BANK, "1.1", [PositioningAnswer(first.id, KO)], "s", early_stop=False)
    assert second.is_timed


def test_after_a_timeout_the_untimed_item_of_a_skill_is_chosen():
    items = [make_item("1.1", "@web", 2), make_item("1.1", "@web", 1)]
    items += [make_item("1.1", "@doc", level, "a", timer=30) for level in range(1, 5)]
    items += [make_item("1.1", "@doc", level, "b") for level in range(1, 5)]
    bank = bank_from_items(items)
    answers = [PositioningAnswer("11-web-2a", TIMEDOUT)]
    for k in range(20):
        item = next_item(bank, "1.1", answers, f"s{k}", early_stop=False)
        assert not item.is_timed


# --- randomness ----------------------------------------------------------------


def test_same_seed_same_sequence():
    a, _ = run(BANK, learner(1.0), seed="assessment-42")
    b, _ = run(BANK, learner(1.0), seed="assessment-42")
    assert [i.id for i in a] == [i.id for i in b]


def test_seeds_vary_the_sequence():
    firsts = {next_item(BANK, "1.1", [], f"assessment-{k}").id for k in range(30)}
    assert len(firsts) >= 3  # 2 easy tubes x 2 items at level 2
    sequences = {tuple(i.id for i in run(BANK, learner(1.0), seed=f"a{k}")[0]) for k in range(30)}
    assert len(sequences) >= 5


# --- estimate and stop ---------------------------------------------------------


def test_estimate_moves_with_the_answers():
    answers_ok = [PositioningAnswer("11-doc-3a", OK), PositioningAnswer("11-doc-5a", OK)]
    answers_ko = [PositioningAnswer("11-doc-3a", KO), PositioningAnswer("11-doc-5a", KO)]
    high, low = estimate_level(BANK, "1.1", answers_ok), estimate_level(BANK, "1.1", answers_ko)
    assert high.level > estimate_level(BANK, "1.1", []).level > low.level
    assert high.theta > low.theta and high.answers == 2
    assert sum(high.distribution) == pytest.approx(1.0)
    assert high.most_likely_level > low.most_likely_level


def test_early_stop_only_ends_the_test_sooner():
    # The stopping rule runs before the choice: it returns None or the same item.
    _, answers = run(BANK, learner(1.5), early_stop=False)
    for k in range(1, len(answers) + 1):
        early = next_item(BANK, "1.1", answers[:k], "assessment-1", early_stop=True)
        assert early is None or early == next_item(BANK, "1.1", answers[:k], "assessment-1", early_stop=False)


def test_early_stop_uses_fewer_items_at_the_same_level():
    for theta in (-2.0, 0.0, 1.0, 2.0, 3.5):
        early, early_answers = run(BANK, learner(theta), early_stop=True)
        full, full_answers = run(BANK, learner(theta), early_stop=False)
        assert len(early) <= len(full)
        early_pix, full_pix = (competence_pix(knowledge_elements(BANK, "1.1", a), BANK, "1.1")
                               for a in (early_answers, full_answers))
        assert competence_level(early_pix) == competence_level(full_pix)


def test_the_test_ends_at_the_highest_open_level():
    bank = make_bank({"@a": range(1, 9), "@b": range(1, 9), "@c": range(1, 9)})
    answers = [PositioningAnswer(f"11-{t}-7a", OK) for t in "abc"]  # 3 x 7 skills x 8/3 pix = 56
    assert next_item(bank, "1.1", answers, "s", early_stop=True) is None
    assert next_item(bank, "1.1", answers, "s", early_stop=False) is not None


def test_answers_of_other_competences_do_not_count():
    other = make_item("2.1", "@chat", 2)
    bank = bank_from_items(list(BANK.items.values()) + [other])
    answers = [PositioningAnswer(other.id, OK)]
    assert next_item(bank, "1.1", answers, "s") == next_item(bank, "1.1", [], "s")


# --- properties: any answers, any bank shape -----------------------------------

levels = st.sets(st.integers(1, 8), min_size=1, max_size=8)
bank_shapes = st.dictionaries(st.sampled_from(["@a", "@b", "@c", "@d"]), levels, min_size=1, max_size=4)
statuses = st.sampled_from(list(AnswerStatus))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=bank_shapes, per_skill=st.integers(1, 2), seed=st.text(max_size=8),
       early_stop=st.booleans(), timed=st.sets(st.sampled_from(["@a1", "@a2", "@b2", "@c3", "@d5"])),
       data=st.data())
def test_any_test_ends_within_one_answer_per_skill_and_never_repeats(shape, per_skill, seed, early_stop,
                                                                       timed, data):
    bank = make_bank(shape, items_per_skill=per_skill, timed=timed)
    answers: list[PositioningAnswer] = []
    while (item := next_item(bank, "1.1", answers, seed, early_stop=early_stop)) is not None:
        assert item.id not in {a.item_id for a in answers}, "an item is served twice"
        assert item.skill not in skills_tested(knowledge_elements(bank, "1.1", answers)), "a tested skill"
        assert item.competence == "1.1" and item.status is ItemStatus.VALIDATED
        answers.append(PositioningAnswer(item.id, data.draw(statuses)))
        assert len(answers) <= len(bank.skills)
    if not early_stop:
        assert len(answers) >= 1

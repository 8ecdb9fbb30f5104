"""Pilot (field-test) slots in positioning: unscored, capped, invisible to the score."""
from __future__ import annotations

import dataclasses
import random

import pytest

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.items import ItemStatus
from chalicelib.domain.knowledge import PositioningAnswer, competence_profile, knowledge_elements
from chalicelib.domain.positioning import NO_PILOT, PilotPolicy, estimate_level, next_item
from tests.unit.skill_banks import make_bank, make_item

OK, KO = AnswerStatus.OK, AnswerStatus.KO
ALWAYS = PilotPolicy(rate=1.0, max_per_test=3, part_length=4)


def pilot_bank(pilot_levels=range(1, 8), enemies: dict[str, set[str]] | None = None):
    """A synthetic competence plus pilot items on its tubes (never skills, as the loader does)."""
    bank = make_bank({"@web": [1, 2, 3], "@mail": [1, 2, 3], "@doc": range(1, 8),
                      "@net": [2, 3, 4, 5, 6]}, items_per_skill=2)
    items = dict(bank.items)
    for tube in ("@doc", "@net"):
        for level in pilot_levels:
            item = make_item("1.1", tube, level, "x", status=ItemStatus.PILOT)
            items[item.id] = item
    for item_id, others in (enemies or {}).items():
        items[item_id] = dataclasses.replace(items[item_id], enemies=frozenset(others))
        for other in others:
            items[other] = dataclasses.replace(items[other], enemies=items[other].enemies | {item_id})
    return dataclasses.replace(bank, items=items)


def play(bank, policy, learner_level: float, seed: str):
    """A whole test; pilot answers are unscored, as the service stores them."""
    answers: list[PositioningAnswer] = []
    while (item := next_item(bank, "1.1", answers, seed, pilot=policy)) is not None:
        p = 0.9 if item.level <= learner_level else 0.15
        # drawn per item (not in sequence), so a pilot answer does not shift the later draws
        status = OK if random.Random(f"{seed}:{item.id}").random() < p else KO
        answers.append(PositioningAnswer(item.id, status, scored=item.status is not ItemStatus.PILOT))
    return answers


def result(bank, answers):
    return competence_profile(knowledge_elements(bank, "1.1", answers), bank, "1.1")


@pytest.mark.parametrize("seed", [f"s{k}" for k in range(25)])
def test_pilot_items_never_change_the_result_nor_the_operational_sequence(seed):
    bank = pilot_bank()
    with_pilot = play(bank, ALWAYS, learner_level=3.5, seed=seed)
    without = play(bank, NO_PILOT, learner_level=3.5, seed=seed)
    scored = [a for a in with_pilot if a.scored]
    assert any(not a.scored for a in with_pilot)
    # same scored answers, same items in the same order, same pix and level
    assert [a.item_id for a in scored] == [a.item_id for a in without]
    assert [a.status for a in scored] == [a.status for a in without]
    assert result(bank, with_pilot) == result(bank, without)
    assert estimate_level(bank, "1.1", with_pilot) == estimate_level(bank, "1.1", without)


def test_a_pilot_answer_never_counts_even_if_right_on_a_real_skill_of_the_tube():
    bank = pilot_bank()
    pilot = bank.items["11-doc-5x"]
    alone = [PositioningAnswer("11-web-1a", OK)]
    with_pilot = alone + [PositioningAnswer(pilot.id, OK, scored=False)]
    assert result(bank, with_pilot) == result(bank, alone)
    assert all(e.item_id != pilot.id for e in knowledge_elements(bank, "1.1", with_pilot))


@pytest.mark.parametrize("seed", [f"t{k}" for k in range(40)])
def test_pilot_slots_respect_the_caps_the_parts_and_never_repeat(seed):
    bank = pilot_bank()
    policy = PilotPolicy(rate=1.0, max_per_test=2, part_length=4)
    answers = play(bank, policy, learner_level=random.Random(seed).uniform(1, 6), seed=seed)
    positions = [k for k, a in enumerate(answers) if not a.scored]
    ids = [a.item_id for a in answers]
    assert len(ids) == len(set(ids))                         # never twice in a test
    assert len(positions) <= 2                               # never more than a few per test
    assert len({k // 4 for k in positions}) == len(positions)  # at most one per part
    assert 0 not in positions and len(answers) - 1 not in positions  # never first, never last


def test_no_pilot_item_outside_the_level_band():
    bank = pilot_bank()
    answers = [PositioningAnswer("11-web-1a", OK), PositioningAnswer("11-web-2a", KO)]
    level = estimate_level(bank, "1.1", answers).level
    served = {next_item(bank, "1.1", answers, f"band{k}", pilot=ALWAYS) for k in range(60)}
    pilots = [i for i in served if i.status is ItemStatus.PILOT]
    assert pilots and all(level - 2 < i.level <= level + 2 for i in pilots)
    assert max(i.level for i in pilots) < 5
    low = [PositioningAnswer("11-web-1a", KO)]
    high_only = pilot_bank(pilot_levels=[7])
    assert all(next_item(high_only, "1.1", low, f"h{k}", pilot=ALWAYS).status is ItemStatus.VALIDATED
               for k in range(30))


def test_pilot_item_never_served_with_an_enemy_either_way():
    bank = pilot_bank(pilot_levels=[2, 3], enemies={"11-doc-2x": {"11-web-1a"}, "11-net-2x": {"11-doc-3x"}})
    first = [PositioningAnswer("11-web-1a", OK)]
    served = {next_item(bank, "1.1", first, f"e{k}", pilot=ALWAYS).id for k in range(60)}
    assert "11-doc-2x" not in served and served & {"11-doc-3x", "11-net-3x", "11-net-2x"}
    after_pilot = first + [PositioningAnswer("11-doc-3x", KO, scored=False)]
    later = {next_item(bank, "1.1", after_pilot + [PositioningAnswer("11-web-2a", OK)], f"f{k}",
                       pilot=PilotPolicy(rate=1.0, max_per_test=3, part_length=1)).id for k in range(60)}
    assert "11-net-2x" not in later and "11-doc-3x" not in later


def test_rate_zero_serves_no_pilot_item():
    bank = pilot_bank()
    for k in range(10):
        answers = play(bank, PilotPolicy(rate=0.0), learner_level=3, seed=f"z{k}")
        assert all(a.scored for a in answers)

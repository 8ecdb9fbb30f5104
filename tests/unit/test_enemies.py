"""Enemy items (issue 14, point 4): declared on one side, symmetric once
loaded, and never served together by positioning or certification."""
from __future__ import annotations

import dataclasses
import itertools

import pytest

from chalicelib.bank.loader import _symmetric_enemies, load_bank
from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.items import ItemBank
from chalicelib.domain.knowledge import PositioningAnswer
from chalicelib.domain.positioning import next_item as next_positioning_item

from .cert_bank import full_bank, simulate
from .skill_banks import make_bank
from .test_loader import errors_of, item, mutate


def with_enemies(bank: ItemBank, pairs) -> ItemBank:
    """`pairs` declared on their first side only, then made symmetric as the loader does."""
    declared = {i.id: set() for i in bank.items.values()}
    for a, b in pairs:
        declared[a].add(b)
    items = _symmetric_enemies([dataclasses.replace(i, enemies=frozenset(declared[i.id]))
                                for i in bank.items.values()])
    return dataclasses.replace(bank, items={i.id: i for i in items})


def enemy_pairs_served(bank: ItemBank, served: list[str], pairs) -> list[tuple[str, str]]:
    s = set(served)
    return [(a, b) for a, b in pairs if a in s and b in s]


# ------------------------------------------------------------------ loader

def test_one_side_is_enough(tmp_path):
    root = mutate(tmp_path, lambda f: item(f).update(enemies=["c11-moteur-2a"]))
    bank = load_bank(root)
    assert bank.items["c11-moteur-1a"].enemies == {"c11-moteur-2a"}
    assert bank.items["c11-moteur-2a"].enemies == {"c11-moteur-1a"}


def test_unknown_and_self_enemies_are_refused(tmp_path):
    root = mutate(tmp_path, lambda f: item(f).update(enemies=["c99-nope-1a", "c11-moteur-1a"]))
    errors = errors_of(root)
    assert any("enemies[0]" in e and "absente" in e for e in errors), errors
    assert any("propre ennemi" in e for e in errors), errors


# ------------------------------------------------------------------ positioning

POSITIONING = make_bank({"@web": [1, 2, 3], "@doc": range(1, 7), "@net": [2, 3, 4, 5, 6]},
                        items_per_skill=2)


def run_positioning(bank, seed, succeed):
    answers: list[PositioningAnswer] = []
    while (it := next_positioning_item(bank, "1.1", answers, seed)) is not None:
        answers.append(PositioningAnswer(it.id, AnswerStatus.OK if succeed(it) else AnswerStatus.KO))
    return [a.item_id for a in answers]


def test_positioning_never_serves_two_enemies():
    # every item of @doc is the enemy of every item of @net at the same or next level
    ids = sorted(POSITIONING.items)
    pairs = [(a, b) for a, b in itertools.product(ids, ids)
             if POSITIONING.items[a].tube == "@doc" and POSITIONING.items[b].tube == "@net"]
    guarded = with_enemies(POSITIONING, pairs)
    found_without = 0
    for seed, level in itertools.product(range(15), (2, 4, 6)):
        succeed = lambda it, level=level: it.level <= level  # noqa: E731
        found_without += bool(enemy_pairs_served(
            POSITIONING, run_positioning(POSITIONING, f"s{seed}", succeed), pairs))
        served = run_positioning(guarded, f"s{seed}", succeed)
        assert enemy_pairs_served(guarded, served, pairs) == [], (seed, level, served)
    assert found_without > 0  # the rule has something to prevent


# ------------------------------------------------------------------ certification

@pytest.fixture(scope="module")
def cert_bank():
    return full_bank(tubes_per_competence=3, per_level=1, seed=2)


def test_certification_never_serves_two_enemies(cert_bank):
    # each item of 1.1 is the enemy of the same tube and level in 1.2 and 2.1
    pairs = [(i.id, i.id.replace("c11-", other)) for i in cert_bank.items.values()
             if i.competence == "1.1" for other in ("c12-", "c21-")]
    pairs = [(a, b) for a, b in pairs if b in cert_bank.items]
    guarded = with_enemies(cert_bank, pairs)
    found_without = 0
    for seed, theta in itertools.product(range(12), (0.0, 2.0, 4.0)):
        plain = [a.item_id for a in simulate(cert_bank, theta, seed=seed)]
        found_without += bool(enemy_pairs_served(cert_bank, plain, pairs))
        served = [a.item_id for a in simulate(guarded, theta, seed=seed)]
        assert enemy_pairs_served(guarded, served, pairs) == [], (seed, theta)
    assert found_without > 0


def test_a_neutralised_item_bars_its_enemies_too(cert_bank):
    from chalicelib.domain.certification.selection import eligible_items

    some = next(i for i in cert_bank.items.values() if i.competence == "1.1")
    enemy = some.id.replace("c11-", "c12-")
    guarded = with_enemies(cert_bank, [(some.id, enemy)])
    ids = {i.id for i in eligible_items(guarded, [], neutralised=[some.id])}
    assert enemy not in ids and some.id not in ids

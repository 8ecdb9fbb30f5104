"""The candidate view shows an item without anything that gives its answer."""
from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

import pytest

from chalicelib.bank.loader import DEFAULT_ROOT, load_bank
from chalicelib.domain.candidate_view import VIEW_KEYS, candidate_view
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.items import Calibration, Field, Item, ItemType

FORBIDDEN_KEYS = {"solution", "solutions", "groups", "tolerances", "calibration", "tutorial",
                  "level", "skill", "tube", "expected_correct", "competence", "status", "a", "b"}
MIN_LEAK_LENGTH = 3
KEY = b"k" * 32


def ids(test_id: str, key: bytes = KEY) -> ChoiceIds:
    return ChoiceIds(key, test_id)


def make_item(kind=ItemType.QCU, **kw) -> Item:
    base = dict(id="c11-test-2a", competence="1.1", tube="@secretTube", level=2, type=kind,
                instruction="Consigne", tutorial="La réponse est Zorglub.",
                calibration=Calibration(1.2, -0.5, 10), tolerances=frozenset({"t1"}))
    if kind.is_choice:
        base.update(proposals=tuple(f"Proposition {n}" for n in range(1, 7)),
                    solution=frozenset({4}), shuffle=True)
    return Item(**{**base, **kw})


def all_keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in all_keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in all_keys(v)}
    return set()


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def contains_word(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def accepted_answers(item: Item) -> list[str]:
    return [s for f in item.fields for s in f.solutions] + [v for g in item.groups for v in g]


def leaves(node, path: str = ""):
    """(path, text) of every string in the view, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}(clé)", key
            yield from leaves(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from leaves(value, f"{path}[{n}]")
    elif isinstance(node, str):
        yield path, node


def leak_locations(item: Item, view: dict) -> list[tuple[str, str]]:
    """(accepted answer, where in the view) for every accepted answer of at
    least 3 characters (case, accents folded; whole words) that the view shows
    although the instruction itself does not give it (a "copy this" item)."""
    instruction = fold(item.instruction)
    texts = [(where, fold(text)) for where, text in leaves(view)]
    found = []
    for answer in dict.fromkeys(accepted_answers(item)):
        needle = fold(answer)
        if len(needle) < MIN_LEAK_LENGTH or contains_word(instruction, needle):
            continue
        found += [(answer, where) for where, text in texts if contains_word(text, needle)]
    return found


def leaks(item: Item, view: dict) -> list[str]:
    return list(dict.fromkeys(answer for answer, _ in leak_locations(item, view)))


def assert_private(item: Item, view: dict) -> None:
    assert set(view) <= set(VIEW_KEYS), set(view) - set(VIEW_KEYS)
    assert not all_keys(view) & FORBIDDEN_KEYS, all_keys(view) & FORBIDDEN_KEYS
    json.dumps(view)  # serialisable as is
    text = json.dumps(view, ensure_ascii=False)
    assert item.tutorial.strip() not in text
    assert item.tube not in text.replace(item.id, "")  # tube name only via the id, if at all
    if item.type.is_choice:
        shown = [p["id"] for p in view["proposals"]]
        assert len(set(shown)) == len(item.proposals)
        assert all(isinstance(i, str) and not i.isdigit() for i in shown)  # never the file index
        assert sorted(p["text"] for p in view["proposals"]) == sorted(item.proposals)
    else:
        assert [f["key"] for f in view["fields"]] == [f.key for f in item.fields]


# ------------------------------------------------------------------ unit

class TestAllowList:
    def test_choice_item(self):
        item = make_item(timer=30, focused=True, illustration_alt="Capture", locales=("fr-fr", "en"))
        view = candidate_view(item, ids("seed"))
        assert set(view) == {"id", "type", "instruction", "proposals", "timer", "focused",
                             "locales", "illustration_alt", "accessible", "illustration", "attachment"}
        assert view["timer"] == 30 and view["focused"] is True and view["locales"] == ["fr-fr", "en"]
        assert_private(item, view)

    def test_free_answer_item(self):
        item = make_item(ItemType.QROC, fields=(Field("mot", "Mot :", "text", ("Zorglub",)),))
        view = candidate_view(item, ids("seed"))
        assert view["fields"] == [{"key": "mot", "label": "Mot :", "kind": "text"}]
        assert "proposals" not in view
        assert_private(item, view)

    def test_new_item_attributes_stay_private(self):
        # The view is an allow-list: nothing in Item outside it reaches the view.
        item = make_item()
        shown = json.dumps(candidate_view(item, ids("s")), ensure_ascii=False)
        for f in dataclasses.fields(Item):
            value = getattr(item, f.name)
            if f.name not in VIEW_KEYS and isinstance(value, str):
                assert value not in shown or value in item.id, f.name


class TestOpaqueIds:
    item = make_item()

    def positions(self, view) -> tuple[int, ...]:
        """Canonical index of each shown proposal, found by its text."""
        return tuple(self.item.proposals.index(p["text"]) + 1 for p in view["proposals"])

    def test_same_test_same_ids_and_order(self):
        assert candidate_view(self.item, ids("assessment-1")) == candidate_view(self.item, ids("assessment-1"))

    def test_ids_differ_between_tests_items_and_keys(self):
        a = {p["id"] for p in candidate_view(self.item, ids("a"))["proposals"]}
        b = {p["id"] for p in candidate_view(self.item, ids("b"))["proposals"]}
        other_item = {p["id"] for p in candidate_view(make_item(id="c11-y-2a"), ids("a"))["proposals"]}
        other_key = {p["id"] for p in candidate_view(self.item, ids("a", b"x" * 32))["proposals"]}
        assert not a & b and not a & other_item and not a & other_key

    def test_orders_vary_with_the_test_and_move_the_answer(self):
        orders = {self.positions(candidate_view(self.item, ids(f"a{n}"))) for n in range(40)}
        assert len(orders) > 20
        assert {order.index(4) for order in orders} == set(range(6))

    def test_order_differs_between_items_of_one_test(self):
        orders = {self.positions(candidate_view(make_item(id=f"c11-x-{n}"), ids("same")))
                  for n in range(10)}
        assert len(orders) > 5

    def test_the_order_is_not_the_public_seed_order(self):
        """Before opaque ids the order was sha256(test id, item, index), which
        a candidate could recompute: it must now depend on the secret key."""
        orders = {self.positions(candidate_view(self.item, ids("same", bytes([n]) * 32)))
                  for n in range(20)}
        assert len(orders) > 10

    def test_sorting_the_ids_tells_nothing(self):
        """Neither the ids' alphabetical order nor their shown order follows
        the file: the key is first in alphabetical order about 1 time in 6."""
        first_in_sorted = 0
        for n in range(600):
            view = candidate_view(self.item, ids(f"t{n}"))
            by_id = sorted(view["proposals"], key=lambda p: p["id"])
            first_in_sorted += by_id[0]["text"] == self.item.proposals[3]
        assert 60 <= first_in_sorted <= 140  # 100 expected, 6 sd ≈ 55

    def test_no_shuffle_keeps_file_order_with_opaque_ids(self):
        view = candidate_view(make_item(shuffle=False), ids("seed"))
        assert [p["text"] for p in view["proposals"]] == list(make_item().proposals)
        assert not any(p["id"].isdigit() for p in view["proposals"])


class TestLeakDetector:
    """The real-bank property below must be able to fail."""

    item = make_item(ItemType.QROC, instruction="Quel est le nom du moteur ?",
                     fields=(Field("nom", "Nom :", "text", ("Qwant",)),))

    def test_detects_a_planted_answer(self):
        view = candidate_view(self.item, ids("s"))
        view["fields"][0]["label"] = "Nom (ex. QWANT) :"
        assert leaks(self.item, view) == ["Qwant"]
        view["illustration_alt"] = "Capture de qwant.com"
        assert leaks(self.item, view) == ["Qwant"]

    def test_answer_given_by_the_instruction_is_not_a_leak(self):
        item = dataclasses.replace(self.item, instruction="Recopiez le mot « Qwant ».")
        assert leaks(item, candidate_view(item, ids("s"))) == []

    def test_whole_words_only(self):
        item = make_item(ItemType.QROC, fields=(Field("x", "Nombre :", "text", ("nom",)),))
        assert leaks(item, candidate_view(item, ids("s"))) == []


# ------------------------------------------------------------------ the real bank

needs_content = pytest.mark.skipif(not list((DEFAULT_ROOT / "competences").glob("*.yaml")),
                                   reason="item_bank/competences is empty: no content yet")


@needs_content
def test_no_item_of_the_real_bank_shows_private_fields():
    bank = load_bank(trust_stamp=False)
    assert bank.items
    for item in bank.items.values():
        for seed in ("seed-a", "seed-b"):
            assert_private(item, candidate_view(item, ids(seed)))


@needs_content
def test_no_free_answer_item_of_the_real_bank_leaks_its_answer():
    """Field keys, labels, ids and alt texts all reach the browser: none may
    carry an accepted answer the instruction does not already give."""
    bank = load_bank(trust_stamp=False)
    checked, offenders = 0, []
    for item in bank.items.values():
        if item.type.is_choice:
            continue
        checked += sum(len(fold(a)) >= MIN_LEAK_LENGTH for a in accepted_answers(item))
        offenders += [f"{item.competence} {item.id}: « {answer} » visible dans {where}"
                      for answer, where in leak_locations(item, candidate_view(item, ids("s")))]
    assert checked > 0 or not any(not i.type.is_choice for i in bank.items.values())
    assert offenders == [], "réponses visibles par le candidat :\n" + "\n".join(offenders)

"""Opaque proposal ids: mapped back to canonical indexes, nothing else accepted."""
from __future__ import annotations

import pytest

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.choice_ids import ChoiceIds, UnknownChoice
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.items import Calibration, Item, ItemType
from chalicelib.domain.matching import InvalidAnswer, check_answer


def make_item(kind=ItemType.QCU, **kw) -> Item:
    base = dict(id="c11-test-2a", competence="1.1", tube="@tube", level=2, type=kind,
                instruction="Consigne", tutorial="T", calibration=Calibration(1.2, 0.0),
                proposals=("A", "B", "C", "D"), shuffle=True,
                solution=frozenset({1}) if kind is ItemType.QCU else frozenset({1, 3}))
    return Item(**{**base, **kw})


CHOICES = ChoiceIds(b"s" * 32, "course-1")


class TestQcu:
    item = make_item()

    def test_the_opaque_id_of_the_key_is_right_and_the_others_wrong(self):
        ids = CHOICES.ids(self.item)
        answer = CHOICES.canonical_answer(self.item, {"choice": ids[0]})
        assert answer == {"choice": 1} and check_answer(self.item, answer) is AnswerStatus.OK
        for other in ids[1:]:
            assert check_answer(self.item, CHOICES.canonical_answer(self.item, {"choice": other})) \
                is AnswerStatus.KO

    @pytest.mark.parametrize("value", [1, "1", 0, None, True, "x" * 1000, ["a"]])
    def test_file_indexes_and_garbage_are_refused(self, value):
        with pytest.raises(UnknownChoice):
            CHOICES.canonical_answer(self.item, {"choice": value})

    def test_another_tests_ids_are_refused(self):
        theirs = ChoiceIds(b"s" * 32, "course-2").ids(self.item)
        with pytest.raises(InvalidInput):  # a 400
            CHOICES.canonical_answer(self.item, {"choice": theirs[0]})

    def test_skip_and_misshapen_answers_pass_through_to_the_matcher(self):
        assert CHOICES.canonical_answer(self.item, {"skip": True}) == {"skip": True}
        assert CHOICES.canonical_answer(self.item, "x") == "x"
        with pytest.raises(InvalidAnswer):
            check_answer(self.item, CHOICES.canonical_answer(self.item, {"choices": ["a"]}))


class TestQcm:
    item = make_item(ItemType.QCM)

    def test_set_of_ids_maps_back(self):
        ids = CHOICES.ids(self.item)
        answer = CHOICES.canonical_answer(self.item, {"choices": [ids[2], ids[0]]})
        assert answer == {"choices": [3, 1]} and check_answer(self.item, answer) is AnswerStatus.OK

    def test_duplicates_still_refused_by_the_matcher(self):
        ids = CHOICES.ids(self.item)
        with pytest.raises(InvalidAnswer):
            check_answer(self.item, CHOICES.canonical_answer(self.item, {"choices": [ids[0], ids[0]]}))

    def test_an_index_in_the_list_is_refused(self):
        ids = CHOICES.ids(self.item)
        with pytest.raises(UnknownChoice):
            CHOICES.canonical_answer(self.item, {"choices": [ids[0], 3]})

    def test_a_list_longer_than_the_proposals_is_left_to_the_matcher(self):
        with pytest.raises(InvalidAnswer):
            check_answer(self.item, CHOICES.canonical_answer(self.item, {"choices": list(range(10_000))}))


def test_free_answer_items_are_untouched():
    item = make_item(ItemType.QROC, proposals=(), solution=frozenset())
    assert CHOICES.canonical_answer(item, {"fields": {"x": "1"}}) == {"fields": {"x": "1"}}


def test_ids_are_short_lowercase_and_unique_per_item():
    for n in range(200):
        ids = ChoiceIds(b"s" * 32, f"t{n}").ids(make_item(proposals=tuple("ABCDEFGHIJ")))
        assert len(set(ids)) == 10 and all(len(i) == 10 and i == i.lower() for i in ids)

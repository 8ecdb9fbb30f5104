"""Answer matching: tolerances, numbers, payload validation, timing rules."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.items import Calibration, Field, Item, ItemType
from chalicelib.domain.matching import (
    MAX_ANSWER_CHARS, InvalidAnswer, check_answer, clean, correction, normalise, parse_number,
)

OK, KO = AnswerStatus.OK, AnswerStatus.KO


def make_item(kind: ItemType = ItemType.QROC, **kw) -> Item:
    defaults = dict(id="t-1", competence="1.1", tube="@tube", level=2, type=kind,
                    instruction="Consigne", tutorial="Tutoriel", calibration=Calibration(1.2, 0.0))
    if kind is ItemType.QCU:
        defaults.update(proposals=("A", "B", "C", "D"), solution=frozenset({2}), shuffle=True)
    elif kind is ItemType.QCM:
        defaults.update(proposals=("A", "B", "C", "D"), solution=frozenset({1, 3}), shuffle=True)
    return Item(**{**defaults, **kw})


def qroc(*solutions: str, kind: str = "text", **kw) -> Item:
    return make_item(fields=(Field("rep", "Réponse :", kind, tuple(solutions)),), **kw)


def text(item: Item, value, **kw) -> AnswerStatus:
    return check_answer(item, {"fields": {"rep": value}}, **kw)


# ------------------------------------------------------------------ choices

class TestQcu:
    item = make_item(ItemType.QCU)

    def test_right_and_wrong_choice(self):
        assert check_answer(self.item, {"choice": 2}) is OK
        assert check_answer(self.item, {"choice": 1}) is KO

    @pytest.mark.parametrize("payload", [
        {"choice": 0}, {"choice": 5}, {"choice": -1}, {"choice": "2"}, {"choice": True},
        {"choice": 2.0}, {"choice": None}, {"choices": [2]}, {"choice": 2, "extra": 1},
        {"fields": {"rep": "B"}}, {}, [2], "2", None,
    ])
    def test_malformed_payloads_are_invalid(self, payload):
        with pytest.raises(InvalidAnswer):
            check_answer(self.item, payload)


class TestQcm:
    item = make_item(ItemType.QCM)

    def test_order_does_not_matter(self):
        assert check_answer(self.item, {"choices": [3, 1]}) is OK
        assert check_answer(self.item, {"choices": [1, 3]}) is OK

    @pytest.mark.parametrize("choices", [[1], [3], [1, 2, 3], [1, 2, 3, 4], [2, 4], []])
    def test_exact_set_only(self, choices):
        assert check_answer(self.item, {"choices": choices}) is KO

    @pytest.mark.parametrize("payload", [
        {"choices": [1, 1, 3]}, {"choices": [1, 5]}, {"choices": "1,3"}, {"choices": {"1": 1}},
        {"choice": 1}, {"choices": [1, "3"]},
    ])
    def test_malformed(self, payload):
        with pytest.raises(InvalidAnswer):
            check_answer(self.item, payload)


# ------------------------------------------------------------------ tolerances

class TestTextTolerances:
    @pytest.mark.parametrize("answer", [
        "École", "ecole", "ECOLE", "  école ", "é c o l e", "e\u0301cole",  # decomposed é
        "école.", "«école»", "école\u00a0", "ÉCOLE !",
    ])
    def test_accents_case_spaces_punctuation(self, answer):
        assert text(qroc("école"), answer) is OK

    def test_ligatures_and_typographic_apostrophes(self):
        assert text(qroc("cœur"), "coeur") is OK
        assert text(qroc("l'ordinateur", tolerances=frozenset()), "l\u2019ordinateur") is OK

    def test_nbsp_is_a_space_even_without_tolerances(self):
        assert text(qroc("mot de passe", tolerances=frozenset()), "mot de\u00a0passe") is OK
        assert text(qroc("mot de passe", tolerances=frozenset()), "mot de\u202fpasse") is OK

    def test_each_tolerance_can_be_switched_off(self):
        assert text(qroc("École", tolerances=frozenset()), "ecole") is KO
        assert text(qroc("École", tolerances=frozenset()), "École") is OK
        assert text(qroc("NC", tolerances=frozenset({"t1"})), "N.C") is KO
        assert text(qroc("NC", tolerances=frozenset({"t1", "t2"})), "n.c.") is OK
        assert text(qroc("password", tolerances=frozenset({"t1", "t2"})), "pasword") is KO
        assert text(qroc("password"), "pasword") is OK

    def test_without_t1_case_and_inner_spaces_are_significant(self):
        # Surrounding spaces are always trimmed (invisible); the rest is t1's.
        assert text(qroc("NC", tolerances=frozenset({"t2", "t3"})), " NC") is OK
        assert text(qroc("NC", tolerances=frozenset({"t2", "t3"})), "nc") is KO
        assert text(qroc("NC", tolerances=frozenset({"t2", "t3"})), "N C") is KO

    @pytest.mark.parametrize("solution,answer,status", [
        ("chat", "chet", KO),            # short (< 8): no typo forgiven
        ("noyau", "boyau", KO),          # a different real word, close
        ("password", "pazsword", OK),    # one edit in 8
        ("password", "pazzword", KO),    # two edits in 8
        ("password", "passwor", OK),     # deletion 1/8
        ("ordinateur", "ordinatuer", OK),  # a transposition is one edit
        ("ordinateur", "odrinatuer", KO),  # two transpositions
        ("ordinateur", "ordinateurs", OK),
        ("mélatonine", "mélanine", KO),  # another hormone: two edits in 10
        ("déconnexion", "connexion", KO),  # first letter differs (and 2 edits)
        ("NC", "NS", KO),
        ("Mot de passe", "mot de pase", OK),  # 1 edit in 10 (t1 removes spaces)
        ("chiffrement asymétrique", "chifrement asymetriqe", OK),  # 2 edits in 22
        ("chiffrement asymétrique", "chifremant asymetriqe", KO),  # 3 edits
    ])
    def test_t3_boundary(self, solution, answer, status):
        assert text(qroc(solution), answer) is status

    def test_t3_budget_is_on_the_solution_length(self):
        assert text(qroc("navigateur"), "navigateurs") is OK   # 10 characters: one edit
        assert text(qroc("navigateur"), "navigatr") is KO      # two
        assert text(qroc("navigat"), "navigt") is KO           # 7: none

    def test_any_solution_accepted(self):
        item = qroc("Qwant", "Google", "Bing")
        assert text(item, "bing") is OK
        assert text(item, "Yahoo") is KO


class TestNonLatin:
    def test_cyrillic(self):
        assert text(qroc("пароль"), "ПАРОЛЬ") is OK
        assert text(qroc("пароль"), "логин") is KO

    def test_cjk(self):
        assert text(qroc("密码"), "密码") is OK
        assert text(qroc("密码"), " 密 码 ") is OK
        assert text(qroc("密码"), "密") is KO

    def test_emoji(self):
        assert text(qroc("cadenas"), "🔒") is KO
        assert text(qroc("cadenas"), "cadenas 🔒") is OK
        assert text(qroc("cadenas"), "🔒🔒🔒🔒🔒🔒🔒") is KO

    def test_arabic_and_rtl_marks(self):
        assert text(qroc("شبكة"), "\u200fشبكة") is OK  # RLM dropped by t2


class TestEmptyAndLong:
    @pytest.mark.parametrize("value", ["", "   ", "\u00a0", "?!", "🙂", None])
    def test_empty_answer_is_wrong_not_invalid(self, value):
        assert text(qroc("école"), value) is KO

    def test_missing_field_is_empty(self):
        assert check_answer(qroc("école"), {"fields": {}}) is KO

    def test_length_cap(self):
        assert text(qroc("école"), "x" * MAX_ANSWER_CHARS) is KO
        with pytest.raises(InvalidAnswer, match="500"):
            text(qroc("école"), "x" * (MAX_ANSWER_CHARS + 1))
        with pytest.raises(InvalidAnswer):
            text(qroc("1", kind="number"), "1" * 10_000)

    @pytest.mark.parametrize("payload", [
        {"fields": {"rep": "a", "autre": "b"}}, {"fields": {"rep": 3}}, {"fields": {"rep": ["a"]}},
        {"fields": ["a"]}, {"fields": "a"}, {"choice": 1}, {"fields": {"rep": {"x": 1}}},
    ])
    def test_malformed_free_answers(self, payload):
        with pytest.raises(InvalidAnswer):
            check_answer(qroc("école"), payload)

    def test_invalid_answer_maps_to_http_400(self):
        err = pytest.raises(InvalidAnswer, check_answer, qroc("a"), {"fields": {"zz": "a"}}).value
        assert isinstance(err, ValueError) and isinstance(err, InvalidInput)
        assert "inconnu" in err.message  # French, for the person reading it


# ------------------------------------------------------------------ numbers

class TestNumbers:
    @pytest.mark.parametrize("answer", ["3,5", "3.5", " 3,50 ", "3,5\u00a0", "３,５", 3.5])
    def test_decimal_comma(self, answer):
        assert text(qroc("3.5", kind="number"), answer) is OK
        assert text(qroc("3,5", kind="number"), answer) is OK

    @pytest.mark.parametrize("answer", ["1 000", "1\u00a0000", "1\u202f000", "1000", "1000,0", 1000])
    def test_thousands_separators(self, answer):
        assert text(qroc("1000", kind="number"), answer) is OK

    @pytest.mark.parametrize("answer", ["3,5 Go", "trois", "3,5,1", "1,000.5", "10 00", "", "-", "3e1", "NaN", "inf"])
    def test_non_numeric_is_wrong(self, answer):
        assert text(qroc("3.5", kind="number"), answer) is KO

    def test_numbers_compare_as_numbers_not_text(self):
        assert text(qroc("36", kind="number"), "35") is KO   # t3 never applies to numbers
        assert text(qroc("-2", kind="number"), "\u22122") is OK
        assert text(qroc("0.5", kind="number"), ",5") is OK

    def test_bool_is_invalid_for_a_number(self):
        with pytest.raises(InvalidAnswer):
            text(qroc("1", kind="number"), True)

    def test_parse_number(self):
        assert parse_number("1 234 567,89") == Decimal("1234567.89")
        assert parse_number("12 34") is None
        assert parse_number(float("nan")) is None
        assert parse_number(True) is None


# ------------------------------------------------------------------ multiple fields

def rocm(kind: ItemType, solutions: list[tuple[str, ...]], **kw) -> Item:
    fields = tuple(Field(f"f{n}", f"Champ {n}", "text", s) for n, s in enumerate(solutions))
    return make_item(kind, fields=fields, **kw)


def answer(*values: str) -> dict:
    return {"fields": {f"f{n}": v for n, v in enumerate(values)}}


class TestQrocmInd:
    item = rocm(ItemType.QROCM_IND, [("ND",), ("SA",)])

    def test_all_fields_must_be_right(self):
        assert check_answer(self.item, answer("nd", "sa")) is OK
        assert check_answer(self.item, answer("nd", "by")) is KO
        assert check_answer(self.item, answer("sa", "nd")) is KO  # fields are not interchangeable
        assert check_answer(self.item, answer("nd", "")) is KO


class TestQrocmDep:
    cities = rocm(ItemType.QROCM_DEP, [(), ()],
                  groups=(("Paris",), ("Lyon",), ("Marseille",)), expected_correct=2)

    def test_any_two_distinct_groups(self):
        assert check_answer(self.cities, answer("Lyon", "paris")) is OK
        assert check_answer(self.cities, answer("Marseille", "Lyon")) is OK

    def test_same_group_twice_counts_once(self):
        assert check_answer(self.cities, answer("Paris", "Paris")) is KO
        assert check_answer(self.cities, answer("Paris", " paris!")) is KO
        assert check_answer(self.cities, answer("Paris", "Pariss")) is KO  # typo of the same group

    def test_expected_correct_below_field_count(self):
        item = rocm(ItemType.QROCM_DEP, [(), (), ()],
                    groups=(("Paris",), ("Lyon",), ("Marseille",)), expected_correct=2)
        assert check_answer(item, answer("Paris", "Toulouse", "Lyon")) is OK
        assert check_answer(item, answer("Paris", "Toulouse", "Nice")) is KO

    def test_maximum_matching_not_greedy(self):
        # Field 0 fits both groups, field 1 only the first: a greedy pairing in
        # field order gives group 0 to field 0 and strands field 1.
        item = rocm(ItemType.QROCM_DEP, [(), ()], groups=(("ordinateurs",), ("ordinateur",)),
                    expected_correct=2)
        assert check_answer(item, answer("ordinateur", "ordinateurss")) is OK
        overlapping = rocm(ItemType.QROCM_DEP, [(), ()], groups=(("a1", "b2"), ("a1",)),
                           expected_correct=2)
        assert check_answer(overlapping, answer("a1", "b2")) is OK
        assert check_answer(overlapping, answer("b2", "a1")) is OK

    def test_numbers(self):
        item = make_item(ItemType.QROCM_DEP, expected_correct=2, groups=(("2",), ("3",)),
                         fields=(Field("f0", "a", "number"), Field("f1", "b", "number")))
        assert check_answer(item, answer("3", "2,0")) is OK
        assert check_answer(item, answer("2", "2.0")) is KO


# ------------------------------------------------------------------ timing, focus, skip

class TestTimingAndFocus:
    timed = qroc("école", timer=30)

    def test_on_time_up_to_timer_plus_allowance(self):
        assert text(self.timed, "école", elapsed_seconds=33.0, timer_allowance=3) is OK
        assert text(self.timed, "école", elapsed_seconds=33.01, timer_allowance=3) is AnswerStatus.TIMEDOUT

    def test_timedout_whatever_the_content(self):
        assert text(self.timed, "faux", elapsed_seconds=100) is AnswerStatus.TIMEDOUT

    def test_extra_time_accommodation(self):
        kw = dict(elapsed_seconds=44.0, timer_allowance=0)
        assert text(self.timed, "école", **kw) is AnswerStatus.TIMEDOUT
        assert text(self.timed, "école", extra_time_percent=50, **kw) is OK   # 45 s allowed
        assert text(self.timed, "école", extra_time_percent=50, elapsed_seconds=45.5,
                    timer_allowance=0) is AnswerStatus.TIMEDOUT

    def test_untimed_items_and_unknown_elapsed(self):
        assert text(qroc("école"), "école", elapsed_seconds=10_000) is OK
        assert text(self.timed, "école", elapsed_seconds=None) is OK

    def test_focused_out(self):
        focused = qroc("école", focused=True)
        assert text(focused, "école", focused_out=True) is AnswerStatus.FOCUSED_OUT
        assert text(focused, "faux", focused_out=True) is AnswerStatus.FOCUSED_OUT
        assert text(focused, "école") is OK
        assert text(qroc("école"), "école", focused_out=True) is OK  # not a focused item

    def test_timeout_comes_before_focus(self):
        both = qroc("école", timer=30, focused=True)
        assert text(both, "école", elapsed_seconds=60, focused_out=True) is AnswerStatus.TIMEDOUT

    def test_skip_is_aband_even_late_or_focused_out(self):
        both = qroc("école", timer=30, focused=True)
        assert check_answer(both, {"skip": True}, elapsed_seconds=999, focused_out=True) is AnswerStatus.ABAND
        assert check_answer(make_item(ItemType.QCU), {"skip": True}) is AnswerStatus.ABAND

    @pytest.mark.parametrize("payload", [{"skip": False}, {"skip": 1}, {"skip": True, "choice": 2}])
    def test_malformed_skip(self, payload):
        with pytest.raises(InvalidAnswer):
            check_answer(make_item(ItemType.QCU), payload)

    def test_malformed_is_invalid_even_when_late(self):
        with pytest.raises(InvalidAnswer):
            check_answer(self.timed, {"fields": {"x": "a"}}, elapsed_seconds=999)


# ------------------------------------------------------------------ correction

def test_correction_forms():
    choice_ids = ChoiceIds(b"k" * 32, "assessment-1")
    item = make_item(ItemType.QCM)
    qcm = correction(item, choice_ids)
    ids = choice_ids.ids(item)
    # the test's opaque ids, in the order the candidate saw them
    assert sorted(qcm["solution"], key=lambda s: s["text"]) == [{"id": ids[0], "text": "A"},
                                                               {"id": ids[2], "text": "C"}]
    assert [s["id"] for s in qcm["solution"]] == [ids[i - 1] for i in choice_ids.order(item) if i in (1, 3)]
    assert qcm["tutorial"] == "Tutoriel"
    assert correction(qroc("école", "ecole"), choice_ids)["fields"][0]["solutions"] == ["école", "ecole"]
    dep = correction(TestQrocmDep.cities, choice_ids)
    assert dep["groups"] == [["Paris"], ["Lyon"], ["Marseille"]] and dep["expected_correct"] == 2


# ------------------------------------------------------------------ properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(payload=json_values, kind=st.sampled_from(list(ItemType)))
def test_any_payload_gives_a_status_or_invalid_answer(payload, kind):
    fields = (Field("f0", "a"), Field("f1", "b", "number", ("2",)))
    item = make_item(kind, fields=fields if not kind.is_choice else (),
                     groups=(("x",), ("2",)) if kind is ItemType.QROCM_DEP else ())
    try:
        assert isinstance(check_answer(item, payload), AnswerStatus)
    except InvalidAnswer:
        pass


@settings(max_examples=300, deadline=None)
@given(solution=st.text(min_size=1, max_size=40), tolerances=st.sets(st.sampled_from(["t1", "t2", "t3"])))
def test_a_solution_always_matches_itself(solution, tolerances):
    item = qroc(solution, tolerances=frozenset(tolerances))
    expected = OK if normalise(clean(solution), tolerances) else KO  # the loader rejects the latter
    assert text(item, solution) is expected


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=MAX_ANSWER_CHARS))
def test_any_text_up_to_the_cap_is_scored(value):
    assert text(qroc("Qwant"), value) in (OK, KO)
    assert text(qroc("3,5", kind="number"), value) in (OK, KO)

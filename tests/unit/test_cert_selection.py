"""Item selection: content rules, exposure control, stopping, determinism."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.certification import (
    DEFAULT_VERSION,
    PIX_VERSION,
    CertificationVersion,
    estimate,
    is_finished,
    next_item,
    probability,
)
from chalicelib.domain.certification.selection import (
    _draw,
    area_of,
    selection_probabilities,
    step_distribution,
)
from chalicelib.domain.framework import COMPETENCES
from chalicelib.domain.items import ItemStatus

from .cert_bank import answer, full_bank, make_bank, make_item, simulate

FIXED = CertificationVersion(version="test-fixed", early_stop_se=None)


@pytest.fixture(scope="module")
def bank():
    return full_bank(tubes_per_competence=5, per_level=2, seed=1)   # 1,280 items


@pytest.fixture(scope="module")
def small_bank():
    return full_bank(tubes_per_competence=3, per_level=1, seed=2)   # 384 items


abilities = st.floats(-3.0, 6.0)
seeds = st.integers(0, 10 ** 6)


@settings(max_examples=25, deadline=None)
@given(abilities, seeds)
def test_a_whole_test_respects_the_content_rules(small_bank, theta, seed):
    answers = simulate(small_bank, theta, seed=seed, config=FIXED)
    items = [small_bank.items[a.item_id] for a in answers]
    assert len(items) == 32                                   # termination at max_items
    assert len({i.id for i in items}) == 32                    # never an item twice
    assert len({(i.competence, i.tube) for i in items}) == 32  # at most one item per tube
    # every area before repeating an area
    assert {area_of(i) for i in items[:5]} == {"1", "2", "3", "4", "5"}
    # every competence before a second item of a competence, and so on
    assert {i.competence for i in items[:16]} == {c.code for c in COMPETENCES}
    assert {i.competence for i in items[16:32]} == {c.code for c in COMPETENCES}
    for n in range(1, 33):
        counts = Counter(i.competence for i in items[:n])
        values = [counts.get(c.code, 0) for c in COMPETENCES]
        assert max(values) - min(values) <= 1
    # within each round of competences, areas are visited in turn
    for start in (0, 16):
        round_items = items[start:start + 16]
        first_five = {area_of(i) for i in round_items[:5]}
        assert first_five == {"1", "2", "3", "4", "5"}


def test_the_test_stops_at_max_items(small_bank):
    answers = simulate(small_bank, 0.5, seed=1, config=FIXED)
    assert len(answers) == 32
    assert next_item(small_bank, answers, seed=1, config=FIXED) is None
    assert is_finished(small_bank, answers, config=FIXED)
    short = CertificationVersion(version="short", max_items=10, min_answers=5, early_stop_se=None)
    assert len(simulate(small_bank, 0.5, seed=1, config=short)) == 10


def test_early_stop_when_the_standard_error_reaches_the_target(bank):
    version = CertificationVersion(version="t", early_stop_se=0.40, min_items_before_stop=12)
    for seed in range(5):
        answers = simulate(bank, 1.0, seed=seed, config=version)
        assert 12 <= len(answers) < 32
        se_at_stop = estimate(bank, answers, config=version).se
        assert se_at_stop <= 0.40
        if len(answers) > 12:
            assert estimate(bank, answers[:-1], config=version).se > 0.40


def test_no_early_stop_before_the_minimum(bank):
    version = CertificationVersion(version="t", early_stop_se=5.0, min_items_before_stop=20)
    assert len(simulate(bank, 1.0, seed=3, config=version)) == 20


def test_only_validated_items_are_served():
    statuses = [ItemStatus.VALIDATED, ItemStatus.DRAFT, ItemStatus.RETIRED]
    bank = full_bank(tubes_per_competence=4, per_level=2, seed=4,
                     status=lambda rng: rng.choice(statuses))
    for seed in range(5):
        answers = simulate(bank, 1.0, seed=seed, config=FIXED)
        assert answers
        assert all(bank.items[a.item_id].status is ItemStatus.VALIDATED for a in answers)


def test_accessible_only_serves_accessible_items():
    bank = full_bank(tubes_per_competence=4, per_level=2, seed=5,
                     accessible=lambda rng: rng.random() < 0.5)
    for seed in range(5):
        answers = simulate(bank, 1.0, seed=seed, config=FIXED, accessible_only=True)
        assert len(answers) == 32
        assert all(bank.items[a.item_id].accessible for a in answers)
    # without the flag, inaccessible items are served too
    served = [bank.items[a.item_id].accessible for s in range(5)
              for a in simulate(bank, 1.0, seed=s, config=FIXED)]
    assert not all(served)


def test_a_competence_without_accessible_items_drops_out_of_the_rotation():
    bank = full_bank(tubes_per_competence=3, per_level=1, seed=6)
    items = [make_item(i.id, competence=i.competence, tube=i.tube, level=i.level,
                       accessible=i.competence != "5.2") for i in bank.items.values()]
    bank = make_bank(items)
    answers = simulate(bank, 0.5, seed=1, config=FIXED, accessible_only=True)
    assert len(answers) == 32
    assert all(bank.items[a.item_id].competence != "5.2" for a in answers)
    assert {bank.items[a.item_id].competence for a in answers[:15]} == {
        c.code for c in COMPETENCES if c.code != "5.2"}


def test_neutralised_items_are_never_served(small_bank):
    rng = random.Random(0)
    neutralised = frozenset(rng.sample(sorted(small_bank.items), 150))
    for seed in range(5):
        answers = simulate(small_bank, 0.5, seed=seed, config=FIXED, neutralised=neutralised)
        assert not {a.item_id for a in answers} & neutralised


def test_a_neutralised_answer_counts_in_the_length_but_not_in_the_estimate(small_bank):
    answers = simulate(small_bank, 0.5, seed=9, config=FIXED)[:10]
    gone = {answers[3].item_id}
    with_it = estimate(small_bank, answers, config=FIXED)
    without = estimate(small_bank, answers, config=FIXED, neutralised=gone)
    rest = estimate(small_bank, [a for a in answers if a.item_id not in gone], config=FIXED)
    assert without == rest != with_it
    nxt = next_item(small_bank, answers, seed=9, config=FIXED, neutralised=gone)
    assert nxt is not None and nxt.id not in {a.item_id for a in answers}


def test_a_bank_too_small_ends_the_test_early():
    bank = full_bank(tubes_per_competence=1, per_level=1, seed=7,
                     competences=COMPETENCES[:4])                  # 4 tubes only
    answers = simulate(bank, 0.5, seed=1, config=FIXED)
    assert len(answers) == 4
    assert next_item(make_bank([]), [], seed=1) is None


def test_selection_is_deterministic_per_seed_and_step(bank):
    answers = simulate(bank, 0.8, seed=11, config=FIXED)[:7]
    first = next_item(bank, answers, seed=11, config=FIXED)
    assert all(next_item(bank, answers, seed=11, config=FIXED) == first for _ in range(3))
    picks = {next_item(bank, answers, seed=s, config=FIXED).id for s in range(60)}
    assert len(picks) > 3


def test_next_item_draws_from_step_distribution(bank):
    answers = simulate(bank, 0.8, seed=12, config=FIXED)[:9]
    choices = step_distribution(bank, answers, config=FIXED)
    assert sum(p for _, p in choices) == pytest.approx(1.0)
    assert len(choices) >= FIXED.top_k
    for seed in range(20):
        item = next_item(bank, answers, seed=seed, config=FIXED)
        assert item == _draw(choices, random.Random(f"{seed}:{len(answers)}"))
        assert item in {c for c, _ in choices}


def test_randomesque_picks_among_the_most_informative():
    items = [make_item(f"i{k}", tube=f"@t{k}", a=1.0, b=k * 0.5) for k in range(12)]
    probs = dict((i.id, p) for i, p in selection_probabilities(
        items, 0.0, CertificationVersion(version="t", top_k=3)))
    assert probs == pytest.approx({"i0": 1 / 3, "i1": 1 / 3, "i2": 1 / 3})
    pix = dict((i.id, p) for i, p in selection_probabilities(items, 0.0, PIX_VERSION))
    total = sum(0.51 * 0.49 ** r for r in range(5))
    assert pix == pytest.approx({f"i{r}": 0.51 * 0.49 ** r / total for r in range(5)})


def test_ties_share_the_probability_of_the_ranks_they_span():
    # 6 identical items (same a, b) and one better one; top 4 uniform
    items = [make_item("best", tube="@b", a=2.0, b=0.0)] + [
        make_item(f"tie{k}", tube=f"@t{k}", a=1.0, b=0.0) for k in range(6)]
    probs = dict((i.id, p) for i, p in selection_probabilities(
        items, 0.0, CertificationVersion(version="t", top_k=4)))
    assert probs["best"] == pytest.approx(0.25)
    for k in range(6):
        assert probs[f"tie{k}"] == pytest.approx(0.75 / 6)
    assert sum(probs.values()) == pytest.approx(1.0)


def test_items_follow_the_ability():
    bank = full_bank(tubes_per_competence=5, per_level=1, seed=8)
    greedy = CertificationVersion(version="greedy", top_k=1, early_stop_se=None)
    strong = simulate(bank, 4.0, seed=1, config=greedy)
    weak = simulate(bank, -1.5, seed=1, config=greedy)
    mean_level = lambda ans: sum(bank.items[a.item_id].level for a in ans[10:]) / len(ans[10:])  # noqa: E731
    assert mean_level(strong) > mean_level(weak) + 3


def test_exposure_is_spread_over_candidates_of_the_same_ability(bank):
    counts = Counter()
    n = 120
    for seed in range(n):
        counts.update(a.item_id for a in simulate(bank, 1.0, seed=seed))
    assert max(counts.values()) / n <= 0.30



def test_defaults_are_sane():
    v = DEFAULT_VERSION
    assert v.max_items == 32 and v.min_answers == 20
    assert v.min_items_before_stop >= v.min_answers
    assert v.estimator == "eap"
    with pytest.raises(ValueError):
        CertificationVersion(version="bad", max_items=10, min_answers=20)
    with pytest.raises(ValueError):
        CertificationVersion(version="bad", top_k=0)
    with pytest.raises(ValueError):
        CertificationVersion(version="bad", estimator="mle")


def test_timed_items_are_allowed(small_bank):
    items = [make_item(i.id, competence=i.competence, tube=i.tube, level=i.level, timer=60)
             for i in small_bank.items.values()]
    bank = make_bank(items)
    assert len(simulate(bank, 0.5, seed=2, config=FIXED)) == 32


def test_answers_outside_the_bank_are_refused(small_bank):
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        next_item(small_bank, [answer(make_item("ghost"), True)], seed=1)


def test_min_info_ratio_never_picks_weak_items():
    items = [make_item(f"near{k}", tube=f"@n{k}", a=1.0, b=0.0) for k in range(3)] + [
        make_item(f"far{k}", tube=f"@f{k}", a=1.0, b=3.0) for k in range(10)]
    loose = dict((i.id, p) for i, p in selection_probabilities(
        items, 0.0, CertificationVersion(version="t", top_k=8)))
    # the 10 tied far items share the 5 remaining ranks
    assert sum(p for i, p in loose.items() if i.startswith("far")) == pytest.approx(5 / 8)
    strict = dict((i.id, p) for i, p in selection_probabilities(
        items, 0.0, CertificationVersion(version="t", top_k=8, min_info_ratio=0.5)))
    assert strict == pytest.approx({"near0": 1 / 3, "near1": 1 / 3, "near2": 1 / 3})


def test_pix_version_runs_the_published_rule(small_bank):
    answers = simulate(small_bank, 1.0, seed=4, config=PIX_VERSION)
    items = [small_bank.items[a.item_id] for a in answers]
    assert len(items) == 32
    assert len({(i.competence, i.tube) for i in items}) == 32
    assert {i.competence for i in items[:16]} == {c.code for c in COMPETENCES}
    est = estimate(small_bank, answers, config=PIX_VERSION)
    assert -2.0 < est.theta < 4.0


def test_per_competence_randomesque_caps_each_item_per_round():
    """Competence first, then uniform among its top k: no item ever gets more
    than 1/k of a step, and along a test at most once per round of competences."""
    bank = full_bank(tubes_per_competence=5, per_level=1, seed=10, jitter=True)
    version = CertificationVersion(version="t", early_stop_se=None)
    assert version.per_competence and version.top_k == 10
    rng = random.Random(3)
    expected: Counter = Counter()
    n = 60
    for c in range(n):
        answers = []
        while True:
            choices = step_distribution(bank, answers, config=version)
            if not choices:
                break
            assert max(p for _, p in choices) <= 1 / version.top_k + 1e-12
            assert sum(p for _, p in choices) == pytest.approx(1.0)
            for item, p in choices:
                expected[item.id] += p
            item = _draw(choices, random.Random(f"{c}:{len(answers)}"))
            ok = rng.random() < probability(1.0, item.calibration.a, item.calibration.b)
            answers.append(answer(item, ok))
    # 32 items = 2 rounds of 16 competences: at most 2/k = 20% per candidate
    assert max(expected.values()) / n <= 2 / version.top_k + 1e-9


def test_a_cached_replay_gives_exactly_the_full_replay(small_bank):
    """The warm-instance replay cache (selection._replayed) must never change
    what is served: at every step of a whole test, the distribution computed
    from the cached state of the step before (and of a retried request) equals
    the one of a replay from scratch, also with neutralised items."""
    from chalicelib.domain.certification import selection
    from chalicelib.domain.certification.versions import CURRENT

    assert CURRENT.exposure_budget is not None  # the cache only works for budgeted versions
    answers = simulate(small_bank, 1.2, seed="cache", config=CURRENT)
    neutralised = frozenset({answers[3].item_id})
    for excluded in (frozenset(), neutralised):
        for k in range(len(answers) + 1):
            warm = step_distribution(small_bank, answers[:k], config=CURRENT, neutralised=excluded)
            again = step_distribution(small_bank, answers[:k], config=CURRENT, neutralised=excluded)
            selection._REPLAYS.clear()
            cold = step_distribution(small_bank, answers[:k], config=CURRENT, neutralised=excluded)
            assert [(i.id, p) for i, p in warm] == [(i.id, p) for i, p in cold] == \
                   [(i.id, p) for i, p in again], k
            step_distribution(small_bank, answers[:k], config=CURRENT, neutralised=excluded)  # warm the next step

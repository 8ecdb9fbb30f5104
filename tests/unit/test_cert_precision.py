"""Issue 22 (psychometrics): exposure budget, the full score range, stated
precision, versions kept reachable."""
from __future__ import annotations

import dataclasses
import random

import pytest

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.certification import (
    CertificationAnswer,
    CertificationVersion,
    Response,
    eap,
    probability,
    UnknownVersion,
    score_certification,
    version_named,
    wle,
)
from chalicelib.domain.certification.irt import _wle_terms
from chalicelib.domain.certification.selection import SelectionWalk, _draw

from .cert_bank import full_bank

NEW = version_named("2026.2")


@pytest.fixture(scope="module")
def varied_bank():
    """Discriminations 0.7–2.0: the old rule showed the sharp items far more."""
    return full_bank(tubes_per_competence=4, per_level=1, seed=22, jitter=True)


def _walk(bank, theta, seed, config):
    """A whole test; returns the answers and the probability offered to each item."""
    rng = random.Random(f"answers:{seed}")
    walk = SelectionWalk(bank, config=config)
    offered: dict[str, float] = {}
    while choices := walk.distribution():
        assert abs(sum(p for _, p in choices) - 1.0) < 1e-9
        for item, p in choices:
            offered[item.id] = offered.get(item.id, 0.0) + p
        item = _draw(choices, random.Random(f"{seed}:{len(walk.answers)}"))
        ok = rng.random() < probability(theta, item.calibration.a, item.calibration.b)
        walk.record(CertificationAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO), choices)
    return walk.answers, offered


# --- exposure budget ------------------------------------------------------------

@pytest.mark.parametrize("theta", [-2.5, 0.5, 2.0, 4.5])
def test_no_item_is_offered_more_than_its_budget_on_any_path(varied_bank, theta):
    """The sum of the probabilities offered to an item over one test is the
    chance a candidate on that path sees it: it must stay within the budget,
    whatever the ability."""
    budget = NEW.exposure_budget
    assert budget == 0.25
    for seed in range(3):
        _, offered = _walk(varied_bank, theta, seed, NEW)
        assert max(offered.values()) <= budget + 1e-9


def test_the_budget_lets_the_sharpest_items_be_served_first(varied_bank):
    """Within the cap, the most informative items come first: the served
    items discriminate more than under the old uniform top-10."""
    old = version_named("2026.1")
    mean_a = {}
    for name, config in (("new", NEW), ("old", old)):
        served = [varied_bank.items[a.item_id].calibration.a
                  for seed in range(4) for a in _walk(varied_bank, 1.0, seed, config)[0]]
        mean_a[name] = sum(served) / len(served)
    assert mean_a["new"] > mean_a["old"] + 0.1


def test_next_item_replays_the_budget_deterministically(varied_bank):
    """The API is stateless: the same answers give the same distribution."""
    from chalicelib.domain.certification.selection import step_distribution

    answers, _ = _walk(varied_bank, 1.0, 7, NEW)
    prefix = answers[:12]
    walk = SelectionWalk(varied_bank, config=NEW)
    for a in prefix:
        walk.record(a)
    replayed = dict((i.id, p) for i, p in step_distribution(varied_bank, prefix, config=NEW))
    assert replayed == dict((i.id, p) for i, p in walk.distribution())
    assert not set(replayed) & {a.item_id for a in prefix}


def test_budget_must_be_a_probability():
    with pytest.raises(ValueError):
        CertificationVersion(version="bad", exposure_budget=0.0)
    with pytest.raises(ValueError):
        CertificationVersion(version="bad", final_estimator="mle")


# --- estimation: the whole score range -----------------------------------------

def _all(bank, status, config):
    walk = SelectionWalk(bank, config=config)
    while choices := walk.distribution():
        item = _draw(choices, random.Random(len(walk.answers)))
        walk.record(CertificationAnswer(item.id, status), choices)
    return walk.answers


def test_a_perfect_test_reaches_the_top_score_and_an_all_wrong_test_zero(varied_bank):
    top = score_certification(varied_bank, _all(varied_bank, AnswerStatus.OK, NEW), version=NEW)
    assert top.global_score == 895 and top.level == 7
    bottom = score_certification(varied_bank, _all(varied_bank, AnswerStatus.KO, NEW), version=NEW)
    assert bottom.global_score == 0


def test_the_previous_version_stays_reachable_and_scores_as_before(varied_bank):
    """Courses taken under 2026.1 are re-scored with 2026.1: its fixed prior
    kept a perfect test well below the top (the reason for 2026.2)."""
    old = version_named("2026.1")
    answers = _all(varied_bank, AnswerStatus.OK, old)
    result = score_certification(varied_bank, answers, version=old)
    assert result.global_score < 860
    with pytest.raises(UnknownVersion):
        version_named("1999.9")


def test_wle_solves_warms_equation():
    resp = [Response(1.2 + 0.1 * i, -1.0 + 0.3 * i, i % 3 != 0) for i in range(20)]
    est = wle(resp)
    score, info, j = _wle_terms(resp, est.theta)
    assert abs(score + j / (2 * info)) < 1e-6
    assert abs(est.se - info ** -0.5) < 1e-9


def test_wle_is_less_biased_than_the_prior_pulled_eap_at_the_extremes():
    """At θ = 4.5 the population prior pulls the EAP down; Warm's estimate
    stays close (same answers for both)."""
    rng = random.Random(3)
    items = [(rng.uniform(1.0, 1.4), rng.gauss(4.0, 0.6)) for _ in range(24)]
    gaps = {"wle": [], "eap": []}
    for _ in range(300):
        resp = [Response(a, b, rng.random() < probability(4.5, a, b)) for a, b in items]
        gaps["wle"].append(wle(resp).theta - 4.5)
        gaps["eap"].append(eap(resp).theta - 4.5)
    bias = {k: sum(v) / len(v) for k, v in gaps.items()}
    assert bias["eap"] < -0.15
    assert abs(bias["wle"]) < 0.1


# --- stated precision --------------------------------------------------------------

def test_the_result_states_its_precision(varied_bank):
    answers, _ = _walk(varied_bank, 1.0, 1, NEW)
    result = score_certification(varied_bank, answers, version=NEW)
    assert 0 < result.se < 0.5
    assert result.score_low <= result.global_score <= result.score_high
    assert result.score_high - result.score_low > 0
    shorter = score_certification(varied_bank, answers[:20],
                                  version=dataclasses.replace(NEW, version="t", max_items=20))
    assert shorter.se >= result.se - 1e-9


# --- 2026.2's final estimator: EAP under a wider prior, open ends ------------------

def test_the_wide_prior_eap_keeps_the_extremes_unbiased():
    """Same answers: N(0.5, 1.5²) pulls θ = −3 up and θ = 4.5 down by more
    than 0.1; the N(0.5, 2.5²) of 2026.2 stays within 0.1."""
    from chalicelib.domain.certification import Prior

    rng = random.Random(5)
    for theta, centre in ((-3.0, -2.5), (4.5, 4.0)):
        items = [(rng.uniform(1.0, 1.4), rng.gauss(centre, 0.6)) for _ in range(30)]
        gaps = {"narrow": [], "wide": []}
        for _ in range(300):
            resp = [Response(a, b, rng.random() < probability(theta, a, b)) for a, b in items]
            gaps["narrow"].append(eap(resp, prior=Prior(0.5, 1.5)).theta - theta)
            gaps["wide"].append(eap(resp, prior=Prior(0.5, NEW.final_prior_sd)).theta - theta)
        bias = {k: sum(v) / len(v) for k, v in gaps.items()}
        assert abs(bias["narrow"]) > 0.1
        assert abs(bias["wide"]) <= 0.1


def test_only_an_all_right_or_all_wrong_test_reaches_the_ends_of_the_scale(varied_bank):
    from chalicelib.domain.certification.scoring import open_end_score

    assert open_end_score([Response(1.0, 0.0, True)] * 3, 700, 7) == 895
    assert open_end_score([Response(1.0, 0.0, False)] * 3, 120, 7) == 0
    assert open_end_score([Response(1.0, 0.0, True), Response(1.0, 0.0, False)], 700, 7) == 700
    answers, _ = _walk(varied_bank, 4.0, 2, NEW)
    mixed = score_certification(varied_bank, answers, version=NEW)
    if not all(a.is_success for a in answers):
        assert mixed.global_score < 895
    assert mixed.score_low <= mixed.global_score <= mixed.score_high


def test_each_competence_level_comes_with_its_stated_range(varied_bank):
    """1–3 answers per competence: the 95% range is wider than one level and
    contains the printed level."""
    answers, _ = _walk(varied_bank, 1.5, 4, NEW)
    result = score_certification(varied_bank, answers, version=NEW)
    assert set(result.competence_level_ranges) == set(result.competence_levels)
    widths = []
    for competence, level in result.competence_levels.items():
        low, high = result.competence_level_ranges[competence]
        assert low <= level <= high
        widths.append(high - low)
    assert min(widths) >= 1

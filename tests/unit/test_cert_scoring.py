"""Score out of 1024, labels, cap, per-competence levels, incidents,
skipped answers, neutralisation."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.certification import (
    PIX_SCALE,
    CertificationAnswer,
    CertificationVersion,
    eap,
    estimate,
    level_from_score,
    level_from_theta,
    level_label,
    score_cap,
    score_certification,
    score_from_theta,
)
from chalicelib.domain.certification import jury
from chalicelib.domain.certification.selection import responses
from chalicelib.domain.errors import InvalidInput

from .cert_bank import full_bank, simulate

FIXED = CertificationVersion(version="test-fixed", early_stop_se=None)


# --- ability -> score ------------------------------------------------------

@pytest.mark.parametrize("theta, score", [
    (-10.0, 0), (-8.0, 0),
    (-1.4, 64), (-0.519, 128), (0.6, 256), (1.5, 384), (2.25, 512), (3.1, 640), (4.0, 768),
    (8.0, 895), (12.0, 895),
])
def test_score_at_interval_boundaries(theta, score):
    assert score_from_theta(theta) == score


@pytest.mark.parametrize("theta, score", [
    (-4.7, math.floor(64 * (0 + (-4.7 + 8) / 6.6))),            # 32
    ((-1.4 - 0.519) / 2, math.floor(64 * 1.5)),                 # 96
    (0.0405, math.floor(128 * (1 + (0.0405 + 0.519) / 1.119))),  # mid of [−0.519, 0.6]
    (1.05, 320), (1.875, 448), (2.675, 576), (3.55, 704),
    (6.0, 832),
])
def test_score_inside_intervals(theta, score):
    assert score_from_theta(theta) == score


def test_score_just_below_a_boundary_stays_in_the_lower_level():
    assert score_from_theta(0.5999) == 255
    assert score_from_theta(-1.40001) == 63
    assert score_from_theta(3.0999) == 639


def test_scale_is_the_published_one():
    assert [(b.low, b.high) for b in PIX_SCALE] == [
        (-8, -1.4), (-1.4, -0.519), (-0.519, 0.6), (0.6, 1.5), (1.5, 2.25), (2.25, 3.1),
        (3.1, 4), (4, 8)]
    assert [(b.weight, b.coefficient) for b in PIX_SCALE] == [
        (64, 0), (64, 1), (128, 1), (128, 2), (128, 3), (128, 4), (128, 5), (128, 6)]


@given(st.floats(-12, 12), st.floats(-12, 12))
def test_score_is_monotonic(t1, t2):
    lo, hi = sorted((t1, t2))
    assert score_from_theta(lo) <= score_from_theta(hi)


@given(st.sampled_from([b.high for b in PIX_SCALE[:-1]]))
def test_score_is_continuous_at_boundaries(boundary):
    below = score_from_theta(boundary - 1e-9)
    at = score_from_theta(boundary)
    assert at - below <= 1


def test_cap_follows_the_highest_open_level():
    assert score_cap(7) == 895
    assert score_cap(5) == 639
    assert score_cap(6) == 767
    assert score_cap(8) == 1023
    assert score_from_theta(3.5, max_open_level=5) == 639
    assert score_from_theta(7.9, max_open_level=8) == 892  # floor(128 × 6.975)
    assert score_from_theta(8.0, max_open_level=8) == 896


# --- labels and levels -------------------------------------------------------

@pytest.mark.parametrize("score, label, level", [
    (0, "Pré-initié", 0), (63, "Pré-initié", 0),
    (64, "Initié 1", 1), (127, "Initié 1", 1),
    (128, "Initié 2", 2), (255, "Initié 2", 2),
    (256, "Indépendant 3", 3), (383, "Indépendant 3", 3),
    (384, "Indépendant 4", 4), (511, "Indépendant 4", 4),
    (512, "Avancé 5", 5), (639, "Avancé 5", 5),
    (640, "Avancé 6", 6), (767, "Avancé 6", 6),
    (768, "Expert 7", 7), (895, "Expert 7", 7),
    (896, "Expert 8", 8), (1023, "Expert 8", 8),
])
def test_labels(score, label, level):
    assert level_label(score) == label
    assert level_from_score(score) == level


@pytest.mark.parametrize("theta, level", [
    (-9, 0), (-1.41, 0), (-1.4, 1), (-0.52, 1), (-0.519, 2), (0.6, 3), (1.49, 3), (1.5, 4),
    (2.25, 5), (3.1, 6), (4.0, 7), (7.9, 7), (9.0, 7),
])
def test_competence_level_from_theta(theta, level):
    assert level_from_theta(theta) == level


def test_competence_level_is_capped():
    assert level_from_theta(3.5, max_open_level=5) == 5


@given(st.floats(-10, 10))
def test_level_of_theta_agrees_with_the_level_of_its_score(theta):
    assert level_from_theta(theta) == level_from_score(score_from_theta(theta))


# --- whole tests -------------------------------------------------------------

@pytest.fixture(scope="module")
def bank():
    return full_bank(tubes_per_competence=4, per_level=1, seed=3)


@pytest.fixture(scope="module")
def full_test(bank):
    return simulate(bank, 1.2, seed="full", config=FIXED)


def test_a_complete_test_is_validated(bank, full_test):
    assert len(full_test) == 32
    result = score_certification(bank, full_test, version=FIXED, ended_by_incident=False,
                                 neutralised=set())
    assert result.status == "validated"
    assert result.answered_count == 32 and result.imputed_count == 0 and result.scored_count == 32
    est = estimate(bank, full_test, config=FIXED)
    assert result.theta == pytest.approx(est.theta) and result.se == pytest.approx(est.se)
    assert result.global_score == score_from_theta(est.theta)
    assert result.level_label == level_label(result.global_score)
    assert result.level == level_from_score(result.global_score)
    assert result.reason is None
    assert set(result.competence_levels) == {bank.items[a.item_id].competence for a in full_test}
    assert len(result.competence_levels) == 16
    assert all(0 <= v <= 7 for v in result.competence_levels.values())


def test_incident_before_twenty_answers_is_rejected(bank, full_test):
    result = score_certification(bank, full_test[:19], version=FIXED, ended_by_incident=True,
                                 neutralised=set())
    assert result.status == "rejected"
    assert result.global_score is None and result.theta is None and result.level is None
    assert result.answered_count == 19
    assert result.reason == jury.INCIDENT_TOO_SHORT


def test_incident_after_twenty_answers_is_scored_on_the_answers_given(bank, full_test):
    """Issue 22: the incident is nobody's choice, nothing is imputed."""
    result = score_certification(bank, full_test[:20], version=FIXED, ended_by_incident=True,
                                 neutralised=set())
    assert result.status == "validated"
    assert result.answered_count == 20
    assert result.imputed_count == 0 and result.scored_count == 20
    only_given = estimate(bank, full_test[:20], config=FIXED)
    assert result.theta == pytest.approx(only_given.theta)
    assert result.reason is None


def test_abandonment_after_twenty_answers_counts_missing_answers_as_wrong(bank, full_test):
    result = score_certification(bank, full_test[:20], version=FIXED,
                                 ending=jury.Ending(jury.EndReason.ABANDONED), neutralised=set())
    assert result.status == "validated"
    assert result.imputed_count == 12          # up to the planned 32
    assert result.scored_count == 32
    assert result.theta < estimate(bank, full_test[:20], config=FIXED).theta  # twelve extra failures
    assert result.reason == jury.MISSING_IMPUTED
    timed_out = score_certification(bank, full_test[:20], version=FIXED,
                                    ending=jury.Ending(jury.EndReason.TIMED_OUT), neutralised=set())
    assert timed_out.imputed_count == 12 and timed_out.theta == pytest.approx(result.theta)


@pytest.mark.parametrize("reason", [jury.EndReason.ABANDONED, jury.EndReason.TIMED_OUT,
                                    jury.EndReason.FINISHED])
def test_a_test_left_before_twenty_answers_is_held_never_certified_at_level_0(bank, full_test, reason):
    result = score_certification(bank, full_test[:5], version=FIXED, ending=jury.Ending(reason),
                                 neutralised=set())
    assert result.status == "held"
    assert result.global_score is None and result.level is None and result.competence_levels == {}
    assert result.reason == jury.TOO_SHORT
    assert len(result.not_evaluated) == 16


def test_a_fraud_report_holds_the_scored_result(bank, full_test):
    plain = score_certification(bank, full_test, version=FIXED, neutralised=set())
    held = score_certification(bank, full_test, version=FIXED, neutralised=set(),
                               ending=jury.Ending(jury.EndReason.FINISHED, fraud_reported=True))
    assert held.status == "held" and held.reason == jury.FRAUD_REPORTED
    assert held.global_score == plain.global_score   # kept for the jury
    short = score_certification(bank, full_test[:5], version=FIXED, neutralised=set(),
                                ending=jury.Ending(jury.EndReason.TECHNICAL_INCIDENT, True))
    assert short.status == "held" and short.global_score is None


def test_a_competence_whose_answers_are_all_neutralised_is_not_evaluated(bank, full_test):
    target = bank.items[full_test[0].item_id].competence
    removed = {a.item_id for a in full_test if bank.items[a.item_id].competence == target}
    result = score_certification(bank, full_test, version=FIXED, neutralised=removed)
    assert result.status == "validated"
    assert target not in result.competence_levels
    assert result.not_evaluated == (target,)
    full = score_certification(bank, full_test, version=FIXED, neutralised=set())
    assert full.not_evaluated == ()


def test_imputed_answers_follow_the_content_rules(bank, full_test):
    from chalicelib.domain.certification.scoring import impute_missing

    imputed = impute_missing(bank, full_test[:20], version=FIXED)
    ids = [a.item_id for a in full_test[:20] + imputed]
    assert len(ids) == len(set(ids)) == 32
    tubes = [(bank.items[i].competence, bank.items[i].tube) for i in ids]
    assert len(set(tubes)) == 32
    assert all(a.status is AnswerStatus.ABAND for a in imputed)


def test_imputation_stops_at_the_early_stop_rule(bank):
    version = CertificationVersion(version="t", early_stop_se=0.45, min_items_before_stop=20)
    answers = simulate(bank, 0.8, seed="early", config=version)
    assert len(answers) < 32
    done = score_certification(bank, answers, version=version, ended_by_incident=False,
                               neutralised=set())
    assert done.imputed_count == 0
    cut = score_certification(bank, answers[:20], version=version, neutralised=set(),
                              ending=jury.Ending(jury.EndReason.ABANDONED))
    assert cut.status == "validated"
    assert 0 <= cut.imputed_count <= 12


def test_neutralised_items_are_removed_from_the_estimate(bank, full_test):
    failed = [a for a in full_test if a.status is not AnswerStatus.OK]
    assert failed
    removed = {failed[0].item_id}
    result = score_certification(bank, full_test, version=FIXED, ended_by_incident=False,
                                 neutralised=removed)
    kept = [a for a in full_test if a.item_id not in removed]
    expected = eap(responses(bank, kept), prior=FIXED.prior)
    assert result.theta == pytest.approx(expected.theta)
    assert result.scored_count == 31
    assert result.imputed_count == 0           # neutralised items still count in the length
    plain = score_certification(bank, full_test, version=FIXED, ended_by_incident=False,
                                neutralised=set())
    assert result.theta > plain.theta          # a failure was removed


def test_too_many_neutralisations_reject_the_test(bank, full_test):
    removed = {a.item_id for a in full_test[:13]}
    result = score_certification(bank, full_test, version=FIXED, ended_by_incident=False,
                                 neutralised=removed)
    assert result.status == "rejected"
    assert result.reason == jury.NEUTRALISED_TOO_SHORT
    fine = score_certification(bank, full_test, version=FIXED, ended_by_incident=False,
                               neutralised=set(list(removed)[:12]))
    assert fine.status == "validated" and fine.scored_count == 20


def test_score_is_capped_at_the_highest_open_level(bank):
    answers = simulate(bank, 6.0, seed="expert", config=FIXED)
    result = score_certification(bank, answers, version=FIXED, ended_by_incident=False,
                                 neutralised=set())
    assert result.global_score <= 895
    capped = CertificationVersion(version="cap5", early_stop_se=None, max_open_level=5)
    result5 = score_certification(bank, answers, version=capped, ended_by_incident=False,
                                  neutralised=set())
    assert result5.global_score <= 639 and result5.level_label == "Avancé 5"
    assert max(result5.competence_levels.values()) <= 5


def test_competence_levels_follow_the_competence_answers(bank, full_test):
    # same test, but every answer of one competence failed / succeeded
    target = bank.items[full_test[0].item_id].competence

    def forced(ok: bool):
        return [CertificationAnswer(a.item_id, AnswerStatus.OK if ok else AnswerStatus.KO)
                if bank.items[a.item_id].competence == target else a for a in full_test]

    low = score_certification(bank, forced(False), version=FIXED, ended_by_incident=False,
                              neutralised=set())
    high = score_certification(bank, forced(True), version=FIXED, ended_by_incident=False,
                               neutralised=set())
    assert low.competence_levels[target] < high.competence_levels[target]


def test_duplicate_or_unknown_items_are_refused(bank, full_test):
    with pytest.raises(InvalidInput):
        score_certification(bank, full_test[:3] + full_test[:1], version=FIXED,
                            ended_by_incident=False, neutralised=set())
    with pytest.raises(InvalidInput):
        score_certification(bank, [CertificationAnswer("nope", AnswerStatus.OK)], version=FIXED,
                            ended_by_incident=False, neutralised=set())


@pytest.mark.parametrize("status", [AnswerStatus.KO, AnswerStatus.ABAND, AnswerStatus.TIMEDOUT,
                                    AnswerStatus.FOCUSED_OUT])
def test_only_ok_is_a_success(bank, full_test, status):
    first = full_test[0]
    ok = [CertificationAnswer(first.item_id, AnswerStatus.OK)] + full_test[1:]
    other = [CertificationAnswer(first.item_id, status)] + full_test[1:]
    a = score_certification(bank, ok, version=FIXED, ended_by_incident=False, neutralised=set())
    b = score_certification(bank, other, version=FIXED, ended_by_incident=False, neutralised=set())
    assert b.theta < a.theta

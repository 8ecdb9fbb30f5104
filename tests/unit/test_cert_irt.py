"""2PL model, our EAP, Pix's sequential EAP."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from chalicelib.domain.certification.irt import (
    DEFAULT_GRID,
    DEFAULT_PRIOR,
    PIX_GRID,
    Grid,
    Prior,
    Response,
    eap,
    information,
    pix_eap,
    posterior,
    probability,
)

responses_st = st.lists(
    st.builds(Response,
              st.floats(0.4, 2.5),
              st.floats(-2.0, 5.0),
              st.booleans()),
    max_size=32,
)


def test_probability_is_one_half_at_the_difficulty():
    assert probability(1.3, 1.7, 1.3) == pytest.approx(0.5)
    assert probability(2.0, 1.0, 0.0) == pytest.approx(1 / (1 + math.exp(-2.0)))


def test_probability_is_safe_at_extremes():
    assert probability(1e4, 2.0, 0.0) == 1.0
    assert probability(-1e4, 2.0, 0.0) == 0.0


def test_information_peaks_at_the_difficulty_with_a_squared_over_four():
    a, b = 1.5, 0.6
    assert information(b, a, b) == pytest.approx(a * a / 4)
    assert information(b + 0.5, a, b) < information(b, a, b)
    assert information(b - 0.5, a, b) == pytest.approx(information(b + 0.5, a, b))


def _numeric_eap(resp, prior: Prior):
    """Posterior mean and sd by composite Simpson on a 40,001-point grid (scipy).

    Independent of the EAP's own 321-point rectangle rule: Simpson's error on
    a smooth posterior with step 3.5e-4 is far below the 0.002 tolerance, and
    the whole grid is evaluated with numpy in a few milliseconds (adaptive
    quadrature took 0.6 s per case). The log-posterior is shifted by its
    maximum first: the raw product of likelihoods can be ~1e-10."""
    t = np.linspace(-6.0, 8.0, 40_001)
    log_density = stats.norm.logpdf(t, prior.mean, prior.sd)
    for a, b, ok in resp:
        log_density = log_density - (np.logaddexp(0.0, -a * (t - b)) if ok else np.logaddexp(0.0, a * (t - b)))
    density = np.exp(log_density - log_density.max())
    z = integrate.simpson(density, x=t)
    mean = integrate.simpson(t * density, x=t) / z
    var = integrate.simpson((t - mean) ** 2 * density, x=t) / z
    return float(mean), math.sqrt(var)


@settings(max_examples=40, deadline=None)
@given(responses_st)
def test_eap_matches_numerical_integration(resp):
    est = eap(resp)
    mean, sd = _numeric_eap(resp, DEFAULT_PRIOR)
    assert est.theta == pytest.approx(mean, abs=0.002)
    assert est.se == pytest.approx(sd, abs=0.002)


def test_eap_known_case():
    resp = [Response(1.2, 0.6, True), Response(1.2, 1.5, True), Response(1.2, 2.25, False)]
    est = eap(resp)
    mean, sd = _numeric_eap(resp, DEFAULT_PRIOR)
    assert est.theta == pytest.approx(mean, abs=0.005)
    assert est.se == pytest.approx(sd, abs=0.005)
    assert 0.5 < est.theta < 2.0


def test_eap_without_answers_is_the_prior():
    est = eap([], prior=Prior(0.5, 1.5))
    assert est.theta == pytest.approx(0.5, abs=1e-3)  # grid truncation
    assert est.se == pytest.approx(1.5, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(responses_st)
def test_the_grid_is_fine_enough(resp):
    fine = Grid(-6.0, 8.0, 4 * 80 + 1)
    assert eap(resp).theta == pytest.approx(eap(resp, grid=fine).theta, abs=0.002)


@settings(max_examples=60, deadline=None)
@given(responses_st.filter(lambda r: any(not x.correct for x in r)), st.data())
def test_turning_a_failure_into_a_success_raises_the_estimate(resp, data):
    failures = [i for i, r in enumerate(resp) if not r.correct]
    i = data.draw(st.sampled_from(failures))
    better = list(resp)
    better[i] = resp[i]._replace(correct=True)
    assert eap(better).theta > eap(resp).theta


def test_standard_error_shrinks_with_informative_answers():
    resp = []
    previous = eap(resp).se
    for k in range(20):
        resp.append(Response(1.2, 0.5, k % 2 == 0))
        se = eap(resp).se
        assert se < previous
        previous = se
    # 20 items of information ~0.36 each plus the prior: se ≈ 1/sqrt(7.6)
    assert previous == pytest.approx(1 / math.sqrt(20 * 0.36 + 1 / 1.5 ** 2), abs=0.03)


def test_posterior_is_normalised():
    weights = posterior([Response(1.0, 0.0, True)])
    assert sum(weights) == pytest.approx(1.0)
    assert len(weights) == len(DEFAULT_GRID.points) == 81
    assert DEFAULT_GRID.points[0] == -6.0 and DEFAULT_GRID.points[-1] == pytest.approx(8.0)


# --- Pix's variant ---------------------------------------------------------

def _pix_reference(resp, variation=0.5):
    """Independent numpy transcription of the published algorithm."""
    samples = np.arange(-9, 9 + 18 / 80, 18 / 80)[:81]
    estimate = 0.0
    likelihood = np.ones_like(samples)
    post = None
    for a, b, ok in resp:
        gauss = np.exp((samples - estimate) ** 2 / (-2 * 1.5)) / (math.sqrt(1.5) * math.sqrt(2 * math.pi))
        gauss /= gauss.sum()
        p = 1 / (1 + np.exp(a * (b - samples)))
        likelihood = likelihood * (p if ok else 1 - p)
        post = likelihood * gauss
        post /= post.sum()
        raw = float((samples * post).sum())
        small = -variation < estimate < variation
        gap = variation if small else abs(estimate * variation)
        estimate = min(raw, estimate + gap) if raw > estimate else max(raw, estimate - gap)
    err = math.sqrt(float((post * (samples - estimate) ** 2).sum()) - (9 / 80) ** 2 / 12)
    return estimate, err


def test_pix_grid_matches_the_published_one():
    assert len(PIX_GRID.points) == 81
    assert PIX_GRID.points[0] == -9.0 and PIX_GRID.points[-1] == pytest.approx(9.0)
    assert PIX_GRID.points[1] - PIX_GRID.points[0] == pytest.approx(18 / 80)


def test_pix_without_answers():
    est = pix_eap([])
    assert (est.theta, est.se) == (0.0, 5.0)


@settings(max_examples=40, deadline=None)
@given(responses_st.filter(bool))
def test_pix_matches_an_independent_transcription(resp):
    est = pix_eap(resp)
    ref_theta, ref_err = _pix_reference(resp)
    assert est.theta == pytest.approx(ref_theta, abs=1e-9)
    assert est.se == pytest.approx(ref_err, abs=1e-9)


def test_pix_moves_at_most_half_per_answer():
    # all correct on very hard items: the raw posterior mean jumps far
    resp = [Response(2.0, 5.0, True)] * 6
    estimates = [pix_eap(resp[:k]).theta for k in range(1, 7)]
    # near 0 (|θ| < 0.5) the move is at most 0.5, then at most 50% of |θ|
    assert estimates[:4] == pytest.approx([0.5, 0.75, 1.125, 1.6875])
    for before, after in zip(estimates, estimates[1:]):
        assert after - before <= max(0.5, abs(before) * 0.5) + 1e-9


def test_pix_prefix_cache_gives_the_same_result_as_a_cold_run():
    resp = [Response(1.2, b, ok) for b, ok in [(0.6, True), (1.5, True), (2.25, False), (1.5, True)]]
    warm = [pix_eap(resp[:k]) for k in range(1, 5)][-1]
    from chalicelib.domain.certification import irt

    irt._PIX_STATES.clear()
    assert pix_eap(resp) == warm

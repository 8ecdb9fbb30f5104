"""Two-parameter logistic model (2PL) and ability estimation on a grid.

Pure standard library: it runs inside the API Lambda at every certification
step, so it must stay cheap (one estimate for 32 answers is ~1 ms).

Model
    P(success | θ) = 1 / (1 + exp(-a(θ - b)))      a: discrimination, b: difficulty
    Fisher information of one item  I(θ) = a² P (1 - P)

Our estimator: `eap`
    Expected a posteriori ability on a fixed grid (−6..8, 81 points, step
    0.175) with ONE normal prior N(mean, sd²) applied once. The grid covers
    the whole score scale that matters (the level intervals end at −1.4 and
    4; items range from b = −1.4 to 5) with margin for the prior tails; a
    step of 0.175 changes the posterior mean by < 0.001 compared with a grid
    four times finer (see tests).

    Prior choice (default N(0.5, 1.5²), `DEFAULT_PRIOR`): the ability
    distribution we expect among certification candidates, who must already
    hold level ≥ 1 in five competences (median around "Indépendant 3",
    θ ≈ 0.5–1; a few experts up to θ ≈ 4, a few beginners below −1.4).
    A population prior is what makes the EAP the minimum mean-squared-error
    estimator; it is wide enough (sd 1.5) that 20+ answers dominate it
    (prior weight 0.44 against ~0.3 information per answer). The bench
    (`scripts/bench_certification.py`) reports bias per level so the cost
    of shrinkage at the extremes stays visible.

    Posterior standard error = posterior standard deviation on the grid.

Pix's estimator: `pix_eap` (for the comparison bench only)
    Reproduces the public platform's published rule: grid −9..9 (81 points,
    step 18/80), the likelihood of all answers so far multiplied after each
    answer by a normal prior of variance 1.5 re-centred on the previous
    estimate, the new estimate being the posterior mean but moving by at most
    50% of the previous estimate (or 0.5 near zero) per answer; error rate =
    sqrt(posterior variance around the estimate − step²/12). The re-centred
    prior and the clamp make the estimate lag behind the evidence for
    candidates far from 0, which is the main reason our EAP is more precise
    at equal length.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence


class Response(NamedTuple):
    """One scored answer as the estimators need it."""

    a: float
    b: float
    correct: bool


@dataclass(frozen=True)
class Prior:
    mean: float = 0.5
    sd: float = 1.5


@dataclass(frozen=True)
class AbilityEstimate:
    theta: float
    se: float


DEFAULT_PRIOR = Prior(0.5, 1.5)


def probability(theta: float, a: float, b: float) -> float:
    """2PL probability of a correct answer (numerically safe for any input)."""
    z = a * (theta - b)
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def information(theta: float, a: float, b: float) -> float:
    """Fisher information a²P(1−P) of one 2PL item at θ."""
    p = probability(theta, a, b)
    return a * a * p * (1.0 - p)


def _log_sigmoid(z: float) -> float:
    """log(1 / (1 + exp(-z))) without overflow."""
    if z >= 0:
        return -math.log1p(math.exp(-z))
    return z - math.log1p(math.exp(z))


class Grid:
    """Quadrature points plus a cache of log P / log(1−P) per (a, b).

    Items share few distinct (a, b) pairs (every uncalibrated item of a level
    has the same prior parameters), so the cache makes repeated estimates
    cost one addition per grid point and answer.
    """

    __slots__ = ("points", "_cache")

    def __init__(self, start: float, stop: float, count: int):
        if count < 2 or stop <= start:
            raise ValueError("a grid needs at least two increasing points")
        step = (stop - start) / (count - 1)
        self.points: tuple[float, ...] = tuple(start + i * step for i in range(count))
        self._cache: dict[tuple[float, float], tuple[tuple[float, ...], tuple[float, ...]]] = {}

    @classmethod
    def from_points(cls, points: Sequence[float]) -> "Grid":
        grid = cls.__new__(cls)
        grid.points = tuple(points)
        grid._cache = {}
        return grid

    def log_curves(self, a: float, b: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
        key = (a, b)
        curves = self._cache.get(key)
        if curves is None:
            log_p = tuple(_log_sigmoid(a * (t - b)) for t in self.points)
            log_q = tuple(_log_sigmoid(-a * (t - b)) for t in self.points)
            curves = (log_p, log_q)
            if len(self._cache) < 20_000:
                self._cache[key] = curves
        return curves

    def log_likelihood(self, responses: Iterable[Response]) -> list[float]:
        total = [0.0] * len(self.points)
        for a, b, correct in responses:
            log_p, log_q = self.log_curves(a, b)
            curve = log_p if correct else log_q
            total = [x + y for x, y in zip(total, curve)]
        return total


DEFAULT_GRID = Grid(-6.0, 8.0, 81)
# Pix: range(-9, 9 + 18/80, 18/80) -> 81 points from -9 to 9
PIX_GRID = Grid(-9.0, 9.0, 81)
PIX_PRIOR_VARIANCE = 1.5
PIX_MAX_VARIATION = 0.5
PIX_DEFAULT_ESTIMATE = 0.0
PIX_DEFAULT_ERROR = 5.0


def _moments(points: Sequence[float], log_post: Sequence[float]) -> tuple[list[float], float, float]:
    top = max(log_post)
    weights = [math.exp(v - top) for v in log_post]
    total = sum(weights)
    weights = [w / total for w in weights]
    mean = sum(w * t for w, t in zip(weights, points))
    var = sum(w * (t - mean) ** 2 for w, t in zip(weights, points))
    return weights, mean, var


def posterior(responses: Iterable[Response], *, prior: Prior = DEFAULT_PRIOR,
              grid: Grid = DEFAULT_GRID) -> list[float]:
    """Normalised posterior weights on `grid.points`."""
    log_post = grid.log_likelihood(responses)
    inv2var = 0.5 / (prior.sd * prior.sd)
    log_post = [v - (t - prior.mean) ** 2 * inv2var for v, t in zip(log_post, grid.points)]
    weights, _, _ = _moments(grid.points, log_post)
    return weights


def eap(responses: Iterable[Response], *, prior: Prior = DEFAULT_PRIOR,
        grid: Grid = DEFAULT_GRID) -> AbilityEstimate:
    """EAP ability and posterior standard deviation under a fixed normal prior.

    With no response it returns the prior mean and the prior sd (truncated to
    the grid)."""
    log_post = grid.log_likelihood(responses)
    inv2var = 0.5 / (prior.sd * prior.sd)
    log_post = [v - (t - prior.mean) ** 2 * inv2var for v, t in zip(log_post, grid.points)]
    _, mean, var = _moments(grid.points, log_post)
    return AbilityEstimate(mean, math.sqrt(var))


def _pix_limit(previous: float, raw: float, variation: float) -> float:
    small = -variation < previous < variation
    gap = variation if small else abs(previous * variation)
    if raw > previous:
        return min(raw, previous + gap)
    return max(raw, previous - gap)


# Pix's estimate replays every answer in order; a test asks for it after each
# answer, so the state after each prefix is memoised (bounded, FIFO).
_PIX_STATES: dict[tuple, tuple[float, list[float], list[float]]] = {}
_PIX_STATES_MAX = 4096


def pix_eap(responses: Sequence[Response], *, initial: float = PIX_DEFAULT_ESTIMATE,
            prior_variance: float = PIX_PRIOR_VARIANCE,
            max_variation: float | None = PIX_MAX_VARIATION,
            grid: Grid = PIX_GRID) -> AbilityEstimate:
    """The public platform's sequential estimate (see module docstring).

    Answers are replayed in order: the prior is re-centred on the estimate
    after each one, and the estimate may move at most `max_variation` (50%)
    per answer. Returns Pix's "error rate" as `se`."""
    points = grid.points
    responses = tuple(Response(*r) for r in responses)
    if not responses:
        return AbilityEstimate(initial, PIX_DEFAULT_ERROR)
    settings = (initial, prior_variance, max_variation, id(grid))
    start = 0
    estimate = initial
    log_lik = [0.0] * len(points)
    weights: list[float] = []
    for length in (len(responses), len(responses) - 1):
        state = _PIX_STATES.get((settings, responses[:length])) if length > 0 else None
        if state is not None:
            start, (estimate, log_lik, weights) = length, state
            break
    inv2var = 0.5 / prior_variance
    for index in range(start, len(responses)):
        a, b, correct = responses[index]
        log_p, log_q = grid.log_curves(a, b)
        curve = log_p if correct else log_q
        log_lik = [x + y for x, y in zip(log_lik, curve)]
        log_post = [v - (t - estimate) ** 2 * inv2var for v, t in zip(log_lik, points)]
        weights, raw, _ = _moments(points, log_post)
        estimate = _pix_limit(estimate, raw, max_variation) if max_variation else raw
    if start < len(responses):
        if len(_PIX_STATES) >= _PIX_STATES_MAX:
            _PIX_STATES.pop(next(iter(_PIX_STATES)))
        _PIX_STATES[(settings, responses)] = (estimate, log_lik, weights)
    step = points[1] - points[0]
    raw_var = sum(w * (t - estimate) ** 2 for w, t in zip(weights, points))
    return AbilityEstimate(estimate, math.sqrt(max(raw_var - (step / 2) ** 2 / 12.0, 0.0)))


# --- scoring estimator: Warm's weighted likelihood ---------------------------

WLE_BOUNDS = (-8.0, 8.0)  # the published score scale: θ ≤ −8 scores 0, θ ≥ 8 scores the top


def _wle_terms(responses: Sequence[Response], theta: float) -> tuple[float, float, float]:
    """(Σ a(u − P), test information I, J = Σ a³P(1−P)(1−2P)) at θ."""
    score = info = j = 0.0
    for a, b, correct in responses:
        p = probability(theta, a, b)
        pq = p * (1.0 - p)
        score += a * ((1.0 if correct else 0.0) - p)
        info += a * a * pq
        j += a * a * a * pq * (1.0 - 2.0 * p)
    return score, info, j


def wle(responses: Iterable[Response], *,
        bounds: tuple[float, float] = WLE_BOUNDS) -> AbilityEstimate:
    """Warm's weighted-likelihood estimate, the ability a certificate reports.

    Why not the EAP used during the test: the population prior that makes
    the EAP the best running estimate pulls every final score toward the
    middle (θ = 4.5 is read ~0.25 too low, a perfect test can never score
    above ~835 of 895). Warm (1989) weights the likelihood by √I(θ), which
    removes the first-order bias of the maximum likelihood without a prior:
    the bias left is O(1/n²), small at both ends of the scale
    (docs/benchmarks-certification.md).

    When every scored answer is a success (or every one a failure) the
    likelihood grows without bound: the data only say "above (below)
    everything this test measured", and the estimate is the scale bound, so
    a perfect test scores the top of the scale. A root outside `bounds` is
    clamped likewise. Between, the root of Σ a(u − P) + J / 2I = 0 is found
    by bisection (the function decreases in θ for 2PL items).

    `se` is 1 / √I(θ̂), the asymptotic standard error of θ̂: at a bound it
    is large (a perfect test is known only from below), which is what the
    certificate's stated interval should say.
    """
    resp = [Response(*r) for r in responses]
    low, high = bounds
    if not resp:
        return AbilityEstimate(0.0, math.inf)

    def se_at(theta: float) -> float:
        info = _wle_terms(resp, theta)[1]
        return 1.0 / math.sqrt(info) if info > 0 else math.inf

    successes = sum(1 for r in resp if r.correct)
    if successes == len(resp):
        return AbilityEstimate(high, se_at(high))
    if successes == 0:
        return AbilityEstimate(low, se_at(low))

    def f(theta: float) -> float:
        score, info, j = _wle_terms(resp, theta)
        return score + j / (2.0 * info) if info > 0 else score

    if f(high) >= 0:
        return AbilityEstimate(high, se_at(high))
    if f(low) <= 0:
        return AbilityEstimate(low, se_at(low))
    for _ in range(60):  # 16 / 2⁶⁰: far below any score point
        mid = 0.5 * (low + high)
        if f(mid) > 0:
            low = mid
        else:
            high = mid
    theta = 0.5 * (low + high)
    return AbilityEstimate(theta, se_at(theta))

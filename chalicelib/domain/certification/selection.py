"""Adaptive item selection for the certification test (all 16 competences).

`next_item(bank, answers, *, seed, accessible_only, config, neutralised)`
returns the next item to serve, or None when the test is over. It is
stateless and deterministic: the same answers and seed always give the same
item (a retried request serves the same item again); the randomness of step
n comes from `Random(f"{seed}:{n}")`.

One step, in order:

1. Estimate θ from the answers so far (neutralised items left out), with
   the version's estimator: our fixed-prior EAP, or Pix's sequential variant.
2. Stop if `max_items` items were served, or if at least
   `min_items_before_stop` were served and the posterior standard error is
   ≤ `early_stop_se`.
3. Eligible items: validated; never served to this candidate; from a tube
   not yet used (at most one item per tube); not neutralised; accessible
   when `accessible_only`.
4. Content balance (hard rules, in this order):
   a. competence rotation: only items of the competences served the fewest
      times so far (among competences that still have an eligible item), so
      all 16 competences are covered before any gets a second item, then all
      get a second before any gets a third;
   b. area rotation: among those, only the areas with the fewest
      competences already served in the current round, so the first five
      items cover the five areas, and so do the first five of each round.
   A competence with no eligible item left (all tubes used, nothing
   accessible) drops out of the rotation instead of blocking the test.
5. Choose the competence, then the item (`per_competence`, default):
   each allowed competence's items are ranked by Fisher information at the
   current estimate (ties in random order) and its `top_k` best get 1/k each
   (randomesque); the competence served is the one whose draw brings the
   most information on average (`competence_choice="best"`; ties share).
   Pix's rule instead ranks the whole pool and picks among its top 5 with
   probabilities 0.51, 0.49·0.51, … (`per_competence=False`, `pick_weights`).

Since version 2026.2 (issue 22) step 5 is instead an exposure BUDGET
(`exposure_budget` 0.25, `budgeted_probabilities`): over one test every item
may be offered a total probability of at most 25%; at each step the items of
the balanced pool are taken by decreasing information at θ̂, each with all
it has left, until the probabilities sum to 1. The chance a candidate sees
an item is the expected sum of what it was offered, so no item reaches more
than 25% of the candidates of any ability band, on any bank, by
construction; within that bound the sharpest items are served first (on
banks whose items differ in discrimination the old uniform top-10 served
items as blunt as the average). The budget spent so far is recomputed by
replaying the steps (`SelectionWalk`), so `next_item` stays stateless.
Figures: docs/psychometrics.md.

Exposure control of 2026.1, and why that design. A candidate sees each competence
once per round of 16 items, and inside the competence any item has at most
a 1/k chance (as long as the competence has k eligible items left): so no
item can be seen by more than (rounds)/k of the candidates, whatever their
ability and whatever the calibration: with 32 items (2 rounds) and k = 10,
at most 20%. Two cheaper designs failed this on
the bench (docs/benchmarks-certification.md):
- randomesque over the whole pool (top 24 of all allowed competences): an
  item stays in the top while its competence waits for its turn, its chances
  add up: 30% within the lowest level on the real bank, 35% in every level
  on a bank with spread-out calibrations (where the same high-discrimination
  items always rank first);
- Pix's rule: 51–55% within a level on the real bank, 99% with spread-out
  calibrations.
The cap costs information: a competence has only 5–8 items at a given level
(one per tube at most), so its top 10 reaches the neighbouring levels, about
5% of RMSE on the current bank; writing ≥ 10 items per level and competence
would remove that cost.
"""
from __future__ import annotations

import random
import threading
from collections import OrderedDict
from functools import lru_cache
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.framework import COMPETENCE_BY_CODE, MAX_OPEN_LEVEL
from chalicelib.domain.items import Item, ItemBank, ItemStatus

from .answers import CertificationAnswer
from .irt import AbilityEstimate, Prior, Response, eap, information, pix_eap, wle

PIX_PICK_WEIGHTS: tuple[float, ...] = tuple(0.51 * 0.49 ** i for i in range(5))


@dataclass(frozen=True)
class CertificationVersion:
    """Everything that defines how a certification test runs and is scored.

    Recorded with each certificate: a certificate is always re-scored with the
    version it was taken under.

    Defaults, measured with scripts/bench_certification.py (real bank
    2026.11.0, 710 items on their prior calibration, θ ~ N(0.5, 1.5²),
    1,000 simulated candidates; numbers in docs/benchmarks-certification.md):
    - max_items 32: Pix's length, the session timetable is built on it.
    - min_answers 20: Pix's rule for tests cut by an incident.
    - top_k 10 within the competence (per_competence): guarantees ≤ 20%
      exposure (see module docstring). Measured: k 6 / 8 / 10 / 14 gave RMSE
      0.324 / 0.328 / 0.336 / 0.345 (uniform competence choice) and a
      maximum expected exposure within a level of 28 / 22 / 20 / 14%.
    - competence_choice "best": serving first the competence with the most
      informative draw gained ~0.005–0.008 RMSE over a uniform choice, with the
      same exposure cap. A wider first round (k 16 then 8) lost precision.
    - early_stop_se 0.32 after min_items_before_stop 20: the standard the
      certificate promises (±0.32 on θ, about ±45 points in the middle of the
      scale). On the current bank (all items a = 1.2) it only ends ~1 item
      early on average; on a calibrated bank with more discriminating items
      it ends tests after ~26 items. Sweep (synthetic bank, pooled top-24): SE 0.30 / 0.31 /
      0.32 / 0.33 → mean length 32.0 / 31.8 / 30.7 / 29.2 for RMSE 0.317 /
      0.317 / 0.321 / 0.331: 0.32 is the knee.
    - prior N(0.5, 1.5²): the expected candidate population (irt.py); a
      wider sd 2.0 measured the same within noise.
    - min_info_ratio 0: a floor at 50% or 65% of the best information saved
      0.4–0.6 items without RMSE gain and raised exposure at the extremes.
    - exposure_budget 0.25 (2026.2): the issue's cap of 25% of a level band,
      guaranteed on every path (module docstring); budgets 0.35 / 0.5 gave
      RMSE 0.282 / 0.264 against 0.305 at 0.25 on a bank with a ~
      lognormal(0.1, 0.5) (docs/psychometrics.md).
    - final_estimator "wle" (2026.2): the score without the prior's pull
      to the middle; a perfect test reaches the top of the scale.
    Caveat: every item still has its prior calibration, so all sensible
    rules sit at the same information bound (~10 units for 32 items); re-run
    the bench when `scripts/calibrate.py` writes real a, b.
    """

    version: str = "2026.1"
    max_items: int = 32
    min_answers: int = 20
    early_stop_se: float | None = 0.32
    min_items_before_stop: int = 20
    top_k: int = 10
    pick_weights: tuple[float, ...] | None = None  # None: uniform among top_k
    min_info_ratio: float = 0.0  # never pick an item below this share of the best information
    per_competence: bool = True  # choose the competence first, then top_k within it
    competence_choice: str = "best"  # "best" | "uniform" (per_competence only)
    prior_mean: float = 0.5
    prior_sd: float = 1.5
    estimator: str = "eap"  # "eap" (ours) | "pix" (sequential, re-centred prior)
    competence_rotation: bool = True
    area_rotation: bool = True
    max_open_level: int = MAX_OPEN_LEVEL  # the framework's, shared with positioning
    # 2026.2 (issue 22): per-test exposure budget instead of top_k (None: top_k
    # rules apply), and the estimator of the reported score (None: `estimator`)
    exposure_budget: float | None = None
    final_estimator: str | None = None
    # 2026.2: the reported ability is the EAP under this wider prior (None: the
    # running prior), and a test answered all right (all wrong) scores the top
    # (bottom) of the scale, the only reading its data allow (`open_ends`).
    final_prior_sd: float | None = None
    open_ends: bool = False

    def __post_init__(self) -> None:
        if self.max_items < 1 or self.min_answers < 0 or self.min_answers > self.max_items:
            raise ValueError("need 0 <= min_answers <= max_items and max_items >= 1")
        if self.top_k < 1:
            raise ValueError("top_k must be >= 1")
        if self.estimator not in ("eap", "pix"):
            raise ValueError("estimator must be 'eap' or 'pix'")
        if self.competence_choice not in ("best", "uniform"):
            raise ValueError("competence_choice must be 'best' or 'uniform'")
        if self.pick_weights is not None and (not self.pick_weights or min(self.pick_weights) < 0):
            raise ValueError("pick_weights must be non-negative")
        if not 0 <= self.max_open_level <= 8:
            raise ValueError("max_open_level is 0..8")
        if self.exposure_budget is not None and not 0 < self.exposure_budget <= 1:
            raise ValueError("exposure_budget is in (0, 1]")
        if self.final_estimator not in (None, "eap", "pix", "wle"):
            raise ValueError("final_estimator must be None, 'eap', 'pix' or 'wle'")
        if self.final_prior_sd is not None and self.final_prior_sd <= 0:
            raise ValueError("final_prior_sd must be positive")

    @property
    def prior(self) -> Prior:
        return Prior(self.prior_mean, self.prior_sd)


# The defaults are version 2026.1 (spelled out and frozen in `versions.py`);
# later versions are built from it with `dataclasses.replace` there.
DEFAULT_VERSION = CertificationVersion()

# Pix's published rule, for the comparison bench: fixed length 32, top 5 by
# information picked with probabilities 0.51, 0.49·0.51, …, one item per tube,
# all competences before repeating (no area rule), sequential EAP.
PIX_VERSION = CertificationVersion(
    version="pix-v3", max_items=32, min_answers=20, early_stop_se=None,
    min_items_before_stop=32, top_k=5, pick_weights=PIX_PICK_WEIGHTS,
    per_competence=False, estimator="pix", competence_rotation=True, area_rotation=False,
)


@lru_cache(maxsize=None)
def _area_of_competence(code: str) -> str:
    """Cached: called for every item of the pool at every step."""
    competence = COMPETENCE_BY_CODE.get(code)
    return competence.area_code if competence else code.split(".", 1)[0]


def area_of(item: Item) -> str:
    return _area_of_competence(item.competence)


def _item(bank: ItemBank, item_id: str) -> Item:
    try:
        return bank.items[item_id]
    except KeyError:
        raise InvalidInput(f"Épreuve inconnue dans la banque {bank.version} : {item_id}",
                           code="unknown_item") from None


def responses(bank: ItemBank, answers: Iterable[CertificationAnswer],
              neutralised: Iterable[str] = ()) -> list[Response]:
    """The answers as 2PL responses, in order, neutralised items left out."""
    excluded = set(neutralised)
    out = []
    for answer in answers:
        if answer.item_id in excluded:
            continue
        item = _item(bank, answer.item_id)
        out.append(Response(item.calibration.a, item.calibration.b, answer.is_success))
    return out


def estimate(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
             config: CertificationVersion = DEFAULT_VERSION,
             neutralised: Iterable[str] = ()) -> AbilityEstimate:
    """Current ability estimate with the version's estimator."""
    resp = responses(bank, answers, neutralised)
    if config.estimator == "pix":
        return pix_eap(resp)
    return eap(resp, prior=config.prior)


def final_estimate(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                   config: CertificationVersion = DEFAULT_VERSION,
                   neutralised: Iterable[str] = ()) -> AbilityEstimate:
    """The ability the certificate reports: the version's `final_estimator`
    (since 2026.2 the EAP under the wider prior `final_prior_sd`), or the
    running estimator when it has none.

    Why not Warm's WLE, tried first for 2026.2: it has no pull to the middle
    but reads an all-wrong test of a weak candidate as θ = −8, and on the
    real bank that alone raised the RMSE from 0.349 to 0.484 (200 candidates,
    same answers); the EAP under N(0.5, 2.5²) kept 0.349 with |bias| ≤ 0.09
    at θ = −3, −2.5 and 4.5 (docs/psychometrics.md)."""
    if config.final_estimator == "wle":
        return wle(responses(bank, answers, neutralised))
    if config.final_estimator == "eap" and config.final_prior_sd is not None:
        return eap(responses(bank, answers, neutralised),
                   prior=Prior(config.prior_mean, config.final_prior_sd))
    if config.final_estimator is None:
        return estimate(bank, answers, config=config, neutralised=neutralised)
    return estimate(bank, answers, config=replace(config, estimator=config.final_estimator),
                    neutralised=neutralised)


def _stops(served: int, est: AbilityEstimate, config: CertificationVersion) -> bool:
    if served >= config.max_items:
        return True
    return (config.early_stop_se is not None
            and served >= config.min_items_before_stop
            and est.se <= config.early_stop_se)


def eligible_items(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                   accessible_only: bool = False,
                   neutralised: Iterable[str] = ()) -> list[Item]:
    """Items that may still be served: validated, unseen, unused tube,
    no enemy of an item served (neutralised ones included: the candidate saw
    them), not neutralised, accessible if required."""
    seen = {a.item_id for a in answers}
    excluded = seen | set(neutralised)
    excluded |= {e for i in excluded if i in bank.items for e in bank.items[i].enemies}
    used_tubes = set()
    for item_id in seen:
        item = bank.items.get(item_id)
        if item is not None:
            used_tubes.add((item.competence, item.tube))
    return [
        item for item in bank.items.values()
        if item.status is ItemStatus.VALIDATED
        and item.id not in excluded
        and (item.competence, item.tube) not in used_tubes
        and (item.accessible or not accessible_only)
    ]


def balanced_pool(bank: ItemBank, answers: Sequence[CertificationAnswer], candidates: list[Item],
                  config: CertificationVersion) -> list[Item]:
    """Apply competence rotation then area rotation (module docstring, step 4).

    With competence rotation, areas rotate within each round of competences
    (an area's count is the number of its competences already served in the
    current round); without it, over the whole test."""
    if not candidates:
        return candidates
    per_competence: dict[str, int] = {}
    for answer in answers:
        item = bank.items.get(answer.item_id)
        if item is not None:
            per_competence[item.competence] = per_competence.get(item.competence, 0) + 1
    pool = candidates
    per_area: dict[str, int] = {}
    if config.competence_rotation:
        least = min(per_competence.get(i.competence, 0) for i in pool)
        pool = [i for i in pool if per_competence.get(i.competence, 0) == least]
        for competence, count in per_competence.items():
            if count > least:
                area = _area_of_competence(competence)
                per_area[area] = per_area.get(area, 0) + 1
    else:
        for answer in answers:
            item = bank.items.get(answer.item_id)
            if item is not None:
                per_area[area_of(item)] = per_area.get(area_of(item), 0) + 1
    if config.area_rotation:
        least = min(per_area.get(area_of(i), 0) for i in pool)
        pool = [i for i in pool if per_area.get(area_of(i), 0) == least]
    return pool


def _information_groups(pool: Sequence[Item], theta: float) -> list[tuple[float, list[Item]]]:
    """Items grouped by equal information at θ, most informative group first
    (items sharing the same (a, b) — all uncalibrated items of a level — tie)."""
    by_key: dict[tuple[float, float], list[Item]] = {}
    for item in pool:
        by_key.setdefault((item.calibration.a, item.calibration.b), []).append(item)
    infos: dict[float, list[Item]] = {}
    for (a, b), items in by_key.items():
        infos.setdefault(information(theta, a, b), []).extend(items)
    return [(info, sorted(infos[info], key=lambda i: i.id)) for info in sorted(infos, reverse=True)]


def _rank_weights(k: int, config: CertificationVersion) -> list[float]:
    if config.pick_weights is None:
        return [1.0 / k] * k
    raw = list(config.pick_weights[:k])
    total = sum(raw)
    return [w / total for w in raw] if total > 0 else [1.0 / len(raw)] * len(raw)


def selection_probabilities(pool: Sequence[Item], theta: float,
                            config: CertificationVersion) -> list[tuple[Item, float]]:
    """Probability of serving each item of `pool` at this step.

    Items below `min_info_ratio` × the best information are dropped; the
    others are ranked by information at θ, ties in random order; the item in
    rank r (0-based, r < top_k) is served with probability w_r (uniform 1/k,
    or `pick_weights` normalised). A tie group spanning ranks s..s+g−1 shares
    the weight of those ranks equally, which is exactly the probability under
    a random order of the ties. Items with probability 0 are left out."""
    groups = _information_groups(pool, theta)
    if not groups:
        return []
    if config.min_info_ratio > 0:
        floor = config.min_info_ratio * groups[0][0]
        groups = [(info, items) for info, items in groups if info >= floor]
    weights = _rank_weights(min(config.top_k, sum(len(items) for _, items in groups)), config)
    k = len(weights)
    out: list[tuple[Item, float]] = []
    rank = 0
    for _, items in groups:
        if rank >= k:
            break
        share = sum(weights[rank:min(rank + len(items), k)]) / len(items)
        out.extend((item, share) for item in items)
        rank += len(items)
    return out


def _draw(choices: Sequence[tuple[Item, float]], rng: random.Random) -> Item:
    target = rng.random() * sum(p for _, p in choices)
    for item, p in choices:
        target -= p
        if target < 0:
            return item
    return choices[-1][0]


def is_finished(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                config: CertificationVersion = DEFAULT_VERSION,
                neutralised: Iterable[str] = (), accessible_only: bool = False) -> bool:
    """True when the stopping rule is met or no item can be served anymore."""
    neutralised = frozenset(neutralised)
    if _stops(len(answers), estimate(bank, answers, config=config, neutralised=neutralised), config):
        return True
    return not eligible_items(bank, answers, accessible_only=accessible_only, neutralised=neutralised)


def next_item(bank: ItemBank, answers: Sequence[CertificationAnswer], *, seed: int | str,
              accessible_only: bool = False,
              config: CertificationVersion = DEFAULT_VERSION,
              neutralised: Iterable[str] = ()) -> Item | None:
    """The next item to serve, or None when the test is over (see module doc).

    `answers`: every item served so far, in order, with its outcome (a
    neutralised item still counts toward the length, as at Pix, but not in
    the estimate). `seed`: stable per test (e.g. the certification course
    id). `neutralised`: items never to serve again nor to count."""
    choices = step_distribution(bank, answers, accessible_only=accessible_only,
                                config=config, neutralised=neutralised)
    if not choices:
        return None
    return _draw(choices, random.Random(f"{seed}:{len(answers)}"))


def step_distribution(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                      accessible_only: bool = False,
                      config: CertificationVersion = DEFAULT_VERSION,
                      neutralised: Iterable[str] = ()) -> list[tuple[Item, float]]:
    """What `next_item` draws from at this step (empty when the test is over);
    used to measure exposure exactly in the bench.

    With an exposure budget the earlier steps are replayed to know how much
    of each item's budget they spent (the API stays stateless: a retried
    request sees the same answers and serves the same item)."""
    return _replayed(bank, answers, accessible_only=accessible_only, config=config,
                     neutralised=neutralised).distribution()


# Warm-instance cache of replays: (bank id, config, accessible_only, neutralised,
# answers) -> (bank, spent). Replaying a test costs one distribution per answer
# already given, so the 32nd request of a test replayed 31 steps (about 0.15 s of
# CPU) and a test cost O(n²); a request that finds the state its previous request
# left (same candidate, same warm instance) replays one step. Missing or evicted
# entries only cost the full replay: the result is the same either way
# (tests/unit/test_cert_selection.py). Bounded, LRU, guarded by a lock for the
# local threaded server; the bank is kept in the value so its id cannot be reused.
_REPLAYS: OrderedDict = OrderedDict()
_REPLAYS_MAX = 512
_REPLAYS_LOCK = threading.Lock()


def _replayed(bank: ItemBank, answers: Sequence[CertificationAnswer], *, accessible_only: bool,
              config: CertificationVersion, neutralised: Iterable[str]) -> SelectionWalk:
    """The walk after `answers`, from the longest cached prefix (this request
    retried, or the one before it)."""
    walk = SelectionWalk(bank, accessible_only=accessible_only, config=config,
                         neutralised=neutralised)
    answers = tuple(answers)
    if config.exposure_budget is None:  # no budget: recording is appending, nothing to replay
        walk.answers = list(answers)
        return walk
    scope = (id(bank), config, accessible_only, walk.neutralised)
    start = 0
    with _REPLAYS_LOCK:
        for k in (len(answers), len(answers) - 1):
            hit = _REPLAYS.get((scope, answers[:k])) if k > 0 else None
            if hit is not None and hit[0] is bank:
                walk.answers, walk.spent, start = list(answers[:k]), dict(hit[1]), k
                break
    for answer in answers[start:]:
        walk.record(answer)
    with _REPLAYS_LOCK:
        _REPLAYS[(scope, answers)] = (bank, dict(walk.spent))
        _REPLAYS.move_to_end((scope, answers))
        while len(_REPLAYS) > _REPLAYS_MAX:
            _REPLAYS.popitem(last=False)
    return walk


class SelectionWalk:
    """A test replayed step by step: the answers so far and, with an exposure
    budget, the probability each item was already offered in this test.

    `next_item` builds one from the answers at every request; the bench keeps
    one per simulated candidate (same code, no replay)."""

    def __init__(self, bank: ItemBank, *, accessible_only: bool = False,
                 config: CertificationVersion = DEFAULT_VERSION,
                 neutralised: Iterable[str] = ()):
        self.bank = bank
        self.accessible_only = accessible_only
        self.config = config
        self.neutralised = frozenset(neutralised)
        self.answers: list[CertificationAnswer] = []
        self.spent: dict[str, float] = {}

    def distribution(self) -> list[tuple[Item, float]]:
        """(item, probability of serving it now); empty when the test is over."""
        config = self.config
        est = estimate(self.bank, self.answers, config=config, neutralised=self.neutralised)
        if _stops(len(self.answers), est, config):
            return []
        candidates = eligible_items(self.bank, self.answers, accessible_only=self.accessible_only,
                                    neutralised=self.neutralised)
        pool = balanced_pool(self.bank, self.answers, candidates, config)
        if config.exposure_budget is not None:
            return budgeted_probabilities(pool, est.theta, self.spent, config.exposure_budget)
        if not config.per_competence:
            return selection_probabilities(pool, est.theta, config)
        return _competence_then_item(pool, est.theta, config)

    def record(self, answer: CertificationAnswer,
               choices: Sequence[tuple[Item, float]] | None = None) -> None:
        """Append the answer to the item served; `choices`: the distribution
        it was drawn from, if the caller already has it."""
        if self.config.exposure_budget is not None:
            for item, p in (self.distribution() if choices is None else choices):
                self.spent[item.id] = self.spent.get(item.id, 0.0) + p
        self.answers.append(answer)


def budgeted_probabilities(pool: Sequence[Item], theta: float, spent: dict[str, float],
                           budget: float) -> list[tuple[Item, float]]:
    """Most informative draw that keeps every item within its exposure budget.

    Each item may be offered, over the whole test, a total probability of at
    most `budget` (`spent` holds what earlier steps offered). Items are taken
    in decreasing information at θ, each given all its remaining budget, until
    the probabilities sum to 1 (a tie group shares in proportion to what its
    items have left): the most informative distribution under these caps.

    Why this bounds exposure: the chance that a candidate sees an item is the
    expected sum of the probabilities it was offered at each step (one draw
    per step), and that sum is ≤ `budget` on every path of every candidate,
    whatever their ability and whatever the calibration of the bank. So
    among candidates of any ability band no item is seen by more than
    `budget` of them, while the best items are still served first.

    If the whole pool has less than 1 in budget left (fewer than 1/budget
    unspent items remain under the content rules, which the bench never met
    on a 700-item bank), the draw is scaled up to 1 among what is left, or
    falls back to the most informative items: serving an item beats ending a
    test early; the bound then holds only approximately.
    """
    groups = _information_groups(pool, theta)
    out: list[tuple[Item, float]] = []
    mass = 1.0
    for _, items in groups:
        caps = [(item, budget - spent.get(item.id, 0.0)) for item in items]
        caps = [(item, cap) for item, cap in caps if cap > 1e-12]
        total = sum(cap for _, cap in caps)
        if total <= 0:
            continue
        take = min(mass, total)
        out.extend((item, take * cap / total) for item, cap in caps)
        mass -= take
        if mass <= 1e-12:
            return out
    if out:
        scale = 1.0 / (1.0 - mass)
        return [(item, p * scale) for item, p in out]
    if groups:
        best = groups[0][1]
        return [(item, 1.0 / len(best)) for item in best]
    return []


def _competence_then_item(pool: Sequence[Item], theta: float,
                          config: CertificationVersion) -> list[tuple[Item, float]]:
    """Choose the competence, then randomesque top-k inside it (step 5)."""
    if not pool:
        return []
    by_competence: dict[str, list[Item]] = {}
    for item in pool:
        by_competence.setdefault(item.competence, []).append(item)
    choices = {c: selection_probabilities(items, theta, config)
               for c, items in sorted(by_competence.items())}
    if config.competence_choice == "uniform":
        chosen = list(choices)
    else:  # "best": the competence whose draw brings the most information on average
        value = {c: sum(p * information(theta, i.calibration.a, i.calibration.b) for i, p in ch)
                 for c, ch in choices.items()}
        best = max(value.values())
        chosen = [c for c in choices if value[c] >= best * (1 - 1e-9)]
    share = 1.0 / len(chosen)
    return [(item, share * p) for c in chosen for item, p in choices[c]]


def most_informative_item(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                          config: CertificationVersion = DEFAULT_VERSION,
                          neutralised: Iterable[str] = ()) -> Item | None:
    """Deterministic best next item under the content rules (no randomness);
    used to place the answers a candidate did not give (scoring)."""
    neutralised = frozenset(neutralised)
    est = estimate(bank, answers, config=config, neutralised=neutralised)
    pool = balanced_pool(bank, answers, eligible_items(bank, answers, neutralised=neutralised), config)
    if not pool:
        return None
    return _information_groups(pool, est.theta)[0][1][0]

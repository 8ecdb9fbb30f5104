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
5. Rank the remaining items by Fisher information at the current estimate
   (ties broken at random) and pick one of the `top_k` best: uniformly
   (randomesque), or with `pick_weights` (Pix: 0.51, 0.49·0.51, …).

Exposure control. Most items are still on their prior calibration, so many
items share the same information at a given θ; picking uniformly among the
top k (random tie-break) spreads candidates of the same ability over them.
Competence rotation already narrows each step to one or a few competences;
within one competence only 4–8 items sit at the best level, one per tube at
best, so a too small k concentrates same-ability candidates on those few
items. `top_k` was chosen with the bench (docs/benchmarks-certification.md):
see `DEFAULT_VERSION`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.framework import COMPETENCE_BY_CODE
from chalicelib.domain.items import Item, ItemBank, ItemStatus

from .answers import CertificationAnswer
from .irt import AbilityEstimate, Prior, Response, eap, information, pix_eap

PIX_PICK_WEIGHTS: tuple[float, ...] = tuple(0.51 * 0.49 ** i for i in range(5))


@dataclass(frozen=True)
class CertificationVersion:
    """Everything that defines how a certification test runs and is scored.

    Recorded with each certificate: a certificate is always re-scored with the
    version it was taken under.

    Defaults (measured with scripts/bench_certification.py on a 16-competence
    bank, θ ~ N(0.5, 1.5²), 1,000 simulated candidates):
    - max_items 32: Pix's length, the session timetable is built on it.
    - min_answers 20: Pix's rule for tests cut by an incident.
    - early_stop_se 0.33 after min_items_before_stop 24: candidates measured
      well enough stop early (most candidates in the middle of the scale);
      candidates at the extremes, where the bank has few informative items,
      use the full 32. Mean length ≈ 29 with a lower RMSE than Pix's 32 (bench).
    - top_k 8, uniform: keeps the maximum exposure of an item around 20% of
      candidates of the same level while losing little information (the 8
      best items in the rotating competences are at or next to the best
      level).
    - prior N(0.5, 1.5²): see irt.py.
    """

    version: str = "2026.1"
    max_items: int = 32
    min_answers: int = 20
    early_stop_se: float | None = 0.33
    min_items_before_stop: int = 24
    top_k: int = 8
    pick_weights: tuple[float, ...] | None = None  # None: uniform among top_k
    prior_mean: float = 0.5
    prior_sd: float = 1.5
    estimator: str = "eap"  # "eap" (ours) | "pix" (sequential, re-centred prior)
    competence_rotation: bool = True
    area_rotation: bool = True
    max_open_level: int = 7

    def __post_init__(self) -> None:
        if self.max_items < 1 or self.min_answers < 0 or self.min_answers > self.max_items:
            raise ValueError("need 0 <= min_answers <= max_items and max_items >= 1")
        if self.top_k < 1:
            raise ValueError("top_k must be >= 1")
        if self.estimator not in ("eap", "pix"):
            raise ValueError("estimator must be 'eap' or 'pix'")
        if self.pick_weights is not None and (not self.pick_weights or min(self.pick_weights) < 0):
            raise ValueError("pick_weights must be non-negative")
        if not 0 <= self.max_open_level <= 8:
            raise ValueError("max_open_level is 0..8")

    @property
    def prior(self) -> Prior:
        return Prior(self.prior_mean, self.prior_sd)


DEFAULT_VERSION = CertificationVersion()

# Pix's published rule, for the comparison bench: fixed length 32, top 5 by
# information picked with probabilities 0.51, 0.49·0.51, …, one item per tube,
# all competences before repeating (no area rule), sequential EAP.
PIX_VERSION = CertificationVersion(
    version="pix-v3", max_items=32, min_answers=20, early_stop_se=None,
    min_items_before_stop=32, top_k=5, pick_weights=PIX_PICK_WEIGHTS,
    estimator="pix", competence_rotation=True, area_rotation=False,
)


def _area_of_competence(code: str) -> str:
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
    not neutralised, accessible if required."""
    seen = {a.item_id for a in answers}
    excluded = seen | set(neutralised)
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


def _information_groups(pool: Sequence[Item], theta: float) -> list[list[Item]]:
    """Items grouped by equal information at θ, most informative group first
    (items sharing the same (a, b) — all uncalibrated items of a level — tie)."""
    by_key: dict[tuple[float, float], list[Item]] = {}
    for item in pool:
        by_key.setdefault((item.calibration.a, item.calibration.b), []).append(item)
    infos: dict[float, list[Item]] = {}
    for (a, b), items in by_key.items():
        infos.setdefault(information(theta, a, b), []).extend(items)
    return [sorted(infos[info], key=lambda i: i.id) for info in sorted(infos, reverse=True)]


def selection_probabilities(pool: Sequence[Item], theta: float,
                            config: CertificationVersion) -> list[tuple[Item, float]]:
    """Probability of serving each item of `pool` at this step.

    Items are ranked by information at θ, ties in random order; the item in
    rank r (0-based, r < top_k) is served with probability w_r (uniform 1/k,
    or `pick_weights` normalised). A tie group spanning ranks s..s+g−1 shares
    the weight of those ranks equally, which is exactly the probability under
    a random order of the ties. Items with probability 0 are left out."""
    k = min(config.top_k, len(pool))
    if k == 0:
        return []
    if config.pick_weights is None:
        weights = [1.0 / k] * k
    else:
        raw = list(config.pick_weights[:k])
        total = sum(raw)
        weights = [w / total for w in raw] if total > 0 else [1.0 / len(raw)] * len(raw)
        k = len(weights)
    out: list[tuple[Item, float]] = []
    rank = 0
    for group in _information_groups(pool, theta):
        if rank >= k:
            break
        share = sum(weights[rank:min(rank + len(group), k)]) / len(group)
        out.extend((item, share) for item in group)
        rank += len(group)
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
    used to measure exposure exactly in the bench."""
    neutralised = frozenset(neutralised)
    est = estimate(bank, answers, config=config, neutralised=neutralised)
    if _stops(len(answers), est, config):
        return []
    candidates = eligible_items(bank, answers, accessible_only=accessible_only,
                                neutralised=neutralised)
    return selection_probabilities(balanced_pool(bank, answers, candidates, config), est.theta, config)


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
    return _information_groups(pool, est.theta)[0][0]

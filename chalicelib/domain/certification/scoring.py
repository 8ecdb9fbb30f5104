"""From a certification test to a certificate: status, ability, score, levels.

Global score (Pix's published scale, `PIX_SCALE`): θ falls in one of eight
intervals; score = floor(weight × (coefficient + position of θ inside the
interval)), capped at the top of the highest open level (895 while level 7 is
the highest open level; 1023 once level 8 opens). The scale is continuous at
every interval boundary. Note that with Pix's eight intervals the top interval
[4, 8] maps to 768–896, so level 8 (896–1023) needs a ninth interval in the
scale; `score_from_theta` takes the scale as a parameter for that day.

Labels: Pré-initié 0–63, Initié 1 64–127, Initié 2 128–255, Indépendant 3
256–383, Indépendant 4 384–511, Avancé 5 512–639, Avancé 6 640–767, Expert 7
768–895, Expert 8 896–1023.

Test completeness (`score_certification`): the jury rules (`jury.py`)
decide from how the test ended what is scored, imputed, rejected or held:
- only the candidate's own ending (abandonment, time out) imputes missing
  answers: like Pix, each missing answer is placed on the item the algorithm
  would have served next (most informative under the content rules, no
  randomness) and scored ko, until the version's stopping rule (max_items,
  or the early-stop standard error) is met;
- a test cut by a technical incident after `min_answers` answers is scored
  on the answers given; before, it is rejected;
- a test with fewer than `min_answers` answers is never certified: rejected
  (incident) or held for a jury (any other ending); a fraud report holds the
  certificate, with its score when there is one;
- neutralised items are removed from the estimate (they still count toward
  the length: the candidate spent the time). If neutralisation leaves fewer
  than `min_answers` real answers in a test that had at least that many, the
  measurement is not the candidate's fault and not reliable: rejected.

Reported ability and precision: the version's final estimator
(`final_estimate`; Warm's WLE since 2026.2, so a perfect test scores the top
of the scale and extremes are not pulled to the middle), its standard error
`se`, and `score_low`..`score_high`, the scores of θ̂ ∓ 1.96 se.

Per-competence level (0..7 with Pix's scale, capped at the highest open
level): each competence's θ_c is the EAP of that competence's answers (real
and imputed, neutralised excluded) under a normal prior centred on the global
EAP computed WITHOUT that competence's answers (so they are not counted
twice), with variance se₋c² + τ², τ = 0.8 (`COMPETENCE_SPREAD`): a person's
competences spread about ±1 level around their overall ability. With the
2 answers a competence gets in a 32-item test the prior weighs as much as the
answers: a level is moved away from the global one only by consistent
evidence. θ_c is mapped to a level with the same intervals as the global
score (interval index = level). A competence without any scored answer (all
neutralised, or never served) gets no level: it is listed in
`not_evaluated` (« non évalué »), never given level 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.items import ItemBank

from chalicelib.domain.framework import COMPETENCES, MAX_OPEN_LEVEL

from . import jury
from .answers import CertificationAnswer
from .irt import AbilityEstimate, Prior, eap
from .selection import (
    DEFAULT_VERSION,
    CertificationVersion,
    final_estimate,
    is_finished,
    most_informative_item,
    responses,
)

COMPETENCE_SPREAD = 0.8
# A certificate states its precision as a 95% interval on the score.
CONFIDENCE_Z = 1.96


@dataclass(frozen=True)
class ScoreBand:
    low: float
    high: float
    weight: int
    coefficient: int


PIX_SCALE: tuple[ScoreBand, ...] = (
    ScoreBand(-8.0, -1.4, 64, 0),
    ScoreBand(-1.4, -0.519, 64, 1),
    ScoreBand(-0.519, 0.6, 128, 1),
    ScoreBand(0.6, 1.5, 128, 2),
    ScoreBand(1.5, 2.25, 128, 3),
    ScoreBand(2.25, 3.1, 128, 4),
    ScoreBand(3.1, 4.0, 128, 5),
    ScoreBand(4.0, 8.0, 128, 6),
)

# (lowest score, label) per level 0..8
LEVEL_LABELS: tuple[tuple[int, str], ...] = (
    (0, "Pré-initié"),
    (64, "Initié 1"),
    (128, "Initié 2"),
    (256, "Indépendant 3"),
    (384, "Indépendant 4"),
    (512, "Avancé 5"),
    (640, "Avancé 6"),
    (768, "Expert 7"),
    (896, "Expert 8"),
)
MAX_SCORE = 1023


def score_cap(max_open_level: int) -> int:
    """Highest score of the highest open level: 895 for level 7."""
    if max_open_level >= 8:
        return MAX_SCORE
    return LEVEL_LABELS[max_open_level + 1][0] - 1


def score_from_theta(theta: float, *, max_open_level: int = MAX_OPEN_LEVEL,
                     scale: Sequence[ScoreBand] = PIX_SCALE) -> int:
    """Global score 0..1023 of ability θ (see module docstring)."""
    if theta <= scale[0].low:
        raw = 0
    else:
        band = scale[-1]
        for candidate in scale:
            if theta < candidate.high:
                band = candidate
                break
        position = min(1.0, (theta - band.low) / (band.high - band.low))
        # 1e-9 absorbs float noise at exact boundaries (e.g. 128×(1+0.99999…)).
        raw = math.floor(band.weight * (band.coefficient + position) + 1e-9)
    return max(0, min(raw, score_cap(max_open_level)))


def level_from_score(score: int) -> int:
    level = 0
    for lvl, (low, _) in enumerate(LEVEL_LABELS):
        if score >= low:
            level = lvl
    return level


def level_label(score: int) -> str:
    return LEVEL_LABELS[level_from_score(score)][1]


def level_from_theta(theta: float, *, max_open_level: int = MAX_OPEN_LEVEL,
                     scale: Sequence[ScoreBand] = PIX_SCALE) -> int:
    """Interval index of θ (0 below the first upper bound), capped."""
    level = len(scale) - 1
    for index, band in enumerate(scale):
        if theta < band.high:
            level = index
            break
    return min(level, max_open_level)


@dataclass(frozen=True)
class CertificationResult:
    status: str                      # "validated" | "rejected" | "held" (jury.Status)
    theta: float | None
    se: float | None
    global_score: int | None
    level_label: str | None
    competence_levels: dict[str, int] = field(default_factory=dict)
    answered_count: int = 0          # answers actually given
    reason: str | None = None        # jury reason code: why rejected or held, or what was adjusted
    level: int | None = None         # 0..8 from the global score
    imputed_count: int = 0           # missing answers counted as skipped
    scored_count: int = 0            # responses in the estimate (real + imputed)
    # competences of the framework with no scored answer: « non évalué »
    not_evaluated: tuple[str, ...] = ()
    # stated precision: the scores of θ̂ ∓ 1.96 SE, a 95% interval on the score
    score_low: int | None = None
    score_high: int | None = None
    # stated precision of each competence level: (low, high), 95% range
    competence_level_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)


def _unscored(decision: jury.Decision, answered: int) -> CertificationResult:
    return CertificationResult(decision.status.value, None, None, None, None, {}, answered,
                               decision.reason, not_evaluated=tuple(c.code for c in COMPETENCES))


def impute_missing(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                   version: CertificationVersion, neutralised: Iterable[str] = ()
                   ) -> list[CertificationAnswer]:
    """Missing answers as skipped, on the items the test would have served."""
    neutralised = frozenset(neutralised)
    completed = list(answers)
    imputed: list[CertificationAnswer] = []
    while not is_finished(bank, completed, config=version, neutralised=neutralised):
        item = most_informative_item(bank, completed, config=version, neutralised=neutralised)
        if item is None:  # pragma: no cover - is_finished covers it
            break
        answer = CertificationAnswer(item.id, AnswerStatus.ABAND)
        completed.append(answer)
        imputed.append(answer)
    return imputed


def competence_thetas(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                      version: CertificationVersion, neutralised: Iterable[str] = ()
                      ) -> dict[str, float]:
    """Per-competence EAP with a leave-competence-out global prior."""
    return {c: est.theta for c, est in competence_estimates(bank, answers, version=version,
                                                             neutralised=neutralised).items()}


def competence_estimates(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                         version: CertificationVersion, neutralised: Iterable[str] = ()
                         ) -> dict[str, AbilityEstimate]:
    """Per-competence EAP and its posterior SD (the precision a certificate
    must state: 1–3 answers per competence leave it about ±1 level)."""
    neutralised = frozenset(neutralised)
    scored = [a for a in answers if a.item_id not in neutralised]
    by_competence: dict[str, list[CertificationAnswer]] = {}
    for answer in scored:
        by_competence.setdefault(bank.items[answer.item_id].competence, []).append(answer)
    estimates = {}
    for competence, own in sorted(by_competence.items()):
        others = [a for a in scored if bank.items[a.item_id].competence != competence]
        # always the order-free EAP: Pix's sequential estimate means nothing
        # on a subset of answers taken out of their order
        rest = eap(responses(bank, others), prior=version.prior)
        prior = Prior(rest.theta, math.sqrt(rest.se ** 2 + COMPETENCE_SPREAD ** 2))
        estimates[competence] = eap(responses(bank, own), prior=prior)
    return estimates


def competence_level_ranges(estimates: dict[str, AbilityEstimate], max_open_level: int
                            ) -> dict[str, tuple[int, int]]:
    """The levels of θ_c ∓ 1.96 SD: the stated 95% range of each competence
    level (most ranges span 2–3 levels: the per-competence level is an
    indication, the global score is the certified measure)."""
    return {c: (level_from_theta(e.theta - CONFIDENCE_Z * e.se, max_open_level=max_open_level),
                level_from_theta(e.theta + CONFIDENCE_Z * e.se, max_open_level=max_open_level))
            for c, e in estimates.items()}


def open_end_score(scored: Sequence, score: int, max_open_level: int) -> int:
    """A test answered all right scores the top of the scale (all wrong: 0).

    Its data bound the ability only from one side ("above everything this
    test measured"): any finite estimate is the prior's choice, and with
    Pix's scale 895 needs θ ≥ 7.97, which no prior-pulled estimate reaches.
    Mixed answer patterns keep the estimate's score."""
    if scored and all(r.correct for r in scored):
        return score_cap(max_open_level)
    if scored and not any(r.correct for r in scored):
        return 0
    return score


def score_certification(bank: ItemBank, answers: Sequence[CertificationAnswer], *,
                        version: CertificationVersion = DEFAULT_VERSION,
                        ended_by_incident: bool = False,
                        neutralised: Iterable[str] = (),
                        ending: jury.Ending | None = None) -> CertificationResult:
    """Score a finished (or interrupted) certification test.

    `answers`: every item served, in order. `ending`: how the test ended
    (`jury.ending_of`); without it, `ended_by_incident` says a technical
    incident cut it, else it counts as the candidate's own ending (missing
    answers imputed). `neutralised`: item ids neutralised for this candidate."""
    neutralised = frozenset(neutralised)
    ids = [a.item_id for a in answers]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Une même épreuve apparaît deux fois dans le test.",
                           code="duplicate_answer")
    responses(bank, answers)  # raises on an unknown item
    if ending is None:
        ending = jury.Ending(jury.EndReason.TECHNICAL_INCIDENT if ended_by_incident
                             else jury.EndReason.ABANDONED)
    answered = len(answers)
    real_scored = sum(1 for a in answers if a.item_id not in neutralised)
    decision = jury.decide(ending, answered=answered, real=real_scored, min_answers=version.min_answers)
    if decision.scoring is jury.Scoring.NONE:
        return _unscored(decision, answered)

    imputed = (impute_missing(bank, answers, version=version, neutralised=neutralised)
               if decision.scoring is jury.Scoring.IMPUTED else [])
    completed = list(answers) + imputed
    est = final_estimate(bank, completed, config=version, neutralised=neutralised)
    score = score_from_theta(est.theta, max_open_level=version.max_open_level)
    if version.open_ends:
        score = open_end_score(responses(bank, completed, neutralised), score, version.max_open_level)
    per_competence = competence_estimates(bank, completed, version=version, neutralised=neutralised)
    levels = {c: level_from_theta(e.theta, max_open_level=version.max_open_level)
              for c, e in per_competence.items()}
    reason = decision.reason or (jury.MISSING_IMPUTED if imputed else None)
    margin = CONFIDENCE_Z * est.se if math.isfinite(est.se) else math.inf
    return CertificationResult(
        status=decision.status.value,
        theta=est.theta,
        se=est.se,
        global_score=score,
        level_label=level_label(score),
        competence_levels=levels,
        answered_count=answered,
        reason=reason,
        level=level_from_score(score),
        imputed_count=len(imputed),
        scored_count=sum(1 for a in completed if a.item_id not in neutralised),
        not_evaluated=tuple(c.code for c in COMPETENCES if c.code not in levels),
        score_low=min(score, score_from_theta(est.theta - margin, max_open_level=version.max_open_level)),
        competence_level_ranges=competence_level_ranges(per_competence, version.max_open_level),
        score_high=max(score, score_from_theta(est.theta + margin, max_open_level=version.max_open_level)),
    )

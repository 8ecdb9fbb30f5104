"""Jury rules: how a certification test ended decides what becomes of it.

A certificate states what a person can do. It may only say less than the
answers show when the person chose to stop; it may never say "level 0" for a
test too short to measure anything. Hence, for a test with `answered` items
answered, `real` of them not neutralised, under a version's `min_answers`:

| how the test ended                 | answered < min  | answered >= min, real < min | otherwise            |
|------------------------------------|-----------------|-----------------------------|----------------------|
| finished (stopping rule met)       | held (jury)     | rejected                    | scored, as given     |
| abandoned by the candidate         | held (jury)     | rejected                    | scored, missing = ko |
| timed out                          | held (jury)     | rejected                    | scored, missing = ko |
| technical incident (centre report) | rejected        | rejected                    | scored, as given     |
| fraud reported (any ending)        | held (jury)     | held (jury)                 | scored, then held    |

- Only the candidate's own ending (abandonment, time out) imputes the missing
  answers as wrong ("missing = ko", `scoring.impute_missing`): the candidate
  chose not to answer them. A technical incident is nobody's choice: the test
  is scored on the answers given, like a test stopped early by its rule.
- A test shorter than `min_answers` is never certified. Cut by an incident,
  it is rejected (the candidate may sit again: nothing to judge). Otherwise
  a jury decides (`jury_decision`): the centre may have filed the wrong
  category, or the candidate left for a reason the centre did not report.
- Neutralised items leave the estimate; when they leave fewer than
  `min_answers` real answers the measurement is nobody's fault and too thin:
  rejected.
- A fraud report holds the certificate whatever the ending; its score (when
  there is one) is computed by the rules above and kept for the jury, who
  validates it or rejects it.

The rules are the same for every certification version (they are not
tuning parameters of a version): they are how a jury reads any recorded
test, old or new (docs/jury.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable

from chalicelib.domain.errors import Conflict


class EndReason(str, Enum):
    """How the test stopped (before any fraud report is considered)."""
    FINISHED = "finished"
    ABANDONED = "abandoned"
    TIMED_OUT = "timed_out"
    TECHNICAL_INCIDENT = "technical_incident"


class Status(str, Enum):
    """A certificate's status: only `validated` ones are certificates.
    `cancelled`: validated once, then withdrawn by a platform admin after
    issuance (e.g. fraud established after the session; domain/certificate.py)."""
    VALIDATED = "validated"
    REJECTED = "rejected"
    HELD = "held"
    CANCELLED = "cancelled"


class Scoring(str, Enum):
    """How the score is computed, if at all."""
    NONE = "none"              # no score: too few answers to measure anything
    AS_GIVEN = "as_given"      # on the answers given (neutralised removed)
    IMPUTED = "imputed"        # missing answers added as wrong, then scored


# The candidate's own endings: the only ones that may lower a score.
CANDIDATE_ENDINGS = frozenset({EndReason.ABANDONED, EndReason.TIMED_OUT})

# Centre report categories (services/certification_inputs.IncidentCategory)
# that make an invigilator's ending a technical incident. "left_early" is not
# one: leaving is the candidate's choice (a jury hears any other story).
TECHNICAL_INCIDENTS = frozenset({"technical_problem", "accessibility"})
FRAUD_CATEGORY = "fraud_suspicion"

# Reason codes stored with a certificate, and what people read for them.
INCIDENT_TOO_SHORT = "incident_too_short"
TOO_SHORT = "too_short"
NEUTRALISED_TOO_SHORT = "neutralised_too_short"
FRAUD_REPORTED = "fraud_reported"
MISSING_IMPUTED = "missing_answers_imputed"
JURY_REJECTED = "jury_rejected"
JURY_VALIDATED = "jury_validated"
PLATFORM_CANCELLED = "certificate_cancelled"

_MESSAGES = {
    INCIDENT_TOO_SHORT: "Test interrompu par un incident technique avant {min} réponses : le résultat "
                        "est annulé et le candidat peut repasser la certification.",
    TOO_SHORT: "Test arrêté avant {min} réponses : aucun niveau ne peut être certifié ; le résultat "
               "attend la décision du jury.",
    NEUTRALISED_TOO_SHORT: "Moins de {min} réponses exploitables après neutralisation des questions "
                           "signalées : le résultat est annulé et le candidat peut repasser la "
                           "certification.",
    FRAUD_REPORTED: "Suspicion de fraude signalée par le centre : le résultat attend la décision du jury.",
    MISSING_IMPUTED: "Test abandonné avant la fin : les questions non répondues comptent comme échouées.",
    JURY_REJECTED: "Résultat annulé par décision du jury.",
    JURY_VALIDATED: "Résultat validé par décision du jury.",
    PLATFORM_CANCELLED: "Certificat annulé par la plateforme après sa délivrance : il n'atteste plus "
               "d'aucun niveau.",
}
_FALLBACK = {
    Status.REJECTED.value: "Résultat annulé.",
    Status.HELD.value: "Résultat en attente de la décision du jury.",
    Status.CANCELLED.value: _MESSAGES[PLATFORM_CANCELLED],
}
NOT_EVALUATED = "non évalué"


@dataclass(frozen=True)
class Ending:
    """How a test ended: its end reason, and whether fraud was reported."""
    reason: EndReason
    fraud_reported: bool = False


@dataclass(frozen=True)
class Decision:
    status: Status
    scoring: Scoring
    reason: str | None = None   # a reason code above


def ending_of(ended_by: str | None, incident_categories: Iterable[str | None]) -> Ending:
    """The ending of a stored course (`ended_by`: "completed" when its
    stopping rule was met, "invigilator" when ended by the invigilator,
    "timed_out" when its time ran out) read with the centre's report on the
    candidate (incident categories)."""
    categories = set(incident_categories)
    fraud = FRAUD_CATEGORY in categories
    if ended_by == "completed":
        return Ending(EndReason.FINISHED, fraud)
    if ended_by == EndReason.TIMED_OUT.value:
        return Ending(EndReason.TIMED_OUT, fraud)
    if categories & TECHNICAL_INCIDENTS:
        return Ending(EndReason.TECHNICAL_INCIDENT, fraud)
    return Ending(EndReason.ABANDONED, fraud)


def decide(ending: Ending, *, answered: int, real: int, min_answers: int) -> Decision:
    """The table of the module docstring. `answered`: items answered;
    `real`: those not neutralised."""
    imputes = ending.reason in CANDIDATE_ENDINGS
    measurable = answered >= min_answers and real >= min_answers
    if ending.fraud_reported:
        if not measurable:
            return Decision(Status.HELD, Scoring.NONE, FRAUD_REPORTED)
        return Decision(Status.HELD, Scoring.IMPUTED if imputes else Scoring.AS_GIVEN, FRAUD_REPORTED)
    if answered < min_answers:
        if ending.reason is EndReason.TECHNICAL_INCIDENT:
            return Decision(Status.REJECTED, Scoring.NONE, INCIDENT_TOO_SHORT)
        return Decision(Status.HELD, Scoring.NONE, TOO_SHORT)
    if real < min_answers:
        return Decision(Status.REJECTED, Scoring.NONE, NEUTRALISED_TOO_SHORT)
    return Decision(Status.VALIDATED, Scoring.IMPUTED if imputes else Scoring.AS_GIVEN)


class JuryChoice(str, Enum):
    VALIDATE = "validate"
    REJECT = "reject"


def jury_decision(status: str, has_score: bool, choice: JuryChoice) -> tuple[Status, str]:
    """A jury's decision on a held certificate: its new status and reason.
    Only a held certificate is decided; only one with a score may be
    validated (a test too short to measure is never certified)."""
    if status != Status.HELD.value:
        raise Conflict("Seul un résultat en attente de décision du jury peut être tranché.",
                       code="certificate_not_held")
    if choice is JuryChoice.VALIDATE:
        if not has_score:
            raise Conflict("Ce test est trop court pour être certifié : le jury ne peut que l'annuler.",
                           code="certificate_not_scorable")
        return Status.VALIDATED, JURY_VALIDATED
    return Status.REJECTED, JURY_REJECTED


def reason_message(status: str, reason: str | None, min_answers: int = 20) -> str | None:
    """What the candidate, the school and the admin read about a status.
    None for a validated certificate with nothing to say. Reasons stored
    before these rules (free English text) read as their status; a
    cancelled certificate always reads as cancelled."""
    if status == Status.CANCELLED.value:
        return _FALLBACK[status]
    if reason in _MESSAGES:
        return _MESSAGES[reason].format(min=min_answers)
    return _FALLBACK.get(status)


def competence_results(levels: dict[str, int], codes: Iterable[str]) -> list[dict]:
    """Every competence of `codes` with its level, or None and « non évalué »
    when the test measured nothing of it (all its answers neutralised, or
    none served): absent is not level 0."""
    out = []
    for code in codes:
        level = levels.get(code)
        out.append({"code": code, "level": None if level is None else int(level),
                    "evaluated": level is not None,
                    "label": NOT_EVALUATED if level is None else f"niveau {int(level)}"})
    return out

"""Which competence a learner should work on next ("par où commencer ?").

The profile and the end of a positioning test both answer it, with the same
rule, so the advice never contradicts itself between two screens:

1. a test already started: finish it (its answers are kept, nothing is lost);
2. not certifiable yet: a competence not started, in an area the learner has
   not explored yet (one per area gives a first picture of the profile and the
   5 competences at level 1 that certification asks for), else any not started;
3. certifiable: a competence not started;
4. everything started: the lowest-level competence that may be retried now;
5. otherwise nothing to suggest today (retries open later: the profile says when).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from chalicelib.domain.certification.eligibility import MIN_COMPETENCES, MIN_LEVEL


@dataclass(frozen=True)
class CompetenceStanding:
    code: str
    area: str
    status: str          # not_started | started | completed
    level: int
    can_improve: bool


@dataclass(frozen=True)
class Suggestion:
    code: str
    reason: str          # French, shown to the learner


def next_competence(competences: Sequence[CompetenceStanding], *, certifiable: bool,
                    exclude: str | None = None) -> Suggestion | None:
    """The competence to suggest (codes compared in framework order, as given);
    `exclude`: the one just finished, never suggested right after itself."""
    pool = [c for c in competences if c.code != exclude]
    started = [c for c in pool if c.status == "started"]
    if started:
        return Suggestion(started[0].code, "Vous avez commencé ce test : terminez-le, vos réponses sont gardées.")
    fresh = [c for c in pool if c.status == "not_started"]
    if fresh and not certifiable:
        explored = {c.area for c in competences if c.status != "not_started"}
        elsewhere = [c for c in fresh if c.area not in explored]
        if elsewhere:
            return Suggestion(elsewhere[0].code, "Un domaine que vous n'avez pas encore exploré : une compétence "
                              "par domaine donne un premier aperçu de votre profil.")
        return Suggestion(fresh[0].code, f"Pour être certifiable, il faut {MIN_COMPETENCES} compétences de niveau {MIN_LEVEL} "
                          "ou plus.")
    if fresh:
        return Suggestion(fresh[0].code, "Une compétence que vous n'avez pas encore testée.")
    retry = sorted((c for c in pool if c.can_improve), key=lambda c: c.level)
    if retry:
        return Suggestion(retry[0].code, "Votre niveau le plus bas parmi les compétences que vous pouvez "
                          "retenter aujourd'hui.")
    return None

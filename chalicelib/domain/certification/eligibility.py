"""Who may start a certification test: the rule and its refusal, in one place.

Pix's rule: at least `MIN_COMPETENCES` competences at level 1 or more in the
candidate's positioning profile. The refusal message is built from the same
constant, so the number the candidate reads is the one applied.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

MIN_COMPETENCES = 5
MIN_LEVEL = 1


@dataclass(frozen=True)
class Eligibility:
    certifiable: bool
    competences_at_min_level: int

    def refusal(self) -> str:
        """French message for a candidate refused at join."""
        return (f"Votre profil n'est pas encore certifiable : il faut au moins {MIN_COMPETENCES} "
                f"compétences de niveau {MIN_LEVEL} ou plus (vous en avez {self.competences_at_min_level}). "
                "Continuez à vous positionner avant la certification.")


def eligibility(competence_levels: Iterable[int]) -> Eligibility:
    """From the levels of a profile's competences (one level per competence)."""
    count = sum(1 for level in competence_levels if level >= MIN_LEVEL)
    return Eligibility(count >= MIN_COMPETENCES, count)

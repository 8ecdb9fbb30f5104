"""A class's competence profile in a campaign, pure: from the shared results,
how many pupils reached each level of each competence, and the mean level.

The school reads it as a chart and as a table (the same figures), to see
where a class stands. Only shared results count: nothing reaches the school
before a pupil sends it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from chalicelib.domain.framework import COMPETENCE_BY_CODE, MAX_LEVEL


@dataclass(frozen=True)
class CompetenceLevels:
    code: str
    title: str
    pupils: int
    mean_level: float               # one decimal; 0.0 with no pupil
    by_level: tuple[int, ...]       # pupils at level 0, 1, ..., MAX_LEVEL

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "pupils": self.pupils,
                "mean_level": self.mean_level, "by_level": list(self.by_level)}


def class_profile(competences: Iterable[str],
                  levels_of_pupils: Iterable[dict[str, tuple[int, int]]]) -> list[CompetenceLevels]:
    """`levels_of_pupils`: each pupil's {competence: (pix, level)}. A level
    outside 0..MAX_LEVEL (a corrupt snapshot) is clamped rather than dropped,
    so every pupil is counted once per competence."""
    codes = list(competences)
    counts = {code: [0] * (MAX_LEVEL + 1) for code in codes}
    for levels in levels_of_pupils:
        for code in codes:
            level = levels.get(code, (0, 0))[1]
            counts[code][min(max(int(level), 0), MAX_LEVEL)] += 1
    out = []
    for code in codes:
        by_level = counts[code]
        pupils = sum(by_level)
        mean = round(sum(level * n for level, n in enumerate(by_level)) / pupils, 1) if pupils else 0.0
        title = COMPETENCE_BY_CODE[code].title if code in COMPETENCE_BY_CODE else code
        out.append(CompetenceLevels(code, title, pupils, mean, tuple(by_level)))
    return out

"""Knowledge elements: what a competence test says about each skill.

Every answer of a positioning test gives one *direct* knowledge element on the
skill of its item: validated when the answer is ``ok``, invalidated for any
other status (``ko``, ``aband``, ``timedout``, ``focusedOut``). Skills of one
tube are ordered by difficulty, so an answer also says something about its
neighbours (*inferred* elements, same rule as the reference platform):

- a validated skill validates the easier skills of its tube not tested yet;
- an invalidated skill invalidates the harder skills of its tube not tested yet.

Answers are replayed in order. Inference never overrides an element that
already exists (the first evidence about a skill stands, as on the reference
platform), but direct evidence always wins over inferred evidence: a direct
answer on a skill that was only inferred replaces the inferred element, and if
a skill is answered directly twice (only possible outside the adaptive test,
which never serves a tested skill again) the latest answer counts. Replaying
keeps the function pure: the elements are a projection of the answers, never
stored state that could drift from them.

Scoring follows the reference platform, so learners find the numbers they
know: a skill is worth ``Skill.pix_value`` (min(4, 8 / skills of its level),
computed by the loader), the competence pix are the sum over validated skills,
shown rounded down and capped at the highest open level; the level is
floor(pix / 8), capped the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.framework import MAX_OPEN_LEVEL, PIX_PER_LEVEL, level_from_pix
from chalicelib.domain.items import ItemBank

# Highest level a learner can reach today: the framework's open level, the
# same as certification's (framework.MAX_OPEN_LEVEL).
DEFAULT_MAX_REACHABLE_LEVEL = MAX_OPEN_LEVEL


class KnowledgeStatus(str, Enum):
    VALIDATED = "validated"
    INVALIDATED = "invalidated"


class KnowledgeSource(str, Enum):
    DIRECT = "direct"
    INFERRED = "inferred"


@dataclass(frozen=True)
class PositioningAnswer:
    """One answer of a positioning test, as the engines need it.

    `scored` is False for an answer given in a pilot slot: it is kept so the
    item is never served again and its enemies stay barred, but it never makes
    a knowledge element, pix or level (even once the item is promoted)."""

    item_id: str
    status: AnswerStatus
    scored: bool = True


@dataclass(frozen=True)
class KnowledgeElement:
    skill: str                 # "@moteurRecherche3"
    status: KnowledgeStatus
    source: KnowledgeSource
    item_id: str | None        # the answered item; None when inferred

    @property
    def is_validated(self) -> bool:
        return self.status is KnowledgeStatus.VALIDATED

    @property
    def is_direct(self) -> bool:
        return self.source is KnowledgeSource.DIRECT


@dataclass(frozen=True)
class CompetenceProfile:
    competence: str
    pix: int                   # shown: floor of the exact sum, capped at the highest open level
    exact_pix: float           # uncapped sum of validated skills' pix values
    level: int
    pix_to_next_level: int | None  # None when the level is the highest open one


def knowledge_elements(
    bank: ItemBank, competence: str, answers: Sequence[PositioningAnswer]
) -> list[KnowledgeElement]:
    """Knowledge elements of one competence, in the order they were first obtained.

    Answers on items of other competences, on items no longer in the bank,
    and unscored (pilot) answers say nothing about this competence and are
    skipped.
    """
    tubes = bank.tubes.get(competence, {})
    elements: dict[str, KnowledgeElement] = {}
    for answer in answers:
        item = bank.items.get(answer.item_id)
        if item is None or item.competence != competence or not answer.scored:
            continue
        validated = answer.status is AnswerStatus.OK
        status = KnowledgeStatus.VALIDATED if validated else KnowledgeStatus.INVALIDATED
        skill = item.skill
        elements.pop(skill, None)  # direct evidence replaces whatever was there
        elements[skill] = KnowledgeElement(skill, status, KnowledgeSource.DIRECT, item.id)
        for level, name in sorted(tubes.get(item.tube, {}).items()):
            if name in elements:
                continue
            if (validated and level < item.level) or (not validated and level > item.level):
                elements[name] = KnowledgeElement(name, status, KnowledgeSource.INFERRED, None)
    return list(elements.values())


def skills_tested(elements: Iterable[KnowledgeElement]) -> set[str]:
    """Skills the test knows about, directly or by inference."""
    return {e.skill for e in elements}


def competence_pix(elements: Iterable[KnowledgeElement], bank: ItemBank, competence: str) -> float:
    """Exact pix of a competence: sum of the validated skills' pix values."""
    total = 0.0
    for element in elements:
        skill = bank.skills.get(element.skill)
        if element.is_validated and skill is not None and skill.competence == competence:
            total += skill.pix_value
    return total


def shown_pix(pix: float, max_reachable_level: int = DEFAULT_MAX_REACHABLE_LEVEL) -> int:
    """Pix shown to the learner: rounded down, at most 8 per open level."""
    # round() first: 8/3 + 8/3 + 8/3 must give 8, not 7.999999.
    return min(math.floor(round(pix, 6)), max_reachable_level * PIX_PER_LEVEL)


def competence_level(pix: float, max_reachable_level: int = DEFAULT_MAX_REACHABLE_LEVEL) -> int:
    return level_from_pix(round(pix, 6), max_reachable_level)


def competence_profile(
    elements: Iterable[KnowledgeElement],
    bank: ItemBank,
    competence: str,
    max_reachable_level: int = DEFAULT_MAX_REACHABLE_LEVEL,
) -> CompetenceProfile:
    exact = competence_pix(elements, bank, competence)
    pix = shown_pix(exact, max_reachable_level)
    level = competence_level(exact, max_reachable_level)
    to_next = None if level >= max_reachable_level else (level + 1) * PIX_PER_LEVEL - pix
    return CompetenceProfile(competence, pix, exact, level, to_next)

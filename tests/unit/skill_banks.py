"""Small synthetic item banks for the knowledge and positioning tests.

Built in code so the tests do not move when the real content changes.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from chalicelib.domain.framework import skill_pix_value
from chalicelib.domain.items import (
    PRIOR_DIFFICULTY_BY_LEVEL,
    PRIOR_DISCRIMINATION,
    Calibration,
    Item,
    ItemBank,
    ItemStatus,
    ItemType,
    Skill,
)


def make_item(
    competence: str,
    tube: str,
    level: int,
    suffix: str = "a",
    *,
    timer: int | None = None,
    status: ItemStatus = ItemStatus.VALIDATED,
) -> Item:
    return Item(
        id=f"{competence.replace('.', '')}-{tube[1:].lower()}-{level}{suffix}",
        competence=competence,
        tube=tube,
        level=level,
        type=ItemType.QCU,
        instruction="Question ?",
        tutorial="Explication.",
        calibration=Calibration(PRIOR_DISCRIMINATION, PRIOR_DIFFICULTY_BY_LEVEL[level]),
        status=status,
        proposals=("oui", "non"),
        solution=frozenset({1}),
        timer=timer,
    )


def bank_from_items(items: Iterable[Item], version: str = "test") -> ItemBank:
    items = list(items)
    by_skill: dict[str, list[Item]] = {}
    for item in items:
        by_skill.setdefault(item.skill, []).append(item)
    per_level = Counter((group[0].competence, group[0].level) for group in by_skill.values())
    skills = {
        name: Skill(
            name=name,
            competence=group[0].competence,
            tube=group[0].tube,
            level=group[0].level,
            pix_value=skill_pix_value(per_level[(group[0].competence, group[0].level)]),
            item_ids=tuple(i.id for i in group),
        )
        for name, group in by_skill.items()
    }
    tubes: dict[str, dict[str, dict[int, str]]] = {}
    for skill in skills.values():
        tubes.setdefault(skill.competence, {}).setdefault(skill.tube, {})[skill.level] = skill.name
    return ItemBank(version, {i.id: i for i in items}, skills, tubes)


def make_bank(
    tubes: Mapping[str, Iterable[int]],
    competence: str = "1.1",
    *,
    items_per_skill: int = 1,
    timed: Iterable[str] = (),
    drafts: Iterable[str] = (),
) -> ItemBank:
    """One competence; `timed` / `drafts` name skills whose items are all timed / draft."""
    timed, drafts = set(timed), set(drafts)
    items = []
    for tube, levels in tubes.items():
        for level in levels:
            skill = f"{tube}{level}"
            for k in range(items_per_skill):
                items.append(
                    make_item(
                        competence,
                        tube,
                        level,
                        "abcdefgh"[k],
                        timer=30 if skill in timed else None,
                        status=ItemStatus.DRAFT if skill in drafts else ItemStatus.VALIDATED,
                    )
                )
    return bank_from_items(items)

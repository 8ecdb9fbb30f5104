"""Synthetic item banks for the certification tests (built in code, never
the real content), and a candidate simulator."""
from __future__ import annotations

import random
from typing import Callable

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.certification import (
    CertificationAnswer,
    CertificationVersion,
    next_item,
    probability,
)
from chalicelib.domain.framework import COMPETENCES
from chalicelib.domain.items import (
    PRIOR_DIFFICULTY_BY_LEVEL,
    PRIOR_DISCRIMINATION,
    Calibration,
    Item,
    ItemBank,
    ItemStatus,
    ItemType,
)


def make_item(item_id: str, *, competence: str = "1.1", tube: str = "@tube", level: int = 3,
              a: float | None = None, b: float | None = None,
              status: ItemStatus = ItemStatus.VALIDATED, accessible: bool = True,
              timer: int | None = None) -> Item:
    return Item(
        id=item_id, competence=competence, tube=tube, level=level, type=ItemType.QCU,
        instruction="?", tutorial="",
        calibration=Calibration(PRIOR_DISCRIMINATION if a is None else a,
                                PRIOR_DIFFICULTY_BY_LEVEL[level] if b is None else b),
        status=status, accessible=accessible, timer=timer,
    )


def make_bank(items: list[Item], version: str = "test") -> ItemBank:
    return ItemBank(version=version, items={i.id: i for i in items}, skills={})


def full_bank(*, tubes_per_competence: int = 5, levels: range = range(1, 9),
              per_level: int = 1, seed: int = 0, jitter: bool = False,
              accessible: Callable[[random.Random], bool] | None = None,
              status: Callable[[random.Random], ItemStatus] | None = None,
              competences=COMPETENCES) -> ItemBank:
    """Every competence × tube × level with `per_level` items."""
    rng = random.Random(seed)
    items = []
    for competence in competences:
        code = competence.code.replace(".", "")
        for t in range(tubes_per_competence):
            for level in levels:
                for k in range(per_level):
                    b = PRIOR_DIFFICULTY_BY_LEVEL[level] + (rng.gauss(0, 0.3) if jitter else 0.0)
                    a = rng.uniform(0.7, 2.0) if jitter else PRIOR_DISCRIMINATION
                    items.append(make_item(
                        f"c{code}-t{t}-{level}{'abcdef'[k]}", competence=competence.code,
                        tube=f"@c{code}t{t}", level=level, a=a, b=b,
                        accessible=accessible(rng) if accessible else True,
                        status=status(rng) if status else ItemStatus.VALIDATED,
                    ))
    return make_bank(items)


def answer(item: Item, ok: bool) -> CertificationAnswer:
    return CertificationAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO)


def simulate(bank: ItemBank, theta: float, *, seed: int | str = 0,
             config: CertificationVersion | None = None, accessible_only: bool = False,
             neutralised: frozenset[str] = frozenset()) -> list[CertificationAnswer]:
    """Run a whole test for a candidate of ability θ answering from the 2PL."""
    rng = random.Random(f"candidate:{seed}")
    answers: list[CertificationAnswer] = []
    kwargs = {"config": config} if config else {}
    while True:
        item = next_item(bank, answers, seed=seed, accessible_only=accessible_only,
                         neutralised=neutralised, **kwargs)
        if item is None:
            return answers
        answers.append(answer(item, rng.random() < probability(theta, item.calibration.a,
                                                                item.calibration.b)))

"""How long a positioning test is, said as honestly as it can be in advance.

The test is adaptive and stops as soon as the level is settled
(domain/positioning.py), so its length is not fixed. What can be said:

- the usual length, measured on the real bank by scripts/bench_positioning.py
  (docs/benchmarks-positioning.md, row "ours, early stop"): 9.9 items on
  average, 13 for 9 tests in 10; a unit test reads that row, so these
  constants follow the bench when it is rerun;
- a hard bound for this learner: every answer settles at least its own skill
  and a settled skill is never served again, so no more items can come than
  the competence's untested skills that still have an item, plus the pilot
  slots left.

The page says "Question 8 sur environ 10" while the usual length holds, and
switches to the bound when it is smaller (near the end of a short
competence) or to "le test s'arrête dès que votre niveau est établi" past
the usual maximum, never a number the test could contradict upward.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from chalicelib.domain.items import ItemBank, ItemStatus
from chalicelib.domain.knowledge import PositioningAnswer, knowledge_elements, skills_tested

TYPICAL_ITEMS = 10      # mean 9.9, rounded
USUAL_MAX_ITEMS = 13    # 90th percentile


@dataclass(frozen=True)
class CourseLength:
    answered: int
    typical: int
    usual_max: int
    at_most: int        # no test can go past it

    @property
    def expected(self) -> int:
        """The total to show: the usual length, never below the next question,
        never above the bound."""
        return min(self.at_most, max(self.typical, self.answered + 1))


def course_length(bank: ItemBank, competence: str, answers: Sequence[PositioningAnswer],
                  pilot_slots_left: int, carried: Sequence[PositioningAnswer] = ()) -> CourseLength:
    """`answers`: this attempt's; `carried`: the skills an improve attempt kept
    (settled, never served again, but not questions of this test)."""
    tested = skills_tested(knowledge_elements(bank, competence, [*carried, *answers]))
    untested = sum(1 for skill in bank.skills_of(competence) if skill.name not in tested and any(
        i in bank.items and bank.items[i].status is ItemStatus.VALIDATED for i in skill.item_ids))
    return CourseLength(answered=len(answers), typical=TYPICAL_ITEMS, usual_max=USUAL_MAX_ITEMS,
                        at_most=len(answers) + untested + max(0, pilot_slots_left))

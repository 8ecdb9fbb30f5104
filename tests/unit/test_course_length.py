"""The length a positioning test announces: the usual figures follow the
bench, and the bound for this learner is never passed."""
from __future__ import annotations

import re
from pathlib import Path

from chalicelib.bank.loader import get_bank
from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.course_length import TYPICAL_ITEMS, USUAL_MAX_ITEMS, CourseLength, course_length
from chalicelib.domain.knowledge import PositioningAnswer
from chalicelib.domain.positioning import next_item

BENCH = Path(__file__).resolve().parents[2] / "docs" / "benchmarks-positioning.md"


def test_usual_length_is_the_benchmarked_one():
    row = next(line for line in BENCH.read_text(encoding="utf-8").splitlines()
               if line.startswith("| ours, early stop |"))
    mean, p90 = (float(x) for x in re.findall(r"\|\s*([\d.]+)\s*", row)[:2])
    assert TYPICAL_ITEMS == round(mean) and USUAL_MAX_ITEMS == round(p90), row


def test_expected_total_stays_between_the_next_question_and_the_bound():
    for answered, at_most, shown in ((0, 30, 10), (9, 30, 10), (12, 30, 13), (3, 6, 6), (5, 6, 6)):
        assert CourseLength(answered, 10, 13, at_most).expected == shown, (answered, at_most)


def test_no_test_goes_past_its_bound():
    """Real bank, learners who pass every skill up to their level: at each
    question the bound is at least the questions still to come."""
    bank = get_bank()
    for competence, level in (("1.1", 7), ("2.3", 2), ("4.2", 4), ("5.1", 0)):
        answers: list[PositioningAnswer] = []
        bounds = []
        while (item := next_item(bank, competence, answers, f"len-{competence}")) is not None:
            bounds.append(course_length(bank, competence, answers, 0).at_most)
            answers.append(PositioningAnswer(item.id, AnswerStatus.OK if item.level <= level else AnswerStatus.KO))
        assert all(b >= len(answers) for b in bounds), (competence, len(answers), bounds)
        assert bounds[-1] < bounds[0], bounds  # it tightens as skills are settled

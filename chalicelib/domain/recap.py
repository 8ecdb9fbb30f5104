"""The end of a positioning test: what went well, what to review.

Every question not answered right (wrong, skipped, late, page left) brings its
tutorial back, in the order met, once per tutorial (two items of one skill
often share it). Right answers are counted, not listed: the recap is for
what to learn next, and a short one gets read.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.items import Item

EXCERPT_CHARS = 140


@dataclass(frozen=True)
class Review:
    position: int          # 1-based, in this test
    item_id: str
    status: AnswerStatus
    excerpt: str           # the question's first words, to recognise it
    tutorial: str


def excerpt(instruction: str) -> str:
    """The first paragraph, in one line, cut at a word near EXCERPT_CHARS."""
    first = " ".join(instruction.strip().split("\n\n")[0].split())
    if len(first) <= EXCERPT_CHARS:
        return first
    return first[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def to_review(answered: Sequence[tuple[Item, AnswerStatus]]) -> list[Review]:
    seen: set[str] = set()
    out = []
    for position, (item, status) in enumerate(answered, start=1):
        if status is AnswerStatus.OK or not item.tutorial or item.tutorial in seen:
            continue
        seen.add(item.tutorial)
        out.append(Review(position, item.id, status, excerpt(item.instruction), item.tutorial))
    return out


def counts(statuses: Sequence[AnswerStatus]) -> dict[str, int]:
    """right / wrong / skipped (late and page-left count as wrong, as scored)."""
    c = Counter(statuses)
    return {"right": c[AnswerStatus.OK], "skipped": c[AnswerStatus.ABAND],
            "wrong": len(statuses) - c[AnswerStatus.OK] - c[AnswerStatus.ABAND]}

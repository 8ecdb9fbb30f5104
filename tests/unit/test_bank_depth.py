"""Issue 14, point 5: the bank is deep enough to serve expert candidates and
to rotate items.

Levels 7 and 8 decide the Expert certificates, so each needs enough items
for certification not to serve the same few to everyone; a skill with one
item has no alternate form, so that item is exposed to every candidate who
reaches it; a tube that skips a level makes positioning infer a skill that
nothing tests. Every competence is now deepened; a competence whose skills
lose their alternate forms would have to leave DEEPENED_COMPETENCES, which
is a visible step backwards in review.
"""
from __future__ import annotations

from collections import Counter

from chalicelib.bank.loader import get_bank

MIN_ITEMS_AT_HIGH_LEVEL = 100
DEEPENED_COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4",
                        "4.1", "4.2", "4.3", "5.1", "5.2")


def test_levels_7_and_8_hold_at_least_100_validated_items():
    levels = Counter(item.level for item in get_bank().served_items())
    assert levels[7] >= MIN_ITEMS_AT_HIGH_LEVEL, levels[7]
    assert levels[8] >= MIN_ITEMS_AT_HIGH_LEVEL, levels[8]


def test_no_tube_skips_a_level():
    gaps = [f"{code} {tube}: {sorted(levels)}"
            for code, tubes in get_bank().tubes.items()
            for tube, levels in tubes.items()
            if set(levels) != set(range(min(levels), max(levels) + 1))]
    assert gaps == []


def test_every_skill_of_the_deepened_competences_has_an_alternate_form():
    per_skill = Counter((item.competence, item.skill) for item in get_bank().served_items()
                        if item.competence in DEEPENED_COMPETENCES)
    single = sorted(f"{comp} {skill}" for (comp, skill), n in per_skill.items() if n < 2)
    assert single == []

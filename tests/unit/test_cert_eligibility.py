"""Eligibility to certification: 5 competences at level 1 or more."""
from __future__ import annotations

from chalicelib.domain.certification.eligibility import MIN_COMPETENCES, eligibility


def test_five_competences_at_level_one_make_a_profile_certifiable():
    assert eligibility([1, 1, 1, 1, 1] + [0] * 11).certifiable
    assert eligibility([3, 2, 1, 1, 6]).certifiable


def test_four_are_not_enough():
    four = eligibility([1, 1, 1, 1] + [0] * 12)
    assert not four.certifiable and four.competences_at_min_level == 4
    assert not eligibility([7, 7, 7, 7]).certifiable


def test_the_refusal_states_the_applied_threshold_and_the_count():
    refusal = eligibility([2, 2, 0]).refusal()
    assert f"au moins {MIN_COMPETENCES} compétences de niveau 1" in refusal
    assert "vous en avez 2" in refusal
    assert MIN_COMPETENCES == 5  # Pix's published rule

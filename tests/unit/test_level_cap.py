"""One open level for positioning and certification (issue 22: positioning
capped at 6 while certification certified 7)."""
from __future__ import annotations

from chalicelib.config import settings
from chalicelib.domain import knowledge
from chalicelib.domain.certification import CURRENT, DEFAULT_VERSION, level_from_theta, score_from_theta
from chalicelib.domain.certification.versions import V2026_1
from chalicelib.domain.framework import MAX_LEVEL, MAX_OPEN_LEVEL


def test_positioning_and_certification_share_the_frameworks_open_level():
    assert settings().max_reachable_level == MAX_OPEN_LEVEL
    assert knowledge.DEFAULT_MAX_REACHABLE_LEVEL == MAX_OPEN_LEVEL
    assert CURRENT.max_open_level == DEFAULT_VERSION.max_open_level == MAX_OPEN_LEVEL
    assert 1 <= MAX_OPEN_LEVEL <= MAX_LEVEL


def test_the_highest_open_level_is_reachable_in_both():
    top = MAX_OPEN_LEVEL * knowledge.PIX_PER_LEVEL          # pix at the start of the open level
    assert knowledge.competence_level(top + 7.9) == MAX_OPEN_LEVEL
    assert knowledge.competence_level(10_000) == MAX_OPEN_LEVEL
    assert level_from_theta(20.0) == MAX_OPEN_LEVEL
    assert score_from_theta(20.0) < (MAX_OPEN_LEVEL + 1) * 128


def test_the_first_recorded_version_keeps_its_frozen_cap():
    """Opening a level later must not change how 2026.1 courses were scored."""
    assert V2026_1.max_open_level == 7

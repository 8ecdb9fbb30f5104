"""The registry of certification versions: a course is scored with the
version it recorded, and a registered version never changes its parameters."""
from __future__ import annotations

import dataclasses

import pytest

from chalicelib.domain.certification import (CURRENT, DEFAULT_VERSION, REGISTRY, CertificationVersion,
                                             UnknownVersion, register, version_named)
from chalicelib.domain.certification import versions


def test_the_first_production_version_keeps_its_parameters():
    """Courses stored as "2026.1" were served under exactly these rules:
    changing any of them under the same name would re-score those courses."""
    assert dataclasses.asdict(version_named("2026.1")) == {
        "version": "2026.1", "max_items": 32, "min_answers": 20, "early_stop_se": 0.32,
        "min_items_before_stop": 20, "top_k": 10, "pick_weights": None, "min_info_ratio": 0.0,
        "per_competence": True, "competence_choice": "best", "prior_mean": 0.5, "prior_sd": 1.5,
        "estimator": "eap", "competence_rotation": True, "area_rotation": True, "max_open_level": 7,
        # fields added later (issue 22) default to 2026.1's behaviour: top-k draw, running estimator
        "exposure_budget": None, "final_estimator": None, "final_prior_sd": None, "open_ends": False}


def test_new_courses_take_the_current_version_which_is_registered():
    assert CURRENT.version == "2026.2"  # chosen by the bench (docs/benchmarks-certification.md)
    assert dataclasses.asdict(DEFAULT_VERSION) == dataclasses.asdict(version_named("2026.1"))
    assert version_named(CURRENT.version) == CURRENT


def test_a_name_cannot_be_registered_again_with_other_parameters(monkeypatch):
    monkeypatch.setattr(versions, "REGISTRY", dict(REGISTRY))
    tuned = dataclasses.replace(version_named("2026.1"), top_k=6)
    with pytest.raises(ValueError, match="new version name"):
        register(tuned)
    assert register(version_named("2026.1")) == version_named("2026.1")  # same parameters: fine


def test_an_unknown_version_is_refused_not_replaced_by_the_current_one():
    with pytest.raises(UnknownVersion):
        version_named("1999.9")


def test_a_registered_version_is_found_by_its_name(monkeypatch):
    monkeypatch.setattr(versions, "REGISTRY", dict(REGISTRY))
    old = register(CertificationVersion(version="test-old", max_items=24, min_answers=12))
    assert version_named("test-old") is old

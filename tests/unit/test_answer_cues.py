"""Blind strategies on the real bank, as served: "always the first id" must
not beat chance (issue 14). The longest-option cue is content, measured and
printed here, enforced by the bank lint."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from chalicelib.bank.loader import DEFAULT_ROOT, load_bank

MARGIN = 0.05  # "a few points": 8 tests × 432 QCU give a standard error ≈ 0.7 point

_spec = importlib.util.spec_from_file_location(
    "answer_cues", Path(__file__).resolve().parents[2] / "scripts" / "answer_cues.py")
answer_cues = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answer_cues)


@pytest.mark.skipif(not list((DEFAULT_ROOT / "competences").glob("*.yaml")), reason="no content")
def test_first_id_strategies_do_not_beat_chance_on_the_real_bank(capsys):
    figures = answer_cues.measure(load_bank(trust_stamp=False), tests=8)
    with capsys.disabled():
        print("\n" + answer_cues.report(figures))
    for kind, f in figures.items():
        if not f["trials"]:
            continue
        assert f["first_shown"] <= f["chance"] + MARGIN, (kind, f)
        assert f["first_id"] <= f["chance"] + MARGIN, (kind, f)
        assert f["id_1"] == 0, (kind, f)  # file indexes are refused outright

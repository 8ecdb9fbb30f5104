"""scripts/calibrate.py: the 2PL estimator recovers known parameters, and its
output is what the loader applies."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from chalicelib.bank.loader import load_bank
from tests.unit.test_loader import tiny_bank, write_bank

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "calibrate.py"


@pytest.fixture(scope="module")
def calibrate():
    spec = importlib.util.spec_from_file_location("calibrate_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def test_simulation_recovers_parameters(calibrate):
    result = calibrate.recovery(n_learners=3000, n_items=12, seed=3)
    assert result["converged"]
    assert result["rmse_b"] < 0.25 and result["rmse_a"] < 0.3, result
    assert result["rmse_b"] < result["rmse_b_prior"] / 2  # the data did teach something


def test_more_data_means_smaller_error(calibrate):
    small = calibrate.recovery(n_learners=300, n_items=10, seed=1)
    large = calibrate.recovery(n_learners=4000, n_items=10, seed=1)
    assert large["rmse_b"] < small["rmse_b"]


def test_priors_keep_sparse_items_sane(calibrate):
    # One item answered right by everyone: MLE would run off to b -> -inf, a -> inf.
    data = calibrate.Responses(np.arange(50), np.zeros(50, dtype=np.int64), np.ones(50, dtype=np.int8),
                               ["easy"], 50)
    fit = calibrate.fit_2pl(data, np.array([-1.4]))
    assert calibrate.A_MIN <= fit.a[0] <= calibrate.A_MAX and calibrate.B_MIN <= fit.b[0] <= 0


def test_read_answers_csv_and_jsonl(calibrate, tmp_path):
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("learner_id,item_id,ok\nu1,i1,1\nu1,i2,0\nu2,i1,true\n", encoding="utf-8")
    jsonl = tmp_path / "answers.jsonl"
    jsonl.write_text('{"learner_id": "u1", "item_id": "i1", "ok": 1}\n\n'
                     '{"learner_id": 7, "item_id": "i2", "ok": 0}\n', encoding="utf-8")
    assert calibrate.read_answers(csv_file) == [("u1", "i1", 1), ("u1", "i2", 0), ("u2", "i1", 1)]
    assert calibrate.read_answers(jsonl) == [("u1", "i1", 1), ("7", "i2", 0)]
    bad = tmp_path / "bad.csv"
    bad.write_text("learner_id,item_id,ok\nu1,i1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.csv:1"):
        calibrate.read_answers(bad)


def test_only_the_first_answer_of_a_learner_counts(calibrate):
    data = calibrate.to_responses([("u1", "i1", 0), ("u1", "i1", 1), ("u2", "i1", 1)])
    assert data.ok.tolist() == [0, 1] and data.n_learners == 2 and data.item_ids == ["i1"]


def test_patch_written_and_applied_by_the_loader(calibrate, tmp_path):
    root = write_bank(tmp_path, tiny_bank())
    bank = load_bank(root)
    rng = np.random.default_rng(0)
    rows = []
    for learner in range(400):
        theta = rng.normal(0.5, 1.5)
        for item_id in ("c11-moteur-1a", "c11-adresse-1a"):
            p = 1 / (1 + np.exp(-1.2 * (theta + 1.4)))
            rows.append((f"u{learner}", item_id, int(rng.random() < p)))
    rows += [("u1", "c11-moteur-2a", 1), ("u1", "c99-inconnue", 0)]
    patch, notes = calibrate.calibrate(rows, bank, min_answers=100)
    assert set(patch["items"]) == {"c11-moteur-1a", "c11-adresse-1a"}
    assert any("c99-inconnue" in n for n in notes) and any("c11-moteur-2a" in n for n in notes)
    assert patch["bank_version"] == bank.version
    (root / "calibration.json").write_text(json.dumps({"items": {"c11-moteur-3a": {"a": 2.0, "b": 1.0, "n": 500}}}),
                                           encoding="utf-8")
    calibrate.write_patch(patch, root / "calibration.json")
    reloaded = load_bank(root)
    entry = patch["items"]["c11-moteur-1a"]
    assert reloaded.items["c11-moteur-1a"].calibration.b == entry["b"]
    assert reloaded.items["c11-moteur-1a"].calibration.n == 400
    assert reloaded.items["c11-moteur-3a"].calibration.a == 2.0  # merged, not replaced
    assert abs(entry["b"] - (-1.4)) < 0.6


def test_cli_simulate(calibrate, capsys):
    assert calibrate.main(["--simulate", "400", "--items", "5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["learners"] == 400 and "rmse_b" in out

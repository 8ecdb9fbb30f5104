"""scripts/item_stats.py: classical statistics and review flags from the export."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from chalicelib.bank.loader import load_bank
from tests.unit.test_loader import tiny_bank, write_bank

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "item_stats.py"


@pytest.fixture(scope="module")
def item_stats():
    spec = importlib.util.spec_from_file_location("item_stats_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_rates_times_and_flags_from_the_export(item_stats, tmp_path):
    """c11-moteur-1a (QCU, 3 proposals, solution 1): proposal 3 never chosen;
    c11-adresse-1a: proposal 2 chosen by most, timeouts and focus losses."""
    bank = load_bank(write_bank(tmp_path / "bank", tiny_bank()))
    rng = np.random.default_rng(0)
    records = []
    for n in range(200):
        theta = rng.normal()
        ok = int(rng.random() < 1 / (1 + np.exp(-1.5 * theta)))
        records.append({"item": "c11-moteur-1a", "learner": f"l{n}", "correct": ok, "status": "ok" if ok else "ko",
                        "choices": [1 if ok else 2], "time_ms": 10000 + 100 * n})
        ok2 = int(rng.random() < 1 / (1 + np.exp(-1.5 * (theta - 1))))
        records.append({"item": "c11-adresse-1a", "learner": f"l{n}", "correct": ok2,
                        "status": "ok" if ok2 else ("timedout" if n % 4 == 0 else "ko"),
                        "choices": [1 if ok2 else 2], "time_ms": 5000, "focus_lost": n % 5 == 0})
    export = tmp_path / "export" / "date=2026-12-01"
    export.mkdir(parents=True)
    (export / "part-0-1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "stats.md"
    assert item_stats.main(["--export", str(tmp_path / "export"), "--root", str(tmp_path / "bank"),
                            "--out", str(out)]) == 0
    rows = {r["item"]: r for r in item_stats.item_rows(
        [json.loads(line) for line in (export / "part-0-1.jsonl").read_text().splitlines()], bank)}
    first = rows["c11-moteur-1a"]
    assert first["rates"][3] == 0 and abs(first["rates"][1] - first["p"]) < 1e-9
    assert first["median_s"] == pytest.approx((10000 + 100 * 99.5) / 1000)
    assert "distractor 3 almost never chosen (0%)" in first["flags"] and first["r_pb"] > 0.1
    second = rows["c11-adresse-1a"]
    assert second["timeouts"] > 0.15 * 200 * (1 - second["p"]) and second["focus_losses"] == 40
    assert "distractor 2 chosen more than the solution" in second["flags"]
    assert any(f.startswith("focus losses") for f in second["flags"])
    text = out.read_text(encoding="utf-8")
    assert "| c11-moteur-1a |" in text and "1*:" in text and "## To review (2)" in text

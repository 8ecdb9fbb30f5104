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


# ------------------------------------------------------------------ from the answer export

ITEMS = [f"it-{j}" for j in range(10)]
TRUE_A = np.array([0.8, 1.0, 1.2, 1.5, 0.9, 1.3, 1.1, 1.6, 0.7, 1.2])
TRUE_B = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 0.2, -0.2, 0.8])


def export_records(n_learners: int, *, seed: int = 0, biased: dict | None = None,
                   sparse_item: str | None = None) -> list[dict]:
    """Export records (jobs/export_answers.py's fields) drawn from TRUE_A/TRUE_B;
    `biased` {item: shift} makes an item harder by `shift` for pupils only."""
    rng = np.random.default_rng(seed)
    records = []
    for n in range(n_learners):
        school = n % 2 == 0
        theta = rng.normal(0.5, 1.5)
        for j, item_id in enumerate(ITEMS):
            if item_id == sparse_item and n >= 30:
                continue
            b = TRUE_B[j] + ((biased or {}).get(item_id, 0.0) if school else 0.0)
            ok = int(rng.random() < 1 / (1 + np.exp(-TRUE_A[j] * (theta - b))))
            records.append({"item": item_id, "bank_version": "2099.1.0", "context": "positioning",
                            "status": "ok" if ok else "ko", "correct": ok, "time_ms": 20000,
                            "learner": f"{n:016x}", "population": "school" if school else "adult",
                            "age_band": "15-17" if school else "26-44"})
    return records


def bank_of_priors():
    """The two fields of a bank the calibration reads: its version and each item's prior."""
    from types import SimpleNamespace

    return SimpleNamespace(version="2099.1.0", items={
        i: SimpleNamespace(calibration=SimpleNamespace(a=1.2, b=0.5)) for i in ITEMS})


def write_partitioned(folder: Path, records: list[dict]) -> None:
    for day, part in (("2026-12-01", records[::2]), ("2026-12-02", records[1::2])):
        target = folder / f"date={day}"
        target.mkdir(parents=True)
        (target / "part-0-1.jsonl").write_text(
            "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in part), encoding="utf-8")


def test_calibration_from_an_exported_folder_recovers_known_parameters(calibrate, tmp_path):
    write_partitioned(tmp_path / "export", export_records(3000, seed=5, sparse_item="it-9"))
    records = calibrate.read_export(str(tmp_path / "export"))
    assert len(records) == 3000 * 9 + 30

    patch, _, stats, _ = calibrate.analyse(records, bank_of_priors(), min_answers=200, dif_variables=())

    assert "it-9" not in patch["items"]  # 30 answers: keeps its prior
    assert next(s for s in stats if s["item"] == "it-9")["kept"]
    fitted_b = np.array([patch["items"][i]["b"] for i in ITEMS[:9]])
    fitted_a = np.array([patch["items"][i]["a"] for i in ITEMS[:9]])
    assert np.sqrt(np.mean((fitted_b - TRUE_B[:9]) ** 2)) < 0.2
    assert np.sqrt(np.mean((fitted_a - TRUE_A[:9]) ** 2)) < 0.25
    by_item = {s["item"]: s for s in stats}
    for j, item_id in enumerate(ITEMS[:9]):
        row = by_item[item_id]
        assert row["n"] == 3000 and 0 < row["se_b"] < 0.15
        assert abs(row["b"] - TRUE_B[j]) < 3 * row["se_b"] + 0.05  # the SE means something
        assert row["r_pb"] > 0.1  # every generated item discriminates
    assert by_item["it-9"]["se_b"] > 2 * by_item["it-2"]["se_b"]  # fewer answers, less certain
    assert by_item["it-0"]["p"] > by_item["it-6"]["p"]  # easier item, higher p-value


def test_neutralised_answers_are_left_out(calibrate):
    rows = calibrate.export_rows([{"learner": "a", "item": "i", "correct": 1},
                                  {"learner": "b", "item": "i", "correct": 0, "neutralised": True}])
    assert rows == [("a", "i", 1)]


def test_a_planted_biased_item_is_flagged_and_fair_ones_are_not(calibrate, tmp_path):
    records = export_records(4000, seed=11, biased={"it-3": 1.2})
    _, _, stats, difs = calibrate.analyse(records, bank_of_priors(), min_answers=200,
                                          dif_variables=("population",))
    flagged = {d.item_id for d in difs if d.category != "A"}
    assert flagged == {"it-3"}
    dif = next(d for d in difs if d.item_id == "it-3")
    # harder for pupils at equal ability: favours the reference group (adults), delta < 0
    assert dif.reference == "adult" and dif.focal == "school" and dif.delta < -1.5
    assert any(f.startswith("DIF") for f in next(s for s in stats if s["item"] == "it-3")["flags"])
    report = tmp_path / "report.md"
    calibrate.write_report(report, stats, difs, min_answers=200)
    text = report.read_text(encoding="utf-8")
    assert "| it-3 | population | adult | school |" in text and "| it-4 | population" not in text


def test_a_fair_bank_has_no_flagged_item(calibrate):
    _, _, _, difs = calibrate.analyse(export_records(4000, seed=12), bank_of_priors(), min_answers=200,
                                      dif_variables=("population",))
    assert len(difs) == len(ITEMS) and all(d.category == "A" for d in difs)


def test_the_export_is_read_from_s3(calibrate, aws):
    from chalicelib.store import object_store

    object_store.create_bucket()
    records = export_records(3, seed=1)
    object_store.put("answers/date=2026-12-01/part-0-1.jsonl",
                     "".join(json.dumps(r) + "\n" for r in records).encode())
    object_store.put("other/ignored.jsonl", b'{"item": "x"}\n')
    assert calibrate.read_export(f"s3://{object_store.bucket()}/answers/") == records


def test_cli_writes_calibration_and_report_from_an_export(calibrate, tmp_path):
    root = write_bank(tmp_path / "bank", tiny_bank())
    rng = np.random.default_rng(2)
    records = []
    for n in range(300):
        theta = rng.normal(0.5, 1.5)
        for item_id in ("c11-moteur-1a", "c11-adresse-1a"):
            ok = int(rng.random() < 1 / (1 + np.exp(-1.2 * (theta + 1.4))))
            records.append({"item": item_id, "correct": ok, "learner": f"l{n}", "population": "adult"})
    write_partitioned(tmp_path / "export", records)
    report = tmp_path / "out" / "report.md"
    assert calibrate.main(["--export", str(tmp_path / "export"), "--root", str(root), "--write",
                           "--min-answers", "100", "--report", str(report)]) == 0
    written = json.loads((root / "calibration.json").read_text(encoding="utf-8"))
    assert set(written["items"]) == {"c11-moteur-1a", "c11-adresse-1a"}
    assert load_bank(root).items["c11-moteur-1a"].calibration.n == 300
    assert "| c11-moteur-1a | operational | 300 |" in report.read_text(encoding="utf-8")


# ------------------------------------------------------------------ concurrent calibration on the anchors' scale

def anchored_records(n_learners: int, seed: int, *, population=(1.0, 1.2)) -> list[dict]:
    """it-0..it-7 operational, it-8/it-9/it-x pilot; it-x answered at random
    whatever the ability (a useless item); true parameters TRUE_A/TRUE_B."""
    rng = np.random.default_rng(seed)
    records = []
    for n in range(n_learners):
        theta = rng.normal(*population)
        for j, item_id in enumerate(ITEMS + ["it-x"]):
            p = 0.5 if item_id == "it-x" else 1 / (1 + np.exp(-TRUE_A[j] * (theta - TRUE_B[j])))
            ok = int(rng.random() < p)
            records.append({"item": item_id, "correct": ok, "learner": f"{n:x}", "population": "adult",
                            **({"pilot": True} if item_id in ("it-8", "it-9", "it-x") else {})})
    return records


def anchored_bank(drifted: dict[str, float]):
    """Operational items calibrated at their truth (n = 1000), except `drifted`
    whose bank b is off by the given shift; pilot items on a prior."""
    from types import SimpleNamespace

    items = {}
    for j, item_id in enumerate(ITEMS + ["it-x"]):
        pilot = item_id in ("it-8", "it-9", "it-x")
        calibration = (SimpleNamespace(a=1.2, b=0.5, n=0) if pilot else
                       SimpleNamespace(a=float(TRUE_A[j]), b=float(TRUE_B[j]) + drifted.get(item_id, 0.0), n=1000))
        items[item_id] = SimpleNamespace(calibration=calibration, status="pilot" if pilot else "validated")
    return SimpleNamespace(version="2099.1.0", items=items)


def test_pilot_items_land_on_the_anchors_scale_and_drift_is_reported(calibrate, tmp_path):
    records = anchored_records(3000, seed=21)
    document, _, stats, _ = calibrate.analyse(records, anchored_bank({"it-5": 1.0}), min_answers=200,
                                              dif_variables=())
    by_item = {s["item"]: s for s in stats}
    # the population is not the default N(0.5, 1.5): the anchors must find it
    assert abs(document["scale"]["theta_mean"] - 1.0) < 0.15 and abs(document["scale"]["theta_sd"] - 1.2) < 0.15
    assert document["scale"]["anchors"] == 8
    for j in (8, 9):
        entry = document["items"][ITEMS[j]]
        assert abs(entry["b"] - TRUE_B[j]) < 0.2 and abs(entry["a"] - TRUE_A[j]) < 0.25
    # anchors keep their bank values; only the drifted one is reported, with its fresh estimate
    assert set(document["items"]) == {"it-8", "it-9", "it-x"}
    assert [d["item"] for d in document["drift"]] == ["it-5"]
    assert abs(document["drift"][0]["b"] - TRUE_B[5]) < 0.25
    # promotion: the good pilot items, not the random one (flat curve, no discrimination)
    assert document["promote"] == ["it-8", "it-9"]
    assert by_item["it-x"]["role"] == "pilot" and by_item["it-0"]["role"] == "anchor"
    assert all(by_item[i]["rmsd"] < 0.05 for i in ITEMS)
    # written where the loader reads it, with SEs, n and fit per item
    path = tmp_path / "calibration.json"
    calibrate.write_patch(document, path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert {"se_a", "se_b", "n", "rmsd", "x2", "df", "fit_p", "role"} <= set(written["statistics"]["it-8"])
    report = tmp_path / "report.md"
    calibrate.write_report(report, stats, [], min_answers=200, document=document)
    text = report.read_text(encoding="utf-8")
    assert "- it-8" in text and "| it-5 | 3000 |" in text


def test_item_fit_flags_an_item_the_model_does_not_describe(calibrate):
    """An item right for the weakest and strongest and wrong in between
    (U-shaped): no 2PL curve fits it."""
    rng = np.random.default_rng(4)
    records = []
    for n in range(3000):
        theta = rng.normal(0.5, 1.5)
        for j, item_id in enumerate(ITEMS):
            p = ((0.9 if abs(theta - 0.5) > 1.2 else 0.1) if item_id == "it-4"
                 else 1 / (1 + np.exp(-TRUE_A[j] * (theta - TRUE_B[j]))))
            records.append({"item": item_id, "correct": int(rng.random() < p), "learner": f"{n:x}"})
    _, _, stats, _ = calibrate.analyse(records, bank_of_priors(), min_answers=200, dif_variables=())
    by_item = {s["item"]: s for s in stats}
    assert any(f.startswith("misfit") for f in by_item["it-4"]["flags"])
    assert not any(f.startswith("misfit") for i in ITEMS if i != "it-4" for f in by_item[i]["flags"])

"""End-to-end calibration bench (issue 17): known parameters in, recovered out.

Chain, with the production code at each step except the storage layer:
1. the real bank; in each chosen competence, one item of every skill that
   has at least two items becomes a PILOT item (status `pilot`), the rest stay
   operational, all on their bank (prior) calibration as today;
2. TRUE parameters drawn once: a = 1.2 exp(N(0, 0.3)), b = bank b + N(0, 0.5)
   (the bank's tagged level is only roughly right, as in reality);
3. N learners, theta ~ N(0.5, 1.5^2) (the scale `scripts/calibrate.py` fixes
   when no item is an anchor yet), take one positioning test per competence
   through `positioning.next_item` with the production pilot policy
   (`PilotPolicy()`: rate 0.15, at most 2 per test, one per part of 5), the
   engine choosing on the bank's calibration and the learner answering with
   the true 2PL;
4. every answer is written as an answer-export record (`item`, `learner`
   pseudonym, `correct`, `context`, `pilot`, `bank_version`) in
   `date=.../part-*.jsonl` partitions, read back by `calibrate.read_export`;
5. `calibrate.analyse` fits operational and pilot items concurrently.

Reported per N: RMSD of a and of b (recovered vs true) for operational and
pilot items with at least `--min-n` answers, their count and median answers,
and for reference the RMSD of the bank's own (prior) b against the truth.
What this does not cover: the DynamoDB/S3 path of the export job (tested in
`tests/api/test_answer_export.py`) and the services' HTTP layer: running N
learners through moto would take hours on the shared machine.

    .venv/bin/python scripts/bench_calibration.py [--learners 500,2000] [--competences 1.1,3.4]
        [--out docs/benchmarks-calibration.md]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from chalicelib.bank.loader import get_bank  # noqa: E402
from chalicelib.domain import positioning  # noqa: E402
from chalicelib.domain.answers import AnswerStatus  # noqa: E402
from chalicelib.domain.items import ItemBank, ItemStatus  # noqa: E402
from chalicelib.domain.knowledge import PositioningAnswer  # noqa: E402

import calibrate  # noqa: E402


def pilot_bank(bank: ItemBank, competences: list[str]) -> tuple[ItemBank, set[str]]:
    """The bank with one item of every multi-item skill of `competences` made pilot."""
    items = dict(bank.items)
    pilots = set()
    for skill in bank.skills.values():
        if skill.competence not in competences:
            continue
        ids = sorted(i for i in skill.item_ids if i in items and items[i].status is ItemStatus.VALIDATED)
        if len(ids) >= 2:
            items[ids[-1]] = dataclasses.replace(items[ids[-1]], status=ItemStatus.PILOT)
            pilots.add(ids[-1])
    return dataclasses.replace(bank, items=items), pilots


def truth_of(bank: ItemBank, competences: list[str], rng) -> dict[str, tuple[float, float]]:
    ids = sorted(i.id for i in bank.items.values() if i.competence in competences
                 and i.status in (ItemStatus.VALIDATED, ItemStatus.PILOT))
    return {i: (1.2 * math.exp(rng.normal(0, 0.3)), bank.items[i].calibration.b + rng.normal(0, 0.5))
            for i in ids}


def simulate(bank, competences, truth, n, rng) -> list[dict]:
    records = []
    policy = positioning.PilotPolicy()
    for k in range(n):
        theta = rng.normal(0.5, 1.5)
        learner = f"sim-{k:06d}"
        for competence in competences:
            answers: list[PositioningAnswer] = []
            while True:
                item = positioning.next_item(bank, competence, answers, f"{learner}:{competence}",
                                             pilot=policy)
                if item is None:
                    break
                a, b = truth[item.id]
                ok = rng.random() < 1.0 / (1.0 + math.exp(-a * (theta - b)))
                pilot = item.status is ItemStatus.PILOT
                answers.append(PositioningAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO,
                                                 scored=not pilot))
                records.append({"item": item.id, "bank_version": bank.version, "context": "positioning",
                                "status": "ok" if ok else "ko", "correct": int(ok), "learner": learner,
                                **({"pilot": True} if pilot else {})})
    return records


def write_export(records: list[dict], folder: Path, parts: int = 4) -> None:
    """Partitioned JSON Lines as the export job writes them."""
    day = folder / "date=2026-12-01"
    day.mkdir(parents=True, exist_ok=True)
    size = math.ceil(len(records) / parts)
    for p in range(parts):
        chunk = records[p * size:(p + 1) * size]
        (day / f"part-{p:04d}.jsonl").write_text(
            "".join(json.dumps(r, sort_keys=True) + "\n" for r in chunk), encoding="utf-8")


def rmsd(pairs) -> float:
    return math.sqrt(statistics.fmean((x - y) ** 2 for x, y in pairs)) if pairs else float("nan")


def run(n: int, competences: list[str], seed: int, min_n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    bank, pilots = pilot_bank(get_bank(), competences)
    truth = truth_of(bank, competences, rng)
    started = time.time()
    records = simulate(bank, competences, truth, n, rng)
    with tempfile.TemporaryDirectory() as tmp:
        write_export(records, Path(tmp))
        read = calibrate.read_export(tmp)
    document, _notes, stats, _difs = calibrate.analyse(read, bank, min_answers=min_n)
    lines = []
    for role in ("operational", "pilot"):
        rows = [s for s in stats if (s["item"] in pilots) == (role == "pilot") and s["n"] >= min_n]
        if not rows:
            lines.append(f"| {n} | {role} | 0 | — | — | — | — |")
            continue
        rb = rmsd([(s["b"], truth[s["item"]][1]) for s in rows])
        ra = rmsd([(s["a"], truth[s["item"]][0]) for s in rows])
        prior = rmsd([(bank.items[s["item"]].calibration.b, truth[s["item"]][1]) for s in rows])
        lines.append(f"| {n} | {role} | {len(rows)} | {statistics.median(s['n'] for s in rows):.0f} | "
                     f"{rb:.3f} | {ra:.3f} | {prior:.3f} |")
    print(f"N={n}: {len(records)} answers, {time.time() - started:.0f} s", file=sys.stderr)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", default="500,2000", help="comma-separated N")
    parser.add_argument("--competences", default="1.1,3.4")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--min-n", type=int, default=50, help="items with fewer answers are not scored")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    competences = args.competences.split(",")
    started = time.time()
    lines = ["| N learners | items | count (n ≥ min) | median answers | RMSD b | RMSD a | RMSD b of the bank prior |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for n in (int(x) for x in args.learners.split(",")):
        lines += run(n, competences, args.seed, args.min_n)
    header = (f"real bank {get_bank().version}; competences {', '.join(competences)}; true a = 1.2·exp(N(0, 0.3)), "
              f"b = bank b + N(0, 0.5); θ ~ N(0.5, 1.5²); production pilot policy; items with n ≥ {args.min_n}; "
              f"seed {args.seed}; {time.time() - started:.0f} s.")
    text = header + "\n\n" + "\n".join(lines)
    print(text)
    if args.out:
        command = (f".venv/bin/python scripts/bench_calibration.py --learners {args.learners} "
                   f"--competences {args.competences} --seed {args.seed} --min-n {args.min_n} --out {args.out}")
        Path(args.out).write_text("# Calibration end to end: benchmark\n\nProduced by "
                                  f"`scripts/bench_calibration.py` (method in its docstring):\n\n    {command}\n\n"
                                  f"{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

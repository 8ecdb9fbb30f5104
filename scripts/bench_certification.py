"""Bench the certification algorithm against Pix's published rule.

Simulates `--n` certification tests (default 1,000) of candidates with known
abilities and compares three algorithms, all run through the production code
(`chalicelib.domain.certification`: `next_item`, `score_certification`):

(a) ours: `DEFAULT_VERSION` (fixed-prior EAP, randomesque top-k, competence
    and area rotation, early stop on the standard error);
(b) Pix: `PIX_VERSION`, a fixed 32-item version of the published rule (top 5
    by information picked with probabilities 0.51, 0.49·0.51, …, one item per
    tube, all competences before repeating, sequential EAP with a prior
    re-centred on the last estimate and moves limited to 50%). Ties in
    information are broken at random (Pix's stable sort would always serve
    the first items of the bank, which only raises its exposure);
(c) random: 32 items drawn uniformly under the same content rules (one item
    per tube, competence rotation), scored with our EAP;
(d) ours-greedy: (a) without exposure control (top_k 1), to separate what
    the estimator and the selection gain from what the exposure cap costs.

Population: θ ~ N(0.5, 1.5²) (`--mean`, `--sd`): certification candidates
already hold level ≥ 1 in five competences; the middle of the distribution is
"Indépendant 3" with tails to Pré-initié and Expert. Answers are drawn from
each item's own 2PL calibration (so the bench measures the algorithm, not the
calibration error). Bank: the real one (`chalicelib.bank.loader.get_bank()`)
when it covers the 16 competences, else a synthetic bank of the same shape
(16 competences × 5 tubes, 1–3 items per level, prior calibration a = 1.2,
b by level); `--bank` forces one, `--calibrated` jitters a and b.

Metrics: RMSE and bias of θ̂, RMSE of the score (points out of 1024, both
capped at 895), mean and max test length, accuracy of the level label, item
exposure (share of candidates who saw an item): the maximum over all
candidates and within ability strata (candidates whose TRUE θ falls in the
same level interval; strata with at least `--min-stratum` candidates).
Within a stratum the observed maximum over hundreds of items is inflated by
sampling noise (with 100 candidates an item truly seen by 15% is seen by
≥ 24% one time in 50), so the bench also reports the EXPECTED exposure: at
every step it records the probability `next_item` gave each item
(`step_distribution`) and sums them, an unbiased and much less noisy estimate
of the chance that a candidate of that level sees the item.

Ours − Pix is also given with a 95% paired bootstrap interval: on 1,000
candidates RMSE differences below ~0.015 are noise.

    .venv/bin/python scripts/bench_certification.py [--n 1000] [--out docs/benchmarks-certification.md]

numpy is used here only (the domain code is pure Python).
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.answers import AnswerStatus  # noqa: E402
from chalicelib.domain.certification import (  # noqa: E402
    DEFAULT_VERSION,
    PIX_SCALE,
    PIX_VERSION,
    CertificationAnswer,
    CertificationVersion,
    level_from_theta,
    level_label,
    probability,
    score_certification,
    score_from_theta,
)
from chalicelib.domain.certification.selection import _draw, step_distribution  # noqa: E402
from chalicelib.domain.framework import COMPETENCES  # noqa: E402
from chalicelib.domain.items import (  # noqa: E402
    PRIOR_DIFFICULTY_BY_LEVEL,
    PRIOR_DISCRIMINATION,
    Calibration,
    Item,
    ItemBank,
    ItemStatus,
    ItemType,
)

RANDOM_VERSION = CertificationVersion(
    version="random", max_items=32, early_stop_se=None, min_items_before_stop=32,
    top_k=10 ** 9, area_rotation=False, per_competence=False,
)


def synthetic_bank(seed: int = 0, *, calibrated: bool = False) -> ItemBank:
    """16 competences × 5 tubes; each tube spans a run of levels with 1–3
    items per level (~45 items per competence, like the real content)."""
    rng = random.Random(seed)
    items: dict[str, Item] = {}
    for competence in COMPETENCES:
        for t in range(5):
            tube = f"@c{competence.code.replace('.', '')}t{t}"
            low = rng.choice([1, 1, 1, 2, 3, 4])
            high = min(8, low + rng.choice([2, 4, 5, 6, 7, 7]))
            for level in range(low, high + 1):
                for k in range(rng.choice([1, 1, 2, 2, 3])):
                    a, b = PRIOR_DISCRIMINATION, PRIOR_DIFFICULTY_BY_LEVEL[level]
                    if calibrated:
                        a = round(max(0.4, rng.lognormvariate(0.15, 0.3)), 3)
                        b = round(b + rng.gauss(0.0, 0.4), 3)
                    item_id = f"{tube[1:].lower()}-{level}{'abc'[k]}"
                    items[item_id] = Item(
                        id=item_id, competence=competence.code, tube=tube, level=level,
                        type=ItemType.QCU, instruction="?", tutorial="",
                        calibration=Calibration(a, b), accessible=rng.random() > 0.1,
                    )
    return ItemBank(version="synthetic", items=items, skills={})


def load_bank(kind: str, calibrated: bool) -> tuple[ItemBank, str]:
    if kind in ("auto", "real"):
        try:
            from chalicelib.bank.loader import get_bank

            bank = get_bank()
        except Exception as exc:  # loader missing or content invalid
            if kind == "real":
                raise
            print(f"real bank unavailable ({type(exc).__name__}: {exc}); using a synthetic bank",
                  file=sys.stderr)
        else:
            served = [i for i in bank.items.values() if i.status is ItemStatus.VALIDATED]
            competences = {i.competence for i in served}
            if kind == "real" or len(competences) == 16:
                return bank, f"real bank {bank.version}"
            print(f"real bank covers {len(competences)}/16 competences; using a synthetic bank",
                  file=sys.stderr)
    return synthetic_bank(calibrated=calibrated), "synthetic bank" + (" (jittered a, b)" if calibrated else "")


_BANK: ItemBank | None = None


def _init(bank: ItemBank) -> None:
    global _BANK
    _BANK = bank


def simulate(job: tuple[CertificationVersion, list[tuple[int, float]]]) -> list[dict]:
    """Run one algorithm for a chunk of (candidate index, true θ)."""
    version, chunk = job
    bank = _BANK
    out = []
    for index, theta in chunk:
        rng = random.Random(f"answers:{index}")
        answers: list[CertificationAnswer] = []
        exposure: dict[str, float] = {}  # Σ over steps of P(served at that step)
        step_times = []
        while True:
            start = time.perf_counter()
            # exactly next_item(), keeping the distribution it draws from
            choices = step_distribution(bank, answers, config=version)
            item = _draw(choices, random.Random(f"{version.version}:{index}:{len(answers)}")) if choices else None
            step_times.append(time.perf_counter() - start)
            if item is None:
                break
            for choice, p in choices:
                exposure[choice.id] = exposure.get(choice.id, 0.0) + p
            ok = rng.random() < probability(theta, item.calibration.a, item.calibration.b)
            answers.append(CertificationAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO))
        result = score_certification(bank, answers, version=version)
        out.append({
            "index": index, "theta": theta, "estimate": result.theta, "se": result.se,
            "score": result.global_score, "length": len(answers),
            "items": [a.item_id for a in answers], "exposure": exposure, "step_ms": 1000 * max(step_times),
            "mean_step_ms": 1000 * statistics.fmean(step_times),
        })
    return out


def run(version: CertificationVersion, thetas: np.ndarray, bank: ItemBank, jobs: int) -> list[dict]:
    pairs = list(enumerate(float(t) for t in thetas))
    size = max(1, math.ceil(len(pairs) / (jobs * 4)))
    chunks = [(version, pairs[i:i + size]) for i in range(0, len(pairs), size)]
    if jobs <= 1:
        _init(bank)
        rows = [r for c in chunks for r in simulate(c)]
    else:
        with Pool(jobs, initializer=_init, initargs=(bank,)) as pool:
            rows = [r for part in pool.map(simulate, chunks) for r in part]
    return sorted(rows, key=lambda r: r["index"])


def metrics(rows: list[dict], max_open_level: int, min_stratum: int) -> dict:
    theta = np.array([r["theta"] for r in rows])
    est = np.array([r["estimate"] for r in rows])
    true_score = np.array([score_from_theta(t, max_open_level=max_open_level) for t in theta])
    score = np.array([r["score"] for r in rows])
    err = est - theta
    n = len(rows)
    seen = Counter(i for r in rows for i in r["items"])
    strata: dict[int, list[dict]] = {}
    for r in rows:
        strata.setdefault(level_from_theta(r["theta"], max_open_level=7), []).append(r)
    per_stratum = {}
    for level, members in sorted(strata.items()):
        counts = Counter(i for r in members for i in r["items"])
        expected: Counter = Counter()
        for r in members:
            expected.update(r["exposure"])
        e = np.array([r["estimate"] - r["theta"] for r in members])
        per_stratum[level] = {
            "n": len(members),
            "max_exposure": max(counts.values()) / len(members),
            "max_expected_exposure": max(expected.values()) / len(members),
            "rmse": float(np.sqrt(np.mean(e ** 2))),
            "bias": float(np.mean(e)),
            "length": float(np.mean([r["length"] for r in members])),
        }
    big = [s["max_exposure"] for s in per_stratum.values() if s["n"] >= min_stratum]
    big_expected = [s["max_expected_exposure"] for s in per_stratum.values() if s["n"] >= min_stratum]
    labels_ok = sum(level_label(int(s)) == level_label(int(t)) for s, t in zip(score, true_score))
    return {
        "rmse": float(np.sqrt(np.mean(err ** 2))),
        "bias": float(np.mean(err)),
        "big_errors": float(np.mean(np.abs(err) > 1.0)),
        "worst": float(np.max(np.abs(err))),
        "score_rmse": float(np.sqrt(np.mean((score - true_score) ** 2))),
        "mean_length": float(np.mean([r["length"] for r in rows])),
        "max_length": max(r["length"] for r in rows),
        "label_accuracy": labels_ok / n,
        "max_exposure": max(seen.values()) / n,
        "max_exposure_strata": max(big) if big else float("nan"),
        "max_expected_exposure_strata": max(big_expected) if big_expected else float("nan"),
        "items_used": len(seen),
        "step_ms_p50": float(np.median([r["mean_step_ms"] for r in rows])),
        "step_ms_max": float(max(r["step_ms"] for r in rows)),
        "strata": per_stratum,
    }


def paired_ci(rows_a: list[dict], rows_b: list[dict], *, seed: int = 0,
              draws: int = 2000) -> tuple[float, float, float]:
    """RMSE(a) − RMSE(b) on the same candidates, with a 95% paired bootstrap
    interval (the candidates are resampled, both algorithms together)."""
    ea = np.array([r["estimate"] - r["theta"] for r in rows_a]) ** 2
    eb = np.array([r["estimate"] - r["theta"] for r in rows_b]) ** 2
    idx = np.random.default_rng(seed).integers(0, len(ea), size=(draws, len(ea)))
    diffs = np.sqrt(ea[idx].mean(axis=1)) - np.sqrt(eb[idx].mean(axis=1))
    return (float(np.sqrt(ea.mean()) - np.sqrt(eb.mean())),
            float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975)))


def describe(version: CertificationVersion) -> str:
    if version.estimator == "pix":
        return "Pix rule: top-5 (0.51, 0.49·0.51, …), Pix EAP, 32 items"
    if version.top_k >= 10 ** 6:
        return "random items under content rules, our EAP, 32 items"
    stop = (f"stop at SE ≤ {version.early_stop_se} after {version.min_items_before_stop}"
            if version.early_stop_se else "fixed length")
    pick = (f"{version.competence_choice} competence, then uniform top-{version.top_k} in it"
            if version.per_competence else f"uniform top-{version.top_k} of the pool")
    return (f"{pick}, EAP N({version.prior_mean}, {version.prior_sd}²), "
            f"{stop}, max {version.max_items}")


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def table(results: list[tuple[str, CertificationVersion, dict]]) -> str:
    lines = [
        "| algorithm | RMSE θ | bias θ | \\|error\\| > 1 (worst) | RMSE score | mean length | label accuracy | max exposure | max exposure within level, observed / expected | items used | ms/step (median) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, version, m in results:
        lines.append(
            f"| {name}: {describe(version)} | {m['rmse']:.3f} | {m['bias']:+.3f} | "
            f"{100 * m['big_errors']:.1f}% ({m['worst']:.1f}) | {m['score_rmse']:.1f} | "
            f"{m['mean_length']:.1f} (max {m['max_length']}) | {100 * m['label_accuracy']:.1f}% | "
            f"{100 * m['max_exposure']:.1f}% | {_pct(m['max_exposure_strata'])} / {_pct(m['max_expected_exposure_strata'])} | {m['items_used']} | "
            f"{m['step_ms_p50']:.2f} |")
    return "\n".join(lines)


def strata_table(results: list[tuple[str, CertificationVersion, dict]]) -> str:
    names = [name for name, _, _ in results]
    head = "| true level (θ interval) | n | " + " | ".join(
        f"{n} RMSE / bias / length / max exp." for n in names) + " |"
    lines = [head, "|---|---|" + "---|" * len(names)]
    levels = sorted(results[0][2]["strata"])
    for level in levels:
        band = PIX_SCALE[level]
        cells = []
        for _, _, m in results:
            s = m["strata"][level]
            cells.append(f"{s['rmse']:.2f} / {s['bias']:+.2f} / {s['length']:.1f} / "
                         f"{100 * s['max_exposure']:.0f}% ({100 * s['max_expected_exposure']:.0f}%)")
        lines.append(f"| {level} [{band.low}, {band.high}) | {results[0][2]['strata'][level]['n']} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="simulated candidates")
    parser.add_argument("--mean", type=float, default=0.5)
    parser.add_argument("--sd", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--bank", choices=("auto", "real", "synthetic"), default="auto")
    parser.add_argument("--calibrated", action="store_true", help="synthetic bank with jittered a, b")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--min-stratum", type=int, default=100)
    parser.add_argument("--only", choices=("ours", "pix", "random", "ours-greedy"), action="append")
    parser.add_argument("--top-k", type=int, help="override ours: top_k")
    parser.add_argument("--stop-se", type=float, help="override ours: early_stop_se (0 = none)")
    parser.add_argument("--min-stop", type=int, help="override ours: min_items_before_stop")
    parser.add_argument("--max-items", type=int, help="override ours: max_items")
    parser.add_argument("--prior-sd", type=float, help="override ours: prior sd")
    parser.add_argument("--prior-mean", type=float, help="override ours: prior mean")
    parser.add_argument("--out", type=Path, help="write the markdown report there")
    args = parser.parse_args(argv)

    ours = DEFAULT_VERSION
    overrides = {}
    if args.top_k:
        overrides["top_k"] = args.top_k
    if args.stop_se is not None:
        overrides["early_stop_se"] = args.stop_se or None
    if args.min_stop:
        overrides["min_items_before_stop"] = args.min_stop
    if args.max_items:
        overrides["max_items"] = args.max_items
    if args.prior_sd:
        overrides["prior_sd"] = args.prior_sd
    if args.prior_mean is not None:
        overrides["prior_mean"] = args.prior_mean
    if overrides:
        ours = replace(ours, version=ours.version + "-tuned", **overrides)

    bank, bank_name = load_bank(args.bank, args.calibrated)
    served = [i for i in bank.items.values() if i.status is ItemStatus.VALIDATED]
    tubes = {(i.competence, i.tube) for i in served}
    thetas = np.random.default_rng(args.seed).normal(args.mean, args.sd, args.n)

    greedy = replace(ours, version=ours.version + "-greedy", top_k=1)
    algorithms = [("ours", ours), ("pix", PIX_VERSION), ("random", RANDOM_VERSION),
                  ("ours-greedy", greedy)]
    if args.only:
        algorithms = [a for a in algorithms if a[0] in args.only]
    started = time.perf_counter()
    results = []
    all_rows: dict[str, list[dict]] = {}
    for name, version in algorithms:
        t0 = time.perf_counter()
        rows = run(version, thetas, bank, args.jobs)
        all_rows[name] = rows
        results.append((name, version, metrics(rows, version.max_open_level, args.min_stratum)))
        print(f"{name}: {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    elapsed = time.perf_counter() - started

    comparison = []
    if "ours" in all_rows and "pix" in all_rows:
        diff, low, high = paired_ci(all_rows["ours"], all_rows["pix"])
        m = {name: m for name, _, m in results}
        comparison = [
            f"Ours − Pix on the same candidates: RMSE θ {diff:+.3f} (95% paired bootstrap interval "
            f"[{low:+.3f}, {high:+.3f}]), mean length {m['ours']['mean_length'] - m['pix']['mean_length']:+.1f} items, "
            f"RMSE score {m['ours']['score_rmse'] - m['pix']['score_rmse']:+.1f} points, "
            f"max exposure within a level (expected) {100 * m['ours']['max_expected_exposure_strata']:.0f}% "
            f"vs {100 * m['pix']['max_expected_exposure_strata']:.0f}%.",
            "",
        ]
    report = "\n".join([
        "# Certification algorithm: bench",
        "",
        f"Generated by `scripts/bench_certification.py --n {args.n}` on the {bank_name}: "
        f"{len(served)} validated items, {len(tubes)} tubes, "
        f"{len({i.competence for i in served})} competences. "
        f"Population θ ~ N({args.mean}, {args.sd}²), {args.n} simulated candidates "
        f"(seed {args.seed}); answers drawn from each item's 2PL calibration; scores capped at 895 "
        f"(level 7 highest open). Exposure = share of candidates who saw an item; "
        f"'within level' = among candidates whose true θ is in the same level interval, "
        f"strata of at least {args.min_stratum} candidates; the observed maximum over hundreds of items "
        f"is inflated by sampling noise, the expected one (sum of the probabilities `next_item` gave "
        f"each item) is not. Run time {elapsed:.0f}s with {args.jobs} processes.",
        "",
        table(results),
        "",
        *comparison,
        "Per true level (RMSE θ / bias θ / mean length / max exposure within the level):",
        "",
        strata_table(results),
        "",
    ])
    print(report)
    if args.out:
        out = args.out if args.out.is_absolute() else ROOT / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

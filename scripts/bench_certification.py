"""Bench the certification algorithm: ours (current and previous version),
Pix's published rule and an oracle, on the real bank and on synthetic banks.

Runs without AWS; every rule goes through the production code
(`chalicelib.domain.certification`: `SelectionWalk` = what `next_item` draws
from, `score_certification`). numpy is used here only.

Rules compared, all with the same content rules where they have them:
- ours: `version_named("2026.2")` (exposure budget per item, EAP during the
  test, EAP under N(0.5, 2.5²) for the reported score, early stop on the SE);
- ours-before: `version_named("2026.1")`, the version this one replaces (uniform
  top-10 inside the competence, fixed-prior EAP for the score);
- pix: `PIX_VERSION`, 32 items, top 5 by information with probabilities
  0.51, 0.49·0.51, …, sequential EAP with the re-centred prior;
- oracle: at each step the item of maximum information at the TRUE θ under
  our content rules, as many items as ours gave that candidate, scored with
  ours' final estimator: a practical floor for the RMSE at that length.

Banks: the real one (every item on its prior calibration, a = 1.2) and
synthetic banks of the same structure (16 competences × 5 tubes, 1–3 items
per level) whose items differ in discrimination and difficulty:
a ~ lognormal(0.1, σ_a) (clipped to [0.3, 3.5]), b = the level's prior
difficulty + N(0, 0.5²), for several seeds and σ_a (`--synthetic`, default
"1:0.3,2:0.5,3:0.5"): parameters nobody tuned the rules on.

Candidates: `--n` (1,000) with θ ~ N(0.5, 1.5²), plus `--n-extreme` (300)
at each of θ = −2.5 and θ = 4.5. "Same answers for every rule": each
candidate draws one uniform number per item of the bank up front, and
answers item i correctly iff its number < P_i(θ); two rules serving the
same item get the same answer.

Metrics: RMSE θ; bias at θ = −2.5 and 4.5; level 7 given at θ = 4.5;
mean length; the largest EXPECTED exposure of an item within a level band
(candidates whose true θ is in the same score interval, bands of at least
`--min-stratum` candidates: the sum of the probabilities the rule offered
the item at each step, an unbiased, low-noise estimate of the share of
those candidates who see it; the oracle is deterministic, its observed
share is given); the scores a perfect and an all-wrong test get (the
reachable range); RMSE after k items (length–precision curve, on the
first synthetic bank, every rule run to 32 items).

    .venv/bin/python scripts/bench_certification.py [--n 1000] [--out docs/benchmarks-certification.md]
"""
from __future__ import annotations

import argparse
import math
import os
import random
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
    PIX_VERSION,
    CertificationAnswer,
    CertificationVersion,
    information,
    level_from_score,
    level_from_theta,
    probability,
    score_certification,
    version_named,
)
from chalicelib.domain.certification.selection import (  # noqa: E402
    SelectionWalk,
    _draw,
    balanced_pool,
    eligible_items,
    final_estimate,
)
from chalicelib.domain.framework import COMPETENCES  # noqa: E402
from chalicelib.domain.items import (  # noqa: E402
    PRIOR_DIFFICULTY_BY_LEVEL,
    Calibration,
    Item,
    ItemBank,
    ItemStatus,
    ItemType,
)

CURVE_AT = (8, 12, 16, 20, 24, 28, 32)
EXTREMES = (-2.5, 4.5)


def synthetic_bank(seed: int, a_sd: float, b_sd: float = 0.5) -> ItemBank:
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
                    a = round(min(3.5, max(0.3, rng.lognormvariate(0.1, a_sd))), 3)
                    b = round(PRIOR_DIFFICULTY_BY_LEVEL[level] + rng.gauss(0.0, b_sd), 3)
                    item_id = f"{tube[1:].lower()}-{level}{'abc'[k]}"
                    items[item_id] = Item(
                        id=item_id, competence=competence.code, tube=tube, level=level,
                        type=ItemType.QCU, instruction="?", tutorial="",
                        calibration=Calibration(a, b), accessible=True,
                    )
    return ItemBank(version=f"synthetic-{seed}-{a_sd}", items=items, skills={})


def real_bank() -> ItemBank:
    from chalicelib.bank.loader import get_bank

    return get_bank()


_BANK: ItemBank | None = None
_INDEX: dict[str, int] = {}


def _init(bank: ItemBank) -> None:
    global _BANK, _INDEX
    _BANK = bank
    _INDEX = {item_id: i for i, item_id in enumerate(sorted(bank.items))}


def _uniforms(seed: int, index: int) -> np.ndarray:
    return np.random.default_rng([seed, index]).random(len(_INDEX))


def _answer(item: Item, theta: float, u: np.ndarray) -> CertificationAnswer:
    ok = u[_INDEX[item.id]] < probability(theta, item.calibration.a, item.calibration.b)
    return CertificationAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO)


def _oracle_item(bank: ItemBank, answers: list[CertificationAnswer], theta: float,
                 config: CertificationVersion) -> Item | None:
    pool = balanced_pool(bank, answers, eligible_items(bank, answers), config)
    if not pool:
        return None
    return max(pool, key=lambda i: (information(theta, i.calibration.a, i.calibration.b), i.id))


def simulate(job: tuple) -> list[dict]:
    """One rule for a chunk of candidates (index, θ, oracle length)."""
    name, version, chunk, seed, curve = job
    bank = _BANK
    out = []
    for index, theta, length in chunk:
        u = _uniforms(seed, index)
        exposure: dict[str, float] = {}
        if theta == math.inf or theta == -math.inf:  # perfect / all-wrong test
            walk = SelectionWalk(bank, config=version)
            while choices := walk.distribution():
                item = _draw(choices, random.Random(f"{name}:{index}:{len(walk.answers)}"))
                status = AnswerStatus.OK if theta > 0 else AnswerStatus.KO
                walk.record(CertificationAnswer(item.id, status), choices)
            answers = walk.answers
        elif name == "oracle":
            answers = []
            while len(answers) < length:
                item = _oracle_item(bank, answers, theta, version)
                if item is None:
                    break
                answers.append(_answer(item, theta, u))
                exposure[item.id] = 1.0
        else:
            walk = SelectionWalk(bank, config=version)
            while choices := walk.distribution():
                for choice, p in choices:
                    exposure[choice.id] = exposure.get(choice.id, 0.0) + p
                item = _draw(choices, random.Random(f"{name}:{index}:{len(walk.answers)}"))
                walk.record(_answer(item, theta, u), choices)
            answers = walk.answers
        result = score_certification(bank, answers, version=version)
        row = {"index": index, "theta": theta, "estimate": result.theta, "se": result.se,
               "score": result.global_score, "level": result.level, "length": len(answers),
               "exposure": exposure, "a": float(np.mean([bank.items[x.item_id].calibration.a
                                                        for x in answers]))}
        if curve:
            row["curve"] = {k: final_estimate(bank, answers[:k], config=version).theta
                            for k in CURVE_AT if k <= len(answers)}
        out.append(row)
    return out


def run(name: str, version: CertificationVersion, candidates: list[tuple[int, float, int]],
        bank: ItemBank, jobs: int, seed: int, curve: bool = False) -> list[dict]:
    size = max(1, math.ceil(len(candidates) / (jobs * 4)))
    chunks = [(name, version, candidates[i:i + size], seed, curve)
              for i in range(0, len(candidates), size)]
    if jobs <= 1:
        _init(bank)
        rows = [r for c in chunks for r in simulate(c)]
    else:
        with Pool(jobs, initializer=_init, initargs=(bank,)) as pool:
            rows = [r for part in pool.map(simulate, chunks) for r in part]
    return sorted(rows, key=lambda r: r["index"])


def band_exposure(rows: list[dict], min_stratum: int) -> float:
    """Largest expected exposure of an item within a level band."""
    strata: dict[int, list[dict]] = {}
    for r in rows:
        strata.setdefault(level_from_theta(r["theta"], max_open_level=7), []).append(r)
    worst = 0.0
    for members in strata.values():
        if len(members) < min_stratum:
            continue
        total: Counter = Counter()
        for r in members:
            total.update(r["exposure"])
        worst = max(worst, max(total.values()) / len(members))
    return worst


def summary(rows: list[dict], extreme: dict[float, list[dict]], bounds: list[dict],
            min_stratum: int) -> dict:
    err = np.array([r["estimate"] - r["theta"] for r in rows])
    out = {
        "rmse": float(np.sqrt(np.mean(err ** 2))),
        "length": float(np.mean([r["length"] for r in rows])),
        "exposure": band_exposure(rows, min_stratum),
        "a": float(np.mean([r["a"] for r in rows])),
        "se": float(np.mean([r["se"] for r in rows])),
        "coverage": float(np.mean([abs(r["estimate"] - r["theta"]) <= 1.96 * r["se"] for r in rows])),
        "max_se_stopped": max([r["se"] for r in rows if r["length"] < 32], default=float("nan")),
        "range": (min(b["score"] for b in bounds), max(b["score"] for b in bounds)),
    }
    for theta, ex in extreme.items():
        out[f"bias{theta}"] = float(np.mean([r["estimate"] - theta for r in ex]))
    out["level7"] = float(np.mean([r["level"] == 7 for r in extreme[4.5]]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="simulated candidates θ ~ N(mean, sd²)")
    parser.add_argument("--n-extreme", type=int, default=300, help="candidates at θ = −2.5 and at 4.5")
    parser.add_argument("--mean", type=float, default=0.5)
    parser.add_argument("--sd", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--synthetic", default="1:0.3,2:0.5,3:0.5",
                        help="synthetic banks as seed:σ_a, comma-separated ('' for none)")
    parser.add_argument("--no-real", action="store_true", help="skip the real bank")
    parser.add_argument("--no-curve", action="store_true", help="skip the length–precision curve")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--min-stratum", type=int, default=100)
    parser.add_argument("--budget", type=float, help="override ours: exposure_budget")
    parser.add_argument("--stop-se", type=float, help="override ours: early_stop_se (0 = none)")
    parser.add_argument("--min-stop", type=int, help="override ours: min_items_before_stop")
    parser.add_argument("--only", help="comma-separated rules among ours, ours-before, pix, oracle "
                        "(the oracle needs ours)")
    parser.add_argument("--out", type=Path, help="write the markdown report there")
    args = parser.parse_args(argv)

    ours = version_named("2026.2")
    overrides: dict = {}
    if args.budget:
        overrides["exposure_budget"] = args.budget
    if args.stop_se is not None:
        overrides["early_stop_se"] = args.stop_se or None
    if args.min_stop:
        overrides["min_items_before_stop"] = args.min_stop
    if overrides:
        ours = replace(ours, version=ours.version + "-tuned", **overrides)
    before = version_named("2026.1")
    rules = [("ours", ours), ("ours-before", before), ("pix", PIX_VERSION), ("oracle", ours)]
    if args.only:
        rules = [r for r in rules if r[0] in args.only.split(",")]

    banks: list[tuple[str, ItemBank]] = []
    if not args.no_real:
        bank = real_bank()
        banks.append((f"real bank {bank.version} (a = 1.2 everywhere)", bank))
    for spec in filter(None, args.synthetic.split(",")):
        s, a_sd = spec.split(":")
        banks.append((f"synthetic seed {s}, a ~ lognormal(0.1, {a_sd}), b ± N(0, 0.5²)",
                      synthetic_bank(int(s), float(a_sd))))

    thetas = np.random.default_rng(args.seed).normal(args.mean, args.sd, args.n)
    population = [(i, float(t), 32) for i, t in enumerate(thetas)]
    extremes = {t: [(100_000 * (k + 1) + i, t, 32) for i in range(args.n_extreme)]
                for k, t in enumerate(EXTREMES)}
    bounds = [(900_001, math.inf, 32), (900_002, -math.inf, 32)]

    started = time.perf_counter()
    lines = [
        "| bank | rule | RMSE θ | mean length | max expected exposure in a level band | mean a served "
        "| bias at θ = −2.5 | bias at θ = 4.5 | level 7 at θ = 4.5 | score of an all-wrong / perfect test "
        "| mean stated SE (coverage of ±1.96 SE) | widest SE at an early stop |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratio_lines = []
    for bank_name, bank in banks:
        results: dict[str, dict] = {}
        lengths: dict[int, int] = {}
        for name, version in rules:
            t0 = time.perf_counter()
            if name == "oracle":
                pop = [(i, t, lengths[i]) for i, t, _ in population]
                ext = {t: [(i, th, lengths[i]) for i, th, _ in c] for t, c in extremes.items()}
            else:
                pop, ext = population, extremes
            rows = run(name, version, pop, bank, args.jobs, args.seed)
            ex = {t: run(name, version, c, bank, args.jobs, args.seed) for t, c in ext.items()}
            if name == "ours":
                lengths = {r["index"]: r["length"] for r in rows}
                for t, rs in ex.items():
                    lengths.update({r["index"]: r["length"] for r in rs})
            b = run(name, version, bounds, bank, 1, args.seed)
            results[name] = m = summary(rows, ex, b, args.min_stratum)
            exposure = "— (deterministic)" if name == "oracle" else f"{100 * m['exposure']:.1f}%"
            lines.append(
                f"| {bank_name} | {name} | {m['rmse']:.3f} | {m['length']:.1f} | {exposure} | {m['a']:.2f} "
                f"| {m['bias-2.5']:+.2f} | {m['bias4.5']:+.2f} | {100 * m['level7']:.0f}% "
                f"| {m['range'][0]} / {m['range'][1]} | {m['se']:.2f} ({100 * m['coverage']:.0f}%) "
                f"| {m['max_se_stopped']:.2f} |")
            print(f"{bank_name} {name}: {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        if not {"ours", "ours-before", "pix", "oracle"} <= set(results):
            continue
        ratio_lines.append(f"- {bank_name}: ours / oracle RMSE = "
                           f"{results['ours']['rmse'] / results['oracle']['rmse']:.2f} "
                           f"(before: {results['ours-before']['rmse'] / results['oracle']['rmse']:.2f}, "
                           f"Pix at 32 items: {results['pix']['rmse'] / results['oracle']['rmse']:.2f})")

    curve_lines: list[str] = []
    if not args.no_curve and len(banks) > (0 if args.no_real else 1):
        bank_name, bank = banks[0 if args.no_real else 1]
        fixed = [("ours (run to 32)", replace(ours, early_stop_se=None)),
                 ("ours-before (run to 32)", replace(before, early_stop_se=None)),
                 ("pix", PIX_VERSION), ("oracle", replace(ours, early_stop_se=None))]
        curve_lines = [f"RMSE θ after k items on the {bank_name} (every rule run to 32 items, "
                       f"each prefix scored with the rule's final estimator):", "",
                       "| rule | " + " | ".join(f"k = {k}" for k in CURVE_AT) + " |",
                       "|---|" + "---|" * len(CURVE_AT)]
        for name, version in fixed:
            key = "oracle" if name == "oracle" else name
            rows = run(key, version, population, bank, args.jobs, args.seed, curve=True)
            cells = []
            for k in CURVE_AT:
                e = [r["curve"][k] - r["theta"] for r in rows if k in r["curve"]]
                cells.append(f"{math.sqrt(sum(x * x for x in e) / len(e)):.3f}")
            curve_lines.append(f"| {name} | " + " | ".join(cells) + " |")
        curve_lines.append("")

    elapsed = time.perf_counter() - started
    report = "\n".join([
        "# Certification algorithm: bench",
        "",
        f"Generated by `scripts/bench_certification.py --n {args.n} --n-extreme {args.n_extreme} "
        f"--synthetic '{args.synthetic}'{' --no-real' if args.no_real else ''}`: "
        f"θ ~ N({args.mean}, {args.sd}²), {args.n} candidates (seed {args.seed}), plus {args.n_extreme} "
        f"at each of θ = −2.5 and 4.5; the same answers for every rule; bands of at least "
        f"{args.min_stratum} candidates for exposure. Run time {elapsed:.0f}s with {args.jobs} processes.",
        "",
        "Ours: " + describe(ours) + ". Before: " + describe(before) + ".",
        "",
        *lines,
        "",
        *ratio_lines,
        "",
        *curve_lines,
    ])
    print(report)
    if args.out:
        out = args.out if args.out.is_absolute() else ROOT / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report + "\n", encoding="utf-8")
    return 0


def describe(version: CertificationVersion) -> str:
    stop = (f"stop at SE ≤ {version.early_stop_se} after {version.min_items_before_stop}"
            if version.early_stop_se else "fixed length")
    if version.exposure_budget is not None:
        pick = f"most informative items within a per-test exposure budget of {version.exposure_budget:.0%}"
    elif version.per_competence:
        pick = f"{version.competence_choice} competence, then uniform top-{version.top_k} in it"
    else:
        pick = f"top-{version.top_k} of the pool"
    final = (version.final_estimator or version.estimator).upper()
    if version.final_prior_sd is not None:
        final += f" N({version.prior_mean}, {version.final_prior_sd}²)"
    if version.open_ends:
        final += " (all right 895, all wrong 0)"
    return (f"version {version.version}: {pick}, EAP N({version.prior_mean}, {version.prior_sd}²) "
            f"during the test, {final} for the score, {stop}, max {version.max_items}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Guessing study (issue 17): do the positioning curves need a lower asymptote?

The positioning engine (`chalicelib.domain.positioning`) scores every item
with a 2PL curve P = 1 / (1 + exp(-a (theta - b))): a learner who knows
nothing still picks the key of a 4-option QCU a quarter of the time, which a
2PL reads as ability. This bench measures, on the real bank and the
production selection rule (`positioning.next_item`, early stop), whether a
3PL-like posterior with a FIXED lower asymptote improves the estimates:

    P = c + (1 - c) / (1 + exp(-a (theta - b)))
    c = 1 / options for a QCU, 1 / (2^options - 1) for a QCM (any non-empty
    subset picked at random), 0 for typed answers (QROC, QROCM).

Generating models (the learners' true answers) x two scoring models:
- answers WITH guessing at a rate g (`--guess-rates`, default "1,0"): a
  learner who does not know the answer guesses blindly with probability g
  (and otherwise answers wrong), so P = g c + (1 - g c) / (1 + exp(...));
  g = 1 is the 3PL above, g = 0 the bank's 2PL; the rates between give the
  break-even rate above which the fixed floor pays;
- the posterior under the 2PL (production) or under the fixed-c 3PL (the
  candidate change; `positioning._posterior` swapped in this process only;
  the skill reward of the selection keeps its 2PL curves in both, so the
  items served differ only through the estimate).
Same learners, same uniforms per item (common random numbers): theta
stratified over the levels 0..MAX_OPEN_LEVEL as in `bench_positioning.py`.

Reported: RMSE and bias of the posterior mean theta against the true theta
(overall, and at the lowest and highest levels, where guessing and its
correction matter most), the share of posterior-argmax levels equal to the
true level, and the mean test length.

    .venv/bin/python scripts/bench_guessing.py [--learners 120] [--seed 7] [--out docs/benchmarks-guessing.md]

numpy is used here only (the domain code is pure Python).
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from chalicelib.domain import positioning  # noqa: E402
from chalicelib.domain.answers import AnswerStatus  # noqa: E402
from chalicelib.domain.items import Item, ItemType  # noqa: E402
from chalicelib.domain.knowledge import PositioningAnswer  # noqa: E402

import bench_positioning as bp  # noqa: E402

MODELS = ("2PL", "3PL")


def guessing_floor(item: Item) -> float:
    """The chance of a blind pick being right: 1/k for a QCU of k options,
    1/(2^k - 1) for a QCM (a random non-empty subset), 0 for typed answers."""
    k = len(item.proposals)
    if item.type is ItemType.QCU and k >= 2:
        return 1.0 / k
    if item.type is ItemType.QCM and k >= 2:
        return 1.0 / (2 ** k - 1)
    return 0.0


@lru_cache(maxsize=2048)
def _curves_3pl(a: float, b: float, c: float):
    p = tuple(c + (1.0 - c) / (1.0 + math.exp(-a * (t - b))) for t in positioning.THETA_GRID)
    return tuple(math.log(x) for x in p), tuple(math.log(1.0 - x) for x in p)


def _posterior_3pl(bank, competence, answers):
    """`positioning._posterior` with the fixed lower asymptote."""
    log_w = list(positioning._LOG_PRIOR)
    for answer in answers:
        item = positioning._item_of(bank, competence, answer.item_id)
        if item is None or not answer.scored:
            continue
        log_p, log_q = _curves_3pl(item.calibration.a, item.calibration.b, guessing_floor(item))
        curve = log_p if answer.status is AnswerStatus.OK else log_q
        log_w = [x + y for x, y in zip(log_w, curve)]
    top = max(log_w)
    w = [math.exp(x - top) for x in log_w]
    total = sum(w)
    return [x / total for x in w]


_PRODUCTION_POSTERIOR = positioning._posterior


def _run(job):
    competence, n, seed, rates = job
    bp._init("real")
    bank = bp._BANK
    learners = bp.make_learners(bank, competence, n, seed, 0.0)
    out = {}
    for truth, model in ((g, m) for g in rates for m in MODELS):
        positioning._posterior = _posterior_3pl if model == "3PL" else _PRODUCTION_POSTERIOR
        rows = []
        for learner in learners:
            answers: list[PositioningAnswer] = []
            seed_text = f"{competence}-{learner.index}"
            while True:
                item = positioning.next_item(bank, competence, answers, seed_text, early_stop=True)
                if item is None:
                    break
                a, b = learner.truth[item.id]
                c = truth * guessing_floor(item)
                p = c + (1.0 - c) / (1.0 + math.exp(-a * (learner.theta - b)))
                ok = learner.uniforms[item.id] < p
                answers.append(PositioningAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO))
            est = positioning.estimate_level(bank, competence, answers)
            distribution = list(est.distribution)
            top = bp.MAX_REACHABLE_LEVEL
            capped = distribution[:top] + [sum(distribution[top:])]
            rows.append({"theta": learner.theta, "estimate": est.theta, "true": learner.true_level,
                         "level": max(range(len(capped)), key=capped.__getitem__),
                         "items": len(answers)})
        out[(truth, model)] = rows
    positioning._posterior = _PRODUCTION_POSTERIOR
    return out


def _summary(rows):
    errors = [r["estimate"] - r["theta"] for r in rows]
    low = [r["estimate"] - r["theta"] for r in rows if r["true"] == 0]
    high = [r["estimate"] - r["theta"] for r in rows if r["true"] == bp.MAX_REACHABLE_LEVEL]
    return {"rmse": math.sqrt(statistics.fmean(e * e for e in errors)),
            "bias_low": statistics.fmean(low) if low else math.nan,  # a small run may miss a level
            "bias_high": statistics.fmean(high) if high else math.nan,
            "exact": statistics.fmean(r["level"] == r["true"] for r in rows),
            "items": statistics.fmean(r["items"] for r in rows)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=120, help="learners per competence")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--guess-rates", default="1,0",
                        help="comma-separated shares g of 'does not know' answers that guess blindly")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    started = time.time()
    bp._init("real")
    codes = bp.competences_with_content(bp._BANK)
    items = [i for i in bp._BANK.items.values() if i.competence in codes]
    shares = {t: sum(1 for i in items if i.type is t) / len(items) for t in (ItemType.QCU, ItemType.QCM)}
    floors = [guessing_floor(i) for i in items if i.type is ItemType.QCU]
    rates = tuple(float(g) for g in args.guess_rates.split(","))
    modes = [(g, m) for g in rates for m in MODELS]
    jobs = [(c, args.learners, args.seed, rates) for c in codes]
    merged = {mode: [] for mode in modes}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for out in pool.map(_run, jobs):
            for mode, rows in out.items():
                merged[mode].extend(rows)
    lines = [
        "| answers: guessing rate g | posterior | RMSE θ | bias θ, level 0 | bias θ, level 7 | exact level "
        "| mean items |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for truth, model in modes:
        s = _summary(merged[(truth, model)])
        lines.append(f"| g = {truth:g} | {model}"
                     f"{' (production)' if model == '2PL' else ' fixed c'} | {s['rmse']:.3f} | "
                     f"{s['bias_low']:+.2f} | {s['bias_high']:+.2f} | {s['exact']:.1%} | {s['items']:.1f} |")
    header = (f"real bank {bp._BANK.version}; competences {', '.join(codes)}; {args.learners} learners "
              f"per competence ({len(codes) * args.learners} tests per row), true level uniform in "
              f"0..{bp.MAX_REACHABLE_LEVEL}; QCU {shares[ItemType.QCU]:.0%} and QCM "
              f"{shares[ItemType.QCM]:.0%} of the items, QCU floor c mean {statistics.fmean(floors):.3f}; "
              f"seed {args.seed}; {time.time() - started:.0f} s.")
    text = header + "\n\n" + "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(
            "# Guessing study: benchmark\n\nProduced by `scripts/bench_guessing.py` (method in its docstring):\n\n"
            f"    .venv/bin/python scripts/bench_guessing.py --learners {args.learners} --seed {args.seed}"
            f" --guess-rates {args.guess_rates} --out {args.out}\n\n{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

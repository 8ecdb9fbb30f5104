"""Bench the adaptive positioning test against Pix's published rule.

Simulates full competence tests of synthetic learners with a known ability and
compares, on the same learners (same answer to the same item: common random
numbers), these selection rules, all scored by the production code
(`chalicelib.domain.knowledge`: knowledge elements -> pix -> level):

(a) ours: `positioning.next_item(..., early_stop=True)` (confidence 0.9), and
    `early_stop=False` (ends like Pix, when no skill within 2 levels of the
    estimate is left);
(b) Pix: the published smart-random rule, implemented here faithfully
    (first item: easy tube, non-timed, level 2; level estimate: the 0.5..7.5
    grid minimising |sum(outcome - logistic(L - level))| over direct answers
    plus a virtual success at 0 and failure at 7, ties to the lowest; skills
    of easy tubes first as long as any is left; no timed skill right after a
    timeout; no skill more than 2 above the estimate; reward P * #untested
    easier-or-equal + (1 - P) * #untested harder-or-equal in the tube; random
    among the exact maxima; ends when no skill is left);
(c) random: untested skills in random order, either for the same mean length
    as (a) on that competence, or until none is left;
(d) exhaustive: every skill answered once (no inference): what the pix rule
    can do with complete data.

Learners: the true level L is drawn uniformly in 0..MAX_OPEN_LEVEL (7) and theta uniformly in
its interval on the certification scale (the reference's level intervals,
whose lower bounds are the prior difficulties b(1..8) = -1.4, -0.519, 0.6,
1.5, 2.25, 3.1, 4, 5; level 0 is drawn in [-2.5, -1.4), level 7 in [4, 5)).
So the TRUE LEVEL is the highest L with theta >= b(L), i.e. the highest level
whose items (at their prior calibration) the learner succeeds with P >= 0.5,
capped at 7, the highest open level (`framework.MAX_OPEN_LEVEL`, shared
with certification). Answers follow each item's 2PL
calibration P = 1 / (1 + exp(-a (theta - b))). A second reading, the
"pix-rule level", is floor(E[pix] / 8) for a learner answering every skill
once: the level the scoring rule itself gives this theta on average.

`--extras` adds a sweep of the early-stop confidence and a rerun where the
learners answer with perturbed item parameters (b + N(0, 0.3),
a * exp(N(0, 0.15))) while the algorithms keep the bank's: calibration error,
which our estimator uses and Pix's ignores (`--misfit SD` applies such an
error to the main run).

Bank: the real one (`chalicelib.bank.loader.get_bank()`), every competence
that has content; if it has none (or `--bank synthetic`), a synthetic bank of
the same shape (16 competences x 5 tubes, levels 1..8, 1-3 items per skill,
prior calibration, a few timed items).

    .venv/bin/python scripts/bench_positioning.py [--learners 300] [--extras]
        [--out docs/benchmarks-positioning.md]

CPU: about 45 s with the defaults (under 30 s of wall time on 2 idle cores),
about 110 s with --extras.
numpy is used here only (the domain code is pure Python).
"""
from __future__ import annotations

import argparse
import math
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.answers import AnswerStatus  # noqa: E402
from chalicelib.domain.framework import COMPETENCES, MAX_OPEN_LEVEL, skill_pix_value  # noqa: E402
from chalicelib.domain.items import (  # noqa: E402
    PRIOR_DIFFICULTY_BY_LEVEL,
    PRIOR_DISCRIMINATION,
    Calibration,
    Item,
    ItemBank,
    ItemStatus,
    ItemType,
    Skill,
)
from chalicelib.domain.knowledge import (  # noqa: E402
    KnowledgeSource,
    PositioningAnswer,
    competence_level,
    competence_pix,
    knowledge_elements,
    shown_pix,
)
from chalicelib.domain.positioning import estimate_level, next_item  # noqa: E402

MAX_REACHABLE_LEVEL = MAX_OPEN_LEVEL  # the framework's open level, as in production
# level L is drawn in [LEVEL_BOUNDS[L], LEVEL_BOUNDS[L + 1]), for L in 0..MAX_REACHABLE_LEVEL
LEVEL_BOUNDS = [-2.5] + [PRIOR_DIFFICULTY_BY_LEVEL[level] for level in range(1, MAX_REACHABLE_LEVEL + 2)]


# --- bank ----------------------------------------------------------------------


def synthetic_bank(seed: int = 0) -> ItemBank:
    """16 competences x 5 tubes; each tube a run of levels, 1-3 items per skill."""
    rng = random.Random(seed)
    items: list[Item] = []
    for competence in COMPETENCES:
        code = competence.code
        for t in range(5):
            tube = f"@c{code.replace('.', '')}t{t}"
            low = 1 if t == 0 else rng.choice([1, 1, 2, 2, 3, 4])
            high = 3 if t == 0 else min(8, low + rng.choice([3, 4, 5, 6, 7]))
            for level in range(low, high + 1):
                for k in range(rng.choice([1, 2, 2, 3])):
                    items.append(Item(
                        id=f"{tube[1:].lower()}-{level}{'abc'[k]}", competence=code, tube=tube,
                        level=level, type=ItemType.QCU, instruction="?", tutorial="",
                        calibration=Calibration(PRIOR_DISCRIMINATION, PRIOR_DIFFICULTY_BY_LEVEL[level]),
                        timer=60 if rng.random() < 0.05 else None,
                    ))
    by_skill: dict[str, list[Item]] = {}
    for item in items:
        by_skill.setdefault(item.skill, []).append(item)
    per_level: dict[tuple[str, int], int] = {}
    for group in by_skill.values():
        key = (group[0].competence, group[0].level)
        per_level[key] = per_level.get(key, 0) + 1
    skills = {
        name: Skill(name, g[0].competence, g[0].tube, g[0].level,
                    skill_pix_value(per_level[(g[0].competence, g[0].level)]), tuple(i.id for i in g))
        for name, g in by_skill.items()
    }
    tubes: dict[str, dict[str, dict[int, str]]] = {}
    for s in skills.values():
        tubes.setdefault(s.competence, {}).setdefault(s.tube, {})[s.level] = s.name
    return ItemBank("synthetic", {i.id: i for i in items}, skills, tubes)


def load_bank(kind: str) -> tuple[ItemBank, str]:
    if kind in ("auto", "real"):
        try:
            from chalicelib.bank.loader import get_bank

            bank = get_bank()
        except Exception as exc:  # loader missing or content invalid
            if kind == "real":
                raise
            print(f"real bank unavailable ({exc.__class__.__name__}: {exc}); using a synthetic bank",
                  file=sys.stderr)
        else:
            if bank.skills:
                return bank, f"real bank {bank.version}"
            if kind == "real":
                raise SystemExit("the real bank is empty")
    return synthetic_bank(), "synthetic bank (16 competences x 5 tubes)"


def competences_with_content(bank: ItemBank) -> list[str]:
    codes = {s.competence for s in bank.skills.values()
             if any(bank.items[i].status is ItemStatus.VALIDATED for i in s.item_ids if i in bank.items)}
    return [c.code for c in COMPETENCES if c.code in codes]


# --- Pix's published rule (baseline) ------------------------------------------

CAT_LEVELS = [0.5 * k for k in range(1, 16)]  # 0.5 .. 7.5


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def pix_predicted_level(bank: ItemBank, elements) -> float:
    direct = [(1 if e.is_validated else 0, bank.skills[e.skill].level or 2)
              for e in elements if e.source is KnowledgeSource.DIRECT]
    direct += [(1, 0), (0, 7)]
    best_level, best = None, -math.inf
    for level in CAT_LEVELS:
        score = -abs(sum(outcome - _logistic(level - difficulty) for outcome, difficulty in direct))
        if score > best:  # strict: ties keep the first (lowest) level
            best_level, best = level, score
    return best_level


def pix_next_item(bank: ItemBank, competence: str, answers, rng: random.Random) -> Item | None:
    elements = knowledge_elements(bank, competence, answers)
    tested = {e.skill for e in elements}
    answered = {a.item_id for a in answers}
    skills = bank.skills_of(competence)
    # tubes: skills having an item (Pix computes them from all challenges)
    def items_of(skill, unanswered=True):
        return [bank.items[i] for i in skill.item_ids if i in bank.items
                and bank.items[i].status is ItemStatus.VALIDATED and (not unanswered or i not in answered)]
    with_items = [s for s in skills if items_of(s, unanswered=False)]
    max_level = {}
    for s in with_items:
        max_level[s.tube] = max(max_level.get(s.tube, 0), s.level)
    playable = [s for s in with_items if items_of(s)]
    untested = [s for s in playable if s.name not in tested]
    easy = [s for s in untested if max_level[s.tube] <= 3]
    pool = easy or untested

    def timed(s):  # Pix: a skill is timed when its first challenge is
        return items_of(s)[0].is_timed

    if not answers:
        pool = [s for s in pool if not timed(s)] or pool
        if not pool:
            return None
        at_two = [s for s in pool if s.level == 2]
        if not at_two:
            lowest = min(s.level for s in pool)
            at_two = [s for s in pool if s.level == lowest]
        skill = rng.choice(sorted(at_two, key=lambda s: s.name))
        return rng.choice(items_of(skill))
    if answers[-1].status is AnswerStatus.TIMEDOUT:
        pool = [s for s in pool if not timed(s)] or pool
    predicted = pix_predicted_level(bank, elements)
    pool = [s for s in pool if s.level - predicted <= 2]
    if not pool:
        return None
    untested_in_tube: dict[str, list[int]] = {}
    for s in skills:
        if s.name not in tested:
            untested_in_tube.setdefault(s.tube, []).append(s.level)
    rewards = []
    for s in pool:
        p = _logistic(predicted - s.level)
        easier = sum(1 for lv in untested_in_tube.get(s.tube, []) if lv <= s.level)
        harder = sum(1 for lv in untested_in_tube.get(s.tube, []) if lv >= s.level)
        rewards.append((p * easier + (1 - p) * harder, s))
    best = max(r for r, _ in rewards)
    if best == 0:
        return None
    best_skills = sorted((s for r, s in rewards if math.isclose(r, best, rel_tol=1e-12)), key=lambda s: s.name)
    return rng.choice(items_of(rng.choice(best_skills)))


def random_next_item(bank: ItemBank, competence: str, answers, rng: random.Random,
                     limit: int | None = None) -> Item | None:
    if limit is not None and len(answers) >= limit:
        return None
    tested = {e.skill for e in knowledge_elements(bank, competence, answers)}
    answered = {a.item_id for a in answers}
    pool = []
    for s in sorted(bank.skills_of(competence), key=lambda s: s.name):
        if s.name in tested:
            continue
        items = [bank.items[i] for i in s.item_ids if i in bank.items and i not in answered
                 and bank.items[i].status is ItemStatus.VALIDATED]
        if items:
            pool.append(items)
    return rng.choice(rng.choice(pool)) if pool else None


# --- simulation ----------------------------------------------------------------


@dataclass
class Learner:
    index: int
    theta: float
    true_level: int
    uniforms: dict[str, float]            # item id -> U(0,1): the same answer whatever the algorithm
    truth: dict[str, tuple[float, float]]  # item id -> (a, b) the learner answers with
    scored_level: int = 0                  # level the pix rule gives with every skill, in expectation


def true_level(theta: float) -> int:
    level = 0
    for candidate in range(1, 9):
        if theta >= PRIOR_DIFFICULTY_BY_LEVEL[candidate]:
            level = candidate
    return min(level, MAX_REACHABLE_LEVEL)


def make_learners(bank: ItemBank, competence: str, n: int, seed: int, misfit: float) -> list[Learner]:
    rng = np.random.default_rng([seed, *map(ord, competence)])
    item_ids = sorted(i.id for i in bank.items.values() if i.competence == competence)
    learners = []
    for k in range(n):
        level = k % (MAX_REACHABLE_LEVEL + 1)  # stratified: as many learners per level
        low, high = LEVEL_BOUNDS[level], LEVEL_BOUNDS[level + 1]
        theta = float(rng.uniform(low, high))
        uniforms = dict(zip(item_ids, rng.random(len(item_ids)).tolist()))
        truth = {}
        for item_id in item_ids:
            c = bank.items[item_id].calibration
            if misfit:
                truth[item_id] = (c.a * math.exp(rng.normal(0, misfit / 2)), c.b + rng.normal(0, misfit))
            else:
                truth[item_id] = (c.a, c.b)
        learners.append(Learner(k, theta, true_level(theta), uniforms, truth))
    for learner in learners:
        learner.scored_level = expected_exhaustive_level(bank, competence, learner)
    return learners


def expected_exhaustive_level(bank: ItemBank, competence: str, learner: Learner) -> int:
    """floor(E[pix] / 8) if every skill were answered once: the pix rule's own reading of theta."""
    expected = 0.0
    for skill in bank.skills_of(competence):
        ids = [i for i in skill.item_ids if i in bank.items and bank.items[i].status is ItemStatus.VALIDATED]
        if ids:
            chances = [1 / (1 + math.exp(-a * (learner.theta - b))) for a, b in map(learner.truth.get, ids)]
            expected += skill.pix_value * statistics.mean(chances)
    return competence_level(expected, MAX_REACHABLE_LEVEL)


def answer(learner: Learner, item: Item) -> PositioningAnswer:
    a, b = learner.truth[item.id]
    p = 1.0 / (1.0 + math.exp(-a * (learner.theta - b)))
    ok = learner.uniforms[item.id] < p
    return PositioningAnswer(item.id, AnswerStatus.OK if ok else AnswerStatus.KO)


def run_test(bank, competence, learner, choose) -> dict:
    answers: list[PositioningAnswer] = []
    limit = len(bank.skills_of(competence))
    while True:
        item = choose(answers)
        if item is None:
            break
        answers.append(answer(learner, item))
        if len(answers) > limit:
            raise AssertionError("a test served more items than the competence has skills")
    pix = competence_pix(knowledge_elements(bank, competence, answers), bank, competence)
    distribution = list(estimate_level(bank, competence, answers).distribution)
    capped = distribution[:MAX_REACHABLE_LEVEL] + [sum(distribution[MAX_REACHABLE_LEVEL:])]
    return {"items": len(answers), "level": competence_level(pix, MAX_REACHABLE_LEVEL),
            "estimated": max(range(len(capped)), key=capped.__getitem__),
            "pix": shown_pix(pix, MAX_REACHABLE_LEVEL), "true": learner.true_level,
            "scored": learner.scored_level}


_BANK: ItemBank | None = None


def _init(kind: str) -> None:
    global _BANK
    _BANK = load_bank(kind)[0]


OURS_EARLY, OURS_FULL, PIX = "ours, early stop", "ours, no early stop", "Pix rule"
EXTRA_MISFIT = 0.3
SWEEP = (0.8, 0.95, 0.98)


def _ours(bank, competence, learners, **options) -> list[dict]:
    return [run_test(bank, competence, lr, lambda ans, lr=lr: next_item(
        bank, competence, ans, f"{competence}-{lr.index}", **options)) for lr in learners]


def _pix(bank, competence, learners) -> list[dict]:
    return [run_test(bank, competence, lr, lambda ans, r=random.Random(f"pix{competence}-{lr.index}"):
                     pix_next_item(bank, competence, ans, r)) for lr in learners]


def simulate_competence(job: tuple[str, int, int, float, str]) -> dict[str, list[dict]]:
    competence, n, seed, misfit, plan = job
    bank = _BANK
    out: dict[str, list[dict]] = {}
    if plan == "misfit":  # same rules, learners answering with perturbed item parameters
        learners = make_learners(bank, competence, n, seed, misfit)
        out[OURS_EARLY] = _ours(bank, competence, learners, early_stop=True)
        out[OURS_FULL] = _ours(bank, competence, learners, early_stop=False)
        out[PIX] = _pix(bank, competence, learners)
        return out
    learners = make_learners(bank, competence, n, seed, misfit)
    if plan == "sweep":  # other early-stop confidences, same learners as the main run
        for confidence in SWEEP:
            out[f"ours, early stop at confidence {confidence:g}"] = _ours(
                bank, competence, learners, early_stop=True, confidence=confidence)
        return out
    out[OURS_EARLY] = _ours(bank, competence, learners, early_stop=True)
    out[OURS_FULL] = _ours(bank, competence, learners, early_stop=False)
    out[PIX] = _pix(bank, competence, learners)
    length = round(statistics.mean(r["items"] for r in out[OURS_EARLY]))
    out["random, same length as ours"] = [run_test(
        bank, competence, lr, lambda ans, r=random.Random(f"rnd{competence}-{lr.index}"):
        random_next_item(bank, competence, ans, r, limit=length)) for lr in learners]
    out["random, until no skill left"] = [run_test(
        bank, competence, lr, lambda ans, r=random.Random(f"all{competence}-{lr.index}"):
        random_next_item(bank, competence, ans, r)) for lr in learners]

    def exhaustive(ans):
        done = {bank.items[a.item_id].skill for a in ans}
        for s in sorted(bank.skills_of(competence), key=lambda s: s.name):
            items = [i for i in s.item_ids if bank.items[i].status is ItemStatus.VALIDATED]
            if s.name not in done and items:
                return bank.items[items[0]]
        return None
    out["exhaustive (every skill, ceiling)"] = [run_test(bank, competence, lr, exhaustive) for lr in learners]
    return out


# --- report --------------------------------------------------------------------


def metrics(rows: list[dict]) -> dict:
    errors = [r["level"] - r["true"] for r in rows]
    items = [r["items"] for r in rows]
    scored = [r["level"] - r["scored"] for r in rows]
    estimated = [r["estimated"] - r["true"] for r in rows]
    return {
        "estimated_exact": sum(e == 0 for e in estimated) / len(estimated),
        "estimated_within1": sum(abs(e) <= 1 for e in estimated) / len(estimated),
        "scored_exact": sum(e == 0 for e in scored) / len(scored),
        "scored_within1": sum(abs(e) <= 1 for e in scored) / len(scored),
        "items": statistics.mean(items),
        "p90": float(np.percentile(items, 90)),
        "exact": sum(e == 0 for e in errors) / len(errors),
        "within1": sum(abs(e) <= 1 for e in errors) / len(errors),
        "bias": statistics.mean(errors),
        "pix": statistics.mean(r["pix"] for r in rows),
    }


def table(results: dict[str, list[dict]]) -> str:
    lines = ["| selection rule | mean items | p90 items | exact level | within ±1 | mean error (levels) "
             "| = pix-rule level | mean pix | posterior level: exact / ±1 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, rows in results.items():
        m = metrics(rows)
        lines.append(f"| {name} | {m['items']:.1f} | {m['p90']:.0f} | {m['exact']:.1%} | {m['within1']:.1%} "
                     f"| {m['bias']:+.2f} | {m['scored_exact']:.1%} | {m['pix']:.1f} "
                     f"| {m['estimated_exact']:.1%} / {m['estimated_within1']:.1%} |")
    return "\n".join(lines)


def by_level_table(results: dict[str, list[dict]], names: list[str]) -> str:
    head = "| true level | " + " | ".join(f"{n}: items / exact" for n in names) + " |"
    lines = [head, "|---:|" + "---:|" * len(names)]
    for level in range(MAX_REACHABLE_LEVEL + 1):
        cells = []
        for n in names:
            rows = [r for r in results[n] if r["true"] == level]
            if rows:
                m = metrics(rows)
                cells.append(f"{m['items']:.1f} / {m['exact']:.0%}")
            else:
                cells.append("–")
        lines.append(f"| {level} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=300, help="learners per competence")
    parser.add_argument("--competences", default="", help="comma-separated codes (default: all with content)")
    parser.add_argument("--bank", choices=("auto", "real", "synthetic"), default="auto")
    parser.add_argument("--misfit", type=float, default=0.0, help="sd of the true-vs-bank calibration error")
    parser.add_argument("--extras", action="store_true",
                        help=f"also sweep the early-stop confidence {SWEEP} and rerun ours and Pix "
                             f"with a calibration misfit of {EXTRA_MISFIT}")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", help="write the markdown report there (e.g. docs/benchmarks-positioning.md)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    bank, bank_name = load_bank(args.bank)
    codes = [c for c in args.competences.split(",") if c] or competences_with_content(bank)
    jobs = [(code, args.learners, args.seed, args.misfit, "main") for code in codes]
    if args.extras:
        jobs += [(code, args.learners, args.seed, args.misfit, "sweep") for code in codes]
        jobs += [(code, args.learners, args.seed, EXTRA_MISFIT, "misfit") for code in codes]
    results: dict[str, list[dict]] = {}
    sweep: dict[str, list[dict]] = {}
    misfit: dict[str, list[dict]] = {}
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_init, initargs=(args.bank,)) as pool:
        for job, out in zip(jobs, pool.map(simulate_competence, jobs)):
            target = {"main": results, "sweep": sweep, "misfit": misfit}[job[4]]
            for name, rows in out.items():
                target.setdefault(name, []).extend(rows)
    elapsed = time.perf_counter() - started
    cpu = sum(resource.getrusage(who).ru_utime for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))

    skills = [len(bank.skills_of(c)) for c in codes]
    header = (
        f"{bank_name}; competences {', '.join(codes)} ({statistics.mean(skills):.0f} skills each on average); "
        f"{args.learners} learners per competence, true level uniform in 0..{MAX_REACHABLE_LEVEL} "
        f"({len(codes) * args.learners} tests per rule); calibration misfit sd {args.misfit:g}; "
        f"seed {args.seed}; {elapsed:.0f} s on {args.jobs} processes ({cpu:.0f} s of CPU)."
    )
    sections = [("", table(results)),
                ("Per true level (mean items / share placed exactly):",
                 by_level_table(results, [OURS_EARLY, OURS_FULL, PIX]))]
    if args.extras:
        trade_off = {name: sweep[name] for name in sweep}
        trade_off[f"{OURS_EARLY} (default, confidence 0.9)"] = results[OURS_EARLY]
        trade_off[OURS_FULL] = results[OURS_FULL]
        sections.append(("Early-stop confidence (same learners):", table(
            dict(sorted(trade_off.items(), key=lambda kv: statistics.mean(r["items"] for r in kv[1]))))))
        sections.append((f"Calibration misfit: learners answer with b + N(0, {EXTRA_MISFIT}), "
                         f"a x exp(N(0, {EXTRA_MISFIT / 2:g})); the algorithms keep the bank's parameters:",
                         table(misfit)))
    text = "\n\n".join(f"{title}\n\n{body}" if title else body for title, body in sections)
    print(header, "", text, sep="\n")
    if args.out:
        Path(args.out).write_text(report(header, text, args, len(codes) * args.learners), encoding="utf-8")
        print(f"\nwritten to {args.out}")
    return 0


def report(header: str, text: str, args, tests: int) -> str:
    options = "".join(f" --{k} {v}" for k, v in (("learners", args.learners), ("competences", args.competences),
                                                 ("misfit", args.misfit), ("seed", args.seed)) if v)
    command = (f"    .venv/bin/python scripts/bench_positioning.py{options}"
               f"{' --extras' if args.extras else ''} --out {args.out}")
    standard_error = 100 * math.sqrt(0.25 / tests)
    return f"""# Positioning test: benchmark

Produced by `scripts/bench_positioning.py` (method in its docstring; the
algorithm and its reasons in `chalicelib/domain/positioning.py`):

{command}

{header}

{text}

Reading:

- "exact level" and "within ±1" compare the level shown after the test (the
  pix rule: floor of the validated skills' pix / 8, capped at 6) with the
  learner's true level: the highest L with theta >= b(L), i.e. whose items
  the learner succeeds with P >= 0.5 (the certification's level intervals).
- "= pix-rule level": share placed at floor(expected pix / 8) of a learner
  answering every skill once, the level the pix rule itself gives this theta
  on average: how faithfully a short test reproduces the complete one.
- "posterior level": the most likely level of our posterior
  (`estimate_level`) after the same answers, capped at 6: what a level read
  from the estimate instead of the pix would give (not what is shown).
- The exhaustive row answers every skill once: even with complete data the pix
  rule places only about half of the learners exactly (it needs most skills
  of a level validated, a learner at the bottom of level L succeeds half of
  them: hence the negative mean error), so no selection rule can do much
  better on that column.
- With {tests} tests per rule a share near 50% has a standard error of
  about {standard_error:.1f} point; all rules see the same learners answering
  the same item the same way (common random numbers), so their differences
  are more precise than that.
"""


if __name__ == "__main__":
    raise SystemExit(main())

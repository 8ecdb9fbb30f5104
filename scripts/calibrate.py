"""Re-estimates the 2PL parameters (a, b) of items from collected answers.

Input: CSV with a header `learner_id,item_id,ok` or JSON lines
`{"learner_id": …, "item_id": …, "ok": 0|1}` (skipped / timed-out answers
count as 0, as they do for scoring). Output: a calibration patch
`{"bank_version", "method", "items": {id: {"a", "b", "n"}}}` printed, or
merged into `item_bank/calibration.json` with `--write`, which the loader
applies over the priors and the YAML (docs/item-format.md). PyYAML cannot
rewrite the authors' files without losing their comments and layout, hence
a separate file.

Method: marginal maximum likelihood by EM (Bock & Aitkin) over a fixed
Gauss-Hermite quadrature of the ability distribution, numpy/scipy only.
Why these choices:
- The ability scale is the certification scale, anchored by the level priors
  (b = -1.4 … 5.0). It is identified by fixing the ability distribution to
  N(0.5, 1.5²), the population the certification engine is tuned for
  (`--theta-mean/--theta-sd` to change it), not N(0, 1).
- Each M-step is a Bayes-modal (MAP) Fisher scoring with weak priors,
  log a ~ N(log 1.2, 0.5²) and b ~ N(level prior, 2²): items answered a few
  hundred times by an adaptive test otherwise drift to a → 0 or |b| → ∞.
- Only a learner's first answer to an item is used (a retry is not an
  independent response), and items with fewer than `--min-answers` answers
  keep their current calibration.

`--export DIR|s3://bucket/prefix` reads the answer export instead
(jobs/export_answers.py: date-partitioned JSON Lines, one pseudonymous
learner per `learner`, neutralised answers left out) and `--report FILE`
writes the item statistics and the DIF check (docs/calibration.md).

`--simulate N` draws N learners and known parameters, fits them back and
prints the recovery error: a check of the estimator, not of the bank.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.items import PRIOR_DIFFICULTY_BY_LEVEL, PRIOR_DISCRIMINATION  # noqa: E402

THETA_MEAN, THETA_SD = 0.5, 1.5
LOG_A_SD, B_SD = 0.5, 2.0
A_MIN, A_MAX, B_MIN, B_MAX = 0.05, 4.0, -6.0, 8.0   # item_bank/schema.json bounds
METHOD = "2PL MML-EM, Gauss-Hermite 41 nodes, MAP priors log a~N(log 1.2, 0.5), b~N(level prior, 2)"


@dataclass(frozen=True)
class Responses:
    """First answers as parallel arrays, learners and items as indices."""

    learner: np.ndarray
    item: np.ndarray
    ok: np.ndarray
    item_ids: list[str]
    n_learners: int

    def counts(self) -> np.ndarray:
        return np.bincount(self.item, minlength=len(self.item_ids))


@dataclass(frozen=True)
class Fit:
    a: np.ndarray
    b: np.ndarray
    iterations: int
    converged: bool
    theta_mean: float = THETA_MEAN   # the ability distribution the fit ends on
    theta_sd: float = THETA_SD


# ------------------------------------------------------------------ estimation

def fit_2pl(data: Responses, prior_b: np.ndarray, *, theta_mean: float = THETA_MEAN,
            theta_sd: float = THETA_SD, n_quad: int = 41, max_iter: int = 500,
            tol: float = 1e-4, fixed: np.ndarray | None = None,
            start_a: np.ndarray | None = None) -> Fit:
    """Bock-Aitkin EM; returns a, b for every item of `data.item_ids`.

    With `fixed` (a mask) those items keep their starting (a, b) (`start_a`,
    `prior_b`) and anchor the scale: the ability distribution's mean and sd
    are then estimated too (fixed-parameter calibration with the population
    updated at each EM cycle, Kim 2006), so the free items land on the
    anchors' scale. Without anchors the distribution stays N(theta_mean, theta_sd)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    log_w = np.log(weights / weights.sum())
    right, wrong = _matrices(data)
    log_a0 = np.log(PRIOR_DISCRIMINATION)
    n_items = len(data.item_ids)
    fixed = np.zeros(n_items, dtype=bool) if fixed is None else np.asarray(fixed, dtype=bool)
    anchored = bool(fixed.any())
    log_a = np.log(np.asarray(start_a, dtype=float)) if start_a is not None else np.full(n_items, log_a0)
    b = np.asarray(prior_b, dtype=float).copy()
    mean, sd = theta_mean, theta_sd
    for iteration in range(1, max_iter + 1):
        theta = mean + sd * nodes
        r, n, post_mean, post_sd = _expected_counts(right, wrong, log_a, b, theta, log_w)
        new_log_a, new_b = _m_step(r, n, theta, log_a, b, log_a0, prior_b)
        new_log_a[fixed], new_b[fixed] = log_a[fixed], b[fixed]
        change = max(np.abs(np.exp(new_log_a) - np.exp(log_a)).max(initial=0),
                     np.abs(new_b - b).max(initial=0))
        log_a, b = new_log_a, new_b
        if anchored:
            change = max(change, abs(post_mean - mean), abs(post_sd - sd))
            mean, sd = post_mean, max(post_sd, 0.2)
        if change < tol:
            return Fit(np.exp(log_a), b, iteration, True, mean, sd)
    return Fit(np.exp(log_a), b, max_iter, False, mean, sd)


def _matrices(data: Responses):
    shape = (data.n_learners, len(data.item_ids))
    right = sparse.csr_matrix(((data.ok == 1).astype(float), (data.learner, data.item)), shape=shape)
    wrong = sparse.csr_matrix(((data.ok == 0).astype(float), (data.learner, data.item)), shape=shape)
    return right, wrong


def _posterior(right, wrong, log_a, b, theta, log_w) -> np.ndarray:
    """Each learner's posterior over the quadrature nodes (learners × nodes)."""
    z = np.exp(log_a)[:, None] * (theta[None, :] - b[:, None])          # items × nodes
    log_lik = right @ log_expit(z) + wrong @ log_expit(-z) + log_w       # learners × nodes
    log_lik -= log_lik.max(axis=1, keepdims=True)
    post = np.exp(log_lik)
    return post / post.sum(axis=1, keepdims=True)


def _expected_counts(right, wrong, log_a, b, theta, log_w):
    """E-step: expected answers n and successes r of each item at each node,
    and the posterior mean and sd of the learners' ability."""
    post = _posterior(right, wrong, log_a, b, theta, log_w)
    r = right.T @ post
    mass = post.sum(axis=0) / max(post.shape[0], 1)
    mean = float(mass @ theta)
    sd = float(np.sqrt(max(mass @ (theta - mean) ** 2, 1e-9)))
    return r, r + wrong.T @ post, mean, sd


def _m_step(r, n, theta, log_a, b, log_a0, prior_b, steps: int = 4):
    """MAP Fisher scoring in (log a, b), all items at once."""
    for _ in range(steps):
        a = np.exp(log_a)
        d = theta[None, :] - b[:, None]
        p = expit(a[:, None] * d)
        resid, w = r - n * p, n * p * (1 - p)
        g_la = a * (resid * d).sum(1) - (log_a - log_a0) / LOG_A_SD**2
        g_b = -a * resid.sum(1) - (b - prior_b) / B_SD**2
        i_aa = a**2 * (w * d * d).sum(1) + 1 / LOG_A_SD**2
        i_ab = -(a**2) * (w * d).sum(1)
        i_bb = a**2 * w.sum(1) + 1 / B_SD**2
        det = i_aa * i_bb - i_ab**2
        step_la = np.clip((i_bb * g_la - i_ab * g_b) / det, -1, 1)
        step_b = np.clip((i_aa * g_b - i_ab * g_la) / det, -1, 1)
        log_a = np.clip(log_a + step_la, np.log(A_MIN), np.log(A_MAX))
        b = np.clip(b + step_b, B_MIN, B_MAX)
    return log_a, b


# ------------------------------------------------------------------ input

def read_answers(path: Path) -> list[tuple[str, str, int]]:
    """(learner_id, item_id, ok) rows from a CSV or JSON-lines file."""
    rows: list[tuple[str, str, int]] = []
    with path.open(encoding="utf-8", newline="") as f:
        if path.suffix in (".jsonl", ".ndjson", ".json"):
            records = (json.loads(line) for line in f if line.strip())
        else:
            records = csv.DictReader(f)
        for n, rec in enumerate(records, start=1):
            ok = str(rec["ok"]).strip().lower()
            if ok not in ("0", "1", "true", "false"):
                raise ValueError(f"{path}:{n}: ok vaut 0 ou 1, pas {rec['ok']!r}")
            rows.append((str(rec["learner_id"]), str(rec["item_id"]), int(ok in ("1", "true"))))
    return rows


def to_responses(rows: list[tuple[str, str, int]]) -> Responses:
    """Index learners and items; keep each learner's first answer to an item."""
    learners: dict[str, int] = {}
    items: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()
    lrn, itm, oks = [], [], []
    for learner_id, item_id, ok in rows:
        key = (learners.setdefault(learner_id, len(learners)), items.setdefault(item_id, len(items)))
        if key in seen:
            continue
        seen.add(key)
        lrn.append(key[0])
        itm.append(key[1])
        oks.append(ok)
    return Responses(np.array(lrn, dtype=np.int64), np.array(itm, dtype=np.int64),
                     np.array(oks, dtype=np.int8), list(items), len(learners))


def read_export(source: str) -> list[dict]:
    """The records of the answer export, from a local folder (every *.jsonl
    under it) or from S3 (`s3://bucket/prefix`, through the store's adapter)."""
    texts: list[str] = []
    if source.startswith("s3://"):
        from chalicelib.store import object_store

        bucket, _, prefix = source[len("s3://"):].partition("/")
        texts = [object_store.get(k, bucket_name=bucket).decode("utf-8")
                 for k in object_store.keys(prefix, bucket_name=bucket) if k.endswith(".jsonl")]
    else:
        texts = [f.read_text(encoding="utf-8") for f in sorted(Path(source).rglob("*.jsonl"))]
    return [json.loads(line) for text in texts for line in text.splitlines() if line.strip()]


def export_rows(records: list[dict]) -> list[tuple[str, str, int]]:
    """(learner, item, correct) of the exported answers the calibration uses:
    neutralised ones are left out (a technical problem spoilt them)."""
    return [(r["learner"], r["item"], int(r["correct"])) for r in records if not r.get("neutralised")]


# ------------------------------------------------------------------ item statistics and DIF

def standard_errors(data: Responses, fit: Fit, prior_b: np.ndarray, *,
                    theta_mean: float = THETA_MEAN, theta_sd: float = THETA_SD,
                    n_quad: int = 41) -> tuple[np.ndarray, np.ndarray]:
    """SE of a and b from the expected information at the fitted values
    (the priors' curvature included, as in the MAP M-step)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    theta = theta_mean + theta_sd * nodes
    right, wrong = _matrices(data)
    r, n, _, _ = _expected_counts(right, wrong, np.log(fit.a), fit.b, theta, np.log(weights / weights.sum()))
    a = fit.a
    d = theta[None, :] - fit.b[:, None]
    p = expit(a[:, None] * d)
    w = n * p * (1 - p)
    i_aa = a**2 * (w * d * d).sum(1) + 1 / LOG_A_SD**2
    i_ab = -(a**2) * (w * d).sum(1)
    i_bb = a**2 * w.sum(1) + 1 / B_SD**2
    det = i_aa * i_bb - i_ab**2
    se_log_a, se_b = np.sqrt(i_bb / det), np.sqrt(i_aa / det)
    return a * se_log_a, se_b


def abilities(data: Responses, fit: Fit, *, theta_mean: float = THETA_MEAN,
              theta_sd: float = THETA_SD, n_quad: int = 41) -> np.ndarray:
    """EAP ability of each learner under the fitted items: the matching
    variable of the DIF check (an adaptive test gives no comparable raw score)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    theta = theta_mean + theta_sd * nodes
    right, wrong = _matrices(data)
    z = fit.a[:, None] * (theta[None, :] - fit.b[:, None])
    log_lik = right @ log_expit(z) + wrong @ log_expit(-z) + np.log(weights / weights.sum())
    log_lik -= log_lik.max(axis=1, keepdims=True)
    post = np.exp(log_lik)
    post /= post.sum(axis=1, keepdims=True)
    return post @ theta


def item_statistics(data: Responses) -> tuple[np.ndarray, np.ndarray]:
    """(p-value, item-rest point-biserial) per item: the rest score of a
    learner is their proportion right on their other answered items."""
    n_items = len(data.item_ids)
    answered = np.bincount(data.learner, minlength=data.n_learners).astype(float)
    right = np.bincount(data.learner, weights=data.ok, minlength=data.n_learners)
    p_value = np.bincount(data.item, weights=data.ok, minlength=n_items) / np.maximum(data.counts(), 1)
    others = answered[data.learner] - 1
    rest = np.where(others > 0, (right[data.learner] - data.ok) / np.maximum(others, 1), np.nan)
    rpb = np.full(n_items, np.nan)
    for j in range(n_items):
        mask = (data.item == j) & ~np.isnan(rest)
        x, y = data.ok[mask].astype(float), rest[mask]
        if mask.sum() > 2 and x.std() > 0 and y.std() > 0:
            rpb[j] = float(np.corrcoef(x, y)[0, 1])
    return p_value, rpb


@dataclass(frozen=True)
class Dif:
    item_id: str
    variable: str
    reference: str
    focal: str
    n_reference: int
    n_focal: int
    odds_ratio: float       # Mantel-Haenszel common odds ratio (reference vs focal)
    delta: float            # ETS delta, -2.35 ln(odds ratio): < 0 favours the reference group
    chi2: float             # MH chi-square, continuity corrected
    category: str           # ETS A (negligible) | B (moderate) | C (large)


CHI2_5PC = 3.841            # chi-square, 1 df, 5 %
MIN_DIF_GROUP = 50          # answers per group below which an item is not tested


def mantel_haenszel(data: Responses, groups: list[str | None], theta: np.ndarray, *,
                    variable: str, strata: int = 5) -> list[Dif]:
    """Mantel-Haenszel DIF of every item between the most frequent value of
    `variable` (reference) and each other value (focal), learners matched on
    ability quantiles. ETS classes: C when |delta| >= 1.5 and significant,
    B when |delta| >= 1 and significant, else A."""
    group = np.array([g if g is not None else "" for g in groups], dtype=object)
    values, counts = np.unique(group[group != ""], return_counts=True)
    if len(values) < 2:
        return []
    reference = str(values[np.argmax(counts)])
    edges = np.quantile(theta, np.linspace(0, 1, strata + 1)[1:-1])
    stratum = np.searchsorted(edges, theta)[data.learner]
    g = group[data.learner]
    results = []
    for focal in (str(v) for v in values if v != reference):
        for j, item_id in enumerate(data.item_ids):
            on_item = data.item == j
            ref, foc = on_item & (g == reference), on_item & (g == focal)
            if ref.sum() < MIN_DIF_GROUP or foc.sum() < MIN_DIF_GROUP:
                continue
            num = den = sum_a = sum_ea = sum_va = 0.0
            for k in range(strata):
                rk, fk = ref & (stratum == k), foc & (stratum == k)
                a_ = float(data.ok[rk].sum()); b_ = float(rk.sum()) - a_
                c_ = float(data.ok[fk].sum()); d_ = float(fk.sum()) - c_
                t = a_ + b_ + c_ + d_
                if t < 2 or (a_ + b_) == 0 or (c_ + d_) == 0:
                    continue
                num += a_ * d_ / t
                den += b_ * c_ / t
                m1, m0, n_r, n_f = a_ + c_, b_ + d_, a_ + b_, c_ + d_
                sum_a += a_
                sum_ea += n_r * m1 / t
                sum_va += n_r * n_f * m1 * m0 / (t * t * (t - 1))
            if num == 0 or den == 0 or sum_va == 0:
                continue
            odds = num / den
            delta = -2.35 * float(np.log(odds))
            chi2 = (abs(sum_a - sum_ea) - 0.5) ** 2 / sum_va
            significant = chi2 > CHI2_5PC
            category = ("C" if significant and abs(delta) >= 1.5 else
                        "B" if significant and abs(delta) >= 1.0 else "A")
            results.append(Dif(item_id, variable, reference, focal, int(ref.sum()), int(foc.sum()),
                               round(odds, 3), round(delta, 3), round(chi2, 2), category))
    return results


def learner_groups(records: list[dict], data_learners: dict[str, int], variable: str) -> list[str | None]:
    """The value of `variable` per learner index (a learner's first record decides)."""
    out: list[str | None] = [None] * len(data_learners)
    for r in records:
        idx = data_learners.get(r["learner"])
        if idx is not None and out[idx] is None:
            out[idx] = r.get(variable)
    return out


def write_report(path: Path, rows: list[dict], difs: list[Dif], *, min_answers: int,
                 document: dict | None = None) -> None:
    """The content team's report: one table of item statistics and fit, the
    pilot items proposed for promotion, anchor drift, then DIF."""
    lines = ["# Calibration: parameters, fit and fairness (scripts/calibrate.py)", "",
             f"Items with fewer than {min_answers} answers keep their calibration (column `kept`).",
             "role: anchor (operational, calibrated: holds the scale), operational (on its prior until now), "
             "pilot (served unscored).",
             "p = proportion right; r_pb = item-rest point-biserial; a, b with their standard errors; "
             f"RMSD = item fit (misfit above {RMSD_MAX:.2f}); X² (df) for information.", "",
             "| item | role | n | p | r_pb | a | SE a | b | SE b | RMSD | X² (df) | kept | flags |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['item']} | {r.get('role', '')} | {r['n']} | {r['p']:.2f} | {_num(r['r_pb'])} | "
                     f"{r['a']:.2f} | {r['se_a']:.2f} | {r['b']:.2f} | {r['se_b']:.2f} | "
                     f"{_num(r.get('rmsd'))} | {_num(r.get('x2'))} ({r.get('df', '')}) | "
                     f"{'yes' if r['kept'] else ''} | {', '.join(r['flags'])} |")
    if document is not None:
        scale = document["scale"]
        lines += ["", "## Scale", "",
                  f"{scale['anchors']} anchor item(s); ability distribution N({scale['theta_mean']}, "
                  f"{scale['theta_sd']}²)" + (" (estimated from the anchors)." if scale["anchors"]
                                             else " (fixed: no calibrated item yet)."),
                  "", "## Pilot items proposed for promotion", "",
                  f"Rule: n >= {min_answers}, SE b <= {PROMOTE_SE_B_MAX}, a >= {PROMOTE_A_MIN}, "
                  f"RMSD <= {RMSD_MAX}, r_pb >= 0.10, no DIF B/C. Set `status: validated` in the item file "
                  "(the parameters are already in calibration.json).", ""]
        lines += [f"- {i}" for i in document["promote"]] or ["None."]
        lines += ["", f"## Anchor drift (|Δb| > {DRIFT_B} and > 2 SE, or a changed by more than "
                      f"×{DRIFT_A_RATIO})", ""]
        if document["drift"]:
            lines += ["| item | n | a bank | a now | b bank | b now | SE b | Δb |", "|---|---|---|---|---|---|---|---|"]
            lines += [f"| {d['item']} | {d['n']} | {d['a_bank']} | {d['a']} | {d['b_bank']} | {d['b']} | "
                      f"{d['se_b']} | {d['delta_b']} |" for d in document["drift"]]
        else:
            lines.append("None.")
    flagged = [d for d in difs if d.category != "A"]
    lines += ["", "## Differential item functioning (Mantel-Haenszel, ability strata)", "",
              f"{len(difs)} item × group comparisons; flagged (ETS B or C):", ""]
    if flagged:
        lines += ["| item | variable | reference | focal | n ref | n focal | MH odds ratio | delta | chi2 | class |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {d.item_id} | {d.variable} | {d.reference} | {d.focal} | {d.n_reference} | {d.n_focal} | "
                  f"{d.odds_ratio} | {d.delta} | {d.chi2} | {d.category} |" for d in flagged]
    else:
        lines.append("None.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _num(x: float | None) -> str:
    return "" if x is None or np.isnan(x) else f"{x:.2f}"


# ------------------------------------------------------------------ simulation

def simulate(n_learners: int, n_items: int = 20, *, answer_rate: float = 0.6,
             seed: int = 0) -> tuple[Responses, np.ndarray, np.ndarray, np.ndarray]:
    """Answers drawn from known parameters: (responses, true a, true b, prior b)."""
    rng = np.random.default_rng(seed)
    levels = rng.integers(1, 9, n_items)
    prior_b = np.array([PRIOR_DIFFICULTY_BY_LEVEL[int(lv)] for lv in levels])
    true_b = np.clip(prior_b + rng.normal(0, 0.5, n_items), -3, 6)
    true_a = np.clip(np.exp(rng.normal(np.log(PRIOR_DISCRIMINATION), 0.3, n_items)), 0.4, 3)
    theta = rng.normal(THETA_MEAN, THETA_SD, n_learners)
    learner, item = np.nonzero(rng.random((n_learners, n_items)) < answer_rate)
    p = expit(true_a[item] * (theta[learner] - true_b[item]))
    ok = (rng.random(len(p)) < p).astype(np.int8)
    data = Responses(learner, item, ok, [f"sim-{j}" for j in range(n_items)], n_learners)
    return data, true_a, true_b, prior_b


def recovery(n_learners: int, n_items: int = 20, seed: int = 0) -> dict:
    data, true_a, true_b, prior_b = simulate(n_learners, n_items, seed=seed)
    fit = fit_2pl(data, prior_b)
    return {"learners": n_learners, "items": n_items, "answers": int(len(data.ok)),
            "iterations": fit.iterations, "converged": fit.converged,
            "rmse_a": float(np.sqrt(np.mean((fit.a - true_a) ** 2))),
            "rmse_b": float(np.sqrt(np.mean((fit.b - true_b) ** 2))),
            "max_error_b": float(np.abs(fit.b - true_b).max()),
            "rmse_b_prior": float(np.sqrt(np.mean((prior_b - true_b) ** 2)))}


# ------------------------------------------------------------------ main

def calibrate(rows, bank, *, min_answers: int) -> tuple[dict, list[str]]:
    """The patch for the items of `bank` answered at least `min_answers` times."""
    data = to_responses(rows)
    notes = [f"épreuve inconnue de la banque, ignorée : {i}"
             for i in data.item_ids if i not in bank.items]
    prior_b = np.array([bank.items[i].calibration.b if i in bank.items else 0.0
                        for i in data.item_ids])
    fit = fit_2pl(data, prior_b)
    if not fit.converged:
        notes.append(f"EM non convergé après {fit.iterations} itérations")
    counts = data.counts()
    patch = {}
    for j, item_id in enumerate(data.item_ids):
        if item_id not in bank.items:
            continue
        if counts[j] < min_answers:
            notes.append(f"{item_id} : {counts[j]} réponses (< {min_answers}), calibration inchangée")
            continue
        patch[item_id] = {"a": round(float(fit.a[j]), 3), "b": round(float(fit.b[j]), 3),
                          "n": int(counts[j])}
    return {"bank_version": bank.version, "method": METHOD,
            "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "items": patch}, notes


DIF_VARIABLES = ("population", "age_band")

# Decision thresholds (docs/calibration.md).
RMSD_MAX = 0.10          # item fit: posterior RMSD between observed and model curves
PROMOTE_SE_B_MAX = 0.35  # a pilot item's difficulty must be known within this SE
PROMOTE_A_MIN = 0.5      # and it must discriminate
DRIFT_B = 0.5            # anchor drift: |b now - b in the bank| beyond this and beyond 2 SE
DRIFT_A_RATIO = 1.5      # or a changed by more than this factor


def item_fit(data: Responses, fit: Fit, *, n_quad: int = 41, groups: int = 10) -> dict[str, np.ndarray]:
    """Item fit for an adaptive design, per item: RMSD and a chi-square.

    S-X² (Orlando & Thissen) groups learners by summed score, which needs
    every learner to answer the same items: an adaptive test gives each
    learner a different, ability-dependent set, so summed scores are not
    comparable. We use the statistic PISA and PIAAC use for their adaptive
    designs instead: the RMSD between the item's pseudo-observed success
    curve (each answer spread over the ability nodes by the learner's
    posterior) and the fitted curve, weighted by where the answers are; it
    does not grow with n, so one threshold (0.10) serves any sample. The
    chi-square (the same pseudo-counts pooled into `groups` adjacent ability
    groups of equal answer mass, df = groups - 2, Stone 2000 without his
    resampling) is given for information: with thousands of answers it
    rejects negligible misfit."""
    from scipy.stats import chi2 as chi2_law

    nodes, weights = np.polynomial.hermite_e.hermegauss(n_quad)
    theta = fit.theta_mean + fit.theta_sd * nodes
    right, wrong = _matrices(data)
    post = _posterior(right, wrong, np.log(fit.a), fit.b, theta, np.log(weights / weights.sum()))
    r = np.asarray(right.T @ post)
    n = r + np.asarray(wrong.T @ post)
    p = expit(fit.a[:, None] * (theta[None, :] - fit.b[:, None]))
    total = np.maximum(n.sum(1), 1e-9)
    observed = np.divide(r, n, out=p.copy(), where=n > 1e-9)
    rmsd = np.sqrt((n * (observed - p) ** 2).sum(1) / total)
    x2 = np.zeros(len(total))
    for j in range(len(total)):
        group = np.minimum((np.cumsum(n[j]) - n[j] / 2) / total[j] * groups, groups - 1).astype(int)
        n_g = np.bincount(group, weights=n[j], minlength=groups)
        r_g = np.bincount(group, weights=r[j], minlength=groups)
        e_g = np.bincount(group, weights=n[j] * p[j], minlength=groups)
        ok = (n_g > 1) & (e_g > 1e-9) & (e_g < n_g - 1e-9)
        x2[j] = float(sum((r_g[g] - e_g[g]) ** 2 / (e_g[g] * (1 - e_g[g] / n_g[g]))
                          for g in np.flatnonzero(ok)))
    df = groups - 2
    return {"rmsd": rmsd, "x2": x2, "df": np.full(len(total), df), "p": chi2_law.sf(x2, df)}


def _status(bank, item_id: str) -> str | None:
    item = bank.items.get(item_id)
    status = getattr(item, "status", None)
    return getattr(status, "value", status)


def analyse(records: list[dict], bank, *, min_answers: int,
            dif_variables: tuple[str, ...] = DIF_VARIABLES) -> tuple[dict, list[str], list[dict], list[Dif]]:
    """From the export: (calibration document, notes, item statistics rows, DIF results).

    Operational and pilot items are fitted concurrently on one scale.
    Operational items whose bank calibration already rests on at least
    `min_answers` answers are the anchors: held at their bank (a, b) while the
    ability distribution and every other item are estimated, so new estimates
    land on the scale the engines use. With no anchor yet (every item on its
    prior), the scale is the fixed N(0.5, 1.5) population. Then the anchors
    are freed one pass, the population held, to measure their drift.
    Items under `min_answers` keep their calibration (`kept`); anchors keep
    theirs (a drift is reported, for a person to decide)."""
    rows = export_rows(records)
    data = to_responses(rows)
    notes = [f"épreuve inconnue de la banque, ignorée : {i}" for i in data.item_ids if i not in bank.items]
    pilots = ({r["item"] for r in records if r.get("pilot")}
              | {i for i in data.item_ids if _status(bank, i) == "pilot"})
    current = [bank.items[i].calibration if i in bank.items else None for i in data.item_ids]
    prior_b = np.array([c.b if c else 0.0 for c in current])
    start_a = np.array([c.a if c else PRIOR_DISCRIMINATION for c in current])
    counts = data.counts()
    anchor = np.array([c is not None and i not in pilots and getattr(c, "n", 0) >= min_answers
                       for i, c in zip(data.item_ids, current)], dtype=bool)
    fit, free, drifted = _anchored_fit(data, prior_b, start_a, anchor)
    if not fit.converged:
        notes.append(f"EM non convergé après {fit.iterations} itérations")
    se_a, se_b = standard_errors(data, free, prior_b, theta_mean=fit.theta_mean, theta_sd=fit.theta_sd)
    bank_a, bank_b = start_a, prior_b
    fits = item_fit(data, fit)
    p_value, rpb = item_statistics(data)
    patch: dict = {}
    stats, drift = [], []
    for j, item_id in enumerate(data.item_ids):
        role = "pilot" if item_id in pilots else "anchor" if anchor[j] else "operational"
        flags = []
        if not np.isnan(rpb[j]) and rpb[j] < 0.1:
            flags.append("low discrimination (r_pb < 0.10)")
        if p_value[j] > 0.95 or p_value[j] < 0.05:
            flags.append("p outside 0.05-0.95")
        if item_id not in bank.items:
            flags.append("not in the bank")
        if fits["rmsd"][j] > RMSD_MAX and counts[j] >= min_answers:
            flags.append(f"misfit (RMSD > {RMSD_MAX:.2f})")
        if anchor[j]:
            if drifted[j]:
                drift.append({"item": item_id, "a_bank": round(float(bank_a[j]), 3),
                              "b_bank": round(float(bank_b[j]), 3), "a": round(float(free.a[j]), 3),
                              "b": round(float(free.b[j]), 3), "se_b": round(float(se_b[j]), 3),
                              "delta_b": round(float(free.b[j] - bank_b[j]), 3), "n": int(counts[j])})
                flags.append(f"drift (b {bank_b[j]:+.2f} -> {free.b[j]:+.2f})")
        elif item_id in bank.items and counts[j] >= min_answers:
            patch[item_id] = {"a": round(float(fit.a[j]), 3), "b": round(float(fit.b[j]), 3),
                              "n": int(counts[j])}
        elif item_id in bank.items:
            notes.append(f"{item_id} : {counts[j]} réponses (< {min_answers}), calibration inchangée")
        a_j, b_j = (free.a[j], free.b[j]) if anchor[j] else (fit.a[j], fit.b[j])
        stats.append({"item": item_id, "role": role, "n": int(counts[j]), "p": float(p_value[j]),
                      "r_pb": float(rpb[j]), "a": float(a_j), "se_a": float(se_a[j]), "b": float(b_j),
                      "se_b": float(se_b[j]), "rmsd": float(fits["rmsd"][j]),
                      "x2": float(fits["x2"][j]), "df": int(fits["df"][j]), "fit_p": float(fits["p"][j]),
                      "kept": item_id not in patch, "flags": flags})
    theta = abilities(data, fit, theta_mean=fit.theta_mean, theta_sd=fit.theta_sd)
    index = {learner: i for i, learner in enumerate(dict.fromkeys(r[0] for r in rows))}
    difs = []
    for variable in dif_variables:
        difs += mantel_haenszel(data, learner_groups(records, index, variable), theta, variable=variable)
    for dif in difs:
        if dif.category != "A":
            row = next(s for s in stats if s["item"] == dif.item_id)
            row["flags"].append(f"DIF {dif.category} {dif.variable} {dif.focal}")
    promote = sorted(s["item"] for s in stats if _promotable(s, min_answers))
    document = {
        "bank_version": bank.version, "method": METHOD + "; anchors fixed, population estimated",
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scale": {"anchors": int(anchor.sum()), "theta_mean": round(fit.theta_mean, 3),
                  "theta_sd": round(fit.theta_sd, 3)},
        "items": patch,
        "statistics": {s["item"]: {k: (round(v, 4) if isinstance(v, float) else v)
                                   for k, v in s.items() if k not in ("item", "kept")} for s in stats},
        "promote": promote,
        "drift": drift,
    }
    return document, notes, stats, difs


def _anchored_fit(data: Responses, prior_b: np.ndarray, start_a: np.ndarray,
                  anchor: np.ndarray) -> tuple[Fit, Fit, np.ndarray]:
    """(fit on the anchors, free re-estimate on that scale, drifted mask).

    A drifted anchor would pull the whole scale with it, so anchors found
    drifting are released and the fit rerun (purification, at most 3 rounds);
    the free pass then holds the population and frees every anchor."""
    drifted = np.zeros(len(anchor), dtype=bool)
    for _ in range(3):
        fit = fit_2pl(data, prior_b, start_a=start_a, fixed=anchor & ~drifted)
        if not anchor.any():
            return fit, fit, drifted
        free = fit_2pl(data, np.where(anchor, prior_b, fit.b), start_a=np.where(anchor, start_a, fit.a),
                       theta_mean=fit.theta_mean, theta_sd=fit.theta_sd)
        _, se_b = standard_errors(data, free, prior_b, theta_mean=fit.theta_mean, theta_sd=fit.theta_sd)
        delta_b = free.b - prior_b
        ratio = free.a / start_a
        now = anchor & (((np.abs(delta_b) > DRIFT_B) & (np.abs(delta_b) > 2 * se_b))
                        | (ratio < 1 / DRIFT_A_RATIO) | (ratio > DRIFT_A_RATIO))
        if (now == drifted).all():
            break
        drifted = now
    return fit, free, drifted


def _promotable(row: dict, min_answers: int) -> bool:
    """A pilot item ready to count: enough answers, known difficulty, it
    discriminates, fits the model and shows no DIF (B or C)."""
    return (row["role"] == "pilot" and row["n"] >= min_answers and row["se_b"] <= PROMOTE_SE_B_MAX
            and row["a"] >= PROMOTE_A_MIN and row["rmsd"] <= RMSD_MAX
            and not any(f.startswith(("DIF", "not in the bank", "low discrimination")) for f in row["flags"]))


def write_patch(patch: dict, path: Path) -> None:
    """Merges into an existing calibration file: items not re-estimated keep theirs."""
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"items": {}}
    merged = {**patch, "items": {**current.get("items", {}), **patch["items"]}}
    path.write_text(json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("answers", nargs="?", type=Path, help="CSV ou JSON lines")
    parser.add_argument("--simulate", type=int, metavar="N", help="N apprenants simulés")
    parser.add_argument("--items", type=int, default=20, help="épreuves simulées")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-answers", type=int, default=200)
    parser.add_argument("--write", action="store_true",
                        help="fusionner dans item_bank/calibration.json au lieu d'afficher")
    parser.add_argument("--root", type=Path, default=ROOT / "item_bank")
    parser.add_argument("--export", metavar="DIR|s3://bucket/prefix",
                        help="lire l'export des réponses (jobs/export_answers.py)")
    parser.add_argument("--report", type=Path, default=ROOT / "out" / "calibration-report.md",
                        help="rapport des statistiques d'épreuves et du DIF (avec --export)")
    args = parser.parse_args(argv)
    if args.simulate:
        print(json.dumps(recovery(args.simulate, args.items, args.seed), indent=1))
        return 0
    if not args.answers and not args.export:
        parser.error("fichier de réponses, --export ou --simulate N attendu")
    from chalicelib.bank.loader import CALIBRATION_FILE, load_bank

    if args.export:
        patch, notes, stats, difs = analyse(read_export(args.export), load_bank(args.root),
                                            min_answers=args.min_answers)
        write_report(args.report, stats, difs, min_answers=args.min_answers, document=patch)
        if patch["promote"]:
            print(f"à promouvoir : {', '.join(patch['promote'])}", file=sys.stderr)
        for drift in patch["drift"]:
            print(f"dérive : {drift['item']} b {drift['b_bank']} -> {drift['b']}", file=sys.stderr)
        print(f"rapport : {args.report}", file=sys.stderr)
    else:
        patch, notes = calibrate(read_answers(args.answers), load_bank(args.root),
                                 min_answers=args.min_answers)
    for note in notes:
        print(note, file=sys.stderr)
    if args.write:
        write_patch(patch, args.root / CALIBRATION_FILE)
        print(f"{len(patch['items'])} épreuve(s) recalibrée(s) dans "
              f"{args.root / CALIBRATION_FILE}", file=sys.stderr)
    else:
        print(json.dumps(patch, ensure_ascii=False, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())

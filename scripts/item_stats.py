"""Item statistics for the content team, from the answer export (Markdown).

    python scripts/item_stats.py --export DIR|s3://bucket/answers/ [--out out/item-stats.md]

Per item: answers, p-value, item-rest point-biserial, distractor choice rates
(canonical proposal indices as in the item file, never the per-test ids the
client sees), median time, timeouts, focus losses; then the items to review.
Classical statistics, no model: they read straight from the answers, so the
content team can check an item even before the calibration trusts it.
Markdown tables only (matplotlib is not a dependency of the project).
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Review thresholds.
MIN_ANSWERS = 30          # below this, no flag (too few answers to judge)
UNUSED_DISTRACTOR = 0.02  # a wrong proposal chosen by fewer than 2% of answers is useless
ATTRACTIVE_DISTRACTOR = 0.8  # a wrong proposal chosen more than the solution by the strong half
TIMEOUT_RATE = 0.15
FOCUS_LOSS_RATE = 0.15


def _calibrate_module():
    spec = importlib.util.spec_from_file_location("calibrate_script", ROOT / "scripts" / "calibrate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def item_rows(records: list[dict], bank) -> list[dict]:
    """One row of statistics per answered item (neutralised answers left out)."""
    cal = _calibrate_module()
    records = [r for r in records if not r.get("neutralised")]
    data = cal.to_responses(cal.export_rows(records))
    p_value, rpb = cal.item_statistics(data)
    stats_of = {item_id: (p_value[j], rpb[j], int(data.counts()[j])) for j, item_id in enumerate(data.item_ids)}
    by_item: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_item[r["item"]].append(r)
    rows = []
    for item_id in data.item_ids:
        answers = by_item[item_id]
        item = bank.items.get(item_id)
        p, r_pb, n = stats_of[item_id]
        times = [r["time_ms"] for r in answers if r.get("time_ms") is not None]
        chosen = Counter(c for r in answers for c in r.get("choices", ()))
        choice_answers = sum(1 for r in answers if r.get("choices"))
        proposals = len(item.proposals) if item is not None and item.type.is_choice else 0
        rates = {k: chosen[k] / choice_answers for k in range(1, proposals + 1)} if choice_answers else {}
        solution = set(item.solution) if item is not None else set()
        row = {"item": item_id, "n": n, "p": float(p), "r_pb": float(r_pb),
               "rates": rates, "solution": solution,
               "median_s": statistics.median(times) / 1000 if times else None,
               "timeouts": sum(r["status"] == "timedout" for r in answers if "status" in r),
               "focus_losses": sum(bool(r.get("focus_lost")) or r.get("status") == "focusedOut" for r in answers),
               "pilot": any(r.get("pilot") for r in answers)}
        row["flags"] = flags(row)
        rows.append(row)
    return rows


def flags(row: dict) -> list[str]:
    n = row["n"]
    if n < MIN_ANSWERS:
        return []
    out = []
    if row["r_pb"] == row["r_pb"] and row["r_pb"] < 0.1:
        out.append("discriminates poorly (r_pb < 0.10)")
    if row["p"] > 0.95 or row["p"] < 0.05:
        out.append("too easy or too hard (p outside 0.05-0.95)")
    for k, rate in row["rates"].items():
        if k not in row["solution"] and rate < UNUSED_DISTRACTOR:
            out.append(f"distractor {k} almost never chosen ({rate:.0%})")
        if k not in row["solution"] and rate > max((row["rates"].get(s, 0) for s in row["solution"]), default=1):
            out.append(f"distractor {k} chosen more than the solution")
    if row["timeouts"] / n > TIMEOUT_RATE:
        out.append(f"timeouts {row['timeouts'] / n:.0%}")
    if row["focus_losses"] / n > FOCUS_LOSS_RATE:
        out.append(f"focus losses {row['focus_losses'] / n:.0%}")
    return out


def write_markdown(path: Path, rows: list[dict]) -> None:
    lines = ["# Item statistics (scripts/item_stats.py)", "",
             "p = proportion right; r_pb = item-rest point-biserial; choice rates by canonical proposal "
             "index (`*` = solution); median time in seconds.", "",
             "| item | pilot | n | p | r_pb | choice rates | median s | timeouts | focus losses | flags |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rates = " ".join(f"{k}{'*' if k in r['solution'] else ''}:{v:.0%}" for k, v in sorted(r["rates"].items()))
        median = "" if r["median_s"] is None else f"{r['median_s']:.1f}"
        r_pb = "" if r["r_pb"] != r["r_pb"] else f"{r['r_pb']:.2f}"
        lines.append(f"| {r['item']} | {'yes' if r['pilot'] else ''} | {r['n']} | {r['p']:.2f} | {r_pb} | {rates} | "
                     f"{median} | {r['timeouts']} | {r['focus_losses']} | {', '.join(r['flags'])} |")
    review = [r for r in rows if r["flags"]]
    lines += ["", f"## To review ({len(review)})", ""]
    lines += [f"- {r['item']}: {'; '.join(r['flags'])}" for r in review] or ["None."]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--export", required=True, metavar="DIR|s3://bucket/prefix")
    parser.add_argument("--root", type=Path, default=ROOT / "item_bank")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "item-stats.md")
    args = parser.parse_args(argv)
    from chalicelib.bank.loader import load_bank

    rows = item_rows(_calibrate_module().read_export(args.export), load_bank(args.root))
    write_markdown(args.out, rows)
    print(f"{len(rows)} épreuve(s), {sum(bool(r['flags']) for r in rows)} à revoir : {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

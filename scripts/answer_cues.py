"""How far blind strategies get on the choice items, as a candidate sees them.

A simulated candidate answers every served QCU/QCM of the bank, in many
simulated tests (each with its own test id, hence its own opaque ids and
order, exactly as positioning and certification serve them: both build the
view with `candidate_view` and `ChoiceIds`), without reading the question:

- first shown:   always the first proposal on screen (QCM: the first k shown,
                 k = number of keys, the best blind guess of the set size);
- first id:      the alphabetically smallest id (QCM: the k smallest);
- id 1:          the old attack, answering the file index 1 (now refused);
- longest:       the longest proposal text (QCU only; a content cue the ids
                 cannot hide, which the bank lint measures).

Chance is the mean of 1/n over QCU (n proposals) and 1/C(n, k) over QCM.
Run: `.venv/bin/python scripts/answer_cues.py [--tests 40]`; figures in
docs/items.md.
"""
from __future__ import annotations

import argparse
import sys
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.bank.loader import load_bank  # noqa: E402
from chalicelib.domain.candidate_view import candidate_view  # noqa: E402
from chalicelib.domain.choice_ids import ChoiceIds  # noqa: E402
from chalicelib.domain.errors import InvalidInput  # noqa: E402
from chalicelib.domain.items import Item, ItemBank, ItemType  # noqa: E402
from chalicelib.domain.matching import check_answer  # noqa: E402

KEY = b"simulation-key-not-the-server-one"


def _succeeds(item: Item, choice_ids: ChoiceIds, picked: list[str]) -> bool:
    payload = {"choice": picked[0]} if item.type is ItemType.QCU else {"choices": picked}
    try:
        return check_answer(item, choice_ids.canonical_answer(item, payload)).is_success
    except InvalidInput:  # refused: a 400, never a point
        return False


def measure(bank: ItemBank, tests: int = 40, key: bytes = KEY) -> dict:
    """Success rates (0-1) of each blind strategy, and chance, per item type."""
    out: dict = {}
    for kind in (ItemType.QCU, ItemType.QCM):
        items = [i for i in bank.served_items() if i.type is kind]
        wins = {"first_shown": 0, "first_id": 0, "id_1": 0, "longest": 0}
        trials, chance = 0, 0.0
        for item in items:
            k = len(item.solution)
            chance += tests / (len(item.proposals) if kind is ItemType.QCU
                               else comb(len(item.proposals), k))
            for t in range(tests):
                choice_ids = ChoiceIds(key, f"sim-{t}")
                view = candidate_view(item, choice_ids)
                shown = [p["id"] for p in view["proposals"]]
                trials += 1
                wins["first_shown"] += _succeeds(item, choice_ids, shown[:k])
                wins["first_id"] += _succeeds(item, choice_ids, sorted(shown)[:k])
                try:
                    wins["id_1"] += check_answer(item, choice_ids.canonical_answer(
                        item, {"choice": 1} if kind is ItemType.QCU else {"choices": [1]})).is_success
                except InvalidInput:
                    pass
                if kind is ItemType.QCU:
                    longest = max(view["proposals"], key=lambda p: len(p["text"]))
                    wins["longest"] += _succeeds(item, choice_ids, [longest["id"]])
        out[kind.value] = {"items": len(items), "trials": trials,
                           "chance": chance / trials if trials else 0.0,
                           **{name: (n / trials if trials else 0.0) for name, n in wins.items()}}
    return out


def report(figures: dict) -> str:
    lines = [f"{'type':<5}{'items':>7}{'essais':>8}{'hasard':>8}{'1er affiché':>13}"
             f"{'1er id':>8}{'id 1':>6}{'plus long':>11}"]
    for kind, f in figures.items():
        longest = f"{f['longest']:.1%}" if kind == "QCU" else "-"
        lines.append(f"{kind:<5}{f['items']:>7}{f['trials']:>8}{f['chance']:>8.1%}"
                     f"{f['first_shown']:>13.1%}{f['first_id']:>8.1%}{f['id_1']:>6.1%}{longest:>11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=40, help="tests simulés par épreuve")
    args = parser.parse_args(argv)
    print(report(measure(load_bank(trust_stamp=False), args.tests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

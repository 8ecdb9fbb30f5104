"""`make bank-report`: what the item bank holds, and where it falls short.

Counts validated items per competence × level and × type, tubes per
competence, the share of free-answer items, and flags every gap against the
content targets below; then runs the bank lint (scripts/bank_lint.py: key
position, longest option per competence and level, absolute words, near
duplicates, free answers shown by another item, rendering,
freshness) and prints its figures. Exit code 0: no gap and a clean lint; 1:
gaps or lint failures; 2: the bank does not load (its problems are printed). `--stamp` also records the validation
digest so that cold starts skip JSON Schema validation (see the loader).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib.bank.loader import BankError, load_bank, write_validation_stamp  # noqa: E402
from chalicelib.domain.framework import COMPETENCES  # noqa: E402
from chalicelib.domain.items import ItemBank, ItemType  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bank_lint  # noqa: E402

MIN_ITEMS_PER_COMPETENCE = 30
MIN_ITEMS_PER_LEVEL = 3          # for levels 1..6
CORE_LEVELS = range(1, 7)
HIGH_LEVELS = (7, 8)             # "some" items: at least one each
MIN_TUBES_PER_COMPETENCE = 4
MIN_FREE_ANSWER_SHARE = 0.15
EASY_TUBE_MAX_LEVEL = 3
TYPES = [t.value for t in ItemType]
FREE_TYPES = [t.value for t in ItemType if not t.is_choice]


def gaps(bank: ItemBank) -> list[str]:
    """Every shortfall against the targets, one French line each."""
    items = bank.served_items()
    out: list[str] = []
    for comp in COMPETENCES:
        mine = [i for i in items if i.competence == comp.code]
        if not mine:
            out.append(f"{comp.code} : aucune épreuve validée")
            continue
        if len(mine) < MIN_ITEMS_PER_COMPETENCE:
            out.append(f"{comp.code} : {len(mine)} épreuves validées "
                       f"(objectif ≥ {MIN_ITEMS_PER_COMPETENCE})")
        levels = Counter(i.level for i in mine)
        for level in CORE_LEVELS:
            if levels[level] < MIN_ITEMS_PER_LEVEL:
                out.append(f"{comp.code} : {levels[level]} épreuve(s) de niveau {level} "
                           f"(objectif ≥ {MIN_ITEMS_PER_LEVEL})")
        for level in HIGH_LEVELS:
            if not levels[level]:
                out.append(f"{comp.code} : aucune épreuve de niveau {level}")
        tubes = bank.tubes.get(comp.code, {})
        if len(tubes) < MIN_TUBES_PER_COMPETENCE:
            out.append(f"{comp.code} : {len(tubes)} tube(s) (objectif ≥ {MIN_TUBES_PER_COMPETENCE})")
        if not any(max(levels_) <= EASY_TUBE_MAX_LEVEL for levels_ in tubes.values()):
            out.append(f"{comp.code} : pas de tube facile (niveau max ≤ {EASY_TUBE_MAX_LEVEL}), "
                       "nécessaire à la première question du positionnement")
    used = {i.type.value for i in items}
    for kind in TYPES:
        if kind not in used:
            out.append(f"type {kind} jamais utilisé")
    share = _free_share(items)
    if share < MIN_FREE_ANSWER_SHARE:
        out.append(f"réponses libres : {share:.0%} des épreuves (objectif ≥ {MIN_FREE_ANSWER_SHARE:.0%})")
    return out


def _free_share(items) -> float:
    return sum(i.type.value in FREE_TYPES for i in items) / len(items) if items else 0.0


def report(bank: ItemBank) -> str:
    items = bank.served_items()
    head = f"{'comp.':<6}" + "".join(f"{f'N{lv}':>5}" for lv in range(1, 9)) \
        + "".join(f"{t:>10}" for t in TYPES) + f"{'tubes':>7}{'libre':>7}{'total':>7}"
    lines = [f"Banque {bank.version} : {len(items)} épreuves validées "
             f"({len(bank.items) - len(items)} brouillons ou retirées), {len(bank.skills)} acquis",
             "", head]
    for comp in COMPETENCES:
        mine = [i for i in items if i.competence == comp.code]
        levels, types = Counter(i.level for i in mine), Counter(i.type.value for i in mine)
        lines.append(f"{comp.code:<6}" + "".join(f"{levels[lv]:>5}" for lv in range(1, 9))
                     + "".join(f"{types[t]:>10}" for t in TYPES)
                     + f"{len(bank.tubes.get(comp.code, {})):>7}"
                     + f"{_free_share(mine):>7.0%}{len(mine):>7}")
    levels, types = Counter(i.level for i in items), Counter(i.type.value for i in items)
    lines.append(f"{'total':<6}" + "".join(f"{levels[lv]:>5}" for lv in range(1, 9))
                 + "".join(f"{types[t]:>10}" for t in TYPES)
                 + f"{sum(len(t) for t in bank.tubes.values()):>7}"
                 + f"{_free_share(items):>7.0%}{len(items):>7}")
    lines += ["", "Tubes (niveaux couverts) :"]
    for code, tubes in sorted(bank.tubes.items()):
        listed = ", ".join(f"{name} {min(lv)}-{max(lv)}" for name, lv in tubes.items())
        lines.append(f"  {code} : {listed}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=None, help="dossier item_bank")
    parser.add_argument("--stamp", action="store_true",
                        help="valider entièrement puis écrire item_bank/.validated")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="date du jour pour les dates de révision (AAAA-MM-JJ)")
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.root, trust_stamp=False)
        if args.stamp:
            print(f"Empreinte de validation écrite : {write_validation_stamp(args.root)[:12]}…")
    except BankError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(report(bank))
    found = gaps(bank)
    print()
    if found:
        print(f"ÉCARTS AUX OBJECTIFS ({len(found)}) :")
        print("\n".join(f"  ! {g}" for g in found))
    else:
        print("Aucun écart aux objectifs.")
    checked = bank_lint.lint(bank, args.root, args.today)
    print("\nContrôle de la banque (bank_lint) :")
    print("\n".join(checked.figures))
    print()
    if checked.failures:
        summary = ", ".join(f"{rule} : {n}" for rule, n in bank_lint.by_rule(checked.failures).items())
        print(f"CONTRÔLE EN ÉCHEC ({len(checked.failures)} : {summary}) :")
        print("\n".join(f"  ! {f}" for f in checked.failures))
    else:
        print("Contrôle de la banque : aucun problème.")
    return 1 if found or checked.failures else 0


if __name__ == "__main__":
    sys.exit(main())

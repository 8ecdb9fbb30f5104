"""Checks on the item bank that JSON Schema cannot express.

The schema checks shapes; these check meaning across fields and files (a QCU
with one solution that points at an existing proposal, ids unique in the whole
bank, number solutions that parse...). Every problem names the file, the item
and the field, so an author fixes a 1,000-item bank in one pass: problems are
collected, never raised one at a time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from chalicelib.domain.items import ALL_TOLERANCES, Field
from chalicelib.domain.matching import canonical, clean, normalise

CHOICE_TYPES = ("QCU", "QCM")
FREE_TYPES = ("QROC", "QROCM-ind", "QROCM-dep")


@dataclass
class Problems:
    """Problems found so far, formatted for the author of the file."""

    messages: list[str] = field(default_factory=list)

    def add(self, file: str, message: str, *, item: str | None = None,
            field_path: str | None = None) -> None:
        where = [file]
        if item:
            where.append(f"épreuve « {item} »")
        if field_path:
            where.append(f"champ « {field_path} »")
        self.messages.append(f"{', '.join(where)} : {message}")

    def __bool__(self) -> bool:
        return bool(self.messages)


@dataclass
class BankIndex:
    """Names already used in the bank, to report duplicates across files."""

    item_files: dict[str, str] = field(default_factory=dict)
    tube_files: dict[str, str] = field(default_factory=dict)


def check_file(file: str, data: dict, index: BankIndex, problems: Problems,
               valid_items: set[tuple[int, int]]) -> None:
    """Cross-field checks of one schema-checked competence file.

    `valid_items` holds the (tube, item) positions without schema errors:
    only those get item-level checks (the others may lack the fields read).
    """
    stem = file.rsplit("/", 1)[-1].removesuffix(".yaml")
    competence = data.get("competence")
    if isinstance(competence, str) and competence != stem:
        problems.add(file, f"le fichier de la compétence {competence} doit s'appeler "
                           f"{competence}.yaml", field_path="competence")
    for t, tube in enumerate(_as_list(data.get("tubes"))):
        if not isinstance(tube, dict):
            continue
        name = tube.get("name")
        if isinstance(name, str):
            if name in index.tube_files:
                problems.add(file, f"tube {name} déjà défini dans {index.tube_files[name]}",
                             field_path=f"tubes[{t}].name")
            else:
                index.tube_files[name] = file
        for i, item in enumerate(_as_list(tube.get("items"))):
            if not isinstance(item, dict):
                continue
            item_id = item.get("id")
            if isinstance(item_id, str):
                if item_id in index.item_files:
                    problems.add(file, f"identifiant déjà utilisé dans "
                                       f"{index.item_files[item_id]}", item=item_id, field_path="id")
                else:
                    index.item_files[item_id] = file
            if (t, i) in valid_items:
                check_item(file, item, problems)


# A pilot item is served unscored and must look like any other: its id (sent
# to the client) must not give it away.
PILOT_HINT = re.compile(r"pilot|essai|beta|trial|field", re.IGNORECASE)


def check_item(file: str, item: dict, problems: Problems) -> None:
    def add(field_path: str, message: str) -> None:
        problems.add(file, message, item=item["id"], field_path=field_path)

    kind = item["type"]
    for key in ("instruction", "tutorial"):
        if not item[key].strip():
            add(key, "texte vide")
    locales = item.get("locales", ["fr-fr"])
    if "fr-fr" not in locales:
        add("locales", "toute épreuve existe en fr-fr")
    if len(set(locales)) != len(locales):
        add("locales", "langue répétée")
    if item.get("shuffle") and kind in FREE_TYPES:
        add("shuffle", f"le mélange ne concerne que les QCU/QCM, pas les {kind}")
    if "expected_correct" in item and kind != "QROCM-dep":
        add("expected_correct", "réservé aux QROCM-dep")
    if item["id"] in item.get("enemies", []):
        add("enemies", "une épreuve ne peut pas être son propre ennemi")
    if item.get("status") == "pilot" and PILOT_HINT.search(item["id"]):
        add("id", "l'identifiant d'une épreuve pilote est montré au candidat : "
                  "il ne doit pas la trahir (pilot, essai, beta, trial, field)")
    if kind in CHOICE_TYPES:
        _check_choices(item, add)
    else:
        _check_fields(item, add)


def _check_choices(item: dict, add) -> None:
    proposals, solution = item["proposals"], item["solution"]
    if item["type"] == "QCU" and len(solution) != 1:
        add("solution", "une QCU a exactement une bonne réponse")
    if item["type"] == "QCM" and len(set(solution)) < 2:
        add("solution", "une QCM a au moins deux bonnes réponses (sinon, c'est une QCU)")
    if len(set(solution)) != len(solution):
        add("solution", "numéro de proposition répété")
    for k, index in enumerate(solution):
        if index > len(proposals):
            add(f"solution[{k}]", f"la proposition {index} n'existe pas "
                                  f"(il y en a {len(proposals)})")
    seen: dict[str, int] = {}
    for k, text in enumerate(proposals, start=1):
        # Punctuation matters in proposals ("jaguar -voiture" vs "jaguar voiture"):
        # only case and spacing are ignored here.
        norm = " ".join(normalise(text, ()).casefold().split())
        if norm in seen:
            add(f"proposals[{k - 1}]", f"identique à la proposition {seen[norm]}")
        seen.setdefault(norm, k)


def _check_fields(item: dict, add) -> None:
    tolerances = item.get("tolerances", ALL_TOLERANCES)
    fields = item["fields"]
    keys = [f["key"] for f in fields]
    for key in {k for k in keys if keys.count(k) > 1}:
        add("fields", f"clé de champ répétée : {key}")
    for n, f in enumerate(fields):
        kind = f.get("kind", "text")
        if "unit" in f and kind != "number":
            add(f"fields[{n}].unit", "une unité ne s'emploie qu'avec un champ number")
        for list_name in ("solutions", "wrong", "accept", "reject"):
            for k, value in enumerate(f.get(list_name, [])):
                _check_value(f"fields[{n}].{list_name}[{k}]", value, kind, tolerances, add,
                             unit=f.get("unit"))
    if item["type"] == "QROCM-dep":
        _check_groups(item, fields, tolerances, add)


def _check_groups(item: dict, fields: list[dict], tolerances, add) -> None:
    kinds = {f.get("kind", "text") for f in fields}
    if len(kinds) > 1:
        add("fields", "les champs d'une QROCM-dep sont tous du même type")
    kind = kinds.pop() if len(kinds) == 1 else "text"
    groups = item["groups"]
    expected = item.get("expected_correct", len(fields))
    if expected > len(fields):
        add("expected_correct", f"{expected} réponses attendues pour {len(fields)} champs")
    if len(groups) < expected:
        add("groups", f"{len(groups)} groupe(s) pour {expected} réponses attendues")
    owner: dict[str, int] = {}
    for g, group in enumerate(groups):
        for k, value in enumerate(group):
            path = f"groups[{g}][{k}]"
            _check_value(path, value, kind, tolerances, add)
            norm = (repr(canonical(Field("x", "x", kind), str(value))) if kind != "text"
                    else normalise(clean(str(value)), tolerances))
            if norm in owner and owner[norm] != g:
                add(path, f"« {value} » figure aussi dans le groupe {owner[norm] + 1} : "
                          "une même réponse validerait deux groupes")
            owner.setdefault(norm, g)


def _check_value(path: str, value, kind: str, tolerances, add, unit: str | None = None) -> None:
    """Solutions and wrong answers must parse; reviewer examples are free
    text (a reject example may well be unparsable: that is the point)."""
    if path.rsplit(".", 1)[-1].startswith(("accept", "reject")):
        return
    if kind != "text":
        if canonical(Field("x", "x", kind, unit=unit), str(value)) is None:
            add(path, f"« {value} » n'est pas lisible comme valeur de type {kind}")
    elif not normalise(clean(str(value)), tolerances):
        add(path, f"« {value} » est vide une fois normalisé ({', '.join(tolerances) or 'aucune tolérance'})")


def _as_list(value) -> list:
    """A corrupted file may hold anything where a list belongs: the schema
    reports it; the cross-field checks just skip it instead of crashing."""
    return value if isinstance(value, list) else []

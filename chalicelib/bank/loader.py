"""Loads `item_bank/` into an immutable `ItemBank`, once per cold start.

The bank ships inside the Lambda package: reading it from disk at cold start
costs a few tens of milliseconds and no network call, and every answer records
`ItemBank.version`, so what was asked and checked is always reproducible.

A bank with any problem does not load at all (`BankError` lists every problem
with file, item and field): serving half a bank would silently bias
positioning and certification. Format: docs/item-format.md.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from chalicelib.bank import assets
from chalicelib.bank.checks import BankIndex, Problems, check_file
from chalicelib.domain import framework
from chalicelib.domain.items import (
    ALL_TOLERANCES, PRIOR_DIFFICULTY_BY_LEVEL, PRIOR_DISCRIMINATION, Calibration, Field,
    Item, ItemBank, ItemFile, ItemStatus, ItemType, Skill,
)

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "item_bank"
CALIBRATION_FILE = "calibration.json"
STAMP_FILE = ".validated"

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BankError(Exception):
    """The bank cannot be served; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problème(s) dans la banque d'épreuves :\n"
                         + "\n".join(f"- {e}" for e in self.errors))


class _StrictLoader(_BaseLoader):
    """Safe YAML that refuses duplicate keys (plain PyYAML keeps the last one,
    so a second `solution:` would silently replace the first)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"clé « {key} » répétée", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)


@functools.lru_cache(maxsize=1)
def get_bank() -> ItemBank:
    """The bank of this deployment, loaded on first use (cold start) only."""
    return load_bank()


def load_bank(root: Path | None = None, *, trust_stamp: bool = True) -> ItemBank:
    """Reads, checks and indexes the bank in `root` (default: the packaged one).

    JSON Schema validation is the slow part (~0.4 ms an item with jsonschema);
    it is skipped only when `trust_stamp` and `root/.validated` holds the
    digest of exactly these files, written by `write_validation_stamp` after a
    full validation. Cross-field checks always run (a few µs an item).
    """
    root = Path(root) if root is not None else DEFAULT_ROOT
    problems = Problems()
    version = _read_version(root, problems)
    schema = _read_json(root / "schema.json")
    skip_schema = trust_stamp and _stamp(root) == bank_digest(root)
    validator = None if skip_schema else _validator(schema)
    index = BankIndex()
    raw: list[tuple[str, dict]] = []
    for path in sorted((root / "competences").glob("*.yaml")):
        name = f"competences/{path.name}"
        data = _read_yaml(path, name, problems)
        if data is None:
            continue
        valid_items = (_all_items(data) if skip_schema
                       else _schema_check(validator, name, data, problems))
        check_file(name, data, index, problems, valid_items)
        raw.append((name, data))
    for name, data in raw:
        for it in _raw_items(data):
            enemies = it.get("enemies")
            for k, other in enumerate(enemies if isinstance(enemies, list) else []):
                if isinstance(other, str) and other not in index.item_files:
                    problems.add(name, f"épreuve ennemie « {other} » absente de la banque",
                                 item=it.get("id"), field_path=f"enemies[{k}]")
    files = _item_files(root, raw, problems)
    overrides = _read_calibration(root, set(index.item_files),
                                  None if skip_schema else schema, problems)
    if problems:
        raise BankError(problems.messages)
    items = [_build_item(data["competence"], tube["name"], it, overrides, files)
             for _, data in raw for tube in data["tubes"] for it in tube["items"]]
    return _index(version, items)


FILE_ROLES = (("illustration", "alt"), ("attachment", "title"))


def _raw_items(data: dict):
    """The item mappings of a file as read, whatever its shape: these passes
    run before the bank is known to be valid and must report, not crash."""
    tubes = data.get("tubes")
    for tube in tubes if isinstance(tubes, list) else []:
        items = tube.get("items") if isinstance(tube, dict) else None
        for it in items if isinstance(items, list) else []:
            if isinstance(it, dict):
                yield it


def _item_files(root: Path, raw: list[tuple[str, dict]],
                problems: Problems) -> dict[tuple[str, str], ItemFile]:
    """Checks every illustration and attachment (chalicelib/bank/assets.py)
    on every item, whatever its status: a draft's broken file is found
    before the draft is validated. Keyed by (item id, role)."""
    out: dict[tuple[str, str], ItemFile] = {}
    for name, data in raw:
        for it in _raw_items(data):
            for role, text_key in FILE_ROLES:
                spec = it.get(role)
                if not isinstance(spec, dict) or not isinstance(spec.get("file"), str):
                    continue  # absent, or already reported by the schema
                found, file_errors, text_errors = assets.load_item_file(
                    root, spec["file"], role, str(spec.get(text_key) or ""))
                for error in file_errors:
                    problems.add(name, error, item=it.get("id"), field_path=f"{role}.file")
                for error in text_errors:
                    problems.add(name, error, item=it.get("id"), field_path=f"{role}.{text_key}")
                if found is not None:
                    out[(str(it.get("id")), role)] = found
    total = sum(f.size for f in {f.name: f for f in out.values()}.values())
    if total > assets.MAX_TOTAL_BYTES:
        problems.add("assets", f"fichiers des épreuves trop lourds : {total} octets "
                               f"(au plus {assets.MAX_TOTAL_BYTES})")
    return out


def bank_digest(root: Path | None = None) -> str:
    """SHA-256 of every file the loader reads, names included."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    digest = hashlib.sha256()
    paths = [root / "VERSION", root / "schema.json", root / CALIBRATION_FILE,
             *sorted((root / "competences").glob("*.yaml")),
             *sorted(p for p in (root / assets.ASSET_DIR).rglob("*") if p.is_file())]
    for path in paths:
        if path.exists():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def write_validation_stamp(root: Path | None = None) -> str:
    """Validates the bank fully, then records its digest in `root/.validated`.

    Run at packaging time (and by scripts/bank_report.py --stamp) so that cold
    starts skip JSON Schema validation; raises `BankError` like `load_bank`.
    """
    root = Path(root) if root is not None else DEFAULT_ROOT
    load_bank(root, trust_stamp=False)
    digest = bank_digest(root)
    (root / STAMP_FILE).write_text(digest + "\n", encoding="utf-8")
    return digest


def _stamp(root: Path) -> str | None:
    try:
        return (root / STAMP_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


# ---------------------------------------------------------------------- reading

def _read_version(root: Path, problems: Problems) -> str:
    try:
        version = (root / "VERSION").read_text(encoding="utf-8").strip()
    except OSError as exc:
        problems.add("VERSION", f"illisible ({exc.strerror or exc})")
        return ""
    if not version:
        problems.add("VERSION", "vide")
    return version


def _validator(schema: dict):
    """Imported here: jsonschema takes ~100 ms to import, a cold start with a
    valid stamp does not need it."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _read_yaml(path: Path, name: str, problems: Problems) -> dict | None:
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=_StrictLoader)  # noqa: S506 - safe loader subclass
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.add(name, f"YAML illisible : {exc}")
        return None
    if not isinstance(data, dict):
        problems.add(name, "le fichier doit contenir un objet (competence, tubes)")
        return None
    return data


def _schema_check(validator, name: str, data: dict,
                  problems: Problems) -> set[tuple[int, int]]:
    """Reports schema errors; returns the positions of items without any."""
    bad: set[tuple[int, int]] = set()
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = list(error.absolute_path)
        item_id, field_path = None, _path_text(path)
        if len(path) >= 4 and path[0] == "tubes" and path[2] == "items":
            bad.add((path[1], path[3]))
            item = data["tubes"][path[1]]["items"][path[3]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                item_id = item["id"]
                field_path = _path_text(path[4:]) or None
        named = _named_fields(error)
        if named:  # errors on the item itself: name the offending fields
            field_path = ".".join(filter(None, [field_path, ", ".join(named)]))
        problems.add(name, _schema_message(error), item=item_id, field_path=field_path)
    tubes = data.get("tubes") if isinstance(data.get("tubes"), list) else []
    return {(t, i) for t, tube in enumerate(tubes)
            if isinstance(tube, dict) and isinstance(tube.get("items"), list)
            for i in range(len(tube["items"])) if (t, i) not in bad}


def _all_items(data: dict) -> set[tuple[int, int]]:
    return {(t, i) for t, tube in enumerate(data["tubes"]) for i in range(len(tube["items"]))}


def _path_text(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _named_fields(error) -> list[str]:
    """The keys a `required`, `additionalProperties` or `not` error is about."""
    v, value, inst = error.validator, error.validator_value, error.instance
    if not isinstance(inst, dict):
        return []
    if v == "required":
        return [p for p in value if p not in inst]
    if v == "additionalProperties":
        return sorted(k for k in inst if k not in error.schema.get("properties", {}))
    if v == "not":
        # The schema's `not` forbids the keys of the other family of types.
        return [k for k in _required_in(value) if k in inst]
    return []


def _required_in(schema) -> list[str]:
    if isinstance(schema, dict):
        found = list(schema.get("required", []))
        for sub in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
            found += _required_in(sub)
        return found
    return []


def _schema_message(error) -> str:
    """A short French message; jsonschema's own would print the whole item."""
    v, value, inst = error.validator, error.validator_value, error.instance
    named = ", ".join(_named_fields(error))
    if v == "required":
        return f"champ(s) obligatoire(s) manquant(s) : {named}"
    if v == "additionalProperties":
        return f"champ(s) inconnu(s) : {named}"
    if v == "not":
        kind = inst.get("type") if isinstance(inst, dict) else None
        return (f"champ(s) incompatible(s) avec le type {kind} : {named}"
                if kind else f"champ(s) interdit(s) ici : {named}")
    messages = {
        "type": f"type attendu : {value}, reçu {inst!r}",
        "enum": f"valeur {inst!r} non autorisée (valeurs possibles : {value})",
        "const": f"valeur attendue : {value!r}",
        "pattern": f"format invalide : {inst!r} (attendu : {value})",
        "minimum": f"{inst!r} est inférieur au minimum {value}",
        "maximum": f"{inst!r} dépasse le maximum {value}",
        "exclusiveMinimum": f"{inst!r} doit être strictement supérieur à {value}",
        "minItems": f"au moins {value} élément(s) attendu(s)",
        "maxItems": f"au plus {value} élément(s) attendu(s)",
        "minLength": "texte vide",
        "maxLength": f"texte trop long (au plus {value} caractères)",
        "uniqueItems": "valeurs répétées",
    }
    return messages.get(v, error.message[:300])


def _read_calibration(root: Path, item_ids: set[str], schema: dict | None,
                      problems: Problems) -> dict[str, Calibration]:
    """`calibration.json`, written by scripts/calibrate.py, if present.

    Entries are checked against the item schema's `calibration` unless
    `schema` is None (bytes already validated, see the stamp)."""
    path = root / CALIBRATION_FILE
    if not path.exists():
        return {}
    try:
        data = _read_json(path)
    except (OSError, ValueError) as exc:
        problems.add(CALIBRATION_FILE, f"JSON illisible : {exc}")
        return {}
    entries = data.get("items") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        problems.add(CALIBRATION_FILE, "objet « items » attendu (identifiant -> {a, b, n})")
        return {}
    check = _validator(schema["$defs"]["item"]["properties"]["calibration"]) if schema else None
    out: dict[str, Calibration] = {}
    for item_id, entry in entries.items():
        if item_id not in item_ids:
            problems.add(CALIBRATION_FILE, "épreuve absente de la banque "
                                           "(retirer l'entrée ou passer l'épreuve en retired)",
                         item=item_id)
            continue
        errors = list(check.iter_errors(entry)) if check else []
        for error in errors:
            problems.add(CALIBRATION_FILE, _schema_message(error), item=item_id,
                         field_path=_path_text(list(error.absolute_path)) or "calibration")
        if not errors:
            out[item_id] = Calibration(float(entry["a"]), float(entry["b"]), int(entry.get("n", 0)))
    return out


# --------------------------------------------------------------------- building

def _build_item(competence: str, tube: str, raw: dict,
                overrides: dict[str, Calibration],
                files: dict[tuple[str, str], ItemFile]) -> Item:
    kind = ItemType(raw["type"])
    level = raw["level"]
    calibration = overrides.get(raw["id"])
    if calibration is None and "calibration" in raw:
        c = raw["calibration"]
        calibration = Calibration(float(c["a"]), float(c["b"]), int(c.get("n", 0)))
    if calibration is None:
        calibration = Calibration(PRIOR_DISCRIMINATION, PRIOR_DIFFICULTY_BY_LEVEL[level], 0)
    return Item(
        id=raw["id"], competence=competence, tube=tube, level=level, type=kind,
        instruction=raw["instruction"], tutorial=raw["tutorial"], calibration=calibration,
        status=ItemStatus(raw.get("status", "validated")),
        locales=tuple(raw.get("locales", ("fr-fr",))),
        proposals=tuple(raw.get("proposals", ())),
        solution=frozenset(raw.get("solution", ())),
        fields=tuple(Field(key=f["key"], label=f["label"], kind=f.get("kind", "text"),
                           solutions=tuple(str(s) for s in f.get("solutions", ())),
                           unit=f.get("unit"),
                           wrong=tuple(str(s) for s in f.get("wrong", ())),
                           accept=tuple(str(s) for s in f.get("accept", ())),
                           reject=tuple(str(s) for s in f.get("reject", ())))
                     for f in raw.get("fields", ())),
        groups=tuple(tuple(str(v) for v in g) for g in raw.get("groups", ())),
        expected_correct=(raw.get("expected_correct", len(raw["fields"]))
                          if kind is ItemType.QROCM_DEP else None),
        tolerances=frozenset(raw.get("tolerances", ALL_TOLERANCES)),
        timer=raw.get("timer"), focused=raw.get("focused", False),
        shuffle=raw.get("shuffle", kind.is_choice) and kind.is_choice,
        accessible=raw.get("accessible", True),
        illustration_alt=raw.get("illustration_alt"),
        illustration=files.get((raw["id"], "illustration")),
        attachment=files.get((raw["id"], "attachment")),
        enemies=frozenset(raw.get("enemies", ())),
    )


def _symmetric_enemies(items: list[Item]) -> list[Item]:
    """Declaring one side of an enemy pair is enough: both items get it."""
    enemies: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for other in item.enemies:
            enemies[item.id].add(other)
            enemies[other].add(item.id)
    return [dataclasses.replace(i, enemies=frozenset(enemies[i.id])) if enemies[i.id] != i.enemies else i
            for i in items]


def _index(version: str, items: list[Item]) -> ItemBank:
    """Skills and tubes from validated items only: a draft skill must not
    change the pix value of the real ones."""
    items = _symmetric_enemies(items)
    by_skill: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.status is ItemStatus.VALIDATED:
            by_skill[item.skill].append(item)
    per_level: dict[tuple[str, int], int] = defaultdict(int)
    for members in by_skill.values():
        per_level[(members[0].competence, members[0].level)] += 1
    skills: dict[str, Skill] = {}
    tubes: dict[str, dict[str, dict[int, str]]] = {}
    for name, members in by_skill.items():
        first = members[0]
        skills[name] = Skill(
            name=name, competence=first.competence, tube=first.tube, level=first.level,
            pix_value=framework.skill_pix_value(per_level[(first.competence, first.level)]),
            item_ids=tuple(i.id for i in members))
        tubes.setdefault(first.competence, {}).setdefault(first.tube, {})[first.level] = name
    for competence in tubes.values():
        for tube, levels in competence.items():
            competence[tube] = dict(sorted(levels.items()))
    files = {f.name: f for i in items if i.status is ItemStatus.VALIDATED
             for f in (i.illustration, i.attachment) if f is not None}
    return ItemBank(version=version, items={i.id: i for i in items}, skills=skills, tubes=tubes,
                    files=files)

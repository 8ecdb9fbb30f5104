"""Item bank loader: a good bank loads, every kind of bad bank is reported
with its file, item and field, all problems at once."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import yaml

from chalicelib.bank import loader
from chalicelib.bank.loader import BankError, get_bank, load_bank, write_validation_stamp
from chalicelib.domain.framework import skill_pix_value
from chalicelib.domain.items import (
    ALL_TOLERANCES, PRIOR_DIFFICULTY_BY_LEVEL, PRIOR_DISCRIMINATION, ItemStatus, ItemType,
)

REAL_ROOT = loader.DEFAULT_ROOT


def qcu(item_id: str, level: int, **kw) -> dict:
    return {"id": item_id, "level": level, "type": "QCU", "instruction": "Quelle réponse ?",
            "proposals": ["Oui", "Non", "Peut-être"], "solution": [1], "tutorial": "Parce que.",
            **kw}


def tiny_bank() -> dict[str, dict]:
    """Two competences; level 1 of 1.1 has two skills, level 2 three."""
    return {
        "1.1": {"competence": "1.1", "tubes": [
            {"name": "@moteur", "title": "Moteurs", "items": [
                qcu("c11-moteur-1a", 1),
                {"id": "c11-moteur-2a", "level": 2, "type": "QCM", "instruction": "Lesquels ?",
                 "proposals": ["A", "B", "C"], "solution": [1, 3], "tutorial": "T",
                 "calibration": {"a": 0.9, "b": -0.2, "n": 350}},
                {"id": "c11-moteur-3a", "level": 3, "type": "QROC", "instruction": "Nom ?",
                 "fields": [{"key": "nom", "label": "Nom :", "solutions": ["Qwant", "Ecosia"]}],
                 "tolerances": ["t1"], "tutorial": "T", "timer": 60, "focused": True},
                qcu("c11-moteur-4a", 4, status="draft"),
            ]},
            {"name": "@adresse", "title": "Adresses", "items": [
                qcu("c11-adresse-1a", 1, shuffle=False, locales=["fr-fr", "en"]),
                {"id": "c11-adresse-2a", "level": 2, "type": "QROCM-ind", "instruction": "Complétez",
                 "fields": [{"key": "proto", "label": "Protocole", "solutions": ["https"]},
                            {"key": "port", "label": "Port", "kind": "number", "solutions": [443]}],
                 "tutorial": "T"},
            ]},
            {"name": "@veille", "title": "Veille", "items": [
                {"id": "c11-veille-2a", "level": 2, "type": "QROCM-dep", "instruction": "Deux outils",
                 "fields": [{"key": "a", "label": "Outil 1"}, {"key": "b", "label": "Outil 2"}],
                 "groups": [["RSS", "flux RSS"], ["alerte", "Google Alerts"], ["newsletter"]],
                 "tutorial": "T"},
            ]},
            {"name": "@brouillon", "title": "Brouillons", "items": [
                qcu("c11-brouillon-2a", 2, status="retired")]},
        ]},
        "2.1": {"competence": "2.1", "tubes": [
            {"name": "@courriel", "title": "Courriel", "items": [
                qcu("c21-courriel-2a", 2), qcu("c21-courriel-2b", 2)]},
        ]},
    }


def write_bank(root: Path, files: dict[str, dict | str], version: str = "2099.1.0") -> Path:
    (root / "competences").mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL_ROOT / "schema.json", root / "schema.json")
    (root / "VERSION").write_text(version + "\n", encoding="utf-8")
    for name, content in files.items():
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True,
                                                                        sort_keys=False)
        (root / "competences" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(BankError) as info:
        load_bank(root)
    assert str(info.value).count("\n- ") == len(info.value.errors)
    return info.value.errors


def only_error(root: Path, *fragments: str) -> str:
    errors = errors_of(root)
    assert len(errors) == 1, errors
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    return errors[0]


# ------------------------------------------------------------------ a good bank

class TestGoodBank:
    @pytest.fixture()
    def bank(self, tmp_path):
        return load_bank(write_bank(tmp_path, tiny_bank()))

    def test_items_and_defaults(self, bank):
        assert bank.version == "2099.1.0"
        assert len(bank.items) == 10
        qcu_item = bank.items["c11-moteur-1a"]
        assert qcu_item.type is ItemType.QCU and qcu_item.shuffle is True
        assert qcu_item.solution == frozenset({1}) and qcu_item.proposals[0] == "Oui"
        assert qcu_item.tolerances == frozenset(ALL_TOLERANCES) and qcu_item.locales == ("fr-fr",)
        assert qcu_item.calibration.a == PRIOR_DISCRIMINATION
        assert qcu_item.calibration.b == PRIOR_DIFFICULTY_BY_LEVEL[1] and qcu_item.calibration.n == 0
        assert bank.items["c11-adresse-1a"].shuffle is False
        assert bank.items["c11-adresse-1a"].locales == ("fr-fr", "en")

    def test_free_answer_items(self, bank):
        qroc = bank.items["c11-moteur-3a"]
        assert qroc.shuffle is False and qroc.tolerances == frozenset({"t1"})
        assert qroc.timer == 60 and qroc.focused and qroc.fields[0].solutions == ("Qwant", "Ecosia")
        ind = bank.items["c11-adresse-2a"]
        assert ind.fields[1].kind == "number" and ind.fields[1].solutions == ("443",)
        dep = bank.items["c11-veille-2a"]
        assert dep.expected_correct == 2 and dep.groups[0] == ("RSS", "flux RSS")
        assert ind.expected_correct is None

    def test_calibration_from_file(self, bank):
        c = bank.items["c11-moteur-2a"].calibration
        assert (c.a, c.b, c.n) == (0.9, -0.2, 350)

    def test_drafts_and_retired_loaded_but_not_skills(self, bank):
        assert bank.items["c11-moteur-4a"].status is ItemStatus.DRAFT
        assert "@moteur4" not in bank.skills and "@brouillon2" not in bank.skills
        assert "@brouillon" not in bank.tubes["1.1"]
        assert {i.id for i in bank.served_items()} == set(bank.items) - {"c11-moteur-4a", "c11-brouillon-2a"}

    def test_skill_pix_values(self, bank):
        # 1.1 level 1: @moteur1, @adresse1 -> 8/2 = 4; level 2: @moteur2,
        # @adresse2, @veille2 -> 8/3; level 3: one skill -> min(4, 8) = 4.
        pix = {name: s.pix_value for name, s in bank.skills.items()}
        assert pix["@moteur1"] == pix["@adresse1"] == 4.0
        assert pix["@moteur2"] == pix["@adresse2"] == pix["@veille2"] == pytest.approx(8 / 3)
        assert pix["@moteur3"] == 4.0
        assert pix["@courriel2"] == 4.0  # counted per competence, not bank-wide
        courriel = bank.skills["@courriel2"]
        assert courriel.item_ids == ("c21-courriel-2a", "c21-courriel-2b")
        assert (courriel.competence, courriel.tube, courriel.level) == ("2.1", "@courriel", 2)

    def test_tubes_index(self, bank):
        assert bank.tubes["1.1"]["@moteur"] == {1: "@moteur1", 2: "@moteur2", 3: "@moteur3"}
        assert list(bank.tubes["1.1"]) == ["@moteur", "@adresse", "@veille"]
        assert bank.tubes["2.1"] == {"@courriel": {2: "@courriel2"}}

    def test_empty_competences_dir_is_an_empty_bank(self, tmp_path):
        bank = load_bank(write_bank(tmp_path, {}))
        assert bank.items == {} and bank.skills == {}


# ------------------------------------------------------------------ bad banks

def mutate(tmp_path: Path, change) -> Path:
    files = tiny_bank()
    change(files)
    return write_bank(tmp_path, files)


def item(files, competence="1.1", tube=0, index=0) -> dict:
    return files[competence]["tubes"][tube]["items"][index]


class TestCrossFieldErrors:
    def test_qcu_needs_exactly_one_solution(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(solution=[1, 2]))
        only_error(root, "competences/1.1.yaml", "c11-moteur-1a", "« solution »")

    def test_solution_index_within_proposals(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(solution=[4]))
        only_error(root, "1.1.yaml", "c11-moteur-1a", "solution[0]", "n'existe pas")

    def test_qcm_needs_two_solutions(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, index=1).update(solution=[2]))
        only_error(root, "1.1.yaml", "c11-moteur-2a", "« solution »", "QCM")

    def test_repeated_solution(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, index=1).update(solution=[1, 3, 3]))
        only_error(root, "c11-moteur-2a", "« solution »", "répété")

    def test_identical_proposals(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(proposals=["Oui", "Non", "  oui "]))
        only_error(root, "c11-moteur-1a", "proposals[2]", "identique")

    def test_file_named_after_competence(self, tmp_path):
        files = tiny_bank()
        files["1.2"] = files.pop("2.1")
        only_error(write_bank(tmp_path, files), "competences/1.2.yaml", "« competence »", "2.1.yaml")

    def test_ids_unique_across_files(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, "2.1").update(id="c11-moteur-1a"))
        only_error(root, "competences/2.1.yaml", "c11-moteur-1a", "« id »", "1.1.yaml")

    def test_tube_names_unique_across_files(self, tmp_path):
        root = mutate(tmp_path, lambda f: f["2.1"]["tubes"][0].update(name="@moteur"))
        only_error(root, "competences/2.1.yaml", "tubes[0].name", "@moteur", "1.1.yaml")

    def test_dep_expected_correct_within_fields_and_groups(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, tube=2).update(expected_correct=3))
        only_error(root, "c11-veille-2a", "« expected_correct »", "3 réponses attendues pour 2 champs")
        root = mutate(tmp_path / "b", lambda f: item(f, tube=2).update(groups=[["RSS"]]))
        only_error(root, "c11-veille-2a", "« groups »", "1 groupe(s) pour 2")

    def test_dep_answer_in_two_groups(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, tube=2).update(groups=[["RSS"], ["rss", "alerte"]]))
        only_error(root, "c11-veille-2a", "groups[1][0]", "groupe 1")

    def test_number_solutions_parse(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, tube=1, index=1)["fields"][1].update(solutions=["443 ports"]))
        only_error(root, "c11-adresse-2a", "fields[1].solutions[0]", "n'est pas lisible comme valeur de type number")

    def test_solution_empty_once_normalised(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, index=2)["fields"][0].update(solutions=["  "]))
        only_error(root, "c11-moteur-3a", "fields[0].solutions[0]", "vide")

    def test_repeated_field_key(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, tube=1, index=1)["fields"][1].update(key="proto"))
        only_error(root, "c11-adresse-2a", "« fields »", "proto")

    def test_options_that_do_not_apply(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f, index=2).update(shuffle=True))
        only_error(root, "c11-moteur-3a", "« shuffle »")
        root = mutate(tmp_path / "b", lambda f: item(f).update(expected_correct=1))
        only_error(root, "c11-moteur-1a", "« expected_correct »")
        root = mutate(tmp_path / "c", lambda f: item(f).update(locales=["en"]))
        only_error(root, "c11-moteur-1a", "« locales »", "fr-fr")


class TestSchemaErrors:
    def test_missing_required_field(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).pop("tutorial"))
        only_error(root, "1.1.yaml", "c11-moteur-1a", "tutorial", "manquant")

    def test_unknown_field(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(solutions=[1]))
        only_error(root, "c11-moteur-1a", "inconnu", "solutions")

    def test_wrong_type_and_bounds(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(level=9))
        only_error(root, "c11-moteur-1a", "« level »", "9")
        root = mutate(tmp_path / "b", lambda f: item(f).update(timer="30"))
        only_error(root, "c11-moteur-1a", "« timer »", "type")

    def test_yaml_boolean_trap(self, tmp_path):
        # YAML 1.1 reads an unquoted NO as false: the schema catches it.
        root = mutate(tmp_path, lambda f: item(f, index=2)["fields"][0].update(solutions=[False]))
        only_error(root, "c11-moteur-3a", "fields[0].solutions[0]")

    def test_fields_incompatible_with_type(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(fields=[{"key": "a", "label": "b", "solutions": ["c"]}]))
        only_error(root, "c11-moteur-1a", "incompatible", "fields")

    def test_bad_id_without_item_id_still_names_the_path(self, tmp_path):
        root = mutate(tmp_path, lambda f: item(f).update(id="Pas Bon"))
        only_error(root, "1.1.yaml", "« id »", "Pas Bon")

    def test_tube_level_error(self, tmp_path):
        root = mutate(tmp_path, lambda f: f["1.1"]["tubes"][0].update(name="moteur"))
        only_error(root, "1.1.yaml", "tubes[0].name", "format")


class TestFileErrors:
    def test_duplicate_yaml_key(self, tmp_path):
        text = ('competence: "2.1"\ntubes:\n  - name: "@courriel"\n    title: "C"\n    items:\n'
                '      - id: "c21-a"\n        level: 1\n        type: QCU\n        instruction: "Q"\n'
                '        proposals: ["a", "b"]\n        solution: [1]\n        solution: [2]\n'
                '        tutorial: "T"\n')
        only_error(write_bank(tmp_path, {"2.1": text}), "competences/2.1.yaml", "solution", "répétée", "line 12")

    def test_yaml_syntax_and_non_mapping(self, tmp_path):
        errors = errors_of(write_bank(tmp_path, {"1.1": "competence: [\n", "2.1": "- a\n- b\n"}))
        assert len(errors) == 2
        assert "competences/1.1.yaml" in errors[0] and "YAML illisible" in errors[0]
        assert "competences/2.1.yaml" in errors[1]

    def test_missing_version(self, tmp_path):
        root = write_bank(tmp_path, tiny_bank())
        (root / "VERSION").unlink()
        only_error(root, "VERSION")

    def test_every_problem_reported_at_once(self, tmp_path):
        def change(f):
            item(f).update(solution=[7])
            item(f, index=1).pop("tutorial")
            item(f, "2.1").update(id="c11-moteur-2a")
            f["2.1"]["tubes"][0]["items"][1]["level"] = 0
        errors = errors_of(mutate(tmp_path, change))
        assert len(errors) == 4, errors
        joined = "\n".join(errors)
        for fragment in ("c11-moteur-1a", "c11-moteur-2a", "c21-courriel-2b", "2.1.yaml"):
            assert fragment in joined


# ------------------------------------------------------------------ calibration.json

class TestCalibrationFile:
    def write(self, root: Path, entries: dict) -> None:
        (root / "calibration.json").write_text(json.dumps({"items": entries}), encoding="utf-8")

    def test_applied_over_prior_and_yaml(self, tmp_path):
        root = write_bank(tmp_path, tiny_bank())
        self.write(root, {"c11-moteur-1a": {"a": 1.7, "b": -2.1, "n": 900},
                          "c11-moteur-2a": {"a": 1.1, "b": 0.4, "n": 1200}})
        bank = load_bank(root)
        assert bank.items["c11-moteur-1a"].calibration.b == -2.1
        assert bank.items["c11-moteur-2a"].calibration.n == 1200
        assert bank.items["c11-moteur-3a"].calibration.n == 0

    def test_unknown_item_and_out_of_bounds(self, tmp_path):
        root = write_bank(tmp_path, tiny_bank())
        self.write(root, {"c99-absent": {"a": 1, "b": 0}, "c11-moteur-1a": {"a": 0, "b": 0}})
        errors = errors_of(root)
        assert len(errors) == 2
        assert "calibration.json" in errors[0] and "c99-absent" in errors[0]
        assert "c11-moteur-1a" in errors[1] and "« a »" in errors[1]

    def test_malformed(self, tmp_path):
        root = write_bank(tmp_path, tiny_bank())
        (root / "calibration.json").write_text("{", encoding="utf-8")
        only_error(root, "calibration.json", "JSON")


# ------------------------------------------------------------------ validation stamp

def test_stamp_skips_schema_only_for_the_exact_files(tmp_path, monkeypatch):
    root = write_bank(tmp_path, tiny_bank())
    write_validation_stamp(root)
    calls = []
    real = loader._schema_check
    monkeypatch.setattr(loader, "_schema_check", lambda *a: calls.append(1) or real(*a))
    load_bank(root)
    assert calls == []
    load_bank(root, trust_stamp=False)
    assert len(calls) == 2
    path = root / "competences" / "2.1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: 2", "level: 12", 1), encoding="utf-8")
    only_error(root, "c21-courriel-2a", "« level »")  # stale stamp: validated again


def test_stamp_not_written_for_a_bad_bank(tmp_path):
    root = mutate(tmp_path, lambda f: item(f).update(solution=[9]))
    with pytest.raises(BankError):
        write_validation_stamp(root)
    assert not (root / ".validated").exists()


# ------------------------------------------------------------------ the real bank

def real_bank_files() -> list[Path]:
    return sorted((REAL_ROOT / "competences").glob("*.yaml"))


needs_content = pytest.mark.skipif(not real_bank_files(),
                                   reason="item_bank/competences is empty: no content yet")


@needs_content
def test_real_bank_loads_with_consistent_skills():
    bank = load_bank(trust_stamp=False)
    assert bank.served_items()
    per_level: dict[tuple[str, int], int] = {}
    for skill in bank.skills.values():
        per_level[(skill.competence, skill.level)] = per_level.get((skill.competence, skill.level), 0) + 1
        for item_id in skill.item_ids:
            assert bank.items[item_id].skill == skill.name
    for skill in bank.skills.values():
        assert skill.pix_value == skill_pix_value(per_level[(skill.competence, skill.level)])


@needs_content
def test_get_bank_is_cached_once():
    assert get_bank() is get_bank()
    assert get_bank().version == (REAL_ROOT / "VERSION").read_text(encoding="utf-8").strip()


def test_does_not_mutate_input(tmp_path):
    files = tiny_bank()
    snapshot = copy.deepcopy(files)
    load_bank(write_bank(tmp_path, files))
    assert files == snapshot


# ------------------------------------------------------------------ robustness

def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _paths(value, prefix + (n,))


TINY_PATHS = [p for p in _paths(tiny_bank()) if len(p) >= 2]
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "level", "type", "key", "solutions", "items", "name", "x"]), children,
        max_size=3),
    max_leaves=6)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(TINY_PATHS), value=yaml_values)
def test_any_corruption_is_a_bank_error_never_a_crash(tmp_path_factory, where, value):
    files = tiny_bank()
    node = files
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    root = write_bank(tmp_path_factory.mktemp("bank"), files)
    try:
        load_bank(root)
    except BankError as exc:
        assert exc.errors and all(e.startswith(("competences/", "VERSION")) for e in exc.errors)


# ------------------------------------------------------------------ pilot items

def test_pilot_item_loads_as_pilot_and_is_never_a_skill(tmp_path):
    files = tiny_bank()
    files["1.1"]["tubes"][0]["items"].append(qcu("c11-moteur-5a", 5, status="pilot"))
    bank = load_bank(write_bank(tmp_path, files), trust_stamp=False)
    assert bank.items["c11-moteur-5a"].status is ItemStatus.PILOT
    assert "@moteur5" not in bank.skills and "c11-moteur-5a" not in {i.id for i in bank.served_items()}


def test_pilot_item_id_must_not_give_it_away(tmp_path):
    root = mutate(tmp_path, lambda f: f["1.1"]["tubes"][0]["items"].append(
        qcu("c11-moteur-pilot-5a", 5, status="pilot")))
    only_error(root, "c11-moteur-pilot-5a", "trahir")

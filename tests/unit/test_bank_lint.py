"""Bank lint (issue 14, point 3): the real bank passes every rule, and each
rule fires on a small bank built to break it (and stays quiet on its
corrected twin), so a rule that stopped working would be seen here."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from chalicelib.bank.loader import load_bank
from chalicelib.domain.items import Calibration, Field, Item, ItemType

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
import bank_lint  # noqa: E402


def qcu(n: int, key: int = 1, competence: str = "1.1", level: int = 2, proposals=None,
        instruction: str | None = None, tube: str | None = None, **extra) -> Item:
    return Item(id=f"t-{competence.replace('.', '')}-{n}", competence=competence,
                tube=tube or f"@tube{n}", level=level, type=ItemType.QCU,
                instruction=instruction or f"Question numéro {n} sur un sujet chaque fois différent {n * 7919}",
                tutorial="T", calibration=Calibration(1.2, 0.0),
                proposals=tuple(proposals or ("Aaaa", "Bbbb", "Cccc", "Dddd")),
                solution=frozenset({key}), **extra)


def failures(rule, items, *args) -> list[str]:
    out = bank_lint.Lint()
    rule(items, *args, out)
    return out.failures


# ------------------------------------------------------------------ real bank

def test_the_real_bank_passes_the_lint():
    bank = load_bank(trust_stamp=False)
    result = bank_lint.lint(bank)
    known = [line for line in (Path(__file__).parent / "bank_lint_known_findings.txt")
             .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    new = sorted(set(result.failures) - set(known))
    fixed = sorted(set(known) - set(result.failures))
    assert new == [], "new lint findings:\n" + "\n".join(new)
    assert fixed == [], "fixed findings still listed as known (remove them):\n" + "\n".join(fixed)
    assert any("χ²" in f for f in result.figures)
    assert any("plus longue" in f for f in result.figures)
    assert any("Quasi-doublons" in f for f in result.figures)
    assert any("Réponses libres montrées" in f for f in result.figures)


# --------------------------------------------------------------- key position

def test_keys_all_in_first_place_fail_the_chi_square():
    skewed = [qcu(n, key=1) for n in range(40)]
    found = failures(bank_lint.key_positions, skewed)
    assert any("place de la clé déséquilibrée (1.1)" in f for f in found), found
    assert any("(banque)" in f for f in found), found


def test_balanced_keys_pass():
    balanced = [qcu(n, key=1 + n % 4) for n in range(40)]
    assert failures(bank_lint.key_positions, balanced) == []


# ------------------------------------------------------------- longest option

LONG_KEY = ("Une réponse bien plus longue que les autres", "Courte", "Brève", "Petite")


def test_a_key_always_longest_fails():
    cued = [qcu(n, key=1, proposals=LONG_KEY) for n in range(40)]
    found = failures(bank_lint.longest_option, cued)
    assert any("(banque)" in f for f in found) and any("(niveau 2)" in f for f in found), found


def test_a_key_never_longest_fails_too():
    never = [qcu(n, key=2, proposals=LONG_KEY) for n in range(40)]
    assert any("(banque)" in f for f in failures(bank_lint.longest_option, never))


def test_a_key_longest_at_chance_passes():
    fair = [qcu(n, key=1 if n % 4 == 0 else 2, proposals=LONG_KEY) for n in range(40)]
    assert failures(bank_lint.longest_option, fair) == []


def test_a_level_or_competence_that_stands_out_fails_even_when_the_bank_is_at_chance():
    """Level 4 and competence 1.2 of bank 2026.12.1 were 11.6 and 15 points over
    chance while the bank sat at chance: each group is held to its own margin."""
    def group(competence, level, longest, n=40):
        return [qcu(n_ + 100 * level, competence=competence, level=level, proposals=LONG_KEY,
                    key=1 if n_ < longest else 2) for n_ in range(n)]
    # 1.2 / level 4: 15/40 = 37.5 % (+12.5); 1.3 / level 5: 5/40 = 12.5 % (-12.5); the bank at 25 %.
    items = group("1.2", 4, 15) + group("1.3", 5, 5) + group("1.1", 2, 10)
    found = failures(bank_lint.longest_option, items)
    assert not any("(banque)" in f for f in found), found
    for name in ("compétence 1.2", "niveau 4", "compétence 1.3", "niveau 5"):
        assert any(f"({name})" in f and "toléré ±10%" in f for f in found), (name, found)
    assert not any("(compétence 1.1)" in f or "(niveau 2)" in f for f in found), found
    # Within the margin (1.2 at 13/40 = 32.5 %, 1.1 at 7/40 = 17.5 %: ±7.5 points): quiet.
    assert failures(bank_lint.longest_option, group("1.2", 4, 13) + group("1.1", 2, 7)) == []


def test_ties_do_not_count_as_longest():
    assert not bank_lint.key_is_longest(qcu(1, key=1, proposals=("Abcd", "Efgh", "Ij", "K")))
    assert bank_lint.key_is_longest(qcu(1, key=1, proposals=("Abcde", "Efgh", "Ij", "K")))


# ------------------------------------------------------------- absolute words

def test_an_absolute_word_only_in_distractors_fails():
    cue = qcu(1, key=1, proposals=("Il faut vérifier la source", "Le site est toujours fiable",
                                   "Le site ne ment jamais", "Le site est connu"))
    found = failures(bank_lint.absolute_words, [cue])
    assert any("t-11-1" in f and "jamais" in f and "toujours" in f for f in found), found


def test_an_absolute_word_in_the_key_as_well_passes():
    fair = qcu(1, key=1, proposals=("Il faut toujours vérifier la source", "Le site est toujours fiable",
                                    "Le site est neutre", "Le site est connu"))
    assert failures(bank_lint.absolute_words, [fair]) == []


def test_a_systematic_excess_in_distractors_fails():
    items = [qcu(n, key=4, proposals=("Rien", "Tous les fichiers", "Aucun fichier", "Un fichier"))
             for n in range(10)]
    found = failures(bank_lint.absolute_words, items)
    assert any(f.startswith("mots absolus") for f in found), found


# ------------------------------------------------------------- near duplicates

SAME = "Sous Windows, lequel de ces caractères est interdit dans un nom de fichier ?"
REWORDED = "Lequel de ces caractères est interdit dans un nom de fichier sous Windows ?"


def test_a_reworded_question_in_another_skill_fails_unless_declared():
    a, b = qcu(1, instruction=SAME), qcu(2, instruction=REWORDED, competence="5.2")
    found = failures(bank_lint.near_duplicates, [a, b])
    assert any("t-11-1 / t-52-2" in f for f in found), found
    a = Item(**{**a.__dict__, "enemies": frozenset({b.id})})
    assert failures(bank_lint.near_duplicates, [a, b]) == []


def test_same_answer_and_related_stems_fail():
    a = qcu(1, instruction="Dans quel format exporter un CV pour qu'il s'affiche à l'identique partout ?",
            proposals=("PDF", "DOCX", "TXT", "ODT"))
    b = qcu(2, instruction="Dans quel format exporter un diaporama pour qu'il s'affiche comme prévu chez tous ?",
            proposals=("ODP", "PDF", "PPTX", "CSV"), key=2)
    assert failures(bank_lint.near_duplicates, [a, b])


def test_alternate_forms_and_different_programs_are_not_duplicates():
    same_skill = [qcu(1, instruction=SAME, tube="@t"), qcu(2, instruction=SAME, tube="@t")]
    assert failures(bank_lint.near_duplicates, same_skill) == []
    code = "Qu'affiche ce programme Python ?\n\n```python\nprint({})\n```\n"
    programs = [qcu(1, instruction=code.format(1)), qcu(2, instruction=code.format(2))]
    assert failures(bank_lint.near_duplicates, programs) == []


# --------------------------------------------------------------- answer shown

def qroc(item_id: str, instruction: str, *solutions: str, competence="5.1", tube="@cmd", **extra) -> Item:
    return Item(id=item_id, competence=competence, tube=tube, level=4, type=ItemType.QROC,
                instruction=instruction, tutorial="T", calibration=Calibration(1.2, 0.0),
                fields=(Field("k", "Commande :", "text", solutions),), **extra)


def test_a_free_answer_shown_as_code_by_another_item_fails_unless_declared():
    asks = qroc("t-ask", "Quelle commande vérifie qu'une machine répond ?", "ping")
    shows = qcu(1, competence="5.1", instruction="`ping 192.168.1.1` reçoit des réponses. Où est la panne ?")
    found = failures(bank_lint.answers_shown, [asks, shows])
    assert any("t-51-1 montre « ping », réponse de t-ask" in f for f in found), found
    declared = Item(**{**asks.__dict__, "enemies": frozenset({shows.id})})
    assert failures(bank_lint.answers_shown, [declared, shows]) == []


def test_prose_the_own_question_and_longer_tokens_do_not_count():
    asks = qroc("t-ask", "Quelle commande vérifie qu'une machine répond ?", "ping")
    prose = qcu(1, competence="5.1", instruction="Le ping vers internet passe à 800 ms. Pourquoi ?")
    alt = qroc("t-alt", "Quel attribut de `<img>` porte le texte alternatif ?", "alt", competence="3.3", tube="@a")
    shortcut = qcu(2, competence="3.3", instruction="Que fait `Alt+F4` ?")
    own = qroc("t-own", "Dans `/home/tom/photos/plage.jpg`, quel dossier contient plage.jpg ?", "photos",
               competence="5.2", tube="@p")
    path = qcu(3, competence="1.2", instruction="Ouvrez `D:\\Photos\\2024`.")
    assert failures(bank_lint.answers_shown, [asks, prose, alt, shortcut, own, path]) == []


def test_a_reviewed_pair_passes_and_a_stale_review_fails():
    asks = qroc("t-ask", "Citez un format de papier plus grand que A4.", "A3", competence="3.3", tube="@p")
    shows = qcu(1, competence="1.3", instruction="La cellule `A3` contient 12. Que vaut `=A3*2` ?")
    reviewed = {("t-ask", "t-13-1"): "cell A3, not the paper format"}
    assert failures(bank_lint.answers_shown, [asks, shows]) != []
    out = bank_lint.Lint()
    bank_lint.answers_shown([asks, shows], out, reviewed)
    assert out.failures == []
    other = qcu(1, competence="1.3", instruction="La cellule `B3` contient 12.")
    out = bank_lint.Lint()
    bank_lint.answers_shown([asks, other], out, reviewed)
    assert any("ne s'applique plus" in f for f in out.failures), out.failures


# ------------------------------------------------------------------ rendering

@pytest.mark.parametrize("instruction,problem", [
    ("Voici le tableau :\n\n| A | B |\n| 1 | 2 |\n", "tableau Markdown"),
    ("Lisez <b>attentivement</b> la question.", "balise HTML"),
    ("## Partie 1\nQuestion ?", "titre Markdown"),
    ("Voir [ce site](https://exemple.fr).", "lien ou image Markdown"),
    ("Étapes :\n1. ouvrir\n2. fermer\n", "liste numérotée"),
])
def test_markup_the_front_cannot_render_fails(instruction, problem):
    found = failures(bank_lint.rendering, [qcu(1, instruction=instruction)])
    assert any(problem in f for f in found), found


def test_markup_inside_code_and_supported_markup_pass():
    fine = qcu(1, instruction="Que fait la balise `<b>` ?\n\n```html\n<p>| a | b |</p>\n```\n\n- un\n- **deux**"
                            "\n\n| | A | B |\n|---|---|---|\n| 1 | x | y |\n\nFin.")
    assert failures(bank_lint.rendering, [fine]) == []


def test_block_markup_in_a_proposal_or_label_fails():
    bad = qcu(1, proposals=("Aaaa\n- liste", "Bbbb", "Cccc", "Dddd"))
    assert any("proposition" in f for f in failures(bank_lint.rendering, [bad]))
    field = Item(id="t-f", competence="1.1", tube="@t", level=1, type=ItemType.QROC, instruction="Q",
                 tutorial="T", calibration=Calibration(1.2, 0.0),
                 fields=(Field("k", "Réponse <i>ici</i> :", "text", ("x",)),))
    assert any("libellé" in f for f in failures(bank_lint.rendering, [field]))


# ------------------------------------------------------------------ freshness

def _root(tmp_path: Path, extra: str, tutorial: str = "Explication") -> Path:
    (tmp_path / "competences").mkdir(parents=True)
    (tmp_path / "competences" / "1.1.yaml").write_text(
        'competence: "1.1"\ntubes:\n  - name: "@t"\n    title: "T"\n    items:\n'
        '      - id: "t-1"\n        level: 1\n        type: QCU\n' + extra
        + '        instruction: "Question"\n        tutorial: "' + tutorial + '"\n', encoding="utf-8")
    return tmp_path


def _fresh(root: Path, today: str) -> list[str]:
    out = bank_lint.Lint()
    bank_lint.freshness(root, {"t-1"}, dt.date.fromisoformat(today), out)
    return out.failures


def test_an_item_past_its_review_date_is_listed(tmp_path):
    root = _root(tmp_path, '        sources: ["Légifrance"]\n        review_by: "2027-06-05"\n')
    assert _fresh(root, "2027-06-04") == []
    found = _fresh(root, "2027-06-06")
    assert len(found) == 1 and "t-1" in found[0] and "2027-06-05" in found[0], found


def test_sources_and_review_date_go_together(tmp_path):
    root = _root(tmp_path, '        sources: ["Légifrance"]\n')
    assert any("sans « review_by »" in f for f in _fresh(root, "2026-01-01"))


def test_a_time_sensitive_fact_needs_sources_and_a_review_date(tmp_path):
    root = _root(tmp_path, "", tutorial="Le RGPD s'applique depuis 2018.")
    found = _fresh(root, "2026-01-01")
    assert len(found) == 1 and "fait daté" in found[0], found
    dated = _root(tmp_path / "b", '        sources: ["RGPD"]\n        review_by: "2027-01-01"\n',
                  tutorial="Le RGPD s'applique depuis 2018.")
    assert _fresh(dated, "2026-01-01") == []


def test_retired_items_are_not_linted(tmp_path):
    root = _root(tmp_path, '        sources: ["Légifrance"]\n        review_by: "2020-01-01"\n')
    out = bank_lint.Lint()
    bank_lint.freshness(root, set(), dt.date(2026, 1, 1), out)
    assert out.failures == []

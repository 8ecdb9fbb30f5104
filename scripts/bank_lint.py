"""Bank lint: the cues and faults a review committee would reject the bank for.

Run by `make bank-report` (scripts/bank_report.py), which fails when any rule
fires. Each rule prints its figures, so a clean run still shows how close the
bank is to each limit. The rules and why their limits are what they are
(figures in docs/items.md):

- key position: the keyed proposal's place in the file, χ² goodness of fit
  against "any place equally likely" (expected count of place p = Σ 1/n over
  the QCU with n ≥ p proposals), per competence and overall. Opaque ids and
  the keyed shuffle hide the file order from candidates; a skewed file still
  betrays authors' habits to anyone who reads the bank (exports, reviews,
  `shuffle: false` items) and skews what `shuffle: false` serves. A
  competence fails at p < 0.001 (16 tests: family-wise false alarm ≈ 1.6 %),
  the bank at p < 0.01.
- longest option: share of QCU whose key is strictly the longest proposal,
  against chance (Σ 1/n over the items, ties counted as not longest, so
  chance is a slight overestimate). Far above chance, "pick the longest" pays;
  far below, "never the longest" pays just as well. The figures are printed
  per competence, per area and per level (with a two-sided binomial p for
  reading), and two limits hold:
  - the bank fails when it is more than `LONGEST_MARGIN` (5 points, ≈ 3
    standard errors on 703 QCU) away from chance;
  - a competence or a level fails when it is more than
    `LONGEST_GROUP_MARGIN` (10 points) away from chance. A positioning or
    certification test stays within a level band and spreads over the
    competences, so a test-wise candidate exploits a group's rate, not the
    bank's: 10 points over chance is about one extra right answer in the
    ten QCU of a level band, the size of the measurement's own noise. The
    limit is a margin, not a significance test: authors control the rate
    (lengthen a distractor, shorten a key), so a group that stands out is
    rewritten even when chance could explain it (with 19-110 QCU a group's
    standard error is 4-10 points, and the earlier p < 0.001 test let
    level 4 at +11.6 points and competence 1.2 at +15 through, bank
    2026.12.1). An area is the sum of its competences: printed, not held.
- absolute words (toujours, jamais, garantit, tous, aucun…): a QCU/QCM whose
  distractors use one while no key does hands the answer to anyone taught
  "absolute statements are false". Fails on any such item, and when the
  rate in distractors exceeds the rate in keys by more than 2 points.
- near duplicates: two validated items of different skills whose stems are
  alike (rapidfuzz token_sort_ratio on the normalised instruction ≥
  `STEM_SIMILARITY`) or that ask for the same answer with similar stems
  (answers ≥ `ANSWER_SIMILARITY` and stems ≥ `ANSWER_STEM_SIMILARITY`), not
  declared as enemies. Items of one skill are alternate forms, never served
  together anyway.
- answer shown: a free answer (one token: a command, a sigle, a domain, an
  extension…) that another validated item of another skill shows its
  candidates in code (`…` or a ``` block: commands, queries, file names,
  formulas), when the answer's own item does not already show it, and the two are not
  declared enemies: whoever meets the other item first is handed the answer
  (issue 14: ping, ipconfig, df, gouv.fr). Prose is left out (its words are
  plain French: « adresse », « image »), and a code token keeps its `+`, `.`
  and `/` (`Alt+F4` is not the attribute alt). Same letters for another
  thing (cell A1 and paper A1, `git stash pop` and POP) are reviewed once
  and listed in `SHOWN_REVIEWED` with the reason; an entry that stops
  firing fails, so the list cannot silently outlive its items. Bank
  2026.12.2, enemies aside: 31 pairs, 19 give-aways (all declared enemies,
  13 of them in this version: ping, ipconfig, tracert, df, git push, MX,
  site:/filetype:, gouv.fr) and 12 reviewed.
- rendering: what the web front cannot render (chalicelib/web/ui.js `rich`
  renders paragraphs, "- " lists, ``` code blocks, Markdown tables made of a
  header row then a `|---|` rule row (as real `<table>` with headers, issue
  14 point 6), `code`, **bold**, *em*; proposals and labels get the inline
  part only): HTML tags outside `code` (shown as raw text), table rows
  without a header rule, headings, links and images, numbered lists, and any
  block markup in a proposal or label.
- freshness: an item with `review_by` in the past; an item with `review_by`
  and no `sources`, or with `sources` and no `review_by`; an item whose text
  rests on a fact that changes with time (`TIME_SENSITIVE`: a law, code or
  regulation, the CNIL, an official .gouv.fr site, a hotline, "since 2018")
  without `sources` and `review_by`.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from chalicelib.bank.loader import DEFAULT_ROOT
from chalicelib.domain.framework import COMPETENCES
from chalicelib.domain.items import Item, ItemBank, ItemType
from chalicelib.domain.matching import normalise

POSITION_ALPHA_COMPETENCE = 0.001
POSITION_ALPHA_BANK = 0.01
LONGEST_MARGIN = 0.05
LONGEST_GROUP_MARGIN = 0.10
ABSOLUTE_MARGIN = 0.02
STEM_SIMILARITY = 79
ANSWER_SIMILARITY = 90
ANSWER_STEM_SIMILARITY = 50
ANSWER_MIN_LENGTH = 3

_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Absolute words: the rate rule uses all of them; the per-item rule only the
# classic test-wise cues (words like « tous », « rien », « aucun » are plain
# French in keys as much as in distractors: the rate comparison watches them).
STRONG_ABSOLUTE = re.compile(
    r"\b(toujours|jamais|garantit|garantissent|garanti(?:e|es|s)? (?:à|de|contre|sans)|"
    r"syst[ée]matiquement|forc[ée]ment|absolument|d[ée]finitivement|impossible|n'importe)\b|100\s?%",
    re.IGNORECASE)
ABSOLUTE = re.compile(
    r"\b(toujours|jamais|garanti(?:t|e|es|s|r|ssent)?|tous|toutes|aucun(?:e|es|s)?|"
    r"syst[ée]matiquement|forc[ée]ment|obligatoirement|uniquement|totalement|"
    r"enti[èe]rement|compl[èe]tement|absolument|d[ée]finitivement|impossible|"
    r"n'importe|rien|nul(?:le)?)\b|100\s?%", re.IGNORECASE)

# Facts that change with time: laws and their articles, regulators, official
# sites and hotlines, dated statements. Such an item records where the fact
# comes from and when to check it again.
TIME_SENSITIVE = re.compile(
    r"\b(la loi|une loi|loi (?:pour|du|relative|n°|informatique)|décret|RGPD|CNIL|"
    r"Code (?:civil|pénal|de la propriété intellectuelle|de la consommation|du travail)|"
    r"article [LR]\.? ?\d|directive|règlement (?:européen|\(UE\))|[a-z-]+\.gouv\.fr|Arcom|"
    r"Pharos|3018|(?:depuis|en|avant|jusqu'en|dès) (?:19|20)\d\d)\b", re.IGNORECASE)

# What ui.js cannot render (see the module docstring).
HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|(\s*:?-{2,}:?\s*\|)+\s*$")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
LINK = re.compile(r"!?\[[^\]]*\]\([^)]*\)")
NUMBERED = re.compile(r"^\s*\d+[.)]\s")
BLOCK_IN_INLINE = re.compile(r"\n\s*(?:[-*]\s|\d+[.)]\s|```|\|)")


@dataclass
class Lint:
    """Figures (printed whatever happens) and failures (exit code 1)."""

    figures: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)


def lint(bank: ItemBank, root: Path | None = None, today: dt.date | None = None) -> Lint:
    """Every rule on the validated items of `bank` (freshness reads `root`)."""
    out = Lint()
    items = bank.served_items()
    qcu = [i for i in items if i.type is ItemType.QCU]
    key_positions(qcu, out)
    longest_option(qcu, out)
    absolute_words([i for i in items if i.type.is_choice], out)
    near_duplicates(items, out)
    answers_shown(items, out)
    rendering(items, out)
    freshness(root or DEFAULT_ROOT, {i.id for i in items}, today or dt.date.today(), out)
    return out


# ------------------------------------------------------------------ key position

def chi_square(qcu: list[Item]) -> tuple[float, int, float, Counter]:
    """χ², degrees of freedom, p-value and observed counts of key places."""
    from scipy.stats import chi2

    observed = Counter(next(iter(i.solution)) for i in qcu)
    expected: Counter = Counter()
    for i in qcu:
        for place in range(1, len(i.proposals) + 1):
            expected[place] += 1 / len(i.proposals)
    places = sorted(expected)
    stat = sum((observed[p] - expected[p]) ** 2 / expected[p] for p in places)
    df = len(places) - 1
    return stat, df, (float(chi2.sf(stat, df)) if df else 1.0), observed


def key_positions(qcu: list[Item], out: Lint) -> None:
    out.figures.append("Place de la bonne réponse dans le fichier (QCU), test du χ² :")
    groups = [(c.code, [i for i in qcu if i.competence == c.code]) for c in COMPETENCES]
    for name, mine in groups + [("banque", qcu)]:
        if not mine:
            continue
        stat, df, p, observed = chi_square(mine)
        alpha = POSITION_ALPHA_BANK if name == "banque" else POSITION_ALPHA_COMPETENCE
        places = " ".join(f"{k}:{observed[k]}" for k in sorted(observed))
        out.figures.append(f"  {name:<7}{len(mine):>4} QCU  {places:<24} χ²={stat:6.2f} ddl={df} p={p:.3f}")
        if p < alpha:
            out.fail(f"place de la clé déséquilibrée ({name}) : χ²={stat:.1f}, p={p:.4f} < {alpha}")


# ---------------------------------------------------------------- longest option

def key_is_longest(item: Item) -> bool:
    key = next(iter(item.solution)) - 1
    lengths = [len(p.strip()) for p in item.proposals]
    return all(lengths[key] > n for k, n in enumerate(lengths) if k != key)


def longest_option(qcu: list[Item], out: Lint) -> None:
    from scipy.stats import binomtest

    out.figures.append(f"Bonne réponse strictement la plus longue (QCU), écart toléré ±{LONGEST_GROUP_MARGIN:.0%} "
                       f"par compétence et par niveau, ±{LONGEST_MARGIN:.0%} sur la banque :")
    groups = ([(f"compétence {c.code}", [i for i in qcu if i.competence == c.code]) for c in COMPETENCES]
              + [(f"domaine {d}", [i for i in qcu if i.competence[0] == d]) for d in "12345"]
              + [(f"niveau {lv}", [i for i in qcu if i.level == lv]) for lv in range(1, 9)])
    for name, mine in groups + [("banque", qcu)]:
        if not mine:
            continue
        hits = sum(key_is_longest(i) for i in mine)
        chance = sum(1 / len(i.proposals) for i in mine) / len(mine)
        rate = hits / len(mine)
        p = binomtest(hits, len(mine), chance).pvalue
        out.figures.append(f"  {name:<15}{hits:>4}/{len(mine):<4}{rate:>7.1%}  hasard {chance:.1%}  "
                           f"écart {100 * (rate - chance):+5.1f} pts  p={p:.3f}")
        if name == "banque":
            if abs(rate - chance) > LONGEST_MARGIN:
                out.fail(f"indice « plus longue réponse » (banque) : {rate:.1%} contre {chance:.1%} "
                         f"au hasard (écart toléré {LONGEST_MARGIN:.0%})")
        elif name.startswith("domaine"):
            continue  # an area is the sum of its competences, each held to the limit
        elif abs(rate - chance) > LONGEST_GROUP_MARGIN:
            out.fail(f"indice « plus longue réponse » ({name}) : {hits}/{len(mine)} = {rate:.1%}, "
                     f"hasard {chance:.1%}, écart {rate - chance:+.1%} (toléré ±{LONGEST_GROUP_MARGIN:.0%})")


# ---------------------------------------------------------------- absolute words

def absolute_words(choice_items: list[Item], out: Lint) -> None:
    keys = distractors = keys_abs = distractors_abs = 0
    for item in choice_items:
        for k, text in enumerate(item.proposals, start=1):
            hit = bool(ABSOLUTE.search(text))
            if k in item.solution:
                keys, keys_abs = keys + 1, keys_abs + hit
            else:
                distractors, distractors_abs = distractors + 1, distractors_abs + hit
        strong_keys = any(STRONG_ABSOLUTE.search(item.proposals[k - 1]) for k in item.solution)
        words = sorted({m.group(0).lower() for k, t in enumerate(item.proposals, start=1)
                        if k not in item.solution for m in STRONG_ABSOLUTE.finditer(t)})
        if words and not strong_keys:
            out.fail(f"mot absolu dans un distracteur seulement : {item.id} ({', '.join(words)})")
    k_rate = keys_abs / keys if keys else 0.0
    d_rate = distractors_abs / distractors if distractors else 0.0
    out.figures.append(f"Mots absolus (QCU/QCM) : {distractors_abs}/{distractors} distracteurs "
                       f"({d_rate:.1%}), {keys_abs}/{keys} bonnes réponses ({k_rate:.1%})")
    if d_rate - k_rate > ABSOLUTE_MARGIN:
        out.fail(f"mots absolus : {d_rate:.1%} des distracteurs contre {k_rate:.1%} des bonnes "
                 f"réponses (écart toléré {ABSOLUTE_MARGIN:.0%})")


# --------------------------------------------------------------- near duplicates

CODE_BLOCK = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)


def stem_text(item: Item) -> str:
    """The prose of the instruction, without code blocks and the sentence every QCM shares."""
    text = CODE_BLOCK.sub(" ", item.instruction).replace("Sélectionnez toutes les bonnes réponses.", "")
    return _words(text)


def stem_code(item: Item) -> str:
    """The code blocks of the instruction, whitespace folded ("" when none)."""
    return " ".join(" ".join(CODE_BLOCK.findall(item.instruction)).split())


def _words(text: str) -> str:
    return " ".join(normalise(text.lower(), ("t2",)).split())


def answer_text(item: Item) -> str:
    if item.type.is_choice:
        return _words(" ".join(item.proposals[k - 1] for k in sorted(item.solution)))
    if item.type is ItemType.QROCM_DEP:
        return _words(" ".join(g[0] for g in item.groups))
    return _words(" ".join(f.solutions[0] for f in item.fields))


def similar_pairs(items: list[Item]) -> list[tuple[Item, Item, float, float]]:
    """Pairs of different skills that look like the same question."""
    stems = [stem_text(i) for i in items]
    codes = [stem_code(i) for i in items]
    answers = [answer_text(i) for i in items]
    stem_scores = process.cdist(stems, stems, scorer=fuzz.token_sort_ratio, workers=1)
    answer_scores = process.cdist(answers, answers, scorer=fuzz.ratio, workers=1)
    pairs = []
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            if items[a].skill == items[b].skill:
                continue
            s, r = float(stem_scores[a][b]), float(answer_scores[a][b])
            if (codes[a] or codes[b]) and codes[a] != codes[b]:
                continue  # the same sentence around different programs: different questions
            if s >= STEM_SIMILARITY or (
                    r >= ANSWER_SIMILARITY and s >= ANSWER_STEM_SIMILARITY
                    and min(len(answers[a]), len(answers[b])) >= ANSWER_MIN_LENGTH):
                pairs.append((items[a], items[b], s, r))
    return pairs


def near_duplicates(items: list[Item], out: Lint) -> None:
    pairs = similar_pairs(items)
    undeclared = [(a, b, s, r) for a, b, s, r in pairs if b.id not in a.enemies]
    out.figures.append(f"Quasi-doublons (énoncés ≥ {STEM_SIMILARITY} ou réponses ≥ {ANSWER_SIMILARITY} "
                       f"avec énoncés ≥ {ANSWER_STEM_SIMILARITY}) : {len(pairs)} paire(s), "
                       f"{len(pairs) - len(undeclared)} déclarée(s) ennemies")
    for a, b, s, r in undeclared:
        out.fail(f"quasi-doublon non déclaré : {a.id} / {b.id} (énoncés {s:.0f}, réponses {r:.0f}) : "
                 "ajouter « enemies » à l'une des deux")


# ----------------------------------------------------------------- answer shown

# (item whose free answer is shown, item showing it): reviewed, the same
# letters for another thing. The lint fails on an entry that no longer fires.
SHOWN_REVIEWED = {
    ("c12-format-2a", "c11-moteur-7a"): "filetype:pdf in a query does not say which format keeps a layout",
    ("c31-format-1a", "c11-moteur-7a"): "filetype:pdf in a query does not say which format keeps a layout",
    ("c21-protocole-6a", "c23-git-8c"): "`git stash pop` is not the mail protocol POP",
    ("c33-impression-3a", "c13-formule-2a"): "cell A1, not the paper format",
    ("c33-impression-3a", "c13-formule-3a"): "cell A3, not the paper format",
    ("c33-impression-3a", "c13-reference-4b"): "cell A2, not the paper format",
    ("c33-impression-3a", "c13-reference-6a"): "cell A2, not the paper format",
    ("c33-impression-3a", "c13-reference-7a"): "cell A1, not the paper format",
    ("c43-deee-4b", "c34-condition-4a"): "the logical operator or, not the metal",
    ("c43-deee-4b", "c34-condition-5a"): "the logical operator or, not the metal",
    ("c43-deee-4b", "c34-condition-6a"): "the logical operator or, not the metal",
    ("c43-deee-4b", "c34-condition-7b"): "the logical operator or, not the metal",
}
TOKEN = re.compile(r"[\w][\w./:+-]*[\w]|\w", re.UNICODE)
ANSWER_TOKEN = re.compile(r"\.?[\w][\w./:+-]*", re.UNICODE)
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def _code(item: Item) -> str:
    text = " ".join([item.instruction, *item.proposals, *(f.label for f in item.fields)])
    return " ".join(CODE_BLOCK.findall(text) + INLINE_CODE.findall(CODE_BLOCK.sub(" ", text)))


def shown_tokens(item: Item) -> set[str]:
    """Lower-case tokens a candidate reads as code in the item (commands, queries,
    file names, formulas). Prose is left out: its words are too common to tell
    a give-away from plain French (« adresse », « image », « du »)."""
    return {t.lower() for t in TOKEN.findall(_code(item))}


def free_answers(item: Item) -> set[str]:
    """The item's accepted one-token answers (not numbers), lower case, without a leading dot."""
    found = {str(s) for f in item.fields for s in f.solutions} | {s for g in item.groups for s in g}
    return {s.lower().lstrip(".") for s in found
            if ANSWER_TOKEN.fullmatch(s) and len(s.lstrip(".")) >= 2 and not s.replace(",", "").isdigit()}


def shown_answers(items: list[Item], reviewed=frozenset()) -> list[tuple[Item, Item, list[str]]]:
    """(answer item, showing item, answers) for every pair neither declared enemies nor in `reviewed`."""
    shown = {i.id: shown_tokens(i) for i in items}
    found = []
    for item in items:
        if item.type.is_choice:
            continue
        # What the item's own code already shows, down to a path's folder or
        # a file name's extension, is read off the question itself.
        answers = free_answers(item) - shown[item.id] - {w.lower() for w in re.findall(r"\w+", _code(item))}
        if not answers:
            continue
        for other in items:
            if other.skill == item.skill or other.id in item.enemies or (item.id, other.id) in reviewed:
                continue
            common = sorted(answers & shown[other.id])
            if common:
                found.append((item, other, common))
    return found


def answers_shown(items: list[Item], out: Lint, reviewed: dict | None = None) -> None:
    reviewed = SHOWN_REVIEWED if reviewed is None else reviewed
    found = shown_answers(items, set(reviewed))
    firing = {(a.id, b.id) for a, b, _ in shown_answers(items)}
    ids = {i.id for i in items}
    stale = sorted(pair for pair in reviewed if pair not in firing and set(pair) <= ids)
    out.figures.append(f"Réponses libres montrées en code par une autre épreuve : {len(found)} paire(s) "
                       f"non déclarée(s) ennemies, {len(reviewed) - len(stale)} examinée(s) sans indice")
    for a, b in stale:
        out.fail(f"réponse montrée : l'exception examinée {a} / {b} ne s'applique plus, la retirer de SHOWN_REVIEWED")
    for item, other, common in found:
        out.fail(f"réponse montrée : {other.id} montre « {', '.join(common)} », réponse de {item.id} : "
                 "déclarer « enemies » ou reformuler")


# --------------------------------------------------------------------- rendering

def rendering(items: list[Item], out: Lint) -> None:
    bad = 0
    for item in items:
        problems = []
        for where, text in [("consigne", item.instruction), ("tutoriel", item.tutorial)]:
            problems += [f"{where} : {p}" for p in _block_problems(text)]
        inline = [("proposition", p) for p in item.proposals] + [("libellé", f.label) for f in item.fields]
        for where, text in inline:
            problems += [f"{where} : {p}" for p in _block_problems(text)]
            if BLOCK_IN_INLINE.search(text.strip()):
                problems.append(f"{where} : mise en forme de bloc dans un texte court")
        for p in problems:
            out.fail(f"contenu non affichable par le front : {item.id}, {p}")
        bad += bool(problems)
    out.figures.append(f"Contenu non affichable par le front : {bad} épreuve(s)")


def _block_problems(text: str) -> list[str]:
    found, in_code, in_table = [], False, False
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        without_code = re.sub(r"`[^`]*`", "", line)
        if HTML_TAG.search(without_code):
            found.append("balise HTML (à mettre entre `…` si elle doit s'afficher)")
        if TABLE_ROW.match(line):
            # A table renders as <table> when a header row is followed by its rule row.
            starts = not in_table and n + 1 < len(lines) and TABLE_RULE.match(lines[n + 1])
            in_table = in_table or bool(starts)
            if not in_table:
                found.append("tableau Markdown sans ligne d'en-tête | --- |")
        else:
            in_table = False
        if HEADING.match(line):
            found.append("titre Markdown")
        if LINK.search(without_code):
            found.append("lien ou image Markdown")
        if NUMBERED.match(line):
            found.append("liste numérotée (affichée en un seul paragraphe)")
    return sorted(set(found))


# --------------------------------------------------------------------- freshness

def freshness(root: Path, served: set[str], today: dt.date, out: Lint) -> None:
    dated = past = 0
    for path in sorted((root / "competences").glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML)  # noqa: S506 - safe loader
        for tube in data["tubes"]:
            for raw in tube["items"]:
                if raw["id"] not in served:
                    continue
                review_by, sources = raw.get("review_by"), raw.get("sources")
                text = " ".join([raw["instruction"], raw["tutorial"], *raw.get("proposals", [])])
                sensitive = TIME_SENSITIVE.search(text)
                if sensitive and not (review_by and sources):
                    out.fail(f"fraîcheur : {raw['id']} s'appuie sur un fait daté (« {sensitive.group(0)} ») "
                             "sans « sources » ni « review_by »")
                if review_by and not sources:
                    out.fail(f"fraîcheur : {raw['id']} a une date de révision sans « sources »")
                if sources and not review_by:
                    out.fail(f"fraîcheur : {raw['id']} cite des sources sans « review_by »")
                if not review_by:
                    continue
                dated += 1
                due = dt.date.fromisoformat(str(review_by))
                if due < today:
                    past += 1
                    out.fail(f"fraîcheur : {raw['id']} à revoir depuis le {due.isoformat()} "
                             f"({', '.join(sources or [])})")
    out.figures.append(f"Fraîcheur : {dated} épreuve(s) datée(s) (sources + review_by), "
                       f"{past} à revoir (date dépassée)")


def by_rule(failures: list[str]) -> dict[str, int]:
    """Failure counts per rule, for the summary line."""
    counts: dict[str, int] = defaultdict(int)
    for f in failures:
        counts[f.split(" : ", 1)[0].split(" (", 1)[0]] += 1
    return dict(counts)

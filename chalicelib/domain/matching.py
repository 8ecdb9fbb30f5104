"""Answer matching: one candidate answer to one item -> an `AnswerStatus`.

Pure domain code (no I/O), shared by positioning and certification, so that
"an answer posted after the timer is timed out" lives in exactly one place.

Answer payloads (the JSON body the API receives, already decoded):

- skip, any type:        ``{"skip": true}``                  -> aband
- QCU:                   ``{"choice": 2}``                   1-based proposal id
- QCM:                   ``{"choices": [1, 3]}``             order-insensitive set
- QROC, QROCM-ind/-dep:  ``{"fields": {"key": "text", ...}}`` keys of the item's fields

Proposal ids here are the 1-based indices in the item file: the services map
the opaque ids a candidate answers with back to them first
(domain/choice_ids.py), so this module and every stored answer stay canonical. For `number` fields a JSON
number is accepted as well as text. A missing or empty text field is simply
wrong (ko): the candidate may legitimately leave a box empty. Anything else
that does not fit the item (wrong shape, unknown key, choice out of range,
duplicate choice, text longer than `MAX_ANSWER_CHARS`) raises `InvalidAnswer`
(HTTP 400): it is a client bug or an attack, not an answer to score.

Order of the rules, each explained where it is applied:
malformed -> InvalidAnswer; skip -> aband (a deliberate skip is never late or
out of focus); late on a timed item -> timedout; left a focused item ->
focusedOut; otherwise ok / ko from the content.

Text tolerances (docs/item-format.md), each switchable per item:
always NFC, invisible format characters removed, non-breaking spaces ->
spaces, typographic apostrophes -> "'", surrounding quotes and a final
punctuation mark dropped (`clean`); t1 trim, lower-case, strip accents (and
the œ/æ ligatures), remove whitespace; t2 keep only letters, digits and
spaces; t3 a measured typo budget (`typo_budget`: none for short answers, same
first letter). A field's `wrong` answers are refused before t3. Numbers are
compared as exact decimals (French decimal comma and space thousands
separators, the field's unit accepted); `time`, `shortcut` and `url` fields
compare parsed values (`canonical`).
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.items import Field, Item, ItemType

MAX_ANSWER_CHARS = 500
# Seconds granted on top of the timer for network and rendering latency: the
# server measures from serving the item to receiving the answer.
DEFAULT_TIMER_ALLOWANCE = 3.0
T3_MAX_RATIO = 0.25
T3_MIN_LENGTH = 8

_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " "}
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"}
_LIGATURES = {"œ": "oe", "æ": "ae"}
_ALWAYS = str.maketrans({**_SPACES, **_APOSTROPHES})
_WHITESPACE = re.compile(r"\s+")
_QUOTES = "\"'«»“”„‟‘’‚‹›`"
_FINAL_PUNCTUATION = ".,;:!?…"
_ARTICLE = re.compile(r"^(?:(?:le|la|les|un|une|des|du|de la|de l'|d'|l')\s*(?<=')|"
                      r"(?:le|la|les|un|une|des|du|de la)\s+)", re.IGNORECASE)
_TIME = re.compile(r"^(?P<h>\d{1,2})(?:\s*(?:h|:|heures?)\s*(?P<m>\d{2})?\s*(?:min)?)?$")
_KEY_SYNONYMS = {
    "ctrl": "ctrl", "control": "ctrl", "ctl": "ctrl", "controle": "ctrl", "strg": "ctrl",
    "maj": "shift", "shift": "shift", "majuscule": "shift", "⇧": "shift",
    "alt": "alt", "option": "alt", "opt": "alt", "⌥": "alt",
    "altgr": "altgr", "alt gr": "altgr",
    "cmd": "cmd", "command": "cmd", "commande": "cmd", "⌘": "cmd", "pomme": "cmd",
    "win": "win", "windows": "win", "super": "win", "⊞": "win",
    "echap": "esc", "esc": "esc", "escape": "esc", "echappement": "esc",
    "suppr": "del", "del": "del", "delete": "del", "supprimer": "del",
    "entree": "enter", "enter": "enter", "return": "enter", "retour": "enter", "↵": "enter",
    "tab": "tab", "tabulation": "tab", "espace": "space", "space": "space",
    "fin": "end", "end": "end", "debut": "home", "home": "home", "origine": "home",
    "inser": "insert", "insert": "insert", "insertion": "insert",
    "retour arriere": "backspace", "backspace": "backspace", "⌫": "backspace",
}
_NUMBER = re.compile(
    r"^(?P<sign>[+\-\u2212]?)"
    r"(?P<int>\d{1,3}(?: \d{3})+|\d*)"
    r"(?:[.,](?P<frac>\d+))?$",
    re.ASCII,
)


class InvalidAnswer(InvalidInput, ValueError):
    """A payload that does not fit the item: the API answers 400."""

    code = "invalid_answer"


# --------------------------------------------------------------- normalisation

def normalise(text: str, tolerances: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    """The comparable form of a text answer or solution under `tolerances`."""
    s = unicodedata.normalize("NFC", text).translate(_ALWAYS)
    if "t1" in tolerances:
        s = _strip_accents(s.strip().casefold())
        s = _WHITESPACE.sub("", s)
    if "t2" in tolerances:
        s = "".join(c for c in s if c.isalnum() or c == " ")
    return s


def _strip_accents(s: str) -> str:
    for ligature, plain in _LIGATURES.items():
        s = s.replace(ligature, plain)
    decomposed = unicodedata.normalize("NFD", s)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def parse_number(value: Any) -> Decimal | None:
    """A number typed the French or the English way, or None.

    "3,5", "3.5", "1 000", "1 000,25", "-2", ",5" are numbers; "1,000.5" and
    "3,5 Go" are not (ambiguous or not a number: the answer is simply ko).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            d = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - str() of a float is valid
            return None
        return d if d.is_finite() else None
    if not isinstance(value, str):
        return None
    s = unicodedata.normalize("NFKC", value).translate(_ALWAYS).strip()
    m = _NUMBER.match(s)
    if not m or not (m["int"] or m["frac"]):
        return None
    sign = "-" if m["sign"] in ("-", "\u2212") else ""
    digits = (m["int"] or "0").replace(" ", "")
    return Decimal(f"{sign}{digits}.{m['frac'] or '0'}")


def clean(text: str, *, final_punctuation: bool = True) -> str:
    """What every answer and solution is compared from, whatever the tolerances.

    NFC; invisible format characters (zero-width spaces, BOM, bidi marks, soft
    hyphens: Unicode category Cf, pasted from documents or chat apps) removed;
    surrounding quotes/guillemets and a final full stop, comma, colon,
    semicolon, ! ? or … dropped (a candidate quoting or ending a sentence
    still gives the answer). Shortcuts keep a final « +. » (the key « . »).
    An answer made only of quotes or punctuation is kept as typed: it is the
    answer (« Quel caractère encadre une expression exacte ? » -> « " »).
    """
    whole = "".join(c for c in unicodedata.normalize("NFC", text)
                    if unicodedata.category(c) != "Cf").translate(_ALWAYS).strip()
    s = whole
    while True:
        before = s
        if len(s) >= 2 and s[0] in _QUOTES:
            s = s[1:].strip()
        if s and (s[-1] in _QUOTES or (final_punctuation and s[-1] in _FINAL_PUNCTUATION)):
            s = s[:-1].strip()
        if s == before:
            return s or whole


def text_matches(answer: str, solution: str, tolerances: frozenset[str]) -> bool:
    """One text answer against one accepted solution.

    Typo tolerance (t3) is measured, not a flat ratio: a typo almost never
    changes the first letter and rarely makes two mistakes in a short word,
    while different real words that happen to be close do (« boyau » for
    noyau, « mélanine » for mélatonine, « connexion » for déconnexion). So
    t3 allows no edit below `T3_MIN_LENGTH` characters, one edit below 14,
    two beyond (always ≤ 25 % of the solution), and the same first letter.
    Edits are counted with adjacent transpositions as one (OSA distance):
    « ordinatuer » is one slip of the fingers. Figures: docs/items.md.
    """
    a = normalise(clean(answer), tolerances)
    s = normalise(clean(solution), tolerances)
    if not a or not s:
        return False
    if a == s:
        return True
    if "t3" in tolerances:
        budget = typo_budget(len(s))
        if budget == 0 or a[0] != s[0]:
            return False
        # imported on the first typo check, not at `import app` (0.1 s of every cold start
        # for the few instances that mark a t3 answer): tests/infra/test_cold_start.py
        from rapidfuzz.distance import OSA

        return OSA.distance(a, s, score_cutoff=budget) <= budget
    return False


def typo_budget(length: int) -> int:
    """Edits t3 forgives in a solution of `length` normalised characters."""
    if length < T3_MIN_LENGTH:
        return 0
    return min(1 if length < 14 else 2, int(length * T3_MAX_RATIO))


def canonical(field: Field, text: str) -> Any:
    """The comparable value of `text` in a non-text field, or None.

    number: a Decimal, the field's unit accepted when typed (« 70 ans », « 4 % »);
    time: minutes since midnight (« 9h », « 9 h 30 », « 09:00 »);
    shortcut: the set of keys, synonyms merged (« Maj+Ctrl+Échap » = « Ctrl+Shift+Esc »);
    url: lower-case, without scheme, « www. » or trailing slash.
    """
    if field.kind == "number":
        return parse_number(_without_unit(clean(text), field.unit))
    if field.kind == "time":
        return parse_time(clean(text))
    if field.kind == "shortcut":
        # a final full stop ends the sentence, unless it is the key (« Ctrl+. »)
        return parse_shortcut(clean(text, final_punctuation=not text.rstrip().endswith("+.")))
    if field.kind == "url":
        return parse_url(clean(text))
    return None


# Written-out names of the abbreviated units the bank declares: « 100 secondes »
# is « 100 s » (keys and values accent-free and lower-case, singular).
_UNIT_NAMES = {
    "s": ("seconde", "sec"), "min": ("minute", "mn"), "h": ("heure",),
    "an": ("annee",), "jour": ("j",), "mm": ("millimetre",), "cm": ("centimetre",),
    "px": ("pixel",), "mpx": ("megapixel",), "o": ("octet",), "octet": ("o",),
    "ko": ("kilooctet",), "mo": ("megaoctet",), "go": ("gigaoctet",), "to": ("teraoctet",),
    "gio": ("gibioctet",), "bit": ("b",), "khz": ("kilohertz",), "kg": ("kilogramme",),
    "%": ("pour cent", "pourcent"), "€": ("euro", "eur"), "°": ("degre",),
}


def unit_forms(unit: str) -> set[str]:
    """Every way of typing `unit` after a number: as declared, singular or
    plural, and its written-out name (`_UNIT_NAMES`)."""
    base = _strip_accents(unit.casefold()).strip()
    names = {base, *_UNIT_NAMES.get(base, ()), *_UNIT_NAMES.get(base.removesuffix("s"), ())}
    return {v for name in names for v in (name, name + "s", name.removesuffix("s"))} - {""}


def _without_unit(text: str, unit: str | None) -> str:
    if not unit:
        return text
    folded = _strip_accents(text.casefold())
    for variant in sorted(unit_forms(unit), key=len, reverse=True):
        if folded.endswith(variant) and len(folded) > len(variant):
            rest = text[: len(text) - len(variant)]
            if not rest[-1:].isalpha():  # « 70 ans », « 70ans », not « 70 mans »
                return rest.strip()
    return text


def parse_time(text: str) -> int | None:
    m = _TIME.match(_strip_accents(text.casefold()))
    if not m:
        return None
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        return None
    return (hours % 24) * 60 + minutes


def parse_shortcut(text: str) -> frozenset[str] | None:
    parts = [p.strip() for p in re.split(r"\s*\+\s*", text.strip())] if text.strip() else []
    if len(parts) == 1 and re.fullmatch(r"\S+(?:[\s-]+\S+)+", parts[0]):
        parts = re.split(r"[\s-]+", parts[0])  # « Ctrl-Z », « Ctrl Z »: same keys
    if not parts or any(not p for p in parts):
        return None
    keys = []
    for part in parts:
        name = _strip_accents(part.casefold())
        keys.append(_KEY_SYNONYMS.get(name, name))
    return frozenset(keys) if len(set(keys)) == len(keys) else None


def parse_url(text: str) -> str | None:
    s = text.strip().casefold()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = s.removeprefix("www.").rstrip("/")
    return s if s and " " not in s else None


def field_matches(field: Field, answer: str, solutions: tuple[str, ...],
                  tolerances: frozenset[str]) -> bool:
    """One field's answer against its solutions. A known wrong answer listed
    on the field is refused before any tolerance applies."""
    if field.kind != "text":
        value = canonical(field, answer)
        return (value is not None
                and not any(value == canonical(field, w) for w in field.wrong)
                and any(value == canonical(field, s) for s in solutions))
    strict = normalise(clean(answer), tolerances - {"t3"})
    if any(strict == normalise(clean(w), tolerances - {"t3"}) for w in field.wrong):
        return False
    if any(text_matches(answer, s, tolerances) for s in solutions):
        return True
    # « le RGPD », « un ver », « l'UTF-8 »: a leading article is not a different answer
    bare = _ARTICLE.sub("", clean(answer), count=1)
    return bare != clean(answer) and bool(bare) and any(
        text_matches(bare, s, tolerances) for s in solutions)


# ------------------------------------------------------------------- checking

def check_answer(item: Item, answer: Any, *, elapsed_seconds: float | None = None,
                 focused_out: bool = False,
                 timer_allowance: float = DEFAULT_TIMER_ALLOWANCE,
                 extra_time_percent: int = 0) -> AnswerStatus:
    """The status of `answer` to `item`; raises `InvalidAnswer` when malformed.

    `elapsed_seconds` is measured by the server from serving the item;
    `extra_time_percent` is the candidate's accommodation (certification).
    """
    if elapsed_seconds is not None and elapsed_seconds < 0:
        raise ValueError("elapsed_seconds must be >= 0")
    if extra_time_percent < 0:
        raise ValueError("extra_time_percent must be >= 0")
    if _is_skip(answer):
        return AnswerStatus.ABAND
    content = _parse(item, answer)
    if item.timer is not None and elapsed_seconds is not None:
        allowed = item.timer * (1 + extra_time_percent / 100) + timer_allowance
        if elapsed_seconds > allowed:
            return AnswerStatus.TIMEDOUT
    if item.focused and focused_out:
        return AnswerStatus.FOCUSED_OUT
    return AnswerStatus.OK if _is_correct(item, content) else AnswerStatus.KO


def _is_skip(answer: Any) -> bool:
    if not isinstance(answer, Mapping) or "skip" not in answer:
        return False
    if answer.get("skip") is not True or len(answer) != 1:
        raise InvalidAnswer("Une réponse « je passe » s'écrit {\"skip\": true}, sans autre champ.")
    return True


def _parse(item: Item, answer: Any) -> Any:
    """The answer content in a checked shape: int, frozenset[int] or dict."""
    if not isinstance(answer, Mapping):
        raise InvalidAnswer("La réponse doit être un objet JSON.")
    expected = {ItemType.QCU: "choice", ItemType.QCM: "choices"}.get(item.type, "fields")
    if set(answer) != {expected}:
        raise InvalidAnswer(
            f"Pour une épreuve {item.type.value}, la réponse attendue est "
            f"{{\"{expected}\": …}}, sans autre champ.")
    value = answer[expected]
    if item.type is ItemType.QCU:
        return _choice(item, value)
    if item.type is ItemType.QCM:
        if not isinstance(value, list):
            raise InvalidAnswer("« choices » doit être une liste de numéros de propositions.")
        choices = [_choice(item, v) for v in value]
        if len(set(choices)) != len(choices):
            raise InvalidAnswer("Une même proposition est choisie plusieurs fois.")
        return frozenset(choices)
    return _fields(item, value)


def _choice(item: Item, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswer("Un choix est le numéro (entier) d'une proposition.")
    if not 1 <= value <= len(item.proposals):
        raise InvalidAnswer(
            f"La proposition {value} n'existe pas (1 à {len(item.proposals)}).")
    return value


def _fields(item: Item, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidAnswer("« fields » doit associer chaque champ à sa réponse.")
    by_key = {f.key: f for f in item.fields}
    unknown = sorted(str(k) for k in value if k not in by_key)
    if unknown:
        raise InvalidAnswer(f"Champ(s) inconnu(s) pour cette épreuve : {', '.join(unknown)}.")
    out: dict[str, str] = {}
    for key, field in by_key.items():
        text = value.get(key)
        if text is None:
            text = ""  # left empty: wrong, not malformed
        elif field.kind == "number" and isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        elif not isinstance(text, str):
            raise InvalidAnswer(f"La réponse au champ « {key} » doit être un texte.")
        if len(text) > MAX_ANSWER_CHARS:
            raise InvalidAnswer(
                f"La réponse au champ « {key} » dépasse {MAX_ANSWER_CHARS} caractères.")
        out[key] = text
    return out


def _is_correct(item: Item, content: Any) -> bool:
    if item.type is ItemType.QCU:
        return item.solution == {content}
    if item.type is ItemType.QCM:
        return item.solution == content
    if item.type is ItemType.QROCM_DEP:
        return _dep_matches(item, content) >= (item.expected_correct or len(item.fields))
    return all(field_matches(f, content[f.key], f.solutions, item.tolerances)
               for f in item.fields)


def _dep_matches(item: Item, content: dict[str, str]) -> int:
    """How many fields can be paired with distinct groups (maximum matching).

    A greedy pairing is wrong when a field fits several groups: with groups
    {A, B} and {B} the answers "B", "A" pair only if the first field gives up
    the first group. Ten fields at most, so augmenting paths are instant.
    Two fields with the same normalised answer count once.
    """
    edges: list[list[int]] = []
    seen: set[str] = set()
    for f in item.fields:
        text = content[f.key]
        if f.kind != "text":
            value = canonical(f, text)
            key = "" if value is None else f"#{value!r}"
        else:
            key = normalise(clean(text), item.tolerances)
        if not key or key in seen:
            edges.append([])
            continue
        seen.add(key)
        edges.append([g for g, group in enumerate(item.groups)
                      if field_matches(f, text, group, item.tolerances)])
    owner: dict[int, int] = {}  # group -> field

    def augment(field_index: int, visited: set[int]) -> bool:
        for g in edges[field_index]:
            if g in visited:
                continue
            visited.add(g)
            if g not in owner or augment(owner[g], visited):
                owner[g] = field_index
                return True
        return False

    return sum(augment(i, set()) for i in range(len(edges)))


# ----------------------------------------------------------------- correction

def correction(item: Item, choice_ids: ChoiceIds) -> dict:
    """The solution in displayable form, with the tutorial.

    Shown only after a positioning answer, never during certification: the
    caller enforces that; this function only formats. Choice solutions carry
    the test's opaque ids (the ones the candidate saw), never the file index.
    """
    out: dict[str, Any] = {"item_id": item.id, "type": item.type.value,
                           "tutorial": item.tutorial}
    if item.type.is_choice:
        ids = choice_ids.ids(item)
        out["solution"] = [{"id": ids[i - 1], "text": item.proposals[i - 1]}
                           for i in choice_ids.order(item) if i in item.solution]
    elif item.type is ItemType.QROCM_DEP:
        out["fields"] = [{"key": f.key, "label": f.label} for f in item.fields]
        out["groups"] = [list(g) for g in item.groups]
        out["expected_correct"] = item.expected_correct or len(item.fields)
    else:
        out["fields"] = [{"key": f.key, "label": f.label, "solutions": list(f.solutions)}
                         for f in item.fields]
    return out

"""Finding an item's secrets in an HTTP response.

Two checks on every response body (JSON):
- structure: no key `solution`, `solutions`, `groups`, `tolerances` or
  `calibration` anywhere, except inside the `correction` of an item the
  learner has already answered in positioning (where the solution is the point);
- content: no accepted answer of a free-answer item (QROC, QROCM) in any
  string of the response. Choice items' solutions are proposal ids, which the
  structure check covers; their proposal texts are legitimately shown.

Accepted answers are compared normalised (NFC, case-folded, accents and
repeated spaces removed), as whole words, and only those of 4 characters or
more that are neither numbers (they collide with dates and counts) nor part of
the item's own instruction or labels (then showing the item shows them). A
string that is exactly a display text of the bank (an instruction, a label, a
proposal, a competence title) is not scanned: showing an item is not a leak,
even when its text contains another item's answer. Keys are the API's own
vocabulary ("item", "status"...), checked by the structure rule only.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

SECRET_KEYS = frozenset({"solution", "solutions", "groups", "tolerances", "calibration"})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Secret:
    item_id: str
    text: str            # normalised accepted answer
    pattern: re.Pattern


@dataclass
class Bank:
    secrets: dict[str, list[Secret]] = field(default_factory=dict)   # item id -> secrets
    display: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def bank_secrets() -> Bank:
    from chalicelib.bank.loader import get_bank
    from chalicelib.domain.candidate_view import download_name, file_url
    from chalicelib.domain.framework import AREAS, COMPETENCES

    bank = get_bank()
    out = Bank()
    display = {c.title for c in COMPETENCES} | {a.title for a in AREAS}
    for item in bank.items.values():
        own = [item.instruction, item.illustration_alt or ""] + [f.label for f in item.fields] \
            + list(item.proposals) + [f.text for f in (item.illustration, item.attachment) if f]
        display.update(t for t in own if t)
        display.add(item.id)  # public identifiers ("c11-adresse-2a"), not content,
        display.update(f.key for f in item.fields)  # and the answer's field names
        for f in (item.illustration, item.attachment):  # file URL, download name, format:
            if f:                                        # the type is shown on purpose
                display.update({file_url(f), download_name(f), f.label})
        if item.type.is_choice:
            continue
        own_text = normalise(" ".join(own))
        answers = {s for f in item.fields for s in f.solutions} | {s for g in item.groups for s in g}
        secrets = []
        for answer in answers:
            text = normalise(str(answer))
            if len(text) < 4 or not re.search(r"[^\W\d_]", text) or text in own_text:
                continue
            secrets.append(Secret(item.id, text, re.compile(
                rf"(?<![^\W_]){re.escape(text)}(?![^\W_])")))
        if secrets:
            out.secrets[item.id] = secrets
    out.display = frozenset(display)
    return out


class LeakFound(AssertionError):
    pass


def scan(label: str, body, *, answered: set[str] = frozenset(), corrections_allowed: bool = True,
         content: bool = True, bank: Bank | None = None) -> int:
    """Raise LeakFound if `body` (bytes, str or parsed JSON) shows a secret of
    an item not in `answered`. Returns the number of strings scanned.
    `content=False`: the structure check only (certificate documents, whose
    framework prose uses the field's own words: "sécurité", "navigateur"...)."""
    bank = bank or bank_secrets()
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            body = json.loads(body) if body.strip() else None
        except ValueError:
            body = body  # not JSON (HTML, PDF text...): scanned as one string
    strings: list[str] = []
    _walk(label, body, strings, answered, corrections_allowed, bank, path="$")
    if not content:
        return len(strings)
    scanned = [s for s in strings if s not in bank.display]
    text = "\n".join(normalise(s) for s in scanned)
    for item_id, secrets in bank.secrets.items():
        if item_id in answered:
            continue
        for secret in secrets:
            if secret.text in text and secret.pattern.search(text):
                where = next((s for s in scanned if secret.pattern.search(normalise(s))), "")
                raise LeakFound(f"{label}: the accepted answer {secret.text!r} of {item_id} "
                                f"appears in the response, in {where[:200]!r}")
    return len(strings)


def _walk(label, node, strings, answered, corrections_allowed, bank, path):
    if isinstance(node, dict):
        if "correction" in node and isinstance(node["correction"], dict):
            correction = node["correction"]
            if not (corrections_allowed and correction.get("item_id") in answered):
                raise LeakFound(f"{label}: a correction of {correction.get('item_id')} at {path}")
            node = {k: v for k, v in node.items() if k != "correction"}
        for key, value in node.items():
            if key in SECRET_KEYS:
                raise LeakFound(f"{label}: key {key!r} at {path}")
            _walk(label, value, strings, answered, corrections_allowed, bank, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            _walk(label, value, strings, answered, corrections_allowed, bank, f"{path}[{n}]")
    elif isinstance(node, str):
        strings.append(node)

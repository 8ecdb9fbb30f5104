"""Usernames for pupils without an e-mail address, built as the public
service does: "prenom.nom" + birth day and month (DDMM), e.g.
"jeanne.dupont0712"; when taken, a numeric suffix ("jeanne.dupont07122").

Pure: uniqueness is not decided here but by the store's conditional write
of the login, trying these candidates in order.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Iterator

_PART_MAX = 30


def _plain(name: str) -> str:
    """Lower-case ASCII letters only: accents stripped, spaces/hyphens/apostrophes dropped."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", ascii_only.lower())[:_PART_MAX]


def base_username(first_name: str, last_name: str, birth_date: date) -> str:
    first = _plain(first_name) or "eleve"
    last = _plain(last_name) or "eleve"
    return f"{first}.{last}{birth_date:%d%m}"


def candidates(base: str, attempts: int = 50) -> Iterator[str]:
    """base, base2, base3, ... (the first holder keeps the plain name)."""
    yield base
    for n in range(2, attempts + 1):
        yield f"{base}{n}"

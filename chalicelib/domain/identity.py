"""Matching a person to an enrolment: names compared without case, accents,
spaces, hyphens or apostrophes ("Lé-a  D'Arc" = "lea darc")."""
from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def identity_key(last_name: str, birth_date_iso: str) -> str:
    """What a candidate types that is stable: last name + birth date."""
    return f"{name_key(last_name)}#{birth_date_iso}"

"""Matching a person to an enrolment: names compared without case, accents,
spaces, hyphens or apostrophes ("Lé-a  D'Arc" = "lea darc")."""
from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


# A name's normalised form goes into index keys (certification candidates'
# gsi1pk, roster gsi2sk: DynamoDB allows 2048 bytes for a partition key, 1024
# for a sort key, where the roster puts last name + first names + INE). NFKD
# can make a name grow: U+FDFA alone becomes 18 letters (36 bytes), so 100
# characters checked before normalisation may be 3,600 bytes after. Names are
# bounded after normalisation, in UTF-8 bytes; 400 leaves room for 100
# characters of any script that does not expand (CJK: 3 bytes each).
KEY_NAME_MAX_BYTES = 400


def normalised_bytes(name: str) -> int:
    """Size of the largest form any key derives from `name` (casefold + NFKD,
    before letters are filtered), so one bound covers every key built from it."""
    return len(unicodedata.normalize("NFKD", name.casefold()).encode("utf-8"))


def fits_in_key(name: str) -> bool:
    return normalised_bytes(name) <= KEY_NAME_MAX_BYTES


def identity_key(last_name: str, birth_date_iso: str) -> str:
    """What a candidate types that is stable: last name + birth date."""
    return f"{name_key(last_name)}#{birth_date_iso}"

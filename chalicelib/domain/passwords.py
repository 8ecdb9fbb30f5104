"""Password policy, pure: what a password must contain and, when it is
refused, a French message saying exactly what is missing.

The baseline users already know from the public service: at least 8
characters with an upper-case letter, a lower-case letter and a digit. The
upper bound exists because every password is hashed with a memory-hard
function on our CPU: a multi-megabyte "password" must not reach it.
"""
from __future__ import annotations

import unicodedata

from chalicelib.domain.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 200

RULES = {
    "too_short": f"au moins {MIN_LENGTH} caractères",
    "too_long": f"au plus {MAX_LENGTH} caractères",
    "no_uppercase": "une lettre majuscule",
    "no_lowercase": "une lettre minuscule",
    "no_digit": "un chiffre",
}


def normalise(password: str) -> str:
    """NFC, so that "é" typed as one or two code points is the same password."""
    return unicodedata.normalize("NFC", password)


def policy_failures(password: str) -> list[str]:
    """The codes of the rules this password breaks (empty: acceptable)."""
    password = normalise(password)
    failures = []
    if len(password) < MIN_LENGTH:
        failures.append("too_short")
    if len(password) > MAX_LENGTH:
        failures.append("too_long")
    if not any(c.isupper() for c in password):
        failures.append("no_uppercase")
    if not any(c.islower() for c in password):
        failures.append("no_lowercase")
    if not any(c.isdigit() for c in password):
        failures.append("no_digit")
    return failures


def check_policy(password: str) -> None:
    failures = policy_failures(password)
    if not failures:
        return
    missing = ", ".join(RULES[f] for f in failures)
    raise InvalidInput(
        "Votre mot de passe doit contenir au moins 8 caractères, dont une majuscule, "
        f"une minuscule et un chiffre. Il lui manque : {missing}.",
        code="weak_password", details=[{"rule": f, "message": RULES[f]} for f in failures])

"""Codes people read aloud or type: session number, session access code,
invigilator password, certificate verification code.

Alphabets leave out look-alikes (no A/E/I/L/N/O/S/U/Z letters, no 0/1/5
digits), as at Pix, so a code read on a screen or a printed certificate is
typed right the first time. Generated with `secrets` (unpredictable);
validators are strict on the canonical (upper-case) form — call
`normalise_code` on what a person typed first.

- session number: 7 digits, the first not 0, e.g. "4071293" (9 M numbers,
  like Pix's numeric session ids): what staff read aloud and type to name a
  session. Drawn at random and claimed by a conditional put (store), so no
  counter item is hot and nothing is scanned; never reused, so the space
  fills slowly (≈ 50,000 sessions a year leave a draw colliding < 1 % of the
  time for a century). It is no secret: it names, the password opens;
- session access code: 4 letters + 2 digits, e.g. "BCDF23" (17⁴·7² ≈ 4.1 M);
- invigilator password: 10 characters from letters and digits, e.g.
  "7KQ2XBC9HT" (24¹⁰ ≈ 6.3e13). Long enough that guessing needs no lock
  keyed on the session: candidates see the session id, and a lock they can
  trigger would let one of them shut the invigilator out (issue 13, point 8).
  Sessions created before the change have 5 characters (24⁵ ≈ 8 M): guesses
  of that length stay capped per session (services/sessions.py);
- verification code: "P-" + 8 distinct characters, e.g. "P-2B7KQ9XC"
  (24·23·…·17 ≈ 2.96e10 codes: guessing one at random is hopeless even
  without the rate limit on the public check).
"""
from __future__ import annotations

import re
import secrets

LETTERS = "BCDFGHJKMPQRTVWXY"
DIGITS = "2346789"
CODE_ALPHABET = DIGITS + LETTERS  # "2346789BCDFGHJKMPQRTVWXY", 24 characters

VERIFICATION_PREFIX = "P-"
VERIFICATION_LENGTH = 8

SESSION_NUMBER_LENGTH = 7
_SESSION_NUMBER = re.compile(rf"^[1-9][0-9]{{{SESSION_NUMBER_LENGTH - 1}}}$")
_ACCESS_CODE = re.compile(rf"^[{LETTERS}]{{4}}[{DIGITS}]{{2}}$")
INVIGILATOR_PASSWORD_LENGTH = 10
LEGACY_INVIGILATOR_PASSWORD_LENGTH = 5
_PASSWORD = re.compile(rf"^[{CODE_ALPHABET}]{{{INVIGILATOR_PASSWORD_LENGTH}}}$")
_VERIFICATION = re.compile(rf"^{VERIFICATION_PREFIX}[{CODE_ALPHABET}]{{{VERIFICATION_LENGTH}}}$")


def session_number() -> str:
    """7 digits, the first not 0, uniform over the 9 M such numbers."""
    return str(10 ** (SESSION_NUMBER_LENGTH - 1) + secrets.randbelow(9 * 10 ** (SESSION_NUMBER_LENGTH - 1)))


def is_session_number(text: str) -> bool:
    """True for a canonical session number (`normalise_code` first: "407 1293"
    as printed with a space is the same number)."""
    return isinstance(text, str) and _SESSION_NUMBER.fullmatch(text) is not None


def session_access_code() -> str:
    """4 letters then 2 digits, e.g. "BCDF23"."""
    return ("".join(secrets.choice(LETTERS) for _ in range(4))
            + "".join(secrets.choice(DIGITS) for _ in range(2)))


def invigilator_password() -> str:
    """10 characters from the code alphabet (letters and digits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(INVIGILATOR_PASSWORD_LENGTH))


def verification_code() -> str:
    """"P-" + 8 distinct characters of the code alphabet (uniform over all
    such arrangements: a uniformly random draw without replacement)."""
    pool = list(CODE_ALPHABET)
    chars = []
    for _ in range(VERIFICATION_LENGTH):
        chars.append(pool.pop(secrets.randbelow(len(pool))))
    return VERIFICATION_PREFIX + "".join(chars)


def normalise_code(text: str) -> str:
    """What a person typed, in canonical form: no surrounding or inner
    spaces, upper case."""
    return "".join(text.split()).upper()


def is_session_access_code(text: str) -> bool:
    return isinstance(text, str) and _ACCESS_CODE.fullmatch(text) is not None


def is_invigilator_password(text: str) -> bool:
    return isinstance(text, str) and _PASSWORD.fullmatch(text) is not None


def is_verification_code(text: str) -> bool:
    if not isinstance(text, str) or _VERIFICATION.fullmatch(text) is None:
        return False
    body = text[len(VERIFICATION_PREFIX):]
    return len(set(body)) == len(body)

"""Session access code, invigilator password, verification code."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import codes
from chalicelib.domain.codes import (
    CODE_ALPHABET,
    DIGITS,
    LETTERS,
    invigilator_password,
    is_invigilator_password,
    is_session_access_code,
    is_verification_code,
    normalise_code,
    session_access_code,
    verification_code,
)


def test_alphabets_are_the_published_ones():
    assert LETTERS == "BCDFGHJKMPQRTVWXY"
    assert DIGITS == "2346789"
    assert CODE_ALPHABET == "2346789BCDFGHJKMPQRTVWXY"
    assert len(set(CODE_ALPHABET)) == 24
    # no look-alikes
    assert not set("AEILNOSUZ015") & set(CODE_ALPHABET)


def test_session_access_code_is_four_letters_then_two_digits():
    for _ in range(500):
        code = session_access_code()
        assert len(code) == 6
        assert set(code[:4]) <= set(LETTERS)
        assert set(code[4:]) <= set(DIGITS)
        assert is_session_access_code(code)


def test_invigilator_password_is_ten_characters_of_the_alphabet():
    for _ in range(500):
        password = invigilator_password()
        assert len(password) == 10
        assert set(password) <= set(CODE_ALPHABET)
        assert is_invigilator_password(password)


def test_verification_code_has_eight_distinct_characters():
    for _ in range(2000):
        code = verification_code()
        assert code.startswith("P-") and len(code) == 10
        body = code[2:]
        assert set(body) <= set(CODE_ALPHABET)
        assert len(set(body)) == 8
        assert is_verification_code(code)


def test_generated_codes_use_the_whole_alphabet_and_vary():
    bodies = [verification_code()[2:] for _ in range(3000)]
    assert len(set(bodies)) == len(bodies)
    counts = Counter(c for body in bodies for c in body)
    assert set(counts) == set(CODE_ALPHABET)
    # 24,000 draws over 24 characters: each ≈ 1000
    assert min(counts.values()) > 800 and max(counts.values()) < 1200
    first = Counter(body[0] for body in bodies)
    assert len(first) == 24


def test_codes_come_from_secrets(monkeypatch):
    calls = []
    real_choice = codes.secrets.choice

    def spy(seq):
        calls.append(seq)
        return real_choice(seq)

    monkeypatch.setattr(codes.secrets, "choice", spy)
    session_access_code()
    invigilator_password()
    assert len(calls) == 16


@pytest.mark.parametrize("text", [
    "BCDF23", "YYYY99", "KQTX47",
])
def test_valid_access_codes(text):
    assert is_session_access_code(text)


@pytest.mark.parametrize("text", [
    "", "BCDF2", "BCDF234", "BCD234", "ABCD23", "BCDF21", "BCDF20", "bcdf23", "23BCDF",
    "BCDF2B", "BCDF23\n", " BCDF23", None, 123456,
])
def test_invalid_access_codes(text):
    assert not is_session_access_code(text)


@pytest.mark.parametrize("text, valid", [
    ("7KQ2XBC9HT", True), ("2222222222", True), ("BCDFGHJKMP", True), ("7KQ2X", False),
    ("7KQ2XBC9H", False), ("7KQ2XBC9HTT", False), ("7KQ2XBC9HO", False), ("7kq2xbc9ht", False),
    ("7KQ2XBC9H5", False),
])
def test_invigilator_password_validator(text, valid):
    assert is_invigilator_password(text) is valid


@pytest.mark.parametrize("text, valid", [
    ("P-2B7KQ9XC", True),
    ("P-2346789B", True),
    ("P-2B7KQ9XX", False),   # repeated character
    ("P-2B7KQ9X", False),    # 7 characters
    ("P-2B7KQ9XCD", False),  # 9 characters
    ("P2B7KQ9XCD", False),
    ("X-2B7KQ9XC", False),
    ("p-2b7kq9xc", False),   # not canonical: normalise first
    ("P-2B7KQ9X0", False),   # 0 not in the alphabet
    ("P-2B7KQ9XA", False),
    ("", False),
    (None, False),
])
def test_verification_code_validator(text, valid):
    assert is_verification_code(text) is valid


def test_normalise_code():
    assert normalise_code("  p-2b7k q9xc ") == "P-2B7KQ9XC"
    assert is_verification_code(normalise_code("p-2b7kq9xc"))
    assert normalise_code("bcdf 23") == "BCDF23"


@given(st.text(max_size=12))
def test_validators_never_raise(text):
    for check in (is_session_access_code, is_invigilator_password, is_verification_code):
        assert check(text) in (True, False)


@given(st.permutations(list(CODE_ALPHABET)))
def test_any_eight_distinct_characters_are_a_valid_body(perm):
    assert is_verification_code("P-" + "".join(perm[:8]))
    assert not is_verification_code("P-" + "".join(perm[:7]) + perm[0])

"""Password policy and hashing, usernames, sign-in block schedule, minors:
the pure rules and the argon2 parameters, without a database."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from chalicelib.domain import accounts as rules
from chalicelib.domain import usernames
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.passwords import check_policy, policy_failures
from chalicelib.services import passwords

# The hash is the subject here: production argon2 parameters (tests/conftest.py).
pytestmark = pytest.mark.real_argon2


@pytest.mark.parametrize("password, failures", [
    ("Secret123", []),
    ("Éléphant7", []),                      # accented capitals count
    ("Ab1", ["too_short"]),
    ("abcdefg1", ["no_uppercase"]),
    ("ABCDEFG1", ["no_lowercase"]),
    ("Abcdefgh", ["no_digit"]),
    ("", ["too_short", "no_uppercase", "no_lowercase", "no_digit"]),
    ("Aa1" + "x" * 300, ["too_long"]),
])
def test_policy(password, failures):
    assert policy_failures(password) == failures


def test_refusal_message_is_french_and_says_what_is_missing():
    with pytest.raises(InvalidInput) as refused:
        check_policy("abcdefgh")
    assert refused.value.code == "weak_password"
    assert "une lettre majuscule" in refused.value.message
    assert "un chiffre" in refused.value.message


def test_hash_is_argon2id_with_the_documented_parameters():
    digest = passwords.hash_password("Secret123")
    assert digest.startswith(f"$argon2id$v=19$m={passwords.MEMORY_COST_KIB},"
                             f"t={passwords.TIME_COST},p={passwords.PARALLELISM}$")
    assert passwords.MEMORY_COST_KIB >= 19 * 1024  # memory-hard: at least OWASP's minimum
    assert passwords.verify(digest, "Secret123")
    assert not passwords.verify(digest, "Secret124")
    assert not passwords.verify("not a hash", "Secret123")
    assert passwords.hash_password("Secret123") != digest  # salted


def test_unicode_forms_of_one_password_match():
    composed = unicodedata.normalize("NFC", "Café1234")
    decomposed = unicodedata.normalize("NFD", "Café1234")
    assert composed != decomposed
    assert passwords.verify(passwords.hash_password(composed), decomposed)


def test_hashes_made_with_weaker_parameters_are_upgraded():
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("Secret123")
    assert passwords.verify(old, "Secret123")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("Secret123"))


def test_verify_nothing_runs_a_real_argon2_verification(monkeypatch):
    """An unknown login costs one argon2 verification, like a wrong password
    (the timing itself is measured in the benchmarks, not asserted here)."""
    calls = []
    real = passwords._HASHER
    dummy = passwords._dummy_hash()

    class Spy:
        def verify(self, digest, password):
            calls.append(digest)
            return real.verify(digest, password)

    monkeypatch.setattr(passwords, "_HASHER", Spy())
    passwords.verify_nothing("Secret123")
    assert calls == [dummy]


# Usernames ------------------------------------------------------------------------------

@pytest.mark.parametrize("first, last, birth, expected", [
    ("Jeanne", "Dupont", date(2010, 3, 7), "jeanne.dupont0703"),
    ("Élodie", "Le Gall-Durand", date(2009, 12, 25), "elodie.legalldurand2512"),
    ("Zoë", "N'Diaye", date(2011, 1, 1), "zoe.ndiaye0101"),
    ("李", "王", date(2011, 1, 1), "eleve.eleve0101"),
])
def test_base_username(first, last, birth, expected):
    assert usernames.base_username(first, last, birth) == expected


def test_candidates_add_a_numeric_suffix():
    assert list(usernames.candidates("a.b0101", attempts=4)) == [
        "a.b0101", "a.b01012", "a.b01013", "a.b01014"]


# Sign-in blocks and minors ------------------------------------------------------------------

@pytest.mark.parametrize("failures, seconds", [(1, None), (9, None), (10, 120), (11, None),
                                               (20, 240), (30, 480), (40, 960)])
def test_temporary_block_schedule(failures, seconds):
    block = rules.block_after(failures, now=1000.0)
    assert (block.until - 1000.0 if block else None) == seconds


@pytest.mark.parametrize("failures, seconds", [(50, 1920), (100, 61440), (110, 86400),
                                               (500, 86400), (10_000, 86400)])
def test_blocks_grow_to_a_day_and_are_never_permanent(failures, seconds):
    assert rules.block_after(failures, now=0).until == seconds


def test_age_and_guardian_rule():
    today = date(2026, 9, 1)
    assert rules.age_on(date(2011, 9, 1), today) == 15
    assert rules.age_on(date(2011, 9, 2), today) == 14
    rules.check_may_register(date(2011, 9, 1), today, guardian_consent=False, created_by_org=None)
    rules.check_may_register(date(2015, 1, 1), today, guardian_consent=True, created_by_org=None)
    rules.check_may_register(date(2015, 1, 1), today, guardian_consent=False, created_by_org="o")
    with pytest.raises(InvalidInput):
        rules.check_may_register(date(2011, 9, 2), today, guardian_consent=False,
                                 created_by_org=None)


@pytest.mark.parametrize("raw, normalised", [(" Jeanne@Example.ORG ", "jeanne@example.org")])
def test_email_normalisation(raw, normalised):
    assert rules.normalise_email(raw) == normalised
    for bad in ("jeanne", "jeanne@", "@example.org", "a b@example.org", "a@example"):
        with pytest.raises(InvalidInput):
            rules.normalise_email(bad)

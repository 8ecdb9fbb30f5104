"""Password hashing with argon2id (argon2-cffi).

Parameters (measured in README.md, "Accounts and security"): 32 MiB, 3
passes, 1 lane. One lane because a Lambda under 1,769 MB has less than one
vCPU, so extra lanes only add wall time; 32 MiB and 3 passes are above the OWASP minimum (19 MiB, 2
passes) while one hash stays well under 250 ms on a 1,024 MB Lambda. Hashes
made with older parameters are upgraded at the next successful sign-in.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from chalicelib.domain.passwords import normalise

TIME_COST = 3
MEMORY_COST_KIB = 32 * 1024
PARALLELISM = 1

_HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB,
                         parallelism=PARALLELISM, hash_len=32, salt_len=16, type=Type.ID)


def hash_password(password: str) -> str:
    return _HASHER.hash(normalise(password))


def verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_nothing(password: str) -> None:
    """Spend the time of one verification when there is no account, so the
    response time does not reveal whether a login exists."""
    verify(_dummy_hash(), password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("not a password of anyone")

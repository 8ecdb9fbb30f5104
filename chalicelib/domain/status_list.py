"""Bitstring Status Lists (W3C Bitstring Status List v1.0): how a verifier
learns that an Open Badge it holds was cancelled after issuance.

Each credential names one bit of one list (`credentialStatus`, a
BitstringStatusListEntry with statusPurpose "revocation"); the platform serves
the list as a signed BitstringStatusListCredential whose `encodedList` is the
multibase base64url (prefix "u", no padding) of the GZIP-compressed bitstring,
index 0 being the most significant bit of the first byte (spec §3.2). A set bit
means revoked: cancelling a certificate sets its bit.

Allocation, without a hot key: a list per calendar month of allocation
(`2026-12`), of LIST_SIZE bits; a certificate draws a random index and reserves
it with a conditional put on an item of its own (store/status_lists.py), so no
counter is shared by concurrent issuances, and indices are random as the
specification recommends (an index says nothing about issuance order). A draw
lands on a taken index with probability = the list's fill ratio; with half a
million badges downloaded in one month (fill 48 %) all MAX_DRAWS draws fail with
p ≈ 2·10⁻⁸, and a failed allocation is retried by the next download.
"""
from __future__ import annotations

import base64
import gzip
import re
import secrets
from datetime import datetime
from typing import Iterable

# 2^20 bits: above the specification's minimum of 131,072 (herd privacy), 128 KiB
# unencoded, a few hundred bytes once gzipped while sparse.
LIST_SIZE = 2 ** 20
MAX_DRAWS = 24
PURPOSE = "revocation"
_LIST_ID = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def list_id_of(moment: datetime) -> str:
    """The list new entries go to at `moment`: one per calendar month."""
    return f"{moment.year:04d}-{moment.month:02d}"


def is_list_id(value: str) -> bool:
    return bool(_LIST_ID.match(value or ""))


def draw_index() -> int:
    """A uniformly random index of a list (reserved by the caller)."""
    return secrets.randbelow(LIST_SIZE)


def encode(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """The `encodedList` of a list whose set bits are `revoked`. Deterministic
    (GZIP header without timestamp): the same revocations give the same bytes."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList` (what a verifier does, spec §3.2)."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))

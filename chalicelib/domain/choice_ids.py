"""Opaque proposal ids: what a candidate sees and answers with instead of the
proposal's index in the item file.

Why: the index is the answer key's position in the file. A bank where most
keys come first (or a committee's habits) would let "always answer 1" win, and
ids shared by every candidate let "item X -> 1" circulate in a classroom. So
each test (a positioning assessment, a certification course) gets its own ids
and its own display order, both derived with HMAC-SHA256 from a server secret,
the test id, the item id and the canonical index:

- unpredictable without the secret (the test id alone, which the candidate
  knows, gives nothing);
- stable for the same test (reload, another Lambda instance): no state stored;
- different between tests and between items.

The server maps an answer's ids back to canonical 1-based indexes before
matching, so stored answers, scoring, calibration and history keep the
canonical form. Items with `shuffle: false` (ordered scales) keep the file
order; their key positions are balanced by the bank lint instead.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Mapping

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.items import Item, ItemType

ID_CHARS = 10  # base32: 50 bits, far beyond guessing within one item's 2-10 ids
MAX_ID_LENGTH = 40


class UnknownChoice(InvalidInput, ValueError):
    """An answer naming a proposal id this test never showed: HTTP 400."""

    code = "invalid_answer"


@dataclass(frozen=True)
class ChoiceIds:
    """The proposal ids and order of one test; `key` is the server secret."""

    key: bytes
    test_id: str

    def ids(self, item: Item) -> tuple[str, ...]:
        """Opaque id of each proposal, in canonical (file) order."""
        out: list[str] = []
        for index in range(1, len(item.proposals) + 1):
            n = 0
            candidate = self._id(item.id, index, n)
            while candidate in out:  # 2^-50 per pair; deterministic all the same
                n += 1
                candidate = self._id(item.id, index, n)
            out.append(candidate)
        return tuple(out)

    def order(self, item: Item) -> list[int]:
        """Canonical indexes in display order: a keyed shuffle unless the
        item asks to keep its order."""
        indexes = list(range(1, len(item.proposals) + 1))
        if item.shuffle:
            indexes.sort(key=lambda i: self._mac(f"order\x1f{self.test_id}\x1f{item.id}\x1f{i}"))
        return indexes

    def opaque(self, item: Item, index: int) -> str:
        return self.ids(item)[index - 1]

    def canonical_answer(self, item: Item, answer: Any) -> Any:
        """`answer` with opaque ids replaced by canonical indexes.

        Anything that is not a choice answer passes through unchanged (the
        matcher judges its shape). A choice that is not one of this test's
        ids (an index from the file, a guess, another test's id) is refused.
        """
        if not item.type.is_choice or not isinstance(answer, Mapping):
            return answer
        lookup = {opaque: i for i, opaque in enumerate(self.ids(item), start=1)}
        key = "choice" if item.type is ItemType.QCU else "choices"
        if key not in answer:
            return answer
        value = answer[key]
        if key == "choice":
            return {**answer, key: self._index(lookup, value)}
        if not isinstance(value, list) or len(value) > len(lookup):
            return answer  # the matcher refuses the shape (or the duplicates)
        return {**answer, key: [self._index(lookup, v) for v in value]}

    @staticmethod
    def _index(lookup: dict[str, int], value: Any) -> int:
        if not isinstance(value, str) or len(value) > MAX_ID_LENGTH or value not in lookup:
            raise UnknownChoice("Un choix est l'identifiant d'une proposition affichée "
                                "pour cette question (texte, par exemple « k3x9… »).")
        return lookup[value]

    def _id(self, item_id: str, index: int, n: int) -> str:
        mac = self._mac(f"id\x1f{self.test_id}\x1f{item_id}\x1f{index}\x1f{n}")
        return base64.b32encode(mac).decode("ascii")[:ID_CHARS].lower()

    def _mac(self, message: str) -> bytes:
        return hmac.new(self.key, message.encode("utf-8"), hashlib.sha256).digest()

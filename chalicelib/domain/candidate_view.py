"""What a candidate may see of an item.

Built from an explicit allow-list rather than by removing secret fields from
the item: a field added to `Item` tomorrow (a new solution form, a note for
authors) stays private until someone decides to show it. Never included:
solutions, groups, tolerances, calibration, tutorial, level, skill, tube.

Proposals keep their 1-based index in the item file as `id` (the id the
answer payload uses) and are shown in an order shuffled from `seed` (e.g. the
assessment id): the same candidate sees the same order again on reload, two
candidates side by side see different orders.
"""
from __future__ import annotations

import hashlib

from chalicelib.domain.items import Item

VIEW_KEYS = ("id", "type", "instruction", "proposals", "fields", "timer", "focused",
             "locales", "illustration_alt", "accessible")


def candidate_view(item: Item, seed: str) -> dict:
    view: dict = {
        "id": item.id,
        "type": item.type.value,
        "instruction": item.instruction,
        "timer": item.timer,
        "focused": item.focused,
        "locales": list(item.locales),
        "illustration_alt": item.illustration_alt,
        "accessible": item.accessible,
    }
    if item.type.is_choice:
        proposals = [{"id": i, "text": text} for i, text in enumerate(item.proposals, start=1)]
        if item.shuffle:
            proposals.sort(key=lambda p: _rank(seed, item.id, p["id"]))
        view["proposals"] = proposals
    else:
        view["fields"] = [{"key": f.key, "label": f.label, "kind": f.kind} for f in item.fields]
    return view


def _rank(seed: str, item_id: str, proposal_id: int) -> bytes:
    """A stable pseudo-random sort key: same on every Lambda, every Python."""
    return hashlib.sha256(f"{seed}\x1f{item_id}\x1f{proposal_id}".encode()).digest()

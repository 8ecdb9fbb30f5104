"""Serving the illustrations and attachments of the item bank.

One user action: a browser fetches a file an item view pointed at. Only
files of validated items are known (`ItemBank.files`): a draft's picture is
not published before the draft is. Names are content hashes
(`domain/items.py::ItemFile`), so nothing here can tell which item a file
belongs to, let alone its answer.
"""
from __future__ import annotations

from chalicelib.bank import assets
from chalicelib.bank.loader import DEFAULT_ROOT, get_bank
from chalicelib.domain.errors import NotFound
from chalicelib.domain.items import ItemFile


def get_item_file(name: str) -> tuple[ItemFile, bytes]:
    """The file published under `name` and its bytes; NotFound otherwise
    (unknown, malformed, or belonging only to unpublished items)."""
    item_file = get_bank().files.get(name) if assets.PUBLIC_NAME.match(name or "") else None
    if item_file is None:
        raise NotFound("Fichier introuvable.", code="file_not_found")
    return item_file, assets.read_bytes(DEFAULT_ROOT, item_file)

"""RGPD: one registry of the personal data each feature holds about a user.

A feature registers, at import of its service module, how to export and how
to erase what it keeps:

    personal_data.register("positioning", export_fn, erase_fn)

`export_fn(user_id) -> dict` returns JSON-serialisable data; `erase_fn(user_id)`
deletes or anonymises it and must be idempotent (a failed account deletion
is retried from the start). Certificates register an eraser that anonymises,
so they stay verifiable. The accounts feature exports/erases its own data
itself, last, after every registered eraser succeeded.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

ExportFn = Callable[[str], dict]
EraseFn = Callable[[str], None]


@dataclass(frozen=True)
class Holder:
    name: str
    export: ExportFn
    erase: EraseFn


_holders: dict[str, Holder] = {}


def register(name: str, export_fn: ExportFn, erase_fn: EraseFn) -> None:
    """(Re-)register a feature's callbacks; the same name replaces the previous ones."""
    _holders[name] = Holder(name, export_fn, erase_fn)


def unregister(name: str) -> None:
    _holders.pop(name, None)


def registered() -> list[str]:
    return sorted(_holders)


def export_all(user_id: str) -> dict[str, dict]:
    return {name: _holders[name].export(user_id) for name in registered()}


def erase_all(user_id: str) -> None:
    for name in registered():
        _holders[name].erase(user_id)

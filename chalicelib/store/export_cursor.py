"""The answer export's high-water mark, one item in the assessments table.

    pk=EXPORT#<name>  sk=CURSOR   done_ms: every answer up to it is exported;
                                  pending_to_ms: the window a run started and
                                  has not confirmed (a rerun finishes that same
                                  window, so it rewrites the same objects)

Both moves are conditional on the previous value: two overlapping runs cannot
both advance the cursor.
"""
from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.tables import AssessmentsTable
from chalicelib.store.writes import Conflicting, get_or_none, update


class ExportCursorRecord(AssessmentsTable):
    export_name = UnicodeAttribute()
    done_ms = NumberAttribute(default=0)
    pending_to_ms = NumberAttribute(null=True)


@dataclass(frozen=True)
class Cursor:
    done_ms: int
    pending_to_ms: int | None


def _key(name: str) -> tuple[str, str]:
    return f"EXPORT#{name}", "CURSOR"


def read(name: str) -> Cursor:
    rec = get_or_none(ExportCursorRecord, *_key(name))
    if rec is None:
        return Cursor(0, None)
    return Cursor(int(rec.done_ms or 0),
                  int(rec.pending_to_ms) if rec.pending_to_ms is not None else None)


def begin(name: str, cursor: Cursor, to_ms: int) -> bool:
    """Record the window (cursor.done_ms, to_ms] as started; False when another run moved first."""
    rec = ExportCursorRecord(*_key(name), export_name=name)
    try:
        update(rec, [ExportCursorRecord.export_name.set(name),
                     ExportCursorRecord.done_ms.set(cursor.done_ms),
                     ExportCursorRecord.pending_to_ms.set(to_ms)],
               condition=_unchanged(cursor))
        return True
    except Conflicting:
        return False


def commit(name: str, cursor: Cursor, to_ms: int) -> bool:
    """The window is written: done_ms := to_ms, nothing pending."""
    rec = ExportCursorRecord(*_key(name), export_name=name)
    try:
        update(rec, [ExportCursorRecord.done_ms.set(to_ms), ExportCursorRecord.pending_to_ms.remove()],
               condition=(ExportCursorRecord.done_ms == cursor.done_ms)
               & (ExportCursorRecord.pending_to_ms == to_ms))
        return True
    except Conflicting:
        return False


def _unchanged(cursor: Cursor):
    if cursor.done_ms == 0 and cursor.pending_to_ms is None:
        return ExportCursorRecord.pk.does_not_exist() | (
            (ExportCursorRecord.done_ms == 0) & ExportCursorRecord.pending_to_ms.does_not_exist())
    pending = (ExportCursorRecord.pending_to_ms.does_not_exist() if cursor.pending_to_ms is None
               else ExportCursorRecord.pending_to_ms == cursor.pending_to_ms)
    return (ExportCursorRecord.done_ms == cursor.done_ms) & pending

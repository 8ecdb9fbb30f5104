"""The scheduled answer export: answered responses to S3 as JSON Lines, for calibration.

    s3://<prefix>-answers/answers/date=YYYY-MM-DD/part-<from_ms>-<to_ms>.jsonl

One run exports the window (done_ms, now - LAG_MS]: the lag leaves time for
an answer timestamped just before `now` to be written. Resumable and
idempotent: the window is recorded as pending before anything is written
(store/export_cursor.py), so a run cut off mid-way is finished by the next
one with the same bounds, hence the same object keys and the same sorted
content; only then does the cursor move. A rerun after a finished run has
an empty window and writes nothing. Records carry no direct identifier
(domain/answer_export.py).

Cost: two Scans (positioning, certification courses) per run, filtered by
the last answer where the item records it; hourly this stays far below the
traffic of the answers themselves, and no request path pays for it.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from chalicelib.domain import answer_export
from chalicelib.services import secrets
from chalicelib.store import accounts, assessments, certification, export_cursor, object_store

log = logging.getLogger("pix.jobs.export_answers")
NAME = "answers"
LAG_MS = 60_000
PREFIX = "answers/"


@dataclass
class RunReport:
    window: tuple[int, int] | None = None
    records: int = 0
    objects: list[str] = field(default_factory=list)
    skipped: str | None = None

    def as_dict(self) -> dict:
        return {"window": list(self.window) if self.window else None, "records": self.records,
                "objects": self.objects, "skipped": self.skipped}


def run(now_ms: int | None = None) -> RunReport:
    report = RunReport()
    now_ms = assessments.now_ms() if now_ms is None else now_ms
    cursor = export_cursor.read(NAME)
    to_ms = cursor.pending_to_ms if cursor.pending_to_ms is not None else now_ms - LAG_MS
    if to_ms <= cursor.done_ms:
        report.skipped = "nothing new"
        return report
    if cursor.pending_to_ms is None and not export_cursor.begin(NAME, cursor, to_ms):
        report.skipped = "another run is exporting"
        return report
    started = export_cursor.Cursor(cursor.done_ms, to_ms)
    report.window = (cursor.done_ms, to_ms)
    parts = export_window(cursor.done_ms, to_ms)
    for day, lines in sorted(parts.items()):
        key = f"{PREFIX}date={day}/part-{cursor.done_ms}-{to_ms}.jsonl"
        object_store.put(key, ("\n".join(lines) + "\n").encode())
        report.objects.append(key)
        report.records += len(lines)
    if not export_cursor.commit(NAME, started, to_ms):
        report.skipped = "another run committed this window"
    log.info('{"job": "export_answers", "records": %d, "objects": %d}', report.records, len(report.objects))
    return report


def export_window(since_ms: int, to_ms: int) -> dict[str, list[str]]:
    """day -> the sorted JSON lines of the answers given in (since_ms, to_ms]."""
    sheets = assessments.answered_since(since_ms) + certification.courses_answered_since(since_ms)
    births = accounts.birth_dates([s.user_id for s in sheets])
    key = secrets.export_pseudonym_key()
    parts: dict[str, list[str]] = defaultdict(list)
    for sheet in sheets:
        for rec in answer_export.records(
                answers=sheet.answers, started_at=sheet.started_at, context=sheet.context,
                bank_version=sheet.bank_version, learner=answer_export.pseudonym(key, sheet.user_id),
                birth_date=births.get(sheet.user_id), neutralised=sheet.neutralised,
                since_ms=since_ms, to_ms=to_ms):
            parts[rec.day].append(rec.line())
    return {day: sorted(lines) for day, lines in parts.items()}


def handler(event, context) -> dict:
    """Lambda entry (hourly)."""
    started = time.monotonic()
    report = run()
    log.info('{"job": "export_answers", "seconds": %.1f}', time.monotonic() - started)
    return report.as_dict()

"""Positioning state: one DynamoDB item per (user, competence).

Access patterns
- serve / answer:   GetItem  pk=USER#<id> sk=COMP#<code>   (strongly consistent)
- post an answer:   UpdateItem same key, conditional on `version` (one write, ReturnValues
                    ALL_NEW: the new state comes back with the write, no re-read)
- certification:    `certification_course_id` on every state item of the user (set at join,
                    cleared by the first answer after that course ended): the answer learns
                    from its one read whether a certification may be running
- profile:          Query    pk=USER#<id> sk begins_with COMP#
- reset / improve:  PutItem  pk=USER#<id> sk=HIST#<code>#<started_at> (archive),
                    then the conditional update of the state

Answers are kept inside the state item as compact strings
("item_id|status|answered_at_ms|idempotency_key"): one answer costs exactly one
conditional UpdateItem billed on a ~2 KB item, cheaper than a transaction
writing an answer item plus the state (measured in docs/benchmarks.md).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.store.tables import AssessmentsTable


class PositioningRecord(AssessmentsTable):
    assessment_id = UnicodeAttribute()
    competence = UnicodeAttribute()
    status = UnicodeAttribute()                 # started | completed
    started_at = NumberAttribute()              # epoch ms
    completed_at = NumberAttribute(null=True)
    last_answer_at = NumberAttribute(null=True)
    current_item_id = UnicodeAttribute(null=True)
    served_at = NumberAttribute(null=True)
    answers = ListAttribute(of=UnicodeAttribute, default=list)
    carried = ListAttribute(of=UnicodeAttribute, default=list)  # improve: kept ok answers
    attempt = NumberAttribute(default=1)
    bank_version = UnicodeAttribute(null=True)
    certification_course_id = UnicodeAttribute(null=True)  # see mark_certification
    version = VersionAttribute()


class HistoryRecord(AssessmentsTable):
    assessment_id = UnicodeAttribute()
    competence = UnicodeAttribute()
    status = UnicodeAttribute()
    started_at = NumberAttribute()
    completed_at = NumberAttribute(null=True)
    answers = ListAttribute(of=UnicodeAttribute, default=list)
    carried = ListAttribute(of=UnicodeAttribute, default=list)
    archived_reason = UnicodeAttribute()        # reset | improve


@dataclass
class StoredAnswer:
    """One answer as stored. Besides the outcome, what the calibration and the
    item statistics need and no response ever shows: `pilot` (served in a
    pilot slot, never scored, even after the item is promoted), `choices`
    (canonical 1-based proposal indices of a choice answer, for distractor
    rates) and `focus_lost` (the learner reported leaving the page)."""

    item_id: str
    status: str
    answered_at: int
    key: str = ""
    pilot: bool = False
    choices: tuple[int, ...] = ()
    focus_lost: bool = False

    def encode(self) -> str:
        """`item|status[;flags]|at|key`: flags ride on the status part (the key,
        last, is client text and may hold any character), so answers written
        before the flags existed decode unchanged."""
        flags = (["p"] if self.pilot else []) + (["f"] if self.focus_lost else []) + (
            ["c" + ".".join(map(str, self.choices))] if self.choices else [])
        status = ";".join([self.status, *flags])
        return f"{self.item_id}|{status}|{self.answered_at}|{self.key}"

    @staticmethod
    def decode(raw: str) -> "StoredAnswer":
        item_id, status, at, key = (raw.split("|", 3) + ["", "", ""])[:4]
        status, *flags = status.split(";")
        choices = next((tuple(int(c) for c in f[1:].split(".") if c.isdigit())
                        for f in flags if f.startswith("c")), ())
        return StoredAnswer(item_id, status, int(at or 0), key, pilot="p" in flags,
                            choices=choices, focus_lost="f" in flags)

    def public(self) -> dict:
        """What the learner's own data export shows: the pilot flag stays
        internal (a pilot item is never revealed as such)."""
        return {"item_id": self.item_id, "status": self.status, "answered_at": self.answered_at,
                "key": self.key}


@dataclass
class PositioningState:
    user_id: str
    competence: str
    assessment_id: str
    status: str
    started_at: int
    completed_at: int | None
    last_answer_at: int | None
    current_item_id: str | None
    served_at: int | None
    answers: list[StoredAnswer] = field(default_factory=list)
    carried: list[StoredAnswer] = field(default_factory=list)
    attempt: int = 1
    version: int | None = None
    certification_course_id: str | None = None


class ConcurrentUpdate(Exception):
    """Another request changed the state first; re-read and decide again."""


def _key(user_id: str, competence: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"COMP#{competence}"


def _to_state(user_id: str, rec: PositioningRecord) -> PositioningState:
    return PositioningState(
        user_id=user_id, competence=rec.competence, assessment_id=rec.assessment_id,
        status=rec.status, started_at=int(rec.started_at),
        completed_at=int(rec.completed_at) if rec.completed_at is not None else None,
        last_answer_at=int(rec.last_answer_at) if rec.last_answer_at is not None else None,
        current_item_id=rec.current_item_id,
        served_at=int(rec.served_at) if rec.served_at is not None else None,
        answers=[StoredAnswer.decode(a) for a in rec.answers or []],
        carried=[StoredAnswer.decode(a) for a in rec.carried or []],
        attempt=int(rec.attempt or 1), version=rec.version,
        certification_course_id=rec.certification_course_id)


def get(user_id: str, competence: str) -> PositioningState | None:
    try:
        rec = PositioningRecord.get(*_key(user_id, competence), consistent_read=True)
    except DoesNotExist:
        return None
    return _to_state(user_id, rec)


def list_for_user(user_id: str) -> list[PositioningState]:
    return [_to_state(user_id, r) for r in PositioningRecord.query(
        f"USER#{user_id}", PositioningRecord.sk.startswith("COMP#"))]


def create(state: PositioningState, bank_version: str) -> PositioningState:
    """First start of a competence (conditional: a racing start loses cleanly)."""
    rec = _record(state, bank_version)
    try:
        rec.save(condition=PositioningRecord.pk.does_not_exist())
    except PutError as err:
        if _conditional(err):
            raise ConcurrentUpdate() from err
        raise
    state.version = rec.version
    return state


def replace(state: PositioningState, bank_version: str) -> PositioningState:
    """Start a new attempt over an existing record (reset/improve), version-checked."""
    rec = _record(state, bank_version)
    rec.version = state.version
    try:
        rec.save()
    except PutError as err:
        if _conditional(err):
            raise ConcurrentUpdate() from err
        raise
    state.version = rec.version
    return state


def record_answer(state: PositioningState, answer: StoredAnswer, *, next_item_id: str | None,
                  now_ms: int, completed: bool, clear_certification: bool = False,
                  start_next: bool = True) -> PositioningState:
    """The single write of an answer: append it, set the next item, bump the
    version (and drop the certification mark once that test has ended). The
    update returns the whole new item (ALL_NEW), so the caller needs no re-read.
    `start_next=False`: the next item waits for `start_item` (no served time)."""
    rec = PositioningRecord(*_key(state.user_id, state.competence))
    rec.version = state.version
    actions = [
        PositioningRecord.answers.set(PositioningRecord.answers.append([answer.encode()])),
        PositioningRecord.last_answer_at.set(now_ms),
    ]
    if completed:
        actions += [PositioningRecord.status.set("completed"),
                    PositioningRecord.completed_at.set(now_ms),
                    PositioningRecord.current_item_id.remove(),
                    PositioningRecord.served_at.remove()]
    else:
        actions += [PositioningRecord.current_item_id.set(next_item_id),
                    PositioningRecord.served_at.set(now_ms) if start_next else PositioningRecord.served_at.remove()]
    if clear_certification:
        actions.append(PositioningRecord.certification_course_id.remove())
    try:
        rec.update(actions=actions, condition=PositioningRecord.current_item_id == answer.item_id)
    except UpdateError as err:
        if _conditional(err):
            raise ConcurrentUpdate() from err
        raise
    return _to_state(state.user_id, rec)


def start_item(state: PositioningState, item_id: str, now_ms: int) -> PositioningState:
    """Start the clock of the current item, once: conditional on it still
    being the current item and not started yet (a second start, from another
    tab or a retry, fails the condition and the caller re-reads)."""
    rec = PositioningRecord(*_key(state.user_id, state.competence))
    rec.version = state.version
    try:
        rec.update(actions=[PositioningRecord.served_at.set(now_ms)],
                   condition=(PositioningRecord.current_item_id == item_id)
                   & PositioningRecord.served_at.does_not_exist())
    except UpdateError as err:
        if _conditional(err):
            raise ConcurrentUpdate() from err
        raise
    return _to_state(state.user_id, rec)


def mark_certification(user_id: str, course_id: str) -> None:
    """Write the user's certification course on each of their competence states
    (one Query and one UpdateItem per competence started, once per join), so that
    an answer reads it in the state it reads anyway. The version is bumped (not
    checked): an answer that read the state before the mark fails its own
    version condition, re-reads and sees the mark."""
    for rec in PositioningRecord.query(f"USER#{user_id}", PositioningRecord.sk.startswith("COMP#"),
                                       attributes_to_get=["pk", "sk", "version"]):
        try:
            rec.update(actions=[PositioningRecord.certification_course_id.set(course_id)],
                       condition=PositioningRecord.pk.exists(), add_version_condition=False)
        except UpdateError as err:
            if not _conditional(err):  # deleted meanwhile (account erasure): nothing to mark
                raise


def archive(state: PositioningState, reason: str) -> None:
    HistoryRecord(
        f"USER#{state.user_id}", f"HIST#{state.competence}#{state.started_at}",
        assessment_id=state.assessment_id, competence=state.competence, status=state.status,
        started_at=state.started_at, completed_at=state.completed_at,
        answers=[a.encode() for a in state.answers], carried=[a.encode() for a in state.carried],
        archived_reason=reason,
    ).save()


def history(user_id: str, competence: str | None = None) -> list[HistoryRecord]:
    prefix = f"HIST#{competence}#" if competence else "HIST#"
    return list(HistoryRecord.query(f"USER#{user_id}", HistoryRecord.sk.startswith(prefix)))


def delete_all_for_user(user_id: str) -> None:
    for rec in AssessmentsTable.query(f"USER#{user_id}"):
        rec.delete()


@dataclass
class AnswerSheet:
    """One test's answers as the answer export reads them (no identity but the user id,
    which the export turns into a pseudonym)."""
    user_id: str
    context: str                     # positioning | certification
    bank_version: str
    started_at: int                  # epoch ms: the first item was served then
    answers: list[StoredAnswer]
    neutralised: frozenset[str] = frozenset()


def answered_since(since_ms: int) -> list[AnswerSheet]:
    """Every positioning attempt (current and archived) that may hold an answer
    after `since_ms`: a Scan, filtered server-side where the record says when it
    was last answered (archived attempts do not, so they are all read). Run by
    the export job only, never in a request."""
    sheets = [AnswerSheet(r.pk.removeprefix("USER#"), "positioning", r.bank_version or "",
                          int(r.started_at), [StoredAnswer.decode(a) for a in r.answers or []])
              for r in PositioningRecord.scan(PositioningRecord.sk.startswith("COMP#")
                                              & (PositioningRecord.last_answer_at > since_ms))]
    sheets += [AnswerSheet(r.pk.removeprefix("USER#"), "positioning", "",
                           int(r.started_at), [StoredAnswer.decode(a) for a in r.answers or []])
               for r in HistoryRecord.scan(HistoryRecord.sk.startswith("HIST#"))]
    return [s for s in sheets if any(a.answered_at > since_ms for a in s.answers)]


def _record(state: PositioningState, bank_version: str) -> PositioningRecord:
    return PositioningRecord(
        *_key(state.user_id, state.competence), assessment_id=state.assessment_id,
        competence=state.competence, status=state.status, started_at=state.started_at,
        completed_at=state.completed_at, last_answer_at=state.last_answer_at,
        current_item_id=state.current_item_id, served_at=state.served_at,
        answers=[a.encode() for a in state.answers], carried=[a.encode() for a in state.carried],
        attempt=state.attempt, bank_version=bank_version,
        certification_course_id=state.certification_course_id)


def _conditional(err: Exception) -> bool:
    return getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException"


def now_ms() -> int:
    return int(time.time() * 1000)

"""Certification data in one table (keys below), the only code that touches it.

Access patterns
- centre:            pk=CENTRE#<id>  sk=CENTRE
- centre members:    pk=CENTRE#<id>  sk=MEMBER#<user>
- session:           pk=SESSION#<id> sk=SESSION; gsi1 CENTRE#<id>/SESSION#<date>#<id> lists a
                     centre's sessions; gsi2 STATUS#finalised/<ts> (sparse) feeds the job
- access code:       pk=ACCESS#<code> sk=ACCESS  (conditional put: unique among open sessions)
- session number:    pk=SESSNUM#<number> sk=SESSNUM  (conditional put with the session: unique forever,
                     never released; a random draw retried on collision, so no counter item is hot)
- finalisation report: pk=SESSION#<id> sk=REPORT#<filing>#<candidate>, one per candidate absent or
                     with incidents (the default, present without incident, is not written), put
                     before the session's conditional move to finalised, which names the <filing>:
                     a filing that lost the race, or was cut off, is never read. The session item
                     keeps only the comment, who and when (sessions finalised before hold their
                     reports in `finalisation.candidates`)
- candidate:         pk=SESSION#<id> sk=CAND#<id>   (written by the centre, once by the candidate at join);
                     gsi1 SESSION#<id>#ID#<last name>#<birth date> finds the enrolment at join
- course (the test): pk=COURSE#<id>  sk=COURSE, in no index: every answer writes only this item
                     (no shared hot key) and, being in no ALL-projected index, writes no index copy
- course's user link: pk=COURSE#<id> sk=USER#<user>; gsi1 USER#<id>/COURSE#<id> lists a user's
                     courses (written once at join; see create_course)
- certificate:       pk=CERT#<course> sk=CERT; gsi1 USER#<id>/CERT#<date>; gsi2 UAI#<uai>/<last name>
- verification code: pk=VERIFY#<code> sk=VERIFY   (put with the certificate in one transaction)
- status list index: pk=STATUSIDX#<list>#<index> sk=STATUSIDX (one item per index reserved: a random
                     draw, conditional put with the certificate's update, no shared counter)
- revoked bit:       pk=STATUSLIST#<list> sk=BIT#<index> (written with a cancellation; the list's
                     partition holds only its cancellations, read whole to serve the list)
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Iterator

from pynamodb.attributes import (BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute,
                                 UnicodeAttribute, VersionAttribute)
from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.certification.course import Course, CourseAnswer
from chalicelib.domain.certification.session import Candidate, Centre, Session
from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.certification.session import Step
from chalicelib.store.assessments import StoredAnswer
from chalicelib.store.tables import CertificationTable
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.store.writes import (Conflicting, conditional_failed, get_or_none, put_all_new,  # noqa: F401
                                     put_new, update)


FINALISED_QUEUE = "STATUS#finalised"  # gsi2 partition of the sessions waiting for the job


class CentreRecord(CertificationTable):
    centre_id = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    uai = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class CentreMemberRecord(CertificationTable):
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()


class SessionRecord(CertificationTable):
    session_id = UnicodeAttribute()
    centre_id = UnicodeAttribute()
    date = UnicodeAttribute()
    time = UnicodeAttribute()
    address = UnicodeAttribute()
    room = UnicodeAttribute()
    examiner = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    access_code = UnicodeAttribute()
    invigilator_password_hash = UnicodeAttribute()
    status = UnicodeAttribute()
    transitions = ListAttribute(of=MapAttribute, default=list)
    finalisation = MapAttribute(null=True)
    has_fraud_report = BooleanAttribute(default=False)
    number = UnicodeAttribute(null=True)  # absent on sessions created before numbers existed
    version = VersionAttribute()


class ReportRecord(CertificationTable):
    """One candidate's finalisation report (presence, incidents): its own item,
    so the session item stays the same size whatever the session's size."""
    candidate_id = UnicodeAttribute()
    present = BooleanAttribute(default=True)
    incidents = ListAttribute(of=MapAttribute, default=list)


class AccessCodeRecord(CertificationTable):
    session_id = UnicodeAttribute()


class SessionNumberRecord(CertificationTable):
    """The claim on a session number: its conditional put is what makes the
    number unique, without a counter every creation would update."""
    session_id = UnicodeAttribute()


class CandidateRecord(CertificationTable):
    candidate_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    birth_place = UnicodeAttribute(default="")
    sex = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    extra_time_percent = NumberAttribute(default=0)
    accessibility = BooleanAttribute(default=False)
    user_id = UnicodeAttribute(null=True)
    course_id = UnicodeAttribute(null=True)
    ine = UnicodeAttribute(null=True)
    organisation_id = UnicodeAttribute(null=True)


class CourseRecord(CertificationTable):
    course_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    candidate_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()            # waiting | started | ended | completed
    authorised = BooleanAttribute(default=False)
    answers = ListAttribute(of=UnicodeAttribute, default=list)
    current_item_id = UnicodeAttribute(null=True)
    served_at = NumberAttribute(null=True)
    neutralised = ListAttribute(of=UnicodeAttribute, default=list)
    alerts = ListAttribute(of=MapAttribute, default=list)
    ended_by = UnicodeAttribute(null=True)  # invigilator | completed
    extra_time_percent = NumberAttribute(default=0)
    accessible_only = BooleanAttribute(default=False)
    certification_version = UnicodeAttribute()
    started_at = NumberAttribute(null=True)
    ended_at = NumberAttribute(null=True)
    version = VersionAttribute()


class CourseUserLink(CertificationTable):
    """A course's entry in its user's index (gsi1 USER#<user> / COURSE#<course>).

    The course item stays out of every index: gsi1 projects ALL attributes, so
    an indexed course would have every answer written twice (table + index;
    measured by scripts/bench.py: half of the write units of an answer)."""
    course_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class CertificateRecord(CertificationTable):
    certificate_id = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    session_id = UnicodeAttribute()
    verification_code = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    session_date = UnicodeAttribute()
    centre_name = UnicodeAttribute()
    global_score = NumberAttribute()
    level = NumberAttribute()
    level_label = UnicodeAttribute()
    competence_levels = MapAttribute(default=dict)
    competence_level_ranges = MapAttribute(default=dict)  # "1.1" -> [low, high]
    certification_version = UnicodeAttribute()
    issued_at = UnicodeAttribute()
    status = UnicodeAttribute()
    published = BooleanAttribute(default=False)
    ine = UnicodeAttribute(null=True)
    theta = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    birth_place = UnicodeAttribute(default="")
    cancelled_at = UnicodeAttribute(null=True)
    cancelled_by = UnicodeAttribute(null=True)
    cancellation_reason = UnicodeAttribute(null=True)
    status_list = UnicodeAttribute(null=True)
    status_index = NumberAttribute(null=True)


class VerificationRecord(CertificationTable):
    certificate_id = UnicodeAttribute()


class StatusIndexRecord(CertificationTable):
    """One reserved index of a status list (its key is the reservation)."""
    certificate_id = UnicodeAttribute()


class RevokedBitRecord(CertificationTable):
    """A set bit of a status list: the certificate behind it was cancelled."""
    certificate_id = UnicodeAttribute()
    index = NumberAttribute()
    at = UnicodeAttribute()


def plain(value) -> dict:
    """A raw MapAttribute as a plain dict (PynamoDB returns MapAttribute objects)."""
    if value is None:
        return {}
    return value.as_dict() if hasattr(value, "as_dict") else dict(value)


def _record_steps(session: SessionRecord, steps: list[Step], also: tuple = ()) -> bool:
    """Move a session along its lifecycle: status := the last step's, the steps
    appended to its history, with `also`'s actions, all only if the stored
    status is still one the first step may start from (`session.sources`).
    False when it is not (another writer moved the session first, or this
    very update was retried)."""
    expected = SessionRecord.status.is_in(*(s.value for s in lifecycle.sources(steps[0].status)))
    try:
        update(session, [SessionRecord.status.set(steps[-1].status.value),
                         SessionRecord.transitions.set(SessionRecord.transitions.append(
                             [step.as_dict() for step in steps])), *also],
               condition=expected)
        return True
    except Conflicting:
        return False


def move_session(session: SessionRecord, step: Step) -> bool:
    """A plain transition (in progress, published by an admin)."""
    return _record_steps(session, [step])


def finalise_session(session: SessionRecord, step: Step, finalisation: dict, fraud: bool) -> bool:
    """Finalised, with the centre's report, and listed for the job (sparse gsi2)."""
    return _record_steps(session, [step], also=(
        SessionRecord.finalisation.set(finalisation), SessionRecord.has_fraud_report.set(fraud),
        SessionRecord.gsi2pk.set(FINALISED_QUEUE), SessionRecord.gsi2sk.set(f"{step.at:012d}#{session.session_id}")))


def put_reports(session_id: str, filing: str, reports: dict[str, dict]) -> None:
    """The reports of one filing (`finalise_session` then names it). Idempotent."""
    batch_put([ReportRecord(f"SESSION#{session_id}", f"REPORT#{filing}#{cid}", candidate_id=cid,
                            present=bool(r.get("present", True)), incidents=list(r.get("incidents") or []))
               for cid, r in reports.items()])


def finalisation_reports(session: Session | SessionRecord) -> dict[str, dict]:
    """Candidate id -> {"present", "incidents"} as filed at finalisation, for
    the candidates whose report is not the default (present, no incident):
    one Query of the filing's items, as many as absences and incidents."""
    filed = plain(session.finalisation)
    filing = filed.get("reports")
    if not filing:  # finalised before reports had their own items
        return {cid: plain(r) for cid, r in (plain(filed.get("candidates")) or {}).items()}
    return {r.candidate_id: {"present": bool(r.present), "incidents": [plain(i) for i in r.incidents or []]}
            for r in ReportRecord.query(f"SESSION#{session.session_id}",
                                        ReportRecord.sk.startswith(f"REPORT#{filing}#"),
                                        consistent_read=True)}


def close_session(session: Session, steps: list[Step]) -> bool:
    """The job's close (processed, maybe published), leaving the job's queue;
    under the session's optimistic lock as the job read it (`revision`)."""
    rec = SessionRecord(f"SESSION#{session.session_id}", "SESSION", session_id=session.session_id,
                        version=session.revision)
    return _record_steps(rec, steps, also=(SessionRecord.gsi2pk.remove(), SessionRecord.gsi2sk.remove()))


def _queued_session(rec: SessionRecord) -> Session:
    """A session read from the job's queue, as the domain model."""
    return Session(
        session_id=rec.session_id, centre_id=rec.centre_id, date=rec.date, time=rec.time,
        address=rec.address, room=rec.room, examiner=rec.examiner, access_code=rec.access_code,
        invigilator_password_hash=rec.invigilator_password_hash,
        status=lifecycle.SessionStatus(rec.status), description=rec.description or "",
        transitions=tuple(Step(lifecycle.SessionStatus(t["status"]), t["by"], int(t["at"]))
                          for t in (plain(t) for t in rec.transitions or [])),
        finalisation=plain(rec.finalisation) if rec.finalisation is not None else None,
        has_fraud_report=bool(rec.has_fraud_report), revision=rec.version, number=rec.number)


def _centre(rec: CentreRecord) -> Centre:
    return Centre(centre_id=rec.centre_id, name=rec.name, type=rec.type, uai=rec.uai,
                  created_at=int(rec.created_at))


def create_centre(centre: Centre) -> None:
    put_new(CentreRecord(f"CENTRE#{centre.centre_id}", "CENTRE", centre_id=centre.centre_id,
                         name=centre.name, type=centre.type, uai=centre.uai,
                         created_at=centre.created_at))


def add_centre_member(centre_id: str, user_id: str, role: str) -> None:
    """Idempotent: adding a member again overwrites the same item."""
    batch_put([CentreMemberRecord(f"CENTRE#{centre_id}", f"MEMBER#{user_id}", user_id=user_id, role=role)])


def create_session(session: Session) -> SessionRecord:
    """The session, its access code and its number claim in one transaction;
    raises Conflicting when the code is taken by another open session or the
    number by any session (or this very write was retried: the caller tells
    by reading the session back, and draws both again otherwise)."""
    rec = SessionRecord(
        f"SESSION#{session.session_id}", "SESSION", session_id=session.session_id,
        centre_id=session.centre_id, date=session.date, time=session.time, address=session.address,
        room=session.room, examiner=session.examiner, description=session.description,
        access_code=session.access_code, invigilator_password_hash=session.invigilator_password_hash,
        status=session.status.value, transitions=[step.as_dict() for step in session.transitions],
        number=session.number,
        gsi1pk=f"CENTRE#{session.centre_id}", gsi1sk=f"SESSION#{session.date}#{session.session_id}")
    claims = [AccessCodeRecord(f"ACCESS#{session.access_code}", "ACCESS", session_id=session.session_id)]
    if session.number:
        claims.append(SessionNumberRecord(f"SESSNUM#{session.number}", "SESSNUM",
                                          session_id=session.session_id))
    put_all_new([rec, *claims])
    return rec


def release_access_code(code: str) -> None:
    """Once finalised, the session's code may be drawn again for a new session."""
    AccessCodeRecord(f"ACCESS#{code}", "ACCESS").delete()


def candidate_record(candidate: Candidate, identity: str) -> CandidateRecord:
    """A new enrolment's item (written by `put_new` or `batch_put`), indexed
    by `identity` (last name + birth date) for the join lookup."""
    return CandidateRecord(
        f"SESSION#{candidate.session_id}", f"CAND#{candidate.candidate_id}",
        candidate_id=candidate.candidate_id, session_id=candidate.session_id,
        first_name=candidate.first_name, last_name=candidate.last_name, birth_date=candidate.birth_date,
        birth_place=candidate.birth_place, sex=candidate.sex, email=candidate.email,
        external_id=candidate.external_id, extra_time_percent=candidate.extra_time_percent,
        accessibility=candidate.accessibility, ine=candidate.ine,
        gsi1pk=_identity_key(candidate.session_id, identity), gsi1sk=f"CAND#{candidate.candidate_id}")


def _identity_key(session_id: str, identity: str) -> str:
    return f"SESSION#{session_id}#ID#{identity}"


def link_candidate(candidate: CandidateRecord, user_id: str, course_id: str) -> None:
    """The enrolment joined by `user_id`; raises Conflicting when another
    account joined it first."""
    update(candidate, [CandidateRecord.user_id.set(user_id), CandidateRecord.course_id.set(course_id)],
           condition=CandidateRecord.user_id.does_not_exist() | (CandidateRecord.user_id == user_id))


def new_course(course: Course) -> CourseRecord:
    """Create a waiting course (raises Conflicting if it exists), see `create_course`."""
    rec = CourseRecord(
        f"COURSE#{course.course_id}", "COURSE", course_id=course.course_id, session_id=course.session_id,
        candidate_id=course.candidate_id, user_id=course.user_id, status=course.status.value,
        authorised=course.authorised, extra_time_percent=course.extra_time_percent,
        accessible_only=course.accessible_only, certification_version=course.certification_version)
    create_course(rec)
    return rec


def answers_of(course: CourseRecord) -> list[CourseAnswer]:
    """A course's answers in domain form: the stored string format (shared
    with positioning's items, see store/assessments.py) stays in the store."""
    return [CourseAnswer(a.item_id, AnswerStatus(a.status), a.answered_at)
            for a in (StoredAnswer.decode(raw) for raw in course.answers or [])]


def append_answer_action(answer: CourseAnswer):
    """The update action adding `answer` to a course (one string per answer)."""
    return CourseRecord.answers.set(CourseRecord.answers.append(
        [StoredAnswer(answer.item_id, answer.status.value, answer.at_ms).encode()]))


# --- course writes: one conditional update each, on the course's version ------------------
# Each raises Conflicting when the course changed since it was read (or its
# condition no longer holds); the service reads again and decides again.


def _serve(next_item_id: str | None, now_ms: int, completed_by: str) -> list:
    """Serve the next item, or complete the course when there is none."""
    if next_item_id is None:
        return [CourseRecord.status.set("completed"), CourseRecord.ended_by.set(completed_by),
                CourseRecord.ended_at.set(now_ms), CourseRecord.current_item_id.remove()]
    return [CourseRecord.status.set("started"), CourseRecord.current_item_id.set(next_item_id),
            CourseRecord.served_at.set(now_ms)]


def withdraw_authorisation(course: CourseRecord) -> None:
    """A candidate rejoining a started course waits for the invigilator again."""
    update(course, [CourseRecord.authorised.set(False)])


def record_course_answer(course: CourseRecord, answer: CourseAnswer, next_item_id: str | None,
                         now_ms: int) -> None:
    """The answer to the current item and what follows it; lands only while
    that item is still the current one (a second tab loses)."""
    update(course, [append_answer_action(answer)] + _serve(next_item_id, now_ms, "completed"),
           condition=CourseRecord.current_item_id == answer.item_id)


def start_course(course: CourseRecord, first_item_id: str | None, now_ms: int) -> None:
    """The invigilator's first authorisation: the clock starts, the first item is served."""
    update(course, [CourseRecord.authorised.set(True), CourseRecord.started_at.set(now_ms)]
           + _serve(first_item_id, now_ms, "completed"),
           condition=CourseRecord.status == "waiting")


def reauthorise_course(course: CourseRecord, now_ms: int) -> None:
    """Resume after a disconnection: the clock of the current item restarts."""
    update(course, [CourseRecord.authorised.set(True), CourseRecord.served_at.set(now_ms)],
           condition=CourseRecord.status == "started")


def end_course_by_invigilator(course: CourseRecord, now_ms: int) -> None:
    update(course, [CourseRecord.status.set("ended"), CourseRecord.ended_by.set("invigilator"),
                    CourseRecord.ended_at.set(now_ms), CourseRecord.current_item_id.remove()])


def neutralise_item(course: CourseRecord, item_id: str, reason: str, now_ms: int, *,
                    replace_current: bool = False, next_item_id: str | None = None) -> None:
    """An alert neutralises `item_id`; when it was the current item
    (`replace_current`), `next_item_id` is served in its place and no answer
    is recorded for it, so a withdrawn item uses no slot of the test."""
    actions = [CourseRecord.neutralised.set(CourseRecord.neutralised.append([item_id])),
               CourseRecord.alerts.set(CourseRecord.alerts.append(
                   [{"item_id": item_id, "reason": reason, "at": now_ms}]))]
    if replace_current:
        actions += _serve(next_item_id, now_ms, "completed")
    update(course, actions)


def batch_put(records: list) -> None:
    if not records:
        return
    with type(records[0]).batch_write() as batch:
        for rec in records:
            batch.save(rec)


# --- reads -------------------------------------------------------------------------


def centre(centre_id: str) -> Centre | None:
    rec = get_or_none(CentreRecord, f"CENTRE#{centre_id}", "CENTRE", consistent=False)
    return _centre(rec) if rec is not None else None


def session(session_id: str) -> SessionRecord | None:
    return get_or_none(SessionRecord, f"SESSION#{session_id}", "SESSION")


# --- pages ---------------------------------------------------------------------------------
# A list that grows with a centre's history or a session's size is read a page at a time: one
# Query of at most `limit` + 1 items (the extra one only tells whether a next page exists). The
# cursor carries the last item's key attributes but never the partition key, which is always
# rebuilt from the URL: a forged cursor cannot reach another centre's or session's items.

INVALID_CURSOR = "Curseur de pagination invalide."


def encode_cursor(key: dict[str, str]) -> str:
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, prefixes: dict[str, str]) -> dict[str, str] | None:
    """The key a page starts after: exactly the attributes of `prefixes`, each a
    string starting with its prefix (else a French 400, never DynamoDB's own
    validation error as a 500)."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = None
    if (not isinstance(key, dict) or set(key) != set(prefixes)
            or not all(isinstance(v, str) and v.startswith(prefixes[k]) and len(v) <= 300
                       for k, v in key.items())):
        raise InvalidInput(INVALID_CURSOR, code="invalid_cursor")
    return key


def _page(query, hash_attr: str, hash_value: str, condition, prefixes: dict[str, str],
          cursor: str | None, limit: int, *, within: tuple[str, str, str] | None = None,
          **options) -> tuple[list, str | None]:
    """`within` = (attribute, low, high): the key range the condition holds; a
    cursor outside it (one from another list) is refused here, as DynamoDB
    would answer a ValidationException."""
    kwargs = {"limit": limit + 1, "page_size": limit + 1, **options}
    start = decode_cursor(cursor, prefixes)
    if start and within and not within[1] <= start[within[0]] <= within[2]:
        raise InvalidInput(INVALID_CURSOR, code="invalid_cursor")
    if start:
        kwargs["last_evaluated_key"] = {hash_attr: {"S": hash_value},
                                        **{k: {"S": v} for k, v in start.items()}}
    items = list(query(hash_value, condition, **kwargs))
    if len(items) > limit:
        last = items[limit - 1]
        return items[:limit], encode_cursor({k: getattr(last, k) for k in prefixes})
    return items, None


SESSION_PAGE_KEYS = {"pk": "SESSION#", "sk": "SESSION", "gsi1sk": "SESSION#"}


def sessions_of_centre(centre_id: str, cursor: str | None, limit: int) -> tuple[list[SessionRecord], str | None]:
    """A page of the centre's sessions, the latest date first (gsi1)."""
    return _page(SessionRecord.gsi1.query, "gsi1pk", f"CENTRE#{centre_id}",
                 SessionRecord.gsi1sk.startswith("SESSION#"), SESSION_PAGE_KEYS, cursor, limit,
                 scan_index_forward=False)


def sessions_of_centre_from(centre_id: str, day: str, cursor: str | None,
                            limit: int) -> tuple[list[SessionRecord], str | None]:
    """A page of the centre's sessions dated `day` (ISO) or later, the soonest
    first: a key range of gsi1 (its sort key starts with the date)."""
    low, high = f"SESSION#{day}", "SESSION#\uffff"
    return _page(SessionRecord.gsi1.query, "gsi1pk", f"CENTRE#{centre_id}",
                 SessionRecord.gsi1sk.between(low, high), SESSION_PAGE_KEYS, cursor, limit,
                 within=("gsi1sk", low, high), scan_index_forward=True)


def sessions_of_centre_before(centre_id: str, day: str, cursor: str | None,
                              limit: int) -> tuple[list[SessionRecord], str | None]:
    """A page of the centre's sessions dated before `day` (ISO), the latest
    first: the history, read a page at a time whatever its length."""
    low, high = "SESSION#", f"SESSION#{day}"
    return _page(SessionRecord.gsi1.query, "gsi1pk", f"CENTRE#{centre_id}",
                 SessionRecord.gsi1sk.between(low, high), SESSION_PAGE_KEYS, cursor, limit,
                 within=("gsi1sk", low, high), scan_index_forward=False)


def candidates_page(session_id: str, cursor: str | None, limit: int) -> tuple[list[CandidateRecord], str | None]:
    """A page of the session's candidates (strongly consistent, like `candidates`)."""
    return _page(CandidateRecord.query, "pk", f"SESSION#{session_id}", CandidateRecord.sk.startswith("CAND#"),
                 {"sk": "CAND#"}, cursor, limit, consistent_read=True)


def sessions(session_ids: list[str]) -> dict[str, SessionRecord]:
    """Several sessions in one BatchGet (a page of a list)."""
    keys = [(f"SESSION#{sid}", "SESSION") for sid in dict.fromkeys(session_ids)]
    return {r.session_id: r for r in SessionRecord.batch_get(keys)} if keys else {}


def session_by_number(number: str) -> SessionRecord | None:
    """Two GetItems (the claim, then the session): no index, no scan."""
    claim = get_or_none(SessionNumberRecord, f"SESSNUM#{number}", "SESSNUM", consistent=False)
    return session(claim.session_id) if claim else None


def session_by_access_code(code: str) -> SessionRecord | None:
    link = get_or_none(AccessCodeRecord, f"ACCESS#{code}", "ACCESS")
    return session(link.session_id) if link else None


def candidates(session_id: str) -> list[CandidateRecord]:
    return list(CandidateRecord.query(f"SESSION#{session_id}", CandidateRecord.sk.startswith("CAND#"),
                                      consistent_read=True))


def candidates_with_identity(session_id: str, identity: str) -> list[CandidateRecord]:
    """Join lookup without reading the whole session (gsi1: last name + birth date).
    The GSI is eventually consistent: enrolment happens long before joining."""
    return list(CandidateRecord.gsi1.query(_identity_key(session_id, identity)))


def candidate(session_id: str, candidate_id: str) -> CandidateRecord | None:
    return get_or_none(CandidateRecord, f"SESSION#{session_id}", f"CAND#{candidate_id}")


def course(course_id: str) -> CourseRecord | None:
    return get_or_none(CourseRecord, f"COURSE#{course_id}", "COURSE")


def courses(course_ids: list[str], *, consistent: bool = False) -> dict[str, CourseRecord]:
    keys = [(f"COURSE#{cid}", "COURSE") for cid in dict.fromkeys(course_ids)]
    return {r.course_id: r for r in CourseRecord.batch_get(keys, consistent_read=consistent)} if keys else {}


def create_course(course: CourseRecord) -> None:
    """Create a course (conditional: raises Conflicting if it exists) and its
    entry in the user's index. Index keys set on `course` go to the entry.
    The entry is written first and is idempotent: a join cut off in between
    leaves an entry without a course, which `courses_of_user` skips."""
    course.gsi1pk = course.gsi1sk = None
    CourseUserLink(f"COURSE#{course.course_id}", f"USER#{course.user_id}", course_id=course.course_id,
                   user_id=course.user_id, gsi1pk=f"USER#{course.user_id}",
                   gsi1sk=f"COURSE#{course.course_id}").save()
    put_new(course)


def courses_of_user(user_id: str) -> list[CourseRecord]:
    """Through the user's index entries (and courses indexed themselves, as
    written before create_course), only courses still belonging to the user."""
    ids = [e.course_id for e in CourseUserLink.gsi1.query(f"USER#{user_id}",
                                                          CourseUserLink.gsi1sk.startswith("COURSE#"))]
    found = courses(list(dict.fromkeys(ids)))
    return [found[cid] for cid in dict.fromkeys(ids) if cid in found and found[cid].user_id == user_id]


def forget_courses_of_user(user_id: str) -> None:
    """RGPD erasure: remove the user's index entries of their courses."""
    for entry in CourseUserLink.gsi1.query(f"USER#{user_id}", CourseUserLink.gsi1sk.startswith("COURSE#")):
        if entry.sk.startswith("USER#"):
            entry.delete()


def certificate(certificate_id: str) -> CertificateRecord | None:
    return get_or_none(CertificateRecord, f"CERT#{certificate_id}", "CERT")


def certificates(certificate_ids: list[str]) -> dict[str, CertificateRecord]:
    """Strongly consistent BatchGetItem (PynamoDB splits it by 100 keys)."""
    keys = [(f"CERT#{cid}", "CERT") for cid in dict.fromkeys(certificate_ids)]
    return ({r.certificate_id: r for r in CertificateRecord.batch_get(keys, consistent_read=True)}
            if keys else {})


def publish_certificates_of_session(session_id: str) -> int:
    """Make a held session's certificates public. Read by BatchGetItem, as
    the job reads them: one call per 100 candidates."""
    ids = [cand.course_id for cand in candidates(session_id) if cand.course_id]
    found = certificates(ids)
    count = 0
    for cert in (found[i] for i in ids if i in found):
        if not cert.published:
            update(cert, [CertificateRecord.published.set(True)])
            count += 1
    return count


def decide_certificate(rec: CertificateRecord, status: str, reason: str) -> bool:
    """A jury's decision: the new status and reason, only if the certificate
    is still held (False when another decision landed first)."""
    try:
        update(rec, [CertificateRecord.status.set(status), CertificateRecord.reason.set(reason)],
               condition=CertificateRecord.status == "held")
        return True
    except Conflicting:
        return False


def _transact(build) -> bool:
    """Run `build(tx)` in one TransactWrite; False when a condition failed."""
    try:
        with TransactWrite(connection=CertificationTable._get_connection().connection) as tx:
            build(tx)
        return True
    except TransactWriteError as err:
        if conditional_failed(err):
            return False
        raise


def cancel_certificate(rec: CertificateRecord, *, status: str, reason_code: str, at: str, by: str,
                       reason: str) -> bool:
    """Cancel a validated certificate and, if its badge has a status list entry,
    set that bit, all or nothing. Conditional on the certificate being still
    validated with the status entry read in `rec` (a badge download allocating
    one meanwhile makes this fail: the caller re-reads and retries, so the bit
    of an entry allocated at the same moment is never missed). False when a
    condition failed."""
    entry = CertificateRecord.status_index == rec.status_index if rec.status_index is not None \
        else CertificateRecord.status_index.does_not_exist()

    def build(tx):
        tx.update(rec, actions=[CertificateRecord.status.set(status),
                                CertificateRecord.reason.set(reason_code),
                                CertificateRecord.cancelled_at.set(at),
                                CertificateRecord.cancelled_by.set(by),
                                CertificateRecord.cancellation_reason.set(reason)],
                  condition=(CertificateRecord.status == "validated") & entry)
        if rec.status_index is not None:
            tx.save(RevokedBitRecord(f"STATUSLIST#{rec.status_list}", f"BIT#{int(rec.status_index):07d}",
                                     certificate_id=rec.certificate_id,
                                     index=int(rec.status_index), at=at))
    return _transact(build)


def allocate_status_index(rec: CertificateRecord, list_id: str, index: int) -> bool:
    """Reserve `index` of `list_id` for a validated certificate that has none
    yet: the reservation (must not exist) and the certificate's entry, all or
    nothing. False when the index is taken, or the certificate got an entry
    or changed status meanwhile (the caller re-reads to tell which)."""
    def build(tx):
        tx.save(StatusIndexRecord(f"STATUSIDX#{list_id}#{index}", "STATUSIDX",
                                  certificate_id=rec.certificate_id),
                condition=StatusIndexRecord.pk.does_not_exist())
        tx.update(rec, actions=[CertificateRecord.status_list.set(list_id),
                                CertificateRecord.status_index.set(index)],
                  condition=(CertificateRecord.status == "validated")
                  & CertificateRecord.status_index.does_not_exist())
    return _transact(build)


def revoked_indices(list_id: str) -> list[int]:
    """The set bits of a list: its partition holds one item per cancellation."""
    return [int(r.index) for r in RevokedBitRecord.query(f"STATUSLIST#{list_id}",
                                                         RevokedBitRecord.sk.startswith("BIT#"))]


def create_certificate(cert: Certificate, *, uai: str | None) -> None:
    """The certificate and its verification code in one transaction, both
    conditional on not existing (raises Conflicting): a certificate is issued
    once, and a code is never shared. Listed for its holder (gsi1) and, with
    an INE and a school centre, for the school's report book (gsi2)."""
    record = CertificateRecord(
        f"CERT#{cert.certificate_id}", "CERT", certificate_id=cert.certificate_id, user_id=cert.user_id,
        session_id=cert.session_id, verification_code=cert.verification_code,
        first_name=cert.first_name, last_name=cert.last_name, birth_date=cert.birth_date,
        session_date=cert.session_date, centre_name=cert.centre_name, global_score=cert.global_score,
        level=cert.level, level_label=cert.level_label, competence_levels=dict(cert.competence_levels),
        competence_level_ranges={c: [int(low), int(high)]
                                 for c, (low, high) in cert.competence_level_ranges.items()},
        certification_version=cert.certification_version, issued_at=cert.issued_at,
        status=cert.status, published=cert.published, ine=cert.ine, theta=cert.theta, reason=cert.reason,
        birth_place=cert.birth_place, gsi1pk=f"USER#{cert.user_id}", gsi1sk=f"CERT#{cert.session_date}#{cert.certificate_id}")
    if cert.ine and uai:
        record.gsi2pk, record.gsi2sk = f"UAI#{uai}", f"{cert.ine}#{cert.certificate_id}"
    link = VerificationRecord(f"VERIFY#{cert.verification_code}", "VERIFY", certificate_id=cert.certificate_id)
    put_all_new([record, link])


def to_certificate(rec: CertificateRecord) -> Certificate:
    return Certificate(
        certificate_id=rec.certificate_id, verification_code=rec.verification_code,
        first_name=rec.first_name, last_name=rec.last_name, birth_date=rec.birth_date,
        session_date=rec.session_date, centre_name=rec.centre_name,
        global_score=int(rec.global_score), level_label=rec.level_label, level=int(rec.level),
        competence_levels={k: int(v) for k, v in plain(rec.competence_levels).items()},
        competence_level_ranges={k: (int(v[0]), int(v[1]))
                                 for k, v in plain(rec.competence_level_ranges).items()},
        certification_version=rec.certification_version, issued_at=rec.issued_at,
        status=rec.status, published=bool(rec.published), user_id=rec.user_id,
        session_id=rec.session_id, ine=rec.ine,
        theta=float(rec.theta) if rec.theta is not None else None, reason=rec.reason,
        birth_place=rec.birth_place or "", cancelled_at=rec.cancelled_at,
        cancelled_by=rec.cancelled_by, cancellation_reason=rec.cancellation_reason,
        status_list=rec.status_list,
        status_index=int(rec.status_index) if rec.status_index is not None else None)


def unlink_certificates_of_user(user_id: str) -> None:
    """RGPD: the user's certificates stay (verifiable) but leave the user's index."""
    for rec in certificates_of_user(user_id):
        update(rec, [CertificateRecord.user_id.remove(), CertificateRecord.gsi1pk.remove(),
                     CertificateRecord.gsi1sk.remove()])


def unlink_courses_of_user(user_id: str) -> None:
    """RGPD: the user's courses stay (the certificates rest on them) but are
    no longer theirs, and their index entries go."""
    for course in courses_of_user(user_id):
        update(course, [CourseRecord.user_id.set("erased"), CourseRecord.gsi1pk.remove(),
                        CourseRecord.gsi1sk.remove()])
    forget_courses_of_user(user_id)


def certificates_of_user(user_id: str) -> list[CertificateRecord]:
    return list(CertificateRecord.gsi1.query(f"USER#{user_id}",
                                             CertificateRecord.gsi1sk.startswith("CERT#")))


def certificates_of_uai_page(uai: str, start_sk: str | None, limit: int, *,
                             since: str | None = None, until: str | None = None
                             ) -> tuple[list[CertificateRecord], str | None]:
    """One Query page of a school's certificates (gsi2 UAI#<uai> / <ine>#<cert id>):
    at most `limit` items *evaluated*, so a page costs the same at any history
    length. A school-year filter (session date between `since` and `until`) is
    applied to those: a page may then hold fewer items, and `next` says whether
    to go on (the gsi2 sort key of the last item evaluated)."""
    kwargs: dict = {"page_size": limit}
    if since and until:
        kwargs["filter_condition"] = CertificateRecord.session_date.between(since, until)
    if start_sk:
        cert_id = start_sk.rsplit("#", 1)[-1]
        kwargs["last_evaluated_key"] = {"pk": {"S": f"CERT#{cert_id}"}, "sk": {"S": "CERT"},
                                        "gsi2pk": {"S": f"UAI#{uai}"}, "gsi2sk": {"S": start_sk}}
    results = CertificateRecord.gsi2.query(f"UAI#{uai}", **kwargs)
    try:
        page = next(results.page_iter)
    except StopIteration:
        return [], None
    items = [CertificateRecord.from_raw_data(raw) for raw in page.get("Items", [])]
    last = results.page_iter.last_evaluated_key
    return items, (last or {}).get("gsi2sk", {}).get("S")


def certificate_by_code(code: str) -> CertificateRecord | None:
    link = get_or_none(VerificationRecord, f"VERIFY#{code}", "VERIFY", consistent=False)
    return certificate(link.certificate_id) if link else None


def courses_answered_since(since_ms: int):
    """Every certification course with an answer after `since_ms`, as the answer
    export reads it: a Scan of the course items (no index holds them, see
    CourseUserLink), filtered per answer here. Run by the export job only."""
    from chalicelib.store.assessments import AnswerSheet, StoredAnswer

    sheets = []
    for r in CourseRecord.scan((CourseRecord.sk == "COURSE") & CourseRecord.pk.startswith("COURSE#")
                               & (CourseRecord.status != "waiting")):
        answers = [StoredAnswer.decode(a) for a in r.answers or []]
        if any(a.answered_at > since_ms for a in answers):
            sheets.append(AnswerSheet(r.user_id, "certification", r.certification_version,
                                      int(r.started_at or min(a.answered_at for a in answers)),
                                      answers, frozenset(r.neutralised or [])))
    return sheets


def finalised_sessions(page_size: int = 25) -> Iterator[Session]:
    """The job's queue, oldest first, read lazily one page at a time: the job
    takes sessions until its deadline, so it must not read more than it uses.
    Pagination follows the index's last key, so sessions the job closes (and
    that leave the sparse index) never make it skip or repeat one."""
    return map(_queued_session, SessionRecord.gsi2.query(FINALISED_QUEUE, page_size=page_size))

"""Taking the certification: join, wait for the invigilator, answer, end.

No correction and no ok/ko is ever returned here. The course item is the only
thing an answer writes (one conditional update on its version), so thousands
of candidates of one session never write a shared key while testing.
"""
from __future__ import annotations

import time

from chalicelib.bank.loader import get_bank
from chalicelib.domain.candidate_view import candidate_view
from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.certification import CURRENT, next_item, version_named
from chalicelib.domain.certification.course import (Course, CourseAnswer, CourseStatus, course_id_of,
                                                      is_running, refuse_answer, withdrawn_items)
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.codes import normalise_code
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import identity_key, name_key
from chalicelib.domain.matching import check_answer
from chalicelib.services import positioning, sessions, throttle
from chalicelib.services.certification_inputs import AlertInput, JoinInput
from chalicelib.services.secrets import choice_key
from chalicelib.store import certification as store

# Invigilator actions write the course item, which the candidate's answers write
# too (each write checks the item's version): on a conflict, read again and
# decide again. A write retried by botocore after a lost answer shows up the
# same way and then finds its own effect already there.
MAX_TRIES = 3

# Joining (limit, window s). A class joins from one school address within
# minutes: admission is generous and only admitted joins count.
JOINS_PER_IP = (300, 60)
JOIN_FAILURES_PER_USER = (10, 900)   # one account's mistyped names or guessed codes
JOIN_FAILURES_PER_IP = (50, 900)     # plus one per candidate who joined from the address
JOIN_FAILURES_PER_CODE = (30, 900)   # plus one per candidate who joined with the code
NO_SESSION = "-"
JOIN_REFUSED = ("Aucune session ouverte ne correspond à ce code d'accès avec ces nom, prénom et "
                "date de naissance. Vérifiez-les avec le surveillant.")
# a wrong number gets the same answer as a wrong code: the refusal never says which was right
JOIN_REFUSED_WITH_NUMBER = ("Aucune session ouverte ne correspond à ce numéro de session et ce code "
                            "d'accès avec ces nom, prénom et date de naissance. Vérifiez-les avec le "
                            "surveillant.")


def _now_ms() -> int:
    return int(time.time() * 1000)


# --- candidate -----------------------------------------------------------------------


def join(user_id: str, data: JoinInput, ip: str | None = None) -> dict:
    """Join a session with its access code and one's enrolled identity.

    An unknown code and an open session's code with an identity not enrolled
    get the same answer after the same reads, and failures are capped per
    account, per address and per code (issue 13, point 4): the ≈ 4.1 M codes
    cannot be probed for open sessions. The address and code caps widen with
    each candidate who joined through them, so one class's typos never shut
    out a room of pupils typing their names right.
    """
    source = ip or "unknown"
    code = normalise_code(data.access_code)
    throttle.hit(f"join:ip:{source}", *JOINS_PER_IP)
    _refuse_if_probing(user_id, source, code)
    session = store.session_by_access_code(code)
    identity = identity_key(data.last_name, data.birth_date.isoformat())
    # the identity lookup runs for an unknown code too (on a session id that
    # cannot exist): both refusals cost the same reads
    match = [c for c in store.candidates_with_identity(
                 session.session_id if session else NO_SESSION, identity)
             if name_key(c.first_name) == name_key(data.first_name)]
    typed_number = normalise_code(data.session_number) if data.session_number else None
    if session is None or not match or (typed_number and typed_number != session.number):
        _record_join_failure(user_id, source, code)
        raise NotFound(JOIN_REFUSED_WITH_NUMBER if typed_number else JOIN_REFUSED,
                       code="candidate_not_found")
    if not lifecycle.is_open(session.status):
        raise Conflict("Cette session est finalisée : vous ne pouvez plus la rejoindre.",
                       code="session_finalised")
    candidate = match[0]
    if candidate.user_id and candidate.user_id != user_id:
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")
    course_id = course_id_of(session.session_id, candidate.candidate_id)
    existing = store.course(course_id)
    if existing is not None:
        return _rejoin(existing, candidate, user_id)
    eligible = positioning.certification_eligibility(user_id)
    if not eligible.certifiable:
        raise Forbidden(eligible.refusal(), code="not_certifiable")
    try:
        course = store.new_course(Course(
            course_id=course_id, session_id=session.session_id, candidate_id=candidate.candidate_id,
            user_id=user_id, certification_version=CURRENT.version, status=CourseStatus.WAITING,
            authorised=False, extra_time_percent=int(candidate.extra_time_percent or 0),
            accessible_only=bool(candidate.accessibility)))
    except store.Conflicting:  # a racing join, or our own put retried after a lost answer
        return _rejoin(store.course(course_id), candidate, user_id)
    _link_candidate(candidate, user_id, course_id)
    positioning.mark_certification(user_id, course_id)
    throttle.record(f"join-ok:ip:{source}", JOIN_FAILURES_PER_IP[1])
    throttle.record(f"join-ok:code:{code}", JOIN_FAILURES_PER_CODE[1])
    return _with_recap(course_view(course), session)


def _refuse_if_probing(user_id: str, source: str, code: str) -> None:
    """The code's cap holds only accounts that already failed a join: a
    candidate typing right the first time always gets in, so nobody who
    knows the code (every candidate does) can shut its session out; a
    prober needs a fresh account per guess once the code is hot."""
    user_key = f"join-failures:user:{user_id}"
    throttle.peek(user_key, *JOIN_FAILURES_PER_USER)
    caps = [("ip", source, JOIN_FAILURES_PER_IP)]
    if throttle.total(user_key, JOIN_FAILURES_PER_USER[1]) > 0:
        caps.append(("code", code, JOIN_FAILURES_PER_CODE))
    for kind, key, cap in caps:
        throttle.peek(f"join-failures:{kind}:{key}", *cap,
                      allowance=throttle.total(f"join-ok:{kind}:{key}", cap[1]))


def _record_join_failure(user_id: str, source: str, code: str) -> None:
    throttle.record(f"join-failures:user:{user_id}", JOIN_FAILURES_PER_USER[1])
    throttle.record(f"join-failures:ip:{source}", JOIN_FAILURES_PER_IP[1])
    throttle.record(f"join-failures:code:{code}", JOIN_FAILURES_PER_CODE[1])


def _link_candidate(candidate: store.CandidateRecord, user_id: str, course_id: str) -> None:
    """The enrolment's second write (the course is the first): idempotent, so a
    join cut off between the two writes is completed by the next join."""
    if candidate.user_id == user_id and candidate.course_id == course_id:
        return
    try:
        store.link_candidate(candidate, user_id, course_id)
    except store.Conflicting:
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")


def _rejoin(course: store.CourseRecord, candidate: store.CandidateRecord, user_id: str) -> dict:
    if course.user_id != user_id:  # the course was created by another account
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")
    _link_candidate(candidate, user_id, course.course_id)
    if is_running(course.status):  # a join cut off before its mark: done now (idempotent)
        positioning.mark_certification(user_id, course.course_id)
    return _resume(course)


def _resume(course: store.CourseRecord) -> dict:
    """Joining again after a disconnection: the invigilator must re-authorise."""
    for _ in range(MAX_TRIES):
        if not (course.status == "started" and course.authorised):
            return course_view(course)
        try:
            store.withdraw_authorisation(course)
        except store.Conflicting:  # an answer landed meanwhile: read again
            course = store.course(course.course_id)
            continue
        return course_view(store.course(course.course_id))
    raise _changed_meanwhile()


def my_course(user_id: str, course_id: str) -> dict:
    course = _own_course(user_id, course_id)
    view = course_view(course)
    if course.status == "waiting":  # the waiting room only: a question's polls read nothing more
        view = _with_recap(view, store.session(course.session_id))
    return view


def _with_recap(view: dict, session: store.SessionRecord | None) -> dict:
    """The waiting room recalls where and when the candidate sits and how long
    the test may last, so they can check they are in the right room before
    the invigilator starts them."""
    if session is not None:
        view["session"] = {"number": session.number, "date": session.date, "time": session.time,
                           "room": session.room,
                           "address": session.address, "examiner": session.examiner}
    return view


def my_courses(user_id: str) -> dict:
    return {"courses": [course_view(c, with_item=False) for c in store.courses_of_user(user_id)]}


def answer(user_id: str, course_id: str, item_id: str, payload: dict, focused_out: bool = False) -> dict:
    for _ in range(3):
        course = _own_course(user_id, course_id)
        answers = store.answers_of(course)
        if any(a.item_id == item_id for a in answers):
            return _recorded(course, item_id)  # a retry: same answer, counted once
        refused = refuse_answer(course, item_id)
        if refused is not None:
            raise refused
        bank = get_bank()
        now = _now_ms()
        elapsed = (now - course.served_at) / 1000 if course.served_at else None
        item = bank.items[item_id]
        canonical = ChoiceIds(choice_key(), course.course_id).canonical_answer(item, payload)
        status = check_answer(item, canonical, elapsed_seconds=elapsed,
                              focused_out=focused_out,
                              extra_time_percent=int(course.extra_time_percent or 0))
        given = CourseAnswer(item_id, status, now)
        following = _next(course, answers + [given])
        try:
            store.record_course_answer(course, given, following.id if following else None, now)
        except store.Conflicting:
            continue
        return _recorded(course, item_id)  # the update returned the new item (ALL_NEW): no re-read
    raise Conflict("Réponse envoyée en même temps qu'une autre ; réessayez.", code="concurrent_answer")


def _recorded(course: store.CourseRecord, item_id: str) -> dict:
    return {"item_id": item_id, "recorded": True, "course": course_view(course)}


# --- invigilator -------------------------------------------------------------------------


def live_view(session_id: str, cursor: str | None = None, limit: int = 100) -> dict:
    """One page of the session's candidates with their tests' state: a poll
    reads the session, at most `limit` + 1 candidates and their courses,
    whatever the session's size (the screen follows `next_cursor`)."""
    session = sessions.require_session(None, session_id)
    candidates, next_cursor = store.candidates_page(session_id, cursor, limit)
    courses = store.courses([c.course_id for c in candidates if c.course_id])
    rows = []
    for cand in candidates:
        course = courses.get(cand.course_id) if cand.course_id else None
        rows.append({
            "candidate_id": cand.candidate_id, "first_name": cand.first_name,
            "last_name": cand.last_name, "birth_date": cand.birth_date,
            "extra_time_percent": int(cand.extra_time_percent or 0),
            "state": _live_state(course), "course_id": cand.course_id,
            "answered": len(course.answers or []) if course else 0,
            "withdrawn": len(_withdrawn(course)) if course else 0,
            "current_item_id": course.current_item_id if course and course.status == "started" else None,
            "alerts": [store.plain(a) for a in (course.alerts or [])]
            if course else [],
        })
    return {"session": {"session_id": session.session_id, "session_number": session.number,
                        "status": session.status,
                        "date": session.date, "time": session.time, "room": session.room},
            "candidates": rows, "next_cursor": next_cursor}


def _changed_meanwhile() -> Conflict:
    return Conflict("Le test a changé entre-temps ; réessayez.", code="concurrent_update")


def _invigilated_session(session_id: str) -> store.SessionRecord:
    """Invigilation acts only on an open session: once finalised, the
    centre's report and the courses are what the job scores."""
    session = sessions.require_session(None, session_id)
    if not lifecycle.is_open(session.status):
        raise Conflict("Cette session est finalisée : la surveillance est terminée.",
                       code="session_finalised")
    return session


def authorise(session_id: str, candidate_id: str) -> dict:
    session = _invigilated_session(session_id)
    for _ in range(MAX_TRIES):
        course = _course_of(session_id, candidate_id)
        now = _now_ms()
        try:
            if course.status == "waiting":
                first = _next(course, [])
                store.start_course(course, first.id if first else None, now)
            elif course.status == "started" and not course.authorised:
                # resume after a disconnection: the clock of the current item restarts
                store.reauthorise_course(course, now)
            elif course.status != "started":
                raise Conflict("Le test de ce candidat est terminé.", code="course_finished")
        except store.Conflicting:
            continue
        sessions.mark_in_progress(session, "invigilator")  # no write unless still "created"
        return course_view(store.course(course.course_id), with_item=False)
    raise _changed_meanwhile()


def end_test(session_id: str, candidate_id: str) -> dict:
    _invigilated_session(session_id)
    for _ in range(MAX_TRIES):
        course = _course_of(session_id, candidate_id)
        if course.status in ("ended", "completed"):
            return course_view(course, with_item=False)
        try:
            store.end_course_by_invigilator(course, _now_ms())
        except store.Conflicting:
            continue
        return course_view(store.course(course.course_id), with_item=False)
    raise _changed_meanwhile()


def alert(session_id: str, candidate_id: str, data: AlertInput) -> dict:
    """A live alert on an item: the item is neutralised (out of the estimate);
    if it is the current one the candidate gets another item at once."""
    _invigilated_session(session_id)
    for _ in range(MAX_TRIES):
        course = _course_of(session_id, candidate_id)
        try:
            return _alert(course, data)
        except store.Conflicting:
            continue
    raise _changed_meanwhile()


def _alert(course: store.CourseRecord, data: AlertInput) -> dict:
    if data.item_id in (course.neutralised or []):
        return course_view(course, with_item=False)  # already withdrawn: the same answer again
    answers = store.answers_of(course)
    if data.item_id != course.current_item_id and data.item_id not in {a.item_id for a in answers}:
        raise NotFound("Cette épreuve n'a pas été proposée à ce candidat.", code="item_not_served")
    now = _now_ms()
    if data.item_id == course.current_item_id and course.status == "started":
        # withdrawn while on screen: never served again, and no answer is
        # recorded, so it uses no slot of the test (withdrawn_items); another
        # item takes its place at once
        following = _next(course, answers, extra_neutralised=[data.item_id])
        store.neutralise_item(course, data.item_id, data.reason, now, replace_current=True,
                              next_item_id=following.id if following else None)
    else:
        store.neutralise_item(course, data.item_id, data.reason, now)
    return course_view(store.course(course.course_id), with_item=False)


# --- internals ------------------------------------------------------------------------------


def _own_course(user_id: str, course_id: str) -> store.CourseRecord:
    course = store.course(course_id)
    if course is None or course.user_id != user_id:
        raise NotFound("Test de certification introuvable.", code="course_not_found")
    return course


def _course_of(session_id: str, candidate_id: str) -> store.CourseRecord:
    candidate = store.candidate(session_id, candidate_id)
    if candidate is None:
        raise NotFound("Candidat introuvable dans cette session.", code="candidate_not_found")
    if not candidate.course_id or (course := store.course(candidate.course_id)) is None:
        raise Conflict("Ce candidat n'a pas encore rejoint la session.", code="candidate_not_joined")
    return course


def _next(course: store.CourseRecord, answers: list[CourseAnswer], extra_neutralised=()):
    domain = [a.scored() for a in answers]
    return next_item(get_bank(), domain, seed=course.course_id,
                     accessible_only=bool(course.accessible_only),
                     config=version_named(course.certification_version),
                     neutralised=list(course.neutralised or []) + list(extra_neutralised))


def _live_state(course: store.CourseRecord | None) -> str:
    if course is None:
        return "not_joined"
    if course.status == "waiting":
        return "waiting_authorisation"
    if course.status == "started":
        return "testing" if course.authorised else "waiting_resume"
    return course.status  # ended | completed


def _withdrawn(course: store.CourseRecord) -> list[str]:
    return withdrawn_items(course.neutralised, {a.item_id for a in store.answers_of(course)})


def course_view(course: store.CourseRecord, with_item: bool = True) -> dict:
    view = {"course_id": course.course_id, "session_id": course.session_id,
            "status": course.status, "authorised": bool(course.authorised),
            "answered": len(course.answers or []), "max_items": version_named(course.certification_version).max_items,
            "ended_by": course.ended_by, "withdrawn": _withdrawn(course), "item": None}
    if with_item and course.status == "started" and course.authorised and course.current_item_id:
        item = get_bank().items[course.current_item_id]
        view["item"] = candidate_view(item, ChoiceIds(choice_key(), course.course_id))
        view["item"]["extra_time_percent"] = int(course.extra_time_percent or 0)
    return view

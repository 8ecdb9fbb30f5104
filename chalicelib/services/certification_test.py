"""Taking the certification: join, wait for the invigilator, answer, end.

No correction and no ok/ko is ever returned here. The course item is the only
thing an answer writes (one conditional update on its version), so thousands
of candidates of one session never write a shared key while testing.
"""
from __future__ import annotations

import time

from chalicelib.bank.loader import get_bank
from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.candidate_view import candidate_view
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.certification import DEFAULT_VERSION, CertificationAnswer, next_item
from chalicelib.domain.codes import normalise_code
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import identity_key, name_key
from chalicelib.domain.matching import check_answer
from chalicelib.services import positioning, sessions
from chalicelib.services.certification_inputs import AlertInput, JoinInput
from chalicelib.services.secrets import choice_key
from chalicelib.store import certification as store
from chalicelib.store.assessments import StoredAnswer

VERSION = DEFAULT_VERSION
# Invigilator actions write the course item, which the candidate's answers write
# too (each write checks the item's version): on a conflict, read again and
# decide again. A write retried by botocore after a lost answer shows up the
# same way and then finds its own effect already there.
MAX_TRIES = 3


def _now_ms() -> int:
    return int(time.time() * 1000)


# --- candidate -----------------------------------------------------------------------


def join(user_id: str, data: JoinInput) -> dict:
    session = store.session_by_access_code(normalise_code(data.access_code))
    if session is None:
        raise NotFound("Code d'accès de session inconnu.", code="session_not_found")
    if session.status not in sessions.OPEN_STATUSES:
        raise Conflict("Cette session est finalisée : vous ne pouvez plus la rejoindre.",
                       code="session_finalised")
    match = [c for c in store.candidates_with_identity(
                 session.session_id, identity_key(data.last_name, data.birth_date.isoformat()))
             if name_key(c.first_name) == name_key(data.first_name)]
    if not match:
        raise NotFound("Aucun candidat inscrit à cette session ne correspond à ces nom, prénom et "
                       "date de naissance. Vérifiez-les avec le surveillant.", code="candidate_not_found")
    candidate = match[0]
    if candidate.user_id and candidate.user_id != user_id:
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")
    course_id = f"{session.session_id}-{candidate.candidate_id}"
    existing = store.course(course_id)
    if existing is not None:
        return _rejoin(existing, candidate, user_id)
    profile = positioning.profile(user_id)
    if not profile["certifiable"]:
        raise Forbidden(
            "Votre profil n'est pas encore certifiable : il faut au moins 5 compétences de niveau 1 "
            f"ou plus (vous en avez {profile['competences_at_level_1_or_more']}). "
            "Continuez à vous positionner avant la certification.", code="not_certifiable")
    course = store.CourseRecord(
        f"COURSE#{course_id}", "COURSE", course_id=course_id, session_id=session.session_id,
        candidate_id=candidate.candidate_id, user_id=user_id, status="waiting", authorised=False,
        extra_time_percent=int(candidate.extra_time_percent or 0),
        accessible_only=bool(candidate.accessibility), certification_version=VERSION.version,
        gsi1pk=f"USER#{user_id}", gsi1sk=f"COURSE#{course_id}")
    try:
        store.create_course(course)
    except store.Conflicting:  # a racing join, or our own put retried after a lost answer
        return _rejoin(store.course(course_id), candidate, user_id)
    _link_candidate(candidate, user_id, course_id)
    return course_view(course)


def _link_candidate(candidate: store.CandidateRecord, user_id: str, course_id: str) -> None:
    """The enrolment's second write (the course is the first): idempotent, so a
    join cut off between the two writes is completed by the next join."""
    if candidate.user_id == user_id and candidate.course_id == course_id:
        return
    try:
        store.update(candidate, [store.CandidateRecord.user_id.set(user_id),
                                 store.CandidateRecord.course_id.set(course_id)],
                     condition=store.CandidateRecord.user_id.does_not_exist()
                     | (store.CandidateRecord.user_id == user_id))
    except store.Conflicting:
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")


def _rejoin(course: store.CourseRecord, candidate: store.CandidateRecord, user_id: str) -> dict:
    if course.user_id != user_id:  # the course was created by another account
        raise Conflict("Ce candidat a déjà rejoint la session avec un autre compte.",
                       code="candidate_already_joined")
    _link_candidate(candidate, user_id, course.course_id)
    return _resume(course)


def _resume(course: store.CourseRecord) -> dict:
    """Joining again after a disconnection: the invigilator must re-authorise."""
    for _ in range(MAX_TRIES):
        if not (course.status == "started" and course.authorised):
            return course_view(course)
        try:
            store.update(course, [store.CourseRecord.authorised.set(False)])
        except store.Conflicting:  # an answer landed meanwhile: read again
            course = store.course(course.course_id)
            continue
        return course_view(store.course(course.course_id))
    raise _changed_meanwhile()


def my_course(user_id: str, course_id: str) -> dict:
    return course_view(_own_course(user_id, course_id))


def my_courses(user_id: str) -> dict:
    return {"courses": [course_view(c, with_item=False) for c in store.courses_of_user(user_id)]}


def answer(user_id: str, course_id: str, item_id: str, payload: dict, focused_out: bool = False) -> dict:
    for _ in range(3):
        course = _own_course(user_id, course_id)
        answers = [StoredAnswer.decode(a) for a in course.answers or []]
        if any(a.item_id == item_id for a in answers):
            return _recorded(course, item_id)  # a retry: same answer, counted once
        if course.status != "started":
            raise Conflict("Votre test n'est pas en cours.", code="course_not_started")
        if not course.authorised:
            raise Forbidden("Attendez que le surveillant autorise la reprise de votre test.",
                            code="awaiting_authorisation")
        if item_id != course.current_item_id:
            raise Conflict("Cette question n'est pas la question en cours.", code="not_current_item")
        bank = get_bank()
        now = _now_ms()
        elapsed = (now - course.served_at) / 1000 if course.served_at else None
        item = bank.items[item_id]
        canonical = ChoiceIds(choice_key(), course.course_id).canonical_answer(item, payload)
        status = check_answer(item, canonical, elapsed_seconds=elapsed,
                              focused_out=focused_out,
                              extra_time_percent=int(course.extra_time_percent or 0))
        stored = StoredAnswer(item_id, status.value, now)
        following = _next(course, answers + [stored])
        actions = [store.CourseRecord.answers.set(store.CourseRecord.answers.append([stored.encode()]))]
        actions += _serve_actions(following, now, completed_by="completed")
        try:
            store.update(course, actions, condition=store.CourseRecord.current_item_id == item_id)
        except store.Conflicting:
            continue
        return _recorded(course, item_id)  # the update returned the new item (ALL_NEW): no re-read
    raise Conflict("Réponse envoyée en même temps qu'une autre ; réessayez.", code="concurrent_answer")


def _recorded(course: store.CourseRecord, item_id: str) -> dict:
    return {"item_id": item_id, "recorded": True, "course": course_view(course)}


# --- invigilator -------------------------------------------------------------------------


def live_view(session_id: str) -> dict:
    session = sessions.require_session(None, session_id)
    candidates = store.candidates(session_id)
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
            "current_item_id": course.current_item_id if course and course.status == "started" else None,
            "alerts": [store.plain(a) for a in (course.alerts or [])]
            if course else [],
        })
    return {"session": {"session_id": session.session_id, "status": session.status,
                        "date": session.date, "time": session.time, "room": session.room},
            "candidates": rows}


def _changed_meanwhile() -> Conflict:
    return Conflict("Le test a changé entre-temps ; réessayez.", code="concurrent_update")


def _invigilated_session(session_id: str) -> store.SessionRecord:
    """Invigilation acts only on an open session: once finalised, the
    centre's report and the courses are what the job scores."""
    session = sessions.require_session(None, session_id)
    if session.status not in sessions.OPEN_STATUSES:
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
                actions = [store.CourseRecord.authorised.set(True),
                           store.CourseRecord.started_at.set(now)] + _serve_actions(first, now, "completed")
                store.update(course, actions, condition=store.CourseRecord.status == "waiting")
            elif course.status == "started" and not course.authorised:
                # resume after a disconnection: the clock of the current item restarts
                store.update(course, [store.CourseRecord.authorised.set(True),
                                      store.CourseRecord.served_at.set(now)],
                             condition=store.CourseRecord.status == "started")
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
            store.update(course, [store.CourseRecord.status.set("ended"),
                                  store.CourseRecord.ended_by.set("invigilator"),
                                  store.CourseRecord.ended_at.set(_now_ms()),
                                  store.CourseRecord.current_item_id.remove()])
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
    answered = {StoredAnswer.decode(a).item_id for a in course.answers or []}
    if data.item_id != course.current_item_id and data.item_id not in answered:
        raise NotFound("Cette épreuve n'a pas été proposée à ce candidat.", code="item_not_served")
    if data.item_id in (course.neutralised or []):
        return course_view(course, with_item=False)
    now = _now_ms()
    actions = [store.CourseRecord.neutralised.set(store.CourseRecord.neutralised.append([data.item_id])),
               store.CourseRecord.alerts.set(store.CourseRecord.alerts.append(
                   [{"item_id": data.item_id, "reason": data.reason, "at": now}]))]
    if data.item_id == course.current_item_id and course.status == "started":
        answers = [StoredAnswer.decode(a) for a in course.answers or []]
        # the alerted item counts as served (never again) but not in the estimate
        served = answers + [StoredAnswer(data.item_id, AnswerStatus.ABAND.value, now)]
        following = _next(course, served, extra_neutralised=[data.item_id])
        actions.append(store.CourseRecord.answers.set(
            store.CourseRecord.answers.append([served[-1].encode()])))
        actions += _serve_actions(following, now, "completed")
    store.update(course, actions)
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


def _next(course: store.CourseRecord, answers: list[StoredAnswer], extra_neutralised=()):
    domain = [CertificationAnswer(a.item_id, AnswerStatus(a.status)) for a in answers]
    return next_item(get_bank(), domain, seed=course.course_id,
                     accessible_only=bool(course.accessible_only), config=VERSION,
                     neutralised=list(course.neutralised or []) + list(extra_neutralised))


def _serve_actions(item, now: int, completed_by: str) -> list:
    if item is None:
        return [store.CourseRecord.status.set("completed"),
                store.CourseRecord.ended_by.set(completed_by),
                store.CourseRecord.ended_at.set(now),
                store.CourseRecord.current_item_id.remove()]
    return [store.CourseRecord.status.set("started"),
            store.CourseRecord.current_item_id.set(item.id),
            store.CourseRecord.served_at.set(now)]


def _live_state(course: store.CourseRecord | None) -> str:
    if course is None:
        return "not_joined"
    if course.status == "waiting":
        return "waiting_authorisation"
    if course.status == "started":
        return "testing" if course.authorised else "waiting_resume"
    return course.status  # ended | completed


def course_view(course: store.CourseRecord, with_item: bool = True) -> dict:
    view = {"course_id": course.course_id, "session_id": course.session_id,
            "status": course.status, "authorised": bool(course.authorised),
            "answered": len(course.answers or []), "max_items": VERSION.max_items,
            "ended_by": course.ended_by, "item": None}
    if with_item and course.status == "started" and course.authorised and course.current_item_id:
        item = get_bank().items[course.current_item_id]
        view["item"] = candidate_view(item, ChoiceIds(choice_key(), course.course_id))
        view["item"]["extra_time_percent"] = int(course.extra_time_percent or 0)
    return view

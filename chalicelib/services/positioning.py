"""Positioning tests: one function per learner action.

The server decides every item. State lives only in DynamoDB (one item per
user and competence), so a test resumes from any Lambda instance; an answer is
one read and one conditional write (the write returns the new state), and a
retried post returns the stored result instead of counting twice. Whether a
certification test may be running is read from the same state item (a mark
written at join): only a marked state costs one more read, of that course.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from chalicelib.bank.loader import get_bank
from chalicelib.config import settings
from chalicelib.domain import attempts
from chalicelib.domain import recap as recap_rules
from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.certification.eligibility import Eligibility, eligibility
from chalicelib.domain.candidate_view import candidate_view, opens_behind_warning, warning_view
from chalicelib.domain.choice_ids import ChoiceIds
from chalicelib.domain.course_length import course_length
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.framework import COMPETENCE_BY_CODE, COMPETENCES, MAX_TOTAL_PIX
from chalicelib.domain.knowledge import PositioningAnswer, competence_profile, knowledge_elements
from chalicelib.domain.matching import check_answer, correction
from chalicelib.domain.orientation import CompetenceStanding, next_competence
from chalicelib.domain.items import ItemStatus, ItemType
from chalicelib.domain.positioning import PilotPolicy, next_item
from chalicelib.services import certification_queries
from chalicelib.services.secrets import choice_key
from chalicelib.store import assessments as store
from chalicelib.store.assessments import ConcurrentUpdate, PositioningState, StoredAnswer

MAX_RETRIES_ON_RACE = 3


@dataclass(frozen=True)
class AnswerInput:
    item_id: str
    answer: dict
    focused_out: bool = False
    idempotency_key: str = ""


def _competence(code: str) -> str:
    if code not in COMPETENCE_BY_CODE:
        raise NotFound(f"Compétence inconnue : {code[:20]}.", code="unknown_competence")
    return code


def _domain_answers(state: PositioningState) -> list[PositioningAnswer]:
    return [PositioningAnswer(a.item_id, AnswerStatus(a.status), scored=not a.pilot)
            for a in state.carried + state.answers]


def _next_item(bank, competence: str, answers: list[PositioningAnswer], seed: str):
    config = settings()
    return next_item(bank, competence, answers, seed, max_reachable_level=config.max_reachable_level,
                     pilot=PilotPolicy(rate=config.pilot_rate, max_per_test=config.pilot_max_per_test))


def start(user_id: str, competence: str) -> dict:
    """Start a competence, or resume the running test (idempotent)."""
    competence = _competence(competence)
    state = store.get(user_id, competence)
    if state is not None:
        return _state_view(state)
    state = _new_attempt(user_id, competence, attempt=1, carried=[])
    try:
        store.create(state, get_bank().version)
    except ConcurrentUpdate:
        state = store.get(user_id, competence)
        return _state_view(state)
    # asked after the create: a join either sees this state (and marks it) or,
    # having created its course before, is seen here
    running = certification_queries.running_course(user_id)
    if running:
        store.mark_certification(user_id, running)
    return _state_view(state)


def current(user_id: str, competence: str) -> dict:
    return _state_view(_existing(user_id, _competence(competence)))


def answer(user_id: str, competence: str, given: AnswerInput) -> dict:
    competence = _competence(competence)
    for _ in range(MAX_RETRIES_ON_RACE):
        state = _existing(user_id, competence)
        ended_certification = _no_correction_during_certification(state)
        previous = _already_answered(state, given)
        if previous is not None:
            return _answer_result(state, previous)
        if state.status == "completed":
            raise Conflict("Ce test est terminé.", code="assessment_completed")
        if given.item_id != state.current_item_id:
            raise Conflict("Cette question n'est pas la question en cours.", code="not_current_item")
        bank = get_bank()
        item = bank.items[given.item_id]
        if state.served_at is None and opens_behind_warning(item) and not given.answer.get("skip"):
            raise Conflict("Commencez d'abord la question : son temps ne part qu'à ce moment-là.",
                           code="item_not_started")
        now = store.now_ms()
        elapsed = (now - state.served_at) / 1000 if state.served_at else None
        canonical = _choice_ids(state).canonical_answer(item, given.answer)
        status = check_answer(item, canonical, elapsed_seconds=elapsed,
                              focused_out=given.focused_out)
        # the item's status when answered decides for good whether it counts
        stored = StoredAnswer(item.id, status.value, now, given.idempotency_key[:64],
                              pilot=item.status is ItemStatus.PILOT,
                              choices=_chosen(item, canonical, status),
                              focus_lost=bool(given.focused_out))
        state.answers.append(stored)
        following = _next_item(bank, competence, _domain_answers(state), state.assessment_id)
        try:
            state = store.record_answer(state, stored, next_item_id=following.id if following else None,
                                        now_ms=now, completed=following is None,
                                        clear_certification=ended_certification,
                                        start_next=following is None or not opens_behind_warning(following))
        except ConcurrentUpdate:
            continue  # someone else wrote first: re-read, maybe it was our own retry
        return _answer_result(state, stored)
    raise Conflict("Réponse envoyée en même temps qu'une autre ; réessayez.", code="concurrent_answer")


def start_item(user_id: str, competence: str, item_id: str) -> dict:
    """The learner starts the timed or focused item on screen, from its
    warning screen: its clock starts now, on the server (the time of this
    call, never a time the client sends). Idempotent: starting an item
    already started changes nothing and returns the same state."""
    competence = _competence(competence)
    for _ in range(MAX_RETRIES_ON_RACE):
        state = _existing(user_id, competence)
        _no_correction_during_certification(state)
        if state.status == "completed":
            raise Conflict("Ce test est terminé.", code="assessment_completed")
        if item_id != state.current_item_id:
            raise Conflict("Cette question n'est pas la question en cours.", code="not_current_item")
        if state.served_at is not None:
            return _state_view(state)
        try:
            return _state_view(store.start_item(state, item_id, store.now_ms()))
        except ConcurrentUpdate:
            continue  # started from another tab, or answered: decide on the new state
    raise Conflict("Question commencée en même temps ailleurs ; rechargez la page.", code="concurrent_update")


def answer_result(user_id: str, competence: str, item_id: str) -> dict:
    state = _existing(user_id, _competence(competence))
    _no_correction_during_certification(state)
    stored = next((a for a in state.answers + state.carried if a.item_id == item_id), None)
    if stored is None:
        raise NotFound("Aucune réponse à cette question dans ce test.", code="answer_not_found")
    return _answer_result(state, stored)


def recap(user_id: str, competence: str) -> dict:
    """The end screen of a completed test: level and pix, answers counted,
    the tutorials of the questions missed (domain/recap.py), when a retry
    opens and the competence to work on next. Readable again later (the
    profile links to it) until a retry starts a new attempt. Pilot items are
    left out: they counted for nothing and their tutorial may be a draft."""
    competence = _competence(competence)
    state = _existing(user_id, competence)
    _no_correction_during_certification(state)
    if state.status != "completed":
        raise Conflict("Le test n'est pas terminé.", code="assessment_not_completed")
    bank = get_bank()
    answered = [(bank.items[a.item_id], AnswerStatus(a.status)) for a in state.answers
                if not a.pilot and a.item_id in bank.items]
    reviews = recap_rules.to_review(answered)
    everything = profile(user_id)
    mine = next(c for c in everything["competences"] if c["code"] == competence)
    return {"competence": competence, "level": mine["level"], "pix": mine["pix"],
            "answers": recap_rules.counts([s for _, s in answered]),
            "to_review": [{"position": r.position, "item_id": r.item_id, "status": r.status.value,
                           "excerpt": r.excerpt, "tutorial": r.tutorial} for r in reviews],
            "improve_available_at": mine["improve_available_at"], "can_improve": mine["can_improve"],
            "next_competence": _suggest(everything["competences"], everything["certifiable"], exclude=competence)}


def improve(user_id: str, competence: str) -> dict:
    """Retry a completed competence after 4 days, keeping the validated skills."""
    competence = _competence(competence)
    state = _existing(user_id, competence)
    now = store.now_ms()
    if not attempts.can_improve(state.status, state.completed_at, now):
        raise Conflict(_wait_message("retenter", state.completed_at or now, attempts.IMPROVE_AFTER_DAYS, now)
                       if state.status == "completed" else "Terminez d'abord le test en cours.",
                       code="improve_not_allowed")
    kept = [a for a in state.carried + state.answers if a.status == AnswerStatus.OK.value and not a.pilot]
    return _restart(state, "improve", kept)


def reset(user_id: str, competence: str) -> dict:
    """Start a competence from zero, 7 days after the last answer."""
    competence = _competence(competence)
    state = _existing(user_id, competence)
    now = store.now_ms()
    last = state.last_answer_at or state.started_at
    if not attempts.can_reset(last, now):
        raise Conflict(_wait_message("remettre à zéro", last, attempts.RESET_AFTER_DAYS, now),
                       code="reset_not_allowed")
    return _restart(state, "reset", [])


def profile(user_id: str) -> dict:
    """The 16 competences with level, pix, when a retry or a reset opens, and
    the competence to work on next (domain/orientation.py)."""
    bank = get_bank()
    max_level = settings().max_reachable_level
    now = store.now_ms()
    states = {s.competence: s for s in store.list_for_user(user_id)}
    competences = []
    for comp in COMPETENCES:
        state = states.get(comp.code)
        row = {"code": comp.code, "area": comp.area_code, "title": comp.title, "status": "not_started",
               "pix": 0, "level": 0, "pix_to_next_level": 8}
        if state is not None:
            prof = competence_profile(knowledge_elements(bank, comp.code, _domain_answers(state)),
                                      bank, comp.code, max_level)
            row.update(status=state.status, pix=prof.pix, level=prof.level,
                       pix_to_next_level=prof.pix_to_next_level)
        row.update(_retry_dates(state, now))
        competences.append(row)
    eligible = eligibility(c["level"] for c in competences)
    suggestion = _suggest(competences, eligible.certifiable)
    return {"competences": competences, "total_pix": sum(c["pix"] for c in competences),
            "max_pix": MAX_TOTAL_PIX, "max_reachable_level": max_level,
            "certifiable": eligible.certifiable,
            "competences_at_level_1_or_more": eligible.competences_at_min_level,
            "next_competence": suggestion}


def _retry_dates(state: PositioningState | None, now: int) -> dict:
    """When "Retenter" (completed tests) and "Remettre à zéro" open, in epoch
    ms, and whether they are open now: the page shows the date instead of a
    button that would refuse."""
    if state is None:
        return {"improve_available_at": None, "can_improve": False,
                "reset_available_at": None, "can_reset": False}
    improve_at = attempts.improve_available_at(state.status, state.completed_at)
    reset_at = attempts.reset_available_at(state.last_answer_at or state.started_at)
    return {"improve_available_at": improve_at, "can_improve": improve_at is not None and now >= improve_at,
            "reset_available_at": reset_at, "can_reset": now >= reset_at}


def _suggest(competences: list[dict], certifiable: bool, exclude: str | None = None) -> dict | None:
    standing = [CompetenceStanding(c["code"], c["area"], c["status"], c["level"], c["can_improve"])
                for c in competences]
    found = next_competence(standing, certifiable=certifiable, exclude=exclude)
    if found is None:
        return None
    return {"code": found.code, "title": COMPETENCE_BY_CODE[found.code].title, "reason": found.reason}


@dataclass(frozen=True)
class CompetenceAnswers:
    """A competence's positioning as other contexts may read it: its status
    and its answers in domain form (never the stored format)."""
    status: str
    answers: tuple[PositioningAnswer, ...]


def answers_by_competence(user_id: str) -> dict[str, CompetenceAnswers]:
    """What campaigns ask positioning (they never read its store)."""
    return {s.competence: CompetenceAnswers(s.status, tuple(_domain_answers(s)))
            for s in store.list_for_user(user_id)}


def certification_eligibility(user_id: str) -> Eligibility:
    """What certification asks positioning at join (its only question)."""
    return eligibility(c["level"] for c in profile(user_id)["competences"])


def erase(user_id: str) -> None:
    store.delete_all_for_user(user_id)


def export(user_id: str) -> dict:
    return {"positioning": [
        {"competence": s.competence, "status": s.status, "started_at": s.started_at,
         "answers": [a.public() for a in s.answers]} for s in store.list_for_user(user_id)],
        "positioning_history": [
        {"competence": h.competence, "started_at": h.started_at, "reason": h.archived_reason,
         "answers": [StoredAnswer.decode(a).public() for a in h.answers or []]}
        for h in store.history(user_id)]}


# --- internals -------------------------------------------------------------------


def _existing(user_id: str, competence: str) -> PositioningState:
    state = store.get(user_id, competence)
    if state is None:
        raise NotFound("Aucun test commencé pour cette compétence.", code="assessment_not_found")
    return state


def _new_attempt(user_id: str, competence: str, *, attempt: int,
                 carried: list[StoredAnswer]) -> PositioningState:
    bank = get_bank()
    assessment_id = uuid.uuid4().hex
    answers = [PositioningAnswer(a.item_id, AnswerStatus(a.status), scored=not a.pilot) for a in carried]
    first = _next_item(bank, competence, answers, assessment_id)
    now = store.now_ms()
    return PositioningState(
        user_id=user_id, competence=competence, assessment_id=assessment_id,
        status="started" if first else "completed", started_at=now,
        completed_at=None if first else now, last_answer_at=None,
        current_item_id=first.id if first else None,
        served_at=now if first and not opens_behind_warning(first) else None,
        answers=[], carried=carried, attempt=attempt)


def _restart(state: PositioningState, reason: str, kept: list[StoredAnswer]) -> dict:
    store.archive(state, reason)
    fresh = _new_attempt(state.user_id, state.competence, attempt=state.attempt + 1, carried=kept)
    fresh.version = state.version
    fresh.certification_course_id = state.certification_course_id
    try:
        store.replace(fresh, get_bank().version)
    except ConcurrentUpdate:
        raise Conflict("Le test a changé entre-temps ; rechargez la page.", code="concurrent_update")
    return _state_view(fresh)


def _no_correction_during_certification(state: PositioningState) -> bool:
    """Corrections are shown only outside certification. The certification
    draws from the same bank, so while a candidate's certification test is
    waiting or running, no positioning answer or correction is given: a second
    tab would otherwise show the solution of an item the test is serving, if
    the candidate met it while positioning. The join marks every state of the
    user with its course (`store.mark_certification`), so an unmarked state
    costs nothing more; a marked one costs a read of that course. True when the
    mark is there but its test has ended: the answer's write then drops it."""
    if not state.certification_course_id:
        return False
    if certification_queries.course_running(state.certification_course_id):
        raise Forbidden("Vous passez une certification : le positionnement et ses corrections "
                        "reprendront à la fin de votre test.", code="certification_in_progress")
    return True


def mark_certification(user_id: str, course_id: str) -> None:
    """Certification tells positioning, at join, that this user's test exists."""
    store.mark_certification(user_id, course_id)


def _chosen(item, canonical, status: AnswerStatus) -> tuple[int, ...]:
    """Canonical proposal indices of a choice answer (distractor statistics);
    () for other types and skipped answers."""
    if not item.type.is_choice or status is AnswerStatus.ABAND or not isinstance(canonical, dict):
        return ()
    value = canonical.get("choice") if item.type is ItemType.QCU else canonical.get("choices")
    values = [value] if isinstance(value, int) else value if isinstance(value, list) else []
    return tuple(sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)}))


def _already_answered(state: PositioningState, given: AnswerInput) -> StoredAnswer | None:
    for stored in state.answers:
        if stored.item_id == given.item_id or (given.idempotency_key and stored.key == given.idempotency_key):
            return stored
    return None


def _state_view(state: PositioningState) -> dict:
    bank = get_bank()
    view = {"assessment_id": state.assessment_id, "competence": state.competence,
            "status": state.status, "attempt": state.attempt,
            "answered": len(state.answers), "item": None}
    if state.current_item_id:
        item = bank.items[state.current_item_id]
        if state.served_at is None and opens_behind_warning(item):
            view["item"] = warning_view(item)
        else:
            view["item"] = candidate_view(item, _choice_ids(state))
            view["item"]["served_at"] = state.served_at
    prof = competence_profile(knowledge_elements(bank, state.competence, _domain_answers(state)),
                              bank, state.competence, settings().max_reachable_level)
    view["pix"], view["level"] = prof.pix, prof.level
    if state.status != "completed":
        view["length"] = _length(bank, state)
    view["improve_available_at"] = attempts.improve_available_at(state.status, state.completed_at)
    return view


def _length(bank, state: PositioningState) -> dict:
    """Progress for the header: the usual length and this test's hard bound
    (domain/course_length.py); counted on this attempt's answers."""
    config = settings()
    pilots = sum(1 for a in state.answers if a.pilot)
    slots = config.pilot_max_per_test - pilots if config.pilot_rate > 0 else 0
    domain = _domain_answers(state)
    length = course_length(bank, state.competence, domain[len(state.carried):], slots,
                           carried=domain[:len(state.carried)])
    return {"expected": length.expected, "typical": length.typical, "usual_max": length.usual_max,
            "at_most": length.at_most}


def _answer_result(state: PositioningState, stored: StoredAnswer) -> dict:
    item = get_bank().items[stored.item_id]
    return {"item_id": stored.item_id, "status": stored.status,
            "correction": correction(item, _choice_ids(state)), "assessment": _state_view(state)}


def _choice_ids(state: PositioningState) -> ChoiceIds:
    """Proposal ids and order of this attempt (a new attempt, new ids)."""
    return ChoiceIds(choice_key(), state.assessment_id)


def _wait_message(action: str, since: int, days: int, now: int) -> str:
    left = attempts.days_left(since, days, now)
    return f"Vous pourrez {action} cette compétence dans {left} jour{'s' if left > 1 else ''}."


def _register_personal_data() -> None:
    from chalicelib.services import personal_data

    personal_data.register("positioning", export, erase)


_register_personal_data()

"""Sessions of a centre: planning, enrolment, finalisation, publication.

The lifecycle (statuses, who moves them, what is recorded) is
`domain/certification/session.py`; this module asks it for each move. Finalised sessions are what the
scheduled job picks up (sparse GSI), so the job never scans the table.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pydantic import ValidationError

from chalicelib.domain import codes
from chalicelib.domain.certification import session as lifecycle
from chalicelib.domain.certification.session import Actor, Candidate, Session, SessionStatus
from chalicelib.domain.csv_rows import RowError, french_date, header_key, read_rows
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.identity import identity_key
from chalicelib.services import centres, throttle
from chalicelib.services.certification_inputs import (CandidateInput, FinalisationInput,
                                                      IncidentCategory, SessionInput)
from chalicelib.store import certification as store

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# (limit, window s): admitted invigilator sign-ins per address (≈ 30 ms of
# argon2 each: at most 9 s of CPU per 5 min from one address)
INVIGILATOR_SIGNINS_PER_IP = (300, 300)
LEGACY_FAILURES_PER_SESSION = (20, 300)

SESSION_COLUMNS = {header_key(k): v for k, v in {
    "date": "date", "date de la session": "date", "heure": "time", "time": "time",
    "heure de début": "time", "adresse": "address", "address": "address", "salle": "room",
    "room": "room", "surveillant": "examiner", "examinateur": "examiner", "examiner": "examiner",
    "observations": "description", "description": "description"}.items()}

CANDIDATE_COLUMNS = {header_key(k): v for k, v in {
    "prénom": "first_name", "first_name": "first_name", "nom": "last_name",
    "nom de naissance": "last_name", "last_name": "last_name",
    "date de naissance": "birth_date", "date de naissance (jj/mm/aaaa)": "birth_date",
    "birth_date": "birth_date", "lieu de naissance": "birth_place",
    "code insee ou pays de naissance": "birth_place", "birth_place": "birth_place",
    "sexe": "sex", "sex": "sex", "e-mail": "email", "email": "email",
    "e-mail de convocation": "email", "identifiant externe": "external_id",
    "external_id": "external_id", "temps majoré (%)": "extra_time_percent",
    "temps majoré": "extra_time_percent", "extra_time_percent": "extra_time_percent",
    "aménagement": "accessibility", "accessibility": "accessibility", "ine": "ine"}.items()}


def _now() -> int:
    return int(time.time())


def find_session(typed: str) -> store.SessionRecord | None:
    """The session a person named by typing: its short number (as printed on
    the kit, spaces allowed) or, for sessions created before numbers existed
    and for links, its id. The two never collide: a number is 7 digits, an
    id 16 hexadecimal characters."""
    ref = codes.normalise_code(typed)
    if codes.is_session_number(ref):
        return store.session_by_number(ref)
    return store.session(typed.strip().lower())


def session_id_of(typed: str) -> str:
    """The id of the session a platform admin typed (number or id), or a
    French 404: the admin routes then work on the id."""
    rec = find_session(typed)
    if rec is None:
        raise NotFound("Session introuvable.", code="session_not_found")
    return rec.session_id


def require_session(centre_id: str | None, session_id: str) -> store.SessionRecord:
    rec = store.session(session_id)
    if rec is None or (centre_id is not None and rec.centre_id != centre_id):
        raise NotFound("Session introuvable.", code="session_not_found")
    return rec


def create_session(centre_id: str, data: SessionInput, by: str) -> dict:
    centres.require_centre(centre_id)
    return _create(centre_id, data, by)


def _create(centre_id: str, data: SessionInput, by: str) -> dict:
    session_id = uuid.uuid4().hex[:16]
    password = codes.invigilator_password()
    for _ in range(10):
        code = codes.session_access_code()
        number = codes.session_number()
        planned = Session(
            session_id=session_id, centre_id=centre_id, date=data.date.isoformat(),
            time=data.time.strftime("%H:%M"), address=data.address, room=data.room,
            examiner=data.examiner, description=data.description, access_code=code,
            invigilator_password_hash=_HASHER.hash(password), status=SessionStatus.CREATED,
            transitions=(lifecycle.first_step(by, _now()),), number=number)
        try:
            rec = store.create_session(planned)
        except store.Conflicting:
            landed = store.session(session_id)
            if landed is None or landed.access_code != code:
                continue  # access code or number taken by another session: draw both again
            rec = landed  # our own transaction, retried after its answer was lost
        view = session_view(rec)
        view["invigilator_password"] = password  # shown once, stored hashed
        return view
    raise Conflict("Impossible d'attribuer un code d'accès et un numéro de session ; réessayez.",
                   code="access_code_exhausted")


def import_sessions(centre_id: str, raw: bytes, by: str) -> dict:
    centres.require_centre(centre_id)
    rows = read_rows(raw, SESSION_COLUMNS, {"date", "time", "address", "room", "examiner"})
    valid, errors = [], []
    for line, row in rows:
        row = {**row, "date": french_date(row.get("date", ""))}
        try:
            valid.append(SessionInput.model_validate(row))
        except ValidationError as err:
            errors += _row_errors(line, err)
    if errors:
        raise InvalidInput("Le fichier contient des erreurs ; aucune session n'a été créée.",
                           code="invalid_file", details=[e.as_dict() for e in errors])
    return {"sessions": [_create(centre_id, data, by) for data in valid]}


PERIODS = ("upcoming", "held")


def list_sessions(centre_id: str, cursor: str | None = None, limit: int = 50,
                  period: str | None = None, today: str | None = None) -> dict:
    """One page of the centre's sessions: a centre's history grows every year,
    a request must not (issue 16.3). `period` splits them by date, each a key
    range of the centre's index: "upcoming" (today or later, soonest first:
    the ones to prepare) and "held" (before today, latest first: the ones to
    finalise or whose results to follow). Without it, all, latest first."""
    centres.require_centre(centre_id)
    day = today or _today()
    if period == "upcoming":
        page, next_cursor = store.sessions_of_centre_from(centre_id, day, cursor, limit)
    elif period == "held":
        page, next_cursor = store.sessions_of_centre_before(centre_id, day, cursor, limit)
    else:
        page, next_cursor = store.sessions_of_centre(centre_id, cursor, limit)
    return {"sessions": [session_view(s) for s in page], "next_cursor": next_cursor}


def _today() -> str:
    """Today where the sessions are held (France): a session's date is local."""
    try:
        from zoneinfo import ZoneInfo

        zone: dt.tzinfo = ZoneInfo("Europe/Paris")
    except Exception:  # noqa: BLE001 - no tz database: off by one day only around midnight
        zone = dt.timezone.utc
    return dt.datetime.now(zone).date().isoformat()


def get_session(centre_id: str, session_ref: str) -> dict:
    """By id or by the number a member typed or followed (`/centre?session=`);
    the page then works on the id the view carries. Another centre's number
    is as unknown as a wrong one."""
    rec = find_session(session_ref)
    if rec is None or rec.centre_id != centre_id:
        raise NotFound("Session introuvable.", code="session_not_found")
    return session_view(rec)


def enrol(centre_id: str, session_id: str, data: CandidateInput) -> dict:
    session = _open_session(centre_id, session_id)
    rec = _candidate_record(session.session_id, data)
    try:
        store.put_new(rec)
    except store.Conflicting:  # a fresh random id: only our own put, retried after a lost answer
        rec = store.candidate(session.session_id, rec.candidate_id) or rec
    return candidate_view(rec)


def import_candidates(centre_id: str, session_id: str, raw: bytes) -> dict:
    session = _open_session(centre_id, session_id)
    rows = read_rows(raw, CANDIDATE_COLUMNS, {"first_name", "last_name", "birth_date"})
    records, errors = [], []
    for line, row in rows:
        row = {k: v for k, v in row.items() if v != ""}
        row["birth_date"] = french_date(row.get("birth_date", ""))
        if "accessibility" in row:
            row["accessibility"] = row["accessibility"].lower() in ("oui", "yes", "true", "1", "x")
        if "extra_time_percent" in row:
            row["extra_time_percent"] = row["extra_time_percent"].rstrip("%").strip() or "0"
        try:
            records.append(_candidate_record(session.session_id, CandidateInput.model_validate(row)))
        except ValidationError as err:
            errors += _row_errors(line, err)
    if errors:
        raise InvalidInput("Le fichier contient des erreurs ; aucun candidat n'a été inscrit.",
                           code="invalid_file", details=[e.as_dict() for e in errors])
    store.batch_put(records)  # validated first: either every line or none
    return {"enrolled": len(records), "candidates": [candidate_view(r) for r in records]}


def enrol_many(centre_id: str, session_id: str, inputs: list[CandidateInput]) -> list[dict]:
    """Enrol already-validated candidates (a class from a school roster)."""
    session = _open_session(centre_id, session_id)
    records = [_candidate_record(session.session_id, data) for data in inputs]
    store.batch_put(records)
    return [candidate_view(r) for r in records]


def list_candidates(centre_id: str, session_id: str, cursor: str | None = None, limit: int = 100) -> dict:
    """One page of the session's candidates (a session may hold thousands)."""
    require_session(centre_id, session_id)
    page, next_cursor = store.candidates_page(session_id, cursor, limit)
    return {"candidates": [candidate_view(c) for c in page], "next_cursor": next_cursor}


def finalise(centre_id: str, session_id: str, data: FinalisationInput, by: str) -> dict:
    session = require_session(centre_id, session_id)
    step = lifecycle.move(session.status, SessionStatus.FINALISED, Actor.CENTRE, by, _now())
    candidates = {c.candidate_id: c for c in store.candidates(session_id)}
    unknown = [r.candidate_id for r in data.candidates if r.candidate_id not in candidates]
    if unknown:
        raise InvalidInput("Candidat inconnu dans cette session.", code="unknown_candidate",
                           details={"candidate_ids": unknown[:20]})
    course_ids = [c.course_id for c in candidates.values() if c.course_id]
    running = [cid for cid, course in store.courses(course_ids).items() if course.status == "started"]
    if running:
        raise Conflict("Des candidats sont encore en cours de test : le surveillant doit terminer "
                       "leur test avant la finalisation.", code="candidates_still_testing",
                       details={"course_ids": running})
    # only what differs from the default (present, no incident) is written, in items of their own,
    # before the session names this filing: a filing that loses the race is never read
    filing = f"{step.at:012d}{uuid.uuid4().hex[:8]}"
    store.put_reports(session.session_id, filing, {
        r.candidate_id: {"present": r.present,
                         "incidents": [{"category": i.category.value, "description": i.description}
                                       for i in r.incidents]}
        for r in data.candidates if not r.present or r.incidents})
    finalisation = {"comment": data.comment, "finalised_by": by, "finalised_at": step.at,
                    "reports": filing}
    fraud = any(i.category is IncidentCategory.FRAUD_SUSPICION for r in data.candidates for i in r.incidents)
    if not store.finalise_session(session, step, finalisation, fraud):
        landed = store.plain(require_session(centre_id, session_id).finalisation)
        if (landed.get("finalised_by"), landed.get("finalised_at")) != (by, finalisation["finalised_at"]):
            raise Conflict("La session a changé entre-temps ; rechargez-la.", code="concurrent_update")
        # else: our own update, retried by botocore after its answer was lost
    _release_access_code(session.access_code)
    return session_view(require_session(centre_id, session_id))


def invigilator_kit(centre_id: str, session_id: str, password: str, invigilation_url: str) -> bytes:
    """The printable kit (documents/invigilator_kit_pdf.py). The password comes
    back from the page that showed it once; it is printed only if it is the
    session's own, so a typo never reaches the invigilator on paper."""
    from chalicelib.documents.invigilator_kit_pdf import render_kit

    session = require_session(centre_id, session_id)
    try:
        _HASHER.verify(session.invigilator_password_hash, codes.normalise_code(password))
    except VerificationError:
        raise InvalidInput("Ce n'est pas le mot de passe surveillant de cette session.",
                           code="wrong_invigilator_password")
    centre = centres.require_centre(centre_id)
    candidates = sorted((candidate_view(c) for c in store.candidates(session_id)),
                        key=lambda c: (c["last_name"].casefold(), c["first_name"].casefold()))
    try:
        return render_kit(centre.name, session_view(session), codes.normalise_code(password),
                          candidates, invigilation_url)
    except ValueError:
        raise Conflict("Un nom contient des caractères que le kit ne peut pas imprimer ; "
                       "utilisez l'impression depuis la page.", code="kit_unavailable")


def publish(session_id: str, by: str) -> dict:
    """A platform admin publishes a session held for review (fraud reports)."""
    session = require_session(None, session_id)
    step = lifecycle.move(session.status, SessionStatus.PUBLISHED, Actor.ADMIN, by, _now())
    store.publish_certificates_of_session(session_id)
    if not store.move_session(session, step):
        # published meanwhile (a double click, a retried write)
        if require_session(None, session_id).status != SessionStatus.PUBLISHED.value:
            raise Conflict("La session a changé entre-temps ; rechargez-la.", code="concurrent_update")
    return session_view(require_session(None, session_id))


def verify_invigilator(session_ref: str, password: str, ip: str | None = None) -> store.SessionRecord:
    """The invigilator's sign-in, by the session's short number (or its id,
    for sessions created before numbers existed). Nothing here is keyed on the session alone:
    the session id is in every candidate's view, so a per-session lock let any
    candidate shut the invigilator out (issue 13, point 8). The 10-character
    password (24¹⁰ ≈ 6.3e13) makes guessing hopeless under the per-address
    admission (INVIGILATOR_SIGNINS_PER_IP, refused requests not counted).
    Guesses of the legacy 5-character length, the only ones that can match a
    session created before the change, stay capped per session: a candidate
    exhausting that cap blocks nothing a 10-character password needs."""
    throttle.hit(f"invigilator:ip:{ip or 'unknown'}", *INVIGILATOR_SIGNINS_PER_IP)
    typed = codes.normalise_code(password)
    legacy = len(typed) == codes.LEGACY_INVIGILATOR_PASSWORD_LENGTH
    legacy_key = f"invigilator-legacy-failures:{codes.normalise_code(session_ref)}"
    if legacy:
        throttle.peek(legacy_key, *LEGACY_FAILURES_PER_SESSION)
    session = find_session(session_ref)
    refused = Unauthenticated("Numéro de session ou mot de passe surveillant incorrect.",
                              code="invalid_credentials")
    try:
        if session is None:
            _HASHER.hash(typed)  # same cost whether the session exists or not
            raise refused
        try:
            _HASHER.verify(session.invigilator_password_hash, typed)
        except VerificationError:
            raise refused
    except Unauthenticated:
        if legacy:
            throttle.record(legacy_key, LEGACY_FAILURES_PER_SESSION[1])
        raise
    if not lifecycle.is_open(session.status):
        raise Conflict("Cette session est finalisée.", code="session_finalised")
    return session


def mark_in_progress(session: store.SessionRecord, by: str) -> None:
    if not lifecycle.may_move(session.status, SessionStatus.IN_PROGRESS, Actor.INVIGILATOR):
        return
    # False when another invigilator action did it first: nothing left to do
    store.move_session(session, lifecycle.move(session.status, SessionStatus.IN_PROGRESS,
                                               Actor.INVIGILATOR, by, _now()))


# --- views and internals ---------------------------------------------------------------


def session_view(rec: store.SessionRecord) -> dict:
    return {"session_id": rec.session_id, "session_number": rec.number, "centre_id": rec.centre_id,
            "date": rec.date,
            "time": rec.time, "address": rec.address, "room": rec.room,
            "examiner": rec.examiner, "description": rec.description,
            "access_code": rec.access_code, "status": rec.status,
            "transitions": [store.plain(t) for t in rec.transitions or []],
            "has_fraud_report": bool(rec.has_fraud_report)}


def candidate_view(rec: store.CandidateRecord) -> dict:
    return {"candidate_id": rec.candidate_id, "first_name": rec.first_name,
            "last_name": rec.last_name, "birth_date": rec.birth_date,
            "birth_place": rec.birth_place, "sex": rec.sex, "email": rec.email,
            "external_id": rec.external_id, "extra_time_percent": int(rec.extra_time_percent or 0),
            "accessibility": bool(rec.accessibility), "joined": rec.user_id is not None,
            "course_id": rec.course_id}


def _open_session(centre_id: str, session_id: str) -> store.SessionRecord:
    session = require_session(centre_id, session_id)
    if not lifecycle.is_open(session.status):
        raise Conflict("La session est finalisée : plus d'inscription possible.",
                       code="session_finalised")
    return session


def _candidate_record(session_id: str, data: CandidateInput) -> store.CandidateRecord:
    candidate = Candidate(
        candidate_id=uuid.uuid4().hex[:12], session_id=session_id, first_name=data.first_name,
        last_name=data.last_name, birth_date=data.birth_date.isoformat(), birth_place=data.birth_place,
        sex=data.sex, email=data.email, external_id=data.external_id,
        extra_time_percent=data.extra_time_percent, accessibility=data.accessibility, ine=data.ine)
    return store.candidate_record(candidate, identity_key(data.last_name, data.birth_date.isoformat()))


def _row_errors(line: int, err: ValidationError) -> list[RowError]:
    return [RowError(line, ".".join(str(p) for p in d["loc"]) or "-", d["type"], _french(d))
            for d in err.errors(include_url=False)]


def _french(detail: dict) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind.startswith("date") or kind.startswith("time"):
        return "date ou heure invalide (JJ/MM/AAAA, HH:MM)"
    if kind == "string_pattern_mismatch":
        return "format invalide"
    if kind in ("string_too_long", "too_long"):
        return "valeur trop longue"
    if kind.startswith("int") or kind.startswith("less_than") or kind.startswith("greater_than"):
        return "nombre invalide ou hors limites"
    return "valeur invalide"


def _release_access_code(code: str) -> None:
    """Once finalised, the session's code may be drawn again for a new session."""
    try:
        store.release_access_code(code)
    except Exception:  # noqa: BLE001 - a stale link only blocks that code, never a user
        pass

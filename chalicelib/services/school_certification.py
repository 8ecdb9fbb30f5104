"""Certification for schools: enrol a class of the roster, read the report book.

The rule tying a school to its certification sessions is the UAI: a session
belongs to the school when its centre's UAI is the organisation's UAI. Both
are set by a platform admin (and an organisation's UAI is unique), so no
extra link has to be kept in sync; a centre serving several schools is not
covered (they would each need their own centre). A session of another centre
answers 404, as if it did not exist.

Candidates are enrolled from the roster (birth name, first first name, birth
date, INSEE code or country, sex, INE), so certificates carry the INE and are
indexed by the centre's UAI: a report book page is one query on that index
(plus one BatchGet of the page's roster entries for all first names and the
birth place).
"""
from __future__ import annotations

import base64
import binascii
import re
import time

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services import organizations, rosters
from chalicelib.services.certification_inputs import CandidateInput
from chalicelib.store import certification as certification_store
from chalicelib.store import organizations as org_store


def enrol_learners(org_id: str, session_id: str, *, division: str | None,
                   learner_ids: list[str] | None) -> dict:
    """Enrol a division (or chosen learners) in one call; learners already
    enrolled in the session (same INE or student number) are skipped, so a
    retried call enrols nobody twice."""
    from chalicelib.services import sessions

    org = organizations.require(org_id)
    session, centre = _school_session(org, session_id)
    learners = rosters.active_learners(org_id, division=division, learner_ids=learner_ids)
    enrolled = {c.ine or c.external_id for c in certification_store.candidates(session.session_id)}
    fresh = [r for r in learners if r.learner_id not in enrolled]
    by_ine = organizations.roster_format(org) == "school"
    inputs = []
    for rec in fresh:
        try:
            inputs.append(CandidateInput(
                first_name=rec.first_names.split(" ")[0], last_name=rec.last_name,
                birth_date=rec.birth_date, birth_place=rec.birth_insee_code or rec.birth_country or "",
                sex=rec.sex or None, ine=rec.learner_id if by_ine else None,
                external_id=None if by_ine else rec.learner_id))
        except ValueError as err:  # a roster entry the certification rules refuse
            raise InvalidInput(f"Apprenant {rec.learner_id} : données refusées pour la certification.",
                               code="invalid_learner", details=str(err)[:300])
    candidates = sessions.enrol_many(centre.centre_id, session.session_id, inputs) if inputs else []
    org_store.note_certification_session(org_id, session.session_id, session.date, session.time,
                                         int(time.time()))
    return {"session_id": session.session_id, "enrolled": len(candidates),
            "already_enrolled": len(learners) - len(fresh), "candidates": candidates}


UAI_PATTERN = re.compile(r"^[0-9]{7}[A-Z]$")
REPORT_BOOK_PAGE = 100


def report_book(org_id: str, *, school_year: str | None, cursor: str | None, limit: int) -> dict:
    """The school's own view (its API client): the same page as the national feed."""
    org = organizations.require(org_id)
    if not org.uai:
        raise Conflict("Cette organisation n'a pas d'UAI : pas de livret scolaire.", code="no_uai")
    return report_book_of_uai(org.uai, school_year=school_year, cursor=cursor, limit=limit)


def report_book_of_uai(uai: str, *, school_year: str | None, cursor: str | None,
                       limit: int) -> dict:
    """Certification results of one school (by UAI) for the national report
    books (LSU for collèges, LSL for lycées): every certificate, validated,
    held for the jury, rejected or pending (issued, not yet published), each
    as the jury rules let a school see it (`_report_line`), with the pupil's INE, every first name, birth date and place from the
    school's roster. Paged with an opaque cursor: each page is one Query of at
    most `limit` certificates plus one BatchGet of their roster entries, at
    any history length. A school year ("2025-2026": 1 September to 31 August)
    filters by the date the test was taken."""
    uai = (uai or "").strip().upper()
    if not UAI_PATTERN.match(uai):
        raise InvalidInput("UAI invalide : 7 chiffres et une lettre (ex. 0750001A).",
                           code="invalid_uai")
    since, until = _school_year_bounds(school_year)
    start = _decode_cursor(cursor)
    records, last = certification_store.certificates_of_uai_page(uai, start, limit,
                                                                 since=since, until=until)
    org_id = org_store.org_of_uai(uai)
    learners = org_store.learners_by_id(org_id, [r.ine for r in records if r.ine]) if org_id else {}
    items = [_report_line(rec, learners.get(rec.ine)) for rec in records if rec.ine]
    return {"uai": uai, "school_year": school_year, "items": items,
            "next_cursor": _encode_cursor(last) if last else None}


def _report_line(rec, learner) -> dict:
    """One certificate as the report book shows it, by the jury rules
    (docs/jury.md, « Who sees what »): a validated, published result with its
    score, levels per competence and the competences « non évalué »; anything
    else (pending before publication, held for the jury, rejected) with its
    status and French reason only, never a score or a level."""
    from chalicelib.services import certificates

    cert = certificates.to_domain(rec)
    view = {"status": cert.status, "reason": None, "message": None} if cert.shows_result else \
        cert.status_view(certificates.min_answers_of(cert))
    line = {
        "ine": cert.ine, "status": view["status"], "reason": view["reason"],
        "message": view["message"], "last_name": cert.last_name,
        "usage_name": (learner.usage_name or None) if learner else None,
        "first_names": learner.first_names if learner else cert.first_name,
        "birth_date": cert.birth_date,
        "birth_place": {"insee_code": (learner.birth_insee_code or None) if learner else None,
                        "country": (learner.birth_country or None) if learner else None},
        "division": (learner.division or None) if learner else None,
        "session_date": cert.session_date, "certificate_id": cert.certificate_id,
        "result": None,
    }
    if cert.shows_result:
        competences = cert.competences()
        line["result"] = {
            "global_score": int(cert.global_score), "level": int(cert.level),
            "level_label": cert.level_label,
            "competence_levels": dict(sorted(cert.competence_levels.items())),
            "competences": competences,
            "not_evaluated": [c["code"] for c in competences if not c["evaluated"]],
            "verification_code": cert.verification_code, "issued_at": cert.issued_at}
    return line


def _school_year_bounds(school_year: str | None) -> tuple[str | None, str | None]:
    if not school_year:
        return None, None
    match = re.fullmatch(r"(\d{4})-(\d{4})", school_year)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise InvalidInput("Année scolaire invalide : attendu AAAA-AAAA (ex. 2025-2026).",
                           code="invalid_school_year")
    return f"{match.group(1)}-09-01", f"{match.group(2)}-08-31"


_CURSOR_SK = re.compile(r"^[0-9A-Z]{11}#[A-Za-z0-9_-]{1,80}$")


def _encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> str | None:
    """Only the sort key travels (INE#certificate): the partition is rebuilt from
    the UAI of the URL, so a cursor cannot reach another school's results."""
    if not cursor:
        return None
    try:
        sk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        sk = ""
    if not _CURSOR_SK.match(sk):
        raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
    return sk


def sessions_of_school(org_id: str, cursor: str | None = None, limit: int = 50) -> dict:
    """A page of the sessions the school enrolled pupils in, latest date first:
    a school's history grows every year, a request must not (issue 16.3). One
    Query of the school's notes and one BatchGet of their sessions."""
    org = organizations.require(org_id)
    notes, next_cursor = org_store.certification_sessions_page(org_id, cursor, limit)
    found = certification_store.sessions([n.session_id for n in notes])
    items = [_session_view(found[n.session_id]) for n in notes if n.session_id in found]
    return {"uai": org.uai, "items": items, "next_cursor": next_cursor}


def backfill_session_index() -> dict:
    """Migration for issue 16.3: notes written before the school's session list
    was paged have no index keys, so the paged list would silently leave those
    sessions out. Idempotent and resumable (each note is updated only while it
    has no keys); notes of sessions that no longer exist are counted, not touched."""
    counts = {"indexed": 0, "already": 0, "missing_session": 0}
    for org_id, session_id in org_store.certification_notes_without_index():
        session = certification_store.session(session_id)
        if session is None:
            counts["missing_session"] += 1
        elif org_store.index_certification_note(org_id, session_id, session.date, session.time):
            counts["indexed"] += 1
        else:
            counts["already"] += 1
    return counts


def session_results(org_id: str, session_id: str) -> dict:
    """The school's pupils enrolled in the session, by class and name, each
    with their result by the jury rules (docs/jury.md, « Who sees what »): a
    validated, published certificate with its score, level and levels per
    competence; a published rejected or held one with its status and French
    reason only, never a score (the school must not read what the jury did not
    validate); nothing before publication (the jury may still change it)."""
    org = organizations.require(org_id)
    session, _ = _school_session(org, session_id)
    pupils = _pupils_of_session(org_id, session.session_id)
    certs = certification_store.certificates([c.course_id for c, _ in pupils if c.course_id])
    items = []
    for cand, learner in pupils:
        rec = certs.get(cand.course_id) if cand.course_id else None
        items.append({
            "learner_id": learner.learner_id, "division": learner.division or None,
            "last_name": cand.last_name, "first_name": cand.first_name,
            "joined": cand.course_id is not None,
            "result": None if rec is None or not rec.published else _session_result(rec)})
    items.sort(key=lambda p: (p["division"] or "", p["last_name"].casefold(), p["first_name"].casefold()))
    return {**_session_view(session), "pupils": items}


def _session_result(rec) -> dict:
    """A published result as the school sees it in the session's list."""
    from chalicelib.services import certificates

    cert = certificates.to_domain(rec)
    if cert.shows_result:
        return {"status": cert.status, "reason": None, "message": None,
                "global_score": int(cert.global_score), "level": int(cert.level),
                "level_label": cert.level_label, "competences": cert.competences(),
                "verification_code": cert.verification_code}
    view = cert.status_view(certificates.min_answers_of(cert))
    return {"status": view["status"], "reason": view["reason"], "message": view["message"],
            "global_score": None, "level": None, "level_label": None, "competences": [],
            "verification_code": None}


def class_attestations(org_id: str, session_id: str, division: str | None) -> list:
    """The published, validated certificates of the school's pupils of the
    session (of one class, or all), in class and name order, for one PDF."""
    from chalicelib.services import certificates

    org = organizations.require(org_id)
    session, _ = _school_session(org, session_id)
    pupils = [(c, learner) for c, learner in _pupils_of_session(org_id, session.session_id)
              if division is None or (learner.division or "") == division]
    certs = certification_store.certificates([c.course_id for c, _ in pupils if c.course_id])
    chosen = sorted(((learner.division or "", c.last_name.casefold(), c.first_name.casefold(),
                      certs[c.course_id]) for c, learner in pupils
                     if c.course_id in certs and certs[c.course_id].published
                     and certs[c.course_id].status == "validated"), key=lambda t: t[:3])
    if not chosen:
        raise NotFound("Aucune attestation publiée pour ces élèves dans cette session.",
                       code="no_attestation")
    return [certificates.to_domain(rec) for *_, rec in chosen]


def _pupils_of_session(org_id: str, session_id: str) -> list:
    """(candidate, roster entry) of the session's candidates who are this
    school's pupils (enrolled by INE or student number from the roster)."""
    candidates = certification_store.candidates(session_id)
    ids = [c.ine or c.external_id for c in candidates if c.ine or c.external_id]
    learners = org_store.learners_by_id(org_id, ids)
    return [(c, learners[c.ine or c.external_id]) for c in candidates
            if (c.ine or c.external_id) in learners]


def _session_view(session) -> dict:
    return {"session_id": session.session_id, "session_number": session.number,
            "date": session.date, "time": session.time,
            "address": session.address, "room": session.room, "status": session.status}


def _school_session(org, session_id: str):
    not_found = NotFound("Session introuvable.", code="session_not_found")
    session = certification_store.session(session_id)
    if session is None or not org.uai:
        raise not_found
    centre = certification_store.centre(session.centre_id)
    if centre is None or (centre.uai or "").upper() != org.uai.upper():
        raise not_found
    return session, centre

"""Certification for schools: enrol a class of the roster, read the report book.

The rule tying a school to its certification sessions is the UAI: a session
belongs to the school when its centre's UAI is the organisation's UAI. Both
are set by a platform admin (and an organisation's UAI is unique), so no
extra link has to be kept in sync; a centre serving several schools is not
covered (they would each need their own centre). A session of another centre
answers 404, as if it did not exist.

Candidates are enrolled from the roster (birth name, first first name, birth
date, INSEE code or country, sex, INE), so certificates carry the INE and are
indexed by the centre's UAI: the report book is one query on that index.
"""
from __future__ import annotations

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
    org_store.note_certification_session(org_id, session.session_id, int(time.time()))
    return {"session_id": session.session_id, "enrolled": len(candidates),
            "already_enrolled": len(learners) - len(fresh), "candidates": candidates}


def report_book(org_id: str) -> dict:
    """Each pupil's latest published certificate, by INE, for the national report
    book (LSU for collèges, LSL for lycées), and every result of the pupil,
    newest first: a validated one with its score, a pending, held or rejected
    one with its status and French reason only (never a score)."""
    from chalicelib.services import certificates

    org = organizations.require(org_id)
    if not org.uai:
        raise Conflict("Cette organisation n'a pas d'UAI : pas de livret scolaire.", code="no_uai")
    by_ine: dict[str, list] = {}
    for cert in certificates.report_book(org.uai):
        if cert.ine:
            by_ine.setdefault(cert.ine, []).append(cert)
    pupils = []
    for ine in sorted(by_ine):
        results = sorted(by_ine[ine], key=lambda c: (c.session_date, c.issued_at), reverse=True)
        shown = [c for c in results if c.shows_result]
        latest = shown[0] if shown else None
        who = results[0]
        pupils.append({
            "ine": ine, "last_name": who.last_name, "first_name": who.first_name,
            "birth_date": who.birth_date,
            "certificate": _certificate(latest) if latest else None,
            "results": [_result(c, certificates.min_answers_of(c)) for c in results]})
    return {"uai": org.uai, "pupils": pupils}


def _certificate(cert) -> dict:
    return {"date": cert.session_date, "global_score": int(cert.global_score),
            "level": int(cert.level), "level_label": cert.level_label,
            "competence_levels": {k: int(v) for k, v in cert.competence_levels.items()},
            "not_evaluated": [c["code"] for c in cert.competences() if not c["evaluated"]],
            "verification_code": cert.verification_code, "issued_at": cert.issued_at}


def _result(cert, min_answers: int) -> dict:
    if cert.shows_result:
        return {"date": cert.session_date, "status": cert.status, "reason": None, "message": None,
                "global_score": int(cert.global_score), "level_label": cert.level_label}
    view = cert.status_view(min_answers)
    return {"date": view["date"], "status": view["status"], "reason": view["reason"],
            "message": view["message"], "global_score": None, "level_label": None}

def sessions_of_school(org_id: str) -> dict:
    """The sessions the school enrolled pupils in, latest date first."""
    org = organizations.require(org_id)
    out = []
    for noted in org_store.certification_sessions_of(org_id):
        session = certification_store.session(noted.session_id)
        if session is not None:
            out.append(_session_view(session))
    out.sort(key=lambda s: (s["date"], s["time"]), reverse=True)
    return {"uai": org.uai, "items": out}


def session_results(org_id: str, session_id: str) -> dict:
    """The school's pupils enrolled in the session, by class and name, each
    with the published result of their certificate (nothing before publication:
    a held or unpublished result is "en attente", as for the pupil)."""
    org = organizations.require(org_id)
    session, _ = _school_session(org, session_id)
    pupils = _pupils_of_session(org_id, session.session_id)
    certs = certification_store.certificates([c.course_id for c, _ in pupils if c.course_id])
    items = []
    for cand, learner in pupils:
        cert = certs.get(cand.course_id) if cand.course_id else None
        shown = cert is not None and cert.published
        items.append({
            "learner_id": learner.learner_id, "division": learner.division or None,
            "last_name": cand.last_name, "first_name": cand.first_name,
            "joined": cand.course_id is not None,
            "result": None if not shown else {
                "status": cert.status, "global_score": int(cert.global_score),
                "level": int(cert.level), "level_label": cert.level_label,
                "verification_code": cert.verification_code if cert.status == "validated" else None}})
    items.sort(key=lambda p: (p["division"] or "", p["last_name"].casefold(), p["first_name"].casefold()))
    return {**_session_view(session), "pupils": items}


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
    return {"session_id": session.session_id, "date": session.date, "time": session.time,
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

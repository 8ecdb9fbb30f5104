"""Issuing, publishing and verifying certificates.

Issuance is idempotent: a certificate and its verification code are written
in one transaction, both conditional on not existing, so two overlapping job
runs (or a retried one) issue each certificate exactly once.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from chalicelib.bank.loader import get_bank
from chalicelib.domain import codes, status_list
from chalicelib.domain.certificate import Certificate, cancellation_of
from chalicelib.domain.certification import CURRENT, UnknownVersion, jury, score_certification, version_named
from chalicelib.domain.certification.course import CourseAnswer
from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.store import certification as store

log = logging.getLogger("pix.certificates")


@dataclass(frozen=True)
class Prefetched:
    """What a batch of candidates needs, read in two BatchGetItem calls
    (certificates already issued, then the courses still to score) instead of
    two GetItem calls per candidate: resuming a long session after a run hit
    its deadline then costs one call per 100 certificates already issued."""
    issued: frozenset[str]
    courses: dict
    reports: dict  # candidate id -> finalisation report, for the non-default ones


def prefetch(candidates: list[store.CandidateRecord], reports: dict | None = None) -> Prefetched:
    """`reports`: the session's `store.finalisation_reports`, read once per session."""
    ids = [c.course_id for c in candidates if c.course_id]
    issued = frozenset(store.certificates(ids))
    return Prefetched(issued, store.courses([i for i in ids if i not in issued], consistent=True),
                      reports or {})


def issue_for_candidate(session: store.SessionRecord, centre: store.CentreRecord,
                        candidate: store.CandidateRecord, known: Prefetched) -> str:
    """'issued' | 'exists' | 'skipped' (absent, never started). `known`: the
    `prefetch` of the batch the candidate belongs to."""
    if not candidate.course_id:
        return "skipped"
    if candidate.course_id in known.issued:
        return "exists"
    course = known.courses.get(candidate.course_id)
    report = known.reports.get(candidate.candidate_id, {})
    if course is None or course.status == "waiting" or report.get("present") is False:
        return "skipped"
    incidents = {i.get("category") for i in report.get("incidents", [])}
    answers = store.answers_of(course)
    neutralised = set(course.neutralised or [])
    version = version_named(course.certification_version)  # the course's own, never the current one
    # the jury rules (domain/certification/jury.py): scored, imputed, rejected or held
    result = score_certification(
        get_bank(), [a.scored() for a in answers],
        version=version, neutralised=neutralised, ending=jury.ending_of(course.ended_by, incidents))
    for _ in range(5):
        cert = Certificate(
            certificate_id=course.course_id, verification_code=codes.verification_code(),
            first_name=candidate.first_name, last_name=candidate.last_name,
            birth_date=candidate.birth_date, session_date=session.date,
            # a rejected or held test without a score stores 0 and theta None;
            # no view shows a score unless the certificate is validated
            centre_name=centre.name if centre else "", global_score=result.global_score or 0,
            level_label=result.level_label or "", level=result.level or 0,
            competence_levels=dict(result.competence_levels), certification_version=version.version,
            competence_level_ranges=dict(result.competence_level_ranges),
            issued_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            status=result.status, published=not session.has_fraud_report, user_id=course.user_id,
            session_id=session.session_id, ine=candidate.ine, theta=result.theta, reason=result.reason,
            birth_place=candidate.birth_place or "")
        try:
            store.create_certificate(cert, uai=centre.uai if centre is not None else None)
            return "issued"
        except store.Conflicting:
            if store.certificate(course.course_id) is not None:
                return "exists"  # another run issued it first
            # else: the verification code was taken: draw another
    raise RuntimeError("could not draw a free verification code")


def to_domain(rec: store.CertificateRecord) -> Certificate:
    return store.to_certificate(rec)


# Public verification, per source address: a verifier checks a handful of
# codes, a whole school's secretariat a few dozen a minute; 10-character codes
# (24^10) make enumeration hopeless at this rate, and refused requests are not
# counted (services/throttle.py), so a burst waits at most a minute.
VERIFICATIONS_PER_IP = (30, 60)


def verify(code: str, source_ip: str | None = None) -> dict:
    """Anyone holding a code checks a published, validated certificate."""
    from chalicelib.services import throttle

    throttle.hit(f"verify-ip:{source_ip or 'unknown'}", *VERIFICATIONS_PER_IP)
    normalised = codes.normalise_code(code)
    rec = store.certificate_by_code(normalised) if codes.is_verification_code(normalised) else None
    if rec is not None and rec.published and rec.status == jury.Status.CANCELLED.value:
        return to_domain(rec).cancelled_view()  # says so, without any score
    if rec is None or not rec.published or rec.status != "validated":
        raise NotFound("Aucun certificat ne correspond à ce code de vérification.",
                       code="certificate_not_found")
    return to_domain(rec).public_view()


def min_answers_of(cert: Certificate) -> int:
    """The minimum number of answers of the certificate's version (named in
    the French reasons); the current version's for a version unknown here."""
    try:
        return version_named(cert.certification_version).min_answers
    except UnknownVersion:
        return CURRENT.min_answers


def my_certificates(user_id: str) -> dict:
    """The holder's results: a validated, published certificate in full;
    anything else (pending, held for the jury, rejected) as its status and
    French reason, without score."""
    out = []
    for rec in store.certificates_of_user(user_id):
        cert = to_domain(rec)
        if cert.shows_result:
            view = cert.public_view()
            view.update({"certificate_id": cert.certificate_id, "status": cert.status,
                         "published": cert.published})
        else:
            view = cert.status_view(min_answers_of(cert))
        out.append(view)
    return {"certificates": out}


def session_results(session_id: str) -> dict:
    """A platform admin's view of a session's results (the jury's work list):
    every certificate with its true status, French reason and score if any."""
    session = store.session(session_id)
    if session is None:
        raise NotFound("Session introuvable.", code="session_not_found")
    ids = [c.course_id for c in store.candidates(session.session_id) if c.course_id]
    found = store.certificates(ids)
    certs = [to_domain(found[i]) for i in ids if i in found]
    return {"session_id": session.session_id, "status": session.status,
            "certificates": [c.admin_view(min_answers_of(c)) for c in certs],
            "held": sum(1 for c in certs if c.status == jury.Status.HELD.value)}


def jury_decide(certificate_id: str, choice: jury.JuryChoice, by: str) -> dict:
    """A platform admin's jury decision on a held certificate (validate its
    score or reject it). The write lands only if the certificate is still
    held, so two admins never both decide."""
    rec = store.certificate(certificate_id)
    if rec is None:
        raise NotFound("Certificat introuvable.", code="certificate_not_found")
    cert = to_domain(rec)
    status, reason = jury.jury_decision(cert.status, cert.theta is not None, choice)
    if not store.decide_certificate(rec, status.value, reason):
        raise Conflict("Ce résultat a déjà été tranché ; rechargez-le.", code="concurrent_update")
    log.info('{"event": "jury_decision", "certificate": "%s", "status": "%s", "by": "%s"}',
             certificate_id, status.value, by)
    return to_domain(store.certificate(certificate_id)).admin_view(min_answers_of(cert))


def my_certificate(user_id: str, certificate_id: str) -> Certificate:
    """The holder's validated, published certificate, to print or sign. A
    cancelled one is refused with its French reason (no attestation, no new
    badge: it no longer certifies anything)."""
    rec = store.certificate(certificate_id)
    if rec is None or rec.user_id != user_id or not rec.published:
        raise NotFound("Certificat introuvable.", code="certificate_not_found")
    _refuse_unless_validated(rec)
    return to_domain(rec)


def _refuse_unless_validated(rec: store.CertificateRecord) -> None:
    if rec.status == jury.Status.CANCELLED.value:
        raise Conflict("Ce certificat a été annulé par la plateforme : son attestation et son "
                       "Open Badge ne sont plus délivrés.", code="certificate_cancelled")
    if rec.status != "validated":
        raise NotFound("Certificat introuvable.", code="certificate_not_found")


def cancel(certificate_id: str, reason: str, by: str) -> dict:
    """A platform admin cancels an issued certificate (e.g. fraud established
    after the session): status "cancelled", the decision recorded (who, when,
    why), and the bit of its Open Badge's status list entry set in the same
    write, so every place the certificate shows stops presenting it as valid.
    Idempotent: cancelling a cancelled certificate returns it unchanged."""
    for _ in range(3):  # a badge download may allocate a status entry meanwhile: re-read
        rec = store.certificate(certificate_id)
        if rec is None:
            raise NotFound("Certificat introuvable.", code="certificate_not_found")
        cert = to_domain(rec)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        decision = cancellation_of(cert, reason=reason, by=by, at=now)
        if decision is None:
            return cert.admin_view(min_answers_of(cert))
        if store.cancel_certificate(rec, status=jury.Status.CANCELLED.value, reason_code=decision.code,
                                    at=decision.at, by=decision.by, reason=decision.reason):
            log.info('{"event": "certificate_cancelled", "certificate": "%s", "by": "%s"}',
                     certificate_id, by)
            cert = to_domain(store.certificate(certificate_id))
            return cert.admin_view(min_answers_of(cert))
    raise Conflict("Ce certificat change en ce moment ; réessayez.", code="concurrent_update")


def status_entry_of(cert: Certificate) -> tuple[str, int]:
    """The certificate's entry in a status list (list id, index), reserved on
    first use by a random draw (domain/status_list.py: no shared counter).
    A certificate cancelled meanwhile is refused like any cancelled one."""
    if cert.status_list is not None and cert.status_index is not None:
        return cert.status_list, cert.status_index
    list_id = status_list.list_id_of(dt.datetime.now(dt.timezone.utc))
    for _ in range(status_list.MAX_DRAWS):
        rec = store.certificate(cert.certificate_id)
        if rec is None:
            raise NotFound("Certificat introuvable.", code="certificate_not_found")
        if rec.status_index is not None:
            return rec.status_list, int(rec.status_index)  # another download reserved it first
        _refuse_unless_validated(rec)  # cancelled meanwhile
        if store.allocate_status_index(rec, list_id, status_list.draw_index()):
            fresh = store.certificate(cert.certificate_id)
            return fresh.status_list, int(fresh.status_index)
    raise Unavailable("Le badge ne peut pas être préparé pour l'instant ; réessayez.",
                      code="status_list_full")


def revoked_in(list_id: str) -> list[int]:
    """The cancelled entries of a status list (404 for a malformed list id)."""
    if not status_list.is_list_id(list_id):
        raise NotFound("Liste de statuts introuvable.", code="status_list_not_found")
    return store.revoked_indices(list_id)


def erase_holder_link(user_id: str) -> None:
    """RGPD deletion: the certificate stays verifiable (names kept on the record)
    but is no longer linked to an account."""
    store.unlink_certificates_of_user(user_id)


def export(user_id: str) -> dict:
    """RGPD export. A course's verdicts (ok/ko per item) are shown only once its
    certificate is published: during the test, or while the session awaits the
    job or a jury, they would tell the candidate which answers were right."""
    certificates = my_certificates(user_id)["certificates"]
    published = {c["certificate_id"] for c in certificates if c["published"]}  # id = course id
    courses = [{"course_id": c.course_id, "session_id": c.session_id, "status": c.status,
                "answers": [_exported_answer(a, c.course_id in published) for a in store.answers_of(c)]}
               for c in store.courses_of_user(user_id)]
    return {"certificates": certificates, "certification_courses": courses}


def _exported_answer(answer: CourseAnswer, show_verdict: bool) -> dict:
    out = {"item_id": answer.item_id, "answered_at": answer.at_ms}
    if show_verdict:
        out["status"] = answer.status.value
    return out


def erase(user_id: str) -> None:
    """Certificates stay verifiable (holder names stay on the certificate
    record, as issued) but lose the link to the account; courses are unlinked."""
    erase_holder_link(user_id)
    store.unlink_courses_of_user(user_id)


def _register_personal_data() -> None:
    from chalicelib.services import personal_data

    personal_data.register("certification", export, erase)


_register_personal_data()

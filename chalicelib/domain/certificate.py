"""A certificate as issued: what the holder downloads and anyone can verify."""
from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.certification.jury import (NOT_EVALUATED, PLATFORM_CANCELLED, Status,
                                                  competence_results, reason_message)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.framework import COMPETENCES

PENDING = "pending"
PENDING_MESSAGE = "Résultat en cours de vérification par la plateforme."


@dataclass(frozen=True)
class Certificate:
    certificate_id: str          # = the certification course id
    verification_code: str       # "P-" + 8 distinct characters
    first_name: str
    last_name: str
    birth_date: str              # ISO date
    session_date: str            # ISO date the test was taken
    centre_name: str
    global_score: int            # 0..1024 (capped at the highest open level)
    level_label: str             # "Indépendant 3", ...
    level: int
    # "1.1" -> 0..8, measured competences only: a competence absent from it is
    # « non évalué » (all its answers neutralised, or none served), never 0
    competence_levels: dict[str, int] = field(default_factory=dict)
    certification_version: str = ""
    # "1.1" -> (low, high): the 95% range of each measured competence level
    # (versions from 2026.2; empty on older certificates): printed on the
    # attestation so that a level resting on 1-3 answers states its precision
    competence_level_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    issued_at: str = ""          # ISO datetime
    status: str = "validated"    # validated | rejected | held (jury.Status)
    published: bool = False
    # kept with the certificate, never shown by `public_view`
    user_id: str | None = None
    session_id: str = ""
    ine: str | None = None
    theta: float | None = None
    reason: str | None = None    # a jury reason code (jury.py)
    birth_place: str = ""        # printed on the attestation (commune, INSEE code or country)
    # set when a platform admin cancels it after issuance (`cancellation_of`): the
    # decision as recorded, never shown publicly (verifiers only read "cancelled")
    cancelled_at: str | None = None
    cancelled_by: str | None = None
    cancellation_reason: str | None = None
    # its entry in a Bitstring Status List (allocated when the holder first
    # downloads the Open Badge; domain/status_list.py)
    status_list: str | None = None
    status_index: int | None = None

    @property
    def is_certified(self) -> bool:
        return self.status == "validated"

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED.value

    def level_of(self, competence: str) -> int | None:
        """The competence's level, None when it was not evaluated."""
        level = self.competence_levels.get(competence)
        return None if level is None else int(level)

    def level_range(self, competence: str) -> tuple[int, int] | None:
        """The competence level's 95% range, None when not stated (not
        evaluated, or a certificate issued before version 2026.2)."""
        if self.level_of(competence) is None:
            return None
        bounds = self.competence_level_ranges.get(competence)
        return None if bounds is None else (int(bounds[0]), int(bounds[1]))

    def level_text(self, competence: str) -> str:
        """The level as printed: its number, or « non évalué »."""
        level = self.level_of(competence)
        return NOT_EVALUATED if level is None else str(level)

    def competences(self) -> list[dict]:
        """Every framework competence with its level or the not-evaluated
        marker (jury.competence_results)."""
        codes = [c.code for c in COMPETENCES]
        codes += sorted(set(self.competence_levels) - set(codes))
        return competence_results(self.competence_levels, codes)

    def reason_message(self, min_answers: int = 20) -> str | None:
        """Why the certificate is rejected or held, in French (None: nothing to say)."""
        return reason_message(self.status, self.reason, min_answers)

    @property
    def shows_result(self) -> bool:
        """Its score and levels may be shown: validated and published."""
        return self.is_certified and self.published

    def status_view(self, min_answers: int = 20) -> dict:
        """A result that is not a shown certificate, as its candidate and school
        see it: its status and why in French, never a score or a level. Before
        publication (a session held for review) every result is "pending": the
        jury may still change it."""
        published = self.published
        return {"certificate_id": self.certificate_id, "verification_code": None,
                "status": self.status if published else PENDING,
                "reason": self.reason if published else None,
                "message": self.reason_message(min_answers) if published else PENDING_MESSAGE,
                "date": self.session_date, "centre": self.centre_name, "published": published}

    def cancelled_view(self) -> dict:
        """What a verifier holding the code of a cancelled certificate reads:
        that it is cancelled and since when, with the holder's name (to match
        the document presented), never a score, a level nor the admin's reason
        (an internal decision, possibly about fraud, not a public statement)."""
        return {
            "verification_code": self.verification_code, "status": self.status,
            "message": reason_message(self.status, self.reason),
            "holder": {"first_name": self.first_name, "last_name": self.last_name,
                       "birth_year": int(self.birth_date[:4])},
            "date": self.session_date, "centre": self.centre_name,
            "cancelled_at": self.cancelled_at,
        }

    def admin_view(self, min_answers: int = 20) -> dict:
        """Everything a platform admin (the jury) needs to decide: the true
        status and reason, and the score when the test could be scored."""
        scored = self.theta is not None
        return {"certificate_id": self.certificate_id, "first_name": self.first_name,
                "last_name": self.last_name, "status": self.status, "reason": self.reason,
                "message": self.reason_message(min_answers), "published": self.published,
                "global_score": self.global_score if scored else None,
                "level": self.level if scored else None,
                "level_label": self.level_label if scored else None,
                "competences": self.competences() if scored else [],
                "certification_version": self.certification_version, "issued_at": self.issued_at,
                "verification_code": self.verification_code,
                "cancellation": ({"at": self.cancelled_at, "by": self.cancelled_by,
                                  "reason": self.cancellation_reason} if self.is_cancelled else None)}

    def public_view(self) -> dict:
        """What a verifier sees: no birth place, no email, no internal ids, and
        the birth year only (issue 13, point 10): the code already names one
        certificate; name and year let the verifier compare it with the
        identity document of the person presenting it, without handing anyone
        who sees a code a full birth date (the holder's own PDF and Open
        Badge, shared by their choice, keep it)."""
        return {
            "verification_code": self.verification_code, "status": self.status,
            "holder": {"first_name": self.first_name, "last_name": self.last_name,
                       "birth_year": int(self.birth_date[:4])},
            "date": self.session_date, "centre": self.centre_name,
            "global_score": self.global_score, "level": self.level,
            "level_label": self.level_label,
            "competence_levels": dict(sorted(self.competence_levels.items())),
            "competences": self.competences(),
            "not_evaluated": [c["code"] for c in self.competences() if not c["evaluated"]],
            "certification_version": self.certification_version,
            "issued_at": self.issued_at,
        }


CANCELLATION_REASON_LENGTH = (10, 1000)


@dataclass(frozen=True)
class Cancellation:
    """A platform admin's decision to cancel an issued certificate: who, when, why."""
    at: str      # ISO datetime
    by: str      # the admin's user id
    reason: str  # free French text, kept with the certificate (admin eyes only)
    code: str = PLATFORM_CANCELLED  # the reason code every other view reads


def cancellation_of(cert: Certificate, *, reason: str, by: str, at: str) -> Cancellation | None:
    """The decision to record, or None when `cert` is already cancelled (the
    first decision stands: cancelling is idempotent, a retried or doubled click
    changes nothing). Only a validated certificate is cancelled: a held one
    goes through the jury, a rejected one certifies nothing."""
    text = " ".join((reason or "").split())
    low, high = CANCELLATION_REASON_LENGTH
    if not low <= len(text) <= high:
        raise InvalidInput(f"Indiquez le motif de l'annulation ({low} à {high} caractères).",
                           code="invalid_cancellation_reason", details={"field": "reason"})
    if cert.is_cancelled:
        return None
    if not cert.is_certified:
        raise Conflict("Seul un certificat validé peut être annulé ; un résultat en attente passe "
                       "par la décision du jury.", code="certificate_not_cancellable")
    return Cancellation(at=at, by=by, reason=text)

"""A certificate as issued: what the holder downloads and anyone can verify."""
from __future__ import annotations

from dataclasses import dataclass, field


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
    competence_levels: dict[str, int] = field(default_factory=dict)  # "1.1" -> 0..8
    certification_version: str = ""
    issued_at: str = ""          # ISO datetime
    status: str = "validated"    # validated | rejected
    published: bool = False
    # kept with the certificate, never shown by `public_view`
    user_id: str | None = None
    session_id: str = ""
    ine: str | None = None
    theta: float | None = None
    reason: str | None = None

    def public_view(self) -> dict:
        """What a verifier sees: no birth place, no email, no internal ids, and
        the birth year only (issue 13, point 10): the code already names one
        certificate; name and year let the verifier compare it with the
        identity document of the person presenting it, without handing anyone
        who sees a code a full birth date (the holder's own PDF and Open
        Badge, shared by their choice, keep it)."""
        return {
            "verification_code": self.verification_code,
            "holder": {"first_name": self.first_name, "last_name": self.last_name,
                       "birth_year": int(self.birth_date[:4])},
            "date": self.session_date, "centre": self.centre_name,
            "global_score": self.global_score, "level": self.level,
            "level_label": self.level_label,
            "competence_levels": dict(sorted(self.competence_levels.items())),
            "certification_version": self.certification_version,
            "issued_at": self.issued_at,
        }

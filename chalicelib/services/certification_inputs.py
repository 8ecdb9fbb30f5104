"""Validated inputs of the certification actions (JSON bodies and CSV rows alike)."""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from chalicelib.domain.certification.jury import JuryChoice
from chalicelib.domain.identity import KEY_NAME_MAX_BYTES, fits_in_key

_CONFIG = ConfigDict(extra="forbid", defer_build=True, str_strip_whitespace=True, str_max_length=500)
NAME = Field(min_length=1, max_length=100)


def _fits_in_key(value: str) -> str:
    """Names become index keys after normalisation (domain/identity.py): a name
    that grows past the key budget is a 400 on its field, not a DynamoDB error."""
    if not fits_in_key(value):
        raise ValueError(f"ce nom est trop long une fois normalisé ({KEY_NAME_MAX_BYTES} octets "
                         "au plus) : vérifiez les caractères saisis")
    return value


KeyName = Annotated[str, AfterValidator(_fits_in_key)]


class CentreType(str, Enum):
    SCHOOL = "school"            # collège, lycée
    HIGHER_EDUCATION = "higher_education"
    TRAINING = "training"        # formation continue, service public


class CentreInput(BaseModel):
    model_config = _CONFIG
    name: str = Field(min_length=1, max_length=200)
    type: CentreType
    uai: str | None = Field(default=None, pattern=r"^[0-9]{7}[A-Za-z]$")


class CentreMemberInput(BaseModel):
    model_config = _CONFIG
    user_id: str = Field(min_length=1, max_length=64)
    role: str = Field(default="member", pattern="^(member|admin)$")


class SessionInput(BaseModel):
    model_config = _CONFIG
    date: dt.date
    time: dt.time
    address: str = Field(min_length=1, max_length=300)
    room: str = Field(min_length=1, max_length=100)
    examiner: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)


class CandidateInput(BaseModel):
    model_config = _CONFIG
    first_name: KeyName = NAME
    last_name: KeyName = NAME
    birth_date: dt.date
    birth_place: str = Field(default="", max_length=100, description="Code INSEE de la commune ou pays")
    sex: str | None = Field(default=None, pattern="^(M|F)$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    external_id: str | None = Field(default=None, max_length=100)
    extra_time_percent: int = Field(default=0, ge=0, le=100)
    accessibility: bool = False
    ine: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{11}$")

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        if not dt.date(1900, 1, 1) <= value <= dt.date.today():
            raise ValueError("date de naissance invraisemblable")
        return value


class JoinInput(BaseModel):
    model_config = _CONFIG
    access_code: str = Field(min_length=6, max_length=6)
    session_number: str | None = Field(
        default=None, max_length=20,
        description="Numéro de session lu sur la convocation (facultatif) : s'il est donné, il doit "
                    "être celui de la session du code d'accès")
    first_name: KeyName = NAME
    last_name: KeyName = NAME
    birth_date: dt.date


class IncidentCategory(str, Enum):
    TECHNICAL_PROBLEM = "technical_problem"
    LATE_ARRIVAL = "late_arrival"
    LEFT_EARLY = "left_early"
    FRAUD_SUSPICION = "fraud_suspicion"
    ACCESSIBILITY = "accessibility"
    IDENTITY_CHECK = "identity_check"
    OTHER = "other"


class IncidentInput(BaseModel):
    model_config = _CONFIG
    category: IncidentCategory
    description: str = Field(default="", max_length=500)


class CandidateReportInput(BaseModel):
    model_config = _CONFIG
    candidate_id: str = Field(min_length=1, max_length=64)
    present: bool = True
    incidents: list[IncidentInput] = Field(default_factory=list, max_length=10)


class FinalisationInput(BaseModel):
    model_config = _CONFIG
    comment: str = Field(default="", max_length=500)
    candidates: list[CandidateReportInput] = Field(default_factory=list, max_length=5000)


class InvigilatorSignIn(BaseModel):
    model_config = _CONFIG
    session_id: str = Field(min_length=1, max_length=64,
                            description="Numéro de session (7 chiffres), ou identifiant des sessions "
                                        "créées avant les numéros")
    password: str = Field(min_length=1, max_length=20)


class AlertInput(BaseModel):
    model_config = _CONFIG
    item_id: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=500)


class CancellationInput(BaseModel):
    """A platform admin's cancellation of an issued certificate: the reason is
    mandatory (its length is checked with the rule, domain/certificate.py)."""
    model_config = _CONFIG
    reason: str = Field(max_length=1000)


class JuryDecisionInput(BaseModel):
    """A platform admin's decision on a held result: "validate" or "reject"."""
    model_config = _CONFIG
    decision: JuryChoice

"""Response models of the routes school portals (API clients) call.

A route declaring `response=` in `endpoint` has its handler's result passed
through the model before it is sent (api/http.py), and the OpenAPI document
publishes the model's JSON schema (api/openapi.py): what a generated client
types and what the route returns come from one class, so they cannot drift.
The models refuse unknown fields: a field a service adds without adding it
here fails every test that calls the route (a 500 naming the field), instead
of reaching clients undocumented.

Values that other features may extend (statuses, reasons) are typed `str`
with their current values in the description, so a new status is documented
by a word here, not a breaking schema change for clients.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


Cursor = Field(description="Curseur opaque de la page suivante ; null à la dernière page.")


# --- OAuth 2 ---------------------------------------------------------------------------------------

class TokenResponse(ResponseModel):
    access_token: str = Field(description="JWT à envoyer en « Authorization: Bearer ».")
    token_type: str = Field(description="Toujours « Bearer ».")
    expires_in: int = Field(description="Durée de validité en secondes.")
    scope: str = Field(description="Portées accordées, séparées par des espaces.")


# --- organisation and roster -----------------------------------------------------------------------

class OrganizationView(ResponseModel):
    org_id: str
    name: str
    type: str = Field(description="college, lycee, sco, sup, pro…")
    uai: str | None
    roster_format: str = Field(description="school (SIECLE : INE) ou generic (identifiant libre).")
    requires_reconciliation: bool


class Learner(ResponseModel):
    learner_id: str = Field(description="INE pour un établissement scolaire.")
    last_name: str
    usage_name: str | None
    first_names: str
    birth_date: str | None = Field(description="AAAA-MM-JJ")
    sex: str | None
    birth_insee_code: str | None
    birth_country: str | None
    division: str | None
    mef_code: str | None
    left: bool = Field(description="Absent du dernier import : a quitté l'établissement.")


class LearnerDetail(Learner):
    reconciled: bool = Field(description="Un compte de la plateforme est rattaché à cet élève.")


class LearnerPage(ResponseModel):
    items: list[Learner]
    next_cursor: str | None = Cursor


class RosterImportResult(ResponseModel):
    format: str = Field(description="school (SIECLE) ou generic.")
    file: str = Field(description="Nature du fichier lu : xml, zip, csv…")
    lines: int
    skipped: int
    created: int
    updated: int
    unchanged: int
    left: int


class PresignedPost(ResponseModel):
    url: str
    fields: dict[str, str] = Field(description="Champs à joindre tels quels au POST multipart.")
    allowed_content_types: list[str]


class RosterUpload(ResponseModel):
    import_id: str
    status: str = Field(description="waiting à la création.")
    max_bytes: int
    expires_in: int = Field(description="Validité de l'adresse d'envoi, en secondes.")
    upload: PresignedPost


class RosterUploadStatus(ResponseModel):
    import_id: str
    status: str = Field(description="waiting, running, done ou failed.")
    created_at: int = Field(description="Horodatage Unix (s).")
    updated_at: int = Field(description="Horodatage Unix (s).")
    result: RosterImportResult | None
    error: dict[str, Any] | None = Field(description="Erreur au format {code, message, details}.")


class LearnerAccount(ResponseModel):
    learner_id: str
    user_id: str
    username: str
    temporary_password: str = Field(description="Montré une seule fois ; à changer à la première connexion.")


class ClassAccount(LearnerAccount):
    first_name: str
    last_name: str
    division: str | None


class ClassAccounts(ResponseModel):
    division: str
    created: list[ClassAccount]
    already: int = Field(description="Élèves de la classe qui avaient déjà un compte.")
    remaining: int = Field(description="Élèves restant à créer (lots de 30) : rappeler la route.")


class Division(ResponseModel):
    division: str
    pupils: int
    left: int


class Divisions(ResponseModel):
    items: list[Division]


class RosterLearner(Learner):
    has_account: bool


class DivisionRoster(ResponseModel):
    division: str
    items: list[RosterLearner]


# --- campaigns -------------------------------------------------------------------------------------

class CampaignSummary(ResponseModel):
    campaign_id: str
    org_id: str
    code: str = Field(description="Code à donner aux élèves.")
    name: str
    type: str = Field(description="assessment ou profiles_collection.")
    competences: list[str]
    target_skills_count: int
    created_at: str


class Campaign(CampaignSummary):
    target_skills: list[str]


class Campaigns(ResponseModel):
    items: list[CampaignSummary]


class CompetenceResult(ResponseModel):
    code: str
    pix: int
    level: int


class CampaignResult(ResponseModel):
    participant_id: str
    learner_id: str | None
    first_name: str
    last_name: str
    division: str | None
    shared_at: str | None
    progress: int
    mastery_percent: int | None
    total_pix: int
    certifiable: bool
    competences: list[CompetenceResult]


class CampaignResults(ResponseModel):
    items: list[CampaignResult]
    next_cursor: str | None = Cursor


class ClassProgress(ResponseModel):
    division: str | None
    joined: int
    shared: int


class PupilProgress(ResponseModel):
    last_name: str
    first_name: str
    learner_id: str | None
    joined_at: str
    shared_at: str | None


class CampaignProgress(ResponseModel):
    campaign_id: str
    classes: list[ClassProgress]
    joined: int
    shared: int
    division: str | None
    pupils: list[PupilProgress] | None = Field(description="Seulement quand division est demandée.")


class CompetenceProfileRow(ResponseModel):
    code: str
    title: str
    pupils: int
    mean_level: float
    by_level: list[int] = Field(description="Nombre d'élèves à chaque niveau, de 0 à 8.")


class CompetenceProfile(ResponseModel):
    campaign_id: str
    division: str | None
    pupils: int
    competences: list[CompetenceProfileRow]


# --- certification -----------------------------------------------------------------------------------

STATUS_DOC = ("validated, held, rejected ou pending (règles du jury, docs/jury.md) ; "
              "reason et message (en français) disent pourquoi quand il n'est pas validé.")


class CompetenceLevel(ResponseModel):
    code: str
    level: int | None
    evaluated: bool
    label: str = Field(description="« niveau N » ou « non évalué » (jamais 0).")


class Candidate(ResponseModel):
    candidate_id: str
    first_name: str
    last_name: str
    birth_date: str
    birth_place: str | None
    sex: str | None
    email: str | None
    external_id: str | None
    extra_time_percent: int
    accessibility: bool
    joined: bool
    course_id: str | None


class Enrolment(ResponseModel):
    session_id: str
    enrolled: int
    already_enrolled: int
    candidates: list[Candidate]


class SchoolSession(ResponseModel):
    session_id: str
    session_number: str | None = Field(description="Numéro de session court (null pour les sessions "
                                                   "créées avant sa mise en place).")
    date: str
    time: str
    address: str
    room: str
    status: str


class SchoolSessions(ResponseModel):
    uai: str | None
    items: list[SchoolSession]
    next_cursor: str | None = Field(description="À repasser en `cursor` pour la page suivante ; "
                                                "null à la dernière page.")


class SessionResult(ResponseModel):
    status: str = Field(description=STATUS_DOC)
    reason: str | None
    message: str | None
    global_score: int | None
    level: int | None
    level_label: str | None
    competences: list[CompetenceLevel]
    verification_code: str | None


class SessionPupil(ResponseModel):
    learner_id: str
    division: str | None
    last_name: str
    first_name: str
    joined: bool
    result: SessionResult | None = Field(description="null tant que le résultat n'est pas publié.")


class SchoolSessionResults(SchoolSession):
    pupils: list[SessionPupil]


class BirthPlace(ResponseModel):
    insee_code: str | None = Field(description="Code INSEE de la commune (99xxx à l'étranger).")
    country: str | None


class ReportResult(ResponseModel):
    global_score: int
    level: int
    level_label: str
    competence_levels: dict[str, int] = Field(description="Niveau 0-8 par compétence mesurée.")
    competences: list[CompetenceLevel]
    not_evaluated: list[str]
    verification_code: str
    issued_at: str


class ReportLine(ResponseModel):
    ine: str
    status: str = Field(description=STATUS_DOC)
    reason: str | None
    message: str | None
    last_name: str
    usage_name: str | None
    first_names: str
    birth_date: str | None
    birth_place: BirthPlace
    division: str | None
    session_date: str
    certificate_id: str
    result: ReportResult | None = Field(description="Seulement pour un résultat validé et publié.")


class ReportBook(ResponseModel):
    uai: str
    school_year: str | None
    items: list[ReportLine]
    next_cursor: str | None = Cursor

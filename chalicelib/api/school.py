"""Routes of the school space (web pages of organisation members): classes
with each pupil's account status, accounts for a whole class and their
credentials sheet, a campaign's progress and class competence profile, the
certification sessions the school enrolled pupils in, their published results
and a class's attestations in one PDF.

Same access rules as the rest of the organisation routes: members (people)
of the organisation, or its API clients holding the named scope.
"""
from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.api import access
from chalicelib.api import responses
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict
from chalicelib.services import campaign_follow_up, organizations, pupil_accounts, school_certification

bp = Blueprint(__name__)
ORG = "/organizations/{org_id}"
CAMPAIGN = ORG + "/campaigns/{campaign_id}"
SESSION = ORG + "/certification-sessions/{session_id}"
CERT_RESULTS = access.org_member(scope="certification-results")
TAGS = ("school-space",)
Text40 = Annotated[str, Field(min_length=1, max_length=40)]
Name = Annotated[str, Field(min_length=1, max_length=100)]


class DivisionQuery(ApiModel):
    division: str = Field(min_length=1, max_length=40)


class OptionalDivisionQuery(ApiModel):
    """`division` names one class; empty (`division=`) names pupils with no class."""
    division: str | None = Field(default=None, max_length=40)


class DivisionBody(ApiModel):
    division: Text40


class SlipBody(ApiModel):
    first_name: Name
    last_name: Name
    division: str = Field(default="", max_length=40)
    username: Name
    temporary_password: str = Field(min_length=1, max_length=64)


class SheetBody(ApiModel):
    slips: list[SlipBody] = Field(min_length=1, max_length=pupil_accounts.MAX_SLIPS)


@endpoint(bp, ORG + "/divisions", response=responses.Divisions, access=access.org_member(scope="learners-read"), tags=TAGS,
          summary="Classes de la liste des apprenants, avec leurs effectifs")
def divisions(ctx, org_id):
    return pupil_accounts.divisions(org_id)


@endpoint(bp, ORG + "/division-roster", response=responses.DivisionRoster, access=access.org_member(scope="learners-read"),
          query=DivisionQuery, tags=TAGS,
          summary="Les élèves d'une classe et l'état de leur compte")
def division_roster(ctx, org_id, query):
    return pupil_accounts.class_roster(org_id, query.division)


@endpoint(bp, ORG + "/learner-accounts", method="POST",
          response=responses.ClassAccounts, access=access.org_member(scope="learner-accounts"), body=DivisionBody, status=201,
          tags=TAGS,
          summary="Créer les comptes des élèves d'une classe qui n'en ont pas (par lots de 30)")
def create_class_accounts(ctx, org_id, body):
    return pupil_accounts.create_class_accounts(org_id, body.division)


@endpoint(bp, ORG + "/credentials-sheet", method="POST",
          access=access.org_member(scope="learner-accounts"), body=SheetBody, tags=TAGS,
          produces="application/pdf",
          summary="Fiche PDF des identifiants à découper, un coupon par élève")
def credentials_sheet(ctx, org_id, body):
    from chalicelib.documents.credentials_pdf import Slip, render_slips

    org = organizations.require(org_id)
    slips = [Slip(**s.model_dump()) for s in body.slips]
    try:
        pdf = render_slips(org.name, f"{settings().public_base_url}/connexion", slips)
    except ValueError:
        raise Conflict("Un nom contient des caractères que la fiche ne peut pas imprimer ; "
                       "recopiez ces identifiants à la main.", code="sheet_unavailable")
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="identifiants.pdf"'})


@endpoint(bp, CAMPAIGN + "/progress", response=responses.CampaignProgress, access=access.org_member(scope="campaign-results"),
          query=OptionalDivisionQuery, tags=TAGS,
          summary="Avancement d'une campagne par classe (et les élèves d'une classe)")
def campaign_progress(ctx, org_id, campaign_id, query):
    return campaign_follow_up.progress(org_id, campaign_id, query.division)


@endpoint(bp, CAMPAIGN + "/competence-profile", response=responses.CompetenceProfile, access=access.org_member(scope="campaign-results"),
          query=OptionalDivisionQuery, tags=TAGS,
          summary="Profil de compétences d'une classe : élèves par niveau, niveau moyen")
def competence_profile(ctx, org_id, campaign_id, query):
    return campaign_follow_up.competence_profile(org_id, campaign_id, query.division)


class SchoolSessionsPage(ApiModel):
    cursor: str | None = Field(default=None, max_length=600)
    limit: int = Field(default=50, ge=1, le=100)


@endpoint(bp, ORG + "/certification-sessions", response=responses.SchoolSessions, access=CERT_RESULTS,
          tags=TAGS, query=SchoolSessionsPage,
          summary="Sessions de certification où l'établissement a inscrit des élèves "
                  "(les plus récentes d'abord, paginé : next_cursor)")
def certification_sessions(ctx, org_id, query):
    return school_certification.sessions_of_school(org_id, query.cursor, query.limit)


@endpoint(bp, SESSION, response=responses.SchoolSessionResults, access=CERT_RESULTS, tags=TAGS,
          summary="Les élèves de l'établissement inscrits à la session et leurs résultats publiés")
def certification_session_results(ctx, org_id, session_id):
    return school_certification.session_results(org_id, session_id)


@endpoint(bp, SESSION + "/attestations", access=CERT_RESULTS, query=OptionalDivisionQuery,
          tags=TAGS, produces="application/pdf",
          summary="Attestations publiées d'une classe (ou de tous les élèves) en un seul PDF")
def class_attestations(ctx, org_id, session_id, query):
    from chalicelib.api.certificates import verify_url
    from chalicelib.documents.attestation_pdf import render_attestations

    certs = school_certification.class_attestations(org_id, session_id, query.division)
    label = query.division if query.division else "eleves"
    try:
        pdf = render_attestations(certs, verify_url, f"Attestations de certification — {label}")
    except ValueError:
        raise Conflict("Le nom d'un élève contient des caractères que l'attestation ne peut pas "
                       "imprimer ; téléchargez les attestations des autres élèves une par une.",
                       code="attestation_unavailable")
    safe = "".join(ch if ch.isalnum() else "-" for ch in label)[:40]
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="attestations-{safe}.pdf"'})

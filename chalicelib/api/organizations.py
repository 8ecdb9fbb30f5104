"""Organisation routes: organisations and members, the roster (CSV import,
learners, pupil accounts), and certification for schools (class enrolment,
report book)."""
from __future__ import annotations

from typing import Annotated

from chalice import Blueprint
from pydantic import Field, model_validator

from chalicelib.api import access
from chalicelib.api import responses
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.services import organizations, rosters, school_certification
from chalicelib.services.organizations import MemberInput, OrganizationInput, RoleInput

bp = Blueprint(__name__)
ORG = "/organizations/{org_id}"
ORG_ADMIN = access.org_admin("org_id")


class OrganizationsQuery(ApiModel):
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=50, ge=1, le=200)


class MembersQuery(ApiModel):
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=50, ge=1, le=200)


class LearnersQuery(ApiModel):
    division: str | None = Field(default=None, max_length=40)
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=100, ge=1, le=500)


class EnrolmentBody(ApiModel):
    division: str | None = Field(default=None, min_length=1, max_length=40)
    learner_ids: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_selection(self):
        if (self.division is None) == (self.learner_ids is None):
            raise ValueError("donnez division ou learner_ids (un seul)")
        return self


# --- organisations and members -------------------------------------------------------------------


@endpoint(bp, "/organizations", method="POST", access=access.ADMIN, body=OrganizationInput,
          status=201, tags=("organizations",), summary="Créer une organisation (administrateur)")
def create_organization(ctx, body):
    return organizations.create(body)


@endpoint(bp, "/organizations", access=access.ADMIN, query=OrganizationsQuery,
          tags=("organizations",), summary="Organisations (administrateur, paginé)")
def list_organizations(ctx, query):
    return organizations.list_all(query.cursor, organizations.check_limit(query.limit, 200))


@endpoint(bp, ORG, response=responses.OrganizationView, access=access.org_member(scope="organization-read"), tags=("organizations",),
          summary="Informations de l'organisation")
def get_organization(ctx, org_id):
    return organizations.get(org_id)


@endpoint(bp, ORG + "/members", method="POST", access=ORG_ADMIN, body=MemberInput, status=201,
          tags=("organizations",),
          summary="Ajouter un membre par e-mail ou identifiant, ou changer son rôle "
                  "(administrateur de la plateforme ou de l'organisation)")
def add_member(ctx, org_id, body):
    return organizations.add_member(org_id, body)


@endpoint(bp, ORG + "/members", access=ORG_ADMIN, query=MembersQuery, tags=("organizations",),
          summary="Membres de l'organisation (paginé : suivre next_cursor)")
def list_members(ctx, org_id, query):
    return organizations.members(org_id, query.cursor, organizations.check_limit(query.limit, 200))


@endpoint(bp, ORG + "/members/{user_id}", method="PATCH", access=ORG_ADMIN, body=RoleInput,
          tags=("organizations",),
          summary="Changer le rôle d'un membre (jamais le dernier administrateur : 409)")
def change_member_role(ctx, org_id, user_id, body):
    return organizations.change_role(org_id, user_id, body)


@endpoint(bp, ORG + "/members/{user_id}", method="DELETE", access=ORG_ADMIN, status=204,
          tags=("organizations",),
          summary="Retirer un membre (jamais le dernier administrateur : 409)")
def remove_member(ctx, org_id, user_id):
    organizations.remove_member(org_id, user_id)


# --- roster --------------------------------------------------------------------------------------


@endpoint(bp, ORG + "/learners/import", method="POST",
          response=responses.RosterImportResult, access=access.org_member(scope="roster-import"),
          raw_body="text/csv,application/xml,application/zip,text/plain",
          tags=("rosters",),
          summary="Importer la liste des apprenants (export SIECLE XML ou zip, CSV ; tout ou "
                  "rien, mise à jour par INE ; gros fichiers : /learners/uploads)")
def import_roster(ctx, org_id):
    return rosters.import_roster(org_id, ctx.raw_body)


@endpoint(bp, ORG + "/learners/uploads", method="POST",
          response=responses.RosterUpload, access=access.org_member(scope="roster-import"), status=201, tags=("rosters",),
          summary="Gros fichier (export SIECLE XML jusqu'à 30 Mo) : adresse d'envoi vers S3 "
                  "(POST présigné, 15 min) ; l'import démarre à l'arrivée du fichier")
def start_roster_upload(ctx, org_id):
    return rosters.start_upload(org_id)


@endpoint(bp, ORG + "/learners/uploads/{import_id}",
          response=responses.RosterUploadStatus, access=access.org_member(scope="roster-import"), tags=("rosters",),
          summary="Avancement et compte rendu (ligne par ligne) d'un import envoyé par fichier")
def roster_upload_status(ctx, org_id, import_id):
    return rosters.upload_status(org_id, import_id)


@endpoint(bp, ORG + "/learners", response=responses.LearnerPage, access=access.org_member(scope="learners-read"),
          query=LearnersQuery, tags=("rosters",),
          summary="Apprenants (par division, ou tous, paginé)")
def list_learners(ctx, org_id, query):
    return rosters.list_learners(org_id, division=query.division, cursor=query.cursor,
                                 limit=organizations.check_limit(query.limit, 500))


@endpoint(bp, ORG + "/learners/{learner_id}", response=responses.LearnerDetail, access=access.org_member(scope="learners-read"),
          tags=("rosters",),
          summary="Un apprenant")
def get_learner(ctx, org_id, learner_id):
    return rosters.get_learner(org_id, learner_id)


@endpoint(bp, ORG + "/learners/{learner_id}/account", method="POST",
          response=responses.LearnerAccount, access=access.org_member(scope="learner-accounts"), status=201,
          tags=("rosters",),
          summary="Créer le compte d'un élève sans e-mail (identifiant + mot de passe temporaire)")
def create_learner_account(ctx, org_id, learner_id):
    return rosters.create_account(org_id, learner_id)


# --- certification for schools -------------------------------------------------------------------


@endpoint(bp, ORG + "/certification-sessions/{session_id}/enrolments", method="POST",
          response=responses.Enrolment, access=access.org_member(scope="certification-enrolment"), body=EnrolmentBody,
          status=201, tags=("school-certification",),
          summary="Inscrire une classe (ou des apprenants) à une session du centre de même UAI")
def enrol_class(ctx, org_id, session_id, body):
    return school_certification.enrol_learners(org_id, session_id, division=body.division,
                                               learner_ids=body.learner_ids)


REPORT_BOOK_EXAMPLE = {
    "uai": "0750001A", "school_year": "2025-2026",
    "items": [
        {"ine": "123456789AB", "status": "validated", "reason": None, "message": None,
         "last_name": "DUPONT", "usage_name": None,
         "first_names": "Léa Marie Hélène", "birth_date": "2013-05-14",
         "birth_place": {"insee_code": "75056", "country": None}, "division": "4A",
         "session_date": "2026-03-12", "certificate_id": "3f9c2e7a1b",
         "result": {"global_score": 310, "level": 3, "level_label": "Indépendant 3",
                    "competence_levels": {"1.1": 3, "1.2": 2, "2.1": 4},
                    "competences": [
                        {"code": "1.1", "level": 3, "evaluated": True, "label": "niveau 3"},
                        {"code": "1.3", "level": None, "evaluated": False, "label": "non évalué"}],
                    "not_evaluated": ["1.3"],
                    "verification_code": "P-7KQ2M9XD", "issued_at": "2026-03-13T06:05:00+00:00"}},
        {"ine": "345678901EF", "status": "held", "reason": "too_short",
         "message": ("Test arrêté avant 20 réponses : aucun niveau ne peut être certifié ; "
                     "le résultat attend la décision du jury."),
         "last_name": "BERNARD", "usage_name": None, "first_names": "Inès", "birth_date": "2013-01-20",
         "birth_place": {"insee_code": "69123", "country": None}, "division": "4A",
         "session_date": "2026-03-12", "certificate_id": "5a7e0c3d92", "result": None},
        {"ine": "234567890CD", "status": "pending", "reason": None,
         "message": "Résultat en cours de vérification par la plateforme.",
         "last_name": "CŒURDEROY", "usage_name": "MARTIN",
         "first_names": "Hugo", "birth_date": "2012-11-02",
         "birth_place": {"insee_code": "99134", "country": None}, "division": "4B",
         "session_date": "2026-03-12", "certificate_id": "8d01be44c0", "result": None}],
    "next_cursor": "MjM0NTY3ODkwQ0QjOGQwMWJlNDRjMA",
}
REPORT_BOOK_DOC = (" LSU/LSL : INE -> identifiant élève ; first_names, birth_date, birth_place "
                   "(code INSEE de la commune, 99xxx à l'étranger) -> identité ; status "
                   "validated|held|rejected|pending|cancelled (règles du jury ; cancelled : certificat "
                   "annulé après délivrance), avec reason et message "
                   "(motif en français) ; result (seulement validé et publié) : level_label et "
                   "competence_levels (niveau 0-8 par compétence mesurée) -> positionnement, "
                   "not_evaluated et competences[].label « non évalué » pour les compétences "
                   "sans mesure (jamais 0) ; session_date -> date. Suivre "
                   "next_cursor jusqu'à null ; une page peut être courte quand school_year filtre.")


class ReportBookQuery(ApiModel):
    school_year: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{4}$")
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=100, ge=1, le=200)


@endpoint(bp, ORG + "/report-book", response=responses.ReportBook, access=access.org_client(scope="certification-results"),
          query=ReportBookQuery, tags=("school-certification",), example=REPORT_BOOK_EXAMPLE,
          summary="Livret scolaire de l'établissement : résultats de certification par INE "
                  "(client API de l'établissement ; paginé)." + REPORT_BOOK_DOC)
def report_book(ctx, org_id, query):
    return school_certification.report_book(org_id, school_year=query.school_year,
                                            cursor=query.cursor, limit=query.limit)


@endpoint(bp, "/report-book/{uai}", response=responses.ReportBook, access=access.national_client(scope="lsu:read"),
          query=ReportBookQuery, tags=("school-certification",), example=REPORT_BOOK_EXAMPLE,
          summary="Résultats de certification d'un établissement par UAI (client national "
                  "LSU/LSL, portée lsu:read ; paginé)." + REPORT_BOOK_DOC)
def national_report_book(ctx, uai, query):
    return school_certification.report_book_of_uai(uai, school_year=query.school_year,
                                                   cursor=query.cursor, limit=query.limit)

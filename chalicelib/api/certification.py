"""Certification routes: centres, sessions, invigilation, the candidate's test."""
from __future__ import annotations

from typing import Literal

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.config import settings
from chalicelib.services import centres, certificates, certification_test, sessions, tokens
from chalicelib.services.certification_inputs import (AlertInput, CancellationInput, CandidateInput, CentreInput,
                                                      CentreMemberInput, FinalisationInput,
                                                      InvigilatorSignIn, JoinInput, JuryDecisionInput,
                                                      SessionInput)

bp = Blueprint(__name__)
CENTRE = access.centre_member("centre_id")
INVIGILATOR = access.invigilator("session_id")
SESSION = "/centres/{centre_id}/sessions/{session_id}"
CANDIDATE = "/sessions/{session_id}/candidates/{candidate_id}"


class SessionsPage(ApiModel):
    cursor: str | None = Field(default=None, max_length=600)
    limit: int = Field(default=50, ge=1, le=100)
    period: Literal["upcoming", "held"] | None = Field(
        default=None, description="upcoming : à partir d'aujourd'hui, les plus proches d'abord ; "
                                  "held : passées, les plus récentes d'abord ; absent : toutes")


class CandidatesPage(ApiModel):
    cursor: str | None = Field(default=None, max_length=600)
    limit: int = Field(default=100, ge=1, le=200)


class CourseAnswerBody(ApiModel):
    item_id: str = Field(min_length=1, max_length=80)
    answer: dict
    focused_out: bool = False


# --- platform admin -------------------------------------------------------------------


@endpoint(bp, "/centres", method="POST", access=access.ADMIN, body=CentreInput, status=201,
          tags=("centres",), summary="Créer un centre de certification (administrateur)")
def create_centre(ctx, body):
    return centres.create_centre(body)


@endpoint(bp, "/centres/{centre_id}/members", method="POST", access=access.ADMIN,
          body=CentreMemberInput, status=201, tags=("centres",),
          summary="Ajouter un membre à un centre (administrateur)")
def add_centre_member(ctx, centre_id, body):
    return centres.add_member(centre_id, body)


@endpoint(bp, "/admin/sessions/{session_id}/publish", method="POST", access=access.ADMIN,
          tags=("centres",), summary="Publier une session retenue pour examen (numéro ou identifiant)")
def publish_session(ctx, session_id):
    return sessions.publish(sessions.session_id_of(session_id), ctx.user_id)


@endpoint(bp, "/admin/sessions/{session_id}/results", access=access.ADMIN, tags=("centres",),
          summary="Résultats d'une session (numéro ou identifiant) : statut, motif et score (jury)")
def session_results(ctx, session_id):
    return certificates.session_results(sessions.session_id_of(session_id))


@endpoint(bp, "/admin/certificates/{certificate_id}/jury-decision", method="POST", access=access.ADMIN,
          body=JuryDecisionInput, tags=("centres",),
          summary="Décision du jury sur un résultat en attente (valider ou annuler)")
def jury_decision(ctx, certificate_id, body):
    return certificates.jury_decide(certificate_id, body.decision, ctx.user_id)


@endpoint(bp, "/admin/certificates/{certificate_id}/cancellation", method="POST", access=access.ADMIN,
          body=CancellationInput, tags=("centres",),
          summary="Annuler un certificat délivré, avec un motif (idempotent)")
def cancel_certificate(ctx, certificate_id, body):
    return certificates.cancel(certificate_id, body.reason, ctx.user_id)


# --- centre ------------------------------------------------------------------------------


@endpoint(bp, "/centres/{centre_id}", access=CENTRE, tags=("centres",),
          summary="Informations du centre")
def get_centre(ctx, centre_id):
    return centres.get_centre(centre_id)


@endpoint(bp, "/centres/{centre_id}/sessions", method="POST", access=CENTRE, body=SessionInput,
          status=201, tags=("sessions",), summary="Créer une session de certification")
def create_session(ctx, centre_id, body):
    return sessions.create_session(centre_id, body, ctx.user_id)


@endpoint(bp, "/centres/{centre_id}/sessions/import", method="POST", access=CENTRE, status=201,
          raw_body="text/csv", tags=("sessions",),
          summary="Créer des sessions depuis un fichier CSV (tout ou rien)")
def import_sessions(ctx, centre_id):
    return sessions.import_sessions(centre_id, ctx.raw_body, ctx.user_id)


@endpoint(bp, "/centres/{centre_id}/sessions", access=CENTRE, tags=("sessions",), query=SessionsPage,
          summary="Sessions du centre, à venir ou passées (paginé : next_cursor)")
def list_sessions(ctx, centre_id, query):
    return sessions.list_sessions(centre_id, query.cursor, query.limit, query.period)


@endpoint(bp, SESSION, access=CENTRE, tags=("sessions",),
          summary="Détail d'une session (par son numéro ou son identifiant)")
def get_session(ctx, centre_id, session_id):
    return sessions.get_session(centre_id, session_id)


@endpoint(bp, SESSION + "/candidates", method="POST", access=CENTRE, body=CandidateInput,
          status=201, tags=("sessions",), summary="Inscrire un candidat")
def enrol(ctx, centre_id, session_id, body):
    return sessions.enrol(centre_id, session_id, body)


@endpoint(bp, SESSION + "/candidates/import", method="POST", access=CENTRE, status=201,
          raw_body="text/csv", tags=("sessions",),
          summary="Inscrire des candidats depuis un fichier CSV (tout ou rien)")
def import_candidates(ctx, centre_id, session_id):
    return sessions.import_candidates(centre_id, session_id, ctx.raw_body)


@endpoint(bp, SESSION + "/candidates", access=CENTRE, tags=("sessions",), query=CandidatesPage,
          summary="Candidats inscrits à la session (paginé : next_cursor)")
def list_candidates(ctx, centre_id, session_id, query):
    return sessions.list_candidates(centre_id, session_id, query.cursor, query.limit)


@endpoint(bp, SESSION + "/finalise", method="POST", access=CENTRE, body=FinalisationInput,
          tags=("sessions",), summary="Finaliser la session (présences, incidents, commentaire)")
def finalise(ctx, centre_id, session_id, body):
    return sessions.finalise(centre_id, session_id, body, ctx.user_id)


class KitBody(ApiModel):
    invigilator_password: str = Field(min_length=1, max_length=20)


@endpoint(bp, SESSION + "/kit", method="POST", access=CENTRE, body=KitBody, tags=("sessions",),
          produces="application/pdf",
          summary="Kit du surveillant en PDF (mot de passe vérifié, code d'accès, consignes, émargement)")
def invigilator_kit(ctx, centre_id, session_id, body):
    pdf = sessions.invigilator_kit(centre_id, session_id, body.invigilator_password,
                                   f"{settings().public_base_url}/surveillance")
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": 'attachment; filename="kit-surveillant.pdf"'})


# --- invigilator ----------------------------------------------------------------------------


@endpoint(bp, "/invigilation/token", method="POST", access=access.PUBLIC, body=InvigilatorSignIn,
          tags=("invigilation",), summary="Connexion du surveillant (numéro de session + mot de passe)")
def invigilator_sign_in(ctx, body):
    session = sessions.verify_invigilator(body.session_id, body.password, ctx.source_ip)
    return {"access_token": tokens.invigilator_token(session.session_id, session.centre_id),
            "token_type": "Bearer", "expires_in": tokens.INVIGILATOR_TTL,
            "session_id": session.session_id, "session_number": session.number}


@endpoint(bp, "/sessions/{session_id}/invigilation", access=INVIGILATOR, tags=("invigilation",),
          query=CandidatesPage, summary="Suivi en direct des candidats de la session (paginé : next_cursor)")
def live(ctx, session_id, query):
    return certification_test.live_view(session_id, query.cursor, query.limit)


@endpoint(bp, CANDIDATE + "/authorise", method="POST", access=INVIGILATOR, tags=("invigilation",),
          summary="Autoriser un candidat à commencer ou reprendre son test")
def authorise(ctx, session_id, candidate_id):
    return certification_test.authorise(session_id, candidate_id)


@endpoint(bp, CANDIDATE + "/end", method="POST", access=INVIGILATOR, tags=("invigilation",),
          summary="Terminer le test d'un candidat")
def end_test(ctx, session_id, candidate_id):
    return certification_test.end_test(session_id, candidate_id)


@endpoint(bp, CANDIDATE + "/alerts", method="POST", access=INVIGILATOR, body=AlertInput,
          tags=("invigilation",), summary="Signaler un problème sur une épreuve (neutralisée)")
def raise_alert(ctx, session_id, candidate_id, body):
    return certification_test.alert(session_id, candidate_id, body)


# --- candidate ----------------------------------------------------------------------------


@endpoint(bp, "/certification/join", method="POST", access=access.USER, body=JoinInput,
          tags=("certification",), summary="Rejoindre une session (code d'accès, nom, date de naissance)")
def join(ctx, body):
    return certification_test.join(ctx.user_id, body, ctx.source_ip)


@endpoint(bp, "/me/certification-courses", access=access.USER, tags=("certification",),
          summary="Mes tests de certification")
def my_courses(ctx):
    return certification_test.my_courses(ctx.user_id)


@endpoint(bp, "/me/certification-courses/{course_id}", access=access.USER, tags=("certification",),
          summary="État de mon test et question en cours (jamais de correction)")
def my_course(ctx, course_id):
    return certification_test.my_course(ctx.user_id, course_id)


@endpoint(bp, "/me/certification-courses/{course_id}/answers", method="POST", access=access.USER,
          body=CourseAnswerBody, tags=("certification",),
          summary="Répondre à la question en cours (idempotent, sans correction)")
def answer(ctx, course_id, body):
    return certification_test.answer(ctx.user_id, course_id, body.item_id, body.answer,
                                     body.focused_out)

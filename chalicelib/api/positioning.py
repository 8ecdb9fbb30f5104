"""Learner routes: positioning tests and the profile."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.services import positioning as service

bp = Blueprint(__name__)
TAGS = ("positioning",)
BASE = "/me/competences/{code}/assessment"


class AnswerBody(ApiModel):
    item_id: str = Field(min_length=1, max_length=80)
    answer: dict
    focused_out: bool = False
    idempotency_key: str = Field(default="", max_length=64)


@endpoint(bp, "/me/profile", access=access.USER, tags=TAGS,
          summary="Profil du candidat : pix et niveau par compétence, certifiabilité")
def my_profile(ctx):
    return service.profile(ctx.user_id)


@endpoint(bp, BASE, method="POST", access=access.USER, tags=TAGS,
          summary="Commencer ou reprendre l'évaluation d'une compétence")
def start(ctx, code):
    return service.start(ctx.user_id, code)


@endpoint(bp, BASE, access=access.USER, tags=TAGS,
          summary="État du test et question en cours (sans solution)")
def current(ctx, code):
    return service.current(ctx.user_id, code)


@endpoint(bp, BASE + "/answers", method="POST", access=access.USER, body=AnswerBody, tags=TAGS,
          summary="Répondre à la question en cours (idempotent)")
def post_answer(ctx, code, body: AnswerBody):
    return service.answer(ctx.user_id, code, service.AnswerInput(
        body.item_id, body.answer, body.focused_out, body.idempotency_key))


@endpoint(bp, BASE + "/items/{item_id}/start", method="POST", access=access.USER, tags=TAGS,
          summary="Commencer une question chronométrée ou à page unique (son temps part à cet appel)")
def start_item(ctx, code, item_id):
    return service.start_item(ctx.user_id, code, item_id)


@endpoint(bp, BASE + "/recap", access=access.USER, tags=TAGS,
          summary="Bilan d'un test terminé : réponses, tutoriels à revoir, compétence suivante")
def recap(ctx, code):
    return service.recap(ctx.user_id, code)


@endpoint(bp, BASE + "/answers/{item_id}", access=access.USER, tags=TAGS,
          summary="Résultat d'une réponse, avec correction et tutoriel")
def get_answer(ctx, code, item_id):
    return service.answer_result(ctx.user_id, code, item_id)


@endpoint(bp, "/me/competences/{code}/improve", method="POST", access=access.USER, tags=TAGS,
          summary="Retenter une compétence (4 jours après la fin), acquis conservés")
def improve(ctx, code):
    return service.improve(ctx.user_id, code)


@endpoint(bp, "/me/competences/{code}/reset", method="POST", access=access.USER, tags=TAGS,
          summary="Remettre une compétence à zéro (7 jours après la dernière réponse)")
def reset(ctx, code):
    return service.reset(ctx.user_id, code)

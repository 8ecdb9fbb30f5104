"""Accounts routes: registration, sign-in, tokens, password, my data.

Routes only read the request and call one service function each; access is
declared per route and checked by `endpoint`.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from chalice import Blueprint
from pydantic import Field, StringConstraints

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.services import accounts, authentication

bp = Blueprint(__name__)
TAGS = ("accounts",)

# Passwords are taken exactly as typed (no trimming); the length cap is the domain's.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1000)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Token = Annotated[str, Field(min_length=1, max_length=4000)]


class RegisterBody(ApiModel):
    first_name: Name
    last_name: Name
    email: Annotated[str, Field(max_length=254)] | None = None
    password: Password
    birth_date: date
    accepted_terms: bool
    guardian_consent: bool = False


class SignInBody(ApiModel):
    login: Annotated[str, Field(min_length=1, max_length=254)]  # e-mail or username
    password: Password


class RefreshBody(ApiModel):
    refresh_token: Token


class ResetRequestBody(ApiModel):
    email: Annotated[str, Field(min_length=1, max_length=254)]


class ResetConfirmBody(ApiModel):
    token: Token
    new_password: Password


class ChangePasswordBody(ApiModel):
    current_password: Password
    new_password: Password


class DeleteAccountBody(ApiModel):
    password: Password


@endpoint(bp, "/users", method="POST", access=access.PUBLIC, body=RegisterBody, status=201,
          summary="Créer un compte (gratuit)", tags=TAGS)
def register(ctx, body: RegisterBody):
    user = accounts.register(**body.model_dump(), ip=ctx.source_ip or "unknown")
    return accounts.profile(user.id)


@endpoint(bp, "/auth/token", method="POST", access=access.PUBLIC, body=SignInBody,
          summary="Se connecter (e-mail ou identifiant + mot de passe)", tags=TAGS)
def sign_in(ctx, body: SignInBody):
    return authentication.sign_in(body.login, body.password, ctx.source_ip)


@endpoint(bp, "/auth/refresh", method="POST", access=access.PUBLIC, body=RefreshBody,
          summary="Renouveler le jeton d'accès (le jeton de rafraîchissement change)", tags=TAGS)
def refresh(ctx, body: RefreshBody):
    return authentication.refresh(body.refresh_token)


@endpoint(bp, "/auth/revoke", method="POST", access=access.PUBLIC, body=RefreshBody, status=204,
          summary="Se déconnecter (révoque le jeton de rafraîchissement)", tags=TAGS)
def revoke(ctx, body: RefreshBody):
    authentication.revoke(body.refresh_token)


@endpoint(bp, "/auth/password-reset", method="POST", access=access.PUBLIC,
          body=ResetRequestBody, status=202,
          summary="Demander un lien de réinitialisation du mot de passe", tags=TAGS)
def request_password_reset(ctx, body: ResetRequestBody):
    authentication.request_password_reset(body.email, ctx.source_ip)
    return {"message": "Si un compte correspond à cette adresse, un e-mail vient d'être envoyé."}


@endpoint(bp, "/auth/password-reset/confirm", method="POST", access=access.PUBLIC,
          body=ResetConfirmBody, status=204,
          summary="Choisir un nouveau mot de passe avec le lien reçu", tags=TAGS)
def confirm_password_reset(ctx, body: ResetConfirmBody):
    authentication.confirm_password_reset(body.token, body.new_password)


@endpoint(bp, "/me/password", method="PUT", access=access.USER, body=ChangePasswordBody,
          summary="Changer mon mot de passe (déconnecte mes autres sessions)", tags=TAGS)
def change_password(ctx, body: ChangePasswordBody):
    return authentication.change_password(ctx.user_id, body.current_password, body.new_password)


@endpoint(bp, "/me", method="GET", access=access.USER, summary="Mon profil", tags=TAGS)
def me(ctx):
    return accounts.profile(ctx.user_id)


@endpoint(bp, "/me/data", method="GET", access=access.USER,
          summary="Toutes mes données personnelles (RGPD)", tags=TAGS)
def my_data(ctx):
    return accounts.export_personal_data(ctx.user_id)


@endpoint(bp, "/me", method="DELETE", access=access.USER, body=DeleteAccountBody, status=204,
          summary="Supprimer mon compte (mot de passe requis)", tags=TAGS)
def delete_me(ctx, body: DeleteAccountBody):
    authentication.delete_account(ctx.user_id, body.password)

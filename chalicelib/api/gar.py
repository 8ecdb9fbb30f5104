"""GAR single sign-on (SAML 2.0 service provider): metadata, sign-in, ACS,
single logout."""
from __future__ import annotations

from urllib.parse import parse_qsl

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import gar

bp = Blueprint(__name__)
TAGS = ("gar",)


class StartQuery(ApiModel):
    relay_state: str | None = Field(default=None, max_length=80)


class CodeBody(ApiModel):
    code: str = Field(min_length=20, max_length=100)


class LogoutBody(ApiModel):
    refresh_token: str | None = Field(default=None, max_length=2000)
    gar_session: str | None = Field(default=None, max_length=200)


def _form(ctx) -> dict[str, str]:
    return dict(parse_qsl(ctx.raw_body.decode("utf-8", errors="replace"), keep_blank_values=True))


@endpoint(bp, "/gar/metadata", access=access.PUBLIC, tags=TAGS, produces="application/samlmetadata+xml",
          summary="Métadonnées SAML du fournisseur de service (à déclarer au GAR)")
def sp_metadata(ctx):
    return Response(body=gar.metadata(), status_code=200,
                    headers={"Content-Type": "application/samlmetadata+xml; charset=utf-8"})


@endpoint(bp, "/gar/login", access=access.PUBLIC, query=StartQuery, status=302, tags=TAGS,
          summary="Connexion par le GAR : redirige vers le GAR avec une demande SAML (AuthnRequest)")
def start(ctx, query):
    return Response(body="", status_code=302, headers={"Location": gar.start(query.relay_state)})


@endpoint(bp, "/gar/acs", method="POST", access=access.PUBLIC, tags=TAGS,
          raw_body="application/x-www-form-urlencoded",
          summary="Réception de l'assertion SAML du GAR (HTTP-POST) : jetons de la plateforme "
                  "(Accept: application/json), sinon redirection 303 du navigateur vers /connexion "
                  "avec un code à usage unique")
def assertion_consumer(ctx):
    form = _form(ctx)
    if not form.get("SAMLResponse"):
        raise InvalidInput("Champ SAMLResponse manquant.", code="saml_missing")
    accept = {k.lower(): v for k, v in ctx.headers.items()}.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return gar.consume(form["SAMLResponse"])
    return Response(body="", status_code=303,
                    headers={"Location": gar.consume_for_browser(form["SAMLResponse"])})


@endpoint(bp, "/gar/session", method="POST", access=access.PUBLIC, body=CodeBody, tags=TAGS,
          summary="Jetons de la plateforme contre le code à usage unique de la connexion GAR")
def exchange(ctx, body):
    return gar.exchange(body.code)


@endpoint(bp, "/me/gar-link/start", method="POST", access=access.USER, tags=TAGS,
          summary="Lier mon compte à mon identité GAR (ENT) : URL de connexion au GAR")
def start_link(ctx):
    return {"url": gar.start(None, link_for=ctx.user_id)}


@endpoint(bp, "/me/gar-link", method="POST", access=access.USER, body=CodeBody, tags=TAGS,
          summary="Confirmer le rattachement de mon identité GAR (code reçu au retour du GAR)")
def confirm_link(ctx, body):
    return gar.confirm_link(ctx.user_id, body.code)


@endpoint(bp, "/gar/logout", method="POST", access=access.USER, body=LogoutBody, tags=TAGS,
          summary="Se déconnecter après une connexion GAR : révoque le jeton de "
                  "rafraîchissement et donne l'adresse de déconnexion du GAR (demande SAML "
                  "LogoutRequest signée), ou null")
def logout(ctx, body):
    return gar.logout(ctx.user_id, body.refresh_token, body.gar_session)


@endpoint(bp, "/gar/slo", method="POST", access=access.PUBLIC, tags=TAGS,
          raw_body="application/x-www-form-urlencoded",
          summary="Déconnexion unique (SAML, HTTP-POST) : demande du GAR (nos sessions prennent "
                  "fin, réponse signée renvoyée au GAR) ou réponse du GAR à notre demande ; "
                  "redirection 303")
def single_logout(ctx):
    form = _form(ctx)
    if bool(form.get("SAMLRequest")) == bool(form.get("SAMLResponse")):
        raise InvalidInput("Un seul des champs SAMLRequest ou SAMLResponse est attendu.",
                           code="saml_missing")
    location = gar.single_logout(form.get("SAMLRequest"), form.get("SAMLResponse"),
                                 (form.get("RelayState") or "")[:80] or None)
    return Response(body="", status_code=303, headers={"Location": location})

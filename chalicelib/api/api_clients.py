"""API clients of an organisation (school portals) and the OAuth 2
client-credentials token route they use."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Literal
from urllib.parse import parse_qsl, unquote

from chalice import Blueprint
from pydantic import Field

from chalicelib.api import access
from chalicelib.api import responses
from chalicelib.api.http import endpoint
from chalicelib.api.schemas import ApiModel
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import api_clients

bp = Blueprint(__name__)
TAGS = ("api-clients",)


Scope = Annotated[str, Field(max_length=100)]


class CreateClientBody(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=10)]


class ClientCredentials(ApiModel):
    """The token request (RFC 6749 4.4) as the route reads it, after HTTP Basic
    credentials were merged in: the same class validates it and documents the
    form body in OpenAPI, so the document says what is really accepted."""
    grant_type: Literal["client_credentials"]
    client_id: Annotated[str, Field(min_length=1, max_length=200, description=(
        "Identifiant du client ; peut venir de l'en-tête Authorization: Basic à la place."))]
    client_secret: Annotated[str, Field(min_length=1, max_length=200, description=(
        "Secret du client ; peut venir de l'en-tête Authorization: Basic à la place."))]
    scope: str = Field(default="", max_length=1000, description=(
        "Portées demandées, séparées par des espaces, parmi celles du client ; vide : toutes."))


@endpoint(bp, "/oauth/token", method="POST", response=responses.TokenResponse, access=access.PUBLIC,
          raw_body="application/x-www-form-urlencoded,application/json", form=ClientCredentials,
          summary="Jeton d'un client API (OAuth 2, client_credentials)", tags=TAGS)
def oauth_token(ctx):
    form = _credentials(ctx.headers, ctx.raw_body)
    if form.get("grant_type") not in (None, "client_credentials"):
        raise InvalidInput("Seul grant_type=client_credentials est accepté.",
                           code="unsupported_grant_type")
    if form.get("scope") is None:  # JSON `"scope": null` asks for every scope, as no scope does
        form.pop("scope", None)
    body = ClientCredentials.model_validate(form)
    return api_clients.issue_token(body.client_id, body.client_secret, body.scope or None,
                                  ctx.source_ip)


@endpoint(bp, "/organizations/{org_id}/api-clients", method="POST",
          access=access.org_admin("org_id"), body=CreateClientBody, status=201,
          summary="Créer un client API (le secret n'est montré qu'une fois)", tags=TAGS)
def create_client(ctx, org_id: str, body: CreateClientBody):
    return api_clients.create(org_id, body.name, body.scopes)


@endpoint(bp, "/organizations/{org_id}/api-clients", method="GET",
          access=access.org_admin("org_id"), summary="Clients API de l'organisation", tags=TAGS)
def list_clients(ctx, org_id: str):
    return {"items": api_clients.list_for_org(org_id)}


@endpoint(bp, "/organizations/{org_id}/api-clients/{client_id}/rotate", method="POST",
          access=access.org_admin("org_id"),
          summary="Renouveler le secret d'un client API (l'ancien cesse de fonctionner)", tags=TAGS)
def rotate_client(ctx, org_id: str, client_id: str):
    return api_clients.rotate(org_id, client_id)


@endpoint(bp, "/organizations/{org_id}/api-clients/{client_id}", method="DELETE",
          access=access.org_admin("org_id"), status=204,
          summary="Supprimer un client API", tags=TAGS)
def delete_client(ctx, org_id: str, client_id: str):
    api_clients.delete(org_id, client_id)


@endpoint(bp, "/national-clients", method="POST", access=access.ADMIN, body=CreateClientBody,
          status=201, summary="Créer un client national (LSU/LSL ; administrateur de la plateforme)",
          tags=TAGS)
def create_national_client(ctx, body: CreateClientBody):
    return api_clients.create_national(body.name, body.scopes)


def _credentials(headers: dict, raw: bytes) -> dict:
    """Form (RFC 6749) or JSON body; client id and secret may come in HTTP Basic instead."""
    lowered = {k.lower(): v for k, v in headers.items()}
    text = raw.decode("utf-8", errors="replace").strip()
    if "application/x-www-form-urlencoded" in lowered.get("content-type", ""):
        form = dict(parse_qsl(text, keep_blank_values=True))
    else:
        try:
            form = json.loads(text) if text else {}
        except ValueError:
            raise InvalidInput("Le corps de la requête n'est pas du JSON valide.",
                               code="invalid_json")
        if not isinstance(form, dict):
            raise InvalidInput("Le corps de la requête doit être un objet.", code="invalid_json")
    scheme, _, value = lowered.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidInput("En-tête Authorization Basic invalide.", code="invalid_request")
        form.setdefault("client_id", unquote(client_id))
        form.setdefault("client_secret", unquote(secret))
    return form

"""Certificates: public verification, the holder's documents, the signing key."""
from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict
from chalicelib.services import certificates

bp = Blueprint(__name__)
TAGS = ("certificates",)


def verify_url(code: str) -> str:
    return f"{settings().public_base_url}/verification?code={code}"


@endpoint(bp, "/certificates/{code}", access=access.PUBLIC, tags=TAGS,
          summary="Vérifier un certificat à partir de son code (public, limité en débit)")
def verify(ctx, code):
    return certificates.verify(code, ctx.source_ip)


@endpoint(bp, "/me/certificates", access=access.USER, tags=TAGS, summary="Mes certificats")
def mine(ctx):
    return certificates.my_certificates(ctx.user_id)


@endpoint(bp, "/me/certificates/{certificate_id}/attestation", access=access.USER, tags=TAGS,
          produces="application/pdf", summary="Attestation PDF avec QR code de vérification")
def attestation(ctx, certificate_id):
    from chalicelib.documents.attestation_pdf import render_attestation

    cert = certificates.my_certificate(ctx.user_id, certificate_id)
    try:
        pdf = render_attestation(cert, verify_url(cert.verification_code))
    except ValueError:  # a name in a script the embedded font cannot print
        raise Conflict("L'attestation PDF ne peut pas être produite pour ce nom ; le certificat "
                       "reste vérifiable en ligne et en Open Badge.", code="attestation_unavailable")
    return Response(body=pdf, status_code=200, headers={
        "Content-Type": "application/pdf", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="attestation-{cert.verification_code}.pdf"'})


@endpoint(bp, "/me/certificates/{certificate_id}/credential", access=access.USER, tags=TAGS,
          produces="application/ld+json", summary="Open Badge 3.0 signé (Ed25519)")
def credential(ctx, certificate_id):
    from chalicelib.documents.open_badge import build_credential

    cert = certificates.my_certificate(ctx.user_id, certificate_id)
    body = build_credential(cert, issuer_url=settings().public_base_url,
                            verify_url=verify_url(cert.verification_code))
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": "application/ld+json", "Cache-Control": "no-store"})


@endpoint(bp, "/.well-known/badge-key", access=access.PUBLIC, tags=TAGS,
          summary="Clé publique Ed25519 de vérification des Open Badges")
def badge_key(ctx):
    from chalicelib.documents.open_badge import public_key_document

    return public_key_document(settings().public_base_url)

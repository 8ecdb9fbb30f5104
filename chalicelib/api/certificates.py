"""Certificates: public verification, the holder's documents, the issuer and its key."""
from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.config import settings
from chalicelib.domain.errors import Conflict, NotFound
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
                            verify_url=verify_url(cert.verification_code),
                            status=certificates.status_entry_of(cert))
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": "application/ld+json", "Cache-Control": "no-store"})


@endpoint(bp, "/credentials/status/{list_id}", access=access.PUBLIC, tags=TAGS,
          produces="application/ld+json",
          summary="Liste de statuts (Bitstring Status List) signée : bit levé = certificat annulé")
def status_list(ctx, list_id):
    """Public, like the badges it speaks for: a verifier fetches it for any badge
    naming it. Cached 5 minutes: a cancellation reaches verifiers within that."""
    from chalicelib.documents.open_badge import status_list_credential

    body = status_list_credential(settings().public_base_url, list_id, certificates.revoked_in(list_id))
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": "application/ld+json",
                             "Cache-Control": "public, max-age=300"})


@endpoint(bp, "/.well-known/badge-key", access=access.PUBLIC, tags=TAGS,
          summary="Clé publique Ed25519 des Open Badges émis avant le profil d'émetteur")
def badge_key(ctx):
    from chalicelib.documents.open_badge import public_key_document

    return public_key_document(settings().public_base_url)


JSON_LD = "application/ld+json"
ISSUER_MEDIA_TYPES = (JSON_LD, "application/json", "text/html")


def preferred_media_type(accept: str | None, offered=ISSUER_MEDIA_TYPES) -> str:
    """The offered type the Accept header ranks highest (RFC 9110 §12.5.1: q-values,
    then the most specific range); the first offered (JSON-LD, what verifiers and
    wallets read) when the header is absent, unreadable or ranks all alike.
    A browser (`text/html,…,*/*;q=0.8`) gets the page; `*/*` gets JSON-LD."""
    best, best_rank = offered[0], (-1.0, -1, 0)
    for position, media in enumerate(offered):
        kind, _, sub = media.partition("/")
        q, specificity = 0.0, -1
        for part in (accept or "*/*").split(","):
            fields = [f.strip() for f in part.split(";")]
            rng = fields[0].lower()
            weight = 1.0
            for param in fields[1:]:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    try:
                        weight = max(0.0, min(1.0, float(value)))
                    except ValueError:
                        weight = 0.0
            r_kind, _, r_sub = rng.partition("/")
            if rng == media:
                level = 2
            elif r_kind == kind and r_sub == "*":
                level = 1
            elif rng == "*/*":
                level = 0
            else:
                continue
            if level > specificity:
                q, specificity = weight, level
        rank = (q, 0, -position)
        if q > 0 and rank > best_rank:
            best, best_rank = media, rank
    return best


@endpoint(bp, "/issuer", access=access.PUBLIC, tags=TAGS, produces=JSON_LD,
          summary="Profil de l'émetteur des Open Badges et ses clés (JSON-LD, ou page selon Accept)")
def issuer(ctx):
    """The URL every credential names as `issuer.id`: machines get the Open Badges
    Profile that is also the controller document of the signing key; people, whose
    browsers ask for HTML first, get a page saying the same in French."""
    from chalicelib.api import web
    from chalicelib.documents.open_badge import issuer_profile

    accept = ctx.headers.get("accept") or ctx.headers.get("Accept")
    media = preferred_media_type(accept)
    if media == "text/html":
        return web.send_page(ctx, "/issuer", {"Vary": "Accept"})
    body = issuer_profile(settings().public_base_url)
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": media, "Vary": "Accept",
                             "Cache-Control": "public, max-age=300"})


ROOT_MEDIA_TYPES = ("text/html", JSON_LD, "application/json")


@endpoint(bp, "/", access=access.PUBLIC, tags=TAGS, produces="text/html",
          summary="Page d'accueil ; en JSON-LD (selon Accept), le document de contrôle de la clé "
                  "des Open Badges émis avant le profil d'émetteur")
def site_root(ctx):
    """People (and any client not asking for JSON) get the home page. The site
    root was the `issuer.id` of the credentials issued before `/issuer`, and their
    key's controller: a verifier following that chain asks for JSON-LD and gets
    the controller document, so those credentials still verify."""
    from chalicelib.api import web
    from chalicelib.documents.open_badge import legacy_controller_document

    accept = ctx.headers.get("accept") or ctx.headers.get("Accept")
    media = preferred_media_type(accept, ROOT_MEDIA_TYPES)
    if media == "text/html":
        return web.send_page(ctx, "/", {"Vary": "Accept"})
    body = legacy_controller_document(settings().public_base_url)
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=200,
                    headers={"Content-Type": media, "Vary": "Accept",
                             "Cache-Control": "public, max-age=300"})


@endpoint(bp, "/badges/certification-numerique/{image}", access=access.PUBLIC, tags=TAGS,
          produces="image/svg+xml",
          summary="Image (SVG) du badge d'un niveau : niveau-0.svg à niveau-8.svg")
def badge_image(ctx, image):
    from chalicelib.documents.open_badge import achievement_image_svg
    from chalicelib.domain.certification.scoring import LEVEL_LABELS

    names = {f"niveau-{level}.svg": level for level in range(len(LEVEL_LABELS))}
    if image not in names:
        raise NotFound("Image de badge introuvable.", code="badge_image_not_found")
    return Response(body=achievement_image_svg(names[image]), status_code=200, headers={
        "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'"})

"""Cross-cutting HTTP concerns: one structured log line per request, every
error in the project's shape, and no traceback ever reaching a client."""
from __future__ import annotations

import json
import logging
import time

from chalice import Response

from chalicelib.api.errors import error_response
from chalicelib.config import settings

log = logging.getLogger("pix.request")


def request_middleware(event, get_response):
    started = time.perf_counter()
    try:
        response = get_response(event)
    except Exception:  # last resort: log it, answer in our shape
        log.exception("unhandled error")
        response = error_response(500, "internal_error",
                                  "Une erreur interne est survenue. Réessayez plus tard.")
    response = _with_hygiene_headers(_in_error_shape(response))
    log.info(json.dumps({
        "route": getattr(event, "path", None), "method": getattr(event, "method", None),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }))
    return response


def _with_hygiene_headers(response: Response) -> Response:
    """On every answer (issue 13, point 9): no MIME sniffing (JSON included);
    nothing cached unless the route said otherwise (pages and versioned assets
    do; every personal answer — tokens, profile, export, PDF, credential —
    stays `no-store`); HSTS in the deployed stages, which are HTTPS only."""
    headers = dict(response.headers or {})
    present = {k.lower() for k in headers}
    if "x-content-type-options" not in present:
        headers["X-Content-Type-Options"] = "nosniff"
    if "cache-control" not in present:
        headers["Cache-Control"] = "no-store"
    max_age = settings().hsts_max_age
    if max_age:
        headers["Strict-Transport-Security"] = f"max-age={max_age}; includeSubDomains"
    response.headers = headers
    return response


def _in_error_shape(response: Response) -> Response:
    """Chalice's own errors (415, 404, 405...) come as {"Code","Message"}; rewrap them."""
    if response.status_code < 400:
        return response
    body = response.body
    try:
        data = json.loads(body) if isinstance(body, (str, bytes)) else body
    except ValueError:
        data = None
    if isinstance(data, dict) and "error" in data:
        return response
    code = (data or {}).get("Code", "error") if isinstance(data, dict) else "error"
    message = {415: "Type de contenu non pris en charge.", 405: "Méthode non autorisée.",
               404: "Ressource introuvable.", 400: "Requête invalide."}.get(
        response.status_code, "La requête n'a pas pu être traitée.")
    headers = {}
    if response.status_code >= 500:
        code, message = "internal_error", "Une erreur interne est survenue. Réessayez plus tard."
    retry_after = {k.lower(): v for k, v in (response.headers or {}).items()}.get("retry-after")
    if retry_after is not None:  # a 503 or 429 keeps its retry hint
        headers["Retry-After"] = str(retry_after)
        if response.status_code == 503:
            code, message = "service_unavailable", "Le service est momentanément indisponible."
    return error_response(response.status_code, _snake(code), message, headers=headers)


def _snake(code: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in code).lstrip("_")
    return out or "error"

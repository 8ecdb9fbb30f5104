"""One error shape for every error: {"error": {"code", "message", "details"?}}."""
from __future__ import annotations

import json

from chalice import Response
from pydantic import ValidationError

from chalicelib.api.validation_messages import french
from chalicelib.domain import errors as e

STATUS_BY_ERROR: dict[type[e.DomainError], int] = {
    e.InvalidInput: 400,
    e.Unauthenticated: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.Gone: 410,
    e.TooManyRequests: 429,
    e.Unavailable: 503,
}

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def error_response(status: int, code: str, message: str, details: object = None,
                   headers: dict[str, str] | None = None) -> Response:
    body: dict = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response(body=json.dumps({"error": body}, ensure_ascii=False),
                    status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def from_domain_error(err: e.DomainError) -> Response:
    status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(err, cls)), 400)
    headers = {}
    if isinstance(err, (e.TooManyRequests, e.Unavailable)):
        headers["Retry-After"] = str(err.retry_after)
    if isinstance(err, e.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(status, err.code, err.message, err.details, headers)


def from_validation_error(err: ValidationError) -> Response:
    details = [
        {"field": ".".join(str(p) for p in d["loc"]), "type": d["type"],
         "message": french(d["type"], d.get("ctx")), "message_en": d["msg"]}
        for d in err.errors(include_url=False, include_context=True, include_input=False)
    ]
    return error_response(400, "invalid_input", "Les données envoyées sont invalides.", details)

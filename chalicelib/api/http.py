"""The one decorator every route uses: authorise, parse, call, shape JSON.

Keeping it in one place is what makes the conventions true everywhere: the
error shape, the body cap, pydantic validation, the access policy declared
per route (and read back by the OpenAPI document and the authorisation test).
"""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.access import Access
from chalicelib.api.errors import JSON_HEADERS, error_response, from_domain_error, from_validation_error
from chalicelib.config import settings
from chalicelib.domain.errors import DomainError, InvalidInput, Unavailable
from chalicelib.domain.principal import Principal
from chalicelib.services import revocations
from chalicelib.store.base import is_transient

log = logging.getLogger("pix.request")
# DynamoDB was throttled or unavailable after botocore's own retries (about
# 1 + 2 + 4 + 8 s of backoff at most): ask the client to come back shortly.
RETRY_AFTER_SECONDS = 2

# Writes check that the caller's access token was not revoked (closed account,
# password changed): one GetItem each; reads stay stateless.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Roster files arrive as the school has them: SIECLE XML, its zip, CSV or
# spreadsheet text; services read the kind from the bytes, not from this header.
ACCEPTED_CONTENT_TYPES = ["application/json", "text/plain", "text/csv",
                          "application/octet-stream", "application/x-www-form-urlencoded",
                          "application/xml", "text/xml", "application/zip",
                          "application/x-zip-compressed", "text/tab-separated-values"]


@dataclass(frozen=True)
class EndpointSpec:
    summary: str
    access: Access
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    status: int
    tags: tuple[str, ...]
    raw_body: str | None = None  # media type(s) of a raw (non-JSON) body, e.g. "text/csv,application/zip"
    produces: str = "application/json"
    example: dict | None = None  # a response example for the OpenAPI document (what a client maps)
    response: type[BaseModel] | None = None  # what the success body is (api/responses.py); enforced
    form: type[BaseModel] | None = None  # documents a raw form body (the handler parses it itself)


@dataclass
class Ctx:
    """What a route handler gets besides its parsed input."""
    principal: Principal | None
    headers: dict
    source_ip: str | None
    raw_body: bytes = b""
    extra: dict = field(default_factory=dict)

    @property
    def user_id(self) -> str | None:
        return self.principal.user_id if self.principal else None


def endpoint(bp: Blueprint, path: str, *, method: str = "GET", access: Access,
             summary: str, body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, status: int = 200,
             tags: tuple[str, ...] = (), raw_body: str | None = None,
             produces: str = "application/json", example: dict | None = None,
             response: type[BaseModel] | None = None,
             form: type[BaseModel] | None = None) -> Callable:
    spec = EndpointSpec(summary, access, body, query, status, tags, raw_body, produces, example,
                        response, form)

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def view(**url_params: Any) -> Response:
            request = bp.current_request
            try:
                headers = dict(request.headers or {})
                principal = access.authorize(headers, url_params)
                if principal is not None and method in WRITE_METHODS:
                    revocations.refuse_if_revoked(principal)
                raw = _raw_body(request)
                kwargs = dict(url_params)
                if body is not None:
                    if not _is_json(headers):
                        return error_response(
                            415, "unsupported_media_type",
                            "Le corps de la requête doit être envoyé en JSON "
                            "(Content-Type: application/json).")
                    kwargs["body"] = body.model_validate(_json_object(raw))
                if query is not None:
                    kwargs["query"] = query.model_validate(_single_values(request.query_params))
                identity = (request.context or {}).get("identity") or {}
                ctx = Ctx(principal, headers, identity.get("sourceIp"), raw)
                return _to_response(_shaped(handler(ctx, **kwargs), response), status)
            except DomainError as err:
                return from_domain_error(err)
            except ValidationError as err:
                return from_validation_error(err)
            except Exception as err:  # noqa: BLE001 - only storage outages are mapped
                if not is_transient(err):
                    raise  # a bug: the middleware logs it and answers 500
                log.warning(json.dumps({"event": "storage_unavailable", "error": type(err).__name__,
                                        "cause": _cause_code(err)}))
                return from_domain_error(Unavailable(
                    "Le service est momentanément surchargé. Réessayez dans quelques secondes.",
                    code="service_unavailable", retry_after=RETRY_AFTER_SECONDS))

        view.__endpoint__ = spec  # type: ignore[attr-defined]
        bp.route(path, methods=[method], content_types=ACCEPTED_CONTENT_TYPES)(view)
        return view

    return decorate


def _single_values(params) -> dict:
    """Query parameters, each given once: `?limit=x&limit=5` is refused rather
    than read as its last value (as unknown fields are refused, not ignored)."""
    if not params:
        return {}
    repeated = sorted(k for k in params if len(params.getlist(k)) > 1)
    if repeated:
        raise InvalidInput("Un paramètre de la requête est répété.", code="repeated_parameter",
                           details={"parameters": repeated[:10]})
    return {k: params[k] for k in params}


def _cause_code(err: BaseException) -> str | None:
    cause = getattr(err, "cause", None) or err
    return (getattr(cause, "response", None) or {}).get("Error", {}).get("Code") \
        or type(cause).__name__


def _raw_body(request) -> bytes:
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > settings().max_body_bytes:
        raise InvalidInput(f"Le corps de la requête dépasse {settings().max_body_bytes} octets.",
                           code="body_too_large")
    return raw


def _is_json(headers: dict) -> bool:
    """JSON bodies only as `application/json` (parameters such as charset
    allowed): a cross-site HTML form can send text/plain, form or multipart
    without a preflight, never application/json."""
    value = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return value.split(";", 1)[0].strip().lower() == "application/json"


def _json_object(raw: bytes) -> dict:
    if not raw.strip():
        raise InvalidInput("Le corps de la requête doit être un objet JSON.", code="invalid_json")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput("Le corps de la requête n'est pas du JSON valide (UTF-8).",
                           code="invalid_json")
    if not isinstance(data, dict):
        raise InvalidInput("Le corps de la requête doit être un objet JSON.", code="invalid_json")
    return data


class UndocumentedResponse(RuntimeError):
    """A handler returned what its declared response model does not describe: a
    bug (the OpenAPI document would lie to clients), answered 500, never 400."""


def _shaped(result: Any, model: type[BaseModel] | None) -> Any:
    """The handler's result passed through the route's response model, so the
    body sent is exactly what the OpenAPI document publishes."""
    if model is None or result is None or isinstance(result, Response):
        return result
    try:
        return model.model_validate(result).model_dump(mode="json")
    except ValidationError as err:
        raise UndocumentedResponse(f"{model.__name__}: {err}") from None


def _to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204 if status == 200 else status)
    return Response(body=json.dumps(result, ensure_ascii=False, default=str),
                    status_code=status, headers=dict(JSON_HEADERS))


__all__ = ["endpoint", "Ctx", "EndpointSpec", "error_response"]

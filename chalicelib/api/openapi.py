"""OpenAPI 3.1 document built from the registered routes themselves, so it
cannot drift: every route's summary, access policy and pydantic models are
read from the `endpoint` decorator's spec."""
from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.api import access
from chalicelib.api.http import endpoint

bp = Blueprint(__name__)
_app = None

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}

# DynamoDB throttled or unavailable after the store's own retries (see api/http.py).
UNAVAILABLE = {
    "description": "Service momentanément indisponible : réessayer après Retry-After secondes",
    "headers": {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def bind(app) -> None:
    global _app
    _app = app


@endpoint(bp, "/openapi.json", access=access.PUBLIC, summary="Document OpenAPI de l'API",
          tags=("platform",))
def openapi(ctx):
    return build_document(_app)


def build_document(app) -> dict:
    from chalicelib.config import settings

    paths: dict = {}
    components: dict = {"Error": ERROR_SCHEMA}
    for path, methods in sorted(app.routes.items()):
        for method, entry in methods.items():
            spec = getattr(entry.view_function, "__endpoint__", None)
            if spec is None:
                continue
            paths.setdefault(path, {})[method.lower()] = _operation(path, method, spec, components)
    base = settings().public_base_url.rstrip("/")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Plateforme d'évaluation et de certification des compétences numériques",
                 "version": settings().app_version},
        "servers": [{"url": base, "description": "Cette plateforme (PUBLIC_BASE_URL)"}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": security_schemes(base)},
    }


def security_schemes(base: str) -> dict:
    """People sign in (POST /auth/token) and send a bearer JWT; API clients of
    school portals and national services get theirs by the OAuth 2
    client-credentials grant, each route naming the one scope it requires."""
    from chalicelib.domain.scopes import NATIONAL_SCOPES, SCOPES

    return {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "Jeton d'une personne (POST /auth/token) ou d'un surveillant."},
        "oauth2": {"type": "oauth2", "description": "Clients API (portails d'établissement, LSU/LSL).",
                   "flows": {"clientCredentials": {"tokenUrl": f"{base}/oauth/token",
                                                   "scopes": {**SCOPES, **NATIONAL_SCOPES}}}},
    }


def _component(model, components: dict) -> dict:
    """The model's JSON schema under its class name (its nested models too);
    two different classes of one name would make one route's schema lie."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        if components.get(name, sub) != sub:
            raise ValueError(f"two OpenAPI schemas named {name!r}: rename one model")
        components[name] = sub
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(path: str, method: str, spec, components: dict) -> dict:
    op: dict = {
        "summary": spec.summary,
        "operationId": f"{method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', path).strip('_')}",
        "tags": list(spec.tags),
        "x-access": spec.access.name,
        "parameters": [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                       for n in re.findall(r"{(\w+)}", path)],
        "responses": {str(spec.status): {"description": "Succès", "content": {
            spec.produces: {"schema": {}}}}, "4XX": {
            "description": "Erreur", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Error"}}}}, "503": UNAVAILABLE},
    }
    if spec.status == 204:  # no body, hence no media type
        op["responses"]["204"] = {"description": "Succès, sans contenu"}
    if not spec.access.is_public:
        op["security"] = []
        if spec.access.kinds - {"client"}:
            op["security"].append({"bearer": []})
        if "client" in spec.access.kinds:
            op["security"].append({"oauth2": [spec.access.scope]})
    if spec.response is not None:
        op["responses"][str(spec.status)]["content"][spec.produces]["schema"] = _component(
            spec.response, components)
    if spec.query is not None:
        schema = spec.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            op["parameters"].append({"name": name, "in": "query",
                                     "required": name in schema.get("required", []),
                                     "schema": prop})
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _component(spec.body, components)}}}
    elif spec.form is not None:  # a body the handler parses itself, whose fields a model declares
        ref = _component(spec.form, components)
        op["requestBody"] = {"required": True, "content": {
            media.strip(): {"schema": ref} for media in spec.raw_body.split(",")}}
    elif spec.raw_body:
        binary = {"type": "string", "format": "binary"}
        op["requestBody"] = {"required": True, "content": {
            media.strip(): {"schema": binary if "zip" in media or "octet" in media else {"type": "string"}}
            for media in spec.raw_body.split(",")}}
    if spec.example is not None:
        op["responses"][str(spec.status)]["content"][spec.produces]["example"] = spec.example
    return op

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
    return {
        "openapi": "3.1.0",
        "info": {"title": "Plateforme d'évaluation et de certification des compétences numériques",
                 "version": settings().app_version},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


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
        op["security"] = [{"bearer": []}]
    if spec.query is not None:
        schema = spec.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            op["parameters"].append({"name": name, "in": "query",
                                     "required": name in schema.get("required", []),
                                     "schema": prop})
    if spec.body is not None:
        schema = spec.body.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[spec.body.__name__] = schema
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{spec.body.__name__}"}}}}
    elif spec.raw_body:
        binary = {"type": "string", "format": "binary"}
        op["requestBody"] = {"required": True, "content": {
            media.strip(): {"schema": binary if "zip" in media or "octet" in media else {"type": "string"}}
            for media in spec.raw_body.split(",")}}
    if spec.example is not None:
        op["responses"][str(spec.status)]["content"][spec.produces]["example"] = spec.example
    return op

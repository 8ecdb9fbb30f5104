"""Liveness and readiness: the version and whether DynamoDB answers."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api import access
from chalicelib.api.http import endpoint
from chalicelib.services import health as health_service

bp = Blueprint(__name__)


@endpoint(bp, "/health", access=access.PUBLIC, summary="État du service", tags=("platform",))
def health(ctx):
    report = health_service.check()
    if not report["dynamodb"]["ok"]:
        import json
        return Response(body=json.dumps(report), status_code=503,
                        headers={"Content-Type": "application/json", "Retry-After": "5"})
    return report

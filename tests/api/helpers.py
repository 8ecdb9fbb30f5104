"""Small helpers for HTTP tests through chalice.test.Client."""
from __future__ import annotations

import json


def call(client, method: str, path: str, body=None, token: str | None = None,
         headers: dict | None = None, raw: bytes | str | None = None):
    hdrs = {"Content-Type": "application/json"}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    hdrs.update(headers or {})
    payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
    response = getattr(client.http, method.lower())(path, headers=hdrs, body=payload) \
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE") else \
        getattr(client.http, method.lower())(path, headers=hdrs)
    return response


def js(response):
    return json.loads(response.body) if response.body else None


def deliver_mail(*, visibility_timeout: int = 0) -> int:
    """Run the mail queue's consumer on every waiting message, as the local
    runner does (`scripts/run_local.drain_queues`); the number delivered."""
    import sys
    from pathlib import Path

    scripts = str(Path(__file__).resolve().parents[2] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import run_local

    from app import app

    return run_local.drain_queues(app, visibility_timeout=visibility_timeout)

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

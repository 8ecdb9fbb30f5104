"""A WSGI face for the Chalice app, so schemathesis can drive it in-process.

Each WSGI request is handed to `chalice.test.Client` (the same local API
Gateway emulation the other HTTP tests use): the app sees exactly the Lambda
proxy events it gets in production, path and query still percent-encoded as
sent, the body as bytes. No socket, no server, no thread.
"""
from __future__ import annotations

from http import HTTPStatus


class ChaliceWSGI:
    def __init__(self, http_client):
        self._http = http_client   # chalice.test.Client(...).http
        self.calls = 0             # requests served, for the reports

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or _rebuild_uri(environ)
        query = environ.get("QUERY_STRING")
        if query and "?" not in uri:  # werkzeug's RAW_URI is the path alone
            uri = f"{uri}?{query}"
        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").title()] = value
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        self.calls += 1
        if method == "OPTIONS":
            return _gateway_refusal(start_response)
        response = self._http.request(method, uri, headers=headers, body=body)
        payload = response.body if isinstance(response.body, bytes) else \
            (response.body or "").encode("utf-8")
        status = f"{response.status_code} {_reason(response.status_code)}"
        start_response(status, [(k, str(v)) for k, v in (response.headers or {}).items()])
        return [payload]


def _gateway_refusal(start_response):
    """What the deployed API Gateway answers for a method no route declares
    (no CORS preflight is configured): 403 MISSING_AUTHENTICATION_TOKEN, put
    in the project's error shape by the template's DEFAULT_4XX gateway
    response. chalice's emulation would invent a CORS answer with no body."""
    body = b'{"error": {"code": "MISSING_AUTHENTICATION_TOKEN", "message": "Missing Authentication Token"}}'
    start_response("403 Forbidden", [("Content-Type", "application/json")])
    return [body]


def _rebuild_uri(environ) -> str:
    from urllib.parse import quote

    path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/%")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"

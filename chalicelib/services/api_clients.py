"""API clients of school portals: an organisation's admins create them, the
portal exchanges client id + secret for a short token (OAuth 2 client
credentials) scoped to that organisation and to the client's scopes.

The secret is shown once, at creation or rotation, and stored as SHA-256:
it is 256 random bits, so a slow hash would add CPU without adding safety
(argon2 is for human-chosen passwords).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from chalicelib.domain.api_clients import NATIONAL_OWNER, ApiClient
from chalicelib.domain.errors import InvalidInput, NotFound, Unauthenticated
from chalicelib.domain.scopes import NATIONAL_SCOPES, SCOPES
from chalicelib.services import throttle, tokens
from chalicelib.store import api_clients as store

# What a client may be granted: the scopes organisation routes name (domain/scopes.py).
KNOWN_SCOPES = tuple(SCOPES)

# (limit, window s). The secret is 256 random bits: no lock is needed to stop
# guessing it, and a lock keyed on the client id alone let anyone who knows
# that id (it is no secret: it sits in portal configurations and logs) shut
# the portal out (issue 13, point 8). Failures are capped per client *and
# address* and per address; requests per address, counting admitted ones only.
TOKEN_REQUESTS_PER_IP = (120, 60)
TOKEN_FAILURES_PER_CLIENT_AND_IP = (20, 900)
TOKEN_FAILURES_PER_IP = (100, 900)
INVALID_CLIENT = "Identifiant ou secret client invalide."


def _now() -> int:
    return int(time.time())


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _view(client: ApiClient) -> dict:
    return {"client_id": client.client_id, "org_id": client.org_id, "name": client.name,
            "scopes": list(client.scopes), "created_at": client.created_at,
            "rotated_at": client.rotated_at}


def create(org_id: str, name: str, scopes: list[str]) -> dict:
    client, secret = _create(org_id, name, scopes, KNOWN_SCOPES)
    return {**_view(client), "client_secret": secret}


def create_national(name: str, scopes: list[str]) -> dict:
    """A national client (LSU/LSL), by a platform admin: it reads across
    schools by UAI, so it holds national scopes only and no organisation."""
    client, secret = _create(NATIONAL_OWNER, name, scopes, NATIONAL_SCOPES)
    return {**_view(client), "org_id": None, "national": True, "client_secret": secret}


def _create(owner: str, name: str, scopes: list[str], known) -> tuple[ApiClient, str]:
    """One path for both kinds of client: only `known` scopes, at least one;
    the secret is shown here once and stored hashed."""
    unknown = sorted(set(scopes) - set(known))
    if unknown or not scopes:
        raise InvalidInput("Portée inconnue ou absente.", code="invalid_scope",
                           details={"unknown": unknown, "known": list(known)})
    secret = secrets.token_urlsafe(32)
    client = ApiClient(client_id=secrets.token_hex(12), org_id=owner, name=name,
                       scopes=tuple(sorted(set(scopes))), secret_hash=_hash(secret), created_at=_now())
    store.create(client)
    return client, secret


def list_for_org(org_id: str) -> list[dict]:
    return [_view(item) for item in store.list_for_org(org_id)]


def rotate(org_id: str, client_id: str) -> dict:
    """A new secret; the old one stops working at once (issued tokens live ≤ 1 h)."""
    secret = secrets.token_urlsafe(32)
    client = store.set_secret(client_id, org_id, _hash(secret), _now())
    if client is None:
        raise NotFound("Client API introuvable.", code="api_client_not_found")
    return {**_view(client), "client_secret": secret}


def delete(org_id: str, client_id: str) -> None:
    if not store.delete(client_id, org_id):
        raise NotFound("Client API introuvable.", code="api_client_not_found")


def issue_token(client_id: str, client_secret: str, scope: str | None, ip: str | None) -> dict:
    """Client-credentials grant. `scope` may narrow the client's scopes, never widen them."""
    source = ip or "unknown"
    throttle.hit(f"oauth:ip:{source}", *TOKEN_REQUESTS_PER_IP)
    pair = f"oauth-failures:{client_id}:ip:{source}"
    throttle.peek(pair, *TOKEN_FAILURES_PER_CLIENT_AND_IP)
    throttle.peek(f"oauth-failures:ip:{source}", *TOKEN_FAILURES_PER_IP)
    client = store.get(client_id)
    if client is None or not hmac.compare_digest(client.secret_hash, _hash(client_secret)):
        throttle.record(pair, TOKEN_FAILURES_PER_CLIENT_AND_IP[1])
        throttle.record(f"oauth-failures:ip:{source}", TOKEN_FAILURES_PER_IP[1])
        raise Unauthenticated(INVALID_CLIENT, code="invalid_client")
    granted = list(client.scopes)
    if scope:
        requested = set(scope.split())
        if not requested <= set(granted):
            raise InvalidInput("Portée non accordée à ce client.", code="invalid_scope")
        granted = sorted(requested)
    return {"access_token": tokens.client_token(client.client_id, client.org_id, granted,
                                                national=client.national),
            "token_type": "Bearer", "expires_in": tokens.CLIENT_TTL, "scope": " ".join(granted)}

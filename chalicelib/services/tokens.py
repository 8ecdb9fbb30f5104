"""Signed tokens (PyJWT, HS256). Access tokens are stateless and short-lived;
refresh tokens carry a `jti` checked against the store, so they can be revoked.

Every token has a `typ` claim and decoding demands the expected one: a refresh
token is never accepted where an access token is required, and `alg` is pinned
so `none` or another algorithm is refused.
"""
from __future__ import annotations

import time
import uuid

from chalicelib.config import settings
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal
from chalicelib.services.jwt_hmac import jwt  # HS256 without cryptography's import cost

ALGORITHM = "HS256"
ISSUER = "pix-serverless"
ACCESS_TTL = 20 * 60
REFRESH_TTL = 7 * 24 * 3600
INVIGILATOR_TTL = 12 * 3600
CLIENT_TTL = 60 * 60

_LEEWAY = 5


def _secret() -> str:
    from chalicelib.services.secrets import jwt_secret

    return jwt_secret()


def _encode(claims: dict, ttl: int) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, _secret(), algorithm=ALGORITHM)


def decode(token: str, expected_type: str | tuple[str, ...]) -> dict:
    expected = (expected_type,) if isinstance(expected_type, str) else expected_type
    try:
        claims = jwt.decode(token, _secret(), algorithms=[ALGORITHM], issuer=ISSUER,
                            leeway=_LEEWAY, options={"require": ["exp", "iat", "sub", "typ"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Votre session a expiré, reconnectez-vous.", code="token_expired")
    except jwt.PyJWTError:
        raise Unauthenticated("Jeton d'authentification invalide.", code="invalid_token")
    if claims.get("typ") not in expected:
        raise Unauthenticated("Jeton d'authentification invalide.", code="invalid_token")
    return claims


def access_token(user_id: str, *, is_admin: bool, organizations: dict[str, str],
                 centres: list[str], token_version: int = 0) -> str:
    """`tv`, the account's token version, lets writes refuse the token once the
    version was bumped (services/revocations.py); 0 for an account never revoked."""
    return _encode({"sub": user_id, "typ": "access", "adm": is_admin, "tv": int(token_version),
                    "orgs": organizations, "ctrs": sorted(centres)}, ACCESS_TTL)


def refresh_token(user_id: str, jti: str, token_version: int) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "iat": now, "exp": now + REFRESH_TTL, "jti": jti,
               "sub": user_id, "typ": "refresh", "tv": token_version}
    return jwt.encode(payload, _secret(), algorithm=ALGORITHM)


def invigilator_token(session_id: str, centre_id: str) -> str:
    return _encode({"sub": session_id, "typ": "invigilator", "ctr": centre_id}, INVIGILATOR_TTL)


def client_token(client_id: str, org_id: str | None, scopes: list[str], *,
                 national: bool = False) -> str:
    claims = {"sub": client_id, "typ": "client", "org": None if national else org_id,
              "scope": " ".join(sorted(scopes))}
    if national:
        claims["nat"] = True
    return _encode(claims, CLIENT_TTL)


def principal_from(token: str) -> Principal:
    claims = decode(token, ("access", "invigilator", "client"))
    typ = claims["typ"]
    if typ == "access":
        version = claims.get("tv", 0)
        return Principal(kind="user", subject=claims["sub"], is_admin=bool(claims.get("adm")),
                         organizations=dict(claims.get("orgs") or {}),
                         centres=frozenset(claims.get("ctrs") or ()),
                         token_version=version if isinstance(version, int) else -1)
    if typ == "invigilator":
        return Principal(kind="invigilator", subject=claims["sub"],
                         centres=frozenset([claims.get("ctr", "")]))
    national = claims.get("nat") is True
    return Principal(kind="client", subject=claims["sub"],
                     org_id=None if national else claims.get("org"), national=national,
                     scopes=frozenset((claims.get("scope") or "").split()))

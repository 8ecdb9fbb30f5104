"""Secrets from configuration: SSM Parameter Store in AWS, environment locally.

Fetched once per cold start; never hard-coded. In AWS the stage names the
parameters (`JWT_SECRET_PARAM`, `BADGE_KEY_PARAM`, SecureString under /pix/),
created once per account before the first deploy (README, Deployment): every
Lambda instance must sign with the same keys, so none may fall back to a
per-process one there.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from chalicelib.config import settings


def _parameter(name: str) -> str:
    import boto3  # only in AWS, only once per cold start

    ssm = boto3.client("ssm", region_name=settings().region)
    return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]


@lru_cache(maxsize=1)
def jwt_secret() -> str:
    cfg = settings()
    return _parameter(cfg.jwt_secret_param) if cfg.jwt_secret_param else cfg.jwt_secret


@lru_cache(maxsize=1)
def badge_private_key() -> str | None:
    """The Open Badge signing key (PEM or base64 raw Ed25519), None when unset."""
    cfg = settings()
    return _parameter(cfg.badge_key_param) if cfg.badge_key_param else cfg.badge_private_key


def gar_idp_certificate() -> str | None:
    """The GAR's signing certificate (PEM), None when GAR sign-in is not set up.
    From SSM once per cold start and parameter name; the environment value is
    read through `settings()` (tests set their own test IdP's certificate)."""
    cfg = settings()
    return _cached_parameter(cfg.gar_idp_cert_param) if cfg.gar_idp_cert_param else cfg.gar_idp_certificate


def gar_sp_key() -> str | None:
    """Our own GAR private key (PEM): signs our logout messages, decrypts the
    assertions the GAR encrypts for us. SSM in AWS (GAR_SP_KEY_PARAM), the
    environment locally; None when single logout and encryption are not set up."""
    cfg = settings()
    return _cached_parameter(cfg.gar_sp_key_param) if cfg.gar_sp_key_param else cfg.gar_sp_key


@lru_cache(maxsize=4)
def _cached_parameter(name: str) -> str:
    return _parameter(name)


def export_pseudonym_key() -> bytes:
    """The key of the answer export's learner pseudonyms (HMAC-SHA256 of the user id).

    Derived from the JWT secret (SSM in AWS) with its own label rather than
    stored apart: one secret less to provision, and nobody holding only the
    export can link a pseudonym back to a user id (that needs the key).
    Rotating the JWT secret starts new pseudonyms, which only splits a
    learner's answers across two groups in later calibrations."""
    return _derived_key(jwt_secret(), b"pix/answer-export/pseudonym/v1")


def choice_key() -> bytes:
    """The key of the opaque proposal ids (domain/choice_ids.py).

    Derived from the JWT secret (HMAC with a fixed label, so the two uses never
    share a key) rather than a third parameter to provision: every Lambda
    instance already shares that secret, which is all the ids need to stay
    stable for a test. Rotating the JWT secret changes the ids of running
    tests: their candidates reload the page (their tokens die anyway).
    """
    return _derived_key(jwt_secret(), b"pix/choice-ids/v1")


@lru_cache(maxsize=8)
def _derived_key(secret: str, label: bytes) -> bytes:
    """A key of its own for one use, derived from the JWT secret (HMAC-SHA256 with the
    use's label, so no two uses share a key); computed once per secret and label (the
    choice key is asked for on every answer), and anew if the secret changes."""
    return hmac.new(secret.encode("utf-8"), label, hashlib.sha256).digest()

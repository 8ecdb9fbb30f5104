"""Configuration, read once from the environment.

The only switch between local and AWS is `DYNAMODB_ENDPOINT`: set, PynamoDB
talks to that endpoint (moto's server locally); unset, to real DynamoDB.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.domain.framework import MAX_OPEN_LEVEL


@dataclass(frozen=True)
class Settings:
    app_version: str
    region: str
    dynamodb_endpoint: str | None
    table_prefix: str
    jwt_secret: str
    jwt_secret_param: str | None
    badge_private_key: str | None
    badge_key_param: str | None
    public_base_url: str
    max_body_bytes: int
    terms_version: str
    max_reachable_level: int
    mailer: str = "log"          # "log" (local: log + in-memory outbox) | "ses"
    mail_from: str = "no-reply@example.invalid"
    sqs_endpoint: str | None = None  # locally moto's server (the DynamoDB endpoint); None in AWS
    # Strict-Transport-Security max-age in the deployed stages (HTTPS only);
    # None locally, where the app is served over plain HTTP.
    hsts_max_age: int | None = None
    s3_endpoint: str | None = None   # the same for S3 (the answer export's bucket)
    answer_export_bucket: str = "pix-dev-answers"
    # Pilot (field-test) slots in positioning (domain/positioning.PilotPolicy):
    # chance per position, cap per test; PILOT_RATE=0 switches them off.
    pilot_rate: float = 0.15
    pilot_max_per_test: int = 2
    roster_upload_bucket: str = "pix-dev-rosters"   # large roster files, uploaded straight to S3
    # GAR single sign-on (services/gar.py): the IdP's entity id and sign-in URL,
    # its signing certificate (PEM; in AWS from SSM, GAR_IDP_CERT_PARAM), our entity id
    gar_idp_entity_id: str | None = None
    gar_idp_sso_url: str | None = None
    gar_idp_certificate: str | None = None
    gar_idp_cert_param: str | None = None
    gar_sp_entity_id: str | None = None
    # single logout (GAR_IDP_SLO_URL: the IdP's SingleLogoutService, HTTP-Redirect) and our
    # key pair (PEM), which signs our logout messages and decrypts encrypted assertions;
    # in AWS the private key comes from SSM (GAR_SP_KEY_PARAM)
    gar_idp_slo_url: str | None = None
    gar_sp_certificate: str | None = None
    gar_sp_key: str | None = None
    gar_sp_key_param: str | None = None


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        app_version=_env("APP_VERSION", "0.1.0"),
        region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "eu-west-3")),
        dynamodb_endpoint=_env("DYNAMODB_ENDPOINT"),
        table_prefix=_env("TABLE_PREFIX", "pix-dev"),
        # In AWS the secret comes from SSM (JWT_SECRET_PARAM, read by
        # chalicelib.secrets); locally `make run` generates one per start.
        jwt_secret=_env("JWT_SECRET") or _generated_secret(),
        jwt_secret_param=_env("JWT_SECRET_PARAM"),
        badge_private_key=_env("BADGE_PRIVATE_KEY"),
        badge_key_param=_env("BADGE_KEY_PARAM"),
        public_base_url=_env("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
        max_body_bytes=int(_env("MAX_BODY_BYTES", str(1024 * 1024))),
        terms_version=_env("TERMS_VERSION", "2026-09"),
        # not configurable: positioning and certification share the framework's
        # open level (issue 22: a setting let positioning cap at 6 while
        # certification certified 7)
        max_reachable_level=MAX_OPEN_LEVEL,
        # In AWS (a JWT secret in SSM) mail goes through SES unless told otherwise,
        # so a forgotten variable never writes reset links to CloudWatch.
        mailer=_env("MAILER") or ("ses" if _env("JWT_SECRET_PARAM") else "log"),
        mail_from=_env("MAIL_FROM", "no-reply@example.invalid"),
        sqs_endpoint=_env("SQS_ENDPOINT", _env("DYNAMODB_ENDPOINT")),
        hsts_max_age=int(_env("HSTS_MAX_AGE")) if _env("HSTS_MAX_AGE") else None,
        s3_endpoint=_env("S3_ENDPOINT", _env("DYNAMODB_ENDPOINT")),
        # the template names the bucket "<TablePrefix>-answers" (scripts/infra_template.py)
        answer_export_bucket=_env("ANSWER_EXPORT_BUCKET", f"{_env('TABLE_PREFIX', 'pix-dev')}-answers"),
        pilot_rate=min(1.0, max(0.0, float(_env("PILOT_RATE", "0.15")))),
        pilot_max_per_test=max(0, int(_env("PILOT_MAX_PER_TEST", "2"))),
        roster_upload_bucket=_env("ROSTER_UPLOAD_BUCKET", f"{_env('TABLE_PREFIX', 'pix-dev')}-rosters"),
        gar_idp_entity_id=_env("GAR_IDP_ENTITY_ID"),
        gar_idp_sso_url=_env("GAR_IDP_SSO_URL"),
        gar_idp_certificate=_env("GAR_IDP_CERT"),
        gar_idp_cert_param=_env("GAR_IDP_CERT_PARAM"),
        gar_sp_entity_id=_env("GAR_SP_ENTITY_ID"),
        gar_idp_slo_url=_env("GAR_IDP_SLO_URL"),
        gar_sp_certificate=_env("GAR_SP_CERT"),
        gar_sp_key=_env("GAR_SP_KEY"),
        gar_sp_key_param=_env("GAR_SP_KEY_PARAM"),
    )


@lru_cache(maxsize=1)
def _generated_secret() -> str:
    """A per-process secret when none is configured: tokens die with the process."""
    return secrets.token_urlsafe(48)


def table_name(suffix: str) -> str:
    return f"{settings().table_prefix}-{suffix}"

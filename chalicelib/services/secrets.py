"""Secrets from configuration: SSM Parameter Store in AWS, environment locally.

Fetched once per cold start; never hard-coded.
"""
from __future__ import annotations

from functools import lru_cache

from chalicelib.config import settings


@lru_cache(maxsize=1)
def jwt_secret() -> str:
    cfg = settings()
    if cfg.jwt_secret_param:
        import boto3  # only in AWS, only once per cold start

        ssm = boto3.client("ssm", region_name=cfg.region)
        return ssm.get_parameter(Name=cfg.jwt_secret_param, WithDecryption=True)["Parameter"]["Value"]
    return cfg.jwt_secret

"""Secrets: SSM Parameter Store when the stage names a parameter, else the environment."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from chalicelib.config import settings
from chalicelib.services import secrets


@pytest.fixture()
def fresh(monkeypatch):
    def clear():
        settings.cache_clear()
        secrets.jwt_secret.cache_clear()
    clear()
    yield monkeypatch
    monkeypatch.delenv("JWT_SECRET_PARAM", raising=False)
    clear()


def test_the_jwt_secret_comes_from_ssm_when_a_parameter_is_named(fresh):
    fresh.setenv("JWT_SECRET", "from-the-environment")
    with mock_aws():
        boto3.client("ssm", region_name=settings().region).put_parameter(
            Name="/pix/test/jwt-secret", Type="SecureString", Value="from-parameter-store")
        fresh.setenv("JWT_SECRET_PARAM", "/pix/test/jwt-secret")
        settings.cache_clear()
        assert secrets.jwt_secret() == "from-parameter-store"


def test_without_a_parameter_the_environment_secret_is_used(fresh):
    fresh.setenv("JWT_SECRET", "from-the-environment")
    settings.cache_clear()
    assert secrets.jwt_secret() == "from-the-environment"

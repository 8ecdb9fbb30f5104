"""Test environment: moto in-process, set up before `app` is imported.

PynamoDB reads table names and the endpoint at import time, so the environment
is fixed here first (see shared/reference/stack-notes.md).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # chalice.test.Client reads .chalice/config.json from the cwd

os.environ.pop("DYNAMODB_ENDPOINT", None)
os.environ.update({
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "TABLE_PREFIX": "pix-local",
    "JWT_SECRET": "test-secret-not-for-production-0123456789abcdef",
})

import pytest  # noqa: E402


_EMPTY_TABLES: dict = {}  # moto's Table objects as create_tables() leaves them, built once per worker


def _fresh_tables() -> None:
    """The project's tables, empty, in the current moto account.

    Creating them through boto (create, describe, TTL: a dozen calls) costs
    ~0.16 s of CPU per test, and over a thousand tests use them; copying moto's
    own objects of an empty, fully created table costs ~0.01 s. The first call
    in a worker creates them the real way (`create_tables`, the code the local
    stack runs) and keeps that state; later calls copy it."""
    import copy

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.store.tables import create_tables

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]]
    if not _EMPTY_TABLES:
        create_tables()
        _EMPTY_TABLES.update(copy.deepcopy(backend.tables))
    else:
        backend.tables.update(copy.deepcopy(_EMPTY_TABLES))


@pytest.fixture()
def aws():
    from moto import mock_aws

    with mock_aws():
        from chalicelib.services.mail_queue import create_queues

        _fresh_tables()
        create_queues()
        yield


@pytest.fixture()
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local") as c:
        yield c


def make_token(user_id: str = "learner-1", *, admin: bool = False, orgs: dict | None = None,
               centres: list | None = None) -> str:
    from chalicelib.services import tokens

    return tokens.access_token(user_id, is_admin=admin, organizations=orgs or {},
                               centres=centres or [])


@pytest.fixture()
def learner_token():
    return make_token("learner-1")


@pytest.fixture(autouse=True)
def _cheap_argon2(request, monkeypatch):
    """Argon2id at production cost (32 MiB, 3 passes: ~100 ms a hash) only where
    the hash is the subject (tests marked `real_argon2`, e.g. test_passwords.py);
    everywhere else a hash is a means, and the suite's hundreds of registrations,
    sign-ins and invigilator passwords use the cheapest parameters, so CI time
    goes to behaviour. Production parameters are checked by the marked tests
    and their cost by the bench."""
    if request.node.get_closest_marker("real_argon2"):
        yield
        return
    from argon2 import PasswordHasher, Type

    from chalicelib.services import passwords, sessions

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=32, salt_len=16,
                           type=Type.ID)
    monkeypatch.setattr(passwords, "_HASHER", cheap)
    monkeypatch.setattr(sessions, "_HASHER", cheap)
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


# The few tests that each take a minute or more of one worker (measured with
# `pytest --junitxml`, CI has two workers): packaging the deployment zip,
# the load driver, the browser walks, the issuance job's crash cases. Run
# first, they overlap with the thousands of short tests the other worker and
# work stealing spread; collected last (alphabetical order put the packaging
# near the end), one of them ran alone for a minute or two at the end.
LONG_FIRST = ("tests/infra/test_template.py", "tests/load/", "tests/browser/test_certification.py",
              "tests/browser/", "tests/api/test_issuance_job.py", "tests/security/test_job_kills.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        path = Path(str(item.fspath)).resolve().relative_to(ROOT).as_posix()
        return next((i for i, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: a module's tests stay together and in order

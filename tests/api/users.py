"""Real accounts for HTTP tests: register through the API, sign in, get tokens."""
from __future__ import annotations

import itertools

from tests.api.helpers import call, js

PASSWORD = "Secret123"
_seq = itertools.count(1)


def register(client, *, email: str | None = "auto", password: str = PASSWORD,
             birth_date: str = "1990-05-04", expect: int = 201, **extra) -> dict:
    body = {"first_name": "Jeanne", "last_name": "Dupont", "password": password,
            "birth_date": birth_date, "accepted_terms": True, **extra}
    if email == "auto":
        email = f"user{next(_seq)}@example.org"
    if email is not None:
        body["email"] = email
    response = call(client, "POST", "/users", body)
    assert response.status_code == expect, response.body
    return js(response)


def sign_in(client, login: str, password: str = PASSWORD, expect: int = 200) -> dict:
    response = call(client, "POST", "/auth/token", {"login": login, "password": password})
    assert response.status_code == expect, response.body
    return js(response)


def new_user(client, **kw) -> tuple[dict, dict]:
    """(profile, tokens) of a freshly registered and signed-in user."""
    user = register(client, **kw)
    return user, sign_in(client, user["email"] or user["username"], kw.get("password", PASSWORD))

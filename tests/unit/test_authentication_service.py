"""Account and sign-in rules at service level, on the in-memory account,
credential and counter repositories with an injected clock (no moto): one
answer for an unknown login and a wrong password, blocks per login and
source, refresh tokens used once (a retry within the grace is not a theft),
revocation by token version, reset links used once. HTTP, cookies and the
abuse scenarios over the network stay in tests/api and tests/security."""
from __future__ import annotations

import time
from datetime import date
from types import SimpleNamespace

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, Gone, TooManyRequests, Unauthenticated
from chalicelib.services import accounts, authentication, mail_queue, mailer, throttle, tokens
from tests.unit.fakes import InMemoryAccounts, InMemoryCounters, InMemoryCredentials

PASSWORD, HOME, CAFE = "Secret1234", "10.0.0.1", "10.9.9.9"


class Clock:
    """Starts at the real time: tokens carry real `iat`/`exp` (PyJWT checks them)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def world(monkeypatch):
    repo, creds, counters, clock = InMemoryAccounts(), InMemoryCredentials(), InMemoryCounters(), Clock()
    for module in (accounts, authentication):
        monkeypatch.setattr(module, "store", repo)
        monkeypatch.setattr(module, "credentials", creds)
        monkeypatch.setattr(module, "_now", clock)
    monkeypatch.setattr(throttle, "store", counters)
    monkeypatch.setattr(throttle, "_now", clock)
    queued, sent = [], []
    monkeypatch.setattr(mail_queue, "enqueue", queued.append)
    monkeypatch.setattr(mailer, "send", lambda to, subject, body: sent.append((to, body)))
    return SimpleNamespace(repo=repo, creds=creds, clock=clock, queued=queued, sent=sent)


def register(email="ada@example.org", **kw):
    return accounts.register(first_name="Ada", last_name="Lovelace", password=PASSWORD,
                             birth_date=date(1990, 1, 2), accepted_terms=True, email=email, **kw)


def refusal(login: str, password: str, ip: str) -> str:
    try:
        authentication.sign_in(login, password, ip)
        return "signed_in"
    except TooManyRequests as err:
        return err.code
    except Unauthenticated as err:
        return err.code


def test_an_unknown_login_and_a_wrong_password_get_the_same_answer(world):
    user = register()
    assert refusal("nobody@example.org", PASSWORD, HOME) == refusal("ada@example.org", "Wrong1234", HOME)
    assert refusal("nobody@example.org", PASSWORD, HOME) == "invalid_credentials"
    pair = authentication.sign_in("  ADA@example.org ", PASSWORD, HOME)
    claims = tokens.decode(pair["access_token"], "access")
    assert claims["sub"] == user.id == pair["user_id"] and claims["tv"] == 0


def test_a_login_taken_is_a_conflict_and_usernames_are_drawn_again(world):
    register()
    with pytest.raises(Conflict) as err:
        register("ADA@example.org")
    assert err.value.code == "email_taken" and len(world.repo.accounts) == 1
    pupils = [accounts.register(first_name="Léa", last_name="Dupont", password=PASSWORD,
                                birth_date=date(2012, 3, 4), accepted_terms=False,
                                created_by_org="org-1") for _ in range(2)]
    assert pupils[0].username != pupils[1].username and pupils[0].email is None
    assert world.repo.get_user(pupils[0].id).terms_version is None   # the school accepted for them


def test_failures_block_one_login_from_one_source_not_its_owner_elsewhere(world):
    register()
    for _ in range(9):
        assert refusal("ada@example.org", "Wrong1234", CAFE) == "invalid_credentials"
    assert refusal("ada@example.org", "Wrong1234", CAFE) == "account_temporarily_blocked"
    assert refusal("ada@example.org", PASSWORD, CAFE) == "account_temporarily_blocked"
    assert refusal("ada@example.org", PASSWORD, HOME) == "signed_in"
    world.clock.now += 121                                   # the first block lasts 2 minutes
    assert refusal("ada@example.org", PASSWORD, CAFE) == "signed_in"
    assert world.creds.get_guard("ada@example.org", CAFE).failures == 0


def test_a_refresh_token_works_once_and_a_late_reuse_ends_every_session(world):
    user = register()
    first = authentication.sign_in("ada@example.org", PASSWORD, HOME)
    second = authentication.refresh(first["refresh_token"])
    world.clock.now += authentication.REFRESH_RETRY_GRACE_S       # the lost response, sent again
    assert authentication.refresh(first["refresh_token"])["user_id"] == user.id
    world.clock.now += 1
    with pytest.raises(Unauthenticated):
        authentication.refresh(first["refresh_token"])            # a theft: everything ends
    assert world.repo.get_user(user.id).token_version == 1 and world.repo.revoked_below[user.id] == 1
    with pytest.raises(Unauthenticated) as err:
        authentication.refresh(second["refresh_token"])
    assert err.value.code == "invalid_refresh_token"
    authentication.revoke("not a token")                          # ignored (RFC 7009)


def test_changing_the_password_needs_the_current_one_and_revokes_other_sessions(world):
    user = register()
    old = authentication.sign_in("ada@example.org", PASSWORD, HOME)
    with pytest.raises(Forbidden) as err:
        authentication.change_password(user.id, "Wrong1234", "Nouveau5678")
    assert err.value.code == "wrong_password"
    fresh = authentication.change_password(user.id, PASSWORD, "Nouveau5678")
    assert tokens.decode(fresh["access_token"], "access")["tv"] == 1
    with pytest.raises(Unauthenticated):
        authentication.refresh(old["refresh_token"])
    assert refusal("ada@example.org", "Nouveau5678", HOME) == "signed_in"


def test_a_reset_link_is_mailed_only_to_an_account_works_once_and_lifts_blocks(world):
    user = register()
    for _ in range(10):
        refusal("ada@example.org", "Wrong1234", CAFE)
    authentication.request_password_reset("nobody@example.org", HOME)
    authentication.request_password_reset("ada@example.org", HOME)
    assert len(world.queued) == 2                                # same answer, same work
    for message in world.queued:
        authentication.deliver_password_reset(message["login"])
    assert [to for to, _ in world.sent] == ["ada@example.org"]
    token = world.sent[0][1].split("token=")[1].split()[0]
    authentication.confirm_password_reset(token, "Nouveau5678")
    with pytest.raises(Gone):
        authentication.confirm_password_reset(token, "Encore9012")
    assert world.repo.get_user(user.id).token_version == 1
    assert refusal("ada@example.org", "Nouveau5678", CAFE) == "signed_in"


def test_memberships_reach_the_token_and_closing_the_account_needs_the_password(world, monkeypatch):
    user = register()
    accounts.add_membership(user.id, "org", "org-1", "admin")
    accounts.add_membership(user.id, "centre", "centre-1", "member")
    pair = authentication.sign_in("ada@example.org", PASSWORD, HOME)
    claims = tokens.decode(pair["access_token"], "access")
    assert claims["orgs"] == {"org-1": "admin"} and claims["ctrs"] == ["centre-1"]
    assert accounts.members_of("org", "org-1") == [(user.id, "admin")]
    erased = []
    monkeypatch.setattr(accounts.personal_data, "erase_all", erased.append)
    with pytest.raises(Forbidden):
        authentication.delete_account(user.id, "Wrong1234")
    assert accounts.get_user(user.id) is not None and not erased
    authentication.delete_account(user.id, PASSWORD)
    assert erased == [user.id] and accounts.get_user(user.id) is None
    assert world.repo.user_id_for_login("ada@example.org") is None

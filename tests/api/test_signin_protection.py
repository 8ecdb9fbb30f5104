"""Brute force, throttling and password reset, through the HTTP layer."""
from __future__ import annotations

import json
import re

import pytest

from tests.api.helpers import call, deliver_mail, js
from tests.api.test_accounts import cheap_hash
from tests.api.users import PASSWORD, register, sign_in


class Clock:
    """The sign-in service's and the throttle's clock, moved by hand (moto
    never expires anything). Starts at a fixed instant: no wall clock."""

    def __init__(self, monkeypatch):
        from chalicelib.services import authentication, throttle

        self.now = 1_790_000_000.0
        monkeypatch.setattr(authentication, "_now", lambda: self.now)
        monkeypatch.setattr(throttle, "_now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock(monkeypatch):
    return Clock(monkeypatch)


def attempt(client, login, password="Wrong1234"):
    return call(client, "POST", "/auth/token", {"login": login, "password": password})


def fail(client, login, times):
    return [attempt(client, login).status_code for _ in range(times)]


def test_ten_failures_block_two_minutes_then_the_block_grows(client, clock, monkeypatch):
    cheap_hash(monkeypatch)
    user = register(client)
    assert fail(client, user["email"], 9) == [401] * 9
    tenth = attempt(client, user["email"])
    assert tenth.status_code == 429
    assert js(tenth)["error"]["code"] == "account_temporarily_blocked"
    assert int(tenth.headers["Retry-After"]) == 120
    # blocked: even the right password is refused, without being checked
    assert attempt(client, user["email"], PASSWORD).status_code == 429
    clock.advance(119)
    assert attempt(client, user["email"], PASSWORD).status_code == 429
    clock.advance(2)
    assert fail(client, user["email"], 9) == [401] * 9
    twentieth = attempt(client, user["email"])
    assert twentieth.status_code == 429 and int(twentieth.headers["Retry-After"]) == 240
    clock.advance(241)
    sign_in(client, user["email"])  # success resets the count
    assert fail(client, user["email"], 9) == [401] * 9


def test_fifty_failures_no_longer_lock_an_account_for_good(client, clock, monkeypatch):
    """Anyone could earn the old permanent block for anyone (issue 13.8)."""
    cheap_hash(monkeypatch)
    user = register(client)
    statuses = []
    for batch in range(5):
        clock.advance(3600 if batch else 0)
        statuses += fail(client, user["email"], 10)
    assert statuses.count(429) == 5 and 403 not in statuses
    assert attempt(client, user["email"], PASSWORD).status_code == 429
    clock.advance(32 * 60 + 1)  # the 50th failure earned 32 min, not forever
    sign_in(client, user["email"])


def test_a_password_reset_lifts_a_block(client, clock, monkeypatch):
    from chalicelib.services import mailer

    cheap_hash(monkeypatch)
    user = register(client)
    assert fail(client, user["email"], 10)[-1] == 429
    assert attempt(client, user["email"], PASSWORD).status_code == 429
    mailer.outbox().clear()
    assert call(client, "POST", "/auth/password-reset",
                {"email": user["email"]}).status_code == 202
    deliver_mail()
    token = reset_token(mailer.outbox()[-1].body)
    assert call(client, "POST", "/auth/password-reset/confirm",
                {"token": token, "new_password": "Nouveau123"}).status_code == 204
    sign_in(client, user["email"], "Nouveau123")


def test_unknown_logins_are_blocked_exactly_like_real_ones(client, clock, monkeypatch):
    cheap_hash(monkeypatch)
    user = register(client)
    real = [attempt(client, user["email"]) for _ in range(10)]
    ghost = [attempt(client, "ghost@example.org") for _ in range(10)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost]
    assert [r.body for r in real] == [r.body for r in ghost]


def test_registration_lifts_failures_recorded_before_the_account_existed(client, clock,
                                                                        monkeypatch):
    cheap_hash(monkeypatch)
    assert fail(client, "future@example.org", 10)[-1] == 429
    register(client, email="future@example.org")
    sign_in(client, "future@example.org")


def test_per_ip_throttle_on_the_token_route(client, clock, monkeypatch):
    from chalicelib.services import authentication

    monkeypatch.setattr(authentication, "SIGNIN_PER_IP", (3, 60))
    user = register(client)
    assert [attempt(client, user["email"], PASSWORD).status_code for _ in range(3)] == [200] * 3
    fourth = attempt(client, user["email"], PASSWORD)
    assert fourth.status_code == 429 and js(fourth)["error"]["code"] == "too_many_requests"
    assert 1 <= int(fourth.headers["Retry-After"]) <= 2 * 60  # the window slides


def test_per_ip_failure_throttle(client, clock, monkeypatch):
    from chalicelib.services import authentication

    cheap_hash(monkeypatch)
    monkeypatch.setattr(authentication, "SIGNIN_FAILURES_PER_IP", (5, 900))
    statuses = [attempt(client, f"user{n}@example.org").status_code for n in range(7)]
    assert statuses[:4] == [401] * 4 and statuses[-1] == 429


def test_registrations_are_limited_per_address(client, clock, monkeypatch):
    from chalicelib.services import accounts

    monkeypatch.setattr(accounts, "REGISTRATIONS_PER_IP", (2, 3600))
    register(client)
    register(client)
    refused = register(client, expect=429)
    assert refused["error"]["code"] == "too_many_requests"


# Password reset -------------------------------------------------------------------------

def reset_token(body: str) -> str:
    return re.search(r"token=([\w-]+)", body).group(1)


@pytest.fixture()
def outbox():
    from chalicelib.services import mailer

    mailer.outbox().clear()
    yield mailer.outbox()
    mailer.outbox().clear()


def test_reset_request_answers_the_same_for_unknown_addresses(client, outbox):
    user = register(client)
    known = call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    unknown = call(client, "POST", "/auth/password-reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.body == unknown.body
    assert outbox == []  # nothing is sent inside the request
    assert deliver_mail() == 2  # one message each, delivered by the consumer
    assert [m.to for m in outbox] == [user["email"]]
    assert "Réinitialisation" in outbox[0].subject and "token=" in outbox[0].body


def test_reset_request_never_looks_the_account_up(client, outbox, monkeypatch):
    """Same path for known and unknown addresses: the request only enqueues,
    so its duration cannot tell them apart (issue 13, point 6)."""
    from chalicelib.services import mail_queue
    from chalicelib.store import accounts

    user = register(client)

    def no_lookup(*args, **kwargs):
        raise AssertionError("the request read the accounts table")

    monkeypatch.setattr(accounts, "user_id_for_login", no_lookup)
    monkeypatch.setattr(accounts, "get_user", no_lookup)
    sent = []
    monkeypatch.setattr(mail_queue, "enqueue", sent.append)
    for email in (user["email"], "nobody@example.org"):
        assert call(client, "POST", "/auth/password-reset", {"email": email}).status_code == 202
    assert sent == [{"kind": "password_reset", "login": user["email"]},
                    {"kind": "password_reset", "login": "nobody@example.org"}]


def test_a_failing_mail_is_retried_then_dead_lettered(client, outbox, monkeypatch):
    from chalicelib.services import mail_queue, mailer

    user = register(client)
    call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    calls = []

    def down(to, subject, body):
        calls.append(to)
        raise ConnectionError("SES unreachable")

    monkeypatch.setattr(mailer, "send", down)
    assert deliver_mail() == 0
    assert len(calls) == mail_queue.MAX_RECEIVES  # tried again each time SQS gave it back
    dead = mail_queue.receive(dead_letters=True)
    assert [json.loads(r["body"]) for r in dead] == [
        {"kind": "password_reset", "login": user["email"]}]


def test_a_retried_delivery_still_sends_once_it_works(client, outbox, monkeypatch):
    from chalicelib.services import mailer

    user = register(client)
    for _ in range(3):  # the hourly cap, spent by first deliveries only
        call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    real, failures = mailer.send, []

    def flaky(to, subject, body):
        if len(failures) < 3:
            failures.append(to)
            raise ConnectionError("SES throttled")
        real(to, subject, body)

    monkeypatch.setattr(mailer, "send", flaky)
    assert deliver_mail() == 3 and len(outbox) == 3


def test_reset_token_is_single_use_and_revokes_sessions(client, outbox):
    from chalicelib.store.tables import AccountsTable

    user = register(client)
    tokens = sign_in(client, user["email"])
    call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    deliver_mail()
    token = reset_token(outbox[-1].body)
    assert not [i for i in AccountsTable.scan() if token in i.pk]  # stored hashed
    weak = call(client, "POST", "/auth/password-reset/confirm",
                {"token": token, "new_password": "faible"})
    assert weak.status_code == 400  # and the link still works:
    ok = call(client, "POST", "/auth/password-reset/confirm",
              {"token": token, "new_password": "Nouveau123"})
    assert ok.status_code == 204
    again = call(client, "POST", "/auth/password-reset/confirm",
                 {"token": token, "new_password": "Encore1234"})
    assert again.status_code == 410 and js(again)["error"]["code"] == "invalid_reset_token"
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": tokens["refresh_token"]}).status_code == 401
    sign_in(client, user["email"], PASSWORD, expect=401)
    sign_in(client, user["email"], "Nouveau123")


def test_reset_token_expires_after_one_hour(client, outbox, clock):
    user = register(client)
    call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    deliver_mail()
    token = reset_token(outbox[-1].body)
    clock.advance(3601)
    response = call(client, "POST", "/auth/password-reset/confirm",
                    {"token": token, "new_password": "Nouveau123"})
    assert response.status_code == 410


def test_a_used_reset_link_invalidates_the_older_ones(client, outbox):
    user = register(client)
    for _ in range(2):
        call(client, "POST", "/auth/password-reset", {"email": user["email"]})
    deliver_mail()
    first, second = (reset_token(m.body) for m in outbox)
    assert call(client, "POST", "/auth/password-reset/confirm",
                {"token": second, "new_password": "Nouveau123"}).status_code == 204
    assert call(client, "POST", "/auth/password-reset/confirm",
                {"token": first, "new_password": "Autre12345"}).status_code == 410


def test_reset_mails_are_capped_per_address_without_saying_so(client, outbox):
    user = register(client)
    statuses = [call(client, "POST", "/auth/password-reset", {"email": user["email"]}).status_code
                for _ in range(5)]
    deliver_mail()
    assert statuses == [202] * 5 and len(outbox) == 3


def test_unknown_reset_token_is_refused(client):
    response = call(client, "POST", "/auth/password-reset/confirm",
                    {"token": "nope", "new_password": "Nouveau123"})
    assert response.status_code == 410

"""Denial of service through protections (issue 13, points 4 and 8; issue 16,
point 1): each test plays the attack and checks it is stopped, then the
legitimate use it must not block. Different source addresses are passed to
the services directly (the test client has only one); the throttle and
sign-in clocks are fake."""
from __future__ import annotations

import pytest

from chalicelib.domain.errors import NotFound, TooManyRequests, Unauthenticated
from tests.api.helpers import call, js
from tests.api.test_accounts import cheap_hash
from tests.api.users import PASSWORD, register
from tests.security import scenes

SCHOOL, ATTACKER, HOME = "203.0.113.10", "198.51.100.66", "192.0.2.44"


@pytest.fixture()
def clock(monkeypatch):
    from chalicelib.services import authentication, throttle

    now = {"t": 1_790_000_000.0}
    monkeypatch.setattr(authentication, "_now", lambda: now["t"])
    monkeypatch.setattr(throttle, "_now", lambda: now["t"])
    return now


def sign_in(login, password, ip):
    from chalicelib.services import authentication

    return authentication.sign_in(login, password, ip)


def refusal(login, password, ip):
    try:
        sign_in(login, password, ip)
    except (Unauthenticated, TooManyRequests) as err:
        return err.code
    return "signed_in"


# Sign-in ----------------------------------------------------------------------------------


def test_an_attacker_locks_only_his_own_address_out(client, clock, monkeypatch):
    cheap_hash(monkeypatch)
    user = register(client)
    codes = [refusal(user["email"], "Wrong1234", ATTACKER) for _ in range(11)]
    assert codes[:9] == ["invalid_credentials"] * 9
    assert codes[9:] == ["account_temporarily_blocked"] * 2
    # brute force stopped from there: even the right password is not checked
    assert refusal(user["email"], PASSWORD, ATTACKER) == "account_temporarily_blocked"
    # the owner, anywhere else, is not affected
    assert refusal(user["email"], PASSWORD, SCHOOL) == "signed_in"


def test_a_brute_force_spread_over_addresses_is_stopped_without_locking_the_owner(
        client, clock, monkeypatch):
    from chalicelib.services import authentication

    cheap_hash(monkeypatch)
    user = register(client)
    assert refusal(user["email"], PASSWORD, HOME) == "signed_in"  # the owner's usual address
    # each address weighs at most 10 failures on the login: 5 addresses reach 50
    for n in range(5):
        for _ in range(12):
            refusal(user["email"], "Wrong1234", f"198.51.100.{n}")
    new = "198.51.100.200"
    assert refusal(user["email"], PASSWORD, new) == "account_protected"  # not even checked
    assert refusal(user["email"], PASSWORD, HOME) == "signed_in"
    # a day later the count has slid out, or a reset link lifts it at once
    clock["t"] += authentication.LOGIN_FAILURES_FROM_NEW_SOURCES[1] * 2
    assert refusal(user["email"], PASSWORD, new) == "signed_in"


def test_a_password_reset_lifts_the_login_wide_block(client, clock, monkeypatch):
    from chalicelib.services import accounts

    cheap_hash(monkeypatch)
    user = register(client)
    for n in range(5):
        for _ in range(10):
            refusal(user["email"], "Wrong1234", f"198.51.100.{n}")
    assert refusal(user["email"], PASSWORD, HOME) == "account_protected"
    accounts.lift_sign_in_blocks(user["email"])  # what a used reset link does
    assert refusal(user["email"], PASSWORD, HOME) == "signed_in"


def test_one_class_typos_do_not_shut_out_the_pupils_who_type_right(client, clock, monkeypatch):
    """The address's failure cap grows by one per pupil who got in, and a
    pupil who already signed in from the address is never held by it (the
    bench replays whole classes: scripts/bench.py, section signin)."""
    from chalicelib.services import authentication

    cheap_hash(monkeypatch)
    monkeypatch.setattr(authentication, "SIGNIN_FAILURES_PER_IP", (3, 900))
    pupils = [register(client)["email"] for _ in range(3)]
    for pupil in pupils:
        assert refusal(pupil, PASSWORD, SCHOOL) == "signed_in"   # allowance 3 + 3
    for _ in range(6):
        assert refusal("typo@example.org", "Wrong1234", SCHOOL) == "invalid_credentials"
    # a sprayer from the address is held now...
    assert refusal("someone@example.org", "Wrong1234", SCHOOL) == "too_many_requests"
    # ...the pupils who signed in from here are not
    assert [refusal(p, PASSWORD, SCHOOL) for p in pupils] == ["signed_in"] * 3
    # signing in again within the window does not widen the cap twice
    assert refusal("someone@example.org", "Wrong1234", SCHOOL) == "too_many_requests"


def test_wrong_passwords_on_a_signed_in_session_do_not_block_sign_in(client, clock, monkeypatch):
    from chalicelib.services import authentication
    from chalicelib.store import accounts as store

    cheap_hash(monkeypatch)
    user = register(client)
    item = store.get_user(user["id"])
    for _ in range(10):
        with pytest.raises(Exception):
            authentication.confirm_password(item, "Wrong1234")
    assert refusal(user["email"], PASSWORD, HOME) == "signed_in"


# OAuth client credentials ---------------------------------------------------------------


def test_knowing_a_client_id_no_longer_locks_the_portal_out(client, clock):
    from chalicelib.services import api_clients

    created = api_clients.create("org-1", "Portail ENT", ["campaign-results"])
    for _ in range(api_clients.TOKEN_FAILURES_PER_CLIENT_AND_IP[0]):
        with pytest.raises(Unauthenticated):
            api_clients.issue_token(created["client_id"], "guess", None, ATTACKER)
    with pytest.raises(TooManyRequests):  # guessing stopped from that address
        api_clients.issue_token(created["client_id"], created["client_secret"], None, ATTACKER)
    token = api_clients.issue_token(created["client_id"], created["client_secret"], None, SCHOOL)
    assert token["access_token"]


# Invigilator ------------------------------------------------------------------------------


def test_a_candidate_cannot_lock_the_invigilator_out(client, clock):
    """The session id is in the candidate's view: nothing is keyed on it alone."""
    from chalicelib.services import sessions

    scene = scenes.planned(client)
    password = scene.session["invigilator_password"]
    assert len(password) == 10
    for n in range(100):  # from the room's own address, 10-character guesses
        with pytest.raises(Unauthenticated):
            sessions.verify_invigilator(scene.session_id, f"BCDFGH{n:04d}".replace("0", "2")
                                        .replace("1", "3").replace("5", "6"), SCHOOL)
    assert sessions.verify_invigilator(scene.session_id, password, SCHOOL).session_id \
        == scene.session_id


def test_guessing_the_invigilator_password_is_bounded_per_address(client, clock, monkeypatch):
    from chalicelib.services import sessions

    monkeypatch.setattr(sessions, "INVIGILATOR_SIGNINS_PER_IP", (5, 300))
    scene = scenes.planned(client)
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            sessions.verify_invigilator(scene.session_id, "BCDFGHJKMP", ATTACKER)
    with pytest.raises(TooManyRequests):
        sessions.verify_invigilator(scene.session_id, "BCDFGHJKMP", ATTACKER)
    sessions.verify_invigilator(scene.session_id, scene.session["invigilator_password"], SCHOOL)


def test_short_legacy_guesses_stay_capped_per_session(client, clock):
    from chalicelib.services import sessions

    scene = scenes.planned(client)
    limit = sessions.LEGACY_FAILURES_PER_SESSION[0]
    for n in range(limit):
        with pytest.raises(Unauthenticated):
            sessions.verify_invigilator(scene.session_id, "BCDFG", f"198.51.100.{n}")
    with pytest.raises(TooManyRequests):
        sessions.verify_invigilator(scene.session_id, "BCDFG", "198.51.100.250")
    # a current (10-character) password is not held by that cap
    sessions.verify_invigilator(scene.session_id, scene.session["invigilator_password"], SCHOOL)


# Session access codes -------------------------------------------------------------------


def test_unknown_code_and_unknown_candidate_get_the_same_answer(client, clock):
    scene = scenes.planned(client)
    stranger = {**scene.identity, "last_name": "Inconnu"}
    unknown_code = {**scene.identity, "access_code": "BBBB22"}
    answers = [call(client, "POST", "/certification/join", token=scene.learner, body=body)
               for body in (stranger, unknown_code)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].body == answers[1].body
    assert js(answers[0])["error"]["code"] == "candidate_not_found"


def test_probing_codes_is_capped_per_account_and_per_address(client, clock, monkeypatch):
    from chalicelib.services import certification_test
    from chalicelib.services.certification_inputs import JoinInput

    monkeypatch.setattr(certification_test, "JOIN_FAILURES_PER_IP", (15, 900))
    scene = scenes.planned(client)
    probe = JoinInput(**{**scene.identity, "access_code": "BBBB22"})

    def refused(user, ip):
        try:
            certification_test.join(user, probe, ip)
        except (NotFound, TooManyRequests) as err:
            return err.code
        return "joined"

    per_user = certification_test.JOIN_FAILURES_PER_USER[0]
    assert [refused("prober", ATTACKER) for _ in range(per_user + 1)][-2:] == [
        "candidate_not_found", "too_many_requests"]
    # fresh accounts from the same address are held by the address's cap
    codes = [refused(f"prober-{n}", ATTACKER) for n in range(10)]
    assert codes[:5] == ["candidate_not_found"] * 5 and codes[-1] == "too_many_requests"
    # the pupil in the school, with the right identity, still joins
    certification_test.join(scene.user_id, JoinInput(**scene.identity), SCHOOL)


def test_one_code_cannot_be_probed_for_identities_from_many_addresses(client, clock, monkeypatch):
    """Once a code drew JOIN_FAILURES_PER_CODE failures, an account that
    already failed is held; a first, right attempt still gets in (every
    candidate knows the code: none may shut the session out)."""
    from chalicelib.services import certification_test
    from chalicelib.services.certification_inputs import JoinInput

    monkeypatch.setattr(certification_test, "JOIN_FAILURES_PER_CODE", (5, 900))
    scene = scenes.planned(client)

    def attempt(user, last_name, ip):
        try:
            certification_test.join(user, JoinInput(**{**scene.identity, "last_name": last_name}), ip)
        except (NotFound, TooManyRequests) as err:
            return err.code
        return "joined"

    codes = [attempt(f"prober-{n}", f"Nom{chr(65 + n)}", f"198.51.100.{n}") for n in range(5)]
    assert codes == ["candidate_not_found"] * 5
    assert attempt("prober-0", "NomZ", "198.51.100.0") == "too_many_requests"
    assert attempt(scene.user_id, scene.identity["last_name"], SCHOOL) == "joined"


# Public verification -----------------------------------------------------------------------


def test_probing_verification_codes_is_capped_per_address(client, clock, monkeypatch):
    """Enumerating certificate codes from one address stops at the cap; a
    verifier elsewhere is not affected, and the address is let in again once
    the window has passed (refused probes are not counted)."""
    from chalicelib.services import certificates

    monkeypatch.setattr(certificates, "VERIFICATIONS_PER_IP", (3, 60))
    for _ in range(3):
        with pytest.raises(NotFound):
            certificates.verify("BCDFGHJKMP", ATTACKER)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            certificates.verify("BCDFGHJKMP", ATTACKER)
    with pytest.raises(NotFound):
        certificates.verify("BCDFGHJKMP", HOME)
    clock["t"] += 120
    with pytest.raises(NotFound):
        certificates.verify("BCDFGHJKMP", ATTACKER)

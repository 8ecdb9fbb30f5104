"""Accounts through the HTTP layer: registration, sign-in, tokens, password
change, personal data, account deletion, platform admins."""
from __future__ import annotations

import importlib.util
import threading
import time
from datetime import date

import jwt
import pytest

from tests.api.helpers import call, js
from tests.api.users import PASSWORD, new_user, register, sign_in


def cheap_hash(monkeypatch) -> None:
    from argon2 import PasswordHasher

    from chalicelib.services import passwords

    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                             parallelism=1))


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


# Registration -------------------------------------------------------------------------

def test_registration_records_terms_version_and_hashes_the_password(client):
    from chalicelib.config import settings
    from chalicelib.store import accounts as store

    user = register(client, email="  Jeanne.Dupont@Example.ORG ")
    assert user["email"] == "jeanne.dupont@example.org"
    assert user["username"] is None and user["terms_version"] == settings().terms_version
    item = store.get_user(user["id"])
    assert item.terms_version == settings().terms_version and item.terms_accepted_at
    assert item.password_hash.startswith("$argon2id$") and PASSWORD not in item.password_hash


def test_same_email_twice_gives_one_clear_409(client):
    register(client, email="jeanne@example.org")
    response = call(client, "POST", "/users", {
        "first_name": "Autre", "last_name": "Personne", "email": "JEANNE@example.org",
        "password": "Secret123", "birth_date": "1991-01-01", "accepted_terms": True})
    assert response.status_code == 409
    assert js(response)["error"] == {"code": "email_taken",
                                     "message": "Un compte existe déjà avec cette adresse e-mail."}


@pytest.mark.parametrize("password, rules", [
    ("Sec1", ["too_short"]),
    ("secret123", ["no_uppercase"]),
    ("SECRET123", ["no_lowercase"]),
    ("Secretsecret", ["no_digit"]),
])
def test_weak_password_is_refused_with_a_french_message(client, password, rules):
    response = call(client, "POST", "/users", {
        "first_name": "Jeanne", "last_name": "Dupont", "email": "j@example.org",
        "password": password, "birth_date": "1990-01-01", "accepted_terms": True})
    assert response.status_code == 400
    error = js(response)["error"]
    assert error["code"] == "weak_password"
    assert error["message"].startswith("Votre mot de passe doit contenir au moins 8 caractères")
    assert [d["rule"] for d in error["details"]] == rules


def test_terms_must_be_accepted(client):
    response = call(client, "POST", "/users", {
        "first_name": "Jeanne", "last_name": "Dupont", "email": "j@example.org",
        "password": PASSWORD, "birth_date": "1990-01-01", "accepted_terms": False})
    assert response.status_code == 400
    assert js(response)["error"]["code"] == "terms_not_accepted"


def test_invalid_email_and_unknown_fields_are_refused(client):
    base = {"first_name": "J", "last_name": "D", "password": PASSWORD,
            "birth_date": "1990-01-01", "accepted_terms": True}
    assert js(call(client, "POST", "/users", {**base, "email": "not-an-email"}))["error"][
        "code"] == "invalid_email"
    response = call(client, "POST", "/users", {**base, "email": "a@b.org", "is_admin": True})
    assert response.status_code == 400  # no way to become admin through the API


def test_pupil_without_email_gets_a_generated_username_with_suffix_when_taken(client):
    body = dict(email=None, first_name="Élodie", last_name="Le Gall-Durand",
                birth_date="2009-12-07")
    first = register(client, **body)
    second = register(client, **body)
    assert first["username"] == "elodie.legalldurand0712" and first["email"] is None
    assert second["username"] == "elodie.legalldurand07122"
    tokens = sign_in(client, "Elodie.LeGallDurand07122")
    assert tokens["user_id"] == second["id"]


def test_under_15_needs_guardian_consent(client):
    today = date.today()
    fourteen = today.replace(year=today.year - 14).isoformat()
    fifteen = today.replace(year=today.year - 15).isoformat()
    response = call(client, "POST", "/users", {
        "first_name": "Léo", "last_name": "Petit", "email": "leo@example.org",
        "password": PASSWORD, "birth_date": fourteen, "accepted_terms": True})
    assert response.status_code == 400
    assert js(response)["error"]["code"] == "guardian_consent_required"
    assert "15 ans" in js(response)["error"]["message"]
    register(client, email="leo@example.org", birth_date=fourteen, guardian_consent=True)
    register(client, email="lea@example.org", birth_date=fifteen)


def test_organisation_created_pupil_needs_no_guardian_flag(aws):
    from chalicelib.services import accounts

    user = accounts.register(first_name="Léo", last_name="Petit", password=PASSWORD,
                             birth_date=date(2016, 3, 2), accepted_terms=False,
                             created_by_org="org-1")
    assert user.username == "leo.petit0203" and user.created_by_org == "org-1"
    assert accounts.find_user_by_login("LEO.PETIT0203") == user


def test_future_birth_date_is_refused(client):
    response = call(client, "POST", "/users", {
        "first_name": "J", "last_name": "D", "email": "j@example.org", "password": PASSWORD,
        "birth_date": "2999-01-01", "accepted_terms": True})
    assert js(response)["error"]["code"] == "invalid_birth_date"


def test_fifty_concurrent_registrations_of_one_email_make_exactly_one_account(aws, monkeypatch):
    """Services called from 50 threads under one mock_aws. DynamoDB runs each
    request atomically; in-process moto does not (a failed transaction restores
    a whole-table copy, erasing other threads' writes), so each moto request
    is serialised here: every interleaving of our own requests stays possible."""
    from moto.dynamodb.responses import DynamoHandler

    from chalicelib.domain.errors import Conflict
    from chalicelib.services import accounts
    from chalicelib.store.tables import AccountsTable

    lock = threading.Lock()
    original = DynamoHandler.call_action

    def atomic(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoHandler, "call_action", atomic)
    cheap_hash(monkeypatch)  # the race is about the writes: let all 50 threads reach them together
    barrier = threading.Barrier(50)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            accounts.register(first_name=f"Prénom{n}", last_name="Nom", password=PASSWORD,
                              birth_date=date(1990, 1, 1), accepted_terms=True,
                              email="same@example.org")
            outcomes.append("created")
        except Conflict as err:
            outcomes.append(err.code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created"] + ["email_taken"] * 49
    users = [i for i in AccountsTable.scan() if i.sk == "PROFILE"]
    logins = [i for i in AccountsTable.scan() if i.pk.startswith("LOGIN#")]
    assert len(users) == 1 and len(logins) == 1
    assert accounts.find_user_by_login("same@example.org").id == users[0].pk.removeprefix("USER#")


# Sign-in and tokens --------------------------------------------------------------------

def test_sign_in_gives_20_minute_access_and_7_day_refresh_tokens(client):
    user, tokens = new_user(client)
    access, refresh = claims(tokens["access_token"]), claims(tokens["refresh_token"])
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 1200
    assert access["typ"] == "access" and access["exp"] - access["iat"] == 20 * 60
    assert refresh["typ"] == "refresh" and refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
    assert access["sub"] == refresh["sub"] == user["id"]
    me = js(call(client, "GET", "/me", token=tokens["access_token"]))
    assert me["email"] == user["email"] and "password_hash" not in me


def test_unknown_login_and_wrong_password_get_the_same_answer(client):
    user = register(client)
    wrong = call(client, "POST", "/auth/token", {"login": user["email"], "password": "Wrong1234"})
    unknown = call(client, "POST", "/auth/token",
                   {"login": "nobody@example.org", "password": "Wrong1234"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.body == unknown.body
    assert js(wrong)["error"]["code"] == "invalid_credentials"


def test_access_token_carries_memberships_read_at_sign_in_and_refresh(client):
    from chalicelib.services import accounts

    user, tokens = new_user(client)
    assert claims(tokens["access_token"])["orgs"] == {}
    accounts.add_membership(user["id"], "org", "org-1", "admin")
    accounts.add_membership(user["id"], "org", "org-2", "member")
    accounts.add_membership(user["id"], "centre", "centre-9", "member")
    refreshed = js(call(client, "POST", "/auth/refresh",
                        {"refresh_token": tokens["refresh_token"]}))
    access = claims(refreshed["access_token"])
    assert access["orgs"] == {"org-1": "admin", "org-2": "member"}
    assert access["ctrs"] == ["centre-9"] and access["adm"] is False
    assert accounts.memberships_of(user["id"]).centres == {"centre-9": "member"}
    assert sorted(accounts.members_of("org", "org-1")) == [(user["id"], "admin")]
    accounts.remove_membership(user["id"], "org", "org-2")
    again = sign_in(client, user["email"])
    assert claims(again["access_token"])["orgs"] == {"org-1": "admin"}
    me = js(call(client, "GET", "/me", token=again["access_token"]))
    assert me["memberships"] == {"organizations": {"org-1": "admin"},
                                 "centres": {"centre-9": "member"}}


def test_membership_needs_a_known_role_and_user(aws):
    from chalicelib.domain.errors import InvalidInput, NotFound
    from chalicelib.services import accounts

    with pytest.raises(InvalidInput):
        accounts.add_membership("u", "org", "o", "owner")
    with pytest.raises(NotFound):
        accounts.add_membership("nobody", "org", "o", "admin")


def test_refresh_rotates_and_a_reused_refresh_token_ends_every_session(client, monkeypatch):
    from chalicelib.services import authentication

    _, tokens = new_user(client)
    first = call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    rotated = js(first)
    assert rotated["refresh_token"] != tokens["refresh_token"]
    later = time.time() + authentication.REFRESH_RETRY_GRACE_S + 5
    monkeypatch.setattr(authentication, "_now", lambda: later)
    replay = call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    assert js(replay)["error"]["code"] == "invalid_refresh_token"
    # the replay signals theft: the legitimate rotated token is revoked as well
    after = call(client, "POST", "/auth/refresh", {"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401


def test_a_refresh_retried_at_once_is_not_taken_for_a_theft(client, monkeypatch):
    """The response of a refresh was lost (or the API answered 503 after the
    write): the client sends the same token again within the grace period and
    gets a working pair; sessions go on. After the grace period it is theft."""
    from chalicelib.services import authentication

    _, tokens = new_user(client)
    first = js(call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}))
    retry = call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert retry.status_code == 200
    again = js(retry)
    for pair in (first, again):
        assert call(client, "GET", "/me", token=pair["access_token"]).status_code == 200
    assert call(client, "POST", "/auth/refresh", {"refresh_token": again["refresh_token"]}).status_code == 200
    later = time.time() + authentication.REFRESH_RETRY_GRACE_S + 5
    monkeypatch.setattr(authentication, "_now", lambda: later)
    theft = call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert theft.status_code == 401
    assert call(client, "POST", "/auth/refresh", {"refresh_token": first["refresh_token"]}).status_code == 401


def test_sign_out_revokes_the_refresh_token(client):
    _, tokens = new_user(client)
    assert call(client, "POST", "/auth/revoke",
                {"refresh_token": tokens["refresh_token"]}).status_code == 204
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert call(client, "POST", "/auth/revoke", {"refresh_token": "garbage"}).status_code == 204


def test_refresh_token_is_not_an_access_token_and_the_reverse(client):
    _, tokens = new_user(client)
    assert call(client, "GET", "/me", token=tokens["refresh_token"]).status_code == 401
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": tokens["access_token"]}).status_code == 401


def test_password_change_revokes_all_refresh_tokens(client):
    user, tokens = new_user(client)
    other_device = sign_in(client, user["email"])
    path, token = "/me/password", tokens["access_token"]
    wrong = call(client, "PUT", path,
                 {"current_password": "Nope1234", "new_password": "Nouveau123"}, token=token)
    assert wrong.status_code == 403 and js(wrong)["error"]["code"] == "wrong_password"
    weak = call(client, "PUT", path, {"current_password": PASSWORD, "new_password": "faible"},
                token=token)
    assert weak.status_code == 400 and js(weak)["error"]["code"] == "weak_password"
    changed = call(client, "PUT", path, {"current_password": PASSWORD,
                                         "new_password": "Nouveau123"}, token=token)
    assert changed.status_code == 200
    for old in (tokens, other_device):
        assert call(client, "POST", "/auth/refresh",
                    {"refresh_token": old["refresh_token"]}).status_code == 401
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": js(changed)["refresh_token"]}).status_code == 200
    sign_in(client, user["email"], PASSWORD, expect=401)
    sign_in(client, user["email"], "Nouveau123")


def test_passwords_are_not_trimmed(client):
    user = register(client, password=" Secret123 ")
    sign_in(client, user["email"], "Secret123", expect=401)
    sign_in(client, user["email"], " Secret123 ")


# Personal data ---------------------------------------------------------------------------

@pytest.fixture()
def fake_feature():
    from chalicelib.services import personal_data

    erased: list[str] = []
    personal_data.register("test-feature", lambda uid: {"answers": [f"{uid}-a1"]}, erased.append)
    yield erased
    personal_data.unregister("test-feature")


def test_my_data_exports_profile_memberships_and_registered_features(client, fake_feature):
    from chalicelib.services import accounts

    user, tokens = new_user(client)
    accounts.add_membership(user["id"], "org", "org-1", "member")
    response = call(client, "GET", "/me/data", token=tokens["access_token"])
    assert response.status_code == 200
    data = js(response)
    assert data["account"]["email"] == user["email"]
    assert data["account"]["memberships"]["organizations"] == {"org-1": "member"}
    assert data["features"]["test-feature"] == {"answers": [f"{user['id']}-a1"]}
    assert "argon2" not in response.body.decode() and "password" not in response.body.decode()


def test_deleting_my_account_needs_the_password_and_calls_every_eraser(client, fake_feature):
    from chalicelib.services import accounts
    from chalicelib.store.tables import AccountsTable

    user, tokens = new_user(client)
    accounts.add_membership(user["id"], "centre", "c-1", "member")
    token = tokens["access_token"]
    wrong = call(client, "DELETE", "/me", {"password": "Wrong1234"}, token=token)
    assert wrong.status_code == 403 and fake_feature == []
    assert call(client, "DELETE", "/me", {"password": PASSWORD}, token=token).status_code == 204
    assert fake_feature == [user["id"]]
    # all that is left is the marker refusing the account's live access tokens
    # (store/revocations.py): the random id and a number, expiring with them
    from chalicelib.store.revocations import RevocationItem

    left = [(i.pk, i.sk) for i in AccountsTable.scan() if user["id"] in i.pk]
    assert left == [(f"REVOKED#{user['id']}", "REVOKED")]
    marker = RevocationItem.get(f"REVOKED#{user['id']}", "REVOKED")
    assert sorted(marker.attribute_values) == ["expires_at", "min_version", "pk", "sk"]
    sign_in(client, user["email"], expect=401)
    assert call(client, "GET", "/me", token=token).status_code == 404
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": tokens["refresh_token"]}).status_code == 401
    register(client, email=user["email"])  # the address is free again


# Platform admins ---------------------------------------------------------------------------

def test_create_admin_script_promotes_or_creates(aws, capsys):
    from chalicelib.services import accounts, authentication

    spec = importlib.util.spec_from_file_location("create_admin", "scripts/create_admin.py")
    create_admin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(create_admin)

    existing = accounts.register(first_name="Ada", last_name="Admin", password=PASSWORD,
                                 birth_date=date(1980, 1, 1), accepted_terms=True,
                                 email="ada@example.org")
    assert create_admin.main(["--email", "ADA@example.org"]) == 0
    assert accounts.get_user(existing.id).is_admin
    assert create_admin.main(["--email", "new-admin@example.org", "--first-name", "Grace",
                              "--last-name", "Hopper", "--birth-date", "1970-02-03",
                              "--password", "Admin12345"]) == 0
    new = accounts.find_user_by_login("new-admin@example.org")
    assert new.is_admin
    tokens = authentication.sign_in("new-admin@example.org", "Admin12345", "10.0.0.1")
    assert claims(tokens["access_token"])["adm"] is True
    assert create_admin.main(["--email", "ada@example.org", "--revoke"]) == 0
    assert not accounts.get_user(existing.id).is_admin
    assert "ada@example.org" in capsys.readouterr().out

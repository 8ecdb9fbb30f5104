"""Issue 13, point 3: the access token of a closed account, or of sessions
revoked by a password change or a stolen refresh token, no longer writes.

The probe's attack: after `DELETE /me`, the same access token started a
positioning test, creating a record under the erased id that nothing would
ever erase. Writes now read the account's revocation marker
(`store/revocations.py`, one GetItem) and refuse older tokens with 401
`token_revoked`; everyone else's tokens, and the new tokens of the person who
changed their password, keep working.
"""
from __future__ import annotations

from tests.api.helpers import call, js
from tests.api.users import PASSWORD, new_user, sign_in

START = "/me/competences/1.1/assessment"


def _records_of(user_id: str) -> list[str]:
    from chalicelib.store.tables import AssessmentsTable

    return [item.pk for item in AssessmentsTable.scan() if user_id in item.pk]


def test_a_closed_account_s_token_writes_nothing(client):
    user, tokens = new_user(client)
    _, bystander = new_user(client)
    token = tokens["access_token"]
    assert call(client, "DELETE", "/me", {"password": PASSWORD}, token=token).status_code == 204

    response = call(client, "POST", START, token=token)
    assert response.status_code == 401, response.body
    assert js(response)["error"]["code"] == "token_revoked"
    assert response.headers.get("WWW-Authenticate") == "Bearer"
    assert _records_of(user["id"]) == []
    # another account is not affected
    assert call(client, "POST", START, token=bystander["access_token"]).status_code == 200


def test_the_same_token_writes_while_the_account_exists(client):
    user, tokens = new_user(client)
    assert call(client, "POST", START, token=tokens["access_token"]).status_code == 200
    assert _records_of(user["id"]) != []


def test_a_password_change_stops_the_other_devices_writes_not_this_one_s(client):
    user, tokens = new_user(client)
    other_device = sign_in(client, user["email"])
    changed = call(client, "PUT", "/me/password", {"current_password": PASSWORD,
                                                   "new_password": "Nouveau123"},
                   token=tokens["access_token"])
    assert changed.status_code == 200, changed.body
    for old in (tokens, other_device):
        refused = call(client, "POST", START, token=old["access_token"])
        assert refused.status_code == 401 and js(refused)["error"]["code"] == "token_revoked"
    assert call(client, "POST", START, token=js(changed)["access_token"]).status_code == 200
    again = sign_in(client, user["email"], "Nouveau123")
    assert call(client, "POST", "/me/competences/1.2/assessment",
                token=again["access_token"]).status_code == 200


def test_a_stolen_refresh_token_ends_the_access_tokens_too(client, monkeypatch):
    from chalicelib.services import authentication

    _, tokens = new_user(client)
    first = call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200
    # presented again after the retry grace: a theft, every session ends
    monkeypatch.setattr(authentication, "_now",
                        lambda: __import__("time").time() + authentication.REFRESH_RETRY_GRACE_S + 5)
    assert call(client, "POST", "/auth/refresh",
                {"refresh_token": tokens["refresh_token"]}).status_code == 401
    for access in (tokens["access_token"], js(first)["access_token"]):
        assert call(client, "POST", START, token=access).status_code == 401


def test_the_marker_outlives_every_token_it_refuses_then_goes(aws):
    from chalicelib.services import tokens
    from chalicelib.store import revocations

    assert revocations.KEEP_S > tokens.ACCESS_TTL + tokens._LEEWAY
    revocations.revoke_below("u-1", 3, now=1000)
    assert revocations.min_version("u-1", now=1000 + revocations.KEEP_S - 1) == 3
    assert revocations.min_version("u-1", now=1000 + revocations.KEEP_S) is None
    # a later, lower revocation landing out of order never lowers the marker
    revocations.revoke_below("u-1", 2, now=1001)
    assert revocations.min_version("u-1", now=1002) == 3
    revocations.revoke_below("u-1", 4, now=1003)
    assert revocations.min_version("u-1", now=1004) == 4
    assert revocations.min_version("u-2", now=1004) is None

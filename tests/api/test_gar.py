"""GAR single sign-on end to end against a local test IdP (tests/api/gar_idp.py):
metadata, the AuthnRequest, a pupil's first sign-in reconciled with the
school's roster and the later ones by link, and every refused assertion."""
from __future__ import annotations

import base64
import dataclasses
import re
import zlib
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.api import org_flow as flow
from tests.api.gar_idp import (ACS_URL, IDP_ENTITY_ID, IDP_SLO_URL, IDP_SSO_URL, SLO_URL,
                               SP_ENTITY_ID, TestIdp, read_redirect)
from tests.api.helpers import call, js

UAI = "0750001A"
OTHER_UAI = "0750009K"


@pytest.fixture(scope="module")
def idp():
    return TestIdp()


@pytest.fixture(scope="module")
def sp_keys():
    """Our own key pair (signs our logout messages), as GAR_SP_KEY/GAR_SP_CERT would give it."""
    return TestIdp()


@pytest.fixture()
def gar(client, idp, sp_keys, monkeypatch):
    """The platform configured with the test IdP (as GAR_IDP_* would in a stage)."""
    from chalicelib.config import settings
    from chalicelib.services import gar as service

    configured = dataclasses.replace(settings(), gar_idp_entity_id=IDP_ENTITY_ID,
                                     gar_idp_sso_url=IDP_SSO_URL,
                                     gar_idp_certificate=idp.certificate_pem,
                                     public_base_url="http://127.0.0.1:8000",
                                     gar_idp_slo_url=IDP_SLO_URL,
                                     gar_sp_certificate=sp_keys.certificate_pem,
                                     gar_sp_key=sp_keys.key_pem)
    monkeypatch.setattr(service, "settings", lambda: configured)
    monkeypatch.setattr(service.secrets, "settings", lambda: configured)
    org = flow.create_org(client, name="Collège Jean Moulin", type="college", uai=UAI)["org_id"]
    portal = flow.client_token(org)
    assert flow.import_roster(client, org, portal, flow.school_csv()).status_code == 200
    return org, portal


def start(client) -> str:
    """GET /gar/login: the request id the GAR will answer."""
    response = call(client, "GET", "/gar/login")
    assert response.status_code == 302, response.body
    location = response.headers["Location"]
    assert location.startswith(IDP_SSO_URL + "?")
    deflated = base64.b64decode(parse_qs(urlparse(location).query)["SAMLRequest"][0])
    request = zlib.decompress(deflated, -15).decode("utf-8")
    assert f'AssertionConsumerServiceURL="{ACS_URL}"' in request and SP_ENTITY_ID in request
    return re.search(r' ID="([^"]+)"', request).group(1)


def post(client, saml_response: str, accept="application/json"):
    return client.http.post("/gar/acs", body=urlencode({"SAMLResponse": saml_response}),
                            headers={"Content-Type": "application/x-www-form-urlencoded",
                                     "Accept": accept})


def test_metadata_names_our_acs_and_wants_signed_assertions(client, gar):
    response = call(client, "GET", "/gar/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/samlmetadata+xml")
    body = response.body.decode()
    assert f'entityID="{SP_ENTITY_ID}"' in body and f'Location="{ACS_URL}"' in body
    assert 'WantAssertionsSigned="true"' in body
    assert f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ' \
           f'Location="{SLO_URL}"/>' in body
    assert body.count("<ds:X509Certificate>") == 2 and 'use="encryption"' in body


def test_not_configured_is_a_french_404(client):
    response = call(client, "GET", "/gar/login")
    assert response.status_code == 404 and "GAR" in js(response)["error"]["message"]


def test_a_pupil_is_reconciled_at_first_sign_in_then_found_by_link(client, gar, idp):
    org, portal = gar
    first = post(client, idp.response(start(client), birth_date="2010-05-14"))
    assert first.status_code == 200, first.body
    tokens = js(first)
    assert tokens["first_sign_in"] is True and tokens["token_type"] == "Bearer"
    me = js(call(client, "GET", "/me", token=tokens["access_token"]))
    assert (me["first_name"], me["last_name"], me["birth_date"]) == ("Léa", "Dupont", "2010-05-14")
    # the school sees its pupil tied to an account
    roster = js(call(client, "GET", f"/organizations/{org}/division-roster?division=3A",
                     token=flow.member_token(org)))
    assert {p["learner_id"]: p["has_account"] for p in roster["items"]}["123456789AB"] is True
    # no password was set: none signs in
    from chalicelib.store import accounts

    assert accounts.get_user(tokens["user_id"]).password_hash == "!sso"
    # later: by the stored link, even if the names changed at the ENT
    again = js(post(client, idp.response(start(client), last="Dupont-Moreau", first="Léa Marie")))
    assert (again["user_id"], again["first_sign_in"]) == (tokens["user_id"], False)


def test_without_birth_date_the_class_must_match_and_an_existing_account_is_kept(client, gar, idp):
    org, _ = gar
    created = js(call(client, "POST", f"/organizations/{org}/learners/234567890CD/account",
                      token=flow.member_token(org)))
    wrong_class = post(client, idp.response(start(client), ido="ido-hugo", last="Martin",
                                            first="Hugo", division="3B"))
    assert wrong_class.status_code == 404 and js(wrong_class)["error"]["code"] == "gar_learner_not_found"
    signed = js(post(client, idp.response(start(client), ido="ido-hugo", last="Durand",
                                          first="Hugo", division="3A##3e A")))
    assert (signed["user_id"], signed["first_sign_in"]) == (created["user_id"], False)


def test_a_pupil_of_another_school_is_not_reconciled_into_this_one(client, gar, idp):
    flow.create_org(client, name="Collège B", type="college", uai=OTHER_UAI)
    # Léa's names and birth date, but the GAR says she is at school B: B's roster has no Léa
    other = post(client, idp.response(start(client), uai=OTHER_UAI, birth_date="2010-05-14"))
    assert other.status_code == 404, other.body
    assert js(other)["error"]["code"] == "gar_learner_not_found"
    unknown = post(client, idp.response(start(client), uai="0999999Z", birth_date="2010-05-14"))
    assert unknown.status_code == 403 and js(unknown)["error"]["code"] == "gar_unknown_school"
    teacher = post(client, idp.response(start(client), ido="ido-prof", profile="National_ens",
                                        last="Prof", first="Anne"))
    assert teacher.status_code == 403 and js(teacher)["error"]["code"] == "gar_not_linked"
    from chalicelib.store import gar as gar_store

    assert gar_store.link_of("ido-lea-0001") is None and gar_store.link_of("ido-prof") is None


def test_every_broken_assertion_is_refused_in_french(client, gar, idp):
    from chalicelib.store import gar as gar_store

    other_idp = TestIdp()
    cases = {
        "unsigned": lambda rid: idp.response(rid, sign=False),
        "tampered": lambda rid: idp.response(rid, tamper=lambda x: x.replace(">Dupont<", ">Martin<")),
        "other key": lambda rid: idp.response(rid, signer=other_idp),
        "expired": lambda rid: idp.response(rid, issued_offset=-3600, lifetime=300),
        "wrong audience": lambda rid: idp.response(rid, audience="https://other-sp.invalid/metadata"),
        "wrong recipient": lambda rid: idp.response(rid, recipient="https://other-sp.invalid/acs"),
        "unsolicited": lambda rid: idp.response("_never-asked"),
        "wrapped": lambda rid: idp.response(rid, extra_assertion=True),
        "wrapped before": lambda rid: idp.response(rid, extra_assertion="before"),
        "signature moved": lambda rid: idp.response(rid, tamper=lambda x: x.replace(
            'ID="_a', 'ID="_b', 1)),
        "dtd": lambda rid: base64.b64encode(
            b'<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>').decode(),
        "not base64": lambda rid: "%%%",
    }
    expected = {"unsigned": "saml_unsigned", "tampered": "saml_bad_signature",
                "other key": "saml_bad_signature", "expired": "saml_expired",
                "wrong audience": "saml_wrong_audience", "wrong recipient": "saml_wrong_recipient",
                "unsolicited": "saml_unsolicited", "wrapped": "saml_malformed",
                "wrapped before": "saml_malformed",
                "signature moved": "saml_bad_signature", "dtd": "saml_malformed",
                "not base64": "saml_malformed"}
    for name, make in cases.items():
        response = post(client, make(start(client)))
        assert response.status_code == 401, (name, response.body)
        error = js(response)["error"]
        assert error["code"] == expected[name], (name, error)
        assert re.search(r"[éèàç]|assertion|réponse", error["message"], re.I), (name, error["message"])
    # nobody signed in, least of all the wrapped assertion's identity
    assert gar_store.link_of("ido-lea-0001") is None and gar_store.link_of("ido-evil") is None

    # replay: the very same Response twice (and a second use of one request)
    request_id = start(client)
    once = idp.response(request_id, birth_date="2010-05-14")
    assert post(client, once).status_code == 200
    replayed = post(client, once)
    assert replayed.status_code == 401 and js(replayed)["error"]["code"] == "saml_replayed"
    reused = post(client, idp.response(request_id, birth_date="2010-05-14"))
    assert reused.status_code == 401 and js(reused)["error"]["code"] == "saml_unsolicited"
    assert call(client, "POST", "/gar/acs", body={}).status_code in (400, 415)


def test_a_browser_gets_a_one_time_code_in_the_fragment_never_the_tokens(client, gar, idp):
    response = post(client, idp.response(start(client), birth_date="2010-05-14"),
                    accept="text/html,application/xhtml+xml")
    assert response.status_code == 303, response.body
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:8000/connexion#gar=") and "token" not in location
    code = location.split("#gar=", 1)[1]
    tokens = js(call(client, "POST", "/gar/session", body={"code": code}))
    me = js(call(client, "GET", "/me", token=tokens["access_token"]))
    assert me["first_name"] == "Léa"
    again = call(client, "POST", "/gar/session", body={"code": code})
    assert again.status_code == 401 and js(again)["error"]["code"] == "gar_code_invalid"
    # a refused assertion is a French JSON error for the browser too, never a redirect
    refused = post(client, idp.response(start(client), sign=False), accept="text/html")
    assert refused.status_code == 401 and "signée" in js(refused)["error"]["message"]


def test_the_link_goes_with_the_account(client, gar, idp):
    """RGPD: the export names the GAR link, erasure removes it; signing in again
    after erasure starts afresh instead of pointing at a deleted account."""
    from chalicelib.services import accounts
    from chalicelib.store import gar as gar_store

    first = js(post(client, idp.response(start(client), birth_date="2010-05-14")))
    exported = accounts.export_personal_data(first["user_id"])["features"]["gar"]
    assert exported == {"gar_links": [{"org_id": gar[0], "learner_id": "123456789AB"}]}
    assert len(gar_store.sessions_of_user(first["user_id"])) == 1     # its GAR session (logout)
    accounts.erase_account(first["user_id"])
    assert gar_store.link_of("ido-lea-0001") is None
    assert gar_store.sessions_of_user(first["user_id"]) == []
    again = js(post(client, idp.response(start(client), birth_date="2010-05-14")))
    assert again["first_sign_in"] is True and again["user_id"] != first["user_id"]


def test_a_teacher_links_the_gar_identity_from_a_signed_in_account_then_signs_in_with_it(client, gar, idp):
    from tests.api import users

    _, tokens = users.new_user(client)     # the teacher's own account (e-mail and password)
    teacher_id, token = tokens["user_id"], tokens["access_token"]
    other = js(post(client, idp.response(start(client), birth_date="2010-05-14")))  # a pupil's account

    def link_request(access_token) -> str:
        url = js(call(client, "POST", "/me/gar-link/start", token=access_token))["url"]
        request = zlib.decompress(base64.b64decode(parse_qs(urlparse(url).query)["SAMLRequest"][0]), -15)
        return re.search(r' ID="([^"]+)"', request.decode()).group(1)

    assertion = dict(ido="ido-prof", profile="National_ens", last="Prof", first="Anne")
    # the link URL forwarded to someone else: their code cannot be confirmed by their own account
    browser = post(client, idp.response(link_request(token), **assertion), accept="text/html")
    assert browser.status_code == 303 and "/profil#garlien=" in browser.headers["Location"]
    code = browser.headers["Location"].split("#garlien=", 1)[1]
    stolen = call(client, "POST", "/me/gar-link", token=other["access_token"], body={"code": code})
    assert stolen.status_code == 403 and js(stolen)["error"]["code"] == "gar_link_other_account"
    # a link code is not a sign-in code either
    code2 = js(post(client, idp.response(link_request(token), **assertion)))["link_code"]
    assert call(client, "POST", "/gar/session", body={"code": code2}).status_code == 401
    # the right account confirms: from now on the teacher signs in through the GAR
    code3 = js(post(client, idp.response(link_request(token), **assertion)))["link_code"]
    assert js(call(client, "POST", "/me/gar-link", token=token, body={"code": code3})) == {"linked": True}
    signed = js(post(client, idp.response(start(client), **assertion)))
    assert (signed["user_id"], signed["first_sign_in"]) == (teacher_id, False)
    # a pupil's GAR identity cannot be taken over by another account
    code4 = js(post(client, idp.response(link_request(token), birth_date="2010-05-14")))["link_code"]
    taken = call(client, "POST", "/me/gar-link", token=token, body={"code": code4})
    assert taken.status_code == 409 and js(taken)["error"]["code"] == "gar_already_linked"


def slo(client, field: str, message: str, relay_state: str | None = None):
    form = {field: message, **({"RelayState": relay_state} if relay_state else {})}
    return client.http.post("/gar/slo", body=urlencode(form),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})


def refreshes(client, refresh_token: str) -> bool:
    return call(client, "POST", "/auth/refresh", body={"refresh_token": refresh_token}).status_code == 200


def test_signing_out_here_sends_a_signed_logout_request_naming_the_gar_session(client, gar, idp, sp_keys):
    """SP-initiated single logout: our token revoked, the GAR sent our signed
    LogoutRequest for that NameID and SessionIndex, its signed answer accepted
    once and only as the answer to that request."""
    signed = js(post(client, idp.response(start(client), birth_date="2010-05-14",
                                          name_id="_t-lea", session_index="_s-42")))
    assert signed["gar_session"]
    other = js(post(client, idp.response(start(client), ido="ido-hugo", last="Durand", first="Hugo",
                                         division="3A##3e A", name_id="_t-hugo")))
    # somebody else's handle ends nothing at the GAR (and their own token only)
    stolen = js(call(client, "POST", "/gar/logout", token=other["access_token"],
                     body={"refresh_token": other["refresh_token"], "gar_session": signed["gar_session"]}))
    assert stolen == {"url": None} and not refreshes(client, other["refresh_token"])
    out = js(call(client, "POST", "/gar/logout", token=signed["access_token"],
                  body={"refresh_token": signed["refresh_token"], "gar_session": signed["gar_session"]}))
    assert out["url"].startswith(IDP_SLO_URL + "?SAMLRequest=")
    request, _ = read_redirect(out["url"], sp_keys.certificate_pem)
    assert "<saml:NameID Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:transient\">_t-lea<" in request
    assert "<samlp:SessionIndex>_s-42</samlp:SessionIndex>" in request
    assert f"<saml:Issuer>{SP_ENTITY_ID}</saml:Issuer>" in request and f'Destination="{IDP_SLO_URL}"' in request
    with pytest.raises(Exception):       # the signature covers the message: one byte changed fails
        read_redirect(out["url"].replace("SAMLRequest=", "SAMLRequest=A", 1), sp_keys.certificate_pem)
    with pytest.raises(Exception):       # and it is ours, not any key's
        read_redirect(out["url"], idp.certificate_pem)
    assert refreshes(client, signed["refresh_token"]) is False
    request_id = re.search(r' ID="([^"]+)"', request).group(1)
    # the GAR's answer: not to another request, not unsigned, not as a sign-in
    refused = {"unsolicited": slo(client, "SAMLResponse", idp.logout_response("_never-asked")),
               "unsigned": slo(client, "SAMLResponse", idp.logout_response(request_id, sign=False)),
               "wrong field": slo(client, "SAMLRequest", idp.logout_response(request_id)),
               "as a sign-in": post(client, idp.response(request_id, birth_date="2010-05-14"))}
    codes = {name: (r.status_code, js(r)["error"]["code"]) for name, r in refused.items()}
    assert codes == {"unsolicited": (401, "saml_unsolicited"), "unsigned": (401, "saml_unsigned"),
                     "wrong field": (401, "saml_malformed"),
                     "as a sign-in": (401, "saml_unsolicited")}, codes
    answer = idp.logout_response(request_id)
    done = slo(client, "SAMLResponse", answer)
    assert done.status_code == 303 and done.headers["Location"] == "http://127.0.0.1:8000/"
    assert js(slo(client, "SAMLResponse", answer))["error"]["code"] == "saml_replayed"
    again = slo(client, "SAMLResponse", idp.logout_response(request_id))
    assert again.status_code == 401 and js(again)["error"]["code"] == "saml_unsolicited"


def test_the_gar_signing_out_ends_our_sessions_only_when_it_signed_the_request(client, gar, idp, sp_keys):
    """IdP-initiated single logout: a forged, expired, misdirected or replayed
    LogoutRequest ends nothing; the genuine one ends every token of the user
    of that GAR session (not the others'), and the browser goes back to the
    GAR with our signed LogoutResponse."""
    lea = js(post(client, idp.response(start(client), birth_date="2010-05-14",
                                       name_id="_t-lea", session_index="_s-7")))
    hugo = js(post(client, idp.response(start(client), ido="ido-hugo", last="Durand", first="Hugo",
                                        division="3A##3e A", name_id="_t-hugo", session_index="_s-8")))
    other_idp = TestIdp()
    broken = {
        "unsigned": (idp.logout_request("_t-lea", ("_s-7",), sign=False), "saml_unsigned"),
        "other key": (idp.logout_request("_t-lea", ("_s-7",), signer=other_idp), "saml_bad_signature"),
        "expired": (idp.logout_request("_t-lea", ("_s-7",), issued_offset=-3600), "saml_expired"),
        "elsewhere": (idp.logout_request("_t-lea", ("_s-7",), destination="https://x.invalid/slo"),
                      "saml_wrong_recipient"),
        "tampered": (base64.b64encode(base64.b64decode(idp.logout_request("_t-hugo", ("_s-8",)))
                                      .replace(b"_t-hugo", b"_t-lea")).decode(), "saml_bad_signature"),
    }
    for name, (message, code) in broken.items():
        response = slo(client, "SAMLRequest", message)
        assert (response.status_code, js(response)["error"]["code"]) == (401, code), name
        assert re.search(r"[éèàç]", js(response)["error"]["message"]), name
    assert refreshes(client, lea["refresh_token"])   # (that refresh rotated Léa's token: still one session)

    request = idp.logout_request("_t-lea", ("_s-7",))
    response = slo(client, "SAMLRequest", request, relay_state="ent-42")
    assert response.status_code == 303, response.body
    answer, params = read_redirect(response.headers["Location"], sp_keys.certificate_pem)
    assert response.headers["Location"].startswith(IDP_SLO_URL + "?SAMLResponse=")
    request_id = re.search(r' ID="([^"]+)"', base64.b64decode(request).decode()).group(1)
    assert f'InResponseTo="{request_id}"' in answer and "status:Success" in answer
    assert params["RelayState"] == "ent-42"
    # Léa's tokens, all of them, stop working: refresh and writes with the access token
    me = call(client, "PUT", "/me/password", token=lea["access_token"],
              body={"current_password": "x", "new_password": "Nouveau-mot-2-passe"})
    assert me.status_code == 401 and js(me)["error"]["code"] == "token_revoked"
    assert not refreshes(client, lea["refresh_token"])
    # Hugo's are untouched; the same request again is a replay
    assert refreshes(client, hugo["refresh_token"])
    replay = slo(client, "SAMLRequest", request)
    assert replay.status_code == 401 and js(replay)["error"]["code"] == "saml_replayed"
    # a session we do not know (already ended) is answered all the same
    assert slo(client, "SAMLRequest", idp.logout_request("_t-lea", ())).status_code == 303
    assert call(client, "POST", "/gar/slo", body={}).status_code in (400, 415)


def test_an_assertion_encrypted_for_us_is_decrypted_then_held_to_every_rule(client, gar, idp, sp_keys):
    """EncryptedAssertion (XML Encryption 1.1): RSA-OAEP then AES-GCM, either
    key transport; decrypted only with our key, and the assertion inside is
    checked as a plain one (its signature first). CBC, another recipient's
    key, a flipped byte, an unsigned or a doubled assertion: refused."""
    other = TestIdp()
    for key_algorithm, data_algorithm in (("rsa-oaep-mgf1p", "aes128-gcm"), ("rsa-oaep", "aes256-gcm")):
        tokens = js(post(client, idp.response(
            start(client), ido=f"ido-lea-{key_algorithm}", birth_date="2010-05-14",
            encrypt_for=sp_keys.certificate_pem, key_algorithm=key_algorithm,
            data_algorithm=data_algorithm)))
        assert tokens["token_type"] == "Bearer", (key_algorithm, tokens)

    def flip(xml: str) -> str:                 # one bit of the ciphertext, tag unchanged
        head, _, tail = xml.rpartition("<xenc:CipherValue>")
        value = bytearray(base64.b64decode(tail.split("<", 1)[0]))
        value[20] ^= 1
        return head + "<xenc:CipherValue>" + base64.b64encode(bytes(value)).decode() + "<" + tail.split("<", 1)[1]

    cases = {
        "cbc": (dict(data_algorithm="aes256-cbc"), "saml_undecryptable"),
        "not for us": (dict(encrypt_for_other=True), "saml_undecryptable"),
        "flipped": (dict(tamper=flip), "saml_undecryptable"),
        "unsigned inside": (dict(sign=False), "saml_unsigned"),
        "tampered inside": (dict(signer=other), "saml_bad_signature"),
        "two inside": (dict(extra_assertion=True), "saml_malformed"),
        "plain one too": (dict(tamper=lambda x: x.replace(
            "</samlp:Response>", '<saml:Assertion ID="_plain"/></samlp:Response>')), "saml_malformed"),
    }
    for name, (options, code) in cases.items():
        target = other.certificate_pem if options.pop("encrypt_for_other", False) else sp_keys.certificate_pem
        response = post(client, idp.response(start(client), birth_date="2010-05-14",
                                             encrypt_for=target, **options))
        assert response.status_code == 401, (name, response.body)
        error = js(response)["error"]
        assert error["code"] == code and re.search(r"[éèàç]", error["message"]), (name, error)

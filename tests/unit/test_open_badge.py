"""The Open Badges 3.0 credential: its shape, its eddsa-jcs-2022 proof, the keys."""
from __future__ import annotations

import base64
import copy
import dataclasses
import json
import re
import struct
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from chalicelib.config import settings
from chalicelib.documents import open_badge
from chalicelib.documents.open_badge import (
    add_proof,
    b58decode,
    b58encode,
    build_credential,
    canonical_json,
    load_private_key,
    public_key_document,
    public_key_multibase,
    signing_key,
    verify_credential,
)
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.framework import COMPETENCES

ISSUER = "https://certif.example.invalid"
VERIFY_URL = f"{ISSUER}/verification/P-B2C3D4F6"
LEVELS = {c.code: (i * 5) % 9 for i, c in enumerate(COMPETENCES)}
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CREATED = datetime(2026, 6, 20, 10, 0, 0, tzinfo=timezone.utc)


def certificate(**changes) -> Certificate:
    cert = Certificate(
        certificate_id="c-123", verification_code="P-B2C3D4F6",
        first_name="Anaïs-Éloïse", last_name="Lefèvre-Cœurdroy", birth_date="1998-03-01",
        session_date="2026-06-15", centre_name="Lycée François-Mauriac",
        global_score=547, level_label="Avancé 5", level=5, competence_levels=LEVELS,
        certification_version="v3", issued_at="2026-06-20T11:30:00+02:00")
    return dataclasses.replace(cert, **changes)


@pytest.fixture()
def credential() -> dict:
    return build_credential(certificate(), issuer_url=ISSUER + "/", verify_url=VERIFY_URL,
                            key=KEY, created=CREATED)


# --- shape --------------------------------------------------------------------

def test_open_badge_3_envelope(credential):
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == VERIFY_URL
    assert credential["issuer"]["id"] == f"{ISSUER}/issuer"  # trailing slash dropped
    assert credential["issuer"]["url"] == ISSUER
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"]
    assert credential["validFrom"] == "2026-06-20T09:30:00Z"  # issued_at, in UTC
    assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    json.dumps(credential)  # plain JSON all the way down


def test_subject_names_the_holder_as_given(credential):
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [{"type": "IdentityObject", "identityType": "name",
                                      "hashed": False,
                                      "identityHash": "Anaïs-Éloïse Lefèvre-Cœurdroy"}]
    assert subject["activityEndDate"] == "2026-06-15T00:00:00Z"
    assert "birth" not in json.dumps(credential)  # no birth date in a shared badge


def test_achievement_names_the_level(credential):
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["name"] == "Certification des compétences numériques — Avancé 5"
    assert achievement["id"].startswith(ISSUER + "/")
    assert "512 à 639" in achievement["description"]
    assert achievement["criteria"]["narrative"]
    assert achievement["version"] == "v3"


def test_results_global_score_level_and_16_competences(credential):
    subject = credential["credentialSubject"]
    descriptions = {d["id"]: d for d in subject["achievement"]["resultDescription"]}
    results = {descriptions[r["resultDescription"]]["name"]: r["value"] for r in subject["result"]}
    assert len(subject["result"]) == 2 + 16
    assert all(r["type"] == ["Result"] for r in subject["result"])
    assert results["Score global (sur 1024)"] == "547"
    assert results["Niveau global"] == "Avancé 5"
    for competence in COMPETENCES:
        name = next(n for n in results if n.startswith(competence.code + " "))
        assert competence.title in name
        assert results[name] == str(LEVELS[competence.code])
    score = next(d for d in descriptions.values() if d["resultType"] == "ScaledScore")
    assert (score["valueMin"], score["valueMax"]) == ("0", "1024")
    # the text says the same maximum as the result it describes
    assert re.search(r"score global de 547 / (\d+)", credential["description"]).group(1) \
        == score["valueMax"]
    assert f"sur {score['valueMax']})" in score["name"]
    assert "ne dépasse pas 895" in subject["achievement"]["criteria"]["narrative"]
    level = next(d for d in descriptions.values() if d["name"] == "Niveau global")
    assert level["allowedValue"][0] == "Pré-initié" and level["allowedValue"][-1] == "Expert 8"
    assert all(isinstance(r["value"], str) for r in subject["result"])  # OB: value is a string


def test_a_competence_not_measured_is_not_evaluated_never_0():
    """Issue 22: absent from the levels (all its answers neutralised) is not level 0."""
    cert = certificate(competence_levels={"1.1": 3, "1.2": 0})
    values = [r["value"] for r in build_credential(
        cert, issuer_url=ISSUER, verify_url=VERIFY_URL, key=KEY)["credentialSubject"]["result"]]
    assert values[2:] == ["3", "0"] + ["non évalué"] * 14


def test_no_badge_for_a_rejected_or_undated_certificate():
    with pytest.raises(ValueError):
        build_credential(certificate(status="rejected"), issuer_url=ISSUER,
                         verify_url=VERIFY_URL, key=KEY)
    with pytest.raises(ValueError):
        build_credential(certificate(issued_at=""), issuer_url=ISSUER,
                         verify_url=VERIFY_URL, key=KEY)


# --- proof --------------------------------------------------------------------

def test_proof_is_an_eddsa_jcs_2022_data_integrity_proof(credential):
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["verificationMethod"] == f"{ISSUER}/issuer#key-1"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2026-06-20T10:00:00Z"
    assert proof["@context"] == credential["@context"]
    assert proof["proofValue"].startswith("z")
    assert len(b58decode(proof["proofValue"][1:])) == 64


def test_signature_verifies_with_the_public_key_in_every_form(credential):
    public = KEY.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    document = public_key_document(ISSUER, KEY)
    multikey, jwk = document["verificationMethod"]
    assert verify_credential(credential, public)
    assert verify_credential(credential, raw)
    assert verify_credential(credential, multikey["publicKeyMultibase"])
    assert verify_credential(credential, jwk["publicKeyJwk"])


def test_signature_survives_a_json_round_trip(credential):
    assert verify_credential(json.loads(json.dumps(credential, indent=2)), KEY.public_key())
    shuffled = json.loads(json.dumps(credential, sort_keys=True))
    assert verify_credential(shuffled, KEY.public_key())


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, path + (index,))
    else:
        yield path, value


def _tampered(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x" if not value.startswith("z") else value[:-2] + value[-1] + value[-2]
    raise AssertionError(value)


def test_tampering_any_field_breaks_the_signature(credential):
    leaves = list(_leaves(credential))
    assert len(leaves) > 150
    for path, value in leaves:
        forged = copy.deepcopy(credential)
        target = forged
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = _tampered(value)
        assert not verify_credential(forged, KEY.public_key()), path


def test_adding_or_removing_anything_breaks_the_signature(credential):
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["result"].pop()
    assert not verify_credential(forged, KEY.public_key())
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["dateOfBirth"] = "1998-03-01"
    assert not verify_credential(forged, KEY.public_key())
    forged = copy.deepcopy(credential)
    del forged["description"]
    assert not verify_credential(forged, KEY.public_key())
    forged = copy.deepcopy(credential)
    forged["@context"].append("https://example.invalid/context.json")
    assert not verify_credential(forged, KEY.public_key())
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["result"][0]["value"] = 547  # a number, not the string signed
    assert not verify_credential(forged, KEY.public_key())


def test_another_key_does_not_verify(credential):
    assert not verify_credential(credential, Ed25519PrivateKey.generate().public_key())


def test_missing_or_malformed_proof_does_not_verify(credential):
    public = KEY.public_key()
    assert not verify_credential({k: v for k, v in credential.items() if k != "proof"}, public)
    assert not verify_credential({**credential, "proof": [credential["proof"]]}, public)
    for field, value in (("proofValue", "u" + credential["proof"]["proofValue"][1:]),
                         ("proofValue", "z0OIl"), ("proofValue", "z" + b58encode(b"short")),
                         ("cryptosuite", "eddsa-rdfc-2022"), ("type", "Ed25519Signature2020"),
                         ("proofPurpose", "authentication"), ("created", "hier")):
        forged = {**credential, "proof": {**credential["proof"], field: value}}
        assert not verify_credential(forged, public), field


def test_an_unusable_key_is_an_error_not_a_false(credential):
    with pytest.raises(TypeError):
        verify_credential(credential, 12345)
    with pytest.raises(ValueError):
        verify_credential(credential, b"too short")


# --- W3C test vector (Data Integrity EdDSA Cryptosuites v1.0, eddsa-jcs-2022) ---

W3C_PRIVATE_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_CANONICAL = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/'
    'examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:'
    'abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:'
    'uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678",'
    '"name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],'
    '"validFrom":"2023-01-01T00:00:00Z"}')
W3C_PROOF_VALUE = ("z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJ"
                   "dcnTMuVor51aX")


def test_reproduces_the_w3c_eddsa_jcs_2022_test_vector():
    private = b58decode(W3C_PRIVATE_KEY[1:])
    assert private[:2] == b"\x80\x26"  # multicodec ed25519-priv
    key = Ed25519PrivateKey.from_private_bytes(private[2:])
    assert public_key_multibase(key.public_key()) == W3C_PUBLIC_KEY
    assert canonical_json(W3C_UNSIGNED).decode() == W3C_CANONICAL
    signed = add_proof(W3C_UNSIGNED, key,
                       verification_method=f"did:key:{W3C_PUBLIC_KEY}#{W3C_PUBLIC_KEY}",
                       created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=timezone.utc))
    assert signed["proof"]["proofValue"] == W3C_PROOF_VALUE
    assert verify_credential(signed, W3C_PUBLIC_KEY)


# --- JCS: RFC 8785 examples and Appendix B numbers ---------------------------------

def test_jcs_rfc8785_values_example():
    source = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
              ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
              ' "literals": [null, true, false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,'
                '1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_json(json.loads(source)).decode() == expected


def test_jcs_rfc8785_sorts_keys_by_utf16_code_units():
    source = ('{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\u000a": "Newline",'
              ' "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley",'
              ' "\\u00f6": "Latin Small Letter O With Diaeresis",'
              ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}')
    expected = ('{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser '
                'Challenge","\u0080":"Control\u007f","ö":"Latin Small Letter O With Diaeresis",'
                '"€":"Euro Sign","\U0001f602":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}')
    assert canonical_json(json.loads(source)) == expected.encode("utf-8")


def test_jcs_ignores_locale_and_does_not_normalise_unicode():
    french = {"peach": 1, "péché": 2, "pêche": 3, "sin": 4}
    assert canonical_json(french).decode() == '{"peach":1,"péché":2,"pêche":3,"sin":4}'
    assert canonical_json({"Unnormalized Unicode": "A\u030a"}) == \
        '{"Unnormalized Unicode":"A\u030a"}'.encode()


@pytest.mark.parametrize("ieee_hex, expected", [
    ("0000000000000000", "0"), ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"), ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"), ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
])
def test_jcs_numbers_rfc8785_appendix_b(ieee_hex, expected):
    value = struct.unpack(">d", bytes.fromhex(ieee_hex))[0]
    assert canonical_json(value).decode() == expected


def test_jcs_rejects_what_json_cannot_carry():
    for value in (float("nan"), float("inf"), 2 ** 53):
        with pytest.raises(ValueError):
            canonical_json(value)


# --- base58-btc -------------------------------------------------------------------

def test_base58_known_values_and_leading_zeros():
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert b58encode(b"The quick brown fox jumps over the lazy dog.") == \
        "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"
    assert b58encode(bytes.fromhex("0000287fb4cd")) == "11233QC4"
    assert b58encode(b"") == "" and b58decode("") == b""
    for data in (b"\0", b"\0\0\1", bytes(range(64)), b"\xff" * 33):
        assert b58decode(b58encode(data)) == data
    with pytest.raises(ValueError):
        b58decode("0OIl")


# --- keys -------------------------------------------------------------------------

def test_public_key_document_has_multikey_and_jwk():
    document = public_key_document(ISSUER + "/", KEY)
    assert document["id"] == f"{ISSUER}/.well-known/badge-key"
    multikey, jwk = document["verificationMethod"]
    assert multikey["id"] == f"{ISSUER}/.well-known/badge-key#key-1"
    assert multikey["type"] == "Multikey"
    assert multikey["publicKeyMultibase"].startswith("z6Mk")  # Ed25519 public Multikey
    assert jwk["type"] == "JsonWebKey"
    assert jwk["publicKeyJwk"]["kty"] == "OKP" and jwk["publicKeyJwk"]["crv"] == "Ed25519"
    assert "d" not in jwk["publicKeyJwk"]  # never the private part
    raw = KEY.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    assert base64.urlsafe_b64decode(jwk["publicKeyJwk"]["x"] + "=") == raw
    assert b58decode(multikey["publicKeyMultibase"][1:]) == b"\xed\x01" + raw
    assert document["assertionMethod"] == [multikey["id"], jwk["id"]]
    # the controller is the site root, as when the credentials naming this key were
    # issued (their signed issuer); the root serves JSON-LD to a verifier asking for it
    assert document["controller"] == multikey["controller"] == jwk["controller"] == ISSUER


def _served(key=KEY) -> dict:
    """The documents the platform serves, by URL (what a verifier would fetch)."""
    return {f"{ISSUER}/issuer": open_badge.issuer_profile(ISSUER, key),
            f"{ISSUER}/.well-known/badge-key": public_key_document(ISSUER, key),
            ISSUER: open_badge.legacy_controller_document(ISSUER, key)}


def _verify_as_a_verifier_does(credential: dict, served: dict) -> bool:
    """The Data Integrity / VC verification steps that follow links: dereference the
    proof's verificationMethod (document, then fragment), fetch its controller,
    require the method under the controller's assertionMethod and the credential's
    issuer to be that controller, then check the signature with that key."""
    method_url = credential["proof"]["verificationMethod"]
    document = served[method_url.split("#")[0]]
    method = next(m for m in document["verificationMethod"] if m["id"] == method_url)
    controller = served[method["controller"]]
    return (controller["id"] == method["controller"]
            and method_url in controller["assertionMethod"]
            and credential["issuer"]["id"] == controller["id"]
            and verify_credential(credential, method["publicKeyMultibase"]))


def test_issuer_profile_is_the_controller_document_of_the_key(credential):
    profile = open_badge.issuer_profile(ISSUER + "/", KEY)
    assert profile["id"] == credential["issuer"]["id"] == f"{ISSUER}/issuer"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == credential["issuer"]["name"] and profile["url"] == ISSUER
    assert profile["@context"][-1] == "https://www.w3.org/ns/cid/v1"
    assert all(m["controller"] == profile["id"] for m in profile["verificationMethod"])
    assert credential["proof"]["verificationMethod"] in profile["assertionMethod"]
    assert _verify_as_a_verifier_does(credential, _served())
    # break-checks: a controller elsewhere, a method not asserted, another key
    broken = _served()
    broken[f"{ISSUER}/issuer"] = {**profile, "id": ISSUER}
    assert not _verify_as_a_verifier_does(credential, broken)
    broken = _served()
    broken[f"{ISSUER}/issuer"] = {**profile, "assertionMethod": []}
    assert not _verify_as_a_verifier_does(credential, broken)
    assert not _verify_as_a_verifier_does(credential, _served(Ed25519PrivateKey.generate()))


def test_a_credential_issued_before_the_issuer_profile_still_verifies(credential):
    """Issued before the issuer profile: issuer.id = the site root, proof naming
    .well-known/badge-key#key-1. That method still dereferences to the same key,
    controlled by the site root, whose JSON-LD lists it: issuer = controller."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["issuer"] = {**credential["issuer"], "id": ISSUER, "url": ISSUER}
    legacy = add_proof(unsigned, KEY, created=CREATED,
                       verification_method=open_badge.legacy_verification_method_id(ISSUER))
    assert legacy["proof"]["verificationMethod"] == f"{ISSUER}/.well-known/badge-key#key-1"
    assert _verify_as_a_verifier_does(legacy, _served())
    root = open_badge.legacy_controller_document(ISSUER + "/", KEY)
    assert root["id"] == ISSUER and legacy["proof"]["verificationMethod"] in root["assertionMethod"]
    # break-check: a root document not listing the key fails the chain
    assert not _verify_as_a_verifier_does(legacy, {**_served(), ISSUER: {**root, "assertionMethod": []}})
    # the new issuer cannot borrow the legacy key: its controller is not /issuer
    current = add_proof({k: v for k, v in credential.items() if k != "proof"}, KEY, created=CREATED,
                        verification_method=open_badge.legacy_verification_method_id(ISSUER))
    assert not _verify_as_a_verifier_does(current, _served())
    assert verify_credential(legacy, public_key_document(ISSUER, KEY)["verificationMethod"][0]
                             ["publicKeyMultibase"])


def test_achievement_image_is_a_deterministic_svg_per_level(credential):
    from xml.etree import ElementTree

    from chalicelib.domain.certification.scoring import LEVEL_LABELS

    image = credential["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image"
    assert image["id"] == f"{ISSUER}/badges/certification-numerique/niveau-5.svg"
    for level, (_, label) in enumerate(LEVEL_LABELS):
        svg = open_badge.achievement_image_svg(level)
        assert svg == open_badge.achievement_image_svg(level)  # same bytes every time
        root = ElementTree.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert label in "".join(root.itertext())
        assert "<script" not in svg and "href" not in svg
    assert len({open_badge.achievement_image_svg(n) for n in range(len(LEVEL_LABELS))}) == 9
    with pytest.raises(ValueError):
        open_badge.achievement_image_svg(9)


@pytest.fixture()
def badge_key_env(monkeypatch):
    def set_key(value: str | None):
        if value is None:
            monkeypatch.delenv("BADGE_PRIVATE_KEY", raising=False)
        else:
            monkeypatch.setenv("BADGE_PRIVATE_KEY", value)
        _clear_caches()
    yield set_key
    monkeypatch.delenv("BADGE_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("BADGE_KEY_PARAM", raising=False)
    _clear_caches()


def _clear_caches():
    from chalicelib.services import secrets

    settings.cache_clear()
    secrets.badge_private_key.cache_clear()
    signing_key.cache_clear()


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def test_signing_key_from_pem_or_base64_raw(badge_key_env):
    pem = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    badge_key_env(pem)
    assert _raw_private(signing_key()) == _raw_private(KEY)
    badge_key_env(base64.b64encode(_raw_private(KEY)).decode())
    assert _raw_private(signing_key()) == _raw_private(KEY)
    badge_key_env(base64.urlsafe_b64encode(_raw_private(KEY)).decode().rstrip("="))
    assert _raw_private(signing_key()) == _raw_private(KEY)
    credential = build_credential(certificate(), issuer_url=ISSUER, verify_url=VERIFY_URL)
    assert verify_credential(credential, KEY.public_key())


def test_signing_key_generated_once_per_process_when_not_configured(badge_key_env):
    badge_key_env(None)
    key = signing_key()
    assert signing_key() is key  # the cold-start cache
    credential = build_credential(certificate(), issuer_url=ISSUER, verify_url=VERIFY_URL)
    multibase = public_key_document(ISSUER)["verificationMethod"][0]["publicKeyMultibase"]
    assert verify_credential(credential, multibase)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", credential["proof"]["created"])


def test_bad_configured_keys_are_refused():
    with pytest.raises(ValueError):
        load_private_key(base64.b64encode(b"x" * 31).decode())
    with pytest.raises(ValueError):
        load_private_key("not base64 at all!")
    from cryptography.hazmat.primitives.asymmetric import ec
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    with pytest.raises(ValueError):
        load_private_key(pem)


def test_module_constants_match_the_specs():
    assert open_badge.VC_CONTEXT == "https://www.w3.org/ns/credentials/v2"
    assert open_badge.OB_CONTEXT.endswith("/ob/v3p0/context-3.0.3.json")


def test_in_aws_the_signing_key_comes_from_ssm_parameter_store(badge_key_env, monkeypatch):
    """Every Lambda instance must sign with the same key: the deployed stage
    names a SecureString parameter (BADGE_KEY_PARAM), which wins over the
    environment."""
    import boto3
    from moto import mock_aws

    badge_key_env(base64.b64encode(b"\x01" * 32).decode())  # an env key that must not be used
    with mock_aws():
        boto3.client("ssm", region_name=settings().region).put_parameter(
            Name="/pix/test/badge-key", Type="SecureString",
            Value=base64.b64encode(_raw_private(KEY)).decode())
        monkeypatch.setenv("BADGE_KEY_PARAM", "/pix/test/badge-key")
        _clear_caches()
        assert _raw_private(signing_key()) == _raw_private(KEY)

"""The certificate as an Open Badges 3.0 credential, signed with Ed25519.

The credential is a W3C Verifiable Credential (data model 2.0, JSON-LD) of
type OpenBadgeCredential. Its embedded proof is a Data Integrity proof with
the `eddsa-jcs-2022` cryptosuite (W3C "Data Integrity EdDSA Cryptosuites
v1.0"): JCS (RFC 8785) canonical form of the document and of the proof
options, SHA-256 of each, Ed25519 signature of proofConfigHash ‖ documentHash,
written as a multibase base58-btc string ("z…"). The implementation
reproduces the W3C test vector (see tests/unit/test_open_badge.py).

Issuer and keys: `issuer.id` is `<site>/issuer`, which serves the issuer's
Open Badges Profile as a controlled identifier (controller) document
(`issuer_profile`: JSON-LD for machines, a page for people, chosen by the
Accept header). It holds the public key (`<site>/issuer#key-1`, the method new
proofs name) and lists it under `assertionMethod`, so a standard verifier
following verificationMethod -> controller -> assertionMethod finds the same
id it started from, and the issuer it checks against equals the controller.
Credentials issued before that have `issuer.id` = the site root and name
`<site>/.well-known/badge-key#key-1`: that key document is still served
(`public_key_document`), same key, `controller` = the site root as then, and
the site root answers a client asking for JSON-LD with the controller document
listing those ids (`legacy_controller_document`; people still get the home
page), so the chain holds for them too: their signed issuer is that controller.

JCS comes from `rfc8785` (Trail of Bits, pure Python, no dependency); base58
is a few lines here.
"""
from __future__ import annotations

import base64
import hashlib
import logging
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from chalicelib.documents import FRAMEWORK_NAME, ISSUER_NAME
from chalicelib.domain import status_list
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.certification.jury import NOT_EVALUATED
from chalicelib.domain.certification.scoring import LEVEL_LABELS, MAX_SCORE, score_cap
from chalicelib.domain.framework import (AREA_BY_CODE, COMPETENCES, MAX_LEVEL, MAX_OPEN_LEVEL,
                                         MAX_TOTAL_PIX)

log = logging.getLogger("pix.documents")

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"
ISSUER_PATH = "/issuer"
KEY_PATH = "/.well-known/badge-key"  # the key document of credentials issued before ISSUER_PATH
KEY_FRAGMENT = "#key-1"
BADGE_PATH = "/badges/certification-numerique"  # achievements: <site><BADGE_PATH>/niveau-<n>

# Multicodec prefixes (unsigned varint) of Ed25519 keys in a Multikey.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"


# --- the credential ---------------------------------------------------------

def build_credential(cert: Certificate, *, issuer_url: str, verify_url: str,
                     key: Ed25519PrivateKey | None = None,
                     created: datetime | None = None,
                     status: tuple[str, int] | None = None) -> dict:
    """The signed OpenBadgeCredential of a validated certificate.

    `id` is the public verification URL; the holder is named as on the
    certificate (an IdentityObject of type "name", not hashed: the badge is
    meant to be shown). `key` defaults to `signing_key()`, `created` (the
    proof's timestamp) to now. `status`: the certificate's (list id, index) in
    a Bitstring Status List, written as `credentialStatus` so that verifiers
    learn of a later cancellation (`status_list_credential`).
    """
    if cert.status != "validated":
        raise ValueError(f"no badge for a certificate in status {cert.status!r}")
    if not cert.issued_at:
        raise ValueError("a certificate without issued_at cannot become a badge")
    site = issuer_url.rstrip("/")
    achievement = _achievement(cert, site)
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "description": (f"{cert.first_name} {cert.last_name} a obtenu un score global de "
                        f"{cert.global_score} / {MAX_TOTAL_PIX} (niveau {cert.level_label}) "
                        f"à la certification des compétences numériques."),
        "issuer": {"id": issuer_id(site), "type": ["Profile"], "name": ISSUER_NAME, "url": site},
        "validFrom": _timestamp(cert.issued_at),
        "awardedDate": _timestamp(cert.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": f"{cert.first_name} {cert.last_name}",
            }],
            "activityEndDate": _timestamp(cert.session_date),
            "achievement": achievement,
            "result": _results(cert, achievement["id"]),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if status is not None:
        credential["credentialStatus"] = status_entry(site, *status)
    return add_proof(credential, key or signing_key(),
                     verification_method=verification_method_id(site),
                     created=created or datetime.now(timezone.utc))


def _achievement(cert: Certificate, site: str) -> dict:
    achievement_id = f"{site}{BADGE_PATH}/niveau-{cert.level}"
    band = _score_band(cert.level_label)
    band_text = f" (score global de {band[0]} à {band[1]} sur {MAX_TOTAL_PIX})" if band else ""
    band_rule = (f"Le niveau « {cert.level_label} » correspond à un score global de "
                 f"{band[0]} à {band[1]} sur {MAX_TOTAL_PIX} ; " if band else "")
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"Certification des compétences numériques — {cert.level_label}",
        "description": (
            f"Certification des compétences numériques au niveau « {cert.level_label} »"
            f"{band_text}, selon le {FRAMEWORK_NAME} : 16 compétences réparties en "
            f"5 domaines, chacune évaluée de 0 à {MAX_LEVEL}."),
        "criteria": {"narrative": (
            "Passer le test de certification adaptatif en centre agréé, sous "
            "surveillance, après s'être positionné sur au moins 5 compétences. "
            f"{band_rule}chaque compétence reçoit un niveau de 0 à {MAX_LEVEL}. "
            f"Le score global s'exprime sur {MAX_TOTAL_PIX} pix (16 compétences × "
            f"{MAX_TOTAL_PIX // len(COMPETENCES)}) ; tant que le niveau {MAX_OPEN_LEVEL} est le "
            f"plus haut ouvert, il ne dépasse pas {score_cap(MAX_OPEN_LEVEL)}.")},
        "image": {"id": achievement_image_url(site, cert.level), "type": "Image",
                  "caption": f"Badge « {cert.level_label} »"},
        "inLanguage": "fr",
        "resultDescription": _result_descriptions(achievement_id),
    }
    if cert.certification_version:
        achievement["version"] = cert.certification_version
    return achievement


def _result_descriptions(achievement_id: str) -> list[dict]:
    descriptions = [
        {"id": f"{achievement_id}#score-global", "type": ["ResultDescription"],
         "name": f"Score global (sur {MAX_TOTAL_PIX})", "resultType": "ScaledScore",
         # the scale the platform states everywhere (description, page, PDF): pix out of
         # 16 competences × 64; the criteria say how far the open levels reach today
         "valueMin": "0", "valueMax": str(MAX_TOTAL_PIX)},
        {"id": f"{achievement_id}#niveau-global", "type": ["ResultDescription"],
         "name": "Niveau global", "resultType": "PerformanceLevel",
         "allowedValue": [label for _, label in LEVEL_LABELS]},
    ]
    for competence in COMPETENCES:
        area = AREA_BY_CODE[competence.area_code]
        descriptions.append({
            "id": f"{achievement_id}#competence-{competence.code}",
            "type": ["ResultDescription"],
            "name": f"{competence.code} {competence.title} ({area.title})",
            "resultType": "PerformanceLevel",
            "valueMin": "0", "valueMax": str(MAX_LEVEL),
        })
    return descriptions


def _results(cert: Certificate, achievement_id: str) -> list[dict]:
    results = [
        {"type": ["Result"], "resultDescription": f"{achievement_id}#score-global",
         "value": str(cert.global_score)},
        {"type": ["Result"], "resultDescription": f"{achievement_id}#niveau-global",
         "value": cert.level_label},
    ]
    for competence in COMPETENCES:
        # a competence the test did not measure says so (« non évalué »), never "0"
        measured = cert.level_of(competence.code)
        value = NOT_EVALUATED if measured is None else str(max(0, min(measured, MAX_LEVEL)))
        results.append({"type": ["Result"],
                        "resultDescription": f"{achievement_id}#competence-{competence.code}",
                        "value": value})
    return results


def _score_band(label: str) -> tuple[int, int] | None:
    lows = [low for low, _ in LEVEL_LABELS] + [MAX_SCORE + 1]
    for i, (low, name) in enumerate(LEVEL_LABELS):
        if name == label:
            return low, lows[i + 1] - 1
    return None


# --- Bitstring Status List ------------------------------------------------------

STATUS_PATH = "/credentials/status"  # <site><STATUS_PATH>/<list id>: a status list credential


def status_list_url(site_url: str, list_id: str) -> str:
    return f"{site_url.rstrip('/')}{STATUS_PATH}/{list_id}"


def status_entry(site_url: str, list_id: str, index: int) -> dict:
    """A credential's BitstringStatusListEntry (revocation): its bit in the list."""
    url = status_list_url(site_url, list_id)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": status_list.PURPOSE, "statusListIndex": str(index),
            "statusListCredential": url}


def status_list_credential(site_url: str, list_id: str, revoked: list[int], *,
                           key: Ed25519PrivateKey | None = None,
                           created: datetime | None = None) -> dict:
    """The BitstringStatusListCredential served at `status_list_url`: issued and
    signed like the badges (same issuer, same key, eddsa-jcs-2022), so a verifier
    trusts the list exactly as far as the badge. `revoked`: its set bits."""
    site = site_url.rstrip("/")
    url = status_list_url(site, list_id)
    now = created or datetime.now(timezone.utc)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(site),
        "validFrom": _timestamp(now),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": status_list.PURPOSE,
                              "encodedList": status_list.encode(revoked)},
    }
    return add_proof(credential, key or signing_key(), verification_method=verification_method_id(site),
                     created=now)


# --- the achievement's image ----------------------------------------------------

# one colour per level 0..8, from light to deep blue: wallets show the badge small
_LEVEL_COLOURS = ("#8a94a6", "#4f9fd9", "#3d8fd0", "#2f7fc4", "#246fb6",
                  "#1b5fa6", "#154f94", "#104080", "#0b316b")


def achievement_image_url(site_url: str, level: int) -> str:
    return f"{site_url.rstrip('/')}{BADGE_PATH}/niveau-{level}.svg"


def achievement_image_svg(level: int) -> str:
    """The badge of a level as an SVG, the same bytes on every call (wallets and
    caches may keep it; nothing in it depends on time, key or certificate).
    No script, no style element, no external reference: served with a CSP
    forbidding everything, it stays an image even when opened directly."""
    if not 0 <= level < len(LEVEL_LABELS):
        raise ValueError(f"no level {level}")
    label = escape(LEVEL_LABELS[level][1])
    colour = _LEVEL_COLOURS[level]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240" '
        f'role="img" aria-label="Certification des compétences numériques, niveau {label}">\n'
        f'<circle cx="120" cy="120" r="112" fill="{colour}"/>\n'
        '<circle cx="120" cy="120" r="98" fill="none" stroke="#ffffff" stroke-width="4"/>\n'
        '<text x="120" y="84" text-anchor="middle" font-family="sans-serif" font-size="18" '
        'fill="#ffffff">Compétences</text>\n'
        '<text x="120" y="106" text-anchor="middle" font-family="sans-serif" font-size="18" '
        'fill="#ffffff">numériques</text>\n'
        f'<text x="120" y="150" text-anchor="middle" font-family="sans-serif" font-size="22" '
        f'font-weight="bold" fill="#ffffff">{label}</text>\n'
        '<text x="120" y="180" text-anchor="middle" font-family="sans-serif" font-size="14" '
        'fill="#ffffff">Certifié</text>\n'
        '</svg>\n')


# --- eddsa-jcs-2022 -----------------------------------------------------------

def add_proof(document: dict, key: Ed25519PrivateKey, *, verification_method: str,
              created: datetime) -> dict:
    """`document` with an embedded eddsa-jcs-2022 DataIntegrityProof (a new dict)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:  # step 2 of "Create Proof (eddsa-jcs-2022)"
        proof["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


def verify_credential(credential: dict, public_key) -> bool:
    """True when `credential` carries a valid eddsa-jcs-2022 proof by `public_key`.

    `public_key`: an Ed25519PublicKey, its 32 raw bytes, a `publicKeyMultibase`
    ("z6Mk…") or a `publicKeyJwk`. Offline: the verification method is not
    fetched, the caller chooses the key (an unusable key raises TypeError or
    ValueError). Stricter than the cryptosuite, which
    accepts a document whose @context merely starts with the proof's: here any
    change to the document fails.
    """
    key = _public_key(public_key)  # a bad key is the caller's bug: it raises
    try:
        proof = credential.get("proof")
        if not isinstance(proof, dict):
            return False
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        if (options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE
                or options.get("proofPurpose") != PROOF_PURPOSE
                or ("created" in options and not _is_timestamp(options["created"]))):
            return False
        unsecured = {k: v for k, v in credential.items() if k != "proof"}
        if "@context" in options and options["@context"] != unsecured.get("@context"):
            return False
        proof_value = proof.get("proofValue")
        if not isinstance(proof_value, str) or not proof_value.startswith("z"):
            return False
        signature = b58decode(proof_value[1:])
        if len(signature) != 64:
            return False
        key.verify(signature, _hash_data(unsecured, options))
        return True
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return False  # rfc8785.CanonicalizationError is a ValueError


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    """SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document)): what Ed25519 signs."""
    return (hashlib.sha256(rfc8785.dumps(proof_config)).digest()
            + hashlib.sha256(rfc8785.dumps(unsecured)).digest())


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value."""
    return rfc8785.dumps(value)


# --- keys ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def signing_key() -> Ed25519PrivateKey:
    """The issuer's Ed25519 private key, loaded once per process (cold start).

    A PKCS#8 PEM, or the 32 raw bytes of the private key in base64, from SSM
    Parameter Store in AWS (BADGE_KEY_PARAM) or the environment locally
    (BADGE_PRIVATE_KEY), through chalicelib.services.secrets. When nothing
    is configured (local runs, tests) a key is generated for this process:
    badges signed with it stop verifying once the process ends, as its public
    key document changes with it; a deployed stage always names a parameter.
    """
    from chalicelib.services.secrets import badge_private_key  # the one place secrets are read

    configured = badge_private_key()
    if configured:
        return load_private_key(configured)
    log.warning("no badge key configured: badges are signed with a per-process key")
    return Ed25519PrivateKey.generate()


def load_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM, or from base64 (standard or URL-safe) raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the badge key must be an Ed25519 key")
        return key
    raw = base64.b64decode(_pad(text.replace("-", "+").replace("_", "/")), validate=True)
    if len(raw) != 32:
        raise ValueError("a raw Ed25519 private key is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def issuer_id(site_url: str) -> str:
    """The issuer's id, a URL that serves its profile (never the HTML home page)."""
    return f"{site_url.rstrip('/')}{ISSUER_PATH}"


def verification_method_id(site_url: str) -> str:
    """The key new proofs name: in the issuer profile, so its controller is the issuer."""
    return f"{issuer_id(site_url)}{KEY_FRAGMENT}"


def legacy_verification_method_id(site_url: str) -> str:
    """The key credentials issued before the issuer profile name (still served)."""
    return f"{site_url.rstrip('/')}{KEY_PATH}{KEY_FRAGMENT}"


def _key_methods(document_id: str, controller: str, public: Ed25519PublicKey) -> list[dict]:
    """The public key twice, as a Multikey (`#key-1`, the one proofs name) and as a
    JsonWebKey (`#key-1-jwk`): the CID spec forbids both forms in one method."""
    return [{"id": f"{document_id}{KEY_FRAGMENT}", "type": "Multikey", "controller": controller,
             "publicKeyMultibase": public_key_multibase(public)},
            {"id": f"{document_id}{KEY_FRAGMENT}-jwk", "type": "JsonWebKey",
             "controller": controller, "publicKeyJwk": public_key_jwk(public)}]


def issuer_profile(site_url: str, key: Ed25519PrivateKey | None = None) -> dict:
    """The JSON-LD served at `<site>/issuer`: the Open Badges 3.0 Profile of the
    issuer and, in the same document, its controller document (CID 1.0).

    A verifier dereferences a proof's verificationMethod, reads its `controller`,
    fetches that and requires the method among its `assertionMethod`; a VC
    verifier also requires the credential's issuer to be that controller. Both
    hold when the issuer id, this document's id and every key's controller are
    one URL. (The legacy key's controller is the site root:
    `legacy_controller_document`.)"""
    site = site_url.rstrip("/")
    own = issuer_id(site)
    methods = _key_methods(own, own, (key or signing_key()).public_key())
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, CID_CONTEXT],
        "id": own,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": site,
        "description": (f"Émetteur des certificats de compétences numériques ({FRAMEWORK_NAME}) "
                        "délivrés en Open Badges 3.0 signés (Ed25519)."),
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def public_key_document(site_url: str, key: Ed25519PrivateKey | None = None) -> dict:
    """The JSON served at `<site>/.well-known/badge-key`, the key document of
    credentials issued before the issuer profile: same key, same method ids and
    same `controller` as then, the site root, which was those credentials'
    signed `issuer.id` (a VC verifier requires issuer = controller) and which
    serves `legacy_controller_document` to clients asking for JSON-LD."""
    site = site_url.rstrip("/")
    document_id = f"{site}{KEY_PATH}"
    methods = _key_methods(document_id, site, (key or signing_key()).public_key())
    return {
        "@context": [CID_CONTEXT],
        "id": document_id,
        "controller": site,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def legacy_controller_document(site_url: str, key: Ed25519PrivateKey | None = None) -> dict:
    """What the site root answers a client asking for JSON-LD: the controller
    document of the key credentials issued before the issuer profile name. Their
    `issuer.id` is the site root (signed, so unchangeable), their proof names
    `<site>/.well-known/badge-key#key-1`; a verifier fetches that method, then its
    controller (this document), requires the method under `assertionMethod` and
    the issuer to be this id: all three hold, so those credentials verify as
    they did when issued. The methods are embedded too (same key)."""
    site = site_url.rstrip("/")
    methods = _key_methods(f"{site}{KEY_PATH}", site, (key or signing_key()).public_key())
    return {
        "@context": [CID_CONTEXT],
        "id": site,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def public_key_multibase(public: Ed25519PublicKey) -> str:
    return "z" + b58encode(ED25519_PUB_PREFIX + _raw(public))


def public_key_jwk(public: Ed25519PublicKey) -> dict:
    x = base64.urlsafe_b64encode(_raw(public)).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def _public_key(value) -> Ed25519PublicKey:
    if isinstance(value, Ed25519PublicKey):
        return value
    if isinstance(value, Ed25519PrivateKey):
        return value.public_key()
    if isinstance(value, (bytes, bytearray)):
        return Ed25519PublicKey.from_public_bytes(bytes(value))
    if isinstance(value, str) and value.startswith("z"):
        raw = b58decode(value[1:])
        if raw[:2] != ED25519_PUB_PREFIX:
            raise ValueError("not an Ed25519 Multikey")
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    if isinstance(value, dict) and value.get("kty") == "OKP" and value.get("crv") == "Ed25519":
        return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(_pad(value["x"])))
    raise TypeError("unsupported public key")


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


# --- base58-btc (Bitcoin alphabet), for multibase "z" ------------------------

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(B58_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        if ch not in _B58_INDEX:
            raise ValueError(f"not a base58 character: {ch!r}")
        number = number * 58 + _B58_INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


# --- dates --------------------------------------------------------------------

def _timestamp(value: datetime | str) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: "2026-06-20T09:30:00Z".

    A bare date ("2026-06-15") is taken as midnight UTC; a naive datetime as UTC.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_timestamp(value) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False

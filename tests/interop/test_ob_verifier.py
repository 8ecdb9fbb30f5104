"""Our Open Badges checked by an implementation that is not ours.

Digital Bazaar's `@digitalbazaar/vc`, `data-integrity` and
`eddsa-jcs-2022-cryptosuite` (the libraries behind common VC verifiers), run
under Node, verify a credential signed by the app's key against the documents
the app serves at `/issuer` and `/.well-known/badge-key`: signature, proof
options, the method under the controller's assertionMethod, and the credential's
issuer equal to that controller; and `vc-bitstring-status-list` reads the
credential's status: it fetches the status list credential the app serves at
`/credentials/status/<list>`, verifies its proof and issuer, and reads the bit.
The locked packages (package-lock.json) are
installed once into tests/interop/ob_verifier/node_modules (ignored by git).
Skipped only when Node or npm is missing.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from chalicelib.config import settings
from chalicelib.documents import open_badge
from tests.api.helpers import call
from tests.unit.test_open_badge import certificate

VERIFIER = Path(__file__).resolve().parent / "ob_verifier"
NODE, NPM = shutil.which("node"), shutil.which("npm")
pytestmark = pytest.mark.skipif(NODE is None or NPM is None,
                                reason="Node.js and npm are needed to run the independent verifier")


@pytest.fixture(scope="module")
def verifier() -> Path:
    if not (VERIFIER / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        done = subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=VERIFIER,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"npm ci failed in {VERIFIER}: {done.stderr[-2000:]}"
    return VERIFIER / "verify.mjs"


def run(verifier: Path, cases: list[dict]) -> list[dict]:
    done = subprocess.run([NODE, str(verifier)], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_an_independent_verifier_accepts_our_badge_as_served(client, verifier):
    base = settings().public_base_url
    served = {}
    for path in ("/issuer", "/.well-known/badge-key", "/"):
        response = call(client, "GET", path, headers={"Accept": "application/ld+json"})
        assert response.status_code == 200
        served[(base + path).rstrip("/")] = json.loads(response.body)
    list_id, index = "2026-12", 70_001
    list_url = open_badge.status_list_url(base, list_id)
    response = call(client, "GET", list_url.removeprefix(base))
    assert response.status_code == 200
    served[list_url] = json.loads(response.body)          # no certificate cancelled: no bit set
    badge = open_badge.build_credential(
        certificate(), issuer_url=base, verify_url=f"{base}/verification?code=P-B2C3D4F6",
        status=(list_id, index))
    assert badge["credentialStatus"]["statusListCredential"] == list_url

    tampered = copy.deepcopy(badge)
    tampered["credentialSubject"]["result"][0]["value"] = "999"
    not_asserted = copy.deepcopy(served)
    not_asserted[f"{base}/issuer"]["assertionMethod"] = []
    other_issuer = copy.deepcopy(served)
    other_issuer[f"{base}/issuer"]["id"] = base  # the site root, as before issue 21

    # a credential as issued before the issuer profile: issuer = the site root, proof
    # naming the key document's method (same key), no credentialStatus
    unsigned = {k: v for k, v in badge.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**badge["issuer"], "id": base, "url": base}
    legacy = open_badge.add_proof(
        unsigned, open_badge.signing_key(), created=datetime.now(timezone.utc),
        verification_method=open_badge.legacy_verification_method_id(base))

    # the list once the certificate is cancelled (its bit set), and a list whose bits
    # were changed by someone else than the issuer (signature no longer matches)
    revoked = {**served, list_url: open_badge.status_list_credential(base, list_id, [index])}
    forged = copy.deepcopy(served)
    forged[list_url]["credentialSubject"]["encodedList"] = \
        revoked[list_url]["credentialSubject"]["encodedList"]

    good, bad_signature, bad_purpose, bad_issuer, old, cancelled, forged_list = run(verifier, [
        {"credential": badge, "documents": served},
        {"credential": tampered, "documents": served},
        {"credential": badge, "documents": not_asserted},
        {"credential": badge, "documents": other_issuer},
        {"credential": legacy, "documents": served},
        {"credential": badge, "documents": revoked},
        {"credential": badge, "documents": forged},
    ])
    assert good == {"verified": True, "errors": [], "revoked": False}
    assert cancelled["verified"] and cancelled["revoked"] is True, cancelled
    assert not forged_list["verified"] and any("not verified" in e for e in forged_list["errors"]), forged_list
    assert not bad_signature["verified"] and "Invalid signature." in bad_signature["errors"]
    assert not bad_purpose["verified"] and any("not authorized by controller" in e
                                               for e in bad_purpose["errors"])
    assert not bad_issuer["verified"] and any("issuer must match" in e for e in bad_issuer["errors"])
    # the old key id still resolves, to the same key, controlled by the site root (the
    # old badges' signed issuer), whose JSON-LD lists it: old badges verify as issued
    assert old == {"verified": True, "errors": [], "revoked": None}

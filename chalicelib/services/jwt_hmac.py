"""PyJWT loaded for HMAC algorithms only, so a cold start does not import `cryptography`.

PyJWT's `jwt.algorithms` imports cryptography's RSA, EC, Ed25519/448 and X.509
modules whenever cryptography is installed (about 30 ms of a cold start), even
though our tokens are HS256 only (hmac + hashlib from the standard library).
cryptography must stay installed for the Open Badge Ed25519 proof, which
imports it on the credential routes and in the issuance job only. So PyJWT is
imported here with cryptography hidden for the duration of that one import:
its own `try: from cryptography ... except ModuleNotFoundError` then registers
HS256/384/512 and nothing that needs cryptography. If cryptography is already
loaded (a process that built a credential first), PyJWT is imported as usual:
HS256 behaves the same either way.
"""
from __future__ import annotations

import sys


def _import_pyjwt():
    if "jwt" in sys.modules or "cryptography" in sys.modules:
        import jwt

        return jwt
    sys.modules["cryptography"] = None  # makes `import cryptography...` raise ModuleNotFoundError
    try:
        import jwt
    finally:
        del sys.modules["cryptography"]
    return jwt


jwt = _import_pyjwt()

"""Documents issued for a certificate: the PDF attestation and the Open Badge.

Pure functions from a `Certificate` (and the URLs to print or sign) to bytes
or JSON; no storage, no HTTP. The service layer checks that the certificate is
validated and published before calling them.
"""
from __future__ import annotations

ISSUER_NAME = "Certification des compétences numériques"
FRAMEWORK_NAME = "Cadre de référence des compétences numériques (CRCN)"

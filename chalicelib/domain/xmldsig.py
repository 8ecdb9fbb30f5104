"""XML signatures (XML-DSig) as SAML identity providers make them, checked
with `cryptography` and the standard library: one narrow, strict profile.

Why not signxml or python3-saml: both stand on lxml (and python3-saml on
xmlsec, a C library the Lambda image does not have); neither is in the
project's environment. The profile below is what SAML 2.0 identity providers
(the GAR among them) send, and everything outside it is refused rather than
interpreted, which is also how signature-wrapping attacks are kept out:

- an *enveloped* signature, a direct child of the signed element, and only one;
- `SignedInfo`: exclusive canonicalisation (`xml-exc-c14n#`, no comments, no
  `InclusiveNamespaces` prefix list), RSA-SHA256, exactly one `Reference`
  whose URI is `#` + the signed element's `ID`, transforms exactly
  enveloped-signature then exclusive c14n, digest SHA-256;
- the key is the configured certificate's, never one carried in `KeyInfo`;
- the element the caller reads is the element that was verified (the caller
  passes it; `ID`s must be unique in the document).

Canonicalisation: the standard library's C14N 2.0 writer
(`xml.etree.ElementTree.C14NWriterTarget`) declares a namespace only where it
is visibly used, which is exclusive C14N 1.0's rule; it is fed the parse events
of the signed element alone (plus the namespaces its ancestors put in scope,
so a prefix declared on the `Response` resolves), with the enveloped
`Signature` left out. Two corners where the two specifications differ are
outside the profile: `xmlns=""` undeclarations and `InclusiveNamespaces`.
Parsing goes through defusedxml (no DTD, no entity).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Callable

from defusedxml.ElementTree import DefusedXMLParser

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SIGNATURE = f"{{{DS}}}Signature"
SIGNED_INFO = f"{{{DS}}}SignedInfo"


class SignatureRefused(Exception):
    """The signature is missing, outside the profile, or does not verify.
    `code` names the case; the message is French (shown to the user)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


Match = Callable[[list, str, dict], bool]


class _Subtree:
    """Parser target passing to a C14N writer only the first element `match`
    accepts (given its ancestors' (tag, attrs), its tag and attrs), with the
    namespaces in scope there, and without the element's direct `ds:Signature`
    child when `enveloped`."""

    def __init__(self, inner: ET.C14NWriterTarget, match: Match, *, enveloped: bool):
        self.inner, self.match, self.enveloped = inner, match, enveloped
        self.ancestors: list[tuple[str, dict]] = []
        self.scopes: list[dict[str, str]] = []
        self.pending: dict[str, str] = {}
        self.depth = 0            # > 0: inside the chosen element
        self.skip = 0             # > 0: inside its enveloped signature
        self.done = False
        self.found = False

    def start_ns(self, prefix, uri):
        self.pending[prefix or ""] = uri

    def start(self, tag, attrs):
        declared, self.pending = self.pending, {}
        if self.depth:
            if self.skip or (self.enveloped and self.depth == 1 and tag == SIGNATURE):
                self.skip += 1
                return
            for prefix, uri in declared.items():
                self.inner.start_ns(prefix, uri)
            self.inner.start(tag, attrs)
            self.depth += 1
            return
        if not self.done and self.match(self.ancestors, tag, attrs):
            in_scope: dict[str, str] = {}
            for scope in self.scopes:
                in_scope.update(scope)
            in_scope.update(declared)
            for prefix, uri in in_scope.items():
                self.inner.start_ns(prefix, uri)
            self.inner.start(tag, attrs)
            self.depth, self.found = 1, True
            return
        self.ancestors.append((tag, attrs))
        self.scopes.append(declared)

    def end(self, tag):
        if self.depth:
            if self.skip:
                self.skip -= 1
                return
            self.inner.end(tag)
            self.depth -= 1
            if not self.depth:
                self.done = True
            return
        self.ancestors.pop()
        self.scopes.pop()

    def data(self, text):
        if self.depth and not self.skip:
            self.inner.data(text)

    def comment(self, text):
        pass  # c14n without comments

    def pi(self, target, data):
        if self.depth and not self.skip:
            self.inner.pi(target, data)

    def close(self):
        return None


def canonical_subtree(raw: bytes, match: Match, *, enveloped: bool) -> bytes:
    """Exclusive canonical form of the element `match` picks (see the module)."""
    out: list[str] = []
    target = _Subtree(ET.C14NWriterTarget(out.append), match, enveloped=enveloped)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    parser.feed(raw)
    parser.close()
    if not target.found:
        raise SignatureRefused("signature_invalid", "Élément signé introuvable.")
    return "".join(out).encode("utf-8")


def element_match(tag: str, element_id: str, parent_tags: tuple[str, ...]) -> Match:
    """The element `tag` with this ID whose ancestors' tags end with `parent_tags`."""
    def match(ancestors, t, attrs):
        return (t == tag and attrs.get("ID") == element_id
                and tuple(a[0] for a in ancestors[-len(parent_tags):]) == parent_tags
                and len(ancestors) == len(parent_tags))
    return match


def signed_info_match(tag: str, element_id: str, parent_tags: tuple[str, ...]) -> Match:
    """The `SignedInfo` of the enveloped signature of the element `tag` with this ID."""
    def match(ancestors, t, attrs):
        if t != SIGNED_INFO or len(ancestors) != len(parent_tags) + 2:
            return False
        owner, signature = ancestors[-2], ancestors[-1]
        return (signature[0] == SIGNATURE and owner[0] == tag and owner[1].get("ID") == element_id
                and tuple(a[0] for a in ancestors[:-2]) == parent_tags)
    return match


def _one(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.findall(tag)
    if len(found) != 1:
        raise SignatureRefused("signature_unsupported", "Signature XML hors du profil accepté.")
    return found[0]


def _algorithm(parent: ET.Element, tag: str, expected: str) -> ET.Element:
    node = _one(parent, tag)
    if node.get("Algorithm") != expected or len(node):
        raise SignatureRefused("signature_unsupported",
                               "Algorithme de signature XML non accepté (attendu : RSA-SHA256, "
                               "canonicalisation exclusive).")
    return node


def verify_enveloped(raw: bytes, element: ET.Element, parent_tags: tuple[str, ...],
                     certificate_pem: str) -> None:
    """Check `element`'s enveloped signature against the certificate's key.

    `element` is the parsed element the caller will read; `parent_tags` are the
    tags of its ancestors from the root, so the bytes verified are those of
    that very element and no other one with the same ID elsewhere."""
    element_id = element.get("ID") or ""
    signatures = element.findall(SIGNATURE)
    if not signatures:
        raise SignatureRefused("unsigned", "L'assertion n'est pas signée.")
    if len(signatures) > 1 or len(element.findall(f".//{SIGNATURE}")) != 1:
        raise SignatureRefused("signature_unsupported", "Signature XML hors du profil accepté.")
    signature = signatures[0]
    signed_info = _one(signature, SIGNED_INFO)
    _algorithm(signed_info, f"{{{DS}}}CanonicalizationMethod", EXC_C14N)
    _algorithm(signed_info, f"{{{DS}}}SignatureMethod", RSA_SHA256)
    reference = _one(signed_info, f"{{{DS}}}Reference")
    if not element_id or reference.get("URI") != f"#{element_id}":
        raise SignatureRefused("signature_invalid", "La signature ne porte pas sur l'assertion.")
    transforms = [t.get("Algorithm") for t in _one(reference, f"{{{DS}}}Transforms")]
    if transforms != [ENVELOPED, EXC_C14N] or any(
            len(t) for t in _one(reference, f"{{{DS}}}Transforms")):
        raise SignatureRefused("signature_unsupported", "Transformations de signature non acceptées.")
    _algorithm(reference, f"{{{DS}}}DigestMethod", SHA256)
    try:
        digest = base64.b64decode(_one(reference, f"{{{DS}}}DigestValue").text or "", validate=False)
        value = base64.b64decode("".join((_one(signature, f"{{{DS}}}SignatureValue").text or "").split()))
    except (binascii.Error, ValueError):
        raise SignatureRefused("signature_invalid", "Signature XML illisible.")

    content = canonical_subtree(raw, element_match(element.tag, element_id, parent_tags), enveloped=True)
    if not hmac.compare_digest(hashlib.sha256(content).digest(), digest):
        raise SignatureRefused("signature_invalid",
                               "L'assertion a été modifiée après sa signature.")
    canonical_info = canonical_subtree(raw, signed_info_match(element.tag, element_id, parent_tags),
                                       enveloped=False)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = public_key(certificate_pem)
    try:
        key.verify(value, canonical_info, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureRefused("signature_invalid",
                               "La signature de l'assertion ne correspond pas au certificat du GAR.")


def public_key(certificate_pem: str) -> rsa.RSAPublicKey:
    """The RSA key of the configured certificate (PEM, or its bare base64 body
    as metadata files carry it). `cryptography` is imported here, not at the
    top: `import app` stays light on cold start (tests/infra/test_cold_start.py)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    text = certificate_pem.strip()
    if "BEGIN CERTIFICATE" not in text:
        text = "-----BEGIN CERTIFICATE-----\n" + "".join(text.split()) + "\n-----END CERTIFICATE-----\n"
    key = x509.load_pem_x509_certificate(text.encode("ascii")).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRefused("signature_unsupported", "Certificat du GAR non RSA.")
    return key

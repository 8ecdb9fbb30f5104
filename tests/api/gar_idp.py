"""A local test identity provider standing for the GAR: a key and self-signed
certificate made in the test, and SAML Responses whose assertion signxml's
XMLSigner signs with them (enveloped, exclusive c14n, RSA-SHA256, SHA-256, the
certificate in KeyInfo as identity providers send it), or broken on purpose."""
from __future__ import annotations

import base64
import datetime as dt
import uuid
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from chalicelib.domain.saml import DS, EXC_C14N, SAML, SAMLP

IDP_ENTITY_ID = "https://idp-gar.test.invalid/idp"
IDP_SSO_URL = "https://idp-gar.test.invalid/saml/sso"
IDP_SLO_URL = "https://idp-gar.test.invalid/saml/slo"
BASE = "http://127.0.0.1:8000"
SP_ENTITY_ID = f"{BASE}/gar/metadata"
ACS_URL = f"{BASE}/gar/acs"
SLO_URL = f"{BASE}/gar/slo"
PLACEHOLDER = f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>'


class TestIdp:
    __test__ = False

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "GAR de test")])
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
                .sign(self.key, hashes.SHA256()))
        self.certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
        self.key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode("ascii")

    def response(self, in_response_to: str, *, ido="ido-lea-0001", uai="0750001A",
                 profile="National_elv", last="Dupont", first="Léa", division="3A##3e A",
                 birth_date: str | None = None, audience=SP_ENTITY_ID, recipient=ACS_URL,
                 lifetime=300, issued_offset=0, sign=True, signer: "TestIdp | None" = None, tamper=None,
                 extra_assertion=False, name_id: str | None = None,
                 session_index: str = "_s-session-1", encrypt_for: str | None = None,
                 data_algorithm="aes128-gcm", key_algorithm="rsa-oaep-mgf1p") -> str:
        """A base64 SAMLResponse as the GAR posts it; `signer` another IdP
        (other key and certificate); `tamper(xml) -> xml` edits it after signing;
        `extra_assertion` adds a second, unsigned assertion after the signed one
        ("after") or a forged one carrying the genuine signature before it ("before")."""
        now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=issued_offset)
        iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        until = iso(now + dt.timedelta(seconds=lifetime))
        assertion_id = "_a" + uuid.uuid4().hex
        attributes = [("IDO", ido), ("UAI", uai), ("PRO", profile), ("NOM", last), ("PRE", first),
                      ("DIV", division)]
        if birth_date:
            attributes.append(("DATE_NAISSANCE", birth_date))
        attrs = "".join(
            f'<saml:Attribute Name="{n}"><saml:AttributeValue xsi:type="xs:string">{escape(v)}'
            f'</saml:AttributeValue></saml:Attribute>' for n, v in attributes)
        assertion = (
            f'<saml:Assertion xmlns:saml="{SAML}" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{assertion_id}" '
            f'Version="2.0" IssueInstant="{iso(now)}">'
            f'<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer><ds:Signature xmlns:ds="{DS}" Id="placeholder"/>'
            f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">'
            f'{name_id or "_t" + uuid.uuid4().hex}</saml:NameID>'
            f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}" '
            f'InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{iso(now - dt.timedelta(seconds=30))}" NotOnOrAfter="{until}">'
            f'<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>'
            f'</saml:AudienceRestriction></saml:Conditions>'
            f'<saml:AuthnStatement AuthnInstant="{iso(now)}" SessionIndex="{session_index}">'
            f'<saml:AuthnContext>'
            f'<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified'
            f'</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
            f'<saml:AttributeStatement>{attrs}</saml:AttributeStatement></saml:Assertion>')
        evil = (assertion.replace(assertion_id, "_evil").replace(ido, "ido-evil")
                .replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>', ""))
        if sign:
            assertion = (signer or self).sign(assertion, assertion_id)
        else:
            assertion = assertion.replace(f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>', "")
        if extra_assertion == "before":
            # signature wrapping, the classic order: a forged assertion first,
            # carrying the genuine signature (which still references the genuine
            # assertion, moved after it without its signature)
            start = assertion.index("<ds:Signature")
            end = assertion.index("</ds:Signature>") + len("</ds:Signature>")
            issuer_end = evil.index("</saml:Issuer>") + len("</saml:Issuer>")
            evil = evil[:issuer_end] + assertion[start:end] + evil[issuer_end:]
            assertion = evil + assertion[:start] + assertion[end:]
        elif extra_assertion:             # signature wrapping: a second, unsigned assertion
            assertion = assertion + evil
        if encrypt_for:
            assertion = encrypted_assertion(assertion, encrypt_for, data_algorithm, key_algorithm)
        xml = (f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" '
               f'Version="2.0" IssueInstant="{iso(now)}" Destination="{recipient}" '
               f'InResponseTo="{in_response_to}"><saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>'
               f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
               f'</samlp:Status>{assertion}</samlp:Response>')
        if tamper:
            xml = tamper(xml)
        return base64.b64encode(xml.encode("utf-8")).decode("ascii")

    def sign(self, assertion: str, assertion_id: str) -> str:
        """The assertion signed in place of its `ds:Signature` placeholder."""
        from lxml import etree
        from signxml import XMLSigner, methods

        signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                           digest_algorithm="sha256", c14n_algorithm=EXC_C14N)
        signed = signer.sign(etree.fromstring(assertion.encode("utf-8")), key=self.key,
                             cert=self.certificate_pem, reference_uri=assertion_id,
                             id_attribute="ID")
        return etree.tostring(signed, encoding="unicode")

    def logout_request(self, name_id: str, session_indexes=("_s-session-1",), *,
                       destination=SLO_URL, issued_offset=0, sign=True,
                       signer: "TestIdp | None" = None) -> str:
        """A base64 LogoutRequest as the GAR posts it to our logout service."""
        now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=issued_offset)
        request_id = "_l" + uuid.uuid4().hex
        indexes = "".join(f"<samlp:SessionIndex>{i}</samlp:SessionIndex>" for i in session_indexes)
        xml = (f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{request_id}" '
               f'Version="2.0" IssueInstant="{now.strftime("%Y-%m-%dT%H:%M:%SZ")}" '
               f'Destination="{destination}"><saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>'
               f'{PLACEHOLDER}<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:'
               f'transient">{escape(name_id)}</saml:NameID>{indexes}</samlp:LogoutRequest>')
        return self._post(xml, request_id, sign, signer)

    def logout_response(self, in_response_to: str, *, sign=True, destination=SLO_URL) -> str:
        """A base64 LogoutResponse of the GAR to our LogoutRequest."""
        now = dt.datetime.now(dt.timezone.utc)
        response_id = "_m" + uuid.uuid4().hex
        xml = (f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" '
               f'Version="2.0" IssueInstant="{now.strftime("%Y-%m-%dT%H:%M:%SZ")}" '
               f'Destination="{destination}" InResponseTo="{in_response_to}">'
               f'<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>{PLACEHOLDER}'
               f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
               f'</samlp:Status></samlp:LogoutResponse>')
        return self._post(xml, response_id, sign, None)

    def _post(self, xml: str, element_id: str, sign: bool, signer: "TestIdp | None") -> str:
        xml = (signer or self).sign(xml, element_id) if sign else xml.replace(PLACEHOLDER, "")
        return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def read_redirect(url: str, certificate_pem: str) -> tuple[str, dict[str, str]]:
    """The XML message of an HTTP-Redirect URL and its parameters, after
    checking its signature (saml-bindings §3.4.4.1) with `certificate_pem`:
    what the GAR does with our logout messages. Raises if it does not verify."""
    import zlib
    from urllib.parse import parse_qsl, urlsplit

    from cryptography.hazmat.primitives.asymmetric import padding

    query = urlsplit(url).query
    signed, _, signature = query.rpartition("&Signature=")
    params = dict(parse_qsl(query))
    assert params["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    cert.public_key().verify(base64.b64decode(params["Signature"]), signed.encode("ascii"),
                             padding.PKCS1v15(), hashes.SHA256())
    message = params.get("SAMLRequest") or params["SAMLResponse"]
    return zlib.decompress(base64.b64decode(message), -15).decode("utf-8"), params


def encrypted_assertion(assertion_xml: str, certificate_pem: str, data_algorithm: str,
                        key_algorithm: str) -> str:
    """An EncryptedAssertion as an IdP makes it (XML Encryption 1.1, the key in
    KeyInfo): a fresh AES key wraps the assertion (GCM: IV, ciphertext, tag;
    CBC, for the refusal: IV, padded ciphertext), RSA-OAEP wraps the key for
    `certificate_pem`'s holder."""
    import os

    from cryptography.hazmat.primitives import padding as sym_padding
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    xenc, xenc11 = "http://www.w3.org/2001/04/xmlenc#", "http://www.w3.org/2009/xmlenc11#"
    plaintext = assertion_xml.encode("utf-8")
    size = 32 if "256" in data_algorithm else 16
    key = os.urandom(size)
    if data_algorithm.endswith("gcm"):
        iv = os.urandom(12)
        cipher = iv + AESGCM(key).encrypt(iv, plaintext, None)
        data_uri = xenc11 + data_algorithm
    else:
        iv = os.urandom(16)
        padder = sym_padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        cipher = iv + encryptor.update(padded) + encryptor.finalize()
        data_uri = xenc + data_algorithm
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).public_key()
    if key_algorithm == "rsa-oaep":          # xmlenc 1.1, SHA-256 digest and MGF1-SHA-256
        wrapped = public_key.encrypt(key, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                       algorithm=hashes.SHA256(), label=None))
        key_method = (f'<xenc:EncryptionMethod Algorithm="{xenc11}rsa-oaep">'
                      f'<ds:DigestMethod Algorithm="{xenc}sha256"/>'
                      f'<xenc11:MGF xmlns:xenc11="{xenc11}" Algorithm="{xenc11}mgf1sha256"/>'
                      '</xenc:EncryptionMethod>')
    else:
        wrapped = public_key.encrypt(key, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()),
                                                       algorithm=hashes.SHA1(), label=None))
        key_method = (f'<xenc:EncryptionMethod Algorithm="{xenc}rsa-oaep-mgf1p">'
                      f'<ds:DigestMethod Algorithm="{DS}sha1"/></xenc:EncryptionMethod>')
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return (f'<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="{xenc}" '
            f'Type="{xenc}Element"><xenc:EncryptionMethod Algorithm="{data_uri}"/>'
            f'<ds:KeyInfo xmlns:ds="{DS}"><xenc:EncryptedKey>{key_method}'
            f'<xenc:CipherData><xenc:CipherValue>{b64(wrapped)}</xenc:CipherValue></xenc:CipherData>'
            f'</xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{b64(cipher)}'
            '</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>')

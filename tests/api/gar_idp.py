"""A local test identity provider standing for the GAR: a key and self-signed
certificate made in the test, and SAML Responses signed with them (enveloped,
exclusive c14n, RSA-SHA256) or broken on purpose."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from chalicelib.domain import xmldsig
from chalicelib.domain.saml import SAML, SAMLP

IDP_ENTITY_ID = "https://idp-gar.test.invalid/idp"
IDP_SSO_URL = "https://idp-gar.test.invalid/saml/sso"
BASE = "http://127.0.0.1:8000"
SP_ENTITY_ID = f"{BASE}/gar/metadata"
ACS_URL = f"{BASE}/gar/acs"


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

    def response(self, in_response_to: str, *, ido="ido-lea-0001", uai="0750001A",
                 profile="National_elv", last="Dupont", first="Léa", division="3A##3e A",
                 birth_date: str | None = None, audience=SP_ENTITY_ID, recipient=ACS_URL,
                 lifetime=300, issued_offset=0, sign=True, key=None, tamper=None,
                 extra_assertion=False) -> str:
        """A base64 SAMLResponse as the GAR posts it; `tamper(xml) -> xml` edits
        it after signing."""
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
            f'<saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{assertion_id}" '
            f'Version="2.0" IssueInstant="{iso(now)}">'
            f'<saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>'
            f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">'
            f'_t{uuid.uuid4().hex}</saml:NameID>'
            f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}" '
            f'InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{iso(now - dt.timedelta(seconds=30))}" NotOnOrAfter="{until}">'
            f'<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>'
            f'</saml:AudienceRestriction></saml:Conditions>'
            f'<saml:AuthnStatement AuthnInstant="{iso(now)}"><saml:AuthnContext>'
            f'<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified'
            f'</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>'
            f'<saml:AttributeStatement>{attrs}</saml:AttributeStatement></saml:Assertion>')
        xml = (f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" '
               f'Version="2.0" IssueInstant="{iso(now)}" Destination="{recipient}" '
               f'InResponseTo="{in_response_to}"><saml:Issuer>{IDP_ENTITY_ID}</saml:Issuer>'
               f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
               f'</samlp:Status>{assertion}</samlp:Response>')
        if sign:
            xml = self._sign(xml, assertion_id, key or self.key)
        if extra_assertion:   # signature wrapping: a second, unsigned assertion
            xml = xml.replace("</samlp:Response>", assertion.replace(assertion_id, "_evil")
                              .replace(ido, "ido-evil") + "</samlp:Response>")
        if tamper:
            xml = tamper(xml)
        return base64.b64encode(xml.encode("utf-8")).decode("ascii")

    def _sign(self, xml: str, assertion_id: str, key) -> str:
        response_tag = f"{{{SAMLP}}}Response"
        assertion_tag = f"{{{SAML}}}Assertion"
        content = xmldsig.canonical_subtree(
            xml.encode("utf-8"), xmldsig.element_match(assertion_tag, assertion_id, (response_tag,)),
            enveloped=True)
        digest = base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")
        signature = (
            f'<ds:Signature xmlns:ds="{xmldsig.DS}"><ds:SignedInfo>'
            f'<ds:CanonicalizationMethod Algorithm="{xmldsig.EXC_C14N}"/>'
            f'<ds:SignatureMethod Algorithm="{xmldsig.RSA_SHA256}"/>'
            f'<ds:Reference URI="#{assertion_id}"><ds:Transforms>'
            f'<ds:Transform Algorithm="{xmldsig.ENVELOPED}"/>'
            f'<ds:Transform Algorithm="{xmldsig.EXC_C14N}"/></ds:Transforms>'
            f'<ds:DigestMethod Algorithm="{xmldsig.SHA256}"/><ds:DigestValue>{digest}</ds:DigestValue>'
            f'</ds:Reference></ds:SignedInfo><ds:SignatureValue>SIGNATURE</ds:SignatureValue>'
            f'</ds:Signature>')
        issuer_end = xml.index("</saml:Issuer>", xml.index("<saml:Assertion")) + len("</saml:Issuer>")
        xml = xml[:issuer_end] + signature + xml[issuer_end:]
        signed_info = xmldsig.canonical_subtree(
            xml.encode("utf-8"), xmldsig.signed_info_match(assertion_tag, assertion_id, (response_tag,)),
            enveloped=False)
        value = key.sign(signed_info, padding.PKCS1v15(), hashes.SHA256())
        return xml.replace("SIGNATURE", base64.b64encode(value).decode("ascii"), 1)

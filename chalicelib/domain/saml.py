"""SAML 2.0 Web SSO for the GAR (Gestionnaire d'accès aux ressources): the
platform is a service provider (SP), the GAR the identity provider (IdP).

Pure: the service passes the bytes, the configured certificate, our URLs and
the clock. Read here: the SP metadata and the AuthnRequest we send, and the
Response the browser posts back, accepted only when every rule holds (the
checks an SP must make, SAML 2.0 profiles §4.1.4.3 and §4.1.4.5):

- the Response is a success, to our ACS (`Destination`), and carries exactly
  one `Assertion`, issued by the configured IdP; or exactly one
  `EncryptedAssertion`, decrypted with our key (`_decrypt`) and then held to
  every rule below, signature first;
- that assertion is signed by the IdP's key, checked by signxml (unsigned,
  tampered or signed with another key: refused), and everything read from it
  (issuer, subject, conditions, attributes) is read from the element signxml
  returns as verified (`signed_xml`), never from the posted tree: signxml's
  defence against signature wrapping;
- a bearer `SubjectConfirmationData` whose `Recipient` is our ACS, which is
  still valid (`NotOnOrAfter`), and answers one of our requests (`InResponseTo`;
  the service checks we sent it, once);
- `Conditions` in their validity window and an `Audience` naming our entity id.

Clocks may differ by `CLOCK_SKEW` seconds. Replay (the same assertion posted
twice) is refused by the service, which keeps each assertion id until it
expires. Attributes: see `ATTRIBUTES`, with where each name was checked.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr



SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
CLOCK_SKEW = 180
MAX_RESPONSE_BYTES = 200_000
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
XMLENC = "http://www.w3.org/2001/04/xmlenc#"
XMLENC11 = "http://www.w3.org/2009/xmlenc11#"
DATA_ALGORITHMS = (XMLENC11 + "aes256-gcm", XMLENC11 + "aes128-gcm")
LOGOUT_TTL = 300              # a logout message is acted on within 5 minutes of being issued

# The GAR attribute names we read. The GAR's own specification for resources
# (its "documentation technique" for resource providers) is not public, so
# each name was checked against public code that reads GAR assertions:
# - IDO (opaque, stable id of the person for this resource), NOM, PRE: the
#   reference platform's default mapping, 1024pix/pix api/lib/config.js
#   `saml.attributeMapping` = {samlId: 'IDO', firstName: 'PRE', lastName: 'NOM'}
#   (documented in api/scripts/make-saml-env.js, "SAML_ATTRIBUTE_MAPPING");
# - UAI and PRO, with the values National_elv / National_ens: a GAR resource's
#   authenticator (IGN Édugéo, GarAuthenticator.php) lists what the GAR sends
#   it: IDO, idENT, IDC, LRA, PRO, UAI; National_doc (teacher-librarian): the
#   ENT side's profile constants (Open ENT NG mediacentre, GarConstants.java);
# - DIV (class, `code##label`) and DATE_NAISSANCE: NOT found in any public
#   source. They are read when present and never required: the reference
#   platform receives no birth date from the GAR (it asks the pupil at the
#   first sign-in). Without either, a pupil's first sign-in is refused
#   (gar_learner_not_found), see docs/gar.md "Attribute names".
ATTRIBUTES = {"id": "IDO", "school": "UAI", "profile": "PRO", "last_name": "NOM",
              "first_name": "PRE", "division": "DIV", "birth_date": "DATE_NAISSANCE"}
PUPIL_PROFILES = {"National_elv"}
TEACHER_PROFILES = {"National_ens", "National_doc"}


class SamlRefused(Exception):
    """A Response not accepted; `code` names the rule, the message is French."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class GarIdentity:
    ido: str
    uais: tuple[str, ...]
    profile: str
    last_name: str
    first_name: str
    divisions: tuple[str, ...]
    birth_date: str | None        # ISO, when the ENT sends it
    assertion_id: str
    issuer: str
    in_response_to: str
    expires_at: int               # epoch seconds: keep the assertion id until then
    name_id: str = ""             # the Subject's NameID and the AuthnStatement's SessionIndex:
    name_id_format: str = ""      # what a LogoutRequest names (single logout)
    session_index: str = ""

    @property
    def is_pupil(self) -> bool:
        return self.profile in PUPIL_PROFILES

    @property
    def is_teacher(self) -> bool:
        return self.profile in TEACHER_PROFILES


# --- what we send ------------------------------------------------------------------------------


def new_request_id() -> str:
    """An xsd:ID (must not start with a digit) nobody can guess."""
    return "_" + uuid.uuid4().hex


def authn_request(request_id: str, *, sp_entity_id: str, acs_url: str, idp_sso_url: str,
                  now: float) -> str:
    issued = _iso(now)
    return (f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{request_id}" '
            f'Version="2.0" IssueInstant="{issued}" Destination={quoteattr(idp_sso_url)} '
            f'ProtocolBinding="{HTTP_POST}" AssertionConsumerServiceURL={quoteattr(acs_url)}>'
            f'<saml:Issuer>{escape(sp_entity_id)}</saml:Issuer></samlp:AuthnRequest>')


def redirect_url(idp_sso_url: str, request_xml: str, relay_state: str | None) -> str:
    """HTTP-Redirect binding: raw DEFLATE, base64, URL-encoded (unsigned: our
    metadata says AuthnRequestsSigned="false"; the answer is what is checked)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(request_xml.encode("utf-8")) + compressor.flush()
    params = {"SAMLRequest": base64.b64encode(deflated).decode("ascii")}
    if relay_state:
        params["RelayState"] = relay_state
    return idp_sso_url + ("&" if "?" in idp_sso_url else "?") + urlencode(params)


def sp_metadata(*, sp_entity_id: str, acs_url: str, slo_url: str | None = None,
                certificate: str | None = None) -> str:
    """What the GAR registers for us: our entity id, the ACS (HTTP-POST), signed
    assertions wanted, transient name ids; with our key pair configured, our
    certificate (the GAR checks our logout messages with it and encrypts the
    assertions it sends us to it) and our single logout service (HTTP-POST)."""
    keys = ""
    if certificate:
        body = "".join(line for line in certificate.strip().splitlines() if "-----" not in line)
        info = (f'<ds:KeyInfo xmlns:ds="{DS}"><ds:X509Data><ds:X509Certificate>{body}'
                '</ds:X509Certificate></ds:X509Data></ds:KeyInfo>')
        keys = (f'<md:KeyDescriptor use="signing">{info}</md:KeyDescriptor>'
                f'<md:KeyDescriptor use="encryption">{info}'
                + "".join(f'<md:EncryptionMethod Algorithm="{a}"/>' for a in DATA_ALGORITHMS)
                + '</md:KeyDescriptor>')
    slo = (f'<md:SingleLogoutService Binding="{HTTP_POST}" Location={quoteattr(slo_url)}/>'
           if slo_url else "")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<md:EntityDescriptor xmlns:md="{MD}" entityID={quoteattr(sp_entity_id)}>'
            f'<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" '
            f'protocolSupportEnumeration="{SAMLP}">{keys}{slo}'
            '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>'
            f'<md:AssertionConsumerService Binding="{HTTP_POST}" Location={quoteattr(acs_url)} '
            'index="0" isDefault="true"/>'
            '</md:SPSSODescriptor></md:EntityDescriptor>\n')


# --- single logout (SAML 2.0 profiles §4.4) ------------------------------------------------------


def logout_request(request_id: str, *, sp_entity_id: str, idp_slo_url: str, name_id: str,
                   name_id_format: str, session_index: str, now: float) -> str:
    """Our LogoutRequest (saml-core §3.7.1): the NameID and SessionIndex of the
    GAR's assertion, so the GAR ends that session and no other."""
    fmt = f" Format={quoteattr(name_id_format)}" if name_id_format else ""
    index = (f"<samlp:SessionIndex>{escape(session_index)}</samlp:SessionIndex>"
             if session_index else "")
    return (f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{request_id}" '
            f'Version="2.0" IssueInstant="{_iso(now)}" Destination={quoteattr(idp_slo_url)} '
            f'NotOnOrAfter="{_iso(now + LOGOUT_TTL)}">'
            f'<saml:Issuer>{escape(sp_entity_id)}</saml:Issuer>'
            f'<saml:NameID{fmt}>{escape(name_id)}</saml:NameID>{index}</samlp:LogoutRequest>')


def logout_response(response_id: str, in_response_to: str, *, sp_entity_id: str,
                    idp_slo_url: str, now: float) -> str:
    """Our answer to the GAR's LogoutRequest: success (our session has ended)."""
    return (f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" '
            f'Version="2.0" IssueInstant="{_iso(now)}" Destination={quoteattr(idp_slo_url)} '
            f'InResponseTo={quoteattr(in_response_to)}>'
            f'<saml:Issuer>{escape(sp_entity_id)}</saml:Issuer>'
            f'<samlp:Status><samlp:StatusCode Value="{SUCCESS}"/></samlp:Status>'
            '</samlp:LogoutResponse>')


def signed_redirect_url(url: str, param: str, message_xml: str, relay_state: str | None,
                        key_pem: str) -> str:
    """HTTP-Redirect binding with its signature (saml-bindings §3.4.4.1): the
    query `SAMLRequest|SAMLResponse=…[&RelayState=…]&SigAlg=…`, exactly as it
    is sent, signed RSA-SHA256 with our key (cryptography), then `&Signature=`.
    Logout messages are signed, unlike our AuthnRequest: a forged one would end
    somebody's sessions."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(message_xml.encode("utf-8")) + compressor.flush()
    params = [(param, base64.b64encode(deflated).decode("ascii"))]
    if relay_state:
        params.append(("RelayState", relay_state))
    params.append(("SigAlg", RSA_SHA256))
    query = urlencode(params)
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    signature = key.sign(query.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    query += "&" + urlencode({"Signature": base64.b64encode(signature).decode("ascii")})
    return url + ("&" if "?" in url else "?") + query


@dataclass(frozen=True)
class LogoutMessage:
    """A verified LogoutRequest (`is_request`: the GAR ends a session) or
    LogoutResponse (its answer to ours)."""
    is_request: bool
    message_id: str
    issuer: str
    in_response_to: str           # a response: our request's id
    success: bool                 # a response: the GAR ended its session
    name_id: str                  # a request: whose sessions end
    session_indexes: tuple[str, ...]
    expires_at: int               # keep the message id (replay) until then


def read_logout(raw: bytes, *, idp_entity_id: str, idp_certificate: str, slo_url: str,
                now: float) -> LogoutMessage:
    """A LogoutRequest or LogoutResponse the GAR posted (HTTP-POST binding, our
    metadata's SingleLogoutService), accepted only signed by the GAR's key on
    the message itself (signxml, the same profile as assertions), from the GAR,
    to us (`Destination`), not expired; everything is read from the verified
    element."""
    root = _parse(raw)
    kind = {f"{{{SAMLP}}}LogoutRequest": True, f"{{{SAMLP}}}LogoutResponse": False}.get(root.tag)
    if kind is None:
        raise SamlRefused("saml_malformed", "Le document reçu n'est pas un message de déconnexion SAML.")
    message_id = root.get("ID") or ""
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    if not message_id or ids.count(message_id) != 1:
        raise SamlRefused("saml_malformed", "Identifiant de message absent ou en double.")
    if root.find(f"{{{DS}}}Signature") is None:
        raise SamlRefused("saml_unsigned", "Message de déconnexion non signé par le GAR.")
    message = _verified(raw, root.tag, message_id, idp_certificate, location="./")
    issuer = (_text(message, f"{{{SAML}}}Issuer") or "").strip()
    if issuer != idp_entity_id:
        raise SamlRefused("saml_wrong_issuer", "Message émis par un fournisseur d'identité inconnu.")
    destination = message.get("Destination")
    if destination is not None and destination != slo_url:
        raise SamlRefused("saml_wrong_recipient", "Message de déconnexion destiné à un autre service.")
    issued = _time(message.get("IssueInstant"))
    if issued is None or issued > now + CLOCK_SKEW or now >= issued + LOGOUT_TTL + CLOCK_SKEW:
        raise SamlRefused("saml_expired", "Message de déconnexion périmé.")
    until = _time(message.get("NotOnOrAfter"))
    if until is not None and now >= until + CLOCK_SKEW:
        raise SamlRefused("saml_expired", "Message de déconnexion périmé.")
    expires_at = int((until or issued + LOGOUT_TTL) + CLOCK_SKEW)
    if kind:
        name_id = (_text(message, f"{{{SAML}}}NameID") or "").strip()
        if not name_id:
            raise SamlRefused("saml_malformed", "Demande de déconnexion sans identifiant (NameID).")
        indexes = tuple((e.text or "").strip() for e in message.findall(f"{{{SAMLP}}}SessionIndex"))
        return LogoutMessage(True, message_id, issuer, "", True, name_id,
                             tuple(i for i in indexes if i), expires_at)
    status = message.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    in_response_to = message.get("InResponseTo") or ""
    if not in_response_to:
        raise SamlRefused("saml_unsolicited", "Réponse de déconnexion non sollicitée.")
    return LogoutMessage(False, message_id, issuer, in_response_to,
                         status is not None and status.get("Value") == SUCCESS, "", (), expires_at)


# --- what we receive ---------------------------------------------------------------------------


def decode_post(saml_response: str) -> bytes:
    """The HTTP-POST binding's base64 form field."""
    try:
        raw = base64.b64decode("".join((saml_response or "").split()), validate=True)
    except (ValueError, TypeError):
        raise SamlRefused("saml_malformed", "Réponse SAML illisible (base64 attendu).")
    if not raw or len(raw) > MAX_RESPONSE_BYTES:
        raise SamlRefused("saml_malformed", "Réponse SAML vide ou trop grande.")
    return raw


def read_response(raw: bytes, *, idp_entity_id: str, idp_certificate: str, sp_entity_id: str,
                  acs_url: str, now: float, sp_key: str | None = None) -> GarIdentity:
    """The identity of a Response that passes every rule (module docstring).
    `sp_key`: our private key (PEM), for an encrypted assertion."""
    root = _parse(raw)
    if root.findall(f".//{{{SAML}}}EncryptedAssertion"):
        raw = _decrypted_response(raw, root, sp_key)
        root = _parse(raw)
    if root.tag != f"{{{SAMLP}}}Response":
        raise SamlRefused("saml_malformed", "Le document reçu n'est pas une réponse SAML.")
    status = root.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    if status is None or status.get("Value") != SUCCESS:
        raise SamlRefused("saml_failed", "Le GAR n'a pas authentifié l'utilisateur.")
    destination = root.get("Destination")
    if destination is not None and destination != acs_url:
        raise SamlRefused("saml_wrong_recipient", "Réponse SAML destinée à un autre service.")
    assertions = root.findall(f"{{{SAML}}}Assertion")
    if len(assertions) != 1 or len(root.findall(f".//{{{SAML}}}Assertion")) != 1:
        raise SamlRefused("saml_malformed", "La réponse doit contenir exactement une assertion.")
    posted = assertions[0]
    assertion_id = posted.get("ID") or ""
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    if not assertion_id or ids.count(assertion_id) != 1:
        raise SamlRefused("saml_malformed", "Identifiant d'assertion absent ou en double.")
    if posted.find(f"{{{DS}}}Signature") is None:
        raise SamlRefused("saml_unsigned", "Assertion non signée par le GAR.")
    # From here on only the verified element is read: the posted tree above
    # served to refuse, never to accept.
    assertion = _verified(raw, f"{{{SAML}}}Assertion", assertion_id, idp_certificate,
                          location=f"./{{{SAML}}}Assertion/")
    issuer = (_text(assertion, f"{{{SAML}}}Issuer") or "").strip()
    if issuer != idp_entity_id:
        raise SamlRefused("saml_wrong_issuer", "Assertion émise par un fournisseur d'identité inconnu.")

    in_response_to, confirmed_until = _subject_confirmation(assertion, acs_url, now)
    conditions_until = _conditions(assertion, sp_entity_id, now)
    statement = assertion.find(f"{{{SAML}}}AuthnStatement")
    if statement is None:
        raise SamlRefused("saml_malformed", "Assertion sans déclaration d'authentification.")
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    attrs = _attributes(assertion)
    names = ATTRIBUTES
    ido = _single(attrs, names["id"])
    profile = _single(attrs, names["profile"])
    uais = tuple(u.strip().upper() for u in attrs.get(names["school"], []) if u.strip())
    if not uais:
        raise SamlRefused("saml_missing_attribute", f"Attribut GAR manquant : {names['school']}.")
    return GarIdentity(
        ido=ido, uais=uais, profile=profile, last_name=_single(attrs, names["last_name"]),
        first_name=_single(attrs, names["first_name"]),
        divisions=tuple(d.split("##", 1)[0].strip()
                        for d in attrs.get(names["division"], []) if d.strip()),
        birth_date=_birth_date(attrs.get(names["birth_date"], [])), assertion_id=assertion_id,
        issuer=issuer, in_response_to=in_response_to,
        expires_at=int(min(confirmed_until, conditions_until or confirmed_until)),
        name_id=("" if name_id is None else (name_id.text or "").strip())[:500],
        name_id_format=("" if name_id is None else name_id.get("Format") or "")[:200],
        session_index=(statement.get("SessionIndex") or "")[:200])


KEY_TRANSPORT = {XMLENC + "rsa-oaep-mgf1p", XMLENC11 + "rsa-oaep"}
OAEP_DIGESTS = {"http://www.w3.org/2000/09/xmldsig#sha1": "SHA1",
                "http://www.w3.org/2001/04/xmlenc#sha256": "SHA256"}
OAEP_MGFS = {XMLENC11 + "mgf1sha1": "SHA1", XMLENC11 + "mgf1sha256": "SHA256"}
GCM_KEY_BYTES = {XMLENC11 + "aes128-gcm": 16, XMLENC11 + "aes256-gcm": 32}


def _decrypted_response(raw: bytes, root: ET.Element, sp_key: str | None) -> bytes:
    """The Response with its one EncryptedAssertion (a direct child) replaced
    by the assertion it hides, for `read_response` to check like any other.

    XML Encryption 1.1, with the primitives of `cryptography` (no XML
    encryption library fits the Lambda package: python-xmlsec brings
    libxmlsec1 and a second libxml2): the content key is unwrapped with our RSA
    key (RSA-OAEP, `rsa-oaep-mgf1p` or `xmlenc11#rsa-oaep`, SHA-1 or SHA-256),
    the assertion decrypted with AES-GCM (IV, ciphertext and tag, §5.2.4).
    AES-CBC is refused on purpose: unauthenticated, it lets whoever watches
    our answers decrypt by trial (Jager and Somorovsky, "How to Break XML
    Encryption", CCS 2011); our metadata offers GCM only. Every failure gets
    the same code and message, so an answer says nothing about the plaintext.
    The plaintext is parsed as its own document, DTDs forbidden."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from lxml import etree

    undecryptable = SamlRefused("saml_undecryptable",
                                "Assertion chiffrée illisible : elle n'est pas chiffrée pour cette "
                                "plateforme ou avec un algorithme accepté (RSA-OAEP, AES-GCM).")
    encrypted = root.findall(f"{{{SAML}}}EncryptedAssertion")
    if (len(encrypted) != 1 or len(root.findall(f".//{{{SAML}}}EncryptedAssertion")) != 1
            or root.findall(f".//{{{SAML}}}Assertion")):
        raise SamlRefused("saml_malformed", "La réponse doit contenir exactement une assertion.")
    if not sp_key:
        raise undecryptable
    xenc, ds = f"{{{XMLENC}}}", f"{{{DS}}}"
    data = encrypted[0].find(f"{xenc}EncryptedData")
    keys = ([] if data is None else data.findall(f"{ds}KeyInfo/{xenc}EncryptedKey")) \
        + encrypted[0].findall(f"{xenc}EncryptedKey")
    try:
        if data is None or len(keys) != 1:
            raise ValueError("one EncryptedData and one EncryptedKey")
        method = data.find(f"{xenc}EncryptionMethod").get("Algorithm")
        key_method = keys[0].find(f"{xenc}EncryptionMethod")
        if method not in GCM_KEY_BYTES or key_method.get("Algorithm") not in KEY_TRANSPORT:
            raise ValueError("algorithm")
        digest = key_method.find(f"{ds}DigestMethod")
        mgf = key_method.find(f"{{{XMLENC11}}}MGF")
        if key_method.find(f"{xenc}OAEPparams") is not None:
            raise ValueError("OAEP label")
        digest_name = OAEP_DIGESTS[digest.get("Algorithm")] if digest is not None else "SHA1"
        mgf_name = "SHA1"
        if mgf is not None:
            if key_method.get("Algorithm") != XMLENC11 + "rsa-oaep":
                raise ValueError("MGF")
            mgf_name = OAEP_MGFS[mgf.get("Algorithm")]
        private_key = serialization.load_pem_private_key(sp_key.encode("ascii"), password=None)
        wrapped = base64.b64decode("".join(keys[0].findtext(f"{xenc}CipherData/{xenc}CipherValue")
                                           .split()), validate=True)
        content_key = private_key.decrypt(wrapped, padding.OAEP(
            mgf=padding.MGF1(getattr(hashes, mgf_name)()),
            algorithm=getattr(hashes, digest_name)(), label=None))
        if len(content_key) != GCM_KEY_BYTES[method]:
            raise ValueError("key length")
        cipher = base64.b64decode("".join(data.findtext(f"{xenc}CipherData/{xenc}CipherValue")
                                          .split()), validate=True)
        if len(cipher) < 12 + 16:
            raise ValueError("short")
        plaintext = AESGCM(content_key).decrypt(cipher[:12], cipher[12:], None)
    except (ValueError, KeyError, TypeError, AttributeError, InvalidTag):
        raise undecryptable
    assertion = _parse(plaintext)
    if assertion.tag != f"{{{SAML}}}Assertion":
        raise undecryptable
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    tree = etree.fromstring(raw, parser=parser)
    holder = tree.find(f"{{{SAML}}}EncryptedAssertion")
    holder.getparent().replace(holder, etree.fromstring(plaintext, parser=parser))
    return etree.tostring(tree)


def _parse(raw: bytes) -> ET.Element:
    """defusedxml is imported here, as signxml below, not at `import app`: only
    GAR sign-in and logout parse SAML (tests/infra/test_cold_start.py)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(raw, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise SamlRefused("saml_malformed", "Message SAML illisible (XML invalide ou DTD refusée).")


def _verified(raw: bytes, tag: str, element_id: str, idp_certificate: str, *, location: str):
    """The signed element (an assertion; a logout message) as signxml verified
    it (an lxml element, the enveloped signature removed), under our profile:
    the signature a direct child of that element (`location`), exactly one
    reference, to that element's ID, RSA-SHA256 over SHA-256 digests,
    exclusive c14n, checked with the configured IdP certificate only (never a
    key or certificate the message carries). signxml (and lxml) are imported
    here, not at `import app`: only the GAR endpoints need them (cold start)."""
    from lxml import etree
    from signxml import (DigestAlgorithm, InvalidInput, InvalidSignature, SignatureConfiguration,
                         SignatureMethod, XMLVerifier)

    config = SignatureConfiguration(
        require_x509=True, location=location, expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}))
    # Already refused by defusedxml if it had a DTD; this parser could not read
    # one anyway: no entity expansion, no DTD loaded, no network.
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    try:
        verified = XMLVerifier().verify(raw, x509_cert=idp_certificate, expect_config=config,
                                        parser=parser, id_attribute="ID")
    except (InvalidSignature, InvalidInput, etree.LxmlError, ValueError) as err:
        raise SamlRefused("saml_bad_signature",
                          "Signature invalide : le message ne vient pas du GAR "
                          f"ou a été modifié ({type(err).__name__}).")
    signed = verified.signed_xml
    signed_info = verified.signature_xml.find(f"{{{DS}}}SignedInfo")
    reference = signed_info.find(f"{{{DS}}}Reference")
    transforms = [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")]
    if (signed is None or signed.tag != tag
            or signed.get("ID") != element_id or reference.get("URI") != "#" + element_id
            or signed_info.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm") != EXC_C14N
            or transforms != [ENVELOPED, EXC_C14N]):
        raise SamlRefused("saml_bad_signature",
                          "Signature hors du profil attendu (élément signé, "
                          "transformations ou canonicalisation).")
    return signed


def _subject_confirmation(assertion: ET.Element, acs_url: str, now: float) -> tuple[str, float]:
    for confirmation in assertion.findall(f"{{{SAML}}}Subject/{{{SAML}}}SubjectConfirmation"):
        if confirmation.get("Method") != BEARER:
            continue
        data = confirmation.find(f"{{{SAML}}}SubjectConfirmationData")
        if data is None:
            continue
        if data.get("Recipient") != acs_url:
            raise SamlRefused("saml_wrong_recipient", "Assertion destinée à un autre service.")
        until = _time(data.get("NotOnOrAfter"))
        if until is None or now >= until + CLOCK_SKEW:
            raise SamlRefused("saml_expired", "Assertion expirée : reconnectez-vous depuis l'ENT.")
        in_response_to = data.get("InResponseTo") or ""
        if not in_response_to:
            raise SamlRefused("saml_unsolicited",
                              "Assertion non sollicitée : passez par la connexion GAR de la plateforme.")
        return in_response_to, until
    raise SamlRefused("saml_malformed", "Assertion sans confirmation du porteur.")


def _conditions(assertion: ET.Element, sp_entity_id: str, now: float) -> float | None:
    conditions = assertion.find(f"{{{SAML}}}Conditions")
    if conditions is None:
        raise SamlRefused("saml_wrong_audience", "Assertion sans restriction d'audience.")
    before, until = _time(conditions.get("NotBefore")), _time(conditions.get("NotOnOrAfter"))
    if before is not None and now + CLOCK_SKEW < before:
        raise SamlRefused("saml_not_yet_valid", "Assertion pas encore valide (horloges décalées ?).")
    if until is not None and now >= until + CLOCK_SKEW:
        raise SamlRefused("saml_expired", "Assertion expirée : reconnectez-vous depuis l'ENT.")
    restrictions = conditions.findall(f"{{{SAML}}}AudienceRestriction")
    if not restrictions or any(
            sp_entity_id not in [(a.text or "").strip() for a in r.findall(f"{{{SAML}}}Audience")]
            for r in restrictions):
        raise SamlRefused("saml_wrong_audience", "Assertion destinée à un autre service (audience).")
    return until


def _attributes(assertion: ET.Element) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for attr in assertion.findall(f"{{{SAML}}}AttributeStatement/{{{SAML}}}Attribute"):
        values = [(v.text or "").strip() for v in attr.findall(f"{{{SAML}}}AttributeValue")]
        out.setdefault(attr.get("Name") or "", []).extend(v for v in values if v)
    return out


def _single(attrs: dict[str, list[str]], name: str) -> str:
    values = attrs.get(name) or []
    if len(values) != 1 or len(values[0]) > 200:
        raise SamlRefused("saml_missing_attribute", f"Attribut GAR manquant ou multiple : {name}.")
    return values[0]


def _birth_date(values: list[str]) -> str | None:
    if len(values) != 1:
        return None
    value = values[0]
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", value)
    iso = f"{match.group(3)}-{match.group(2)}-{match.group(1)}" if match else value[:10]
    try:
        return dt.date.fromisoformat(iso).isoformat()
    except ValueError:
        return None


def _text(parent: ET.Element, tag: str) -> str | None:
    node = parent.find(tag)
    return None if node is None else node.text


def _time(value: str | None) -> float | None:
    """xsd:dateTime in UTC (SAML requires it), fractions of seconds allowed."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z", value.strip())
    if not match:
        raise SamlRefused("saml_malformed", "Date SAML illisible (UTC attendu).")
    base = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=dt.timezone.utc)
    return base.timestamp() + float(match.group(2) or 0)


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

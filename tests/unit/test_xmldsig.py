"""The canonical form the signature checks hash (domain/xmldsig.py): exclusive
C14N of one element of a larger document, as identity providers compute it.

The implementation was also checked, outside the suite, against three
assertions signed by simpleSAMLphp/xmlsec (python3-saml's test data): digests
and signatures verified (docs/gar.md)."""
from __future__ import annotations

import pytest

from chalicelib.domain import xmldsig

DOC = (b'<r:Response xmlns:r="urn:r" xmlns:a="urn:a" xmlns:unused="urn:u">'
       b'<a:Assertion ID="x" b="2" a="1"><a:Issuer>I</a:Issuer>'
       b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
       b'<ds:Reference URI="#x"/></ds:SignedInfo></ds:Signature>'
       b'<a:V xmlns:xsi="urn:xsi" xsi:type="s">t&amp;&lt;&gt;"</a:V><!-- c --><e/></a:Assertion>'
       b'<a:Assertion ID="y"/></r:Response>')


def test_the_signed_element_alone_with_the_namespaces_it_uses_and_no_signature():
    canonical = xmldsig.canonical_subtree(
        DOC, xmldsig.element_match("{urn:a}Assertion", "x", ("{urn:r}Response",)), enveloped=True)
    assert canonical == (b'<a:Assertion xmlns:a="urn:a" ID="x" a="1" b="2"><a:Issuer>I</a:Issuer>'
                         b'<a:V xmlns:xsi="urn:xsi" xsi:type="s">t&amp;&lt;&gt;"</a:V><e></e>'
                         b'</a:Assertion>')


def test_signed_info_in_its_context():
    canonical = xmldsig.canonical_subtree(
        DOC, xmldsig.signed_info_match("{urn:a}Assertion", "x", ("{urn:r}Response",)),
        enveloped=False)
    assert canonical == (b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
                         b'<ds:Reference URI="#x"></ds:Reference></ds:SignedInfo>')


def test_an_element_elsewhere_with_the_same_id_is_not_the_one_hashed():
    nested = DOC.replace(b'<e/>', b'<a:Assertion ID="y"><e/></a:Assertion>')
    with pytest.raises(xmldsig.SignatureRefused):
        xmldsig.canonical_subtree(   # "y" at the Response's level is not inside Assertion "x"
            nested, xmldsig.element_match("{urn:a}Assertion", "z", ("{urn:r}Response",)),
            enveloped=True)
    canonical = xmldsig.canonical_subtree(
        nested, xmldsig.element_match("{urn:a}Assertion", "y", ("{urn:r}Response",)), enveloped=True)
    assert canonical == b'<a:Assertion xmlns:a="urn:a" ID="y"></a:Assertion>'

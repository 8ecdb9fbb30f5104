"""Bitstring Status Lists (W3C Bitstring Status List v1.0) and the cancellation
rule of a certificate: pure code, no table."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from chalicelib.documents import open_badge
from chalicelib.domain import status_list
from chalicelib.domain.certificate import cancellation_of
from chalicelib.domain.errors import Conflict, InvalidInput
from tests.unit.test_open_badge import CREATED, ISSUER, KEY, VERIFY_URL, certificate

# the specification's example: a list of 131,072 bits, none set (§2.2, Example 2)
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_the_encoded_list_is_gzip_in_multibase_base64url_index_0_first():
    assert status_list.decode(SPEC_EMPTY_LIST) == bytes(131_072 // 8)
    assert status_list.LIST_SIZE >= 131_072          # the specification's minimum (herd privacy)
    encoded = status_list.encode([0, 9, status_list.LIST_SIZE - 1])
    assert encoded.startswith("u") and "=" not in encoded
    bits = status_list.decode(encoded)
    assert len(bits) * 8 == status_list.LIST_SIZE
    # index 0 is the most significant bit of the first byte (§3.2)
    assert (bits[0], bits[1], bits[-1]) == (0b1000_0000, 0b0100_0000, 0b0000_0001)
    assert [i for i in (0, 1, 8, 9, 10, status_list.LIST_SIZE - 1) if status_list.is_set(bits, i)] \
        == [0, 9, status_list.LIST_SIZE - 1]
    assert status_list.encode([9, 0]) == status_list.encode([0, 9])     # same bytes every time
    assert len(status_list.encode(range(0, 1000, 7))) < 2_000          # sparse lists stay small
    for bad in (-1, status_list.LIST_SIZE):
        with pytest.raises(ValueError):
            status_list.encode([bad])


def test_lists_are_monthly_and_indices_are_drawn_over_the_whole_list():
    assert status_list.list_id_of(datetime(2026, 3, 31, 23, 59, tzinfo=timezone.utc)) == "2026-03"
    assert [status_list.is_list_id(v) for v in ("2026-12", "2026-13", "2026-1", "../x", "")] \
        == [True, False, False, False, False]
    draws = {status_list.draw_index() for _ in range(200)}
    assert len(draws) > 190 and all(0 <= d < status_list.LIST_SIZE for d in draws)
    assert max(draws) > status_list.LIST_SIZE // 2       # not a counter: spread over the list


def test_a_badge_names_its_bit_and_the_list_is_signed_like_the_badge():
    badge = open_badge.build_credential(certificate(), issuer_url=ISSUER, verify_url=VERIFY_URL,
                                        key=KEY, created=CREATED, status=("2026-06", 4242))
    url = f"{ISSUER}/credentials/status/2026-06"
    assert badge["credentialStatus"] == {
        "id": f"{url}#4242", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "4242", "statusListCredential": url}
    assert open_badge.verify_credential(badge, KEY.public_key())
    moved = {**badge, "credentialStatus": {**badge["credentialStatus"], "statusListIndex": "4243"}}
    assert not open_badge.verify_credential(moved, KEY.public_key())   # the entry is signed

    listed = open_badge.status_list_credential(ISSUER, "2026-06", [4242], key=KEY, created=CREATED)
    assert listed["id"] == url and listed["issuer"] == badge["issuer"]["id"]
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = listed["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    assert status_list.is_set(status_list.decode(subject["encodedList"]), 4242)
    assert open_badge.verify_credential(listed, KEY.public_key())
    forged = {**listed, "credentialSubject": {**subject, "encodedList": status_list.encode([])}}
    assert not open_badge.verify_credential(forged, KEY.public_key())


def test_only_a_validated_certificate_is_cancelled_with_a_reason_and_once():
    validated = certificate()
    decision = cancellation_of(validated, reason="  Fraude   établie\napres la session ", by="admin-1",
                               at="2026-12-06T02:00:00+00:00")
    assert (decision.by, decision.reason, decision.code) == (
        "admin-1", "Fraude établie apres la session", "certificate_cancelled")
    for reason in ("", "   ", "court", "x" * 1001):
        with pytest.raises(InvalidInput):
            cancellation_of(validated, reason=reason, by="admin-1", at="t")
    cancelled = dataclasses.replace(validated, status="cancelled")
    assert cancellation_of(cancelled, reason="Un autre motif assez long", by="admin-2", at="t") is None
    for status in ("held", "rejected"):
        with pytest.raises(Conflict):
            cancellation_of(dataclasses.replace(validated, status=status), reason="Fraude établie ici",
                            by="admin-1", at="t")
    view = dataclasses.replace(cancelled, cancelled_at="2026-12-06T02:00:00+00:00").cancelled_view()
    assert view["status"] == "cancelled" and "annulé" in view["message"]
    assert not {"global_score", "level", "level_label", "competences"} & set(view)

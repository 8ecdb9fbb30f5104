"""Cancelling an issued certificate (issues 19 and 21): a platform admin only,
with a reason, recorded and idempotent; then every place the certificate
shows says so: public verification, the PDF, the Open Badge (its status list
bit), the holder's list, the school's report book and session list, the jury's
view."""
from __future__ import annotations

from chalicelib.config import settings
from chalicelib.documents import open_badge
from chalicelib.domain import codes, status_list
from chalicelib.store import certification as store
from tests.api import cert_flow
from tests.api import org_flow as flow
from tests.api.helpers import call, js
from tests.api.test_school_certification import UAI, book, certificate, enrol, school  # noqa: F401
from tests.conftest import make_token

REASON = "Fraude établie après la session : substitution d'identité constatée par le centre."


def cancel(client, course: str, token: str | None, reason=REASON):
    return call(client, "POST", f"/admin/certificates/{course}/cancellation", token=token,
                body=None if reason is None else {"reason": reason})


def status_bits(client, url: str) -> bytes:
    """The bitstring of a served status list, after checking its signature by the
    issuer's key (as a verifier does)."""
    path = url.removeprefix(settings().public_base_url)
    response = call(client, "GET", path)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/ld+json"
    listed = js(response)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == open_badge.issuer_id(settings().public_base_url)
    assert open_badge.verify_credential(listed, open_badge.signing_key().public_key())
    return status_list.decode(listed["credentialSubject"]["encodedList"])


def test_a_platform_admin_cancels_a_certificate_and_every_view_says_so(client, school):
    org, portal, centre_id, staff, sid = school
    assert js(enrol(client, org, sid, portal, learner_ids=["123456789AB"]))["enrolled"] == 1
    [cand] = store.candidates(sid)
    cand.course_id = "k1"
    cand.save()
    certificate("k1", UAI, "123456789AB")       # validated, published, holder u-k1
    holder = make_token("u-k1")
    rec = store.certificate("k1")
    rec.verification_code = code = codes.verification_code()   # the helper's is not a real code
    rec.gsi1pk, rec.gsi1sk = "USER#u-k1", "CERT#2026-06-10#k1"     # listed for its holder
    rec.save()
    store.VerificationRecord(f"VERIFY#{code}", "VERIFY", certificate_id="k1").save()
    before = js(call(client, "GET", f"/certificates/{code}"))
    assert (before["status"], before["global_score"]) == ("validated", 310)

    # before: the holder's badge names its bit, which is not set
    badge = js(call(client, "GET", "/me/certificates/k1/credential", token=holder))
    entry = badge["credentialStatus"]
    assert (entry["type"], entry["statusPurpose"]) == ("BitstringStatusListEntry", "revocation")
    index = int(entry["statusListIndex"])
    assert entry["id"] == f"{entry['statusListCredential']}#{index}"
    assert not status_bits(client, entry["statusListCredential"])[index // 8] & (0x80 >> index % 8)
    again = js(call(client, "GET", "/me/certificates/k1/credential", token=holder))
    assert again["credentialStatus"] == entry    # one entry per certificate, kept

    # nobody but a platform admin cancels: the holder, the school (person and API
    # client), the centre, an anonymous caller
    school_admin = flow.member_token(org, "admin")
    for token, status in ((holder, 403), (portal, 403), (school_admin, 403), (staff, 403),
                          (None, 401)):
        assert cancel(client, "k1", token).status_code == status, token
    assert store.certificate("k1").status == "validated"

    # the reason is mandatory
    assert cancel(client, "k1", cert_flow.ADMIN, reason=None).status_code == 400
    for reason in ("", "   ", "fraude"):
        refused = cancel(client, "k1", cert_flow.ADMIN, reason=reason)
        assert refused.status_code == 400, reason
        error = js(refused)["error"]
        assert error["code"] == "invalid_cancellation_reason" and "motif" in error["message"]
    assert store.certificate("k1").status == "validated"

    done = cancel(client, "k1", cert_flow.ADMIN)
    assert done.status_code == 200, done.body
    view = js(done)
    assert view["status"] == "cancelled" and view["global_score"] == 310   # the jury keeps the record
    recorded = view["cancellation"]
    assert (recorded["by"], recorded["reason"]) == ("admin-1", REASON) and recorded["at"]
    # idempotent: a second click (another admin, another text) changes nothing
    other_admin = make_token("admin-2", admin=True)
    twice = cancel(client, "k1", other_admin, reason="Autre motif, plus tard dans la journée.")
    assert twice.status_code == 200 and js(twice)["cancellation"] == recorded

    # public verification: cancelled, in French, without any score
    public = call(client, "GET", f"/certificates/{code}")
    assert public.status_code == 200
    seen = js(public)
    assert seen["status"] == "cancelled" and "annulé" in seen["message"]
    assert seen["holder"]["last_name"] == "Dupont" and seen["cancelled_at"] == recorded["at"]
    assert not {"global_score", "level", "level_label", "competences", "competence_levels"} & set(seen)
    assert "substitution" not in public.body.decode()      # the admin's reason stays internal

    # the holder: no PDF, no new badge, the status in the list, no score
    for path in ("attestation", "credential"):
        refused = call(client, "GET", f"/me/certificates/k1/{path}", token=holder,
                       headers={"Accept": "application/pdf" if path == "attestation" else "application/ld+json"})
        assert refused.status_code == 409, path
        assert js(refused)["error"]["code"] == "certificate_cancelled"
    [mine] = js(call(client, "GET", "/me/certificates", token=holder))["certificates"]
    assert mine["status"] == "cancelled" and "annulé" in mine["message"] and "global_score" not in mine

    # the badge already downloaded: its bit is now set, the others are not
    bits = status_bits(client, entry["statusListCredential"])
    assert bits[index // 8] & (0x80 >> index % 8)
    assert sum(bin(b).count("1") for b in bits) == 1

    # the school: report book and session list show the status, never the score
    [line] = book(client, f"/organizations/{org}/report-book", portal)
    assert (line["status"], line["result"]) == ("cancelled", None) and "annulé" in line["message"]
    pupils = js(call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}", token=portal))
    shown = pupils["pupils"][0]["result"]
    assert (shown["status"], shown["global_score"], shown["verification_code"]) == ("cancelled", None, None)
    attestations = call(client, "GET", f"/organizations/{org}/certification-sessions/{sid}/attestations",
                        token=portal, headers={"Accept": "application/pdf"})
    assert attestations.status_code == 404      # the class PDF leaves it out

    # the jury's list
    [row] = js(call(client, "GET", f"/admin/sessions/{sid}/results", token=cert_flow.ADMIN))["certificates"]
    assert row["status"] == "cancelled" and row["cancellation"] == recorded


def test_only_a_validated_certificate_is_cancelled(client):
    certificate("h1", UAI, None, status="held", reason="fraud_reported")
    refused = cancel(client, "h1", cert_flow.ADMIN)
    assert refused.status_code == 409 and js(refused)["error"]["code"] == "certificate_not_cancellable"
    assert store.certificate("h1").status == "held"
    missing = cancel(client, "nope", cert_flow.ADMIN)
    assert missing.status_code == 404 and js(missing)["error"]["code"] == "certificate_not_found"
    # a list id that is not a month is not found, and an unused month is an empty list
    assert call(client, "GET", "/credentials/status/..%2Fx").status_code == 404
    assert call(client, "GET", "/credentials/status/2026-13").status_code == 404
    assert status_bits(client, f"{settings().public_base_url}/credentials/status/2026-01") \
        == bytes(status_list.LIST_SIZE // 8)


def test_a_cancellation_racing_a_badge_download_still_sets_the_bit(client):
    """A cancel that read the certificate before a download reserved its status
    entry must not land without that entry's bit: its conditional write fails
    and the service re-reads and sets it."""
    from chalicelib.services import certificates

    certificate("r1", UAI, None)
    stale = store.certificate("r1")
    list_id, index = certificates.status_entry_of(certificates.to_domain(stale))
    assert not store.cancel_certificate(stale, status="cancelled", reason_code="certificate_cancelled",
                                        at="2026-12-06T00:00:00+00:00", by="admin-1", reason=REASON)
    assert store.certificate("r1").status == "validated" and store.revoked_indices(list_id) == []
    certificates.cancel("r1", REASON, "admin-1")
    assert store.revoked_indices(list_id) == [index]

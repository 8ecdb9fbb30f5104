"""GAR sign-in and single logout in a real browser, walked once: from the
ENT's link (/gar/login) to the GAR and back with a signed assertion, the
first-time reconciliation with the school's roster, the profile page signed
in without any password; then « Se déconnecter » ends our session and sends
the browser to the GAR with our signed LogoutRequest, whose answer brings it
home. The GAR is the test IdP (tests/api/gar_idp.py): the test answers the
browser's requests to its URLs with the pages an IdP would serve."""
from __future__ import annotations

import base64
import re
import urllib.request
import zlib
from urllib.parse import parse_qs, urlparse

import pytest

from tests.api import org_flow
from tests.api.gar_idp import read_redirect
from tests.browser.flows import (ADMIN, GAR_SLO_URL, GAR_SSO_URL, autopost, clean, shot,
                                 stack_gar)
from tests.conftest import make_token

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

UAI = "0750042G"


def _request_id(saml_message: str) -> str:
    xml = zlib.decompress(base64.b64decode(saml_message), -15).decode("utf-8")
    return re.search(r' ID="([^"]+)"', xml).group(1)


def test_a_pupil_signs_in_through_the_gar_then_signs_out_of_both(pages, stack):
    gar = stack_gar()
    base = stack.base_url
    org_id = stack.api("POST", "/organizations", {"name": "Collège GAR", "type": "college",
                                                  "uai": UAI}, token=ADMIN, expect=201)["org_id"]
    staff = make_token("staff-gar", orgs={org_id: "admin"})
    upload = urllib.request.Request(f"{base}/organizations/{org_id}/learners/import",
                                    data=org_flow.school_csv(), method="POST",
                                    headers={"Content-Type": "text/csv",
                                             "Authorization": f"Bearer {staff}"})
    with urllib.request.urlopen(upload) as answer:
        assert answer.status == 200

    seen: dict[str, str] = {}

    def sso(route):
        """/gar/login, fetched from the stack: its 302 to the GAR is where the
        browser would go (Playwright does not route a redirect's target), so
        the test plays the GAR right here: Léa's signed assertion, auto-posted."""
        login = route.fetch(max_redirects=0)
        assert login.status == 302
        location = login.headers["location"]
        assert location.startswith(GAR_SSO_URL + "?SAMLRequest=")
        request_id = _request_id(parse_qs(urlparse(location).query)["SAMLRequest"][0])
        seen["authn"] = request_id
        response = gar.idp.response(request_id, uai=UAI, birth_date="2010-05-14",
                                    name_id="_t-lea-browser", session_index="_s-browser",
                                    recipient=f"{base}/gar/acs", audience=f"{base}/gar/metadata")
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=autopost(f"{base}/gar/acs", {"SAMLResponse": response}))

    def slo(route):
        """The GAR's logout service: our LogoutRequest must carry our signature
        and name Léa's GAR session; it answers with its signed LogoutResponse."""
        request, params = read_redirect(route.request.url, gar.sp.certificate_pem)
        assert ">_t-lea-browser</saml:NameID>" in request and ">_s-browser<" in request
        seen["logout"] = _request_id(params["SAMLRequest"])
        answer = gar.idp.logout_response(seen["logout"], destination=f"{base}/gar/slo")
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=autopost(f"{base}/gar/slo", {"SAMLResponse": answer}))

    page = pages.new()
    page.route(re.compile(r"/gar/login$"), sso)
    page.route(re.compile(re.escape(GAR_SLO_URL) + r"\?"), slo)

    # the ENT's médiacentre link: to the GAR and back, signed in, no password typed
    page.goto("/gar/login")
    page.wait_for_url(re.compile(r"/profil$"))
    assert "authn" in seen
    user = page.evaluate("JSON.parse(sessionStorage.getItem('auth.user'))")
    assert user["garSession"] and user["access"]
    expect(page.locator("main")).to_contain_text("Léa")
    # the school sees its pupil reconciled (first sign-in tied to the roster entry)
    roster = stack.api("GET", f"/organizations/{org_id}/division-roster?division=3A", token=staff)
    assert {p["learner_id"]: p["has_account"] for p in roster["items"]}["123456789AB"] is True
    shot(page, "gar-01-profil")
    clean(page, "gar-profil")

    # « Se déconnecter »: our session ends, the GAR's too, and the browser comes home
    page.locator("[data-signout]").first.click()
    page.wait_for_url(f"{base}/")
    assert seen["logout"]
    assert page.evaluate("sessionStorage.getItem('auth.user')") is None
    refreshed = urllib.request.Request(f"{base}/auth/refresh", method="POST",
                                       data=f'{{"refresh_token": "{user["refresh"]}"}}'.encode(),
                                       headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(refreshed)
    assert refused.value.code == 401

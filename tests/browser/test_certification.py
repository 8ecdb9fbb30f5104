"""Certification in real browsers: the candidate joins and waits, the
invigilator authorises from the invigilation screen (and reports a live
alert), the candidate answers without ever seeing a correction; the session is
finalised, the job issues the certificate, and the public verification page
(the QR code's target) shows it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.flows import (ADMIN, SECRET_KEYS, ApiWatch, answer_correctly, axe,
                                 certification_session, clean, fits, keys_in, shot, signed_in,
                                 type_into)
from tests.conftest import make_token

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

PASSWORD = "Candidat2026"


def test_certification_from_join_to_public_verification(pages, stack):
    first, last, birth, email = "Léa", "Durand", "2007-09-21", "lea.durand@example.org"
    user = stack.api("POST", "/users", {"first_name": first, "last_name": last, "email": email,
                                        "password": PASSWORD, "birth_date": birth,
                                        "accepted_terms": True}, expect=201)

    stack.command("seed", user["id"], "1.1", "1.2", "1.3", "2.1", "2.2")
    s = certification_session(stack, first=first, last=last, birth=birth)
    sid, cid = s["session"]["session_id"], s["candidate"]["candidate_id"]

    # the candidate signs in (a wrong password first) and comes back to the certification page
    cand = pages.new(width=1000)
    watch = ApiWatch(cand, r"/me/certification-courses|/certification/join")
    cand.goto("/certification")
    cand.wait_for_url("**/connexion?suite=certification")
    cand.fill("#login", email)
    cand.fill("#password", "Mauvais123")
    cand.get_by_role("button", name="Se connecter").click()
    expect(cand.locator(".summary")).to_be_focused()
    shot(cand, "09-connexion-erreur")
    axe(cand, "connexion-erreur")
    cand.fill("#password", PASSWORD)
    cand.keyboard.press("Enter")
    cand.wait_for_url("**/certification")

    # join: a wrong access code is refused inline (the same answer as a wrong name), then the right one
    cand.fill("#access_code", "BBBB22")
    cand.fill("#first_name", "lea")
    cand.fill("#last_name", "DURAND")
    cand.fill("#birth_date", "21/09/2007")
    cand.get_by_role("button", name="Rejoindre la session").click()
    expect(cand.locator("#access_code-erreur")).to_be_visible()
    cand.fill("#session_number", "12")  # a session number is 7 digits: refused before any request
    cand.fill("#access_code", s["session"]["access_code"].lower())
    cand.get_by_role("button", name="Rejoindre la session").click()
    expect(cand.locator("#session_number-erreur")).to_be_visible()
    number = s["session"]["session_number"]
    cand.fill("#session_number", f"{number[:3]} {number[3:]}")  # typed as read aloud, with a space
    cand.get_by_role("button", name="Rejoindre la session").click()
    expect(cand.locator('[data-state="waiting"]')).to_contain_text("En attente du surveillant")
    # exam mode: no menu, no sign-out, no footer link, the brand is no link; the room and rules are recalled
    for hidden in ("header.site nav", "footer.foot", "[data-signout]"):
        expect(cand.locator(hidden)).to_be_hidden()
    assert cand.locator('a[href]:not([href^="#"]):visible').count() == 0
    expect(cand.locator("[data-recap]")).to_contain_text(s["session"]["room"])
    expect(cand.locator("[data-rules]")).to_contain_text("32 questions au plus")
    cand.set_viewport_size({"width": 360, "height": 740})
    fits(cand)
    shot(cand, "10-certification-attente-360")
    cand.set_viewport_size({"width": 1000, "height": 900})
    shot(cand, "10-certification-attente")
    axe(cand, "certification-attente")

    # the invigilator signs in to the session and authorises the start
    inv = pages.new(width=1100)
    inv.goto(f"/surveillance?session={sid}")
    expect(inv.locator("#session_id")).to_have_value(sid)
    inv.fill("#password", s["session"]["invigilator_password"])
    inv.get_by_role("button", name="Accéder à la session").click()
    row = inv.locator(f'tr[data-candidate="{cid}"]')
    expect(row.locator("td[data-state]")).to_have_attribute("data-state", "waiting_authorisation")
    shot(inv, "11-surveillant-attente")
    inv.set_viewport_size({"width": 360, "height": 740})
    fits(inv)  # the table scrolls inside its box, the page never sideways
    shot(inv, "11-surveillant-attente-360")
    inv.set_viewport_size({"width": 1100, "height": 900})
    axe(inv, "surveillant")
    row.locator('button:has-text("Autoriser à commencer")').click()
    expect(row.locator("td[data-state]")).to_have_attribute("data-state", "testing")
    expect(inv.locator("#annonces")).to_contain_text("peut commencer")

    # the candidate's page notices (polling) and shows the first question
    cand.wait_for_selector("form.question", timeout=20_000)
    expect(cand.locator("[data-progress]")).to_contain_text("Question 1 sur 32")
    shot(cand, "12-certification-question")
    axe(cand, "certification-question")
    answered = 0
    alerted = False
    while True:
        cand.wait_for_selector('form.question:not([data-done]), [data-state="ended"]')
        if cand.locator('[data-state="ended"]').count():
            break
        if answered == 2 and not alerted:
            # a live alert on the current item: neutralised, the candidate gets another
            expect(row.locator('button:has-text("Signaler un problème")')).to_be_visible(timeout=10_000)
            row.locator('button:has-text("Signaler un problème")').click()
            expect(inv.locator("#signalement h3")).to_be_focused()
            inv.select_option("#alerte-motif", "Image ou contenu illisible")
            shot(inv, "13-surveillant-signalement")
            axe(inv, "surveillant-signalement")
            inv.get_by_role("button", name="Signaler et neutraliser la question").click()
            expect(row).to_contain_text("1 signalement")
            alerted = True
            # the candidate answers the withdrawn question: told so plainly, nothing counted
            withdrawn_id = answer_correctly(cand)
            notice = cand.locator('[data-state="withdrawn"]')
            expect(notice).to_contain_text("Le surveillant a retiré la question 3")
            expect(notice.locator("h2")).to_be_focused()
            expect(cand.locator("#annonces")).to_contain_text("Elle ne compte pas")
            expect(cand.locator("#annonces")).not_to_contain_text("Réponse enregistrée")
            shot(cand, "13b-certification-question-retiree")
            axe(cand, "certification-question-retiree")
            cand.keyboard.press("Tab")
            cand.keyboard.press("Enter")  # "Afficher la question suivante", keyboard only
            cand.wait_for_selector("form.question:not([data-done])")
            assert cand.locator("form.question").get_attribute("data-item-id") != withdrawn_id
            expect(cand.locator("[data-progress]")).to_contain_text("Question 3 sur 32")
            # a reload in the same tab goes on with the test (no new join needed)
            cand.reload()
            cand.wait_for_selector("form.question:not([data-done])")
            expect(cand.locator("header.site nav")).to_be_hidden()
        item_id = answer_correctly(cand)
        assert cand.locator(".result").count() == 0, "a correction was shown in certification"
        cand.wait_for_function(
            "id => !document.querySelector(`form.question[data-item-id='${id}']:not([data-done])`)", arg=item_id)
        answered += 1
        assert answered <= 33
    assert answered >= 15
    expect(cand.locator('[data-state="ended"]')).to_contain_text("Test terminé")
    expect(cand.locator("header.site nav")).to_be_visible()  # exam mode over
    shot(cand, "14-certification-fin")
    axe(cand, "certification-fin")
    inv.get_by_role("button", name="Actualiser").click()  # at once, as an invigilator may (the poll is tested below)
    expect(row.locator("td[data-state]")).to_have_attribute("data-state", "completed", timeout=20_000)
    expect(row).to_contain_text(f"{answered} · 1 signalement")  # real answers only, withdrawal apart
    shot(inv, "15-surveillant-fin")
    for _, url, body in watch.seen:
        assert not keys_in(body) & SECRET_KEYS, url

    # a second candidate (driven through the API) disconnects: the invigilator
    # authorises the resume, then ends the test
    other = stack.api("POST", f"/centres/{s['centre_id']}/sessions/{sid}/candidates",
                      {"first_name": "Noé", "last_name": "Lambert", "birth_date": "2008-02-03"},
                      token=s["staff"], expect=201)
    stack.command("seed", "browser-noe", "1.1", "1.2", "1.3", "2.1", "2.2")
    noe = make_token("browser-noe")
    join = {"access_code": s["session"]["access_code"], "first_name": "Noé", "last_name": "Lambert",
            "birth_date": "2008-02-03"}
    stack.api("POST", "/certification/join", join, token=noe, expect=200)
    row2 = inv.locator(f'tr[data-candidate="{other["candidate_id"]}"]')
    # the invigilator's screen refreshes every 10 s
    expect(row2.locator("td[data-state]")).to_have_attribute("data-state", "waiting_authorisation",
                                                              timeout=20_000)
    expect(inv.locator("#annonces")).to_contain_text("Noé Lambert attend votre autorisation")
    row2.get_by_role("button", name="Autoriser à commencer").click()
    expect(row2.locator("td[data-state]")).to_have_attribute("data-state", "testing")
    stack.api("POST", "/certification/join", join, token=noe, expect=200)  # back after a crash
    inv.get_by_role("button", name="Actualiser").click()
    expect(row2.locator("td[data-state]")).to_have_attribute("data-state", "waiting_resume", timeout=20_000)
    row2.get_by_role("button", name="Autoriser la reprise").click()
    expect(row2.locator("td[data-state]")).to_have_attribute("data-state", "testing")
    inv.once("dialog", lambda dialog: dialog.accept())
    row2.get_by_role("button", name="Terminer le test").click()
    expect(row2.locator("td[data-state]")).to_have_attribute("data-state", "ended")
    expect(row2).to_contain_text("Aucune action")
    shot(inv, "15b-surveillant-reprise-fin")

    # the centre finalises, the scheduled job issues the certificates
    stack.api("POST", f"/centres/{s['centre_id']}/sessions/{sid}/finalise",
              {"comment": "RAS", "candidates": [
                  {"candidate_id": cid, "present": True, "incidents": []},
                  {"candidate_id": other["candidate_id"], "present": True, "incidents": [
                      {"category": "technical_problem", "description": "Poste bloqué"}]}]},
              token=s["staff"], expect=200)
    assert stack.command("job")["issued"] == 2

    # the holder sees it on the profile; its verification page is the QR code's target
    cand.goto("/profil")
    code = cand.locator("#certificats-titre + ul .code-big").inner_text()
    assert code.startswith("P-")
    shot(cand, "16-profil-certificat")
    with cand.expect_download() as download:
        cand.get_by_role("button", name="Télécharger").click()
    assert download.value.suggested_filename == f"attestation-{code}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    checker = pages.new(width=360, height=780)
    checker.goto(f"/verification?code={code}")
    result = checker.locator(f'[data-certificate="{code}"]')
    expect(result).to_contain_text("Certificat authentique")
    expect(result.locator("[data-holder]")).to_have_text(f"{first} {last}")
    expect(result.locator("tbody th[scope=row]")).to_have_count(16)
    fits(checker)
    expect(checker.locator("#certificat-titre")).to_be_focused()
    shot(checker, "17-verification")
    axe(checker, "verification")
    checker.fill("#code", "P-BBBBBBBB")
    checker.get_by_role("button", name="Vérifier").click()
    expect(checker.locator("#code-erreur")).to_contain_text("Aucun certificat")
    shot(checker, "18-verification-inconnu")

    # a platform admin cancels it from the administration space, keyboard only: the
    # reason is mandatory; the verification page then says it is cancelled, no score
    admin = signed_in(pages, "admin-browser", ADMIN)
    admin.goto("/administration")
    type_into(admin, "#numero-session", sid)
    admin.keyboard.press("Enter")
    expect(admin.locator("#resultats h3")).to_be_focused()
    admin.locator("tr", has_text=f"{first} {last}").locator("[data-cancel]").focus()
    admin.keyboard.press("Enter")
    expect(admin.locator("#annulation h3")).to_be_focused()
    admin.keyboard.press("Tab")
    admin.keyboard.type("court")
    admin.keyboard.press("Tab")
    admin.keyboard.press("Enter")
    expect(admin.locator("#annulation textarea")).to_have_attribute("aria-invalid", "true")
    clean(admin, "admin-annulation-erreur")
    admin.locator("#annulation textarea").fill("")
    type_into(admin, "#annulation textarea", "Fraude établie après la session (substitution).")
    admin.locator("#annulation button[type=submit]").focus()
    admin.keyboard.press("Enter")
    expect(admin.locator("#annonces")).to_contain_text("est annulé")
    expect(admin.locator("tr", has_text=f"{first} {last}").locator("[data-status]")).to_have_text("Annulé")
    shot(admin, "19-admin-certificat-annule")

    checker.goto(f"/verification?code={code}")
    cancelled = checker.locator(f'[data-certificate="{code}"][data-status="cancelled"]')
    expect(cancelled).to_contain_text("Certificat annulé")
    expect(cancelled.locator("[data-holder]")).to_have_text(f"{first} {last}")
    expect(cancelled).not_to_contain_text("pix")
    expect(checker.locator("#certificat-titre")).to_be_focused()
    fits(checker)
    shot(checker, "20-verification-annule")
    axe(checker, "verification-annule")

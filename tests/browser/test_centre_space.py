"""The certification centre space in a real browser, end to end: a centre
member creates a session with the keyboard only (errors first), gets the
invigilator kit (the password shown once, a print button), enrols a candidate
by the form and others by CSV (a refused file first, with its rejected line),
finalises with a fraud suspicion on one candidate, and sees the state the
issuing job leaves. The invigilator password from the kit opens the
invigilation sign-in (typed by its short number). The sessions already held
are listed apart and paged. axe on every page state, 360 px without horizontal
scroll, screenshots in test-artifacts/browser/."""
from __future__ import annotations


import pytest

from tests.browser.flows import ADMIN, certification_session, clean, fits, shot, signed_in, type_into
from tests.conftest import make_token

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

GOOD_CSV = "Nom;Prénom;Date de naissance\nBernard;Noé;14/05/2008\nPetit;Inès;02/11/2007\n"
BAD_CSV = "Nom;Prénom;Date de naissance\nBernard;Noé;14/05/2008\nPetit;;31/02/2007\n"




def test_session_enrolment_kit_finalisation_results(pages, stack, tmp_path):
    centre = stack.api("POST", "/centres", {"name": "Lycée Victor Hugo", "type": "school",
                                             "uai": "0750010K"}, token=ADMIN, expect=201)
    cid = centre["centre_id"]
    staff = signed_in(pages, "centre-browser", make_token("centre-browser", centres=[cid]))

    staff.goto("/centre")
    expect(staff.locator("#titre")).to_have_text("Espace centre : Lycée Victor Hugo")
    expect(staff.get_by_role("link", name="Espace centre")).to_be_visible()
    expect(staff.get_by_role("link", name="Espace établissement")).to_be_hidden()
    expect(staff.locator("#sessions")).to_contain_text("Aucune session")
    clean(staff, "centre-accueil")

    # a session, keyboard only: the errors first, then created, and its kit
    staff.locator("#date").focus()
    staff.keyboard.press("Enter")
    expect(staff.locator("#creer .summary")).to_be_focused()
    expect(staff.locator("#date")).to_have_attribute("aria-invalid", "true")
    clean(staff, "centre-session-erreurs")
    for selector, text in (("#date", "12/01/2027"), ("#time", "9:30"), ("#address", "3 rue Hugo, Paris"),
                           ("#room", "A101"), ("#examiner", "M. Leroy")):
        type_into(staff, selector, text)
    staff.keyboard.press("Enter")
    expect(staff.locator("#kit h2")).to_be_focused()
    password = staff.locator("#mot-de-passe-surveillant").inner_text()
    number = staff.locator("#numero").inner_text()
    assert len(password) == 10 and "password" not in staff.url and password not in staff.url
    expect(staff.locator('[data-action="imprimer-kit"]')).to_be_visible()
    with staff.expect_download() as download:
        staff.locator('[data-action="kit-pdf"]').click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == "kit-surveillant-2027-01-12.pdf"
    expect(staff.locator("#sessions tbody tr")).to_have_count(1)
    shot(staff, "centre-01-kit")
    clean(staff, "centre-kit")

    # a candidate by the form, keyboard only (a bad date first)
    type_into(staff, "#c-last_name", "Durand")
    type_into(staff, "#c-first_name", "Léa")
    type_into(staff, "#c-birth_date", "31/02/2008")
    staff.keyboard.press("Enter")
    expect(staff.locator("#c-birth_date")).to_have_attribute("aria-invalid", "true")
    staff.locator("#c-birth_date").fill("")
    type_into(staff, "#c-birth_date", "21/09/2007")
    staff.keyboard.press("Enter")
    expect(staff.locator("#candidats tbody tr")).to_have_count(1)
    expect(staff.locator("#kit")).to_be_empty()  # the password is never shown again

    # by CSV: a refused file (nothing enrolled, the line named), then the good one
    bad = tmp_path / "candidats-erreur.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    staff.set_input_files("#fichier-candidats", str(bad))
    staff.get_by_role("button", name="Importer les candidats").click()
    report = staff.locator("#rapport-candidats .notice.error")
    expect(report).to_be_focused()
    expect(report.locator("tbody tr").first.locator("td").first).to_have_text("3")
    expect(staff.locator("#candidats tbody tr")).to_have_count(1)
    clean(staff, "centre-import-refuse")
    good = tmp_path / "candidats.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    staff.set_input_files("#fichier-candidats", str(good))
    staff.get_by_role("button", name="Importer les candidats").click()
    expect(staff.locator("#candidats tbody tr")).to_have_count(3)
    shot(staff, "centre-02-candidats")
    clean(staff, "centre-candidats")

    # the kit's password opens the invigilation screen
    inv = pages.new(width=1000)
    inv.goto("/surveillance")
    inv.fill("#session_id", number)
    inv.fill("#password", password)
    inv.get_by_role("button", name="Accéder à la session").click()
    expect(inv.locator("#suivi")).to_be_visible()
    expect(inv.locator("#acces")).to_be_hidden()

    # finalisation: one absent, one fraud suspicion, keyboard only
    staff.reload()
    staff.locator('[data-session]').first.focus()
    staff.keyboard.press("Enter")
    expect(staff.locator("#session h2")).to_be_focused()
    legends = staff.locator("#finaliser legend").all_inner_texts()
    noe = legends.index("Noé Bernard")
    ines = legends.index("Inès Petit")
    staff.locator(f"#present-{noe}").focus()
    staff.keyboard.press("Space")
    staff.locator(f"#incident-{ines}").select_option("fraud_suspicion")
    type_into(staff, f"#detail-{ines}", "Téléphone visible")
    clean(staff, "centre-finalisation")
    staff.locator("#finaliser button[type=submit]").focus()
    staff.keyboard.press("Enter")
    expect(staff.locator("#etat")).to_contain_text("Finalisée")
    expect(staff.locator("#etat")).to_contain_text("fraude")
    expect(staff.locator("#finaliser")).to_have_count(0)

    # the job runs: the centre sees where the session stands
    stack.command("job")
    staff.reload()
    staff.locator('[data-session]').first.click()
    expect(staff.locator("#etat")).not_to_contain_text("Finalisée")
    shot(staff, "centre-03-apres-job")
    clean(staff, "centre-apres-job")

    # the sessions already held, apart from the upcoming ones, a page at a time ("Suivant")
    token = make_token("centre-browser", centres=[cid])
    for day in range(1, 22):
        stack.api("POST", f"/centres/{cid}/sessions", {"date": f"2025-10-{day:02d}", "time": "09:00",
                  "address": "3 rue Hugo, Paris", "room": f"P{day}", "examiner": "M. Leroy"},
                  token=token, expect=201)
    staff.reload()
    expect(staff.locator("#sessions tbody tr")).to_have_count(1)
    held = staff.locator("#sessions-passees")
    expect(held.locator("tbody tr")).to_have_count(20)
    expect(held.locator("tbody tr").first).to_contain_text("21 octobre 2025")
    expect(held.locator("tbody tr").first).to_contain_text("à finaliser")
    held.locator('[data-page="suivant"]').focus()
    staff.keyboard.press("Enter")
    expect(held.locator("caption")).to_be_focused()
    expect(held.locator("caption")).to_have_text("Sessions passées (page 2)")
    expect(held.locator("tbody tr")).to_have_count(1)
    expect(held.locator("tbody tr").first).to_contain_text("1er octobre 2025")
    clean(staff, "centre-sessions-passees")

    small = signed_in(pages, "centre-browser", token, width=360)
    # the short number in a link opens the session
    assert len(number) == 7 and number.isdigit()
    small.goto(f"/centre?session={number}")
    expect(small.locator("#etat")).to_be_visible()
    fits(small)
    shot(small, "centre-04-mobile")


def test_administration_centre_members_and_held_session(pages, stack):
    user = stack.api("POST", "/users", {"first_name": "Paul", "last_name": "Roux", "email": "paul.roux@example.org",
                                        "password": "Centre2026ok", "birth_date": "1980-01-02",
                                        "accepted_terms": True}, expect=201)
    # a session finalised with a fraud report, held by the job
    s = certification_session(stack, first="Noé", last="Bernard", birth="2008-05-14")
    sid, cid = s["session"]["session_id"], s["candidate"]["candidate_id"]
    stack.api("POST", f"/centres/{s['centre_id']}/sessions/{sid}/finalise", {"candidates": [
        {"candidate_id": cid, "incidents": [{"category": "fraud_suspicion"}]}]}, token=s["staff"], expect=200)
    stack.command("job")

    # not an admin: the page says so, and the navigation hides it
    other = signed_in(pages, "centre-browser", make_token("centre-browser", centres=[s["centre_id"]]))
    other.goto("/administration")
    expect(other.locator("#refus")).to_contain_text("réservé aux administrateurs")
    expect(other.get_by_role("link", name="Administration")).to_be_hidden()

    admin = signed_in(pages, "admin-browser", ADMIN)
    admin.goto("/administration")
    expect(admin.get_by_role("link", name="Administration")).to_be_visible()
    clean(admin, "admin-accueil")

    # an organisation, keyboard only: a collège without UAI is refused on its field
    type_into(admin, "#org-nom", "Collège Rosa Parks")
    admin.keyboard.press("Enter")
    expect(admin.locator("#org-uai")).to_have_attribute("aria-invalid", "true")
    clean(admin, "admin-organisation-erreur")
    type_into(admin, "#org-uai", "0750123A")
    admin.locator("#org-nom").focus()
    admin.keyboard.press("Enter")
    expect(admin.locator("#org-cree .notice.success")).to_be_focused()

    # a centre and its member, keyboard only
    type_into(admin, "#centre-nom", "Centre Rosa Parks")
    admin.keyboard.press("Enter")
    expect(admin.locator("#centre-cree .notice.success")).to_be_focused()
    type_into(admin, "#membre-user", "inconnu-404")
    admin.keyboard.press("Enter")
    expect(admin.locator("#membre-user")).to_have_attribute("aria-invalid", "true")
    admin.locator("#membre-user").fill("")
    type_into(admin, "#membre-user", user["id"])
    admin.keyboard.press("Enter")
    expect(admin.locator("#annonces")).to_contain_text("ajouté au centre")

    # the held session: its state, then published by the admin
    type_into(admin, "#numero-session", sid)
    admin.keyboard.press("Enter")
    expect(admin.locator("#resultats h3")).to_be_focused()
    expect(admin.locator("#resultats h3")).to_contain_text("attente de publication")
    shot(admin, "admin-01-session-retenue")
    clean(admin, "admin-session-retenue")
    admin.locator('[data-action="publier"]').focus()
    admin.keyboard.press("Enter")
    expect(admin.locator("#resultats h3")).to_contain_text("Publiée")
    assert sid not in admin.url

    small = signed_in(pages, "admin-browser", ADMIN, width=360)
    small.goto("/administration")
    expect(small.locator("#espace")).to_be_visible()
    fits(small)

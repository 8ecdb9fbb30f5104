"""The school space in a real browser, end to end: a member imports the
roster (a refused file first, with its rejected lines), creates the accounts
of a class and downloads the slips, creates a campaign with the keyboard only;
a pupil signs in with the slip, types the code on "J'ai un code", joins and
sends results; the member follows progress per class and per pupil, reads
the results, exports the CSV and reads the class profile (chart and table).
axe on every page state, 360 px without horizontal scroll, screenshots in
test-artifacts/browser/."""
from __future__ import annotations

import json
import re

import pytest

from tests.api import org_flow
from tests.browser.flows import ADMIN, clean, fits, shot, signed_in
from tests.conftest import make_token

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

BAD_ROW = "12345;Sans;;Date;F;31/02/2010;75056;;3A;10110001110"




def test_import_accounts_campaign_and_results(pages, stack, tmp_path):
    org = stack.api("POST", "/organizations", {"name": "Collège Jean Moulin", "type": "college",
                                               "uai": "0750077K"}, token=ADMIN, expect=201)
    org_id = org["org_id"]
    staff = signed_in(pages, "staff-browser", make_token("staff-browser", orgs={org_id: "admin"}))

    staff.goto("/etablissement")
    expect(staff.locator("#titre")).to_have_text("Espace établissement : Collège Jean Moulin")
    # the navigation shows the spaces this person holds a role in
    expect(staff.get_by_role("link", name="Espace établissement")).to_be_visible()
    clean(staff, "ecole-accueil")

    # a refused file: nothing imported, each rejected line listed
    bad = tmp_path / "eleves-erreur.csv"
    bad.write_bytes(org_flow.school_csv(org_flow.PUPILS + [BAD_ROW]))
    staff.set_input_files("#fichier", str(bad))
    staff.get_by_role("button", name="Importer").click()
    report = staff.locator("#rapport .notice.error")
    expect(report).to_be_focused()
    expect(report).to_contain_text("Import refusé")
    expect(report.locator("tbody tr")).not_to_have_count(0)
    expect(report.locator("tbody tr").first.locator("td").first).to_have_text("5")
    shot(staff, "ecole-01-import-refuse")
    clean(staff, "ecole-import-refuse")

    good = tmp_path / "eleves.csv"
    good.write_bytes(org_flow.school_csv())
    staff.set_input_files("#fichier", str(good))
    staff.get_by_role("button", name="Importer").click()
    expect(staff.locator("#rapport .notice.success")).to_contain_text("3 élèves ajoutés")
    expect(staff.locator("#classes tbody th")).to_have_text(["3A", "3B"])

    # the class, by keyboard: statuses, then the accounts and their slips
    staff.locator('[data-classe="3A"]').focus()
    staff.keyboard.press("Enter")
    expect(staff.locator("#classe h3")).to_be_focused()
    expect(staff.locator("#eleves tbody tr td:last-child")).to_have_text(["Non", "Non"])
    staff.locator('[data-action="creer-comptes"]').click()
    sheet = staff.locator("#identifiants .notice.success")
    expect(sheet.locator("h3")).to_have_text("2 comptes créés")
    expect(staff.locator("#eleves tbody tr td:last-child")).to_have_text(["Oui", "Oui"])
    lea = sheet.locator("tbody tr", has_text="Léa")
    username = lea.locator("td code").nth(0).inner_text()
    password = lea.locator("td code").nth(1).inner_text()
    with staff.expect_download() as download:
        staff.locator('[data-action="fiche"]').click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename == "identifiants-3A.pdf"
    shot(staff, "ecole-02-comptes")
    clean(staff, "ecole-comptes")

    # a campaign, keyboard only: errors first, then created
    staff.locator("#nom").focus()
    staff.keyboard.press("Enter")
    expect(staff.locator("#campagne .summary")).to_be_focused()
    expect(staff.locator("#nom")).to_have_attribute("aria-invalid", "true")
    staff.locator("#nom").focus()
    staff.keyboard.type("Évaluation 3e")
    staff.locator("#c-1\\.1").focus()
    staff.keyboard.press("Space")
    staff.locator("#nom").focus()
    staff.keyboard.press("Enter")
    staff.wait_for_url(re.compile(r"/campagne\?org="))
    code = staff.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z]{6}[0-9]{3}", code)
    expect(staff.locator("#avancement")).to_contain_text("Personne")
    shot(staff, "ecole-03-campagne-affiche")
    clean(staff, "ecole-campagne-vide")

    # the pupil: signs in with the slip, types the code, joins
    pupil = pages.new()
    pupil.goto("/connexion?suite=code")
    pupil.fill("#login", username)
    pupil.fill("#password", password)
    pupil.get_by_role("button", name="Se connecter").click()
    pupil.wait_for_url("**/code")
    expect(pupil.get_by_role("link", name="Espace établissement")).to_be_hidden()
    pupil.fill("#code", "ZZZZZZ999")
    pupil.get_by_role("button", name="Continuer").click()
    expect(pupil.locator("#code")).to_have_attribute("aria-invalid", "true")
    clean(pupil, "code-erreur")
    pupil.fill("#code", code.lower())
    pupil.get_by_role("button", name="Continuer").click()
    expect(pupil.locator("#etape h2")).to_be_focused()
    pupil.locator('[data-action="rejoindre"]').click()
    expect(pupil.locator("#parcours .card h3")).to_have_text("Évaluation 3e")
    shot(pupil, "code-01-rejoint")
    clean(pupil, "code-rejoint")
    user_id = json.loads(pupil.evaluate("sessionStorage.getItem('auth.user')"))["userId"]
    # a pupil's token reaches none of the school's routes
    pupil_token = json.loads(pupil.evaluate("sessionStorage.getItem('auth.user')"))["access"]
    for path in (f"/organizations/{org_id}/divisions", f"/organizations/{org_id}/campaigns"):
        stack.api("GET", path, token=pupil_token, expect=403)
    stack.command("seed", user_id, "1.1", "1.2", "1.3", "2.1", "2.2")
    pupil.reload()
    pupil.locator('[data-action="envoyer"]').click()
    expect(pupil.locator("#parcours")).to_contain_text("Résultats envoyés le")

    # the school follows: per class, per pupil, results, CSV, class profile
    staff.reload()
    expect(staff.locator("#avancement tbody tr").first.locator("td")).to_have_text(["1", "1", re.compile("Voir")])
    staff.locator("#avancement tbody button").first.click()
    expect(staff.locator("#eleves caption")).to_be_focused()
    expect(staff.locator("#eleves tbody td").last).to_contain_text("Envoyés le")
    expect(staff.locator("#resultats tbody tr")).to_have_count(1)
    with staff.expect_download() as download:
        staff.locator('[data-action="export"]').click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.startswith("Nom;Prénom;INE;Classe") and "Dupont;Léa;123456789AB;3A" in text
    staff.select_option("#division", "3A")
    staff.get_by_role("button", name="Afficher").click()
    expect(staff.locator("#titre-profil")).to_be_focused()
    expect(staff.locator("#profil svg[role='img']")).to_have_attribute("aria-labelledby", "titre-profil")
    expect(staff.locator("#profil tbody tr th")).to_have_text([re.compile("^1.1 ")])
    shot(staff, "ecole-04-resultats-profil")
    clean(staff, "ecole-resultats-profil")

    # 360 px: every page of the space without horizontal scrolling
    for page, name in ((staff, "campagne"), (pupil, "code")):
        page.set_viewport_size({"width": 360, "height": 800})
        page.reload()
        page.wait_for_load_state("networkidle")
        fits(page)
        shot(page, f"ecole-360-{name}")
    staff.goto(f"/etablissement?org={org_id}")
    staff.locator('[data-classe="3A"]').click()
    expect(staff.locator("#eleves tbody tr")).to_have_count(2)
    fits(staff)
    shot(staff, "ecole-360-etablissement")

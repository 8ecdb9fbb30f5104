"""Every page at 360 px wide (a small phone, an old netbook zoomed): French,
titled, no horizontal scrolling, keyboard skip link, axe-core clean; and the
password reset through the e-mailed link."""
from __future__ import annotations

import re

import pytest

from chalicelib.api.web import PAGES
from tests.browser.flows import axe, fits, shot

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

PASSWORD = "Petit2026ok"


def test_every_page_at_360px_is_accessible(pages, stack):
    stack.api("POST", "/users", {"first_name": "Inès", "last_name": "Bernard",
                                 "email": "ines.bernard@example.org", "password": PASSWORD,
                                 "birth_date": "1995-01-10", "accepted_terms": True}, expect=201)
    page = pages.new(width=360, height=780)
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    for route in PAGES:
        page.goto(route)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.title().endswith("Compétences numériques")
        slug = route.strip("/").replace("/", "-") or "accueil"
        fits(page)
        shot(page, f"360-{slug}")
        axe(page, f"360-{slug}")
    # signed in: the profile, the certification join form and a question
    page.goto("/connexion?suite=profil")
    page.fill("#login", "ines.bernard@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/profil")
    expect(page.locator(".map-row")).to_have_count(16)
    fits(page)
    shot(page, "360-profil-connecte")
    axe(page, "360-profil-connecte")
    # an expired or broken access token is renewed once with the refresh token
    page.evaluate("""() => { const a = JSON.parse(sessionStorage.getItem('auth.user'));
        a.access = 'expired.or.broken'; sessionStorage.setItem('auth.user', JSON.stringify(a)); }""")
    page.reload()
    expect(page.locator(".map-row")).to_have_count(16)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('auth.user')).access") != "expired.or.broken"
    page.goto("/certification")
    expect(page.locator("#rejoindre")).to_be_visible()
    fits(page)
    shot(page, "360-certification-rejoindre")
    page.goto("/positionnement?competence=3.4")
    page.wait_for_selector("form.question")
    fits(page)
    shot(page, "360-question")
    axe(page, "360-question")
    # signing out forgets the tokens of this tab
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('auth.user')") is None


def test_password_reset_through_the_emailed_link(pages, stack):
    email = "remi.petit@example.org"
    stack.api("POST", "/users", {"first_name": "Rémi", "last_name": "Petit", "email": email,
                                 "password": "Ancien2026", "birth_date": "1988-06-02",
                                 "accepted_terms": True}, expect=201)

    page = pages.new(width=360, height=780)
    page.goto("/connexion")
    page.click("text=Mot de passe oublié ?")
    page.wait_for_url("**/mot-de-passe-oublie")
    page.fill("#email", "remi")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.locator("#email-erreur")).to_be_visible()
    page.fill("#email", email)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.locator("#envoye")).to_contain_text("e-mail")
    shot(page, "19-mot-de-passe-oublie")

    body = stack.command("mail", email)["body"]
    link = re.search(r"https?://\S+", body).group(0)
    assert link.startswith(stack.base_url + "/mot-de-passe/nouveau?token=")
    page.goto(link)
    page.wait_for_function("!location.search.includes('token')")  # out of the address bar
    page.fill("#new_password", "court")
    page.fill("#confirmation", "autre")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("#new_password-erreur")).to_contain_text("8 caractères")
    expect(page.locator("#confirmation-erreur")).to_contain_text("différents")
    shot(page, "20-nouveau-mot-de-passe-erreurs")
    axe(page, "nouveau-mot-de-passe-erreurs")
    page.fill("#new_password", PASSWORD)
    page.fill("#confirmation", PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("#message")).to_contain_text("Votre mot de passe est modifié")
    page.click("#message >> text=Se connecter")
    page.fill("#login", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/profil")

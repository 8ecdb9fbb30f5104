"""A learner in a real browser: registration (with the inline errors), a whole
positioning test on one competence (skip, keyboard only, reload and resume,
corrections), then the profile showing the level reached."""
from __future__ import annotations

import re

import pytest

from tests.api.answers import correct_answer
from tests.browser.flows import SECRET_KEYS, ApiWatch, answer_correctly, axe, fits, keys_in, shot, view_on_screen

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect

PASSWORD = "Bonjour2026"


def register(page, email: str) -> None:
    page.goto("/inscription")
    expect(page).to_have_title(re.compile("Créer un compte"))
    # what registration asks to accept can be read first (keyboard: the links are in the form)
    for link, name in (("conditions générales d'utilisation", "cgu"), ("politique de confidentialité", "confidentialite")):
        page.get_by_role("link", name=link).click()
        page.wait_for_url(f"**/{name}")
        expect(page.locator("h1")).to_be_visible()
        axe(page, name)
        page.set_viewport_size({"width": 360, "height": 740})
        fits(page)
        shot(page, f"00-{name}-360")
        page.set_viewport_size({"width": 1100, "height": 900})
        page.go_back()
        page.wait_for_url("**/inscription")
    # nothing filled: a summary takes the focus and each field says what is wrong
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.locator(".summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("erreurs")
    expect(page.locator("#first_name")).to_have_attribute("aria-invalid", "true")
    # a weak password: the rules list shows what is missing, the error says it too
    page.fill("#first_name", "Camille")
    page.fill("#last_name", "Martin")
    page.fill("#email", email)
    page.fill("#birth_date", "31/02/2000")
    page.fill("#password", "bonjour")
    expect(page.locator('[data-rule="upper"]')).not_to_have_class(re.compile(r"\bok\b"))
    expect(page.locator('[data-rule="lower"]')).to_have_class(re.compile(r"\bok\b"))
    page.check("#accepted_terms")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#password-erreur")).to_contain_text("une lettre majuscule")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#birth_date-erreur")).to_contain_text("JJ/MM/AAAA")
    shot(page, "01-inscription-erreurs")
    axe(page, "inscription-erreurs")
    # consent is asked only when the typed date says under 15, and checked before any round trip
    expect(page.locator("#guardian_consent")).to_be_hidden()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/users") else None)
    page.fill("#birth_date", "15/03/2015")
    page.fill("#password", PASSWORD)
    expect(page.locator("#guardian_consent")).to_be_visible()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.locator("#guardian_consent-erreur")).to_contain_text("parent ou tuteur")
    assert posts == []
    axe(page, "inscription-consentement")
    page.fill("#birth_date", "15/03/2000")
    expect(page.locator("#guardian_consent")).to_be_hidden()
    expect(page.locator('[data-rule="digit"]')).to_contain_text("respecté")
    page.get_by_role("button", name="Créer mon compte").click()
    # password hashing (argon2id, production cost in the stack) on a shared machine: allow it time
    expect(page.locator("#inscrit h2")).to_have_text("Votre compte est créé", timeout=15_000)
    # the menu follows the sign-in registration did
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_hidden()
    shot(page, "02-inscription-ok")
    page.click("text=Découvrir mon profil")
    page.wait_for_url("**/profil")


TIMED_ITEMS = ("c11-adresse-1a", "c11-moteur-1b")  # 45 s, QCU


def run_positioning(page, stack=None) -> dict:
    """Answer the test of the page to its end; returns what happened. With
    `stack`, the 4th question is made a timed one, to meet its warning."""
    log = {"answers": 0, "skipped": False, "keyboard": False, "reloaded": False, "timed": 0, "warned": False,
           "seen": []}
    while True:
        page.wait_for_selector("form.question:not([data-done]), [data-finished], [data-warning]")
        if page.locator("[data-finished]").count():
            return log
        if page.locator("[data-warning]").count():
            meet_the_warning(page, TIMED_ITEMS)
            log["warned"] = log["warned"] or page.locator("form.question").get_attribute("data-item-id") in TIMED_ITEMS
            page.wait_for_selector("form.question:not([data-done])")
        form = page.locator("form.question")
        item_id = form.get_attribute("data-item-id")
        log["seen"].append(item_id)
        expect(page.locator("[data-progress]")).to_contain_text(f"Question {log['answers'] + 1}")
        if log["answers"] == 0:  # how long, honestly: the usual length and the rule
            expect(page.locator("[data-progress]")).to_contain_text(re.compile(r"Question 1 sur (environ 10|\d+ au plus)"))
            expect(page.locator("[data-progress]")).to_contain_text("13 au plus pour 9 tests sur 10")
        if form.get_attribute("data-timer"):
            expect(page.locator('[data-role="timer"]')).to_contain_text(re.compile(r"\d:\d\d"))
            expect(page.locator("#annonces")).to_contain_text("Question chronométrée")
            if not log["timed"]:
                shot(page, "05-question-chronometree")
            log["timed"] += 1
        if log["answers"] == 0:
            shot(page, "04-question")
            axe(page, "question")
            page.click('[data-action="passer"]')
            expect(page.locator(".result h2")).to_contain_text("Question passée")
            # "Votre réponse" beside the right one, and the header already counts the answer
            expect(page.locator("[data-compare] [data-given]")).to_contain_text("Vous avez passé la question")
            expect(page.locator("[data-compare] [data-expected] li").first).to_be_visible()
            expect(page.locator("[data-progress]")).to_contain_text("1 réponse donnée")
            page.set_viewport_size({"width": 360, "height": 740})
            fits(page)
            shot(page, "05b-correction-votre-reponse-360")
            page.set_viewport_size({"width": 1100, "height": 900})
            axe(page, "correction-passee")
            log["skipped"] = True
        elif log["answers"] == 1:
            # 200 % zoom: 1280×800 becomes 640×400 CSS px; the question still starts on the first screen
            page.set_viewport_size({"width": 640, "height": 400})
            fits(page, 640)
            bottom = page.evaluate("document.querySelector('#question-titre').getBoundingClientRect().bottom"
                                   " + window.scrollY")  # from the top of the page, whatever the scroll
            assert bottom <= 400, f"the question title ends {bottom}px down the page at 200 %"
            shot(page, "04b-question-zoom-200")
            page.set_viewport_size({"width": 1100, "height": 900})
            answer_correctly(page)
            expect(page.locator(".result h2")).to_contain_text("Bonne réponse")
        elif not log["keyboard"] and form.get_attribute("data-type") == "QCU":
            answer_qcu_with_keyboard(page, item_id)
            log["keyboard"] = True
        else:
            answer_correctly(page)
            expect(page.locator(".result h2")).to_contain_text("Bonne réponse")
        log["answers"] += 1
        expect(page.locator(".result h2")).to_be_focused()
        expect(page.locator("#annonces")).to_contain_text("Réponse enregistrée")
        if log["answers"] == 2:
            expect(page.locator(".result")).to_contain_text("Pour comprendre")
            shot(page, "06-correction")
            axe(page, "correction")
        if log["answers"] == 3:
            if stack is not None:  # the next question is a timed one (served behind its warning)
                user_id = page.evaluate("JSON.parse(sessionStorage.getItem('auth.user')).userId")
                timed = next(i for i in TIMED_ITEMS if i not in log["seen"])
                stack.command("serve", user_id, "1.1", timed)
            # a reload keeps the test where it was: the same correction, then the next item
            status = page.locator(".result").get_attribute("data-status")
            page.reload()
            expect(page.locator(".result")).to_have_attribute("data-status", status)
            log["reloaded"] = True
        page.click('[data-action="suivante"]')
        assert log["answers"] < 60, "the test never ends"


def meet_the_warning(page, timed_items) -> None:
    """The warning before a timed or focused question (the 4th is made a timed
    one; the test may also serve one of its own): what is coming, no question
    on screen yet (the server sent none), started from the keyboard."""
    warning = page.locator("[data-warning]")
    item_id = warning.get_attribute("data-warning")
    if item_id in timed_items:
        expect(warning).to_contain_text("Question chronométrée")
        expect(warning).to_contain_text("45 secondes")
        expect(warning).to_contain_text("Le temps ne part que quand vous cliquez")
        shot(page, "05a-avertissement-chronometre")
    else:
        expect(warning).to_contain_text(re.compile("Question chronométrée|ne changez pas d.onglet"))
    assert page.locator("form.question").count() == 0
    expect(page.locator("#avertissement-titre")).to_be_focused()
    axe(page, "avertissement")
    page.set_viewport_size({"width": 360, "height": 740})
    fits(page)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.keyboard.press("Tab")
    expect(page.locator('[data-action="commencer"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("form.question")).to_have_attribute("data-item-id", item_id,
                                                            timeout=15_000)  # a shared, loaded machine
    if item_id in timed_items:
        expect(page.locator('[data-role="timer"]')).to_contain_text(re.compile(r"0:4\d"))


def answer_qcu_with_keyboard(page, item_id: str) -> None:
    """Keyboard only: the focus starts on the question title; Tab reaches the
    choices, arrows pick one, Tab reaches « Je valide », Enter validates."""
    expect(page.locator("#question-titre")).to_be_focused()
    choice = correct_answer(view_on_screen(page))["choice"]
    page.keyboard.press("Tab")
    for _ in range(10):
        if page.evaluate("document.activeElement.value") == choice:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked") is True
    page.keyboard.press("Tab")
    expect(page.locator('[data-action="valider"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".result h2")).to_contain_text("Bonne réponse")


def test_register_take_a_positioning_test_and_see_the_level(pages, stack):
    page = pages.new()
    watch = ApiWatch(page, r"/me/competences/")
    register(page, "camille.martin@example.org")
    expect(page.locator("[data-total-pix]")).to_have_text("0")
    expect(page.locator('[data-certifiable="false"]')).to_be_visible()
    # the map: 16 rows, each with its level and pix in words (never colour alone)
    rows = page.locator(".map-row")
    expect(rows).to_have_count(16)
    for text in rows.all_inner_texts():
        assert re.search(r"Niveau \d", text) and re.search(r"\d+ pix", text) and "Non commencée" in text, text
    expect(page.locator("[data-next]")).to_have_attribute("data-next", "1.1")
    expect(page.locator("#suite-titre")).to_have_text("Par où commencer ?")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, f"profile {height}px tall on desktop (was 4,300)"
    page.get_by_text("Que veulent dire les niveaux ?").click()
    expect(page.locator("details.levels")).to_contain_text("Expert 7 (768 à 895)")
    page.set_viewport_size({"width": 360, "height": 740})
    fits(page)
    shot(page, "03b-profil-vide-360")
    page.set_viewport_size({"width": 1100, "height": 900})
    shot(page, "03-profil-vide")
    axe(page, "profil-vide")

    page.click('[data-competence="1.1"] >> text=Commencer')
    page.wait_for_url("**/positionnement?competence=1.1")
    expect(page.locator("h1")).to_contain_text("1.1 Mener une recherche")
    log = run_positioning(page, stack)
    assert log["skipped"] and log["keyboard"] and log["reloaded"] and log["warned"]
    finished = page.locator("[data-finished]")
    expect(finished).to_contain_text("Test terminé")
    level = int(re.search(r"niveau (\d)", finished.inner_text()).group(1))
    assert level >= 3, log
    # the recap: answers counted, the skipped first question's tutorial to review, the retry date, what next
    expect(finished).to_contain_text(re.compile(r"Vos réponses : \d+ justes?, \d+ fausses?, 1 passée"))
    expect(finished).to_contain_text(re.compile(r"retenter cette compétence à partir du \d+ \S+ à \d\d:\d\d"))
    expect(page.locator("[data-review] .review").first).to_contain_text("Question 1 · Question passée")
    expect(page.locator("[data-next]")).to_have_attribute("data-next", "2.1")
    axe(page, "bilan")
    page.set_viewport_size({"width": 360, "height": 740})
    fits(page)
    shot(page, "07b-bilan-360")
    page.set_viewport_size({"width": 1100, "height": 900})
    shot(page, "07-test-termine")

    page.click("text=Voir mon profil")
    page.wait_for_url("**/profil")
    card = page.locator('[data-competence="1.1"]')
    expect(card.locator("[data-level]")).to_have_attribute("data-level", str(level))
    expect(card).to_contain_text("Terminée")
    expect(card).to_contain_text(f"Niveau {level}")
    # no "Retenter" button that would refuse: the date it opens instead
    expect(card.get_by_role("button", name=re.compile("Retenter"))).to_have_count(0)
    expect(card.locator("[data-retry]")).to_contain_text(re.compile(r"Retenter possible le \d+ \S+ à \d\d:\d\d"))
    expect(page.locator("[data-next]")).to_have_attribute("data-next", "2.1")
    expect(card.locator("[data-recap]")).to_have_attribute("href", re.compile(r"positionnement\?competence=1\.1"))
    total = int(page.locator("[data-total-pix]").inner_text())
    assert total > 0
    # the stack answers compressed, as API Gateway does (scripts/run_local.py, minimum_compression_size)
    encoding = page.evaluate("async () => (await fetch(document.querySelector('link[rel=stylesheet]').href,"
                             " {cache: 'no-store'})).headers.get('content-encoding')")
    assert encoding == "gzip", encoding
    shot(page, "08-profil-niveau")
    axe(page, "profil")

    # the browser never received a solution before answering
    assert watch.seen, "no API answer observed"
    for method, url, body in watch.seen:
        if url.endswith("/assessment"):
            assert not keys_in(body) & SECRET_KEYS, (method, url)
        elif method == "POST" and url.endswith("/answers"):
            assert body["correction"]["item_id"] == body["item_id"]
            assert not keys_in(body["assessment"]) & SECRET_KEYS, url

"""Issue 14, point 6, in Chromium: an item with a Markdown table, an
illustration and an attachment renders as a real table with headers, an
image with its text alternative that actually loads, and a download link
naming type and size, with no axe violation.

The item is rendered by the front's own `renderItem` (chalicelib/web/item.js)
on the positioning page, from a candidate view built by the server code
(`candidate_view`) for bank items that carry the files, so the URLs are the
ones a candidate gets.
"""
from __future__ import annotations

import json

import pytest

from chalicelib.bank.loader import get_bank
from chalicelib.domain.candidate_view import candidate_view
from chalicelib.domain.choice_ids import ChoiceIds
from tests.browser.flows import axe, fits, shot

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect


def _view() -> dict:
    bank = get_bank()
    ids = ChoiceIds(b"b" * 32, "browser-test")
    pictured = next(i for i in bank.served_items() if i.illustration)
    attached = next(i for i in bank.served_items() if i.attachment)
    # a table with at least two named columns (c13-formule-1b's sheet has one: A)
    tabled = next(i for i in bank.served_items() if "|---|---|---" in i.instruction)
    view = candidate_view(tabled, ids)
    view["illustration"] = candidate_view(pictured, ids)["illustration"]
    view["attachment"] = candidate_view(attached, ids)["attachment"]
    return view


def test_table_image_and_attachment_render_accessibly(pages):
    view = _view()
    page = pages.new(width=1024, height=900)
    page.goto("/positionnement")
    page.wait_for_load_state("networkidle")
    page.evaluate("""async (item) => {
        const { renderItem } = await import(new URL('item.js', document.querySelector('script[type=module]').src).href);
        const main = document.querySelector('main');
        main.replaceChildren();
        renderItem(main, item, { heading: 'Question 1', onAnswer: async () => {}, onSkip: async () => {} });
    }""", view)
    table = page.locator(".consigne table")
    expect(table).to_have_count(1)
    assert table.locator("thead th[scope=col]").count() >= 2
    assert "|" not in page.locator(".consigne").inner_text()
    image = page.locator("img[data-role=illustration]")
    expect(image).to_have_attribute("alt", view["illustration"]["alt"])
    page.wait_for_function("() => { const i = document.querySelector('img[data-role=illustration]');"
                           " return i.complete && i.naturalWidth > 0; }")
    link = page.locator("a[data-role=attachment]")
    expect(link).to_have_attribute("download", view["attachment"]["filename"])
    text = link.inner_text()
    assert view["attachment"]["title"] in text and view["attachment"]["format"] in text
    assert "octets" in text or "ko" in text
    status = page.evaluate("async (href) => (await fetch(href)).status", link.get_attribute("href"))
    assert status == 200
    shot(page, "question-riche")
    axe(page, "question-riche")
    assert json.dumps(view).count("assets/") == 0  # author file names never reach the page


WIDE = """Relevé d'une station météo :

| Jour | Température minimale | Température maximale | Précipitations | Observation |
|---|---|---|---|---|
| Lundi | 3 | 11 | 0,5 | https://meteo.example.org/releves/2026/12/lundi-station-principale |
| Mardi | -1 | 7 | 0 | Brouillard givrant toute la matinée |

Que calcule `=MOYENNE.SI.ENS(B2:B3;A2:A3;"Lundi";C2:C3;">5")` ?"""


def test_a_wide_table_reflows_at_320_px(pages):
    """WCAG reflow: at 320 CSS px (1280 at 400 %), a five-column table with a
    long address and a long formula fits: no sideways scroll of the page, the
    table inside its box."""
    view = dict(_view(), instruction=WIDE, illustration=None, attachment=None)
    page = pages.new(width=320, height=640)
    page.goto("/positionnement")
    page.wait_for_load_state("networkidle")
    page.evaluate("""async (item) => {
        const { renderItem } = await import(new URL('item.js', document.querySelector('script[type=module]').src).href);
        const main = document.querySelector('main');
        main.replaceChildren();
        renderItem(main, item, { heading: 'Question 1', onAnswer: async () => {}, onSkip: async () => {} });
    }""", view)
    expect(page.locator(".consigne table thead th")).to_have_count(5)
    fits(page, 320)
    box = page.evaluate("""() => { const w = document.querySelector('.table-scroll');
        return [w.scrollWidth, w.clientWidth]; }""")
    assert box[0] <= box[1], f"the table scrolls in its box: {box}"
    shot(page, "tableau-large-320")
    axe(page, "tableau-large-320")

"""The administrator's organisation members in a real browser, walked once:
show an organisation's members, add two people by e-mail (one an admin), be
refused demoting the only admin with the API's French message, remove the
other member; keyboard only for the forms, axe on each state, 360 px."""
from __future__ import annotations

import pytest

from tests.browser.flows import ADMIN, clean, fits, shot, signed_in

expect = pytest.importorskip("playwright.sync_api", reason="needs the `playwright` package").expect


def person(stack, first: str, email: str) -> dict:
    return stack.api("POST", "/users", {"first_name": first, "last_name": "Lemaire", "email": email,
                                        "password": "Orga2026okay", "birth_date": "1979-03-04",
                                        "accepted_terms": True}, expect=201)


def test_administration_organisation_members(pages, stack):
    org = stack.api("POST", "/organizations", {"name": "Collège Simone Veil", "type": "college",
                                               "uai": "0750456B"}, token=ADMIN, expect=201)
    head = person(stack, "Anne", "anne.lemaire@example.org")
    teacher = person(stack, "Marc", "marc.lemaire@example.org")

    admin = signed_in(pages, "admin-browser", ADMIN)
    admin.goto("/administration")
    admin.locator("#orga-id").focus()
    admin.keyboard.type(org["org_id"])
    admin.keyboard.press("Enter")
    expect(admin.locator("#orga-membres h3")).to_be_focused()
    expect(admin.locator("#orga-membres")).to_contain_text("Aucun membre")

    # two people by e-mail, keyboard only: the head as admin, the teacher as member
    for who, radio in ((head, "#orga-role-admin"), (teacher, "#orga-role-membre")):
        admin.locator("#orga-email").focus()
        admin.keyboard.type(who["email"])
        admin.locator(radio).focus()
        admin.keyboard.press("Space")
        admin.keyboard.press("Enter")
        expect(admin.locator(f'#orga-membres tr[data-user="{who["id"]}"]')).to_be_visible()
    expect(admin.locator(f'tr[data-user="{head["id"]}"] select')).to_have_value("admin")
    clean(admin, "admin-orga-membres")

    # the only admin cannot become a plain member: the API's message, focused
    admin.locator(f'tr[data-user="{head["id"]}"] select').select_option("member")
    admin.locator(f'tr[data-user="{head["id"]}"] [data-action="changer-role"]').click()
    refusal = admin.locator("#orga-message .notice.error")
    expect(refusal).to_be_focused()
    expect(refusal).to_contain_text("dernier administrateur")
    shot(admin, "admin-orga-dernier-admin")
    clean(admin, "admin-orga-dernier-admin")

    # « Retirer » asks first: dismissed, nothing changes; accepted, the member is gone
    remove = admin.locator(f'tr[data-user="{teacher["id"]}"] [data-action="retirer"]')
    asked = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    remove.focus()
    admin.keyboard.press("Enter")
    expect(admin.locator(f'tr[data-user="{teacher["id"]}"]')).to_have_count(1)
    assert len(asked) == 1 and "Retirer" in asked[0], asked
    assert len(stack.api("GET", f"/organizations/{org['org_id']}/members", token=ADMIN)["items"]) == 2
    admin.once("dialog", lambda dialog: dialog.accept())
    remove.focus()
    admin.keyboard.press("Enter")
    expect(admin.locator("#orga-message .notice.success")).to_contain_text("ne fait plus partie")
    expect(admin.locator(f'tr[data-user="{teacher["id"]}"]')).to_have_count(0)
    members = stack.api("GET", f"/organizations/{org['org_id']}/members", token=ADMIN)["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [(head["id"], "admin")]

    admin.set_viewport_size({"width": 360, "height": 800})
    fits(admin)

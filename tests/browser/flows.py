"""Steps the browser tests share: answering the item on screen, watching that
no solution reaches the page before an answer, setting up a session."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.api.answers import correct_answer
from tests.conftest import make_token

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ADMIN = make_token("admin-browser", admin=True)
SECRET_KEYS = {"solution", "solutions", "tutorial", "groups", "correction"}


def fill_answer(page, item_id: str, answer: dict) -> None:
    """Put `answer` (the API payload) into the inputs of the item on screen."""
    if "choice" in answer:
        page.check(f'[id="p-{item_id}-{answer["choice"]}"]')
    elif "choices" in answer:
        for choice in answer["choices"]:
            page.check(f'[id="p-{item_id}-{choice}"]')
    else:
        for key, value in answer["fields"].items():
            page.fill(f'[id="f-{item_id}-{key}"]', value)


def view_on_screen(page) -> dict:
    """The item on screen as the API served it: id, type and the proposals'
    opaque ids (input values) with their label texts."""
    form = page.locator("form.question")
    view = {"id": form.get_attribute("data-item-id"), "type": form.get_attribute("data-type")}
    view["proposals"] = page.evaluate("""() => Array.from(
        document.querySelectorAll('form.question .choice input')).map((input) => ({
          id: input.value, text: document.querySelector(`label[for="${input.id}"]`).textContent}))""")
    return view


def answer_correctly(page) -> str:
    view = view_on_screen(page)
    item_id = view["id"]
    fill_answer(page, item_id, correct_answer(view))
    page.click('[data-action="valider"]')
    return item_id


def fits(page, width: int = 360) -> None:
    """No horizontal scrolling at `width` px."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: {scroll}px wide at {width}px"


def keys_in(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value)) if value else set()
    return set()


class ApiWatch:
    """Every JSON answer of the API to the page, to check what the browser
    received (never a solution before answering)."""

    def __init__(self, page, pattern: str):
        self.seen: list[tuple[str, str, dict]] = []
        self._pattern = re.compile(pattern)
        page.on("response", self._on_response)

    def _on_response(self, response):
        if not self._pattern.search(response.url) or response.status != 200:
            return
        try:
            body = json.loads(response.text())
        except Exception:  # not JSON (a page, a 304...)
            return
        self.seen.append((response.request.method, response.url, body))


def certification_session(stack, *, first: str, last: str, birth: str) -> dict:
    """A centre, a session and one enrolled candidate, through the API with
    tokens minted like tests/api/cert_flow.py does (same JWT secret as the stack)."""
    centre = stack.api("POST", "/centres", {"name": "Lycée Jean Jaurès", "type": "school",
                                             "uai": "0750003C"}, token=ADMIN, expect=201)
    staff = make_token(f"staff-{centre['centre_id']}", centres=[centre["centre_id"]])
    session = stack.api("POST", f"/centres/{centre['centre_id']}/sessions", {
        "date": "2026-12-01", "time": "09:00", "address": "1 rue de l'École, Paris",
        "room": "B12", "examiner": "Mme Martin", "description": "Terminale B"},
        token=staff, expect=201)
    candidate = stack.api("POST", f"/centres/{centre['centre_id']}/sessions/{session['session_id']}/candidates",
                          {"first_name": first, "last_name": last, "birth_date": birth,
                           "extra_time_percent": 30}, token=staff, expect=201)
    return {"centre_id": centre["centre_id"], "staff": staff, "session": session,
            "candidate": candidate}


def shot(page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _axe_source() -> str:
    """axe-core, test-only: the copy axe-playwright-python ships (no network)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe(page, name: str) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA + best practices) on the page as it is now.
    Fails on serious or critical violations; every finding goes to
    test-artifacts/browser/axe-<name>.json."""
    page.evaluate(_axe_source())
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                            AXE_TAGS)
    violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                   "targets": [n["target"] for n in v["nodes"]][:5]} for v in results["violations"]]
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(
        {"url": page.url, "violations": violations, "passes": len(results["passes"]),
         "incomplete": [{"id": v["id"], "targets": [n["target"] for n in v["nodes"]][:5],
                         "why": [n["any"][0]["message"] for n in v["nodes"] if n["any"]][:2]}
                        for v in results["incomplete"]]}, indent=2, ensure_ascii=False))
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe on {name}: {json.dumps(serious, indent=1, ensure_ascii=False)}"
    return violations


def clean(page, name: str) -> None:
    """axe with no violation at all, minor ones included."""
    assert axe(page, name) == [], name


def signed_in(pages, user_id: str, token: str, width: int = 1100):
    """A browser context holding this token, as the sign-in page leaves it."""
    page = pages.new(width=width)
    session = json.dumps({"access": token, "refresh": None, "userId": user_id})
    page.add_init_script(f"sessionStorage.setItem('auth.user', {json.dumps(session)})")
    return page


class _Gar:
    """The test GAR of the browser stack (tests/api/gar_idp.py): its key and
    ours, made once per run; the stack reads them from its environment."""

    def __init__(self):
        from tests.api.gar_idp import TestIdp

        self.idp, self.sp = TestIdp(), TestIdp()

    def environment(self) -> dict[str, str]:
        from tests.api.gar_idp import IDP_ENTITY_ID

        return {"GAR_IDP_ENTITY_ID": IDP_ENTITY_ID, "GAR_IDP_SSO_URL": GAR_SSO_URL,
                "GAR_IDP_SLO_URL": GAR_SLO_URL, "GAR_IDP_CERT": self.idp.certificate_pem,
                "GAR_SP_CERT": self.sp.certificate_pem, "GAR_SP_KEY": self.sp.key_pem}


# plain http: the browser never reaches it (the test answers in its place), and a
# form posted from an https page to the http stack would be a mixed-content warning
GAR_SSO_URL = "http://idp-gar.test.invalid/saml/sso"
GAR_SLO_URL = "http://idp-gar.test.invalid/saml/slo"
_GAR: list[_Gar] = []


def stack_gar() -> _Gar:
    if not _GAR:
        _GAR.append(_Gar())
    return _GAR[0]


def autopost(action: str, fields: dict[str, str]) -> str:
    """The page an IdP answers with in the HTTP-POST binding: a form the
    browser submits at once."""
    from html import escape

    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                     for k, v in fields.items())
    return (f'<!doctype html><html lang="fr"><title>GAR</title><form method="post" '
            f'action="{escape(action)}">{inputs}</form><script>document.forms[0].submit()</script>')


def type_into(page, selector: str, text: str) -> None:
    """Focus a field and type into it as a keyboard user does (no `fill`)."""
    page.locator(selector).focus()
    page.keyboard.type(text)

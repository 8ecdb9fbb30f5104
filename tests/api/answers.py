"""Right and wrong answers to any item of the real bank, for driving tests."""
from __future__ import annotations

import re

from chalicelib.bank.loader import get_bank


def _ids(view: dict, indexes) -> list[str]:
    """The opaque ids the served `view` gives the proposals at these canonical
    (file) indexes, found by their text as a client would see them."""
    item = get_bank().items[view["id"]]
    by_text = {_plain(p["text"]): p["id"] for p in view["proposals"]}
    assert len(by_text) == len(view["proposals"]), "two proposals read the same"
    return [by_text[_plain(item.proposals[i - 1])] for i in sorted(indexes)]


def _plain(text: str) -> str:
    """Text without inline Markdown marks, spaces collapsed: the API gives the source,
    a page gives the rendered label (browser tests read it from the DOM)."""
    return " ".join(re.sub(r"[`*]", "", text).split())


def correct_answer(view: dict) -> dict:
    """The right answer to the served item `view` (the candidate view: choice
    answers use the opaque ids of that test)."""
    item = get_bank().items[view["id"]]
    if item.type.value == "QCU":
        return {"choice": _ids(view, item.solution)[0]}
    if item.type.value == "QCM":
        return {"choices": _ids(view, item.solution)}
    if item.type.value == "QROCM-dep":
        return {"fields": {f.key: str(g[0]) for f, g in zip(item.fields, item.groups)}}
    return {"fields": {f.key: str(f.solutions[0]) for f in item.fields}}


def wrong_answer(view: dict) -> dict:
    item = get_bank().items[view["id"]]
    wrong = next((i for i in range(1, len(item.proposals) + 1) if i not in item.solution), None)
    if item.type.value == "QCU":
        return {"choice": _ids(view, [wrong])[0]}
    if item.type.value == "QCM":
        return {"choices": _ids(view, [wrong])}
    return {"fields": {f.key: "zzzz qqqq" for f in item.fields}}


CERTIFIABLE_COMPETENCES = ("1.1", "1.2", "1.3", "2.1", "2.2")


def certifiable_states(user_id: str, competences=CERTIFIABLE_COMPETENCES) -> list:
    """Completed positioning tests where every skill of levels 1-2 was answered
    right (level 2 in each competence): enough to be certifiable."""
    from chalicelib.store import assessments
    from chalicelib.store.assessments import PositioningState, StoredAnswer

    bank = get_bank()
    now = assessments.now_ms() - 86_400_000
    return [PositioningState(user_id=user_id, competence=code, assessment_id=f"seed-{user_id}-{code}",
                             status="completed", started_at=now, completed_at=now,
                             last_answer_at=now, current_item_id=None, served_at=None,
                             answers=[StoredAnswer(skill.item_ids[0], "ok", now)
                                      for skill in bank.skills_of(code) if skill.level <= 2])
            for code in competences]


def make_certifiable(user_id: str, competences=CERTIFIABLE_COMPETENCES) -> None:
    """Store `certifiable_states`: the full flow is tested in test_positioning;
    here it would only slow the certification tests."""
    from chalicelib.store import assessments

    for state in certifiable_states(user_id, competences):
        assessments.create(state, get_bank().version)


def opened(client, base: str, token: str, view: dict) -> dict:
    """The item as the learner sees it once started: a timed or focused item
    is served behind a warning (`start_required`, no question text), and its
    clock starts with the start call, as the page's « Commencer » button does."""
    if not view.get("start_required"):
        return view
    from tests.api.helpers import call, js

    response = call(client, "POST", f"{base}/items/{view['id']}/start", token=token)
    assert response.status_code == 200, response.body
    return js(response)["item"]

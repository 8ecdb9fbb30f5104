"""Pilot items through the real service (moto): served unscored, invisible in
every response, stored like the others and marked pilot in the answer export only."""
from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest

from chalicelib.bank.loader import get_bank
from chalicelib.config import settings
from chalicelib.domain.candidate_view import candidate_view
from chalicelib.domain.items import ItemStatus
from chalicelib.jobs import export_answers
from chalicelib.services import positioning
from chalicelib.store import assessments, object_store
from tests.api.answers import correct_answer, opened, wrong_answer
from tests.api.helpers import call, js
from tests.api.users import new_user

BASE = "/me/competences/1.1/assessment"


def with_pilots(bank, share: int = 3):
    """The real bank with every `share`-th item of competence 1.1 turned pilot
    (as an author would, `status: pilot`); skills are left as they are, the
    engine must not need them to ignore pilot answers."""
    ids = sorted(i for i, item in bank.items.items()
                 if item.competence == "1.1" and item.status is ItemStatus.VALIDATED)
    pilots = set(ids[1::share])
    items = {i: dataclasses.replace(item, status=ItemStatus.PILOT) if i in pilots else item
             for i, item in bank.items.items()}
    return dataclasses.replace(bank, items=items), pilots


@pytest.fixture()
def pilot_stack(client, monkeypatch):
    bank, pilots = with_pilots(get_bank())
    monkeypatch.setattr(positioning, "get_bank", lambda: bank)
    monkeypatch.setattr(positioning, "settings",
                        lambda: dataclasses.replace(settings(), pilot_rate=1.0, pilot_max_per_test=2))
    object_store.create_bucket()
    return client, bank, pilots


def play(client, token: str, answer_right) -> list[tuple[str, dict]]:
    """A whole test through the API; every response body, in order."""
    bodies = [("start", js(call(client, "POST", BASE, token=token)))]
    for k in range(60):
        state = js(call(client, "GET", BASE, token=token))
        bodies.append(("state", state))
        if state["item"] is None:
            break
        view = opened(client, BASE, token, state["item"])
        answer = correct_answer(view) if answer_right(view["id"], k) else wrong_answer(view)
        result = call(client, "POST", BASE + "/answers", token=token,
                      body={"item_id": view["id"], "answer": answer})
        assert result.status_code == 200, result.body
        bodies.append(("answer", js(result)))
        bodies.append(("result", js(call(client, "GET", f"{BASE}/answers/{view['id']}", token=token))))
    bodies.append(("profile", js(call(client, "GET", "/me/profile", token=token))))
    bodies.append(("data", js(call(client, "GET", "/me/data", token=token))))
    return bodies


def keys_and_values(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keys_and_values(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from keys_and_values(value, path)
    else:
        yield node


def test_pilot_items_are_served_unscored_invisible_and_exported_with_a_marker(pilot_stack):
    client, bank, pilots = pilot_stack
    user, tokens = new_user(client)
    token = tokens["access_token"]
    bodies = play(client, token, lambda item_id, k: k % 3 != 2)
    served = [b["item"]["id"] for kind, b in bodies if kind == "state" and b["item"]]
    served_pilots = [i for i in served if i in pilots]
    assert 1 <= len(served_pilots) <= 2 and len(served) == len(set(served))

    # invisible: no key or value says pilot, and a pilot item's view has exactly
    # the keys of an operational one
    for kind, body in bodies:
        for token_ in keys_and_values(body):
            assert "pilot" not in str(token_).lower(), (kind, token_)
    # a pilot item's view is exactly the view of the same item were it operational
    state = assessments.get(user["id"], "1.1")
    views = {b["item"]["id"]: b["item"] for kind, b in bodies if kind == "state" and b["item"]}
    for item_id in served_pilots:
        as_operational = candidate_view(get_bank().items[item_id], positioning._choice_ids(state))
        assert {k: v for k, v in views[item_id].items() if k != "served_at"} == as_operational
    answers = [b for kind, b in bodies if kind == "answer"]
    assert {tuple(sorted(a)) for a in answers if a["item_id"] in pilots} == \
           {tuple(sorted(a)) for a in answers if a["item_id"] not in pilots}

    # never counted: the stored result equals a replay of the scored answers only
    assert [a.item_id for a in state.answers if a.pilot] == served_pilots
    profile = next(b for kind, b in bodies if kind == "profile")
    replay = positioning.competence_profile(
        positioning.knowledge_elements(bank, "1.1", [a for a in positioning._domain_answers(state) if a.scored]),
        bank, "1.1", settings().max_reachable_level)
    c11 = next(c for c in profile["competences"] if c["code"] == "1.1")
    assert (c11["pix"], c11["level"]) == (replay.pix, replay.level)

    # exported like the others, with the marker and the canonical choices
    report = export_answers.run(now_ms=assessments.now_ms() + export_answers.LAG_MS + 1)
    records = [json.loads(line) for key in report.objects
               for line in object_store.get(key).decode().splitlines()]
    assert sorted(r["item"] for r in records) == sorted(served)
    assert sorted(r["item"] for r in records if r.get("pilot")) == sorted(served_pilots)
    choice_items = [r for r in records if bank.items[r["item"]].type.is_choice]
    assert choice_items and all(r["choices"] and all(1 <= c <= len(bank.items[r["item"]].proposals)
                                                     for c in r["choices"]) for r in choice_items)
    right = [r for r in choice_items if r["correct"] and bank.items[r["item"]].type.value == "QCU"]
    assert all(set(r["choices"]) == set(bank.items[r["item"]].solution) for r in right)


def test_same_answers_with_and_without_pilot_slots_give_the_same_result(client, monkeypatch):
    """Two learners answer the operational items the same way (right on even
    positions of the scored sequence); one also meets pilot items."""
    bank, pilots = with_pilots(get_bank())
    monkeypatch.setattr(positioning, "get_bank", lambda: bank)
    results = {}
    for rate in (0.0, 1.0):
        monkeypatch.setattr(positioning, "settings",
                            lambda rate=rate: dataclasses.replace(settings(), pilot_rate=rate))
        # one seed for both tests (the seed is the assessment id)
        monkeypatch.setattr(positioning, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex="same-seed")))
        user, tokens = new_user(client)
        bodies = play(client, tokens["access_token"], lambda item_id, k: hash(item_id) % 3 != 0)
        served = [b["item"]["id"] for kind, b in bodies if kind == "state" and b["item"]]
        c11 = next(c for c in bodies[-2][1]["competences"] if c["code"] == "1.1")
        results[rate] = ([i for i in served if i not in pilots], c11["pix"], c11["level"],
                         [i for i in served if i in pilots])
    assert results[1.0][3] and not results[0.0][3]
    assert results[1.0][:3] == results[0.0][:3]

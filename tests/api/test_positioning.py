"""The positioning flow over HTTP: start, serve, answer, retry, resume, profile."""
from __future__ import annotations

import pytest

from chalicelib.bank.loader import get_bank
from tests.api.answers import correct_answer, opened, wrong_answer
from tests.api.helpers import call, js
from tests.conftest import make_token

BASE = "/me/competences/1.1/assessment"


def test_full_test_runs_to_the_end_and_profile_shows_level(client, learner_token):
    started = js(call(client, "POST", BASE, token=learner_token))
    assert started["status"] == "started"
    seen = []
    while True:
        state = js(call(client, "GET", BASE, token=learner_token))
        if state["status"] == "completed":
            assert "length" not in state
            break
        length = state["length"]  # the header's "Question n sur environ N": never passed, never below n
        assert state["answered"] + 1 <= length["expected"] <= length["at_most"], length
        assert (length["typical"], length["usual_max"]) == (10, 13)
        item = opened(client, BASE, learner_token, state["item"])
        assert "solution" not in item and "tutorial" not in item
        seen.append(item["id"])
        result = call(client, "POST", BASE + "/answers", token=learner_token,
                      body={"item_id": item["id"], "answer": correct_answer(item)})
        assert result.status_code == 200, result.body
        body = js(result)
        assert body["status"] == "ok", (item, body)
        assert body["correction"]["tutorial"]
        assert len(seen) < 60
    assert len(seen) == len(set(seen)), "an item was served twice"
    profile = js(call(client, "GET", "/me/profile", token=learner_token))
    comp = next(c for c in profile["competences"] if c["code"] == "1.1")
    assert comp["status"] == "completed"
    assert comp["level"] >= 5  # all answers right: the learner reaches the top open levels
    assert profile["total_pix"] == comp["pix"]
    assert profile["certifiable"] is False


def test_retry_of_the_same_answer_counts_once(client, learner_token):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    body = {"item_id": item_id, "answer": wrong_answer(served), "idempotency_key": "k-1"}
    first = js(call(client, "POST", BASE + "/answers", token=learner_token, body=body))
    second = call(client, "POST", BASE + "/answers", token=learner_token, body=body)
    assert second.status_code == 200
    assert js(second)["status"] == first["status"] == "ko"
    # even a retry with a different (correct) content does not change the result
    changed = js(call(client, "POST", BASE + "/answers", token=learner_token,
                      body={"item_id": item_id, "answer": correct_answer(served)}))
    assert changed["status"] == "ko"
    state = js(call(client, "GET", BASE, token=learner_token))
    assert state["answered"] == 1
    fetched = js(call(client, "GET", f"{BASE}/answers/{item_id}", token=learner_token))
    assert fetched["status"] == "ko"


def test_a_retried_idempotency_key_is_one_action_whatever_item_it_names(client, learner_token):
    """The key names one learner action, not an item: a client that lost the
    response and rebuilds its retry from a fresh state (now naming the next
    item) must still get the first response back, with nothing recorded and
    the estimate unmoved. Only the key can tell that retry from a new answer."""
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    first = js(call(client, "POST", BASE + "/answers", token=learner_token,
                    body={"item_id": served["id"], "answer": correct_answer(served),
                          "idempotency_key": "action-1"}))
    after_first = js(call(client, "GET", BASE, token=learner_token))
    following = after_first["item"]
    assert following["id"] != served["id"] and after_first["answered"] == 1
    for retry in ({"item_id": served["id"], "answer": correct_answer(served)},
                  {"item_id": following["id"], "answer": correct_answer(following)},
                  {"item_id": following["id"], "answer": {"skip": True}}):
        response = call(client, "POST", BASE + "/answers", token=learner_token,
                        body={**retry, "idempotency_key": "action-1"})
        assert response.status_code == 200, (retry, response.body)
        assert js(response) == first, retry
    state = js(call(client, "GET", BASE, token=learner_token))
    assert state == after_first  # not recorded twice, the estimate has not moved
    # a fresh key for the current item is a new answer
    fresh = js(call(client, "POST", BASE + "/answers", token=learner_token,
                    body={"item_id": following["id"], "answer": {"skip": True},
                          "idempotency_key": "action-2"}))
    assert fresh["item_id"] == following["id"] and fresh["assessment"]["answered"] == 2


def test_answer_for_another_item_is_refused_with_409(client, learner_token):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    other = next(i for i in get_bank().items if i.startswith("c11-") and i != item_id)
    response = call(client, "POST", BASE + "/answers", token=learner_token,
                    body={"item_id": other, "answer": {"skip": True}})
    assert response.status_code == 409
    assert js(response)["error"]["code"] == "not_current_item"


def test_skip_is_an_answer(client, learner_token):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    body = js(call(client, "POST", BASE + "/answers", token=learner_token,
                   body={"item_id": item_id, "answer": {"skip": True}}))
    assert body["status"] == "aband"
    assert body["assessment"]["item"]["id"] != item_id


def test_timed_item_answered_late_is_timedout(client, learner_token, monkeypatch):
    from chalicelib.store import assessments

    timed = next(i for i in get_bank().served_items() if i.competence == "1.1" and i.timer)
    js(call(client, "POST", BASE, token=learner_token))
    state = assessments.get("learner-1", "1.1")
    # serve the timed item long ago: its timer has run out
    from chalicelib.store.assessments import PositioningRecord
    rec = PositioningRecord.get("USER#learner-1", "COMP#1.1")
    rec.update(actions=[PositioningRecord.current_item_id.set(timed.id),
                        PositioningRecord.served_at.set(state.served_at - (timed.timer + 60) * 1000)])
    served = js(call(client, "GET", BASE, token=learner_token))["item"]
    assert served["id"] == timed.id
    body = js(call(client, "POST", BASE + "/answers", token=learner_token,
                   body={"item_id": timed.id, "answer": correct_answer(served)}))
    assert body["status"] == "timedout"


def test_resume_returns_the_same_current_item(client, learner_token):
    first = js(call(client, "POST", BASE, token=learner_token))
    again = js(call(client, "POST", BASE, token=learner_token))
    assert again["assessment_id"] == first["assessment_id"]
    assert again["item"]["id"] == first["item"]["id"]


def test_another_learner_cannot_see_or_answer_my_test(client, learner_token):
    mine = js(call(client, "POST", BASE, token=learner_token))
    other = make_token("learner-2")
    assert call(client, "GET", BASE, token=other).status_code == 404
    response = call(client, "POST", BASE + "/answers", token=other,
                    body={"item_id": mine["item"]["id"], "answer": {"skip": True}})
    assert response.status_code == 404
    assert js(call(client, "GET", BASE, token=learner_token))["answered"] == 0


def test_reset_and_improve_wait_for_their_delays(client, learner_token):
    js(call(client, "POST", BASE, token=learner_token))
    assert call(client, "POST", "/me/competences/1.1/reset", token=learner_token).status_code == 409
    assert call(client, "POST", "/me/competences/1.1/improve", token=learner_token).status_code == 409


def test_reset_after_seven_days_keeps_history(client, learner_token):
    from chalicelib.store import assessments
    from chalicelib.store.assessments import PositioningRecord

    first = js(call(client, "POST", BASE, token=learner_token))
    served = first["item"]
    item_id = served["id"]
    call(client, "POST", BASE + "/answers", token=learner_token,
         body={"item_id": item_id, "answer": correct_answer(served)})
    rec = PositioningRecord.get("USER#learner-1", "COMP#1.1")
    rec.update(actions=[PositioningRecord.last_answer_at.set(rec.last_answer_at - 8 * 86400_000)])
    response = call(client, "POST", "/me/competences/1.1/reset", token=learner_token)
    assert response.status_code == 200, response.body
    fresh = js(response)
    assert fresh["assessment_id"] != first["assessment_id"] and fresh["pix"] == 0
    assert fresh["answered"] == 0
    assert len(assessments.history("learner-1", "1.1")) == 1


@pytest.mark.parametrize("code", ["9.9", "..%2F..", "1.1x"])
def test_unknown_competence_is_404(client, learner_token, code):
    response = call(client, "POST", f"/me/competences/{code}/assessment", token=learner_token)
    assert response.status_code == 404
    assert js(response)["error"]["code"] == "unknown_competence"


def test_malformed_answer_is_400_and_loses_nothing(client, learner_token):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    for bad in ({"item_id": item_id}, {"item_id": item_id, "answer": "x"},
                {"item_id": item_id, "answer": {"choice": 999, "fields": 3}}):
        response = call(client, "POST", BASE + "/answers", token=learner_token, body=bad)
        assert response.status_code == 400, (bad, response.body)
        assert "error" in js(response)
    state = js(call(client, "GET", BASE, token=learner_token))
    assert state["answered"] == 0 and state["item"]["id"] == item_id


def test_profile_gives_retry_dates_and_what_to_do_next(client, learner_token):
    """The profile says when "Retenter" opens (4 days after the end) and the
    improve call refuses exactly until then; the next competence is suggested."""
    from chalicelib.store.assessments import PositioningRecord

    fresh = js(call(client, "GET", "/me/profile", token=learner_token))
    assert fresh["next_competence"]["code"] == "1.1"
    assert all(c["improve_available_at"] is None and not c["can_improve"] for c in fresh["competences"])
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    call(client, "POST", BASE + "/answers", token=learner_token,
         body={"item_id": served["id"], "answer": {"skip": True}})
    started = js(call(client, "GET", "/me/profile", token=learner_token))
    assert started["next_competence"]["code"] == "1.1"  # finish what was begun
    rec = PositioningRecord.get("USER#learner-1", "COMP#1.1")
    ended = rec.last_answer_at
    rec.update(actions=[PositioningRecord.status.set("completed"), PositioningRecord.completed_at.set(ended),
                        PositioningRecord.current_item_id.remove()])
    done = js(call(client, "GET", "/me/profile", token=learner_token))
    comp = next(c for c in done["competences"] if c["code"] == "1.1")
    assert comp["improve_available_at"] == ended + 4 * 86400_000 and comp["can_improve"] is False
    assert comp["reset_available_at"] == ended + 7 * 86400_000
    assert done["next_competence"]["code"] == "2.1"  # another area, not the one just done
    assert call(client, "POST", "/me/competences/1.1/improve", token=learner_token).status_code == 409
    rec.refresh()
    rec.update(actions=[PositioningRecord.completed_at.set(ended - 4 * 86400_000)])
    later = js(call(client, "GET", "/me/profile", token=learner_token))
    assert next(c for c in later["competences"] if c["code"] == "1.1")["can_improve"] is True
    assert call(client, "POST", "/me/competences/1.1/improve", token=learner_token).status_code == 200


def test_a_timed_item_waits_behind_its_warning_until_the_learner_starts_it(client, learner_token, monkeypatch):
    """Served after an answer, a timed item shows only its warning (time
    allowed, no question text); answering it before the start call is refused;
    its clock is the server's time of the start call, set once."""
    from chalicelib.services import positioning
    from chalicelib.store.assessments import PositioningRecord

    bank = get_bank()
    timed = next(i for i in bank.served_items() if i.competence == "1.1" and i.timer and i.type.is_choice)
    first = js(call(client, "POST", BASE, token=learner_token))["item"]
    assert not first.get("start_required")  # the first item is untimed when possible
    monkeypatch.setattr(positioning, "_next_item", lambda *args: timed)
    after = js(call(client, "POST", BASE + "/answers", token=learner_token,
                    body={"item_id": first["id"], "answer": {"skip": True}}))["assessment"]["item"]
    assert after == {"id": timed.id, "type": timed.type.value, "timer": timed.timer,
                     "focused": timed.focused, "start_required": True}
    assert PositioningRecord.get("USER#learner-1", "COMP#1.1").served_at is None
    assert js(call(client, "GET", BASE, token=learner_token))["item"] == after  # a reload: still the warning
    early = call(client, "POST", BASE + "/answers", token=learner_token,
                 body={"item_id": timed.id, "answer": {"choice": "x"}})
    assert early.status_code == 409 and js(early)["error"]["code"] == "item_not_started"
    other = next(i for i in bank.items if i.startswith("c11-") and i != timed.id)
    wrong = call(client, "POST", f"{BASE}/items/{other}/start", token=learner_token)
    assert wrong.status_code == 409 and js(wrong)["error"]["code"] == "not_current_item"
    assert call(client, "POST", f"{BASE}/items/{timed.id}/start", token=make_token("learner-2")).status_code == 404
    started = js(call(client, "POST", f"{BASE}/items/{timed.id}/start", token=learner_token))["item"]
    assert started["instruction"] and started["proposals"] and started["served_at"]
    again = js(call(client, "POST", f"{BASE}/items/{timed.id}/start", token=learner_token))["item"]
    assert again["served_at"] == started["served_at"]  # started once: a retry does not restart the clock
    body = js(call(client, "POST", BASE + "/answers", token=learner_token,
                   body={"item_id": timed.id, "answer": correct_answer(started)}))
    assert body["status"] == "ok"


def test_an_unstarted_warning_item_may_be_skipped_without_seeing_it(client, learner_token, monkeypatch):
    from chalicelib.services import positioning

    focused = next(i for i in get_bank().served_items() if i.competence == "1.1" and i.focused and not i.timer)
    first = js(call(client, "POST", BASE, token=learner_token))["item"]
    monkeypatch.setattr(positioning, "_next_item", lambda *args: focused)
    after = js(call(client, "POST", BASE + "/answers", token=learner_token,
                    body={"item_id": first["id"], "answer": {"skip": True}}))["assessment"]["item"]
    assert after["start_required"] and after["focused"] and "instruction" not in after
    skipped = js(call(client, "POST", BASE + "/answers", token=learner_token,
                      body={"item_id": focused.id, "answer": {"skip": True}}))
    assert skipped["status"] == "aband"


def test_the_end_recap_lists_the_tutorials_of_missed_questions_and_the_next_competence(client, learner_token):
    """Refused while the test runs; once completed: answers counted, one
    tutorial per missed question (none for right ones), retry date, next
    competence (never the one just done); another learner gets nothing."""
    bank = get_bank()
    state = js(call(client, "POST", BASE, token=learner_token))
    early = call(client, "GET", BASE + "/recap", token=learner_token)
    assert early.status_code == 409 and js(early)["error"]["code"] == "assessment_not_completed"
    given = []
    while state["status"] == "started":
        item = opened(client, BASE, learner_token, state["item"])
        kind = len(given) % 3  # right, wrong, skipped, in turn
        answer = correct_answer(item) if kind == 0 else wrong_answer(item) if kind == 1 else {"skip": True}
        body = js(call(client, "POST", BASE + "/answers", token=learner_token,
                       body={"item_id": item["id"], "answer": answer}))
        given.append((item["id"], body["status"]))
        state = body["assessment"]
        assert len(given) < 60
    recap = js(call(client, "GET", BASE + "/recap", token=learner_token))
    missed = [(i, s) for i, s in given if s != "ok"]
    assert recap["answers"] == {"right": len(given) - len(missed), "skipped": sum(s == "aband" for _, s in missed),
                                "wrong": sum(s != "aband" for _, s in missed)}
    tutorials = [bank.items[i].tutorial for i, _ in missed]
    assert [r["tutorial"] for r in recap["to_review"]] == list(dict.fromkeys(tutorials))
    assert all(given[r["position"] - 1][0] == r["item_id"] for r in recap["to_review"])
    assert recap["level"] == state["level"] and recap["pix"] == state["pix"]
    assert recap["improve_available_at"] == state["improve_available_at"] and recap["can_improve"] is False
    assert recap["next_competence"]["code"] == "2.1"
    assert call(client, "GET", BASE + "/recap", token=make_token("learner-2")).status_code == 404

"""DynamoDB throttled, failing or unreachable; answers lost on the way back.

Faults are injected where moto answers (tests/security/faults.py): botocore
gets real error responses and retries them with its own backoff, as in AWS.
What must hold:
- a transient fault is retried with backoff; if it outlasts the retries the
  client gets 503 + Retry-After in the project's error shape, never a 500;
- a bug (a non-transient DynamoDB error) still surfaces as a 500, unmasked;
- a write lands whole or not at all, and a retried request completes it;
- a write whose answer is lost (botocore resends it) counts once, and the
  request still gets the same answer as if nothing had happened.
"""
from __future__ import annotations

import json

import pytest

from tests.api.answers import correct_answer, wrong_answer
from tests.api.helpers import call, js
from tests.security import scenes
from tests.security.faults import DynamoFaults

BASE = "/me/competences/1.1/assessment"


@pytest.fixture()
def faults(monkeypatch):
    return DynamoFaults(monkeypatch)


def assert_unavailable(response):
    assert response.status_code == 503, response.body
    assert response.headers["Retry-After"] == "2"
    body = js(response)
    assert set(body) == {"error"} and body["error"]["code"] == "service_unavailable"
    assert body["error"]["message"].startswith("Le service est momentanément")
    assert "Exception" not in response.body.decode() and "Throughput" not in response.body.decode()


# Retries, backoff, 503 --------------------------------------------------------------------

def test_throttled_reads_are_retried_with_backoff_then_succeed(client, learner_token, faults):
    call(client, "POST", BASE, token=learner_token)
    faults.reset()
    faults.add("GetItem", "throttle", times=2)
    response = call(client, "GET", BASE, token=learner_token)
    assert response.status_code == 200
    assert faults.calls[:3] == [("GetItem", "throttle"), ("GetItem", "throttle"), ("GetItem", "ok")]
    assert len(faults.sleeps) == 2 and all(0 <= s <= 20 for s in faults.sleeps)


@pytest.mark.parametrize("kind", ["throttle", "throttling", "server_error", "unavailable",
                                  "connection"])
def test_a_fault_outlasting_the_retries_is_a_503_with_retry_after(client, learner_token, faults,
                                                                   kind):
    faults.add("Query", kind, times=None)
    response = call(client, "GET", "/me/profile", token=learner_token)
    assert_unavailable(response)
    assert faults.count("Query", kind) == 5  # 1 + max_retry_attempts (store/base.py)
    assert len(faults.sleeps) == 4


def test_a_bug_is_not_disguised_as_an_outage(client, learner_token, faults):
    faults.add("Query", "validation", times=None)
    response = call(client, "GET", "/me/profile", token=learner_token)
    assert response.status_code == 500
    assert js(response)["error"]["code"] == "internal_error"
    assert "Retry-After" not in response.headers
    assert "ValidationException" not in response.body.decode()
    assert faults.count("Query") == 1  # not retried either


def test_health_says_unavailable_with_a_retry_hint(client, faults):
    faults.add("*", "throttle", times=None)
    response = call(client, "GET", "/health")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert js(response)["error"]["code"] == "service_unavailable"


# Whole or nothing ---------------------------------------------------------------------------

def test_a_throttled_answer_is_not_recorded_and_the_retry_counts_once(client, learner_token,
                                                                      faults):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    faults.add("UpdateItem", "throttle", times=None)
    body = {"item_id": item_id, "answer": correct_answer(served)}
    assert_unavailable(call(client, "POST", BASE + "/answers", token=learner_token, body=body))
    faults.clear()
    state = js(call(client, "GET", BASE, token=learner_token))
    assert state["answered"] == 0 and state["item"]["id"] == item_id
    retried = call(client, "POST", BASE + "/answers", token=learner_token, body=body)
    assert retried.status_code == 200 and js(retried)["status"] == "ok"
    assert js(call(client, "GET", BASE, token=learner_token))["answered"] == 1


def test_a_cancelled_transaction_leaves_nothing_behind(client, faults):
    """Session creation writes the session, its access code and its number
    claim in one transaction: cancelled by throttling, none exists; the retry
    makes all three."""
    from chalicelib.store.tables import CertificationTable
    from tests.api import cert_flow as flow

    centre_id, staff = flow.create_centre(client)
    before = {(i.pk, i.sk) for i in CertificationTable.scan()}
    faults.add("TransactWriteItems", "cancel_throttled", times=None)
    body = {"date": "2026-12-01", "time": "09:00", "address": "1 rue de l'École", "room": "B12",
            "examiner": "Mme Martin"}
    path = f"/centres/{centre_id}/sessions"
    assert_unavailable(call(client, "POST", path, token=staff, body=body))
    assert {(i.pk, i.sk) for i in CertificationTable.scan()} == before
    faults.clear()
    created = call(client, "POST", path, token=staff, body=body)
    assert created.status_code == 201
    new = {(i.pk, i.sk) for i in CertificationTable.scan()} - before
    sid, code, number = js(created)["session_id"], js(created)["access_code"], js(created)["session_number"]
    assert new == {(f"SESSION#{sid}", "SESSION"), (f"ACCESS#{code}", "ACCESS"), (f"SESSNUM#{number}", "SESSNUM")}


def test_a_join_cut_between_its_two_writes_is_completed_by_the_next_join(client, faults,
                                                                         monkeypatch):
    """Joining writes the course, then links the enrolment to the account.
    Cut after the first write, the next join completes the second: the
    invigilator can authorise, and nobody else can take the enrolment."""
    from chalicelib.services import throttle
    from chalicelib.store import certification as store
    from tests.conftest import make_token

    # the join's throttle counters are UpdateItems too: out of the way, so the
    # injected fault cuts the join's own writes
    monkeypatch.setattr(throttle, "hit", lambda *a, **kw: None)
    monkeypatch.setattr(throttle, "record", lambda *a, **kw: None)
    scene = scenes.planned(client)
    faults.add("UpdateItem", "throttle", times=None)
    assert_unavailable(call(client, "POST", "/certification/join", token=scene.learner,
                            body=scene.identity))
    faults.clear()
    assert store.candidate(scene.session_id, scene.candidate_id).course_id is None  # half done
    other = make_token("someone-else")
    assert call(client, "POST", "/certification/join", token=other,
                body=scene.identity).status_code == 409
    rejoined = call(client, "POST", "/certification/join", token=scene.learner, body=scene.identity)
    assert rejoined.status_code == 200, rejoined.body
    linked = store.candidate(scene.session_id, scene.candidate_id)
    assert linked.user_id == scene.user_id and linked.course_id == js(rejoined)["course_id"]
    from tests.api import cert_flow as flow

    inv = flow.invigilator(client, scene.session)
    assert call(client, "POST", scene.candidate_path("authorise"), token=inv).status_code == 200


# Lost answers: the write landed, botocore resends it --------------------------------------

WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _positioning_answer(client):
    import uuid

    from tests.conftest import make_token

    token = make_token(f"learner-{uuid.uuid4().hex[:8]}")
    served = js(call(client, "POST", BASE, token=token))["item"]
    item_id = served["id"]
    body = {"item_id": item_id, "answer": wrong_answer(served)}

    def act():
        return call(client, "POST", BASE + "/answers", token=token, body=body)

    def check(response):
        assert js(response) == js(act())  # what any later retry gets: the stored result
        assert js(call(client, "GET", BASE, token=token))["answered"] == 1
    return act, check


def _scene_action(setup, path_of, body_of=None, token_of=None, check_state=None):
    def make(client):
        scene = setup(client)
        body = body_of(client, scene) if body_of else None

        def act():
            token = token_of(scene) if token_of else scene.learner
            return call(client, "POST", path_of(scene), token=token, body=body)

        def check(response):
            if check_state:
                check_state(client, scene)
        return act, check
    return make


def _answered_once(client, scene):
    assert js(call(client, "GET", scene.course_path, token=scene.learner))["answered"] == 1


def _linked(client, scene):
    from chalicelib.store import certification as store

    assert store.candidate(scene.session_id, scene.candidate_id).user_id == scene.user_id


def _alerted_once(client, scene):
    from chalicelib.store import certification as store

    course = store.course(scene.course_id)
    assert len(course.neutralised) == 1 and len(course.alerts) == 1 and len(course.answers) == 0  # withdrawn: no slot


def _one_session_more(client, scene):
    from chalicelib.store import certification as store

    assert len(store.sessions_of_centre(scene.centre_id, None, 100)[0]) == 2


def _two_candidates(client, scene):
    from chalicelib.store import certification as store

    assert len(store.candidates(scene.session_id)) == 2


def _finalised(client, scene):
    assert js(call(client, "GET", f"/centres/{scene.centre_id}/sessions/{scene.session_id}",
                   token=scene.staff))["status"] == "finalised"


SESSION_BODY = {"date": "2026-12-02", "time": "14:00", "address": "2 rue", "room": "C1",
                "examiner": "M. Petit"}

LOST_ACK_ACTIONS = {
    "positioning answer": _positioning_answer,
    "certification answer": _scene_action(
        scenes.started, lambda s: s.course_path + "/answers",
        lambda c, s: {"item_id": (v := scenes.current_view(c, s))["id"], "answer": correct_answer(v)},
        check_state=_answered_once),
    "join": _scene_action(scenes.planned, lambda s: "/certification/join",
                          lambda c, s: s.identity, check_state=_linked),
    "create session": _scene_action(scenes.planned, lambda s: f"/centres/{s.centre_id}/sessions",
                                    lambda c, s: SESSION_BODY, token_of=lambda s: s.staff,
                                    check_state=_one_session_more),
    "enrol": _scene_action(scenes.planned,
                           lambda s: f"/centres/{s.centre_id}/sessions/{s.session_id}/candidates",
                           lambda c, s: {"first_name": "Paul", "last_name": "Martin",
                                         "birth_date": "2007-01-02"},
                           token_of=lambda s: s.staff, check_state=_two_candidates),
    "authorise": _scene_action(scenes.joined, lambda s: s.candidate_path("authorise"),
                               token_of=lambda s: s.invigilator),
    "alert": _scene_action(scenes.started, lambda s: s.candidate_path("alerts"),
                           lambda c, s: {"item_id": scenes.current_item(c, s), "reason": "Bug"},
                           token_of=lambda s: s.invigilator, check_state=_alerted_once),
    "end test": _scene_action(scenes.started, lambda s: s.candidate_path("end"),
                              token_of=lambda s: s.invigilator),
    "finalise": _scene_action(scenes.planned,
                              lambda s: f"/centres/{s.centre_id}/sessions/{s.session_id}/finalise",
                              lambda c, s: {"comment": "RAS"}, token_of=lambda s: s.staff,
                              check_state=_finalised),
}


@pytest.mark.parametrize("action", sorted(LOST_ACK_ACTIONS))
def test_a_write_whose_answer_is_lost_counts_once_and_the_request_succeeds(client, faults,
                                                                          action):
    """For each write the action makes (1st, 2nd...), in a fresh scene: that
    write lands but DynamoDB's answer is lost, so botocore sends it again
    (the store's conditional writes then see their own effect). The request
    must still get the clean run's status, and the state show the effect once."""
    make = LOST_ACK_ACTIONS[action]
    act, _ = make(client)
    faults.reset()
    clean = act()  # the reference run, no fault, in its own scene
    assert clean.status_code < 300, clean.body
    writes = sum(1 for op, _ in faults.calls if op in WRITE_OPERATIONS)
    assert writes >= 1
    for nth in range(1, writes + 1):
        act, check = make(client)
        faults.reset()
        faults.add("write", "lost_ack", nth=nth)
        response = act()
        assert faults.count(outcome="lost_ack") == 1
        faults.clear()
        assert response.status_code == clean.status_code, (action, nth, response.body)
        check(response)


# The connection drops between posting an answer and reading the response -----------------

def test_positioning_answer_posted_again_returns_the_same_result(client, learner_token):
    served = js(call(client, "POST", BASE, token=learner_token))["item"]
    item_id = served["id"]
    body = {"item_id": item_id, "answer": wrong_answer(served)}
    first = call(client, "POST", BASE + "/answers", token=learner_token, body=body)  # lost
    again = call(client, "POST", BASE + "/answers", token=learner_token, body=body)
    assert first.status_code == again.status_code == 200
    assert js(again) == js(first)
    # a retry with a different (right) answer does not change the recorded result either
    changed = call(client, "POST", BASE + "/answers", token=learner_token,
                   body={"item_id": item_id, "answer": correct_answer(served)})
    assert js(changed) == js(first)
    assert js(call(client, "GET", BASE, token=learner_token))["answered"] == 1


def test_certification_answer_posted_again_returns_the_same_result(client):
    scene = scenes.started(client)
    served = scenes.current_view(client, scene)
    item_id = served["id"]
    body = {"item_id": item_id, "answer": wrong_answer(served)}
    first = call(client, "POST", scene.course_path + "/answers", token=scene.learner, body=body)
    again = call(client, "POST", scene.course_path + "/answers", token=scene.learner, body=body)
    changed = call(client, "POST", scene.course_path + "/answers", token=scene.learner,
                   body={"item_id": item_id, "answer": correct_answer(served)})
    assert first.status_code == again.status_code == changed.status_code == 200
    assert js(again) == js(first) == js(changed)
    from chalicelib.store import certification as store

    stored = store.course(scene.course_id).answers
    assert len(stored) == 1 and json.dumps(stored).count(item_id) == 1
    assert stored[0].split("|")[1] == "ko"  # the first answer stands

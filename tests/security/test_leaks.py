"""No response shows an item's solution before the learner has answered it in
positioning, and none at all during certification (tests/security/leaks.py
says what "shows" means). Every response of full simulated runs is scanned:
the learner's, the invigilator's, the centre's, at every step.
"""
from __future__ import annotations

import itertools

import pytest

from chalicelib.bank.loader import get_bank
from tests.api.answers import correct_answer, wrong_answer
from tests.api.helpers import call, js
from tests.conftest import make_token
from tests.security import leaks, scenes

BASE = "/me/competences/{code}/assessment"


class Recorder:
    """Calls the API and scans every response before handing it back."""

    def __init__(self, client, answered: set[str], corrections_allowed: bool):
        self.client, self.answered, self.corrections_allowed = client, answered, corrections_allowed
        self.responses = 0
        self.strings = 0

    def __call__(self, method, path, token=None, body=None, expect=None, answering=None,
                 content=True):
        """`answering`: the item this request answers: its own correction may
        come back (positioning), nothing else may."""
        response = call(self.client, method, path, token=token, body=body)
        if expect is not None:
            assert response.status_code == expect, (path, response.body)
        self.responses += 1
        answered = self.answered | ({answering} if answering else set())
        self.strings += leaks.scan(f"{method} {path}", response.body, answered=answered,
                                   corrections_allowed=self.corrections_allowed,
                                   content=content)
        return response


def test_the_scanner_sees_a_leak_when_there_is_one():
    bank = get_bank()
    free = next(i for i in bank.served_items()
                if i.id in leaks.bank_secrets().secrets and i.type.value == "QROC")
    secret = leaks.bank_secrets().secrets[free.id][0]
    with pytest.raises(leaks.LeakFound, match="accepted answer"):
        leaks.scan("probe", {"item": {"id": free.id, "hint": f"Réponse : {secret.text.upper()}"}})
    with pytest.raises(leaks.LeakFound, match="key 'solution'"):
        leaks.scan("probe", {"item": {"id": "x", "solution": [2]}})
    with pytest.raises(leaks.LeakFound, match="correction"):
        leaks.scan("probe", {"correction": {"item_id": free.id}}, answered=set())
    # the same correction once the item was answered, in positioning only
    leaks.scan("probe", {"correction": {"item_id": free.id, "solution": [1]}}, answered={free.id})
    with pytest.raises(leaks.LeakFound):
        leaks.scan("probe", {"correction": {"item_id": free.id}}, answered={free.id},
                   corrections_allowed=False)
    assert sum(len(s) for s in leaks.bank_secrets().secrets.values()) > 300


def _reads(api, token):
    for path in ("/me/profile", "/me/certification-courses", "/me/certificates"):
        api("GET", path, token=token, expect=200)
    for path in ("/me", "/me/data"):  # 404 for the scenes' token-only learners
        assert api("GET", path, token=token).status_code in (200, 404)


def test_a_whole_positioning_run_shows_no_solution_before_its_answer(client):
    from tests.api.users import new_user

    token = new_user(client)[1]["access_token"]
    answered: set[str] = set()
    api = Recorder(client, answered, corrections_allowed=True)
    answers = itertools.cycle([correct_answer, wrong_answer, lambda _: {"skip": True}])
    for code in ("1.1", "3.4", "3.2"):  # the competences richest in free-answer items
        base = BASE.format(code=code)
        state = js(api("POST", base, token=token, expect=200))
        steps = 0
        while state["status"] == "started":
            served = state["item"]
            item_id = served["id"]
            if served.get("start_required"):  # a timed or focused item: its warning first, then the question
                served = js(api("POST", f"{base}/items/{item_id}/start", token=token, expect=200))["item"]
            api("GET", base, token=token, expect=200)
            api("GET", f"{base}/answers/{item_id}", token=token, expect=404)  # not yet
            result = api("POST", base + "/answers", token=token, expect=200, answering=item_id,
                         body={"item_id": item_id, "answer": next(answers)(served)})
            answered.add(item_id)
            api("GET", f"{base}/answers/{item_id}", token=token, expect=200)
            state = js(result)["assessment"]
            if steps % 5 == 0:
                _reads(api, token)
            steps += 1
            assert steps < 80
        _reads(api, token)
    bank = get_bank()
    free = [i for i in answered if not bank.items[i].type.is_choice]
    assert len(answered) >= 15 and len(free) >= 3 and api.responses > 100, (answered, free)


def test_the_scan_really_catches_the_correction_before_the_answer_counts(client):
    """Guard for the test above: the response to an answer carries that item's
    correction, so scanning it before marking the item answered must fail."""
    token = make_token("leak-learner-2")
    base = BASE.format(code="1.1")
    served = js(call(client, "POST", base, token=token))["item"]
    item_id = served["id"]
    response = call(client, "POST", base + "/answers", token=token,
                    body={"item_id": item_id, "answer": {"skip": True}})
    with pytest.raises(leaks.LeakFound):
        leaks.scan("answer", response.body, answered=set())


def test_a_whole_certification_shows_no_solution_to_anyone(client):
    """Candidate, invigilator and centre, at every step of a test, then the
    certificate documents. No correction at all during certification, not even
    a positioning one for an item the candidate met while positioning."""
    scene = scenes.joined(client)
    api = Recorder(client, set(), corrections_allowed=False)
    learner, inv, staff = scene.learner, scene.invigilator, scene.staff
    centre_paths = [f"/centres/{scene.centre_id}/sessions/{scene.session_id}",
                    f"/centres/{scene.centre_id}/sessions/{scene.session_id}/candidates"]
    positioning = _positioning_answers(scene.user_id)
    api("POST", scene.candidate_path("authorise"), token=inv, expect=200)
    served = []
    while True:
        state = js(api("GET", scene.course_path, token=learner, expect=200))
        if state["status"] != "started":
            break
        view = state["item"]
        item_id = view["id"]
        served.append(item_id)
        api("GET", f"/sessions/{scene.session_id}/invigilation", token=inv, expect=200)
        for path in centre_paths:
            api("GET", path, token=staff, expect=200)
        if len(served) % 8 == 1:
            _reads(api, learner)
            # a second tab asking for positioning corrections: refused while testing
            code, known = next(iter(positioning.items()))
            refused = api("GET", f"{BASE.format(code=code)}/answers/{known}", token=learner,
                          expect=403)
            assert js(refused)["error"]["code"] == "certification_in_progress"
            api("POST", BASE.format(code=code) + "/answers", token=learner, expect=403,
                body={"item_id": known, "answer": {"skip": True}})
            # nor the end recap's tutorials, nor starting a positioning item
            api("GET", BASE.format(code=code) + "/recap", token=learner, expect=403)
            api("POST", f"{BASE.format(code=code)}/items/{known}/start", token=learner, expect=403)
        api("POST", scene.course_path + "/answers", token=learner, expect=200,
            body={"item_id": item_id, "answer": correct_answer(view)})
    assert len(served) >= 20
    report = {"comment": "", "candidates": [{"candidate_id": scene.candidate_id, "present": True,
                                             "incidents": []}]}
    api("POST", f"/centres/{scene.centre_id}/sessions/{scene.session_id}/finalise", token=staff,
        body=report, expect=200)
    from chalicelib.jobs import issue_certificates

    issue_certificates.run()
    certificate = js(api("GET", "/me/certificates", token=learner, expect=200))["certificates"][0]
    # the documents, after the test: framework prose, structure check only
    api("GET", f"/me/certificates/{certificate['certificate_id']}/credential", token=learner,
        expect=200, content=False)
    api("GET", f"/certificates/{certificate['verification_code']}", expect=200, content=False)
    # the test is over: positioning corrections are back
    code, known = next(iter(positioning.items()))
    assert call(client, "GET", f"{BASE.format(code=code)}/answers/{known}",
                token=learner).status_code == 200
    assert api.responses > 100


def _positioning_answers(user_id: str) -> dict[str, str]:
    """competence -> one item the user answered while positioning."""
    from chalicelib.store import assessments

    return {s.competence: s.answers[0].item_id for s in assessments.list_for_user(user_id)
            if s.answers}


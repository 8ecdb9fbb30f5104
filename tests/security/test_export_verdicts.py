"""The RGPD export never tells a candidate which certification answers were
right before the certificate is published (issue 13, point 2)."""
from __future__ import annotations

import json

from chalicelib.services import certificates
from tests.api.answers import correct_answer
from tests.api.helpers import call, js
from tests.security import scenes

VERDICTS = ('"ok"', '"ko"', '"aband"', '"timedout"', '"focusedOut"')


def _exported(user_id: str) -> str:
    return json.dumps(certificates.export(user_id)["certification_courses"])


def test_the_export_shows_no_verdict_until_the_certificate_is_published(client):
    scene = scenes.joined(client)
    learner, inv, staff = scene.learner, scene.invigilator, scene.staff
    call(client, "POST", scene.candidate_path("authorise"), token=inv)
    answered = 0
    while True:
        state = js(call(client, "GET", scene.course_path, token=learner))
        if state["status"] != "started":
            break
        served = state["item"]
        item_id = served["id"]
        assert call(client, "POST", scene.course_path + "/answers", token=learner,
                    body={"item_id": item_id, "answer": correct_answer(served)}).status_code == 200
        answered += 1
        if answered in (1, 10):
            exported = _exported(scene.user_id)
            assert item_id in exported  # the answer itself is exported...
            assert not any(v in exported for v in VERDICTS), exported  # ...not its verdict
    report = {"comment": "", "candidates": [{"candidate_id": scene.candidate_id, "present": True,
                                             "incidents": []}]}
    assert call(client, "POST", f"/centres/{scene.centre_id}/sessions/{scene.session_id}/finalise",
                token=staff, body=report).status_code == 200
    exported = _exported(scene.user_id)
    assert not any(v in exported for v in VERDICTS), "finalised but not issued: still hidden"
    from chalicelib.jobs import issue_certificates

    issue_certificates.run()
    assert '"ok"' in _exported(scene.user_id), "published: the verdicts are the candidate's data"

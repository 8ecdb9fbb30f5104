"""Building blocks of the certification path, shared by several tests."""
from __future__ import annotations

from tests.api.helpers import call, js
from tests.conftest import make_token

ADMIN = make_token("admin-1", admin=True)


def create_centre(client, name="Lycée Victor Hugo", uai="0750001A") -> tuple[str, str]:
    response = call(client, "POST", "/centres", token=ADMIN,
                    body={"name": name, "type": "school", "uai": uai})
    assert response.status_code == 201, response.body
    centre_id = js(response)["centre_id"]
    return centre_id, make_token(f"staff-{centre_id}", centres=[centre_id])


def create_session(client, centre_id, staff) -> dict:
    response = call(client, "POST", f"/centres/{centre_id}/sessions", token=staff, body={
        "date": "2026-12-01", "time": "09:00", "address": "1 rue de l'École, Paris",
        "room": "B12", "examiner": "Mme Martin", "description": "Terminale A"})
    assert response.status_code == 201, response.body
    return js(response)


def enrol(client, centre_id, session_id, staff, first="Léa", last="Dupont",
          birth="2008-05-14", **extra) -> dict:
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{session_id}/candidates",
                    token=staff, body={"first_name": first, "last_name": last,
                                       "birth_date": birth, **extra})
    assert response.status_code == 201, response.body
    return js(response)


def invigilator(client, session) -> str:
    response = call(client, "POST", "/invigilation/token", body={
        "session_id": session["session_id"], "password": session["invigilator_password"]})
    assert response.status_code == 200, response.body
    return js(response)["access_token"]


def run_test(client, learner, course_id, answer_for) -> list[str]:
    """Answers until the test ends, the way the web front does: one GET to
    start, then each answer's response carries the next item (no re-read)."""
    served = []
    state = js(call(client, "GET", f"/me/certification-courses/{course_id}", token=learner))
    while state["status"] == "started":
        item = state["item"]
        served.append(item["id"])
        response = call(client, "POST", f"/me/certification-courses/{course_id}/answers",
                        token=learner, body={"item_id": item["id"], "answer": answer_for(item)})
        assert response.status_code == 200, response.body
        assert set(js(response)) == {"item_id", "recorded", "course"}
        state = js(response)["course"]
    return served

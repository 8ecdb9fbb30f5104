"""Small certification scenes for hostile tests, each with fresh ids so a
test can build several in one moto (one per fault it injects)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.api import cert_flow as flow
from tests.api.answers import make_certifiable
from tests.api.helpers import call, js
from tests.conftest import make_token


@dataclass
class Scene:
    centre_id: str
    staff: str
    session: dict
    candidate_id: str
    user_id: str
    learner: str
    identity: dict            # the join body
    course_id: str | None = None
    invigilator: str | None = None

    @property
    def session_id(self) -> str:
        return self.session["session_id"]

    @property
    def course_path(self) -> str:
        return f"/me/certification-courses/{self.course_id}"

    def candidate_path(self, action: str) -> str:
        return f"/sessions/{self.session_id}/candidates/{self.candidate_id}/{action}"


def planned(client, *, certifiable: bool = True) -> Scene:
    """A centre, a session, one enrolled candidate and their (certifiable) account."""
    tag = uuid.uuid4().hex[:8]
    centre_id, staff = flow.create_centre(client, name=f"Lycée {tag}", uai=None)
    session = flow.create_session(client, centre_id, staff)
    candidate = flow.enrol(client, centre_id, session["session_id"], staff,
                           first="Léa", last=f"Dupont{tag}", birth="2008-05-14")
    user_id = f"learner-{tag}"
    if certifiable:
        make_certifiable(user_id)
    identity = {"access_code": session["access_code"], "first_name": "Léa",
                "last_name": f"Dupont{tag}", "birth_date": "2008-05-14"}
    return Scene(centre_id, staff, session, candidate["candidate_id"], user_id,
                 make_token(user_id), identity)


def joined(client) -> Scene:
    scene = planned(client)
    response = call(client, "POST", "/certification/join", token=scene.learner, body=scene.identity)
    assert response.status_code == 200, response.body
    scene.course_id = js(response)["course_id"]
    scene.invigilator = flow.invigilator(client, scene.session)
    return scene


def started(client) -> Scene:
    scene = joined(client)
    response = call(client, "POST", scene.candidate_path("authorise"), token=scene.invigilator)
    assert response.status_code == 200, response.body
    return scene


def current_view(client, scene: Scene) -> dict:
    """The item served to the scene's candidate, as their client sees it."""
    return js(call(client, "GET", scene.course_path, token=scene.learner))["item"]


def current_item(client, scene: Scene) -> str:
    return current_view(client, scene)["id"]

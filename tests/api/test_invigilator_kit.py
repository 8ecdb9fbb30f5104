"""The invigilator kit PDF: printed for the session's own centre only, and
only with the session's own invigilator password (never a typo on paper)."""
from __future__ import annotations

from tests.api import cert_flow as flow
from tests.api.helpers import call, js
from tests.conftest import make_token

PDF = {"Accept": "application/pdf"}


def test_the_kit_is_a_pdf_for_the_centre_with_the_right_password(client):
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    flow.enrol(client, centre_id, sid, staff)
    flow.enrol(client, centre_id, sid, staff, first="Noé", last="Bernard", birth="2008-01-02")
    path = f"/centres/{centre_id}/sessions/{sid}/kit"

    kit = call(client, "POST", path, token=staff, headers=PDF,
               body={"invigilator_password": session["invigilator_password"].lower()})
    assert kit.status_code == 200, kit.body
    assert kit.headers["Content-Type"] == "application/pdf" and kit.body.startswith(b"%PDF")
    assert "no-store" in kit.headers["Cache-Control"]

    wrong = call(client, "POST", path, token=staff, headers=PDF,
                 body={"invigilator_password": "ABCDEFGHJK"})
    assert wrong.status_code == 400 and js(wrong)["error"]["code"] == "wrong_invigilator_password"

    # another centre's member, a learner, nobody: no kit (a platform admin may, as on every centre route)
    other_id, other_staff = flow.create_centre(client, name="Autre centre", uai="0750002B")
    body = {"invigilator_password": session["invigilator_password"]}
    for token, status in ((other_staff, 403), (make_token("learner-1"), 403), (None, 401), (flow.ADMIN, 200)):
        refused = call(client, "POST", path, token=token, headers=PDF, body=body)
        assert refused.status_code == status, (token, refused.status_code, refused.body)
    # the other centre naming its own id in the path still does not reach this session
    crossed = call(client, "POST", f"/centres/{other_id}/sessions/{sid}/kit", token=other_staff,
                   headers=PDF, body=body)
    assert crossed.status_code == 404

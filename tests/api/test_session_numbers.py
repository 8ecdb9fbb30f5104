"""Issue 19: a session has a short number staff read aloud and type (like
Pix's numeric session ids). It is unique (a conditional put on a claim item,
drawn again on collision), shown wherever staff see the session, and accepted
wherever a session is typed: invigilator sign-in, candidate join, the jury's
look-up. Sessions created before numbers keep working by their id."""
from __future__ import annotations

import io

from tests.api import cert_flow as flow
from tests.api.answers import make_certifiable
from tests.api.helpers import call, js
from tests.conftest import make_token


def _sign_in(client, ref, password):
    return call(client, "POST", "/invigilation/token", body={"session_id": ref, "password": password})


def test_numbers_are_short_unique_shown_and_typed_at_sign_in(client):
    from chalicelib.domain import codes

    centre_id, staff = flow.create_centre(client)
    first = flow.create_session(client, centre_id, staff)
    second = flow.create_session(client, centre_id, staff)
    numbers = [first["session_number"], second["session_number"]]
    assert all(codes.is_session_number(n) and len(n) == 7 for n in numbers) and len(set(numbers)) == 2
    # shown where the centre sees its sessions
    listed = js(call(client, "GET", f"/centres/{centre_id}/sessions", token=staff))["sessions"]
    assert sorted(s["session_number"] for s in listed) == sorted(numbers)
    got = js(call(client, "GET", f"/centres/{centre_id}/sessions/{first['session_id']}", token=staff))
    assert got["session_number"] == first["session_number"]

    # the invigilator types the number as printed (spaces allowed) and gets the session's own token
    typed = first["session_number"][:3] + " " + first["session_number"][3:]
    signed = _sign_in(client, typed, first["invigilator_password"])
    assert signed.status_code == 200, signed.body
    assert js(signed)["session_id"] == first["session_id"]
    assert js(signed)["session_number"] == first["session_number"]
    token = js(signed)["access_token"]
    live = js(call(client, "GET", f"/sessions/{first['session_id']}/invigilation", token=token))
    assert live["session"]["session_number"] == first["session_number"]
    # that token opens no other session
    assert call(client, "GET", f"/sessions/{second['session_id']}/invigilation", token=token).status_code == 403

    # a wrong number, another session's number (same or other centre) with this password: French 401
    other_id, other_staff = flow.create_centre(client, name="Collège Jean Moulin", uai="0750002B")
    theirs = flow.create_session(client, other_id, other_staff)
    unused = next(str(n) for n in range(1000000, 1000100) if str(n) not in numbers + [theirs["session_number"]])
    for ref in (unused, second["session_number"], theirs["session_number"], "12345"):
        refused = _sign_in(client, ref, first["invigilator_password"])
        assert refused.status_code == 401, (ref, refused.body)
        assert js(refused)["error"]["message"] == "Numéro de session ou mot de passe surveillant incorrect."
    # the centre opens its session by number (a link, a typed look-up); another centre's staff
    # cannot open it, by id or number, even naming their own centre
    by_number = call(client, "GET", f"/centres/{centre_id}/sessions/{first['session_number']}", token=staff)
    assert by_number.status_code == 200 and js(by_number)["session_id"] == first["session_id"]
    for ref in (first["session_id"], first["session_number"]):
        crossed = call(client, "GET", f"/centres/{other_id}/sessions/{ref}", token=other_staff)
        assert crossed.status_code == 404 and js(crossed)["error"]["message"] == "Session introuvable."
    assert call(client, "GET", f"/centres/{centre_id}/sessions/{first['session_number']}",
                token=other_staff).status_code == 403


def test_the_kit_and_the_jury_use_the_number(client):
    from pypdf import PdfReader

    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid, number = session["session_id"], session["session_number"]
    kit = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/kit", token=staff,
               headers={"Accept": "application/pdf"},
               body={"invigilator_password": session["invigilator_password"]})
    assert kit.status_code == 200, kit.body
    printed = PdfReader(io.BytesIO(kit.body)).pages[0].extract_text()
    assert number in printed and sid not in printed

    # the jury types the number; an unknown one is a French 404; only platform admins may look
    results = call(client, "GET", f"/admin/sessions/{number}/results", token=flow.ADMIN)
    assert results.status_code == 200 and js(results)["session_id"] == sid
    assert js(call(client, "GET", f"/admin/sessions/{sid}/results", token=flow.ADMIN))["session_id"] == sid
    missing = call(client, "GET", "/admin/sessions/1000000/results", token=flow.ADMIN)
    assert missing.status_code == 404 and js(missing)["error"]["message"] == "Session introuvable."
    assert call(client, "GET", f"/admin/sessions/{number}/results", token=staff).status_code == 403
    # publishing by number reaches the same session's lifecycle (not held: refused as such, not as unknown)
    published = call(client, "POST", f"/admin/sessions/{number}/publish", token=flow.ADMIN)
    assert published.status_code == 409, published.body


def test_a_candidate_may_type_the_number_and_a_wrong_one_is_refused(client):
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    other_id, other_staff = flow.create_centre(client, name="Collège Jean Moulin", uai="0750002B")
    theirs = flow.create_session(client, other_id, other_staff)
    flow.enrol(client, centre_id, session["session_id"], staff)
    body = {"access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
            "birth_date": "2008-05-14"}
    make_certifiable("learner-1")
    learner = make_token("learner-1")
    for wrong in (theirs["session_number"], "1000000"):
        refused = call(client, "POST", "/certification/join", token=learner,
                       body={**body, "session_number": wrong})
        assert refused.status_code == 404, refused.body
        assert js(refused)["error"]["code"] == "candidate_not_found"
        assert "numéro de session" in js(refused)["error"]["message"]
    joined = call(client, "POST", "/certification/join", token=learner,
                  body={**body, "session_number": session["session_number"]})
    assert joined.status_code == 200, joined.body
    assert js(joined)["session"]["number"] == session["session_number"]


def test_a_collision_draws_again_and_never_shares_a_number(client, monkeypatch):
    from chalicelib.domain import codes

    centre_id, staff = flow.create_centre(client)
    taken = flow.create_session(client, centre_id, staff)["session_number"]
    draws = iter([taken, taken, "7654321"])
    monkeypatch.setattr(codes, "session_number", lambda: next(draws))
    fresh = flow.create_session(client, centre_id, staff)
    assert fresh["session_number"] == "7654321"
    # always taken: a French 409 after a bounded number of draws, no session left behind
    monkeypatch.setattr(codes, "session_number", lambda: taken)
    refused = call(client, "POST", f"/centres/{centre_id}/sessions", token=staff, body={
        "date": "2026-12-02", "time": "09:00", "address": "1 rue de l'École", "room": "B1",
        "examiner": "Mme Martin"})
    assert refused.status_code == 409 and "numéro de session" in js(refused)["error"]["message"]
    assert len(js(call(client, "GET", f"/centres/{centre_id}/sessions", token=staff))["sessions"]) == 2


def test_sessions_created_before_numbers_keep_working_by_their_id(client):
    from pypdf import PdfReader

    from chalicelib.store.certification import SessionNumberRecord, SessionRecord

    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid, number = session["session_id"], session["session_number"]
    # as stored before numbers existed: no number on the item, no claim
    old = SessionRecord.get(f"SESSION#{sid}", "SESSION")
    old.update(actions=[SessionRecord.number.remove()])
    SessionNumberRecord(f"SESSNUM#{number}", "SESSNUM").delete()

    got = js(call(client, "GET", f"/centres/{centre_id}/sessions/{sid}", token=staff))
    assert got["session_number"] is None
    signed = _sign_in(client, sid, session["invigilator_password"])
    assert signed.status_code == 200 and js(signed)["session_number"] is None
    assert _sign_in(client, number, session["invigilator_password"]).status_code == 401
    kit = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/kit", token=staff,
               headers={"Accept": "application/pdf"},
               body={"invigilator_password": session["invigilator_password"]})
    assert sid in PdfReader(io.BytesIO(kit.body)).pages[0].extract_text()
    flow.enrol(client, centre_id, sid, staff)
    make_certifiable("learner-1")
    joined = call(client, "POST", "/certification/join", token=make_token("learner-1"), body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": "Dupont",
        "birth_date": "2008-05-14"})
    assert joined.status_code == 200, joined.body

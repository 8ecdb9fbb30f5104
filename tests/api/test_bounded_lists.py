"""Issue 16 point 3: no request whose cost grows with a centre's history or a
session's size. Each list reads one bounded page (a spy counts the items
DynamoDB returns to the process) and hands an opaque `next_cursor`; a bad
cursor is a French 400; a cursor never reaches another centre's items."""
from __future__ import annotations

import base64
import json

import pytest

from tests.api import cert_flow as flow
from tests.api.helpers import call, js

CSV = {"Content-Type": "text/csv"}


@pytest.fixture()
def items_read(monkeypatch):
    """Items DynamoDB returned to this process, by operation (every read goes
    through PynamoDB's connection)."""
    from pynamodb.connection import base

    counts: dict[str, int] = {}
    original = base.Connection._make_api_call

    def spy(self, operation, kwargs):
        data = original(self, operation, kwargs)
        n = len(data.get("Items", [])) + (1 if data.get("Item") else 0) + sum(
            len(v) for v in (data.get("Responses") or {}).values() if isinstance(v, list))
        counts[operation] = counts.get(operation, 0) + n
        return data

    monkeypatch.setattr(base.Connection, "_make_api_call", spy)
    return counts


def _sessions(client, centre_id, staff, n):
    lines = "".join(f"{d:02d}/11/2026;09:00;1 rue de l'École;B{d};Mme Martin;\n" for d in range(1, n + 1))
    raw = ("date;heure;adresse;salle;examinateur;observations\n" + lines).encode("utf-8")
    response = call(client, "POST", f"/centres/{centre_id}/sessions/import", token=staff, headers=CSV, raw=raw)
    assert response.status_code == 201, response.body


def _follow(client, path, key, token, limit, items_read):
    """Every page of a list: what each request read, and all the rows."""
    rows, reads, cursor = [], [], None
    while True:
        items_read.clear()
        query = ("&" if "?" in path else "?") + f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = call(client, "GET", path + query, token=token)
        assert response.status_code == 200, response.body
        reads.append(sum(items_read.values()))
        body = js(response)
        assert len(body[key]) <= limit
        rows += body[key]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows, reads


def test_a_centre_with_many_past_sessions_lists_them_a_page_at_a_time(client, items_read):
    centre_id, staff = flow.create_centre(client)
    _sessions(client, centre_id, staff, 9)
    path = f"/centres/{centre_id}/sessions"
    rows, reads = _follow(client, path, "sessions", staff, 4, items_read)
    assert len(reads) == 3 and len({s["session_id"] for s in rows}) == 9
    assert [s["date"] for s in rows] == sorted((s["date"] for s in rows), reverse=True)  # latest first
    # per page: the centre (1) + at most limit + 1 sessions, whatever the history
    assert max(reads) <= 1 + 4 + 1, reads
    assert js(call(client, "GET", path, token=staff))["next_cursor"] is None  # default page holds 9

    # another centre's sessions cannot be reached with this centre's cursors
    other_id, other_staff = flow.create_centre(client, name="Collège Jean Moulin", uai="0750002B")
    cursor = js(call(client, "GET", path + "?limit=2", token=staff))["next_cursor"]
    theirs = js(call(client, "GET", f"/centres/{other_id}/sessions?cursor={cursor}", token=other_staff))
    assert theirs == {"sessions": [], "next_cursor": None}
    assert call(client, "GET", f"/centres/{other_id}/sessions", token=staff).status_code == 403

    forged = base64.urlsafe_b64encode(json.dumps({"sk": "CAND#x"}).encode()).decode()
    for bad in ("%%%", "bm9wZQ", forged, "e30", "W10"):
        response = call(client, "GET", f"{path}?cursor={bad}", token=staff)
        assert response.status_code == 400, (bad, response.body)
        error = js(response)["error"]
        assert error["code"] == "invalid_cursor" and error["message"] == "Curseur de pagination invalide."
    assert call(client, "GET", f"{path}?limit=0", token=staff).status_code == 400
    assert call(client, "GET", f"{path}?limit=101", token=staff).status_code == 400


def test_candidates_and_the_live_view_read_one_page_per_request(client, items_read):
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    raw = "prénom;nom;date de naissance\n" + "".join(
        f"Élève{i};Nom{i};{1 + i % 28:02d}/05/2008\n" for i in range(25))
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/candidates/import",
                    token=staff, headers=CSV, raw=raw.encode("utf-8"))
    assert response.status_code == 201, response.body

    rows, reads = _follow(client, f"/centres/{centre_id}/sessions/{sid}/candidates", "candidates",
                          staff, 10, items_read)
    assert len(reads) == 3 and len({c["candidate_id"] for c in rows}) == 25
    assert max(reads) <= 1 + 1 + 10 + 1, reads  # centre membership, session, one page (+1)

    inv = flow.invigilator(client, session)
    live, reads = _follow(client, f"/sessions/{sid}/invigilation", "candidates", inv, 10, items_read)
    assert [c["candidate_id"] for c in live] == [c["candidate_id"] for c in rows]
    assert max(reads) <= 1 + 10 + 1 + 10, reads  # session, one page (+1), its courses at most
    bad = call(client, "GET", f"/sessions/{sid}/invigilation?cursor=e30", token=inv)
    assert bad.status_code == 400 and js(bad)["error"]["code"] == "invalid_cursor"
    # a centre member of another centre sees none of it, with or without a cursor
    _, stranger = flow.create_centre(client, name="Collège Jean Moulin", uai="0750002B")
    assert call(client, "GET", f"/centres/{centre_id}/sessions/{sid}/candidates",
                token=stranger).status_code == 403


def test_upcoming_and_held_sessions_are_two_bounded_lists(client, items_read):
    """Issue 19: the centre space shows the sessions to come apart from those
    already held; each is a key range of the centre's index, paged."""
    import datetime as dt

    from chalicelib.services import sessions

    centre_id, staff = flow.create_centre(client)
    today = dt.date.fromisoformat(sessions._today())
    days = [today + dt.timedelta(days=d) for d in (-40, -3, -1, 0, 1, 30)]
    lines = "".join(f"{d:%d/%m/%Y};09:00;1 rue de l'École;B1;Mme Martin;\n" for d in days)
    raw = ("date;heure;adresse;salle;examinateur;observations\n" + lines).encode("utf-8")
    assert call(client, "POST", f"/centres/{centre_id}/sessions/import", token=staff, headers=CSV,
                raw=raw).status_code == 201
    path = f"/centres/{centre_id}/sessions"
    upcoming, reads = _follow(client, path + "?period=upcoming", "sessions", staff, 2, items_read)
    assert [s["date"] for s in upcoming] == [d.isoformat() for d in days[3:]]  # soonest first
    assert max(reads) <= 1 + 2 + 1, reads
    held, reads = _follow(client, path + "?period=held", "sessions", staff, 2, items_read)
    assert [s["date"] for s in held] == [d.isoformat() for d in reversed(days[:3])]  # latest first
    assert max(reads) <= 1 + 2 + 1, reads

    # a cursor of one list is refused by the other (French 400, not DynamoDB's error as a 500)
    held_cursor = js(call(client, "GET", path + "?period=held&limit=1", token=staff))["next_cursor"]
    coming_cursor = js(call(client, "GET", path + "?period=upcoming&limit=1", token=staff))["next_cursor"]
    for period, cursor in (("upcoming", held_cursor), ("held", coming_cursor)):
        crossed = call(client, "GET", f"{path}?period={period}&cursor={cursor}", token=staff)
        assert crossed.status_code == 400, crossed.body
        assert js(crossed)["error"]["message"] == "Curseur de pagination invalide."
    bad = call(client, "GET", path + "?period=demain", token=staff)
    assert bad.status_code == 400 and js(bad)["error"]["message"]
    # another centre's member lists neither
    _, stranger = flow.create_centre(client, name="Collège Jean Moulin", uai="0750002B")
    assert call(client, "GET", path + "?period=held", token=stranger).status_code == 403


def _school_enrolled_in_sessions(client, uai: str, name: str, count: int):
    """A school (roster imported through its portal) that enrolled its class 3A
    in `count` sessions of a centre of its own UAI: (org id, sessions made)."""
    from tests.api import org_flow

    org = org_flow.create_org(client, name=name, type="lycee", uai=uai)["org_id"]
    portal = org_flow.client_token(org)
    assert org_flow.import_roster(client, org, portal, org_flow.school_csv()).status_code == 200
    centre_id, staff = flow.create_centre(client, uai=uai)
    _sessions(client, centre_id, staff, count)
    made = js(call(client, "GET", f"/centres/{centre_id}/sessions", token=staff))["sessions"]
    for s in made:
        enrolled = call(client, "POST", f"/organizations/{org}/certification-sessions/{s['session_id']}/enrolments",
                        token=portal, body={"division": "3A"})
        assert enrolled.status_code == 201, enrolled.body
    return org, made


def test_a_school_lists_its_certification_sessions_a_page_at_a_time(client, items_read):
    """Issue 16.3: the school's sessions (where it enrolled pupils) are one
    bounded page per request, latest date first, whatever its history."""
    from tests.api import org_flow

    org, _ = _school_enrolled_in_sessions(client, "0750001A", "Lycée Victor Hugo", 5)
    member = org_flow.member_token(org)
    path = f"/organizations/{org}/certification-sessions"
    rows, reads = _follow(client, path, "items", member, 2, items_read)
    assert len(reads) == 3 and [s["date"] for s in rows] == [f"2026-11-{d:02d}" for d in range(5, 0, -1)]
    assert all(s["session_number"] for s in rows)
    # per page: the organisation (1) + at most limit + 1 notes + their sessions, whatever the history
    assert max(reads) <= 1 + 3 + 2, reads
    for bad in ("%%%", "bm9wZQ", "e30"):
        response = call(client, "GET", f"{path}?cursor={bad}", token=member)
        assert response.status_code == 400 and js(response)["error"]["code"] == "invalid_cursor", bad
    # another school's cursor reaches nothing of this one, and its members are refused here
    other = org_flow.create_org(client, name="Collège Jean Moulin", type="college", uai="0750002B")["org_id"]
    cursor = js(call(client, "GET", f"{path}?limit=2", token=member))["next_cursor"]
    theirs = js(call(client, "GET", f"/organizations/{other}/certification-sessions?cursor={cursor}",
                     token=org_flow.member_token(other)))
    assert theirs["items"] == [] and theirs["next_cursor"] is None
    assert call(client, "GET", path, token=org_flow.member_token(other)).status_code == 403


def test_the_backfill_puts_notes_written_before_the_index_back_in_the_school_list(client):
    """Notes of sessions enrolled before the paged list carry no index keys:
    the list would silently leave them out until the migration gives them
    their keys (rerunning it changes nothing; enrolment times are kept)."""
    from chalicelib.services.school_certification import backfill_session_index
    from chalicelib.store.organizations import CertSessionRecord
    from tests.api import org_flow

    org, made = _school_enrolled_in_sessions(client, "0750003C", "Lycée Condorcet", 3)
    notes = list(CertSessionRecord.query(f"ORG#{org}", CertSessionRecord.sk.startswith("CERTSESSION#")))
    enrolled_at = {n.session_id: n.enrolled_at for n in notes}
    for note in notes[:2]:  # as written before the index existed
        note.update(actions=[CertSessionRecord.gsi2pk.remove(), CertSessionRecord.gsi2sk.remove()])
    member = org_flow.member_token(org)
    path = f"/organizations/{org}/certification-sessions"
    assert len(js(call(client, "GET", path, token=member))["items"]) == 1

    assert backfill_session_index() == {"indexed": 2, "already": 0, "missing_session": 0}
    listed = js(call(client, "GET", path, token=member))["items"]
    assert sorted(s["session_id"] for s in listed) == sorted(s["session_id"] for s in made)
    assert [s["date"] for s in listed] == sorted((s["date"] for s in listed), reverse=True)
    assert {n.session_id: n.enrolled_at for n in CertSessionRecord.query(
        f"ORG#{org}", CertSessionRecord.sk.startswith("CERTSESSION#"))} == enrolled_at
    assert backfill_session_index() == {"indexed": 0, "already": 0, "missing_session": 0}

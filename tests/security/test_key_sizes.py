"""Issue 13, point 5: names that grow under normalisation are a 400 naming
the field, not a 500.

U+FDFA is one character that NFKD turns into 18 letters (36 bytes): a
`last_name` of 100 of them passed the 100-character limit and then made an
index key of 3,600 bytes, over DynamoDB's 2,048 (partition) and 1,024 (sort)
byte limits. Names are now bounded after normalisation, in UTF-8 bytes
(`domain/identity.py::KEY_NAME_MAX_BYTES`), wherever they go into a key:
enrolment (JSON and CSV), joining a session, roster import.
"""
from __future__ import annotations

from chalicelib.store import certification as cert_store
from tests.api import cert_flow
from tests.api import org_flow
from tests.api.helpers import call, js
from tests.api.users import new_user

GROWS = "\ufdfa" * 100          # 100 characters, 3,300 bytes once normalised
CJK = "李" * 100                # 100 characters that do not grow: 300 bytes, accepted
CSV = {"Content-Type": "text/csv"}


def _fields(response) -> set[str]:
    return {d["field"] for d in js(response)["error"]["details"]}


def test_enrolment_refuses_a_name_that_grows_past_the_key_and_says_which(client):
    centre_id, staff = cert_flow.create_centre(client)
    sid = cert_flow.create_session(client, centre_id, staff)["session_id"]
    path = f"/centres/{centre_id}/sessions/{sid}/candidates"
    for field in ("last_name", "first_name"):
        body = {"first_name": "Léa", "last_name": "Dupont", "birth_date": "2008-05-14", field: GROWS}
        response = call(client, "POST", path, token=staff, body=body)
        assert response.status_code == 400, response.body
        assert _fields(response) == {field}
        assert "normalisé" in js(response)["error"]["details"][0]["message"]
    assert cert_store.candidates(sid) == []
    # the legitimate long names still enrol
    cert_flow.enrol(client, centre_id, sid, staff, last=CJK)
    cert_flow.enrol(client, centre_id, sid, staff, first="ﬁﬂ" * 50, last="Dupont")


def test_candidate_import_refuses_it_naming_line_and_column(client):
    centre_id, staff = cert_flow.create_centre(client)
    sid = cert_flow.create_session(client, centre_id, staff)["session_id"]
    raw = f"prénom;nom;date de naissance\nLéa;Dupont;14/05/2008\nHugo;{GROWS};02/11/2007\n"
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/candidates/import",
                    token=staff, headers=CSV, raw=raw.encode("utf-8"))
    assert response.status_code == 400, response.body
    assert {(d["line"], d["column"]) for d in js(response)["error"]["details"]} == {(3, "last_name")}
    assert cert_store.candidates(sid) == []


def test_joining_with_such_a_name_is_a_400_not_a_failed_lookup(client):
    centre_id, staff = cert_flow.create_centre(client)
    session = cert_flow.create_session(client, centre_id, staff)
    _, tokens = new_user(client)
    response = call(client, "POST", "/certification/join", token=tokens["access_token"], body={
        "access_code": session["access_code"], "first_name": "Léa", "last_name": GROWS,
        "birth_date": "2008-05-14"})
    assert response.status_code == 400, response.body
    assert _fields(response) == {"last_name"}


def test_roster_import_refuses_it_naming_line_and_column(client):
    org = org_flow.create_org(client)["org_id"]
    admin = org_flow.member_token(org, "admin")
    lines = [org_flow.PUPILS[0], org_flow.PUPILS[1].replace("Martin", GROWS)]
    response = org_flow.import_roster(client, org, admin, org_flow.school_csv(lines))
    assert response.status_code == 400, response.body
    details = js(response)["error"]["details"]
    assert {(d["line"], d["column"], d["code"]) for d in details} == {
        (3, "Nom de famille", "too_long_normalised")}  # the column as the school's file names it
    assert org_flow.learners(client, org, admin) == []
    # first names too; and a name that does not grow is imported
    lines = [org_flow.PUPILS[0].replace("Léa Marie", GROWS)]
    response = org_flow.import_roster(client, org, admin, org_flow.school_csv(lines))
    assert {d["column"] for d in js(response)["error"]["details"]} == {"Prénoms"}
    lines = [org_flow.PUPILS[0].replace("Dupont", CJK)]
    assert org_flow.import_roster(client, org, admin,
                                  org_flow.school_csv(lines)).status_code == 200
    assert org_flow.learners(client, org, admin, division="3A")[0]["last_name"] == CJK

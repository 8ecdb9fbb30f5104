"""CSV imports of sessions and candidates: line-level errors, all or nothing."""
from __future__ import annotations

from chalicelib.store import certification as store
from tests.api import cert_flow as flow
from tests.api.helpers import call, js

CSV = {"Content-Type": "text/csv"}


def test_candidates_csv_with_french_headers_is_imported(client):
    centre_id, staff = flow.create_centre(client)
    sid = flow.create_session(client, centre_id, staff)["session_id"]
    raw = ("\ufeffPrénom;Nom de naissance;Date de naissance (JJ/MM/AAAA);Code INSEE ou pays de naissance;"
           "Sexe;E-mail;Temps majoré (%)\n"
           "Léa;Dupont;14/05/2008;75056;F;lea@example.org;30\n"
           "Hugo;Martin;02/11/2007;Belgique;M;;\n").encode("utf-8")
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/candidates/import",
                    token=staff, headers=CSV, raw=raw)
    assert response.status_code == 201, response.body
    assert js(response)["enrolled"] == 2
    listed = js(call(client, "GET", f"/centres/{centre_id}/sessions/{sid}/candidates", token=staff))
    lea = next(c for c in listed["candidates"] if c["first_name"] == "Léa")
    assert lea["birth_date"] == "2008-05-14" and lea["extra_time_percent"] == 30


def test_a_bad_line_imports_nothing_and_names_line_and_column(client):
    centre_id, staff = flow.create_centre(client)
    sid = flow.create_session(client, centre_id, staff)["session_id"]
    raw = ("prénom;nom;date de naissance\n"
           "Léa;Dupont;14/05/2008\n"
           "Hugo;Martin;30/02/2007\n"
           ";Sans prénom;01/01/2008\n").encode("utf-8")
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/candidates/import",
                    token=staff, headers=CSV, raw=raw)
    assert response.status_code == 400
    details = js(response)["error"]["details"]
    assert {(d["line"], d["column"]) for d in details} == {(3, "birth_date"), (4, "first_name")}
    assert store.candidates(sid) == []


def test_missing_columns_and_garbage_are_refused(client):
    centre_id, staff = flow.create_centre(client)
    sid = flow.create_session(client, centre_id, staff)["session_id"]
    path = f"/centres/{centre_id}/sessions/{sid}/candidates/import"
    missing = call(client, "POST", path, token=staff, headers=CSV, raw="prénom;nom\nLéa;Dupont\n")
    assert missing.status_code == 400 and js(missing)["error"]["code"] == "missing_columns"
    garbage = call(client, "POST", path, token=staff, headers=CSV, raw=b"\x00\xff" * 1000)
    assert garbage.status_code == 400
    assert store.candidates(sid) == []


def test_sessions_csv_creates_each_session_with_its_codes(client):
    centre_id, staff = flow.create_centre(client)
    raw = ("date;heure;adresse;salle;examinateur;observations\n"
           "01/12/2026;09:00;1 rue de l'École;B12;Mme Martin;3e A\n"
           "02/12/2026;14:30;1 rue de l'École;B14;M. Petit;\n").encode("utf-8")
    response = call(client, "POST", f"/centres/{centre_id}/sessions/import", token=staff,
                    headers=CSV, raw=raw)
    assert response.status_code == 201, response.body
    created = js(response)["sessions"]
    assert len(created) == 2
    assert len({s["access_code"] for s in created}) == 2
    assert all(len(s["invigilator_password"]) == 10 for s in created)
    listed = js(call(client, "GET", f"/centres/{centre_id}/sessions", token=staff))["sessions"]
    assert {s["date"] for s in listed} == {"2026-12-01", "2026-12-02"}
    assert all("invigilator_password" not in s for s in listed)


def test_sessions_csv_with_a_bad_date_creates_none(client):
    centre_id, staff = flow.create_centre(client)
    raw = ("date;heure;adresse;salle;examinateur\n"
           "01/12/2026;09:00;Adresse;B12;Mme Martin\n"
           "31/11/2026;09:00;Adresse;B12;Mme Martin\n").encode("utf-8")
    response = call(client, "POST", f"/centres/{centre_id}/sessions/import", token=staff,
                    headers=CSV, raw=raw)
    assert response.status_code == 400
    assert js(response)["error"]["details"][0]["line"] == 3
    assert js(call(client, "GET", f"/centres/{centre_id}/sessions", token=staff))["sessions"] == []

"""Roster imports over HTTP: valid files, re-imports, malformed files (which
write nothing), pupil accounts, isolation. Files stay small here (moto is slow
with big tables); 5,000 lines are checked in tests/unit/test_roster.py and
measured by scripts/bench_roster.py."""
from __future__ import annotations

import os

import pytest

from tests.api import org_flow as flow
from tests.api import users
from tests.api.helpers import call, js


@pytest.fixture()
def school(client):
    org = flow.create_org(client)["org_id"]
    return org, flow.client_token(org)


def test_a_valid_file_creates_the_roster(client, school):
    org, portal = school
    response = flow.import_roster(client, org, portal, flow.school_csv())
    assert response.status_code == 200, response.body
    assert js(response) == {"format": "school", "file": "csv", "skipped": 0, "lines": 3, "created": 3, "updated": 0,
                            "unchanged": 0, "left": 0}
    everyone = flow.learners(client, org, portal)
    assert [p["learner_id"] for p in everyone] == ["123456789AB", "234567890CD", "3456789012E"]
    assert everyone[1] == {
        "learner_id": "234567890CD", "last_name": "Martin", "usage_name": "Durand",
        "first_names": "Hugo", "birth_date": "2009-11-02", "sex": "M", "birth_insee_code": None,
        "birth_country": "Belgique", "division": "3A", "mef_code": "10110001110", "left": False}
    assert [p["first_names"] for p in flow.learners(client, org, portal, division="3A")] == [
        "Léa Marie", "Hugo"]
    one = js(call(client, "GET", f"/organizations/{org}/learners/123456789AB", token=portal))
    assert one["reconciled"] is False and one["birth_insee_code"] == "75056"

    page = js(call(client, "GET", f"/organizations/{org}/learners?limit=2", token=portal))
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = js(call(client, "GET", f"/organizations/{org}/learners?limit=2&cursor={page['next_cursor']}",
                   token=portal))
    assert [p["learner_id"] for p in rest["items"]] == ["3456789012E"] and rest["next_cursor"] is None


def test_reimport_updates_by_ine_without_duplicates_and_marks_who_left(client, school):
    org, portal = school
    flow.import_roster(client, org, portal, flow.school_csv())
    moved = flow.PUPILS[0].replace(";3A;", ";4A;")
    newcomer = "4567890123F;Petit;;Zoé;F;03/03/2010;69123;;3B;10110001110"
    response = flow.import_roster(client, org, portal,
                                  flow.school_csv([moved, flow.PUPILS[2], newcomer]))
    assert js(response) == {"format": "school", "file": "csv", "skipped": 0, "lines": 3,
                            "created": 1, "updated": 1,
                            "unchanged": 1, "left": 1}
    everyone = {p["learner_id"]: p for p in flow.learners(client, org, portal)}
    assert len(everyone) == 4
    assert everyone["123456789AB"]["division"] == "4A"
    assert everyone["234567890CD"]["left"] is True
    assert [p["learner_id"] for p in flow.learners(client, org, portal, division="3A")] == [
        "234567890CD"]  # the class listing still shows who left, flagged

    again = flow.import_roster(client, org, portal, flow.school_csv([moved, flow.PUPILS[2], newcomer]))
    assert js(again)["unchanged"] == 3 and js(again)["created"] == js(again)["updated"] == 0
    back = flow.import_roster(client, org, portal, flow.school_csv(flow.PUPILS))
    assert js(back)["updated"] == 2 and js(back)["left"] == 1  # Martin back, Léa to 3A, Zoé left


def test_windows_1252_files_from_spreadsheets_are_read(client, school):
    org, portal = school
    response = flow.import_roster(client, org, portal, flow.school_csv(encoding="cp1252"))
    assert response.status_code == 200, response.body
    assert flow.learners(client, org, portal)[0]["first_names"] == "Léa Marie"


def test_higher_education_imports_student_numbers_and_groups(client):
    org = flow.create_org(client, name="Université", type="higher_education", uai=None)["org_id"]
    portal = flow.client_token(org)
    raw = "Numéro étudiant;Nom;Prénom;Date de naissance;Groupe\n22001;Martin;Hugo;02/11/2004;L1-A\n"
    response = flow.import_roster(client, org, portal, raw.encode())
    assert response.status_code == 200, response.body
    assert flow.learners(client, org, portal)[0]["learner_id"] == "22001"
    siecle = flow.import_roster(client, org, portal, flow.school_csv())
    assert js(siecle)["error"]["code"] == "missing_columns"  # no student number column


BAD_FILES = {
    "wrong encoding": (flow.SCHOOL_HEADER.encode("cp1252") + b"\n\x81\x8d\xe9t\xe9\n",
                       "invalid_encoding"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000), "invalid_csv"),
    "missing columns": ("INE;Nom;Prénom\n123456789AB;Dupont;Léa\n".encode(), "missing_columns"),
    "empty": (b"", "empty_file"),
    "header only": (flow.SCHOOL_HEADER.encode(), "empty_file"),
    "bad dates": (flow.school_csv([flow.PUPILS[0].replace("14/05/2010", "31/02/2010"),
                                   flow.PUPILS[1].replace("02/11/2009", "2009/11/02")]),
                  "invalid_file"),
    "duplicate INE": (flow.school_csv([flow.PUPILS[0], flow.PUPILS[1],
                                       flow.PUPILS[0].replace("Dupont", "Dupond")]), "invalid_file"),
    "garbage lines": ("\n".join(os.urandom(40).hex() for _ in range(5000)).encode(),
                      "missing_columns"),
    "one giant garbage line": (os.urandom(300_000).hex().encode(), "invalid_csv"),
    "10 MB of garbage": (os.urandom(10 * 1024 * 1024), "body_too_large"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_malformed_files_are_refused_clearly_and_write_nothing(client, school, name):
    org, portal = school
    raw, code = BAD_FILES[name]
    response = flow.import_roster(client, org, portal, raw)
    assert response.status_code == 400, response.body
    error = js(response)["error"]
    assert error["code"] == code and error["message"]
    assert flow.learners(client, org, portal) == []


def test_line_errors_say_line_column_code_and_message(client, school):
    org, portal = school
    response = flow.import_roster(client, org, portal, BAD_FILES["bad dates"][0])
    details = js(response)["error"]["details"]
    assert [(d["line"], d["column"], d["code"]) for d in details] == [
        (2, "Date de naissance (jj/mm/aaaa)", "invalid_date"),
        (3, "Date de naissance (jj/mm/aaaa)", "invalid_date")]  # the file's own column name
    assert "JJ/MM/AAAA" in details[0]["message"]
    dup = js(flow.import_roster(client, org, portal, BAD_FILES["duplicate INE"][0]))["error"]
    assert dup["details"] == [{"line": 4, "column": "INE", "code": "duplicate_ine",
                               "message": "INE 123456789AB déjà présent ligne 2."}]
    assert "aucun apprenant n'a été importé" in dup["message"]


def test_an_invalid_reimport_keeps_the_previous_roster(client, school):
    org, portal = school
    flow.import_roster(client, org, portal, flow.school_csv())
    bad = flow.school_csv([flow.PUPILS[0].replace(";3A;", ";4A;"), "bad;line"])
    assert flow.import_roster(client, org, portal, bad).status_code == 400
    everyone = flow.learners(client, org, portal)
    assert len(everyone) == 3 and not any(p["left"] for p in everyone)
    assert everyone[0]["division"] == "3A"


def test_the_school_creates_an_account_for_a_pupil_without_email(client, school):
    org, portal = school
    flow.import_roster(client, org, portal, flow.school_csv())
    response = call(client, "POST", f"/organizations/{org}/learners/3456789012E/account", token=portal)
    assert response.status_code == 201, response.body
    created = js(response)
    assert created["username"].startswith("awa.ndiaye") and len(created["temporary_password"]) == 10
    signed_in = users.sign_in(client, created["username"], created["temporary_password"])
    assert signed_in["access_token"]
    assert js(call(client, "GET", f"/organizations/{org}/learners/3456789012E",
                   token=portal))["reconciled"] is True
    twice = call(client, "POST", f"/organizations/{org}/learners/3456789012E/account", token=portal)
    assert twice.status_code == 409


def test_another_organisation_gets_nothing_of_this_roster(client, school):
    org, portal = school
    flow.import_roster(client, org, portal, flow.school_csv())
    other = flow.create_org(client, name="Collège B", uai="0750003C")["org_id"]
    intruder = flow.client_token(other)
    for method, path in [("POST", f"/organizations/{org}/learners/import"),
                         ("GET", f"/organizations/{org}/learners"),
                         ("GET", f"/organizations/{org}/learners/123456789AB"),
                         ("POST", f"/organizations/{org}/learners/123456789AB/account")]:
        response = call(client, method, path, token=intruder, raw=flow.school_csv() if method == "POST"
                        else None, headers={"Content-Type": "text/csv"})
        assert response.status_code == 403, (method, path)
    # through its own organisation's URL, the learner of the other school does not exist
    assert call(client, "GET", f"/organizations/{other}/learners/123456789AB",
                token=intruder).status_code == 404
    assert flow.learners(client, other, intruder) == []
    assert flow.learners(client, other, intruder, division="3A") == []
    # a cursor only positions inside the caller's own roster
    page = js(call(client, "GET", f"/organizations/{org}/learners?limit=1", token=portal))
    leaked = call(client, "GET", f"/organizations/{other}/learners?cursor={page['next_cursor']}",
                  token=intruder)
    assert leaked.status_code == 200 and js(leaked)["items"] == []


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "rosters")


@pytest.mark.parametrize("name, content_type", [
    ("ElevesSansAdresses.xml", "application/xml"), ("ElevesSansAdresses.zip", "application/zip"),
    ("siecle_extraction_cp1252.csv", "text/csv"), ("siecle_texte_unicode.txt", "text/plain"),
    ("export_iso8859-15.csv", "text/csv"), ("modele_plateforme_utf8_bom.csv", "text/csv")])
def test_siecle_exports_and_spreadsheets_import_through_the_api(client, school, name, content_type):
    org, portal = school
    with open(os.path.join(FIXTURES, name), "rb") as f:
        raw = f.read()
    response = call(client, "POST", f"/organizations/{org}/learners/import", token=portal, raw=raw,
                    headers={"Content-Type": content_type})
    assert response.status_code == 200, response.body
    report = js(response)
    assert report["created"] == report["lines"] >= 2
    lea = next(p for p in flow.learners(client, org, portal) if p["learner_id"] == "123456789AB")
    assert lea["first_names"].startswith("Léa") and lea["birth_date"] == "2013-05-14"


def test_a_siecle_xml_of_another_school_is_refused_in_french_and_writes_nothing(client):
    org = flow.create_org(client, name="Collège Voisin", uai="0690001B")["org_id"]
    portal = flow.client_token(org)
    with open(os.path.join(FIXTURES, "ElevesSansAdresses.xml"), "rb") as f:
        response = call(client, "POST", f"/organizations/{org}/learners/import", token=portal,
                        raw=f.read(), headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    error = js(response)["error"]
    assert error["code"] == "uai_mismatch" and "0750001A" in error["message"]
    assert flow.learners(client, org, portal) == []


def test_a_pupil_born_in_france_without_commune_code_is_refused_by_its_column(client, school):
    org, portal = school
    raw = flow.school_csv(["123456789AB;Dupont;;Léa;F;14/05/2010;;France;3A;"])
    error = js(flow.import_roster(client, org, portal, raw))["error"]
    assert [(d["column"], d["code"]) for d in error["details"]] == [
        ("Code commune naissance", "birth_insee_code_missing")]

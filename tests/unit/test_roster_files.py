"""Roster files as schools have them (pure): SIECLE XML plain and zipped,
SIECLE CSV extraction, spreadsheet exports in several encodings and header
sets; hostile files (XXE, entity expansion, zip bombs) refused."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from chalicelib.domain import roster, roster_files
from chalicelib.domain.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
TODAY = dt.date(2026, 9, 1)
UAI = "0750001A"
XML = (FIXTURES / "ElevesSansAdresses.xml").read_bytes()


def load(raw: bytes, fmt=roster.SCHOOL, uai=UAI, max_rows=100):
    file = roster_files.open_roster_file(raw, fmt, uai=uai, max_bytes=5 << 20, max_rows=max_rows)
    return file, roster.check_lines(fmt, file.rows, TODAY)


def refused(raw: bytes, **kw) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        load(raw, **kw)
    return err.value


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["ElevesSansAdresses.xml", "ElevesSansAdresses.zip"])
def test_siecle_xml_plain_or_zipped_gives_the_pupils_with_their_class(name):
    file, check = load((FIXTURES / name).read_bytes())
    assert file.kind == "siecle_xml" and check.error_count == 0
    # PETIT left (DATE_SORTIE), GIRARD sits in "Inactifs" (no class): both skipped
    assert file.skipped == 2
    by_ine = {p.learner_id: p for p in check.learners}
    assert list(by_ine) == ["123456789AB", "234567890CD", "3456789012E"]
    lea = by_ine["123456789AB"]
    assert (lea.last_name, lea.first_names, lea.birth_date, lea.sex, lea.birth_insee_code,
            lea.division, lea.mef_code) == ("DUPONT", "Léa Marie Hélène", "2013-05-14", "F",
                                             "75056", "4A", "10310019110")
    hugo = by_ine["234567890CD"]   # ISO-8859-15 "Œ"; born in Spain: CODE_PAYS 134 -> INSEE 99134
    assert (hugo.last_name, hugo.usage_name, hugo.birth_insee_code, hugo.division) == (
        "CŒURDEROY", "MARTIN", "99134", "4B")     # the G structure (a group) is not the class
    assert by_ine["3456789012E"].birth_insee_code == "2A004"


@pytest.mark.parametrize("name, encoding", [
    ("siecle_extraction_cp1252.csv", "cp1252"),
    ("siecle_texte_unicode.txt", "utf-16"),
    ("export_iso8859-15.csv", "iso-8859-15"),
    ("modele_plateforme_utf8_bom.csv", "utf-8-sig"),
])
def test_csv_extractions_and_spreadsheet_exports_are_read_as_they_come(name, encoding):
    raw = (FIXTURES / name).read_bytes()
    file, check = load(raw)
    assert file.kind == "csv" and check.error_count == 0, check.errors
    first = check.learners[0]
    assert first.learner_id == "123456789AB" and first.birth_date == "2013-05-14"
    assert first.last_name in ("DUPONT", "Dupont", "CŒURDEROY")
    assert first.first_name == "Léa"


def test_siecle_headers_prenom_1_2_3_and_two_digit_years():
    _, check = load((FIXTURES / "siecle_extraction_cp1252.csv").read_bytes())
    lea, hugo, awa = check.learners
    assert lea.first_names == "Léa Marie Hélène" and lea.mef_code == ""   # no Code MEF column
    assert (hugo.birth_date, hugo.birth_country, hugo.usage_name) == ("2012-11-02", "ESPAGNE", "DURAND")
    assert awa.birth_insee_code == "2A004"


def test_reference_platform_template_with_starred_headers():
    _, check = load((FIXTURES / "modele_plateforme_utf8_bom.csv").read_bytes())
    lea, hugo = check.learners
    assert (lea.sex, lea.birth_insee_code, lea.birth_country) == ("F", "75056", "")  # 99100: France
    assert (hugo.usage_name, hugo.birth_insee_code) == ("Durand", "99134")


def test_a_pupil_born_in_france_needs_the_commune_code_and_errors_name_the_file_columns():
    raw = ("Nom de famille;Prénom 1;Date de naissance;Sexe;INE;Code commune de naissance;"
           "Pays de naissance;Division\n"
           "DUPONT;Léa;14/05/13;F;123456789AB;;FRANCE;4A\n"
           "MARTIN;Hugo;02/11/12;M;234567890CD;;ESPAGNE;4B\n").encode("cp1252")
    file, check = load(raw)
    assert [(e.line, file.label(e.column), e.code) for e in check.errors] == [
        (2, "Code commune de naissance", "birth_insee_code_missing")]
    assert "né en France" in check.errors[0].message


def test_missing_columns_are_named_as_siecle_names_them_never_as_fields():
    err = refused("Nom de famille;Prénom 1;INE\nDUPONT;Léa;123456789AB\n".encode())
    assert err.code == "missing_columns"
    assert err.details["missing"] == ["Date de naissance", "Division", "Sexe"]
    assert "birth_date" not in err.message and "first_names" not in err.message


def test_xml_errors_name_the_siecle_element_and_the_pupil():
    raw = XML.replace(b"<DATE_NAISS>14/05/2013</DATE_NAISS>", b"<DATE_NAISS>31/02/2013</DATE_NAISS>")
    file, check = load(raw)
    [error] = check.errors
    assert (file.label(error.column), file.records[error.line]) == ("DATE_NAISS", "ELEVE_ID 1403951")


def test_xml_of_another_school_or_without_uaj_is_refused():
    assert refused(XML, uai="0690001B").code == "uai_mismatch"
    assert refused(XML, uai=None).code == "uai_mismatch"
    no_uaj = XML.replace(b"<UAJ>0750001A</UAJ>", b"")
    assert refused(no_uaj).code == "uai_missing"


def test_other_xml_and_broken_xml_are_refused_clearly():
    assert refused(b'<?xml version="1.0"?><BEE_NOMENCLATURES/>').code == "unsupported_file"
    assert refused(XML[:2000]).code == "invalid_xml"
    assert refused(XML, fmt=roster.STUDENT).code == "unsupported_file"


XXE = b"""<?xml version="1.0" encoding="ISO-8859-15"?>
<!DOCTYPE BEE_ELEVES [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<BEE_ELEVES><PARAMETRES><UAJ>0750001A</UAJ></PARAMETRES><DONNEES><ELEVES>
<ELEVE ELEVE_ID="1"><ID_NATIONAL>123456789AB</ID_NATIONAL><NOM_DE_FAMILLE>&xxe;</NOM_DE_FAMILLE>
</ELEVE></ELEVES></DONNEES></BEE_ELEVES>"""
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE BEE_ELEVES [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10)
                     for i in range(8))
          + b']><BEE_ELEVES><PARAMETRES><UAJ>&i;</UAJ></PARAMETRES></BEE_ELEVES>')


@pytest.mark.parametrize("raw", [XXE, LAUGHS, zipped("ElevesSansAdresses.xml", XXE)],
                         ids=["xxe", "billion-laughs", "zipped-xxe"])
def test_dtds_and_entities_are_refused_never_expanded(raw):
    err = refused(raw)
    assert err.code == "forbidden_xml"
    assert "root:" not in err.message


def test_a_zip_bomb_stops_at_the_inflated_cap(monkeypatch):
    monkeypatch.setattr(roster_files, "MAX_INFLATED_BYTES", 1024 * 1024)
    bomb = zipped("ElevesSansAdresses.xml", b"<" + b" " * (20 * 1024 * 1024))
    assert len(bomb) < 64 * 1024                     # 20 MB inflated from a few KB
    assert refused(bomb).code == "file_too_large"


def test_a_zip_whose_header_lies_about_its_size_still_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(roster_files, "MAX_INFLATED_BYTES", 1024 * 1024)
    bomb = bytearray(zipped("e.xml", b"<" + b" " * (4 * 1024 * 1024)))
    # rewrite the declared uncompressed size (local header and central directory) to 100 bytes
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bomb.find(signature)
        bomb[at + offset:at + offset + 4] = (100).to_bytes(4, "little")
    err = refused(bytes(bomb))
    assert err.code in ("file_too_large", "invalid_archive")


@pytest.mark.parametrize("raw, code", [
    (zipped("ElevesSansAdresses.xml", zipped("ElevesSansAdresses.xml", XML)), "invalid_archive"),
    (b"PK\x03\x04garbage", "invalid_archive"),
    (b"", "empty_file"),
], ids=["zip-in-zip", "garbage", "empty"])  # fixed ids: a zip's bytes carry its time, and xdist workers must collect the same ids
def test_odd_archives_are_refused(raw, code):
    assert refused(raw).code == code


def test_two_roster_files_in_one_zip_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.xml", XML)
        archive.writestr("b.csv", b"x")
    assert refused(out.getvalue()).code == "invalid_archive"


def test_the_pupil_cap_applies_to_xml():
    assert refused(XML, max_rows=2).code == "too_many_rows"

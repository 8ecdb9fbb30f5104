"""Roster lines (pure): field rules, duplicates, import plans, reconciliation,
the streaming CSV reader, and a 5,000-line file in time and memory."""
from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest

from chalicelib.domain import roster
from chalicelib.domain.csv_rows import sniff_encoding, stream_rows
from chalicelib.domain.errors import InvalidInput
from scripts.bench_roster import school_file

TODAY = dt.date(2026, 9, 1)
HEADER = ("INE;Nom de famille;Nom d'usage;Prénoms;Sexe;Date de naissance (jj/mm/aaaa);"
          "Code commune naissance;Pays de naissance;Division;Code MEF")
GOOD = "123456789AB;Dupont;;Léa Marie;F;14/05/2010;75056;;3A;10110001110"


def check(lines: list[str], fmt=roster.SCHOOL, header=HEADER) -> roster.RosterCheck:
    raw = "\n".join([header, *lines]).encode("utf-8")
    return roster.check_lines(fmt, stream_rows(raw, roster.COLUMNS[fmt], roster.REQUIRED[fmt]), TODAY)


def codes(result: roster.RosterCheck) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.code) for e in result.errors]


def test_a_valid_school_line_becomes_a_learner():
    result = check([GOOD])
    assert result.error_count == 0
    [learner] = result.learners
    assert learner == roster.Learner(
        learner_id="123456789AB", last_name="Dupont", first_names="Léa Marie",
        birth_date="2010-05-14", sex="F", birth_insee_code="75056", division="3A",
        mef_code="10110001110")
    assert learner.first_name == "Léa" and learner.birth_place == "75056"


def test_values_are_normalised():
    result = check(["  123456789ab ; dupont ;Durand; Léa   Marie ;2;2010-05-14;;Maroc;3 A ;10110001110"])
    [learner] = result.learners
    assert (learner.learner_id, learner.sex, learner.first_names, learner.division,
            learner.birth_country, learner.birth_date) == (
        "123456789AB", "F", "Léa Marie", "3 A", "Maroc", "2010-05-14")


@pytest.mark.parametrize("line, column, code", [
    ("12345678AB;Dupont;;Léa;F;14/05/2010;75056;;3A;10110001110", "learner_id", "invalid_ine"),
    (";Dupont;;Léa;F;14/05/2010;75056;;3A;10110001110", "learner_id", "missing_value"),
    ("123456789AB;;;Léa;F;14/05/2010;75056;;3A;10110001110", "last_name", "missing_value"),
    ("123456789AB;Dup0nt;;Léa;F;14/05/2010;75056;;3A;10110001110", "last_name", "invalid_name"),
    ("123456789AB;Dupont;;=HYPERLINK(1);F;14/05/2010;75056;;3A;10110001110", "first_names",
     "invalid_name"),
    ("123456789AB;Dupont;;Léa;X;14/05/2010;75056;;3A;10110001110", "sex", "invalid_sex"),
    ("123456789AB;Dupont;;Léa;F;31/02/2010;75056;;3A;10110001110", "birth_date", "invalid_date"),
    ("123456789AB;Dupont;;Léa;F;14/05/1;75056;;3A;10110001110", "birth_date", "invalid_date"),
    ("123456789AB;Dupont;;Léa;F;05-14-2010;75056;;3A;10110001110", "birth_date", "invalid_date"),
    ("123456789AB;Dupont;;Léa;F;14/05/2030;75056;;3A;10110001110", "birth_date", "date_out_of_range"),
    ("123456789AB;Dupont;;Léa;F;14/05/1850;75056;;3A;10110001110", "birth_date", "date_out_of_range"),
    ("123456789AB;Dupont;;Léa;F;14/05/2010;7505;;3A;10110001110", "birth_insee_code",
     "invalid_insee_code"),
    ("123456789AB;Dupont;;Léa;F;14/05/2010;;;3A;10110001110", "birth_insee_code",
     "birth_place_missing"),
    ("123456789AB;Dupont;;Léa;F;14/05/2010;75056;;;10110001110", "division", "missing_value"),
    ("123456789AB;Dupont;;Léa;F;14/05/2010;75056;;3A;1011", "mef_code", "invalid_mef_code"),
])
def test_each_wrong_field_is_reported_by_line_and_column(line, column, code):
    result = check([GOOD.replace("123456789AB", "999999999ZZ"), line])
    assert codes(result) == [(3, column, code)]
    assert result.learners == []  # nothing from an invalid file
    assert result.errors[0].message  # a French sentence for the person fixing the file


def test_every_error_of_a_line_is_reported_at_once():
    result = check(["XX;;;;Z;99/99/9999;;;;"])
    assert {c for _, c, _ in codes(result)} == {"learner_id", "last_name", "first_names", "sex",
                                                "birth_date", "birth_insee_code", "division"}


def test_a_duplicate_ine_names_the_first_line():
    result = check([GOOD, GOOD.replace("Dupont", "Durand")])
    assert codes(result) == [(3, "learner_id", "duplicate_ine")]
    assert "ligne 2" in result.errors[0].message


def test_reported_errors_are_capped_but_counted():
    result = check([f"bad;x;;y;F;01/01/2010;75056;;3A;10110001110"] * 500)
    assert result.error_count == 500 and len(result.errors) == roster.MAX_REPORTED_ERRORS


def test_student_rosters_need_a_student_number_not_an_ine():
    header = "Numéro étudiant;Nom;Prénom;Date de naissance;Groupe"
    result = check(["E2026-001;Martin;Hugo;02/11/2004;L1 Info", "E2026-002;Petit;Zoé;03/03/2005;"],
                   fmt=roster.STUDENT, header=header)
    assert result.error_count == 0
    assert [(l.learner_id, l.division) for l in result.learners] == [("E2026-001", "L1 Info"),
                                                                      ("E2026-002", "")]


def test_missing_columns_are_named_before_any_line_is_read():
    raw = "INE;Nom;Prénom\n123456789AB;Dupont;Léa\n".encode()
    with pytest.raises(InvalidInput) as err:
        stream_rows(raw, roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL])
    assert err.value.code == "missing_columns"
    assert set(err.value.details["missing"]) == {"birth_date", "division", "sex"}


# --- import plans --------------------------------------------------------------------------------


def learner(i: str, division="3A", **kw) -> roster.Learner:
    return roster.Learner(learner_id=i, last_name="Nom", first_names="Prénom",
                          birth_date="2010-01-01", division=division, **kw)


def test_reimport_updates_by_id_marks_who_left_and_welcomes_back():
    existing = {"A": (learner("A"), False), "B": (learner("B"), False),
                "C": (learner("C"), False), "D": (learner("D"), True)}
    plan = roster.plan_import(existing, [learner("A"), learner("B", division="3B"), learner("D"),
                                         learner("E")])
    assert [l.learner_id for l in plan.create] == ["E"]
    assert sorted(l.learner_id for l in plan.update) == ["B", "D"]
    assert [l.learner_id for l in plan.leave] == ["C"] and plan.unchanged == 1


def test_the_same_file_twice_changes_nothing():
    existing = {"A": (learner("A"), False)}
    plan = roster.plan_import(existing, [learner("A")])
    assert (plan.create, plan.update, plan.leave, plan.unchanged) == ([], [], [], 1)


# --- reconciliation ------------------------------------------------------------------------------


def test_reconciliation_matches_names_loosely_and_birth_date_exactly():
    pupil = roster.Learner(learner_id="123456789AB", last_name="N'Diaye", usage_name="Durand",
                           first_names="Awa Fatou", birth_date="2010-01-30")
    assert roster.matches(pupil, "awa", "NDIAYE", "2010-01-30")
    assert roster.matches(pupil, "Fatou", "durand", "2010-01-30")
    assert roster.matches(pupil, "Awa Fatou", "N'Diaye", "2010-01-30")
    assert not roster.matches(pupil, "Awa", "N'Diaye", "2010-01-31")
    assert not roster.matches(pupil, "Aya", "N'Diaye", "2010-01-30")
    assert not roster.matches(pupil, "", "N'Diaye", "2010-01-30")


def test_one_match_ties_one_entry_and_refuses_none_or_several_whoever_asks():
    """The rule a learner's reconciliation and a GAR first sign-in share."""
    def pupil(ine, first, birth, division):
        return roster.Learner(learner_id=ine, last_name="Martin", first_names=first,
                              birth_date=birth, division=division)

    awa = pupil("111111111AA", "Awa", "2010-01-30", "3A")
    twin = pupil("222222222BB", "Awa", "2010-01-30", "3B")
    hugo = pupil("333333333CC", "Hugo", "2011-02-01", "3A")
    one = lambda rows, first, **kw: roster.one_match(rows, first, "martin", **kw)  # noqa: E731
    assert one([awa, hugo], "awa", birth_date="2010-01-30") is awa
    assert one([awa, awa], "awa", birth_date="2010-01-30") is awa       # read twice, one entry
    assert one([awa, twin, hugo], "awa", birth_date=None, divisions=("3B",)) is twin
    assert one([hugo], "hugo", birth_date=None, divisions=("3A", "4C")) is hugo
    refused = [
        (roster.NoMatch, [awa, hugo], "awa", {"birth_date": "2010-01-31"}),
        (roster.NoMatch, [awa], "hugo", {"birth_date": "2010-01-30"}),
        (roster.NoMatch, [awa], "awa", {"birth_date": None, "divisions": ("3B",)}),
        (roster.NoMatch, [awa], "awa", {"birth_date": None}),               # names alone: never
        (roster.NoMatch, [], "awa", {"birth_date": "2010-01-30"}),
        (roster.SeveralMatches, [awa, twin], "awa", {"birth_date": "2010-01-30"}),
        (roster.SeveralMatches, [awa, twin], "awa", {"birth_date": None, "divisions": ("3A", "3B")}),
    ]
    for error, rows, first, kw in refused:
        with pytest.raises(error):
            one(rows, first, **kw)


# --- the streaming reader ------------------------------------------------------------------------


def test_encodings_utf8_with_bom_windows_1252_and_utf16_are_read_binary_is_refused():
    text = HEADER + "\n" + GOOD + "\n"
    assert sniff_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert sniff_encoding(text.encode("cp1252")) == "cp1252"
    assert sniff_encoding(text.encode("utf-16")) == "utf-16"
    for raw, code in (                      (b"\x00\x01garbage", "invalid_csv"),
                      (b"\x81\x8d\xe9t\xe9", "invalid_encoding")):
        with pytest.raises(InvalidInput) as err:
            sniff_encoding(raw)
        assert err.value.code == code
    result = roster.check_lines(roster.SCHOOL, stream_rows(
        text.encode("cp1252"), roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL]), TODAY)
    assert result.learners[0].first_names == "Léa Marie"


def test_size_and_line_caps():
    with pytest.raises(InvalidInput) as err:
        stream_rows(b"x" * 2048, roster.SCHOOL_COLUMNS, set(), max_bytes=1024)
    assert err.value.code == "file_too_large"
    raw = ("INE\n" + "123456789AB\n" * 5).encode()
    with pytest.raises(InvalidInput) as err:
        list(stream_rows(raw, roster.SCHOOL_COLUMNS, set(), max_rows=3))
    assert err.value.code == "too_many_rows"


def test_a_giant_garbage_field_is_an_unreadable_file_not_a_crash():
    raw = (HEADER + "\n" + "a" * 200_000 + "\n").encode()
    with pytest.raises(InvalidInput) as err:
        list(stream_rows(raw, roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL]))
    assert err.value.code == "invalid_csv"


def test_line_numbers_follow_the_file_with_blank_and_quoted_lines():
    quoted = '"999999999ZZ";"Du\nval";;Léa;F;bad;75056;;3A;10110001110'
    raw = (HEADER + "\n\n" + GOOD + "\n" + quoted + "\n").encode()
    result = roster.check_lines(roster.SCHOOL, stream_rows(
        raw, roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL]), TODAY)
    assert (result.errors[0].line, result.errors[0].column) == (5, "birth_date")


def test_five_thousand_lines_are_checked_in_little_memory():
    """Memory only: the speed is measured by scripts/bench_roster.py (`make bench`), never here."""
    raw = school_file(5000)
    tracemalloc.start()
    result = roster.check_lines(roster.SCHOOL, stream_rows(
        raw, roster.SCHOOL_COLUMNS, roster.REQUIRED[roster.SCHOOL]), TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.error_count == 0 and len(result.learners) == 5000
    # the learners kept as Python objects (~8x the file, docs/benchmarks-roster.md), no copies
    assert peak < 10 * len(raw)

"""Campaign rules (pure): target profiles, progress, mastery, and the paged
CSV export of 6,000 participants."""
from __future__ import annotations

import csv
import io

import pytest

from chalicelib.bank.loader import get_bank
from chalicelib.domain import campaigns as domain
from chalicelib.domain.errors import InvalidInput


def test_a_competence_target_holds_its_skills_up_to_the_highest_open_level():
    bank = get_bank()
    target = domain.resolve_target(bank, competences=["1.1"], max_level=6)
    expected = {s.name for s in bank.skills_of("1.1") if s.level <= 6}
    assert target.competences == ("1.1",) and set(target.skills) == expected
    assert "@moteurRecherche7" not in target.skills


def test_tubes_and_skills_narrow_the_target_and_keep_framework_order():
    bank = get_bank()
    target = domain.resolve_target(bank, tubes=["@adresseWeb"], skills=[
        next(s.name for s in bank.skills_of("2.1") if s.level == 2)], max_level=6)
    assert target.competences == ("1.1", "2.1")
    assert set(target.skills) >= {"@adresseWeb1", "@adresseWeb2", "@adresseWeb3"}
    assert len(target.skills) == 4


def test_unknown_names_are_refused_by_name():
    with pytest.raises(InvalidInput) as err:
        domain.resolve_target(get_bank(), competences=["9.9"], tubes=["@nope"], skills=["@nope2"],
                              max_level=6)
    assert err.value.details == {"unknown": ["9.9", "@nope", "@nope2"]}


def part(status, target=10, settled=0, validated=0, code="1.1"):
    return domain.CompetenceProgress(code, status, target, settled, validated)


def test_progress_counts_settled_target_skills_and_reaches_100_only_when_completed():
    assert domain.competence_progress("1.1", "started", frozenset("abcd"), {"a", "b", "z"},
                                      {"a"}) == part("started", 4, 2, 1)
    assert domain.competence_progress("1.1", "completed", frozenset("abcd"), {"a"}, {"a"}) \
        == part("completed", 4, 4, 1)
    assert domain.progress_percent([part("started", 10, 10)]) == 99
    assert domain.progress_percent([part("completed", 10, 10), part("not_started", 10, 0)]) == 50
    assert domain.progress_percent([part("completed", 10, 10), part("completed", 5, 5)]) == 100
    assert not domain.is_finished([part("completed"), part("started")])


def test_mastery_is_the_share_of_target_skills_validated():
    assert domain.mastery_percent([part("completed", 10, 10, 7), part("completed", 10, 10, 0)]) == 35
    assert domain.mastery_percent([]) == 0


def row(n: int, **kw) -> domain.ResultRow:
    values = dict(last_name=f"Nom{n}", first_name="Léa", learner_id=f"{n:09d}AB", division="3A",
                  shared_at="01/12/2026", progress=100, mastery=72, total_pix=150, certifiable=True,
                  competences={"1.1": (20, 2), "2.1": (9, 1)})
    return domain.ResultRow(**{**values, **kw})


def test_the_first_page_has_the_bom_and_french_header_the_next_ones_only_lines():
    first = domain.csv_page([row(1)], domain.ASSESSMENT, ("1.1", "2.1"), "school", first_page=True)
    assert first.startswith("\ufeffNom;Prénom;INE;Classe;Date d'envoi;Progression (%);"
                            "Maîtrise du profil cible (%);Pix total;Certifiable;Niveau 1.1 ")
    assert first.endswith("Nom1;Léa;000000001AB;3A;01/12/2026;100;72;150;Oui;2;20;1;9\r\n")
    following = domain.csv_page([row(2)], domain.ASSESSMENT, ("1.1", "2.1"), "school",
                                first_page=False)
    assert following == "Nom2;Léa;000000002AB;3A;01/12/2026;100;72;150;Oui;2;20;1;9\r\n"


def test_profile_collections_and_students_have_their_own_columns():
    header = domain.csv_header(domain.PROFILE_COLLECTION, ("1.1",), "student")
    assert header[:4] == ["Nom", "Prénom", "Numéro étudiant", "Groupe"]
    assert "Maîtrise du profil cible (%)" not in header


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised():
    text = domain.csv_page([row(1, last_name="=HYPERLINK(\"x\")", first_name="+33", division="@a")],
                           domain.PROFILE_COLLECTION, (), None, first_page=False)
    cells = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert cells[:4] == ["'=HYPERLINK(\"x\")", "'+33", "000000001AB", "'@a"]


def test_six_thousand_participants_in_pages_make_one_file_each_page_far_below_6_mb():
    rows = [row(n, competences={c: (n % 64, n % 7) for c in
                                ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2",
                                 "3.3", "3.4", "4.1", "4.2", "4.3", "5.1", "5.2")})
            for n in range(6000)]
    competences = tuple(sorted(rows[0].competences))
    pages = [domain.csv_page(rows[i:i + 1000], domain.PROFILE_COLLECTION, competences, "school",
                             first_page=i == 0) for i in range(0, 6000, 1000)]
    assert max(len(p.encode("utf-8")) for p in pages) < 200_000   # vs Lambda's 6 MB
    parsed = list(csv.reader(io.StringIO("".join(pages).lstrip("\ufeff")), delimiter=";"))
    assert len(parsed) == 6001 and len({r[2] for r in parsed[1:]}) == 6000
    assert all(len(r) == len(parsed[0]) for r in parsed)

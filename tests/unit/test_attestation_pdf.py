"""The PDF attestation: one A4 page, French text that survives, a QR code of the URL."""
from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from chalicelib.documents import ISSUER_NAME
from chalicelib.documents.attestation_pdf import (
    FONT_DIR,
    QR_BORDER,
    QR_SCALE,
    TITLE,
    qr_code,
    range_text,
    render_attestation,
)
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.framework import COMPETENCES

VERIFY_URL = "https://certif.example.invalid/verification/P-B2C3D4F6"
LEVELS = {c.code: (i * 5) % 9 for i, c in enumerate(COMPETENCES)}  # 0..8, all present


def certificate(**changes) -> Certificate:
    cert = Certificate(
        certificate_id="c-123", verification_code="P-B2C3D4F6",
        first_name="Anaïs-Éloïse", last_name="Lefèvre-Cœurdroy", birth_date="1998-03-01",
        session_date="2026-06-15", centre_name="Lycée François-Mauriac — Bordeaux",
        global_score=547, level_label="Avancé 5", level=5, competence_levels=LEVELS,
        certification_version="v3", issued_at="2026-06-20T09:30:00+00:00",
        birth_place="Bordeaux")
    return dataclasses.replace(cert, **changes)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_attestation(certificate(), VERIFY_URL)


@pytest.fixture(scope="module")
def reader(pdf) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def text(reader) -> str:
    return reader.pages[0].extract_text()


def test_is_a_one_page_a4_pdf(pdf, reader):
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_title_holder_session_and_centre(text):
    assert TITLE in text
    assert "Anaïs-Éloïse LEFÈVRE-CŒURDROY" in text  # é, ï, È, Œ: beyond Latin-1
    assert "1er mars 1998" in text
    assert "15 juin 2026" in text
    assert "Lycée François-Mauriac — Bordeaux" in text


def test_birth_place_follows_the_birth_date_before_the_session(text):
    """The order a French school expects: name, birth date, birth place, then the session."""
    birth, place, session = (text.index(s) for s in ("Né(e) le", "1er mars 1998 à Bordeaux",
                                                      "15 juin 2026"))
    assert birth < place < session


def test_a_birth_place_given_as_a_code_says_it_is_one():
    text = PdfReader(io.BytesIO(render_attestation(certificate(birth_place="75056"), VERIFY_URL))
                     ).pages[0].extract_text()
    assert "75056 (code INSEE commune)" in " ".join(text.split())


def test_global_score_out_of_1024_and_level_label(text):
    assert "547" in text and "/ 1024" in text
    assert "Avancé 5" in text


def test_every_competence_with_its_level_grouped_by_area(text):
    lines = [line.strip() for line in text.splitlines()]
    for competence in COMPETENCES:
        row = next(line for line in lines if line.startswith(competence.code + " "))
        assert competence.title in row
        assert row.endswith(str(LEVELS[competence.code]))
    for area in ("1. Informations et données", "2. Communication et collaboration",
                 "3. Création de contenu", "4. Protection et sécurité",
                 "5. Environnement numérique"):
        assert area in lines
    # areas come in order, each before its competences
    assert lines.index("4. Protection et sécurité") < next(
        i for i, line in enumerate(lines) if line.startswith("4.1 "))


def test_version_verification_code_and_url(text):
    assert "v3" in text
    assert "Code de vérification" in text
    assert "P-B2C3D4F6" in text
    assert VERIFY_URL in text.replace("\n", "")
    assert "20 juin 2026" in text  # issued


def test_qr_code_image_is_the_segno_code_of_the_url(reader):
    images = reader.pages[0].images
    assert len(images) == 1
    picture = images[0].image.convert("L")
    expected = qr_code(VERIFY_URL)
    assert expected.designator.endswith("-M")  # error correction M
    size = expected.symbol_size(scale=QR_SCALE, border=QR_BORDER)
    assert picture.size == size
    for row_index, row in enumerate(expected.matrix):
        for col_index, dark in enumerate(row):
            x = (col_index + QR_BORDER) * QR_SCALE + QR_SCALE // 2
            y = (row_index + QR_BORDER) * QR_SCALE + QR_SCALE // 2
            assert (picture.getpixel((x, y)) < 128) == bool(dark), (row_index, col_index)


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
def test_qr_code_decodes_to_the_verify_url(reader, tmp_path):
    png = tmp_path / "qr.png"
    reader.pages[0].images[0].image.save(png)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True,
                             text=True, check=True, timeout=30).stdout.strip()
    assert decoded == VERIFY_URL


def test_metadata_is_french_with_title_and_author(reader):
    info = reader.metadata
    assert info.title == f"{TITLE} — Anaïs-Éloïse LEFÈVRE-CŒURDROY"
    assert info.author == ISSUER_NAME
    assert "P-B2C3D4F6" in info.subject
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_unicode_font_is_embedded_not_a_core_font(reader):
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names and all("DejaVu" in name for name in names)


def test_fonts_and_their_licence_ship_with_the_package():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (FONT_DIR / name).is_file()
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")


def test_same_certificate_renders_the_same_text_and_metadata():
    first = PdfReader(io.BytesIO(render_attestation(certificate(), VERIFY_URL)))
    second = PdfReader(io.BytesIO(render_attestation(certificate(), VERIFY_URL)))
    assert first.pages[0].extract_text() == second.pages[0].extract_text()
    assert first.metadata == second.metadata


def test_names_beyond_latin_1_and_decomposed_accents():
    cert = certificate(first_name="Łukasz", last_name="Nguyễn Œhlmann",
                       centre_name="Centre « Les Œillets » — salle n° 2")
    text = PdfReader(io.BytesIO(render_attestation(cert, VERIFY_URL))).pages[0].extract_text()
    assert "Łukasz NGUYỄN ŒHLMANN" in text
    assert "Centre « Les Œillets » — salle n° 2" in text
    decomposed = certificate(first_name="Zoe\u0301")  # e + combining acute
    text = PdfReader(io.BytesIO(render_attestation(decomposed, VERIFY_URL))).pages[0].extract_text()
    assert "Zoé" in text


def test_long_values_still_fit_on_one_page():
    cert = certificate(
        first_name="Marie-Charlotte-Geneviève",
        last_name="de La Rochefoucauld-Montmorency-Laval-Beauharnais",
        centre_name=("Centre de certification de l'Université Toulouse-Jean-Jaurès, Maison de "
                     "la recherche, bâtiment C, amphithéâtre Guy-Hoquet, 2e étage, aile ouest"),
        certification_version="2026-09-adaptatif-2PL-" + "x" * 80)
    long_url = VERIFY_URL + "?source=qr&lang=fr-FR&" + "p" * 150
    reader = PdfReader(io.BytesIO(render_attestation(cert, long_url)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Marie-Charlotte-Geneviève" in text
    assert "P-B2C3D4F6" in text


def test_out_of_range_levels_show_within_0_to_8_and_missing_ones_as_not_evaluated():
    cert = certificate(competence_levels={"1.1": 12, "1.2": -3, "1.3": 0})
    lines = [line.strip() for line in PdfReader(io.BytesIO(
        render_attestation(cert, VERIFY_URL))).pages[0].extract_text().splitlines()]
    assert next(line for line in lines if line.startswith("1.1 ")).endswith("8")
    assert next(line for line in lines if line.startswith("1.2 ")).endswith("0")
    assert next(line for line in lines if line.startswith("1.3 ")).endswith("0")   # measured 0
    # issue 22: a competence the test did not measure is « non évalué », never 0
    for code in ("2.1", "5.2"):
        row = next(line for line in lines if line.startswith(code + " "))
        assert row.endswith("non évalué") and not row.endswith("0")


def test_a_name_the_font_cannot_print_is_refused_not_left_blank():
    with pytest.raises(ValueError, match="王"):
        render_attestation(certificate(first_name="王小明"), VERIFY_URL)


def test_no_attestation_for_a_rejected_certificate():
    with pytest.raises(ValueError):
        render_attestation(certificate(status="rejected"), VERIFY_URL)


def test_competence_ranges_are_printed_with_a_french_explanation_on_one_page():
    """Issue 22: the 95% range of each competence level, on the attestation a
    pupil or a parent reads: "de 2 à 4" next to the level, a starred column
    and a note saying what it means; a competence not evaluated has none."""
    levels = {c: level for c, level in LEVELS.items() if c != "5.2"}
    ranges = {c: (max(0, level - 1), min(8, level + 2)) for c, level in levels.items()}
    ranges["3.4"] = (levels["3.4"], levels["3.4"])  # a range of one level prints that level
    cert = certificate(
        competence_levels=levels, competence_level_ranges=ranges,
        last_name="de La Rochefoucauld-Montmorency-Laval-Beauharnais",
        centre_name=("Centre de certification de l'Université Toulouse-Jean-Jaurès, Maison de "
                     "la recherche, bâtiment C, amphithéâtre Guy-Hoquet, 2e étage, aile ouest"))
    reader = PdfReader(io.BytesIO(render_attestation(cert, VERIFY_URL + "?" + "p" * 150)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines()]
    assert "Fourchette*" in text
    for code, level in levels.items():
        row = next(line for line in lines if line.startswith(code + " "))
        low, high = ranges[code]
        expected = f"{level} de {low} à {high}" if low != high else f"{level} {level}"
        assert row.endswith(expected), (row, expected)
    assert next(line for line in lines if line.startswith("5.2 ")).endswith("non évalué")
    note = " ".join(lines)
    assert "95 chances sur 100" in note and "niveau réel" in note
    assert "score global" in note.lower() and "certifié" in note


def test_a_certificate_without_ranges_prints_no_range_column():
    """Certificates issued before 2026.2 stored no ranges: no empty column, no note."""
    text = render_text(certificate())
    assert "Fourchette" not in text and "95 chances" not in text


def test_range_text_always_holds_the_printed_level():
    assert range_text((2, 4), 3) == "de 2 à 4"
    assert range_text((5, 5), 5) == "5"
    assert range_text((3, 9), 8) == "de 3 à 8"     # capped like the level
    assert range_text((4, 6), 3) == "de 3 à 6"     # a level outside its range widens it


def render_text(cert: Certificate) -> str:
    return PdfReader(io.BytesIO(render_attestation(cert, VERIFY_URL))).pages[0].extract_text()

"""The PDF attestation a certificate holder downloads: one A4 page, in French.

Made with fpdf2 and DejaVu Sans, shipped in `fonts/` (Lambda has no system
fonts, and fpdf2's core fonts are Latin-1 only: no "œ", "’", "—", "Ł"...).
The QR code (segno) encodes the public verification URL, printed below it.

`fpdf` and `segno` are imported inside `render_attestation`: importing fpdf2
(Pillow, fontTools) costs ~0.6 s, which only the cold starts that render a PDF
should pay. A render then takes ~40 ms and a few MB (see the tests).
"""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

from chalicelib.documents import FRAMEWORK_NAME, ISSUER_NAME
from chalicelib.domain.certificate import Certificate
from chalicelib.domain.certification.jury import NOT_EVALUATED
from chalicelib.domain.framework import AREAS, COMPETENCES, MAX_LEVEL, MAX_TOTAL_PIX

TITLE = "Attestation de certification des compétences numériques"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"

# QR code: error correction M (15 %) survives a folded or worn print-out;
# 10 pixels a module keeps the PNG sharp at the printed size.
QR_ERROR = "m"
QR_SCALE = 10
QR_BORDER = 4

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet",
          "août", "septembre", "octobre", "novembre", "décembre")

# Layout, in mm (A4 = 210 × 297).
MARGIN = 18.0
PAGE_W = 210.0
CONTENT_W = PAGE_W - 2 * MARGIN
ROW_H = 6.0
QR_SIZE = 36.0
RANGE_W = 24.0
RANGED_ROW_H = 5.6  # table rows when the ranges' note must fit under them

# The per-competence ranges, for a pupil or a parent: a level measured on 1-3
# questions is an estimate, and the certificate says how far it may be off.
RANGE_HEADER = "Fourchette*"
RANGE_NOTE = (
    "* Chaque compétence n'est mesurée que par quelques questions : son niveau est une estimation, "
    "et le niveau réel se situe dans la fourchette avec 95 chances sur 100. Le score global, "
    "mesuré sur toutes les questions, est plus précis : c'est lui qui est certifié.")

INK = (33, 37, 41)
MUTED = (100, 108, 118)
ACCENT = (31, 64, 143)
AREA_FILL = (228, 234, 247)
HEADER_FILL = (243, 245, 248)
GAUGE_EMPTY = (214, 219, 226)


def render_attestation(cert: Certificate, verify_url: str) -> bytes:
    """The attestation of a validated certificate, as PDF bytes (one A4 page).

    A competence absent from `cert.competence_levels` (all its answers
    neutralised, or none served) prints « non évalué », never level 0.
    Raises ValueError for a certificate not validated, or whose texts hold
    characters the font cannot print (say a name in Chinese script): a blank
    or garbled name must not reach a certificate.
    """
    if cert.status != "validated":
        raise ValueError(f"no attestation for a certificate in status {cert.status!r}")
    pdf = _document()
    _check_printable(pdf, cert)
    _metadata(pdf, cert)
    _attestation_page(pdf, cert, verify_url)
    return bytes(pdf.output())


def render_attestations(certs: list[Certificate], verify_url_of, title: str) -> bytes:
    """Several attestations in one PDF, one page each, in the given order (a
    school prints a whole class at once). `verify_url_of(code)` gives each
    page's QR code target. Raises ValueError as `render_attestation` does, for
    the first certificate that cannot be printed, before drawing anything."""
    pdf = _document()
    for cert in certs:
        if cert.status != "validated":
            raise ValueError(f"no attestation for a certificate in status {cert.status!r}")
        _check_printable(pdf, cert)
    pdf.set_title(title)
    pdf.set_author(ISSUER_NAME)
    pdf.set_creator(ISSUER_NAME)
    pdf.set_lang("fr-FR")
    for cert in certs:
        _attestation_page(pdf, cert, verify_url_of(cert.verification_code))
    return bytes(pdf.output())


def _document():
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, 15, MARGIN)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return pdf


def _attestation_page(pdf, cert: Certificate, verify_url: str) -> None:
    page = pdf.page_no() + 1
    pdf.add_page()
    _header(pdf)
    y = _holder_and_score(pdf, cert, top=40)
    y = _competence_table(pdf, cert, top=y + 7)
    _verification(pdf, cert, verify_url, top=y + 7)
    _footer(pdf, top=max(pdf.get_y() + 3, 281))
    if pdf.page_no() != page or pdf.get_y() > 297 - 5:  # a layout bug, not bad input
        raise RuntimeError("the attestation must fit on one page")


# --- document parts ---------------------------------------------------------

def _check_printable(pdf, cert: Certificate) -> None:
    texts = (cert.first_name, cert.last_name, cert.centre_name, cert.level_label,
             cert.certification_version, cert.verification_code)
    faces = [font.cmap for font in pdf.fonts.values()]
    missing = sorted({ch for text in texts for ch in _clean(text).upper() + _clean(text)
                      if not all(ord(ch) in cmap for cmap in faces)})
    if missing:
        raise ValueError(f"characters the attestation font cannot print: {''.join(missing)!r}")


def _metadata(pdf, cert: Certificate) -> None:
    pdf.set_title(f"{TITLE} — {_holder_name(cert)}")
    pdf.set_author(ISSUER_NAME)
    pdf.set_subject(f"{FRAMEWORK_NAME} — code de vérification {cert.verification_code}")
    pdf.set_keywords(["certification", "compétences numériques", "CRCN",
                      cert.verification_code])
    pdf.set_creator(ISSUER_NAME)
    pdf.set_lang("fr-FR")
    issued = _parse_datetime(cert.issued_at)
    if issued:  # the same certificate renders to the same metadata
        pdf.set_creation_date(issued)


def _header(pdf) -> None:
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, PAGE_W, 6, style="F")
    pdf.set_xy(MARGIN, 12)
    _font(pdf, 8.5, color=MUTED)
    pdf.cell(CONTENT_W, 5, f"{ISSUER_NAME} · {FRAMEWORK_NAME}", align="C")
    pdf.set_xy(MARGIN, 20)
    _font(pdf, _fitting_size(pdf, TITLE, CONTENT_W, 16, bold=True), bold=True, color=ACCENT)
    pdf.cell(CONTENT_W, 9, TITLE, align="C")
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN + 50, 32, PAGE_W - MARGIN - 50, 32)


def _holder_and_score(pdf, cert: Certificate, top: float) -> float:
    left_w = CONTENT_W - 66
    pdf.set_xy(MARGIN, top)
    _font(pdf, 9, color=MUTED)
    pdf.cell(left_w, 5, "Décernée à")
    name = _holder_name(cert)
    size = _fitting_size(pdf, name, left_w, 15, bold=True, smallest=11.5)
    _font(pdf, size, bold=True)
    lines = _two_lines(pdf, name, left_w)
    for i, line in enumerate(lines):
        pdf.set_xy(MARGIN, top + 5 + i * 6)
        pdf.cell(left_w, 8 if len(lines) == 1 else 6, line)

    rows = (
        # one line, as French certificates write it: "né(e) le … à …"
        ("Né(e) le", f"{_french_date(cert.birth_date)} à {_birth_place(cert.birth_place)}"),
        ("Date de la session", _french_date(cert.session_date)),
        ("Centre de certification", _clean(cert.centre_name)),
    )
    y = top + 15 + (len(lines) - 1) * 5
    for label, value in rows:
        pdf.set_xy(MARGIN, y)
        _font(pdf, 9, color=MUTED)
        pdf.cell(42, 6, label)
        y = _value(pdf, value, MARGIN + 42, y, left_w - 42) + 0.5

    # The score box, on the right.
    box_x, box_w, box_h = PAGE_W - MARGIN - 62, 62, 36
    pdf.set_fill_color(*AREA_FILL)
    pdf.rect(box_x, top, box_w, box_h, style="F", round_corners=True, corner_radius=3)
    pdf.set_xy(box_x, top + 3)
    _font(pdf, 9, color=MUTED)
    pdf.cell(box_w, 5, "Score global", align="C")
    score, out_of = str(cert.global_score), f" / {MAX_TOTAL_PIX}"
    _font(pdf, 24, bold=True)
    score_w = pdf.get_string_width(score)
    _font(pdf, 12)
    x = box_x + (box_w - score_w - pdf.get_string_width(out_of)) / 2
    baseline = top + 19
    _font(pdf, 24, bold=True, color=ACCENT)
    pdf.text(x, baseline, score)
    _font(pdf, 12, color=ACCENT)
    pdf.text(x + score_w, baseline, out_of)
    pdf.set_xy(box_x, top + 23)
    _font(pdf, 9, color=MUTED)
    pdf.cell(box_w, 5, "Niveau", align="C")
    pdf.set_xy(box_x, top + 28)
    _font(pdf, 11.5, bold=True)
    pdf.cell(box_w, 6, _ellipsis(pdf, cert.level_label, box_w - 4), align="C")
    return max(y, top + box_h)


def _competence_table(pdf, cert: Certificate, top: float) -> float:
    """Every competence with its level and, when the certificate states it
    (versions from 2026.2), its 95% range "de 2 à 4" in a column of its own,
    explained by the note under the table (`RANGE_NOTE`)."""
    ranged = any(cert.level_range(c.code) for c in COMPETENCES)
    code_w, level_w, gauge_w = 12.0, 14.0, 8 * 3.4 + 3
    range_w = RANGE_W if ranged else 0.0
    row_h = RANGED_ROW_H if ranged else ROW_H  # the note's room
    title_w = CONTENT_W - code_w - level_w - gauge_w - range_w
    pdf.set_draw_color(*GAUGE_EMPTY)
    pdf.set_line_width(0.2)

    pdf.set_xy(MARGIN, top)
    pdf.set_fill_color(*HEADER_FILL)
    _font(pdf, 8.5, bold=True, color=MUTED)
    pdf.cell(code_w + title_w, row_h, "  Compétence", fill=True)
    pdf.cell(level_w + gauge_w, row_h, f"Niveau (0 à {MAX_LEVEL})  ", fill=True, align="R")
    if ranged:
        pdf.cell(range_w, row_h, RANGE_HEADER, fill=True, align="C")
    y = top + row_h

    for area in AREAS:
        pdf.set_xy(MARGIN, y)
        pdf.set_fill_color(*AREA_FILL)
        _font(pdf, 9.5, bold=True, color=ACCENT)
        pdf.cell(CONTENT_W, row_h, f"  {area.code}. {area.title}", fill=True)
        y += row_h
        for competence in (c for c in COMPETENCES if c.area_code == area.code):
            measured = cert.level_of(competence.code)
            pdf.set_xy(MARGIN, y)
            _font(pdf, 9, color=MUTED)
            pdf.cell(code_w, row_h, f"  {competence.code}")
            _font(pdf, 9.5)
            pdf.cell(title_w, row_h, _ellipsis(pdf, competence.title, title_w))
            if measured is None:
                _font(pdf, 9, color=MUTED)
                pdf.cell(level_w + gauge_w, row_h, f"{NOT_EVALUATED}  ", align="R")
            else:
                level = max(0, min(measured, MAX_LEVEL))
                _font(pdf, 10, bold=True)
                pdf.cell(level_w, row_h, str(level), align="R")
                _gauge(pdf, MARGIN + code_w + title_w + level_w + 3, y + (row_h - 2.8) / 2 + 0.1, level)
                bounds = cert.level_range(competence.code)
                if bounds is not None:
                    pdf.set_xy(MARGIN + code_w + title_w + level_w + gauge_w, y)
                    _font(pdf, 9, color=MUTED)
                    pdf.cell(range_w, row_h, range_text(bounds, level), align="C")
            pdf.line(MARGIN, y + row_h, MARGIN + CONTENT_W, y + row_h)
            y += row_h
    if ranged:
        pdf.set_xy(MARGIN, y + 1)
        _font(pdf, 7.5, color=MUTED)
        pdf.multi_cell(CONTENT_W, 3.4, RANGE_NOTE, align="L")
        y = pdf.get_y()
    return y


def range_text(bounds: tuple[int, int], level: int) -> str:
    """"de 2 à 4" (always holding the printed level), or "4" when the range is
    that level alone."""
    low = max(0, min(bounds[0], level, MAX_LEVEL))
    high = min(MAX_LEVEL, max(bounds[1], level, 0))
    return str(level) if low == high else f"de {low} à {high}"


def _gauge(pdf, x: float, y: float, level: int) -> None:
    """Eight squares, `level` of them filled: the level at a glance."""
    for i in range(MAX_LEVEL):
        pdf.set_fill_color(*(ACCENT if i < level else GAUGE_EMPTY))
        pdf.rect(x + i * 3.4, y, 2.8, 2.8, style="F")


def _verification(pdf, cert: Certificate, verify_url: str, top: float) -> None:
    qr_x = PAGE_W - MARGIN - QR_SIZE
    text_w = qr_x - MARGIN - 6
    rows = (
        ("Version de la certification", _clean(cert.certification_version) or "—"),
        ("Délivrée le", _french_date(cert.issued_at) if cert.issued_at else "—"),
    )
    y = top
    for label, value in rows:
        pdf.set_xy(MARGIN, y)
        _font(pdf, 9, color=MUTED)
        pdf.cell(50, 6, label)
        y = _value(pdf, value, MARGIN + 50, y, text_w - 50, size=10) + 0.5
    pdf.set_xy(MARGIN, y)
    _font(pdf, 9, color=MUTED)
    pdf.cell(50, 9, "Code de vérification")
    _font(pdf, 16, bold=True, color=ACCENT)
    pdf.cell(text_w - 50, 9, cert.verification_code)
    pdf.set_xy(MARGIN, y + 11)
    _font(pdf, 8.5, color=MUTED)
    pdf.multi_cell(text_w, 4.2, (
        "Vérifiez l'authenticité de cette attestation en ligne, sans compte : "
        "scannez le QR code ou ouvrez l'adresse ci-dessous."), align="L")

    pdf.image(io.BytesIO(_qr_png(verify_url)), x=qr_x, y=top, w=QR_SIZE, h=QR_SIZE,
              alt_text="QR code de vérification")
    pdf.set_xy(MARGIN, max(top + QR_SIZE, pdf.get_y()) + 1.5)
    _font(pdf, 8, color=ACCENT)
    pdf.multi_cell(CONTENT_W, 3.8, verify_url, align="R", wrapmode="CHAR", link=verify_url)


def _footer(pdf, top: float) -> None:
    pdf.set_xy(MARGIN, top)
    _font(pdf, 7, color=MUTED)
    pdf.multi_cell(CONTENT_W, 3.3, (
        f"Le score global (sur {MAX_TOTAL_PIX}) et les niveaux par compétence "
        f"(de 0 à {MAX_LEVEL}) sont "
        f"établis selon le {FRAMEWORK_NAME}. Ce document ne comporte aucune "
        "signature manuscrite : seule la vérification en ligne fait foi."), align="C")


# --- small pieces -----------------------------------------------------------

def _value(pdf, text: str, x: float, y: float, width: float, *, size: float = 10.5) -> float:
    """A value on one line, else smaller on at most two; returns the y below it."""
    _font(pdf, size)
    if pdf.get_string_width(text) > width - 1:
        _font(pdf, size - 1.5)
    lines = _two_lines(pdf, text, width)
    height = 6 if len(lines) == 1 else 5
    for i, line in enumerate(lines):
        pdf.set_xy(x, y + i * height)
        pdf.cell(width, height, line)
    return y + len(lines) * height


def _two_lines(pdf, text: str, width: float) -> list[str]:
    """`text` wrapped in the current font on at most two lines, cut with "…"."""
    if pdf.get_string_width(text) <= width - 1:
        return [text]
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES") or [""]
    if len(lines) <= 1:
        return lines
    return [lines[0], _ellipsis(pdf, " ".join(line.strip() for line in lines[1:]), width)]


def _qr_png(url: str) -> bytes:
    """The verification QR code as a PNG, in memory."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def qr_code(url: str):
    """The segno QR code printed on the attestation (tests compare against it)."""
    import segno

    return segno.make_qr(url, error=QR_ERROR, boost_error=False)


def _font(pdf, size: float, *, bold: bool = False, color=INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)


def _fitting_size(pdf, text: str, width: float, size: float, *, bold: bool = False,
                  smallest: float = 9) -> float:
    """The largest font size ≤ `size` (by half points) at which `text` fits."""
    while size > smallest:
        pdf.set_font(FONT, "B" if bold else "", size)
        if pdf.get_string_width(text) <= width - 1:
            break
        size -= 0.5
    return size


def _ellipsis(pdf, text: str, width: float) -> str:
    """`text` cut with "…" so that it fits `width` in the current font."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _clean(text: str) -> str:
    """NFC (fpdf2 does not compose combining accents) and no control characters."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()


def _birth_place(value: str) -> str:
    """As a French certificate names it, after the birth date: the commune (or
    country) as enrolled; a bare code is said to be one (no commune table here)."""
    value = _clean(value or "")
    if not value:
        return "(lieu non renseigné)"
    if re.fullmatch(r"(?:[0-9]{5}|2[AB][0-9]{3})", value):
        return f"{value} (code INSEE {'pays' if value.startswith('99') else 'commune'})"
    return value


def _holder_name(cert: Certificate) -> str:
    return f"{_clean(cert.first_name)} {_clean(cert.last_name).upper()}".strip()


def _french_date(value: str) -> str:
    """"2026-06-15" or an ISO datetime → "15 juin 2026"; anything else as given."""
    parsed = _parse_datetime(value)
    if parsed is None:
        return _clean(value)
    day = "1er" if parsed.day == 1 else str(parsed.day)
    return f"{day} {MONTHS[parsed.month - 1]} {parsed.year}"


def _parse_datetime(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

"""The credentials sheet a school prints after creating pupils' accounts: A4
pages of slips to cut, one per pupil (name, class, username, temporary
password, where to sign in).

The passwords exist only in the answer that created the accounts; the page
sends them back here to be laid out and nothing keeps them. fpdf2 and the
DejaVu fonts of the attestation (`attestation_pdf`), imported inside
`render_slips` so only the requests that print pay for the import.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from chalicelib.documents.attestation_pdf import FONT, FONT_DIR, INK, MUTED, ACCENT

TITLE = "Identifiants de connexion"
COLUMNS, ROWS = 2, 5              # 10 slips an A4 page
MARGIN = 10.0
SLIP_W = (210.0 - 2 * MARGIN) / COLUMNS
SLIP_H = (297.0 - 2 * MARGIN) / ROWS
PAD = 5.0


@dataclass(frozen=True)
class Slip:
    first_name: str
    last_name: str
    division: str
    username: str
    temporary_password: str


def render_slips(org_name: str, sign_in_url: str, slips: list[Slip]) -> bytes:
    """PDF bytes, slips in the given order. Raises ValueError when a text holds
    characters the font cannot print (a slip with a blank name would reach the
    wrong pupil)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    _check_printable(pdf, [org_name] + [t for s in slips for t in (s.first_name, s.last_name, s.division)])
    pdf.set_title(f"{TITLE} — {_clean(org_name)}")
    pdf.set_lang("fr-FR")
    per_page = COLUMNS * ROWS
    for index, slip in enumerate(slips):
        if index % per_page == 0:
            pdf.add_page()
            _cut_lines(pdf)
        cell = index % per_page
        _slip(pdf, MARGIN + (cell % COLUMNS) * SLIP_W, MARGIN + (cell // COLUMNS) * SLIP_H,
              _clean(org_name), sign_in_url, slip)
    return bytes(pdf.output())


def _cut_lines(pdf) -> None:
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)
    for c in range(COLUMNS + 1):
        pdf.line(MARGIN + c * SLIP_W, MARGIN, MARGIN + c * SLIP_W, 297 - MARGIN)
    for r in range(ROWS + 1):
        pdf.line(MARGIN, MARGIN + r * SLIP_H, 210 - MARGIN, MARGIN + r * SLIP_H)
    pdf.set_dash_pattern()


def _slip(pdf, x: float, y: float, org_name: str, url: str, slip: Slip) -> None:
    width = SLIP_W - 2 * PAD
    name = f"{_clean(slip.first_name)} {_clean(slip.last_name).upper()}".strip()
    rows = [
        (org_name, 8, False, MUTED),
        (f"{name} · {_clean(slip.division)}" if slip.division else name, 11, True, INK),
        ("Identifiant :", 8, False, MUTED),
        (slip.username, 12, True, ACCENT),
        ("Mot de passe temporaire :", 8, False, MUTED),
        (slip.temporary_password, 12, True, ACCENT),
        (f"Se connecter sur : {url}", 8, False, INK),
        ("Gardez ce papier pour vous : ne le prêtez à personne.", 7.5, False, MUTED),
    ]
    top = y + PAD
    for text, size, bold, color in rows:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*color)
        while size > 6 and pdf.get_string_width(text) > width:
            size -= 0.5
            pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_xy(x + PAD, top)
        pdf.cell(width, size * 0.45, text)
        top += size * 0.45 + 1.6


def _check_printable(pdf, texts: list[str]) -> None:
    faces = [font.cmap for font in pdf.fonts.values()]
    missing = sorted({ch for text in texts for ch in _clean(text) + _clean(text).upper()
                      if not all(ord(ch) in cmap for cmap in faces)})
    if missing:
        raise ValueError(f"characters the slip font cannot print: {''.join(missing)!r}")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()

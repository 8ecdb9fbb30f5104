"""The invigilator kit a centre prints right after creating a session: the
session number and invigilator password (to open the invigilation screen), the
candidates' access code, the instructions, and the list each candidate signs.

The password exists in clear only in the answer that created the session; the
centre's page sends it back here (checked against the stored hash) to be laid
out, and nothing keeps it. Same fpdf2 and DejaVu fonts as the attestation,
imported inside `render_kit` so only the requests that print pay for it.
"""
from __future__ import annotations

from chalicelib.documents.attestation_pdf import ACCENT, FONT, FONT_DIR, INK, MUTED
from chalicelib.documents.credentials_pdf import _check_printable, _clean

TITLE = "Kit du surveillant"
INSTRUCTIONS = (
    "Connectez-vous à l'espace surveillant ({url}) avec le numéro de session et le mot de passe ci-dessus.",
    "Vérifiez l'identité de chaque candidat et faites signer la liste ci-dessous.",
    "Écrivez le code d'accès au tableau : chaque candidat le saisit sur la page « Certification ».",
    "Autorisez chaque candidat à commencer depuis l'espace surveillant ; signalez tout incident.",
    "À la fin, terminez les tests restants et remettez la liste signée au centre pour la finalisation.",
)


def render_kit(centre_name: str, session: dict, password: str, candidates: list[dict],
               invigilation_url: str) -> bytes:
    """PDF bytes. Raises ValueError when a name holds characters the font
    cannot print (the signing list must name each candidate exactly)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    _check_printable(pdf, [centre_name, session["room"], session["examiner"], session["address"]]
                     + [t for c in candidates for t in (c["first_name"], c["last_name"])])
    pdf.set_title(f"{TITLE} — {_clean(centre_name)}")
    pdf.set_lang("fr-FR")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    _line(pdf, TITLE, 18, True, ACCENT)
    _line(pdf, _clean(centre_name), 11, False, MUTED)
    pdf.ln(3)
    day = "/".join(reversed(session["date"].split("-")))
    for label, value, strong in (
            ("Session", f"{day} à {session['time']}, salle {_clean(session['room'])}", False),
            ("Adresse", _clean(session["address"]), False),
            ("Surveillant(e)", _clean(session["examiner"]), False),
            ("Numéro de session", session.get("session_number") or session["session_id"], True),
            ("Mot de passe surveillant", password, True),
            ("Code d'accès des candidats", session["access_code"], True)):
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(60, 7, label)
        pdf.set_font(FONT, "B" if strong else "", 13 if strong else 10)
        pdf.set_text_color(*(ACCENT if strong else INK))
        pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _line(pdf, "Consignes", 12, True, INK)
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(*INK)
    for number, text in enumerate(INSTRUCTIONS, 1):
        pdf.multi_cell(0, 5.5, f"{number}. {text.format(url=invigilation_url)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _line(pdf, f"Liste d'émargement ({len(candidates)} candidat{'s' if len(candidates) > 1 else ''})", 12, True, INK)
    widths = (55, 50, 30, 55)
    _row(pdf, widths, ("Nom", "Prénom", "Naissance", "Signature"), True)
    for c in candidates:
        birth = "/".join(reversed(c["birth_date"].split("-")))
        _row(pdf, widths, (_clean(c["last_name"]).upper(), _clean(c["first_name"]), birth, ""), False)
    return bytes(pdf.output())


def _line(pdf, text: str, size: float, bold: bool, color) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")


def _row(pdf, widths, cells, header: bool) -> None:
    pdf.set_font(FONT, "B" if header else "", 9)
    pdf.set_text_color(*INK)
    height = 7 if header else 11
    for width, text in zip(widths, cells):
        pdf.cell(width, height, text, border=1)
    pdf.ln(height)

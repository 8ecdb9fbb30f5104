"""Builds the illustrations and attachments of `item_bank/assets/`.

The files are generated, not drawn by hand, so that a reviewer can read in
one place what each picture and document holds (the data an item's answer
is computed from) and rebuild them byte for byte: `.venv/bin/python
scripts/item_assets.py` rewrites every file; `--check` fails when a file on
disk differs from what this script builds (run by tests/unit/test_item_files.py).

Formats: SVG as text; PNG with Pillow; CSV as UTF-8 with `;` separators and
decimal commas (what a French spreadsheet writes); ODS and DOCX as their
standard zip of XML parts (OpenDocument 1.2, Office Open XML), written with
fixed timestamps; PDF with fpdf2 and a fixed creation date. File names
describe the document, never the answer; candidates never see them anyway
(served under a hash of the bytes, see chalicelib/bank/assets.py).
"""
from __future__ import annotations

import argparse
import io
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "item_bank" / "assets"
FIXED = (2026, 11, 2, 9, 0, 0)

# ----------------------------------------------------------------- data sets

SALES_HEADER = ["Date", "Vendeur", "Rayon", "Montant"]
SALES = [
    ("2026-03-02", "Inès", "Jardin", "120,50"), ("2026-03-02", "Marc", "Bricolage", "89,90"),
    ("2026-03-03", "Zoé", "Jardin", "45,00"), ("2026-03-03", "Inès", "Cuisine", "230,00"),
    ("2026-03-04", "Paul", "Bricolage", "310,20"), ("2026-03-04", "Marc", "Jardin", "64,00"),
    ("2026-03-05", "Zoé", "Cuisine", "175,40"), ("2026-03-05", "Paul", "Jardin", "98,00"),
    ("2026-03-06", "Inès", "Bricolage", "54,30"), ("2026-03-06", "Marc", "Cuisine", "410,00"),
    ("2026-03-09", "Zoé", "Bricolage", "27,80"), ("2026-03-09", "Paul", "Cuisine", "142,00"),
    ("2026-03-10", "Inès", "Jardin", "76,20"), ("2026-03-10", "Marc", "Bricolage", "199,00"),
    ("2026-03-11", "Zoé", "Jardin", "133,00"), ("2026-03-11", "Paul", "Jardin", "58,60"),
    ("2026-03-12", "Inès", "Cuisine", "96,00"), ("2026-03-12", "Marc", "Jardin", "250,00"),
    ("2026-03-13", "Zoé", "Cuisine", "61,50"), ("2026-03-13", "Paul", "Bricolage", "88,00"),
]

MEMBERS_HEADER = ["Nom", "Prénom", "Ville", "Naissance", "Cotisation"]
MEMBERS = [
    ("Martin", "Léa", "Lyon", 2004, 45), ("Bernard", "Hugo", "Villeurbanne", 1998, 60),
    ("Petit", "Chloé", "Lyon", 2001, 45), ("Durand", "Nathan", "Bron", 1987, 60),
    ("Leroy", "Manon", "Lyon", 1995, 60), ("Moreau", "Lucas", "Vénissieux", 2006, 30),
    ("Simon", "Camille", "Lyon", 2003, 45), ("Laurent", "Enzo", "Villeurbanne", 2002, 45),
    ("Lefebvre", "Jade", "Bron", 2007, 30), ("Michel", "Louis", "Lyon", 1979, 60),
    ("Garcia", "Emma", "Lyon", 2000, 45), ("David", "Tom", "Vénissieux", 1991, 60),
    ("Bertrand", "Alice", "Lyon", 2005, 30), ("Roux", "Théo", "Villeurbanne", 1984, 60),
    ("Vincent", "Sarah", "Bron", 1999, 60), ("Fournier", "Noah", "Lyon", 2002, 45),
]

TEMPS_HEADER = ["Station", "Mois", "Température moyenne (°C)", "Précipitations (mm)"]
TEMPS = [
    ("Brest", "janvier", "7,4", "129"), ("Brest", "avril", "10,3", "69"), ("Brest", "juillet", "16,9", "54"),
    ("Brest", "octobre", "12,8", "113"), ("Lyon", "janvier", "3,6", "47"), ("Lyon", "avril", "11,8", "74"),
    ("Lyon", "juillet", "22,6", "64"), ("Lyon", "octobre", "13,1", "99"), ("Nice", "janvier", "9,3", "69"),
    ("Nice", "avril", "13,9", "65"), ("Nice", "juillet", "24,2", "11"), ("Nice", "octobre", "18,6", "128"),
    ("Strasbourg", "janvier", "1,9", "33"), ("Strasbourg", "avril", "10,6", "47"),
    ("Strasbourg", "juillet", "20,2", "70"), ("Strasbourg", "octobre", "10,7", "52"),
]

CONTACTS_HEADER = ["Courriel", "Nom", "Commune"]
CONTACTS = [
    ("a.martin@exemple.fr", "Anne Martin", "Rennes"), ("b.leroy@exemple.fr", "Bruno Leroy", "Vitré"),
    ("c.petit@exemple.fr", "Carla Petit", "Rennes"), ("A.Martin@exemple.fr", "Anne Martin", "Rennes"),
    ("d.roux@exemple.fr", "Denis Roux", "Fougères"), ("e.simon@exemple.fr", "Eva Simon", "Rennes"),
    ("b.leroy@exemple.fr", "Bruno Leroy", "Vitré"), ("f.garcia@exemple.fr", "Farid Garcia", "Redon"),
    ("g.moreau@exemple.fr", "Gaëlle Moreau", "Rennes"), ("c.petit@exemple.fr ", "Carla Petit", "Rennes"),
    ("h.david@exemple.fr", "Hélène David", "Vitré"), ("i.blanc@exemple.fr", "Ivan Blanc", "Rennes"),
]

# c13-trier-2b: the file order is not the answer's order; sorting on the first
# name instead of the name, or from Z to A, gives one of the distractors.
WORKSHOP_HEADER = ["Nom", "Prénom", "Atelier"]
WORKSHOP = [
    ("Martin", "Léo", "Photo"), ("Bernard", "Inès", "Théâtre"), ("Petit", "Jules", "Photo"),
    ("Durand", "Lina", "Chorale"), ("Caron", "Adam", "Théâtre"), ("Fabre", "Hugo", "Chorale"),
    ("Leroy", "Zoé", "Photo"), ("Noël", "Maëlys", "Théâtre"),
]

# c33-interop-7b: an American export, dates month/day/year; the first reads
# 4 March in the US and 3 April in a French spreadsheet; 03/25 cannot be a
# French date and stays text, which betrays the problem.
BOOKINGS_HEADER = ["Booking", "Date", "Guests"]
BOOKINGS = [("B-1041", "03/04/2026", "2"), ("B-1042", "03/12/2026", "4"), ("B-1043", "03/25/2026", "3")]


def csv_text(header, rows) -> bytes:
    lines = [";".join(header)] + [";".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# ----------------------------------------------------------------- zips

def _zip(parts: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for k, (name, data) in enumerate(parts):
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_STORED if (stored_first and k == 0) else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def ods(sheet: str, header, rows, formulas: dict[tuple[int, int], str] | None = None) -> bytes:
    """A one-sheet OpenDocument spreadsheet; `formulas` maps (row, col), 0-based
    below the header, to an OpenFormula (`of:=[.B2]*[.$F$1]`)."""
    formulas = formulas or {}
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"')

    def cell(value, formula=None):
        f = f' table:formula="{escape(formula)}"' if formula else ""
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}"{f}>'
                    f'<text:p>{str(value).replace(".", ",")}</text:p></table:table-cell>')
        return f'<table:table-cell office:value-type="string"{f}><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "<table:table-row>" + "".join(cell(h) for h in header) + "</table:table-row>"
    for r, row in enumerate(rows):
        body += "<table:table-row>" + "".join(cell(v, formulas.get((r, c))) for c, v in enumerate(row)) \
                + "</table:table-row>"
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
               f'<office:spreadsheet><table:table table:name="{escape(sheet)}">'
               f'<table:table-column table:number-columns-repeated="{len(header)}"/>{body}</table:table>'
               f'</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    return _zip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                 ("content.xml", content.encode()), ("META-INF/manifest.xml", manifest.encode())],
                stored_first=True)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _para(text: str, style: str | None = None, bold=False, size=None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    rpr = ""
    if bold or size:
        rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx(paragraphs: list[str], *, author: str = "Secrétariat", header: str | None = None,
         footer: str | None = None, title: str = "") -> bytes:
    """A Word document whose paragraphs are `_para(...)` XML; styles Titre1,
    Titre2, Titre3 (French names, based on the built-in heading levels, so a
    table of contents picks them up) and Normal."""
    def style(sid, name, level=None, size=None):
        outline = f'<w:pPr><w:outlineLvl w:val="{level}"/></w:pPr>' if level is not None else ""
        rpr = f'<w:rPr><w:b/><w:sz w:val="{size}"/></w:rPr>' if size else ""
        return (f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/>'
                f'<w:basedOn w:val="Normal"/><w:qFormat/>{outline}{rpr}</w:style>')
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}>'
              '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              + style("Titre1", "heading 1", 0, 32) + style("Titre2", "heading 2", 1, 28)
              + style("Titre3", "heading 3", 2, 24) + style("Titre", "Title", None, 40)
              + "</w:styles>")
    rels, sect, extra, types = [], "", [], []
    if header:
        rels.append('<Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/header" Target="header1.xml"/>')
        sect += '<w:headerReference w:type="default" r:id="rIdH"/>'
        extra.append(("word/header1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      f'<w:hdr {W} {R}>{_para(header)}</w:hdr>'))
        types.append('<Override PartName="/word/header1.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>')
    if footer:
        rels.append('<Relationship Id="rIdF" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/footer" Target="footer1.xml"/>')
        sect += '<w:footerReference w:type="default" r:id="rIdF"/>'
        extra.append(("word/footer1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      f'<w:ftr {W} {R}>{_para(footer)}</w:ftr>'))
        types.append('<Override PartName="/word/footer1.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W} {R}><w:body>'
                + "".join(paragraphs) + f'<w:sectPr>{sect}<w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
                + '</w:body></w:document>')
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/styles" Target="styles.xml"/>' + "".join(rels) + "</Relationships>")
    content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types '
                     'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/word/document.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                     '<Override PartName="/word/styles.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
                     '<Override PartName="/docProps/core.xml" ContentType="application/'
                     'vnd.openxmlformats-package.core-properties+xml"/>' + "".join(types) + "</Types>")
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/officeDocument" Target="word/document.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                 'metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{escape(title)}</dc:title><dc:creator>{escape(author)}</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-02T09:00:00Z</dcterms:created>'
            '</cp:coreProperties>')
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels),
             ("word/document.xml", document), ("word/styles.xml", styles),
             ("word/_rels/document.xml.rels", doc_rels), ("docProps/core.xml", core), *extra]
    return _zip([(n, d.encode()) for n, d in parts])


# ----------------------------------------------------------------- PDF

def pdf(pages: list[list[str]], *, title: str, fmt: str = "A4") -> bytes:
    """One list of lines per page; the first line of a page is its heading."""
    import warnings

    from fpdf import FPDF

    with warnings.catch_warnings():  # fpdf2 notes that its A5 size was corrected in 2.8.5
        warnings.simplefilter("ignore", UserWarning)
        doc = FPDF(format=fmt)
    doc.set_creation_date(datetime(*FIXED, tzinfo=timezone.utc))
    doc.set_title(title)
    doc.set_author("Service communication")
    doc.set_lang("fr-FR")
    for lines in pages:
        doc.add_page()
        doc.set_font("helvetica", "B", 16)
        doc.multi_cell(0, 10, lines[0], new_x="LMARGIN", new_y="NEXT")
        doc.set_font("helvetica", "", 11)
        for line in lines[1:]:
            doc.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
            doc.ln(2)
    return bytes(doc.output())


# ----------------------------------------------------------------- SVG helpers

def svg(width: int, height: int, body: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="14">'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>\n').encode()


def t(x, y, text, size=14, weight="normal", fill="#1e1e1e", anchor="start", family=None) -> str:
    fam = f' font-family="{family}"' if family else ""
    return (f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="{anchor}"{fam}>{escape(text)}</text>')


def box(x, y, w, h, fill="#ffffff", stroke="#6a6a6a", rx=4) -> str:
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{rx}" fill="{fill}" stroke="{stroke}"/>'


def browser(width, height, url, inner) -> bytes:
    return svg(width, height, box(0, 0, width, height, "#f6f6f6", "#9a9a9a", 6)
               + box(12, 10, width - 24, 30, "#ffffff", "#9a9a9a", 15)
               + t(30, 30, url, 13, fill="#333333") + inner)


def results_page(query, results, width=760) -> bytes:
    """A search engine results page: (label, title, url, snippet) per result."""
    inner = box(20, 55, width - 40, 34, "#ffffff", "#555555", 17) + t(38, 77, query, 15)
    y = 120
    for label, title, url, snippet in results:
        if label:
            inner += box(20, y - 13, 84, 18, "#fff3c4", "#8a6d00", 3) + t(27, y + 1, label, 12, "bold", "#5c4a00")
            x = 112
        else:
            x = 20
        inner += t(x, y, url, 12, fill="#3d5a2e") + t(20, y + 22, title, 17, fill="#1a0dab")
        inner += t(20, y + 42, snippet, 13, fill="#444444")
        y += 74
    return browser(width, y + 10, "https://www.moteur-exemple.fr/recherche", inner)


def tree(lines: list[tuple[int, str, bool]], title="Explorateur de fichiers", width=460) -> bytes:
    """A file tree: (depth, name, is_folder)."""
    body = box(0, 0, width, 40 + 26 * len(lines) + 10, "#f6f6f6", "#9a9a9a", 6) + t(14, 26, title, 14, "bold")
    for k, (depth, name, folder) in enumerate(lines):
        y = 62 + 26 * k
        x = 20 + 24 * depth
        if folder:
            body += f'<path d="M{x} {y - 11} h7 l3 3 h10 v11 h-20 z" fill="#e0b040" stroke="#8a6a10"/>'
        else:
            body += f'<path d="M{x + 3} {y - 13} h10 l4 4 v13 h-14 z" fill="#ffffff" stroke="#555555"/>'
        body += t(x + 28, y, name, 14)
    return svg(width, 40 + 26 * len(lines) + 10, body)


def dialog(title: str, rows: list[tuple[str, str]], width=520) -> bytes:
    h = 60 + 32 * len(rows)
    body = box(0, 0, width, h, "#f6f6f6", "#9a9a9a", 6) + box(0, 0, width, 36, "#dde3ee", "#9a9a9a", 6)
    body += t(16, 24, title, 15, "bold")
    for k, (label, value) in enumerate(rows):
        y = 64 + 32 * k
        body += t(20, y, label, 14, fill="#333333") + box(230, y - 18, width - 250, 26, "#ffffff", "#888888", 3)
        body += t(240, y, value, 14)
    return svg(width, h, body)


def code_image(lines: list[str], width=560) -> bytes:
    h = 24 + 22 * len(lines)
    body = box(0, 0, width, h, "#f4f4f8", "#8a8a9a", 4)
    for k, line in enumerate(lines):
        body += t(14, 28 + 22 * k, line, 15, family="DejaVu Sans Mono, Consolas, monospace")
    return svg(width, h, body)


def scratch(blocks: list[tuple[int, str, str]], width=420) -> bytes:
    """Scratch-like blocks: (depth, text, colour)."""
    h = 30 + 40 * len(blocks)
    body = ""
    for k, (depth, text, colour) in enumerate(blocks):
        x, y = 16 + 24 * depth, 14 + 40 * k
        body += box(x, y, width - x - 16, 32, colour, "#333333", 6) + t(x + 12, y + 21, text, 15, "bold", "#000000")
    return svg(width, h, body)


def bar_chart(title, labels, values, y_min, y_max, unit, width=560, height=320) -> bytes:
    left, bottom, top = 70, height - 50, 50
    span = y_max - y_min
    body = t(width / 2, 28, title, 16, "bold", anchor="middle")
    for k in range(5):
        v = y_min + span * k / 4
        y = bottom - (bottom - top) * k / 4
        body += f'<line x1="{left}" y1="{y}" x2="{width - 20}" y2="{y}" stroke="#d0d0d0"/>'
        body += t(left - 8, y + 5, f"{v:g}".replace(".", ","), 12, anchor="end")
    bw = (width - left - 40) / len(values)
    for k, (label, v) in enumerate(zip(labels, values)):
        x = left + 10 + bw * k
        y = bottom - (bottom - top) * (v - y_min) / span
        body += f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 20:.1f}" height="{bottom - y:.1f}" fill="#1f4e9c"/>'
        body += t(x + (bw - 20) / 2, bottom + 20, label, 13, anchor="middle")
        body += t(x + (bw - 20) / 2, y - 6, f"{v:g}".replace(".", ","), 13, "bold", anchor="middle")
    body += f'<line x1="{left}" y1="{bottom}" x2="{width - 20}" y2="{bottom}" stroke="#1e1e1e"/>'
    body += t(16, top - 14, unit, 12)
    return svg(width, height, body)


# ----------------------------------------------------------------- PNG

def png_pixels(size=(12, 9), scale=24) -> bytes:
    """A tiny drawing enlarged without smoothing: every pixel shows as a square."""
    from PIL import Image

    small = Image.new("RGB", size, (255, 255, 255))
    px = small.load()
    for x in range(size[0]):
        for y in range(size[1]):
            if (x - 5.5) ** 2 + (y - 4) ** 2 <= 12:
                px[x, y] = (31, 78, 156)
            elif y >= 7:
                px[x, y] = (46, 107, 48)
    big = small.resize((size[0] * scale, size[1] * scale), Image.NEAREST)
    out = io.BytesIO()
    big.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_compare() -> bytes:
    """Left: a smooth edge (vector rendering); right: the same shape from a
    low-definition bitmap enlarged (staircase edges)."""
    from PIL import Image, ImageDraw

    w, h = 480, 240
    img = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    big = Image.new("RGB", (w * 4, h * 4), (255, 255, 255))
    ImageDraw.Draw(big).ellipse((120, 120, 840, 840), fill=(164, 18, 91))
    img.paste(big.resize((w, h), Image.LANCZOS).crop((0, 0, 240, 240)), (0, 0))
    tiny = Image.new("RGB", (16, 16), (255, 255, 255))
    ImageDraw.Draw(tiny).ellipse((2, 2, 13, 13), fill=(164, 18, 91))
    img.paste(tiny.resize((240, 240), Image.NEAREST), (240, 0))
    draw.line((240, 0, 240, h), fill=(30, 30, 30), width=2)
    draw.text((10, 220), "A", fill=(0, 0, 0))
    draw.text((250, 220), "B", fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


# ----------------------------------------------------------------- catalogue

def page_with_note(width=440, height=380) -> bytes:
    """c31-tdm-3b: a page whose word carries a raised call number, its note at
    the foot of the same page above a short rule, and a separate page footer
    (so the picture shows a note is not the footer)."""
    grey = "#8a8a8a"
    body = box(20, 10, width - 40, height - 20, "#ffffff", "#6a6a6a", 0)
    body += t(50, 60, "Le paysage du nord de la commune est un", 14)
    body += t(50, 84, "bocage", 14) + t(100, 76, "1", 10) + t(106, 84, ", que les habitants veulent", 14)
    body += t(50, 108, "préserver lors du prochain plan d'urbanisme.", 14)
    for k in range(4):
        body += f'<rect x="50" y="{132 + 22 * k}" width="{320 - 30 * (k % 2)}" height="8" fill="#d8d8d8"/>'
    body += '<line x1="50" y1="270" x2="170" y2="270" stroke="#1e1e1e"/>'
    body += t(50, 290, "1", 10) + t(60, 296, "Paysage de champs et de prés entourés de haies.", 12)
    body += f'<line x1="50" y1="326" x2="{width - 50}" y2="326" stroke="{grey}" stroke-dasharray="4 3"/>'
    body += t(width / 2, 348, "Page 4", 12, fill="#555555", anchor="middle")
    return svg(width, height, body)


def catalogue() -> dict[str, bytes]:
    """Every asset by file name."""
    files: dict[str, bytes] = {}
    # 1.3 data
    files["ventes-mars.csv"] = csv_text(SALES_HEADER, SALES)
    files["adherents-club.ods"] = ods("Adhérents", MEMBERS_HEADER, MEMBERS)
    files["releves-meteo.csv"] = csv_text(TEMPS_HEADER, TEMPS)
    files["contacts-association.csv"] = csv_text(CONTACTS_HEADER, CONTACTS)
    files["inscrits-ateliers.csv"] = csv_text(WORKSHOP_HEADER, WORKSHOP)
    devis = [("Stylos", 2.5, 40), ("Cahiers", 3.2, 25), ("Classeurs", 4.9, 12), ("Agendas", 6.0, 30)]
    files["devis-fournitures.ods"] = ods(
        "Devis", ["Article", "Prix unitaire", "Quantité", "Total", "", "Remise"],
        [(a, p, q, round(p * q * 0.9, 2), "", 0.1 if k == 0 else "") for k, (a, p, q) in enumerate(devis)],
        {(k, 3): f"of:=[.B{k + 2}]*[.C{k + 2}]*(1-[.$F$2])" for k in range(len(devis))})
    files["visites-site.svg"] = bar_chart(
        "Visites du site du club (milliers)", ["janv.", "févr.", "mars", "avril", "mai"],
        [4.2, 3.8, 5.1, 4.6, 3.9], 0, 6, "milliers de visites")
    files["inscriptions-trimestre.svg"] = bar_chart(
        "Inscriptions à la médiathèque", ["T1", "T2", "T3", "T4"], [412, 418, 409, 430], 400, 432,
        "inscriptions")
    # 1.1 screenshots
    files["resultats-passeport.svg"] = results_page("renouveler passeport", [
        ("Sponsorisé", "Passeport en 48 h - Dossier rempli pour vous", "www.passeport-express-aide.com",
         "Service privé payant : nous remplissons votre demande à votre place."),
        ("Sponsorisé", "Photo d'identité conforme - Cabine près de chez vous", "www.photo-id-rapide.fr",
         "Photos agréées ANTS, résultat immédiat."),
        ("", "Passeport | Service-Public.gouv.fr", "www.service-public.gouv.fr",
         "Comment faire une demande de passeport ? Pré-demande en ligne, rendez-vous en mairie..."),
        ("", "Faire une pré-demande de passeport | ANTS", "ants.gouv.fr",
         "Effectuez votre pré-demande en ligne puis prenez rendez-vous dans une mairie équipée."),
    ])
    files["resultats-operateurs.svg"] = results_page('"énergie solaire" site:ademe.fr -pdf', [
        ("", "L'énergie solaire pour les particuliers", "agirpourlatransition.ademe.fr",
         "Panneaux photovoltaïques et thermiques : ce qu'il faut savoir avant d'installer."),
        ("", "Chiffres clés de l'énergie solaire", "librairie.ademe.fr",
         "Publications et chiffres clés sur la production d'énergie solaire en France."),
        ("", "Énergie solaire : les aides en 2026", "www.ademe.fr",
         "Présentation des aides nationales pour l'énergie solaire et des conditions."),
    ])
    files["page-remboursement.svg"] = browser(760, 300, "https://impots.gouv.fr.remboursement-dossier.com/accueil",
        t(30, 90, "Votre remboursement d'impôt de 248,60 EUR est en attente", 20, "bold")
        + t(30, 130, "Pour le recevoir, confirmez vos coordonnées bancaires avant 48 h.", 15)
        + box(30, 160, 260, 40, "#000091", "#000091", 4) + t(52, 186, "Confirmer mes coordonnées", 15, "bold", "#ffffff")
        + t(30, 250, "Aucune mention légale, aucun auteur, aucune date de publication.", 13, fill="#555555"))
    files["barre-adresse.svg"] = browser(760, 120, "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006070721",
        t(30, 85, "Code civil - Légifrance", 20, "bold"))
    files["lecteur-flux.svg"] = svg(640, 300, box(0, 0, 640, 300, "#f6f6f6", "#9a9a9a", 6)
        + t(16, 28, "Mon lecteur de flux", 16, "bold")
        + box(16, 44, 180, 240, "#ffffff", "#aaaaaa") + t(28, 70, "Abonnements", 14, "bold")
        + t(28, 100, "CNIL - Actualités (3)", 13) + t(28, 126, "ANSSI - Alertes (5)", 13)
        + t(28, 152, "Blog du CDI (1)", 13)
        + box(210, 44, 414, 240, "#ffffff", "#aaaaaa") + t(222, 70, "ANSSI - Alertes : 5 non lus", 14, "bold")
        + "".join(t(222, 100 + 30 * k, s, 13) for k, s in enumerate([
            "Vulnérabilité dans un navigateur web", "Mise à jour urgente d'un routeur",
            "Campagne d'hameçonnage en cours", "Faille dans un logiciel de visioconférence",
            "Correctifs mensuels publiés"])))
    files["alerte-veille.svg"] = dialog("Créer une alerte", [
        ("Recherche", "tiers-lieux numériques"), ("Fréquence", "Une fois par semaine"),
        ("Sources", "Actualités"), ("Langue", "Français"), ("Envoyer à", "cdi@lycee-exemple.fr")])
    # 1.2 file trees and dialogs
    files["arborescence-documents.svg"] = tree([
        (0, "C:", True), (1, "Utilisateurs", True), (2, "sam", True), (3, "Documents", True),
        (4, "Administratif", True), (5, "facture-mars.pdf", False), (5, "contrat-box.pdf", False),
        (4, "Cours", True), (5, "histoire.odt", False), (3, "Images", True),
        (4, "2025", True), (5, "plage.jpg", False), (4, "2026", True), (5, "anniversaire.png", False),
    ])
    files["arborescence-projet.svg"] = tree([
        (0, "/home/lina", True), (1, "projet-site", True), (2, "index.html", False), (2, "pages", True),
        (3, "contact.html", False), (3, "equipe", True), (4, "membres.html", False), (2, "images", True),
        (3, "logo.png", False), (3, "photos", True), (4, "groupe.jpg", False), (1, "Musique", True),
    ])
    files["dossier-telechargements.svg"] = svg(600, 300, box(0, 0, 600, 300, "#f6f6f6", "#9a9a9a", 6)
        + t(16, 28, "Téléchargements", 16, "bold") + t(20, 60, "Nom", 13, "bold") + t(300, 60, "Taille", 13, "bold")
        + "".join(t(20, 90 + 26 * k, n, 14) + t(300, 90 + 26 * k, s, 14) for k, (n, s) in enumerate([
            ("recu-cantine.pdf", "84 Ko"), ("vacances.jpeg", "2,1 Mo"), ("rapport.docx", "56 Ko"),
            ("logo.svg", "12 Ko"), ("budget.ods", "18 Ko"), ("scan-carte.png", "940 Ko"),
            ("musique.mp3", "4,4 Mo"), ("tableau.xlsx", "22 Ko")])))
    files["proprietes-video.svg"] = dialog("Propriétés : concert-classe.mp4", [
        ("Type", "Fichier MP4"), ("Taille", "3,6 Go (3 865 470 566 octets)"),
        ("Emplacement", "D:\\Vidéos"), ("Clé USB : système de fichiers", "FAT32")])
    files["plan-sauvegarde.svg"] = svg(640, 210, box(0, 0, 640, 210, "#f6f6f6", "#9a9a9a", 6)
        + t(16, 28, "Historique des sauvegardes", 16, "bold")
        + "".join(box(20 + 120 * k, 60, 104, 60, c, "#333333") + t(72 + 120 * k, 86, d, 14, "bold", anchor="middle")
                  + t(72 + 120 * k, 108, kind, 13, anchor="middle")
                  for k, (d, kind, c) in enumerate([("Dimanche", "complète", "#cfe3ff"),
                                                    ("Lundi", "incrémentale", "#ffffff"),
                                                    ("Mardi", "incrémentale", "#ffffff"),
                                                    ("Mercredi", "incrémentale", "#ffffff"),
                                                    ("Jeudi", "incrémentale", "#ffffff")]))
        + t(20, 160, "Panne le jeudi soir, après la sauvegarde du jeudi.", 14))
    # 3.1 text documents
    files["compte-rendu-reunion.docx"] = docx([
        _para("Compte rendu de la réunion du conseil de vie lycéenne", "Titre"),
        _para("Ordre du jour", "Titre1"),
        _para("La séance s'ouvre à 12 h 30 en présence de 14 élus."),
        _para("Projets votés", "Titre1"),
        _para("Foyer des élèves", "Titre2"),
        _para("Le réaménagement du foyer est adopté à l'unanimité."),
        _para("Semaine de l'engagement", "Titre2"),
        _para("Trois ateliers seront proposés en mars."),
        _para("Budget", bold=True, size=28),
        _para("Le budget prévisionnel s'élève à 1 800 euros."),
        _para("Questions diverses", "Titre1"),
        _para("Horaires de la cantine", "Titre2"),
        _para("Une demande sera transmise à l'intendance."),
        _para("Calendrier", bold=True, size=28),
        _para("Prochaine réunion le 12 janvier."),
    ], author="Camille Ferrand", header="Lycée Jean Moulin - CVL 2026-2027",
        footer="Page 1", title="Compte rendu CVL")
    files["memoire-stage.docx"] = docx([
        _para("Rapport de stage", "Titre"),
        _para("Présentation de l'entreprise", "Titre1"),
        _para("Historique", "Titre2"), _para("L'entreprise a été créée en 1998."),
        _para("Organisation", "Titre2"), _para("Elle compte 35 salariés."),
        _para("Missions réalisées", "Titre1"),
        _para("Accueil du public", "Titre2"), _para("Accueil et orientation des visiteurs."),
        _para("Inventaire", "Titre2"), _para("Mise à jour du tableau des stocks."),
        _para("Outils utilisés", "Titre3"), _para("Tableur et logiciel de gestion."),
        _para("Bilan", "Titre1"), _para("Ce stage a confirmé mon projet d'orientation."),
    ], author="Yanis Belkacem", footer="Rapport de stage - Yanis Belkacem", title="Rapport de stage")
    files["page-note.svg"] = page_with_note()
    # 3.2 images
    files["pixels-agrandis.png"] = png_pixels()
    files["contour-compare.png"] = png_compare()
    files["code-svg-forme.svg"] = code_image([
        '<svg width="200" height="120">',
        '  <rect x="10" y="10" width="180" height="100"',
        '        fill="yellow" stroke="black"/>',
        '  <circle cx="100" cy="60" r="30" fill="blue"/>',
        '</svg>'])
    files["proprietes-photo.svg"] = dialog("Propriétés de l'image : marche-noel.jpg", [
        ("Dimensions", "4000 x 3000 pixels"), ("Résolution", "300 ppp"),
        ("Profondeur", "24 bits"), ("Taille du fichier", "3,2 Mo")])
    files["recadrage-photo.svg"] = svg(560, 320, box(0, 0, 560, 320, "#f6f6f6", "#9a9a9a", 6)
        + box(20, 40, 400, 260, "#9cc3e6", "#333333", 0) + t(20, 28, "Éditeur d'images", 15, "bold")
        + '<circle cx="330" cy="110" r="34" fill="#f4d03f"/>'
        + '<path d="M20 300 L150 170 L260 300 Z" fill="#2e6b30"/>'
        + '<rect x="120" y="90" width="240" height="180" fill="none" stroke="#000000" stroke-width="3" stroke-dasharray="10 6"/>'
        + box(440, 40, 100, 36, "#ffffff", "#333333") + t(452, 63, "Valider", 14, "bold")
        + box(440, 90, 100, 36, "#ffffff", "#333333") + t(452, 113, "Annuler", 14))
    files["infos-media.svg"] = dialog("Informations sur le média : reportage.mp4", [
        ("Conteneur", "MP4"), ("Vidéo", "H.264, 1920 x 1080, 25 images/s"),
        ("Débit vidéo", "7,5 Mbit/s"), ("Audio", "AAC stéréo, 0,5 Mbit/s"), ("Durée", "4 min 00 s")])
    files["taille-image.svg"] = dialog("Taille de l'image : concert.jpg", [
        ("Largeur", "2 400 pixels"), ("Hauteur", "1 800 pixels"), ("Résolution", "300 ppp"),
        ("Taille d'impression", "20,32 x 15,24 cm"), ("Rééchantillonner", "Non (case décochée)")])
    files["export-image.svg"] = dialog("Exporter l'image", [
        ("Original", "affiche.png - 6,0 Mo"), ("Format d'export", "JPEG"),
        ("Qualité", "80 %"), ("Taille estimée", "750 Ko")])
    # 3.3 PDF and accessibility
    files["export-reservations.csv"] = csv_text(BOOKINGS_HEADER, BOOKINGS)
    files["guide-accueil.pdf"] = pdf([
        ["Guide d'accueil des bénévoles", "Bienvenue dans l'association.",
         "Ce guide présente l'organisation des permanences."],
        ["Les permanences", "Elles ont lieu le mardi et le samedi de 9 h à 12 h.",
         "Chaque bénévole s'inscrit sur le planning partagé."],
        ["Les contacts utiles", "Coordinatrice : Mme Morel.", "Trésorier : M. Diallo."],
        ["Règles de sécurité", "Les issues de secours restent dégagées en permanence."],
    ], title="Guide d'accueil des bénévoles", fmt="A5")
    files["contraste-texte.svg"] = svg(560, 160, box(0, 0, 560, 160, "#ffffff", "#9a9a9a", 0)
        + t(20, 50, "Inscriptions ouvertes jusqu'au 15 mars", 22, "bold", "#c8c8c8")
        + t(20, 100, "Le formulaire est disponible au secrétariat.", 16, fill="#d2d2d2"))
    files["graphique-couleurs.svg"] = svg(560, 260, t(280, 28, "Résultats du sondage", 16, "bold", anchor="middle")
        + '<rect x="60" y="60" width="300" height="40" fill="#d62728"/>'
        + '<rect x="60" y="120" width="180" height="40" fill="#2ca02c"/>'
        + '<rect x="60" y="180" width="90" height="40" fill="#ff7f0e"/>'
        + '<rect x="400" y="70" width="20" height="20" fill="#2ca02c"/>' + t(428, 86, "Pour", 14)
        + '<rect x="400" y="110" width="20" height="20" fill="#d62728"/>' + t(428, 126, "Contre", 14)
        + '<rect x="400" y="150" width="20" height="20" fill="#ff7f0e"/>' + t(428, 166, "Sans avis", 14))
    files["couleurs-gris.svg"] = svg(520, 150, box(0, 0, 520, 150, "#ffffff", "#9a9a9a", 0)
        + t(20, 40, "Texte en #767676 sur fond #FFFFFF", 16, fill="#767676")
        + t(20, 80, "Texte en #949494 sur fond #FFFFFF", 16, fill="#949494")
        + t(20, 120, "Corps de texte : 16 px, graisse normale", 14, fill="#1e1e1e"))
    files["impression-pages.svg"] = dialog("Imprimer", [
        ("Imprimante", "Salle 204 - Laser N&B"), ("Pages", "2-5, 9"), ("Copies", "3"),
        ("Recto verso", "Non"), ("Pages par feuille", "1")])
    files["impression-recto-verso.svg"] = dialog("Imprimer", [
        ("Imprimante", "CDI - Laser couleur"), ("Pages", "Toutes (24 pages)"), ("Copies", "1"),
        ("Recto verso", "Oui, bord long"), ("Pages par feuille", "2")])
    files["impression-livret.svg"] = dialog("Imprimer", [
        ("Document", "programme-spectacle.pdf (20 pages)"), ("Mise en page", "Livret (brochure)"),
        ("Format du papier", "A4, plié en A5"), ("Copies", "1")])
    # 3.4 code
    files["programme-variables.txt"] = (
        "# Programme Python\n"
        "a = 7\n"
        "b = 3\n"
        "a = a + b\n"
        "b = a - b\n"
        "a = a - b\n"
        "print(a, b)\n").encode()
    files["programme-compteur.txt"] = (
        "# Programme Python\n"
        "score = 10\n"
        "bonus = 4\n"
        "score = score * 2\n"
        "bonus = score - bonus\n"
        "score = score + bonus\n"
        "print(score)\n").encode()
    files["programme-tarif.txt"] = (
        "# Programme Python : prix d'une entrée\n"
        "def tarif(age, etudiant):\n"
        "    if age < 12:\n"
        "        return 4\n"
        "    elif age >= 65 or etudiant:\n"
        "        return 6\n"
        "    else:\n"
        "        return 9\n"
        "\n"
        "print(tarif(70, False) + tarif(20, True) + tarif(12, False))\n").encode()
    files["programme-boucle.txt"] = (
        "# Programme Python\n"
        "total = 0\n"
        "for i in range(2, 11, 3):\n"
        "    total = total + i\n"
        "print(total)\n").encode()
    files["programme-recherche.txt"] = (
        "# Programme Python\n"
        "def mystere(liste):\n"
        "    m = liste[0]\n"
        "    for x in liste:\n"
        "        if x < m:\n"
        "            m = x\n"
        "    return m\n"
        "\n"
        "print(mystere([14, 9, 21, 6, 11]))\n").encode()
    files["programme-tri.txt"] = (
        "# Programme Python\n"
        "def tri(t):\n"
        "    n = len(t)\n"
        "    echanges = 0\n"
        "    for i in range(n - 1):\n"
        "        for j in range(n - 1 - i):\n"
        "            if t[j] > t[j + 1]:\n"
        "                t[j], t[j + 1] = t[j + 1], t[j]\n"
        "                echanges = echanges + 1\n"
        "    return echanges\n"
        "\n"
        "print(tri([4, 1, 3, 2]))\n").encode()
    files["programme-dichotomie.txt"] = (
        "# Programme Python\n"
        "def cherche(t, v):\n"
        "    debut, fin = 0, len(t) - 1\n"
        "    tours = 0\n"
        "    while debut <= fin:\n"
        "        tours = tours + 1\n"
        "        milieu = (debut + fin) // 2\n"
        "        if t[milieu] == v:\n"
        "            return tours\n"
        "        elif t[milieu] < v:\n"
        "            debut = milieu + 1\n"
        "        else:\n"
        "            fin = milieu - 1\n"
        "    return tours\n"
        "\n"
        "print(cherche([3, 8, 12, 17, 25, 31, 40], 31))\n").encode()
    files["blocs-condition.svg"] = scratch([
        (0, "quand le drapeau vert est cliqué", "#ffbf00"),
        (0, "mettre points à 12", "#ff8c1a"),
        (0, "si points > 10 alors", "#ffab19"),
        (1, "dire « Bravo »", "#9966ff"),
        (0, "sinon", "#ffab19"),
        (1, "dire « Encore un effort »", "#9966ff"),
    ])
    files["blocs-boucle.svg"] = scratch([
        (0, "quand le drapeau vert est cliqué", "#ffbf00"),
        (0, "stylo en position d'écriture", "#0fbd8c"),
        (0, "répéter 3 fois", "#ffab19"),
        (1, "avancer de 100 pas", "#4c97ff"),
        (1, "tourner de 120 degrés", "#4c97ff"),
    ])
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a file differs from its build")
    args = parser.parse_args(argv)
    files = catalogue()
    if args.check:
        stale = [n for n, b in files.items() if not (ASSETS / n).is_file() or (ASSETS / n).read_bytes() != b]
        for name in stale:
            print(f"différent de sa construction : item_bank/assets/{name}")
        return 1 if stale else 0
    ASSETS.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (ASSETS / name).write_bytes(body)
    print(f"{len(files)} fichiers, {sum(map(len, files.values()))} octets dans {ASSETS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

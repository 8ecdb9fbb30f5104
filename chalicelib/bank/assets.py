"""Illustrations and attachments of items: what the loader accepts, and how.

An item names its files relative to `item_bank/` (`illustration.file`,
`attachment.file`, always under `assets/`). Each is checked when the bank
loads, so a broken file is found by `make bank-report` and CI, not by a
candidate: it exists, is a regular file inside `item_bank/assets/`, has an
extension allowed for its role, is not empty nor larger than the bound of
its type, its first bytes are what the extension claims (a PNG signature,
`%PDF-`, a zip holding the right OpenDocument/OOXML part, UTF-8 text), and an
SVG carries nothing that runs or leaks: no script, event handler, external
reference, `foreignObject`, comment or editor metadata (layer names and
comments of drawing tools are where "bonne réponse" gets left behind).

Text alternatives are required by the schema and checked here for substance:
an `alt` that is the file name or two words does not describe a picture a
question relies on.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from chalicelib.domain.items import ItemFile

ASSET_DIR = "assets"
PUBLIC_NAME = re.compile(r"^[0-9a-f]{20}\.[a-z]{3,4}$")
MIN_ALT_CHARS = 20
MIN_ALT_WORDS = 4
MAX_TOTAL_BYTES = 3 * 1024 * 1024  # every file of the bank together: the Lambda package stays small


@dataclass(frozen=True)
class FileType:
    media_type: str
    label: str          # what the candidate reads beside the link
    role: str           # "illustration" or "attachment"
    max_bytes: int
    zip_part: str | None = None  # a part an OpenDocument/OOXML file must hold
    odf_mimetype: str | None = None


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
FILE_TYPES: dict[str, FileType] = {
    "svg": FileType("image/svg+xml", "SVG", "illustration", 100_000),
    "png": FileType("image/png", "PNG", "illustration", 200_000),
    "csv": FileType("text/csv; charset=utf-8", "CSV", "attachment", 100_000),
    "txt": FileType("text/plain; charset=utf-8", "texte", "attachment", 100_000),
    "pdf": FileType("application/pdf", "PDF", "attachment", 500_000),
    "ods": FileType(f"{_ODF}.spreadsheet", "ODS, tableur", "attachment", 300_000,
                    "content.xml", f"{_ODF}.spreadsheet"),
    "odt": FileType(f"{_ODF}.text", "ODT, traitement de texte", "attachment", 300_000,
                    "content.xml", f"{_ODF}.text"),
    "docx": FileType(f"{_OOXML}.wordprocessingml.document", "DOCX, traitement de texte",
                     "attachment", 300_000, "word/document.xml"),
    "xlsx": FileType(f"{_OOXML}.spreadsheetml.sheet", "XLSX, tableur", "attachment", 300_000,
                     "xl/workbook.xml"),
}
# Served as bytes by API Gateway (app.api.binary_types); the others are text.
BINARY_MEDIA_TYPES = sorted({t.media_type for ext, t in FILE_TYPES.items()
                             if ext in ("png", "pdf", "ods", "odt", "docx", "xlsx")})

_SVG_FORBIDDEN = re.compile(
    r"<!--|<script|<foreignObject|<metadata|<iframe|<embed|<object|\bon[a-z]+\s*=|javascript:"
    r"|xmlns:(?:inkscape|sodipodi)|<!ENTITY|<!DOCTYPE", re.IGNORECASE)
_HREF = re.compile(r"""\b(?:xlink:)?href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def load_item_file(root: Path, source: str, role: str,
                   text: str) -> tuple[ItemFile | None, list[str], list[str]]:
    """The file `source` (relative to the bank root) checked for `role`.

    Returns the served file (None on any problem), the French problems of the
    file and those of its text (alternative or title)."""
    problems: list[str] = []
    ext = source.rsplit(".", 1)[-1].lower() if "." in source else ""
    kind = FILE_TYPES.get(ext)
    if kind is None or kind.role != role:
        allowed = ", ".join(e for e, t in FILE_TYPES.items() if t.role == role)
        return None, [f"type de fichier « .{ext} » non autorisé ici (autorisés : {allowed})"], []
    base = (root / ASSET_DIR).resolve()
    path = (root / source).resolve()
    if not path.is_relative_to(base) or path == base:
        return None, [f"le fichier doit être dans item_bank/{ASSET_DIR}/"], []
    if not path.is_file():
        return None, [f"fichier introuvable : item_bank/{source}"], []
    body = path.read_bytes()
    if not body:
        problems.append("fichier vide")
    elif len(body) > kind.max_bytes:
        problems.append(f"fichier trop gros : {len(body)} octets (au plus {kind.max_bytes} pour .{ext})")
    else:
        problems += _content_problems(ext, kind, body)
    text_problems = _text_problems(role, text, path.name)
    if problems or text_problems:
        return None, problems, text_problems
    digest = hashlib.sha256(body).hexdigest()[:20]
    return ItemFile(name=f"{digest}.{ext}", source=source, media_type=kind.media_type,
                    label=kind.label, size=len(body), text=" ".join(text.split())), [], []


def read_bytes(root: Path, item_file: ItemFile) -> bytes:
    return (root / item_file.source).read_bytes()


def _text_problems(role: str, text: str, file_name: str) -> list[str]:
    stripped = " ".join(str(text).split())
    if role == "illustration":
        if (len(stripped) < MIN_ALT_CHARS or len(stripped.split()) < MIN_ALT_WORDS
                or stripped.lower() in (file_name.lower(), file_name.rsplit(".", 1)[0].lower())):
            return [f"texte alternatif trop pauvre : décrire ce que montre l'image "
                    f"(au moins {MIN_ALT_WORDS} mots et {MIN_ALT_CHARS} caractères)"]
    elif len(stripped) < 3:
        return ["titre du fichier joint trop court"]
    return []


def _content_problems(ext: str, kind: FileType, body: bytes) -> list[str]:
    if ext == "png":
        return [] if body.startswith(b"\x89PNG\r\n\x1a\n") else ["ce n'est pas un PNG"]
    if ext == "pdf":
        return [] if body.startswith(b"%PDF-") else ["ce n'est pas un PDF"]
    if kind.zip_part:
        return _zip_problems(ext, kind, body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ["texte non UTF-8"]
    if ext == "svg":
        return _svg_problems(text)
    return []


def _zip_problems(ext: str, kind: FileType, body: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = set(archive.namelist())
            if kind.zip_part not in names:
                return [f"fichier .{ext} invalide : partie {kind.zip_part} absente"]
            if kind.odf_mimetype and archive.read("mimetype").decode("ascii", "replace") != kind.odf_mimetype:
                return [f"fichier .{ext} invalide : mimetype OpenDocument incorrect"]
    except (zipfile.BadZipFile, KeyError):
        return [f"fichier .{ext} invalide (archive illisible)"]
    return []


def _svg_problems(text: str) -> list[str]:
    found = _SVG_FORBIDDEN.search(text)
    if found:
        return [f"SVG refusé : « {found.group(0)} » (ni script, ni commentaire, ni métadonnées d'éditeur)"]
    for href in _HREF.findall(text):
        if not href.startswith("#"):
            return [f"SVG refusé : référence externe « {href[:60]} »"]
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [f"SVG illisible : {exc}"]
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return ["SVG invalide : l'élément racine doit être <svg>"]
    return []

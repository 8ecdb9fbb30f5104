"""CSV files from centres and schools: decoding and header mapping, pure.

French spreadsheets export `;`-separated files in UTF-8 (often with a BOM) or
Windows-1252; we accept both separators and both encodings, map French or
English headers to field names, and report problems by line and column.
"""
from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from chalicelib.domain.errors import InvalidInput

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


def header_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(c for c in text if c.isalnum())


def decode(raw: bytes) -> str:
    if len(raw) > MAX_CSV_BYTES:
        raise InvalidInput(f"Le fichier dépasse {MAX_CSV_BYTES // (1024 * 1024)} Mo.", code="file_too_large")
    if b"\x00" in raw:
        raise InvalidInput("Le fichier n'est pas un fichier texte CSV.", code="invalid_csv")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        if text.count("\ufffd") > 0:
            raise InvalidInput("Encodage du fichier non reconnu : enregistrez-le en UTF-8.",
                               code="invalid_encoding")
        return text


def read_rows(raw: bytes, aliases: dict[str, str], required: set[str]) -> list[tuple[int, dict]]:
    """(line number, {field: value}) for each non-empty data line."""
    text = decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput("Le fichier est vide.", code="empty_file")
    fields = [aliases.get(header_key(h)) for h in header]
    missing = sorted(required - set(f for f in fields if f))
    if missing:
        raise InvalidInput("Colonnes obligatoires manquantes : " + ", ".join(missing) + ".",
                           code="missing_columns", details={"missing": missing})
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(f"Le fichier dépasse {MAX_ROWS} lignes.", code="too_many_rows")
            rows.append((number, {f: v.strip() for f, v in zip(fields, values) if f}))
    except csv.Error as err:
        raise InvalidInput(f"Fichier CSV illisible : {err}.", code="invalid_csv")
    if not rows:
        raise InvalidInput("Le fichier ne contient aucune ligne.", code="empty_file")
    return rows


def french_date(value: str) -> str:
    """DD/MM/YYYY -> YYYY-MM-DD (ISO passes through); validation happens after."""
    value = value.strip()
    if len(value) == 10 and value[2] == "/" and value[5] == "/":
        return f"{value[6:]}-{value[3:5]}-{value[:2]}"
    return value


# --- streaming (large files: rosters) ------------------------------------------------------

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
# Bytes where ISO-8859-15 differs from Windows-1252 and is the likelier reading of a
# names file: € Š š Ž ž Œ œ Ÿ (Windows-1252 reads them ¤ ¦ ¨ ´ ¸ ¼ ½ ¾, never in a name).
_LATIN9_ONLY = frozenset(b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")
_C1_CONTROLS = frozenset(range(0x80, 0xA0))
_CHUNK = 64 * 1024
DELIMITERS = (";", ",", "\t")


def sniff_encoding(raw: bytes, max_bytes: int = MAX_CSV_BYTES) -> str:
    """The codec to read `raw` with, checked chunk by chunk so the file is never
    held twice in memory: "utf-16" (a spreadsheet's "Unicode text", which starts
    with a byte-order mark), "utf-8-sig" (with or without BOM), "iso-8859-15"
    or "cp1252" (SIECLE and French spreadsheets). Binary files are refused."""
    if len(raw) > max_bytes:
        raise InvalidInput(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.", code="file_too_large")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if b"\x00" in raw:
        raise InvalidInput("Le fichier n'est pas un fichier texte CSV.", code="invalid_csv")
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _CHUNK):
            decoder.decode(view[start:start + _CHUNK], final=start + _CHUNK >= len(raw))
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    present = set(raw)
    if present & _CP1252_UNDEFINED:
        raise InvalidInput("Encodage du fichier non reconnu : enregistrez-le en UTF-8 ou en CSV "
                           "(séparateur : point-virgule).", code="invalid_encoding")
    if present & _LATIN9_ONLY and not present & _C1_CONTROLS:
        return "iso-8859-15"
    return "cp1252"


def stream_rows(raw: bytes, aliases: dict[str, str], required: set[str], *,
                max_bytes: int = MAX_CSV_BYTES, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, dict]]:
    """Like `read_rows`, one line at a time: (line number, {field: value})."""
    return open_table(raw, aliases, required, max_bytes=max_bytes, max_rows=max_rows).rows


@dataclass
class Table:
    """A CSV file opened: its header as written (`labels`: field -> the file's own
    column name, to speak of it in messages) and its lines, read lazily."""
    labels: dict[str, str]
    rows: Iterator[tuple[int, dict]]
    encoding: str
    delimiter: str


def open_table(raw: bytes, aliases: dict[str, str], required: set[str], *,
               max_bytes: int = MAX_CSV_BYTES, max_rows: int = MAX_ROWS,
               expected: dict[str, str] | None = None) -> Table:
    """The header is checked before this returns (missing columns raise at once,
    named as `expected` says: field -> the French column name to write); the
    rows are decoded and split lazily, so memory stays proportional to one line
    plus what the caller keeps, not to the decoded file."""
    encoding = sniff_encoding(raw, max_bytes)
    text = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, newline="")
    try:
        first_line = text.readline()
    except UnicodeDecodeError:
        raise InvalidInput("Encodage du fichier non reconnu : enregistrez-le en UTF-8.",
                           code="invalid_encoding")
    if not first_line.strip():
        raise InvalidInput("Le fichier est vide.", code="empty_file")
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        header = next(csv.reader([first_line], delimiter=delimiter))
    except csv.Error as err:
        raise InvalidInput(f"Fichier CSV illisible : {err}.", code="invalid_csv")
    fields = [aliases.get(header_key(h)) for h in header]
    labels: dict[str, str] = {}
    for name, field_name in zip(header, fields):
        if field_name:
            labels.setdefault(field_name, " ".join(name.replace("\ufeff", "").split()))
    missing = sorted(required - set(labels))
    if missing:
        names = [(expected or {}).get(f, f) for f in missing]
        raise InvalidInput("Colonnes obligatoires manquantes : " + ", ".join(names) + ".",
                           code="missing_columns", details={"missing": names})
    return Table(labels, _rows(csv.reader(text, delimiter=delimiter), fields, max_rows),
                 encoding, delimiter)


def _rows(reader, fields: list[str | None], max_rows: int) -> Iterator[tuple[int, dict]]:
    count = 0
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > max_rows:
                raise InvalidInput(f"Le fichier dépasse {max_rows} lignes.", code="too_many_rows")
            # the header was read apart: file line = reader's line + 1
            row: dict[str, str] = {}
            for f, v in zip(fields, values):
                if f and (v.strip() or f not in row):
                    row[f] = v.strip()
            yield reader.line_num + 1, row
    except csv.Error as err:
        raise InvalidInput(f"Fichier CSV illisible (ligne {reader.line_num + 1}) : {err}.",
                           code="invalid_csv")
    except UnicodeDecodeError:
        raise InvalidInput("Encodage du fichier non reconnu : enregistrez-le en UTF-8.",
                           code="invalid_encoding")

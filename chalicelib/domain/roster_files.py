"""Roster files as schools have them, pure: SIECLE's XML export (plain or
zipped), SIECLE's CSV extraction and spreadsheet exports, all turned into the
same (line, {field: value}) rows `roster.check_lines` validates.

The kind of file is read from its first bytes, not from the Content-Type a
browser or an upload guessed: a zip (``PK\\x03\\x04``), XML (``<``), else CSV.

SIECLE XML (``ElevesSansAdresses.xml``, ISO-8859-15): ``BEE_ELEVES`` /
``PARAMETRES/UAJ`` names the school, checked against the organisation's UAI;
``DONNEES/ELEVES/ELEVE[@ELEVE_ID]`` holds a pupil, and
``DONNEES/STRUCTURES/STRUCTURES_ELEVE[@ELEVE_ID]/STRUCTURE`` its class (the
structure of ``TYPE_STRUCTURE`` D; G is a group). Pupils who left
(``DATE_SORTIE``) or have no class are skipped, as the reference platform does.

Safety: the XML parser is defusedxml's with DTDs forbidden, so no entity is
ever expanded (billion laughs) nor fetched (XXE); a zip must hold one roster
file whose inflated size is capped while it is read (the declared size can
lie), so a zip bomb stops at the cap.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Iterator

from chalicelib.domain import roster
from chalicelib.domain.csv_rows import open_table
from chalicelib.domain.errors import InvalidInput

MAX_INFLATED_BYTES = 40 * 1024 * 1024   # a 10,000-pupil ElevesSansAdresses.xml is about 8.5 MB
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_READ = 256 * 1024

# SIECLE element -> roster field; what messages name (the file's own names).
SIECLE_FIELDS = {
    "ID_NATIONAL": "learner_id", "NOM_DE_FAMILLE": "last_name", "NOM_USAGE": "usage_name",
    "PRENOM": "first_names", "PRENOM2": "second_first_name", "PRENOM3": "third_first_name",
    "DATE_NAISS": "birth_date", "CODE_SEXE": "sex", "CODE_COMMUNE_INSEE_NAISS": "birth_insee_code",
    "CODE_PAYS": "birth_country", "CODE_MEF": "mef_code",
}
SIECLE_LABELS = {**{f: tag for tag, f in SIECLE_FIELDS.items()},
                 "division": "CODE_STRUCTURE (TYPE_STRUCTURE D)"}
NOT_A_CLASS = {"inactifs"}


@dataclass
class RosterFile:
    """Rows to validate, and how to speak of the file: `labels` maps a field to
    the file's own column (or element) name; `records` maps an XML row number
    to the pupil's ELEVE_ID, so a message points at the pupil in SIECLE."""
    kind: str                                   # "siecle_xml" | "csv"
    labels: dict[str, str]
    rows: Iterator[tuple[int, dict]]
    records: dict[int, str] = field(default_factory=dict)
    skipped: int = 0                            # XML: left the school or no class

    def label(self, column: str) -> str:
        return self.labels.get(column, column)


def open_roster_file(raw: bytes, fmt: str, *, uai: str | None, max_bytes: int,
                     max_rows: int) -> RosterFile:
    if len(raw) > max_bytes:
        raise InvalidInput(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.", code="file_too_large")
    if not raw.strip():
        raise InvalidInput("Le fichier est vide.", code="empty_file")
    if raw[:4] in _ZIP_MAGIC:
        raw = unzip_one(raw)
        if raw[:4] in _ZIP_MAGIC:
            raise InvalidInput("Une archive dans l'archive n'est pas acceptée : envoyez le fichier "
                               "XML ou CSV, ou son archive zip.", code="invalid_archive")
    if _looks_like_xml(raw):
        if fmt != roster.SCHOOL:
            raise InvalidInput("L'export XML SIECLE est réservé aux collèges et lycées.",
                               code="unsupported_file")
        return read_siecle_xml(raw, uai=uai, max_rows=max_rows)
    table = open_table(raw, roster.COLUMNS[fmt], roster.REQUIRED[fmt], max_bytes=MAX_INFLATED_BYTES,
                       max_rows=max_rows, expected=roster.LABELS[fmt])
    return RosterFile("csv", {**roster.LABELS[fmt], **table.labels}, table.rows)


def _looks_like_xml(raw: bytes) -> bool:
    head = raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def unzip_one(raw: bytes) -> bytes:
    """The one roster file of a zip (folders and system files aside), read with
    a cap on its inflated size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir()
                   and not m.filename.startswith(("__MACOSX/", "."))
                   and m.filename.lower().rsplit(".", 1)[-1] in ("xml", "csv", "txt")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InvalidInput("Archive zip illisible.", code="invalid_archive")
    if len(members) != 1:
        raise InvalidInput("L'archive doit contenir un seul fichier XML ou CSV "
                           f"({len(members)} trouvés).", code="invalid_archive")
    member = members[0]
    too_big = InvalidInput(f"Le fichier de l'archive dépasse {MAX_INFLATED_BYTES // (1024 * 1024)} Mo "
                           "une fois décompressé.", code="file_too_large")
    if member.file_size > MAX_INFLATED_BYTES:
        raise too_big
    out = bytearray()
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_READ):
                out += chunk
                if len(out) > MAX_INFLATED_BYTES:
                    raise too_big
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, EOFError, OSError):
        # RuntimeError: encrypted; NotImplementedError: compression method unknown
        raise InvalidInput("Archive zip illisible (chiffrée, corrompue ou compression non prise en "
                           "charge).", code="invalid_archive")
    return bytes(out)


def read_siecle_xml(raw: bytes, *, uai: str | None, max_rows: int) -> RosterFile:
    """The pupils of an ElevesSansAdresses export, checked to be this school's.

    Read with iterparse, each ELEVE cleared once read: memory holds the pupils'
    fields (needed until the classes, which come after them, are read), not the
    element tree. Rows keep the file's order. defusedxml is imported here, not
    at `import app`: only roster imports read XML (tests/infra/test_cold_start.py)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    pupils: dict[str, dict] = {}
    order: list[str] = []
    divisions: dict[str, str] = {}
    uaj = None
    root_seen = False
    try:
        for event, elem in iterparse(io.BytesIO(raw), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if elem.tag != "BEE_ELEVES":
                        raise InvalidInput("Ce fichier XML n'est pas un export SIECLE des élèves "
                                           "(ElevesSansAdresses.xml, élément BEE_ELEVES attendu).",
                                           code="unsupported_file")
                continue
            if elem.tag == "UAJ":
                uaj = (elem.text or "").strip().upper()
            elif elem.tag == "ELEVE":
                eleve_id = elem.get("ELEVE_ID") or ""
                if eleve_id not in pupils:
                    order.append(eleve_id)
                    if len(order) > max_rows:
                        raise InvalidInput(f"Le fichier dépasse {max_rows} élèves.",
                                           code="too_many_rows")
                pupils[eleve_id] = {child.tag: (child.text or "").strip() for child in elem}
                elem.clear()
            elif elem.tag == "STRUCTURES_ELEVE":
                for structure in elem.iter("STRUCTURE"):
                    if (structure.findtext("TYPE_STRUCTURE") or "").strip() == "D":
                        code = (structure.findtext("CODE_STRUCTURE") or "").strip()
                        if code and code.lower() not in NOT_A_CLASS:
                            divisions[elem.get("ELEVE_ID") or ""] = code
                elem.clear()
    except DefusedXmlException:
        raise InvalidInput("Fichier XML refusé : les déclarations DTD et les entités ne sont pas "
                           "acceptées dans un export SIECLE.", code="forbidden_xml")
    except ParseError as err:
        line = getattr(err, "position", (0, 0))[0]
        raise InvalidInput(f"Fichier XML illisible (ligne {line}).", code="invalid_xml")
    if uaj is None:
        raise InvalidInput("Export SIECLE sans UAJ (PARAMETRES/UAJ) : impossible de vérifier "
                           "l'établissement.", code="uai_missing")
    if not uai or uaj != uai.upper():
        raise InvalidInput(f"Ce fichier SIECLE est celui de l'établissement {uaj[:12]}, pas de "
                           f"{uai or 'cette organisation (sans UAI)'} : aucun élève n'a été importé.",
                           code="uai_mismatch")
    kept = [(i, p) for i, p in ((i, pupils[i]) for i in order)
            if not p.get("DATE_SORTIE") and i in divisions]
    records = {n: f"ELEVE_ID {eleve_id[:20]}" for n, (eleve_id, _) in enumerate(kept, start=1)}
    return RosterFile("siecle_xml", dict(SIECLE_LABELS), _xml_rows(kept, divisions), records,
                      skipped=len(order) - len(kept))


def _xml_rows(kept: list[tuple[str, dict]], divisions: dict[str, str]) -> Iterator[tuple[int, dict]]:
    for number, (eleve_id, pupil) in enumerate(kept, start=1):
        row = {f: pupil.get(tag, "") for tag, f in SIECLE_FIELDS.items()}
        row["division"] = divisions[eleve_id]
        yield number, row

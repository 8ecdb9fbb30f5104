"""Roster lines, pure: who an organisation's learners are.

Two formats, chosen by the organisation's type:

- ``school`` (collège, lycée): the fields of the national pupil base (SIECLE
  export): INE, last name, usage name, first names, sex, birth date
  DD/MM/YYYY, birth INSEE code or country, division (class), MEF code. A
  learner is keyed by INE.
- ``student`` (higher education, continuing education, public service):
  student number, names, birth date, group. Keyed by the student number.

`check_lines` validates every line (errors by line and column, in French) and
hands back learners only when the whole file is valid; `plan_import` compares
them with the stored roster (created, updated, unchanged, left, back);
`matches` is the reconciliation rule (names + birth date) and `one_match`
the single entry an account may be tied to (none or several: refused).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Collection, Iterable

from chalicelib.domain.csv_rows import RowError, header_key
from chalicelib.domain.identity import KEY_NAME_MAX_BYTES, fits_in_key

SCHOOL = "school"
STUDENT = "student"
FORMATS = (SCHOOL, STUDENT)
MAX_REPORTED_ERRORS = 200

# Headers as files write them (compared without case, accents, spaces or punctuation,
# so "Code sexe*" is "code sexe"): SIECLE's CSV extraction ("Nom de famille;Prénom 1;
# Prénom 2;…;Division"), the reference platform's template ("Identifiant unique*;Premier
# prénom*;…;Code sexe*"), common spreadsheet exports, and the English field names.
_ALIASES_COMMON = {
    "nom": "last_name", "nom de famille": "last_name", "nom de naissance": "last_name",
    "last_name": "last_name", "nom d'usage": "usage_name", "nom usage": "usage_name",
    "usage_name": "usage_name", "prénoms": "first_names", "prénom": "first_names",
    "premier prénom": "first_names", "prénom 1": "first_names", "first_names": "first_names",
    "first_name": "first_names", "deuxième prénom": "second_first_name",
    "prénom 2": "second_first_name", "troisième prénom": "third_first_name",
    "prénom 3": "third_first_name",
    "date de naissance": "birth_date", "date de naissance (jj/mm/aaaa)": "birth_date",
    "né(e) le": "birth_date", "birth_date": "birth_date", "sexe": "sex", "code sexe": "sex",
    "sex": "sex",
}
SCHOOL_COLUMNS = {header_key(k): v for k, v in {
    **_ALIASES_COMMON,
    "ine": "learner_id", "identifiant national élève": "learner_id", "identifiant unique": "learner_id",
    "numéro ine": "learner_id", "n° ine": "learner_id", "numéro national": "learner_id",
    "code commune naissance": "birth_insee_code", "code commune de naissance": "birth_insee_code",
    "code insee commune naissance": "birth_insee_code",
    "code insee de naissance": "birth_insee_code", "code insee": "birth_insee_code",
    "birth_insee_code": "birth_insee_code", "pays de naissance": "birth_country",
    "code pays naissance": "birth_country", "code pays de naissance": "birth_country",
    "birth_country": "birth_country",
    "division": "division", "classe": "division", "class": "division",
    "code mef": "mef_code", "mef": "mef_code", "mef_code": "mef_code",
}.items()}
STUDENT_COLUMNS = {header_key(k): v for k, v in {
    **_ALIASES_COMMON,
    "numéro étudiant": "learner_id", "numéro d'étudiant": "learner_id", "n° étudiant": "learner_id",
    "student_number": "learner_id", "matricule": "learner_id",
    "groupe": "division", "group": "division", "formation": "division",
}.items()}
REQUIRED = {
    SCHOOL: {"learner_id", "last_name", "first_names", "sex", "birth_date", "division"},
    STUDENT: {"learner_id", "last_name", "first_names", "birth_date"},
}
# The column to name when a file lacks one (or a line-level message has no header of
# the file to speak of): what a school secretary reads in SIECLE, never a field name.
LABELS = {
    SCHOOL: {"learner_id": "INE", "last_name": "Nom de famille", "usage_name": "Nom d'usage",
             "first_names": "Prénom 1", "second_first_name": "Prénom 2",
             "third_first_name": "Prénom 3", "sex": "Sexe", "birth_date": "Date de naissance",
             "birth_insee_code": "Code commune de naissance",
             "birth_country": "Pays de naissance", "division": "Division", "mef_code": "Code MEF"},
    STUDENT: {"learner_id": "Numéro étudiant", "last_name": "Nom", "usage_name": "Nom d'usage",
              "first_names": "Prénom", "second_first_name": "Deuxième prénom",
              "third_first_name": "Troisième prénom", "sex": "Sexe",
              "birth_date": "Date de naissance", "birth_insee_code": "Code commune de naissance",
              "birth_country": "Pays de naissance", "division": "Groupe", "mef_code": "Code MEF"},
}
COLUMNS = {SCHOOL: SCHOOL_COLUMNS, STUDENT: STUDENT_COLUMNS}
ID_LABEL = {SCHOOL: "INE", STUDENT: "numéro étudiant"}

_INE = re.compile(r"^[0-9]{9}[0-9A-Z][A-Z]$")        # RNIE 10 digits + letter, BEA 9 + 2 letters
_STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9._/-]{1,40}$")
_INSEE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")  # commune code; 99xxx: country code
_MEF = re.compile(r"^[0-9]{11}$")
_NAME_PUNCTUATION = set(" '’-.")
_SEX = {"m": "M", "f": "F", "1": "M", "2": "F", "masculin": "M", "feminin": "F", "h": "M"}
MAX_NAME = 100
MAX_DIVISION = 40


@dataclass(frozen=True, slots=True)
class Learner:
    learner_id: str            # INE (schools) or student number
    last_name: str             # birth name
    first_names: str           # "Léa Marie"
    birth_date: str            # ISO
    usage_name: str = ""
    sex: str = ""
    birth_insee_code: str = ""
    birth_country: str = ""
    division: str = ""         # class / division, or group
    mef_code: str = ""

    @property
    def first_name(self) -> str:
        return self.first_names.split(" ")[0]

    @property
    def birth_place(self) -> str:
        return self.birth_insee_code or self.birth_country


@dataclass
class RosterCheck:
    learners: list[Learner] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)   # the first MAX_REPORTED_ERRORS
    error_count: int = 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)


@dataclass(frozen=True)
class ImportPlan:
    create: list[Learner]
    update: list[Learner]       # changed fields, or back after having left
    leave: list[Learner]        # stored, absent from the file: to mark as having left
    unchanged: int


def check_lines(fmt: str, lines: Iterable[tuple[int, dict]], today: dt.date) -> RosterCheck:
    """Every line checked; `learners` is emptied as soon as one line is wrong
    (nothing is written from an invalid file, so there is no point keeping them)."""
    check = RosterCheck()
    seen: dict[str, int] = {}
    shared: dict[str, str] = {}  # one copy of values many lines repeat (division, MEF, dates...)
    for line, row in lines:
        learner, errors = parse_line(fmt, line, row, today, shared)
        for error in errors:
            check.add(error)
        if learner is None:
            continue
        first = seen.get(learner.learner_id)
        if first is not None:
            code = "duplicate_ine" if fmt == SCHOOL else "duplicate_student_number"
            check.add(RowError(line, "learner_id", code,
                               f"{ID_LABEL[fmt]} {learner.learner_id} déjà présent ligne {first}."))
            continue
        seen[learner.learner_id] = line
        if not check.error_count:
            check.learners.append(learner)
    if check.error_count:
        check.learners = []
    return check


def parse_line(fmt: str, line: int, row: dict, today: dt.date,
               shared: dict[str, str] | None = None) -> tuple[Learner | None, list[RowError]]:
    errors: list[RowError] = []
    one = (lambda v: shared.setdefault(v, v)) if shared is not None else (lambda v: v)

    def fail(column: str, code: str, message: str) -> None:
        errors.append(RowError(line, column, code, message))

    learner_id = _learner_id(fmt, row.get("learner_id", ""), fail)
    last_name = _name(row.get("last_name", ""), "last_name", "nom", True, fail)
    usage_name = _name(row.get("usage_name", ""), "usage_name", "nom d'usage", False, fail)
    given = " ".join(v for v in (row.get("first_names", ""), row.get("second_first_name", ""),
                                 row.get("third_first_name", "")) if v.strip())
    first_names = _name(given, "first_names", "prénom", True, fail)
    birth_date = _birth_date(row.get("birth_date", ""), today, fail)
    sex = _sex(row.get("sex", ""), fmt == SCHOOL, fail)
    insee, country = _birth_place(row.get("birth_insee_code", ""), row.get("birth_country", ""),
                                  fmt == SCHOOL, fail)
    division = _division(row.get("division", ""), fmt == SCHOOL, fail)
    mef = row.get("mef_code", "").replace(" ", "")
    if fmt == SCHOOL and mef and not _MEF.match(mef):  # optional: many extractions omit it
        fail("mef_code", "invalid_mef_code", "Code MEF invalide : 11 chiffres attendus.")
    if errors:
        return None, errors
    return Learner(learner_id=learner_id, last_name=last_name, first_names=first_names,
                   birth_date=one(birth_date), usage_name=usage_name, sex=sex,
                   birth_insee_code=one(insee), birth_country=one(country), division=one(division),
                   mef_code=one(mef) if fmt == SCHOOL else ""), []


def plan_import(existing: dict[str, tuple[Learner, bool]], incoming: list[Learner]) -> ImportPlan:
    """`existing`: learner id -> (stored learner, has left). Re-importing the same
    file changes nothing; learners absent from the file are marked as having left
    (never deleted: their results and certificates still name them)."""
    create, update, unchanged = [], [], 0
    present = set()
    for learner in incoming:
        present.add(learner.learner_id)
        stored = existing.get(learner.learner_id)
        if stored is None:
            create.append(learner)
        elif stored[0] != learner or stored[1]:
            update.append(learner)
        else:
            unchanged += 1
    leave = [stored for i, (stored, left) in sorted(existing.items())
             if i not in present and not left]
    return ImportPlan(create, update, leave, unchanged)


def name_key(text: str) -> str:
    """Names compared without case, accents, spaces or punctuation."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if c.isalpha())


def matches(learner: Learner, first_name: str, last_name: str, birth_date: str) -> bool:
    """Reconciliation: same birth date, last name = birth or usage name, first
    name = one of the first names (or all of them)."""
    if learner.birth_date != birth_date:
        return False
    last = name_key(last_name)
    if not last or last not in {name_key(learner.last_name), name_key(learner.usage_name)}:
        return False
    first = name_key(first_name)
    given = {name_key(n) for n in learner.first_names.split(" ")} | {name_key(learner.first_names)}
    return bool(first) and first in given


class NoMatch(Exception):
    """No active roster entry matches: the caller refuses in its own words."""


class SeveralMatches(Exception):
    """More than one roster entry matches: never guess which one."""


def one_match(candidates: Iterable[Learner], first_name: str, last_name: str, *,
              birth_date: str | None, divisions: Collection[str] = ()) -> Learner:
    """The one roster entry an account is tied to (a learner reconciling, a GAR
    first sign-in). Both callers decide the same way, so the rule lives here:
    names as `matches` compares them; the birth date when it is known, else
    the class must be one of `divisions` (the GAR sends the class, not always a
    birth date); names alone never reconcile. `candidates` are the active
    entries the caller read (by birth date or by class); an entry seen twice
    counts once. Raises NoMatch or SeveralMatches, which the caller turns into
    its own French refusal (and, for learners, a throttled failure)."""
    if birth_date is None and not divisions:
        raise NoMatch()
    found: dict[str, Learner] = {}
    for learner in candidates:
        if birth_date is None and learner.division not in divisions:
            continue
        if matches(learner, first_name, last_name,
                   learner.birth_date if birth_date is None else birth_date):
            found[learner.learner_id] = learner
    if not found:
        raise NoMatch()
    if len(found) > 1:
        raise SeveralMatches()
    return next(iter(found.values()))


# --- field rules -------------------------------------------------------------------------------


def _learner_id(fmt: str, value: str, fail) -> str:
    value = "".join(value.split())
    if fmt == SCHOOL:
        value = value.upper()
        if not value:
            fail("learner_id", "missing_value", "INE manquant.")
        elif not _INE.match(value):
            fail("learner_id", "invalid_ine",
                 "INE invalide : 11 caractères, 10 chiffres et une lettre ou 9 chiffres et deux lettres.")
        return value
    if not value:
        fail("learner_id", "missing_value", "Numéro étudiant manquant.")
    elif not _STUDENT_NUMBER.match(value):
        fail("learner_id", "invalid_student_number",
             "Numéro étudiant invalide : 40 caractères au plus, lettres, chiffres, . _ / -")
    return value


def _name(value: str, column: str, label: str, required: bool, fail) -> str:
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if not value:
        if required:
            fail(column, "missing_value", f"Valeur manquante : {label}.")
        return ""
    if len(value) > MAX_NAME:
        fail(column, "too_long", f"{label.capitalize()} trop long ({MAX_NAME} caractères au plus).")
    elif not fits_in_key(value):  # names go into index keys once normalised
        fail(column, "too_long_normalised",
             f"{label.capitalize()} trop long une fois normalisé ({KEY_NAME_MAX_BYTES} octets au "
             "plus) : vérifiez les caractères.")
    elif not any(c.isalpha() for c in value) or any(
            not (c.isalpha() or c in _NAME_PUNCTUATION) for c in value):
        fail(column, "invalid_name", f"{label.capitalize()} invalide : lettres, espaces, apostrophes "
                                     "et tirets seulement.")
    return value


_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _birth_date(value: str, today: dt.date, fail) -> str:
    """DD/MM/YYYY, DD/MM/YY (SIECLE extractions and spreadsheets shorten years:
    a two-digit year is the latest one not after today, so 14/05/11 is 2011 and
    14/05/98 is 1998) or ISO."""
    value = value.strip()
    if not value:
        fail("birth_date", "missing_value", "Date de naissance manquante.")
        return ""
    parsed = None
    french, iso = _FRENCH_DATE.fullmatch(value), _ISO_DATE.fullmatch(value)
    try:
        if french:
            day, month, year = (int(g) for g in french.groups())
            if len(french.group(3)) == 2:
                year += 2000 if 2000 + year <= today.year else 1900
            parsed = dt.date(year, month, day)
        elif iso:
            parsed = dt.date(*(int(g) for g in iso.groups()))
    except ValueError:
        parsed = None
    if parsed is None:
        fail("birth_date", "invalid_date",
             f"Date de naissance invalide « {value[:20]} » : attendu JJ/MM/AAAA (ex. 14/05/2010).")
        return ""
    if not dt.date(1900, 1, 1) <= parsed <= today:
        fail("birth_date", "date_out_of_range", "Date de naissance invraisemblable.")
        return ""
    return parsed.isoformat()


def _sex(value: str, required: bool, fail) -> str:
    key = name_key(value) or value.strip()
    if not key:
        if required:
            fail("sex", "missing_value", "Sexe manquant (M ou F).")
        return ""
    sex = _SEX.get(key.lower())
    if sex is None:
        fail("sex", "invalid_sex", "Sexe invalide : M ou F attendu.")
        return ""
    return sex


_FRANCE = frozenset({"france", "100", "99100"})


def _birth_place(insee: str, country: str, required: bool, fail) -> tuple[str, str]:
    """A commune code (INSEE, 5 characters) for pupils born in France, which
    national records are matched on; abroad, the country (a name, SIECLE's
    3-digit code or INSEE's 99xxx code, kept as the INSEE country code)."""
    insee, country = insee.strip().upper(), " ".join(country.split())
    if country.isdigit() and len(country) == 3:
        country = "99" + country            # SIECLE CODE_PAYS -> INSEE country code
    in_france = name_key(country) in _FRANCE or country in _FRANCE or (
        not country and bool(insee) and not insee.startswith("99"))
    if insee and not _INSEE.match(insee):
        fail("birth_insee_code", "invalid_insee_code",
             "Code INSEE de naissance invalide : 5 caractères (ex. 75056, 2A004, 99134).")
        return "", country
    if country.isdigit() and not insee:
        insee, country = country, ""        # an INSEE country code given as the country
    if len(country) > 60:
        fail("birth_country", "too_long", "Pays de naissance trop long.")
        country = ""
    if in_france and (not insee or insee.startswith("99")):
        fail("birth_insee_code", "birth_insee_code_missing",
             "Code commune de naissance (INSEE) manquant : obligatoire pour un élève né en France.")
        return "", ""
    if in_france:
        country = ""                        # the commune code says it
    if required and not (insee or country):
        fail("birth_insee_code", "birth_place_missing",
             "Code INSEE de la commune ou pays de naissance manquant.")
    return insee, country


def _division(value: str, required: bool, fail) -> str:
    value = " ".join(value.split())
    if not value:
        if required:
            fail("division", "missing_value", "Division (classe) manquante.")
        return ""
    if len(value) > MAX_DIVISION:
        fail("division", "too_long", f"Division trop longue ({MAX_DIVISION} caractères au plus).")
    return value

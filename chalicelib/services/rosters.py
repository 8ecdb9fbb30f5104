"""Rosters: an organisation's learners, imported from a CSV file, and how a
learner's account is tied to its roster entry (reconciliation).

Import: the file is read line by line (`csv_rows.stream_rows`) and every line
validated before anything is written; an invalid file writes nothing and
answers with the list of errors (line, column, code, French message). A valid
file is compared with the stored roster: only new or changed learners are
written (batch puts), learners missing from the file are marked as having
left (kept: results and certificates still name them), a learner who comes
back is active again. Re-importing the same file writes nothing. Batch writes
are not one transaction: should the function die half-way, importing the same
file again completes it (every write is idempotent).

Figures for a 5,000-line file (time, peak memory): docs/benchmarks-roster.md.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time

from chalicelib.domain import roster, roster_files
from chalicelib.domain.csv_rows import MAX_CSV_BYTES
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services import organizations
from chalicelib.store import organizations as store

MAX_ROSTER_BYTES = MAX_CSV_BYTES      # the HTTP body cap (MAX_BODY_BYTES) applies first
MAX_ROSTER_LINES = 10_000
# Through the upload: a 10,000-pupil ElevesSansAdresses.xml is about 8.5 MB (a zip, ~1 MB);
# figures in docs/benchmarks-roster.md.
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
MAX_UPLOAD_LINES = 30_000
UPLOAD_URL_TTL = 900
UPLOAD_CONTENT_TYPES = ("application/xml", "text/xml", "application/zip",
                        "application/x-zip-compressed", "text/csv", "text/plain",
                        "application/octet-stream")
RECONCILE_FAILURES = (10, 3600)       # wrong attempts per account and hour


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def import_roster(org_id: str, raw: bytes, *, max_bytes: int = MAX_ROSTER_BYTES,
                  max_rows: int = MAX_ROSTER_LINES) -> dict:
    """Import a roster file as the school has it (SIECLE XML plain or zipped,
    SIECLE CSV extraction, spreadsheet export): all or nothing, only changed
    learners written. Raises InvalidInput with the line-level report."""
    org = organizations.require(org_id)
    fmt = organizations.roster_format(org)
    file = roster_files.open_roster_file(raw, fmt, uai=org.uai, max_bytes=max_bytes,
                                         max_rows=max_rows)
    check = roster.check_lines(fmt, file.rows, _today())
    if check.error_count:
        raise _invalid_file(check, file)
    if not check.learners:
        raise InvalidInput("Le fichier ne contient aucun élève à importer.", code="empty_file")
    plan = roster.plan_import(_stored_roster(org_id), check.learners)
    now = int(time.time())
    # generators: records are built 25 at a time, as BatchWriteItem sends them
    store.batch_put(_record(org_id, learner, imported_at=now) for learner in plan.create + plan.update)
    store.batch_put(_record(org_id, learner, imported_at=now, left_at=now) for learner in plan.leave)
    return {"format": fmt, "file": file.kind, "lines": len(check.learners),
            "skipped": file.skipped, "created": len(plan.create), "updated": len(plan.update),
            "unchanged": plan.unchanged, "left": len(plan.leave)}


def _invalid_file(check: roster.RosterCheck, file: roster_files.RosterFile) -> InvalidInput:
    count, shown = check.error_count, len(check.errors)
    detailed = "" if count == shown else f" (les {shown} premières sont détaillées)"
    return InvalidInput(f"Le fichier contient {count} erreur{'s' if count > 1 else ''}{detailed} ; "
                        "aucun apprenant n'a été importé.",
                        code="invalid_file", details=[error_view(e, file) for e in check.errors])


def error_view(error, file: roster_files.RosterFile) -> dict:
    """A line error as the school reads it: the file's own column (or SIECLE
    element) name, and for XML the pupil's ELEVE_ID, never an internal field."""
    view = {"line": error.line, "column": file.label(error.column), "code": error.code,
            "message": error.message}
    if error.line in file.records:
        view["record"] = file.records[error.line]
    return view


# --- large files: upload to S3, import on the upload event -------------------------------------


def start_upload(org_id: str) -> dict:
    """An import announced, and where to post its file: a presigned POST valid
    15 minutes for one key, size-limited. The import runs when the object lands."""
    from chalicelib.store import object_store

    organizations.require(org_id)
    import_id = secrets.token_hex(12)
    store.put_import(org_id, import_id, int(time.time()))
    post = object_store.presigned_upload(upload_key(org_id, import_id), max_bytes=MAX_UPLOAD_BYTES,
                                         content_types=UPLOAD_CONTENT_TYPES,
                                         expires_in=UPLOAD_URL_TTL)
    return {"import_id": import_id, "status": "waiting", "max_bytes": MAX_UPLOAD_BYTES,
            "expires_in": UPLOAD_URL_TTL, "upload": post}


def upload_key(org_id: str, import_id: str) -> str:
    return f"rosters/{org_id}/{import_id}"


def import_upload(key: str) -> dict:
    """Import the object at `key` for the import it names; the outcome (counts,
    or the error with its line-level report) is stored on the import. The file
    is deleted afterwards either way: it holds pupils' personal data."""
    import json

    from chalicelib.store import object_store

    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "rosters" or not store.roster_import(parts[1], parts[2]):
        return {"key": key[:200], "status": "ignored"}     # nobody announced this upload
    org_id, import_id = parts[1], parts[2]
    now = int(time.time())
    store.set_import_status(org_id, import_id, "running", now)
    try:
        raw = object_store.get_roster_upload(key, MAX_UPLOAD_BYTES)
        if raw is None:
            raise InvalidInput(f"Le fichier dépasse {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo.",
                               code="file_too_large")
        outcome = {"status": "done", "result": import_roster(org_id, raw, max_bytes=MAX_UPLOAD_BYTES,
                                                             max_rows=MAX_UPLOAD_LINES)}
    except (InvalidInput, NotFound) as err:
        outcome = {"status": "refused", "error": {"code": err.code, "message": err.message,
                                                   "details": err.details}}
    store.set_import_status(org_id, import_id, outcome["status"], int(time.time()),
                            json.dumps(outcome, ensure_ascii=False))
    object_store.delete_roster_upload(key)
    return {"org_id": org_id, "import_id": import_id, "status": outcome["status"]}


def upload_status(org_id: str, import_id: str) -> dict:
    import json

    organizations.require(org_id)
    rec = store.roster_import(org_id, import_id)
    if rec is None:
        raise NotFound("Import introuvable.", code="import_not_found")
    outcome = json.loads(rec.report) if rec.report else {}
    return {"import_id": rec.import_id, "status": rec.status, "created_at": int(rec.created_at),
            "updated_at": int(rec.updated_at), "result": outcome.get("result"),
            "error": outcome.get("error")}


def _stored_roster(org_id: str) -> dict[str, tuple[roster.Learner, bool]]:
    """learner id -> (learner, has left), read page by page and kept as plain
    learners rather than PynamoDB objects."""
    shared: dict[str, str] = {}
    return {rec.learner_id: (to_learner(rec, shared), rec.left_at is not None)
            for rec in store.all_learners(org_id)}


def list_learners(org_id: str, *, division: str | None, cursor: str | None, limit: int) -> dict:
    organizations.require(org_id)
    if division:
        items = sorted(store.learners_of_division(org_id, division), key=lambda r: r.gsi2sk or "")
        return {"items": [learner_view(r) for r in items], "next_cursor": None}
    items, next_cursor = store.learners_page(org_id, cursor, limit)
    return {"items": [learner_view(r) for r in items], "next_cursor": next_cursor}


def get_learner(org_id: str, learner_id: str) -> dict:
    rec = require_learner(org_id, learner_id)
    return {**learner_view(rec), "reconciled": store.claim_of(org_id, rec.learner_id) is not None}


def require_learner(org_id: str, learner_id: str) -> store.LearnerRecord:
    organizations.require(org_id)
    rec = store.learner(org_id, learner_id) or store.learner(org_id, learner_id.upper())
    if rec is None:
        raise NotFound("Apprenant introuvable.", code="learner_not_found")
    return rec


def active_learners(org_id: str, *, division: str | None = None,
                    learner_ids: list[str] | None = None) -> list[store.LearnerRecord]:
    """Learners still in the organisation, of a division or by id (unknown ids are refused)."""
    if division:
        found = [r for r in store.learners_of_division(org_id, division) if r.left_at is None]
        if not found:
            raise NotFound(f"Aucun apprenant dans la division « {division[:40]} ».",
                           code="division_not_found")
        return found
    records, unknown = [], []
    for learner_id in dict.fromkeys(learner_ids or []):
        rec = store.learner(org_id, learner_id)
        (records.append(rec) if rec is not None and rec.left_at is None else unknown.append(learner_id))
    if unknown:
        raise NotFound("Apprenant introuvable ou parti.", code="learner_not_found",
                       details={"learner_ids": unknown[:50]})
    return records


# --- reconciliation ------------------------------------------------------------------------------


def linked_learner(org_id: str, user_id: str) -> store.LearnerRecord | None:
    link = store.link_of(org_id, user_id)
    return store.learner(org_id, link.learner_id) if link else None


def reconcile(org_id: str, user_id: str, first_name: str, last_name: str, birth_date: dt.date) -> dict:
    """Tie an account to the roster entry with these names and birth date."""
    from chalicelib.services import throttle

    current = linked_learner(org_id, user_id)
    if current is not None:
        if roster.matches(to_learner(current), first_name, last_name, birth_date.isoformat()):
            return _reconciled_view(org_id, current)
        raise Conflict("Votre compte est déjà rattaché à un autre apprenant de cette organisation.",
                       code="already_reconciled")
    key = f"reconcile:{user_id}"
    throttle.peek(key, *RECONCILE_FAILURES)
    records = {r.learner_id: r for r in store.learners_born(org_id, birth_date.isoformat())
               if r.left_at is None}
    try:
        learner = roster.one_match(map(to_learner, records.values()), first_name, last_name,
                                   birth_date=birth_date.isoformat())
    except roster.NoMatch:
        throttle.hit(key, *RECONCILE_FAILURES)
        raise NotFound("Aucun apprenant de cette organisation ne correspond à ces nom, prénom et "
                       "date de naissance. Vérifiez-les ou contactez votre établissement.",
                       code="learner_not_found")
    except roster.SeveralMatches:
        raise Conflict("Plusieurs apprenants correspondent : contactez votre établissement.",
                       code="ambiguous_learner")
    try:
        store.put_link(org_id, user_id, learner.learner_id, int(time.time()))
    except store.Conflicting:
        raise Conflict("Cet apprenant est déjà rattaché à un autre compte : contactez votre "
                       "établissement.", code="learner_already_reconciled")
    return _reconciled_view(org_id, records[learner.learner_id])


def create_account(org_id: str, learner_id: str) -> dict:
    """An account (username, no e-mail) for a pupil, already reconciled. The
    temporary password is shown once; the school hands it to the pupil."""
    from chalicelib.services import accounts

    rec = require_learner(org_id, learner_id)
    if rec.left_at is not None:
        raise Conflict("Cet apprenant a quitté l'organisation.", code="learner_left")
    if store.claim_of(org_id, rec.learner_id) is not None:
        raise Conflict("Cet apprenant a déjà un compte rattaché.", code="learner_already_reconciled")
    password = temporary_password()
    user = accounts.register(first_name=rec.first_names.split(" ")[0],
                             last_name=rec.usage_name or rec.last_name, password=password,
                             birth_date=dt.date.fromisoformat(rec.birth_date), accepted_terms=False,
                             created_by_org=org_id)
    try:
        store.put_link(org_id, user.id, rec.learner_id, int(time.time()))
    except store.Conflicting:
        accounts.erase_account(user.id)
        raise Conflict("Cet apprenant a déjà un compte rattaché.", code="learner_already_reconciled")
    return {"learner_id": rec.learner_id, "user_id": user.id, "username": user.username,
            "temporary_password": password}


def temporary_password() -> str:
    """10 characters from letters and digits without look-alikes, with each class."""
    upper, lower, digits = "BCDFGHJKMPQRTVWXY", "bcdfghjkmnpqrstvwxyz", "2346789"
    chars = [secrets.choice(upper), secrets.choice(lower), secrets.choice(digits)]
    chars += [secrets.choice(upper + lower + digits) for _ in range(7)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _reconciled_view(org_id: str, rec: store.LearnerRecord) -> dict:
    """Only what the person typed, confirmed (issue 13, point 10): whoever
    knows a pupil's names and birth date must not learn the INE or the class
    by reconciling; the school sees them, the pupil does not need them."""
    return {"org_id": org_id, "reconciled": True, "first_name": rec.first_names.split(" ")[0],
            "last_name": rec.usage_name or rec.last_name}


# --- records and views ---------------------------------------------------------------------------


def to_learner(rec: store.LearnerRecord, shared: dict[str, str] | None = None) -> roster.Learner:
    one = (lambda v: shared.setdefault(v, v)) if shared is not None else (lambda v: v)
    return roster.Learner(learner_id=rec.learner_id, last_name=rec.last_name,
                          first_names=rec.first_names, birth_date=one(rec.birth_date),
                          usage_name=rec.usage_name or "", sex=one(rec.sex or ""),
                          birth_insee_code=one(rec.birth_insee_code or ""),
                          birth_country=one(rec.birth_country or ""),
                          division=one(rec.division or ""), mef_code=one(rec.mef_code or ""))


def _record(org_id: str, learner: roster.Learner, *, imported_at: int,
            left_at: int | None = None) -> store.LearnerRecord:
    rec = store.LearnerRecord(
        store.org_key(org_id), f"LEARNER#{learner.learner_id}", learner_id=learner.learner_id,
        last_name=learner.last_name, usage_name=learner.usage_name,
        first_names=learner.first_names, birth_date=learner.birth_date, sex=learner.sex,
        birth_insee_code=learner.birth_insee_code, birth_country=learner.birth_country,
        division=learner.division, mef_code=learner.mef_code, imported_at=imported_at,
        left_at=left_at,
        gsi1pk=f"ORGBIRTH#{org_id}#{learner.birth_date}", gsi1sk=f"LEARNER#{learner.learner_id}")
    if learner.division:
        rec.gsi2pk = f"ORGDIV#{org_id}#{learner.division}"
        rec.gsi2sk = (f"{roster.name_key(learner.last_name)}#{roster.name_key(learner.first_names)}"
                      f"#{learner.learner_id}")
    return rec


def learner_view(rec: store.LearnerRecord) -> dict:
    return {"learner_id": rec.learner_id, "last_name": rec.last_name,
            "usage_name": rec.usage_name or None, "first_names": rec.first_names,
            "birth_date": rec.birth_date, "sex": rec.sex or None,
            "birth_insee_code": rec.birth_insee_code or None,
            "birth_country": rec.birth_country or None, "division": rec.division or None,
            "mef_code": rec.mef_code or None, "left": rec.left_at is not None}


# --- personal data (RGPD) ------------------------------------------------------------------------


def export_links(user_id: str) -> list[dict]:
    return [{"org_id": link.pk.removeprefix("ORG#"), "learner_id": link.learner_id,
             "linked_at": int(link.linked_at)} for link in store.links_of_user(user_id)]


def erase_links(user_id: str) -> None:
    for link in store.links_of_user(user_id):
        store.delete_link(link)

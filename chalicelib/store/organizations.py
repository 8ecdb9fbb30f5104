"""Organisations, rosters and campaigns in one table; the only code that touches it.

Access patterns (pk / sk; indexes in brackets)
- organisation:      ORG#<o> / ORG                 [gsi1 ORGS / <created>#<o>: admin listing]
- UAI, unique:       UAI#<uai> / UAI               (put with the organisation, both conditional)
- learner (roster):  ORG#<o> / LEARNER#<id>        id = INE or student number
                     [gsi1 ORGBIRTH#<o>#<birth date> / LEARNER#<id>: reconciliation; a GSI
                     lags its table a little: a pupil imported a second ago may not match yet]
                     [gsi2 ORGDIV#<o>#<division> / <name key>#<id>: a class, for enrolment]
- reconciliation:    ORG#<o> / USER#<u> -> learner id, and ORG#<o> / CLAIM#<learner id> -> user,
                     written together, both conditional: one account per learner and per org.
                     The link lives apart from the learner item so a re-import (batch puts of
                     whole learner items) can never erase it. [gsi1 USER#<u> / LINK#<o>: RGPD]
- campaign:          ORG#<o> / CAMPAIGN#<c>
- certification:     ORG#<o> / CERTSESSION#<s>    a session the school enrolled pupils in (its
                     certification page lists them; the session itself lives in the
                     certification table) [gsi2 ORGCERT#<o> / <date>#<time>#<s>: the school's
                     sessions a page at a time, latest first]
- campaign code:     CODE#<code> / CODE -> org, campaign (put with the campaign: unique)
- participation:     CAMPAIGN#<c> / PART#<u>        written at join and at share, never per answer
                     [gsi1 USER#<u> / PART#<joined>#<c>: "my campaigns"]
- shared result:     CAMPAIGN#<c> / RESULT#<shared at ms>#<u>, written once at share: the
                     results listing and the CSV export are one Query on this prefix, in
                     sharing order (a result shared during an export lands after the cursor).

Hot keys: a campaign's partition takes two writes per participant in its
whole life (join, share) plus the result; answers write only the learner's
own positioning item (assessments table). A roster import writes one item
per new or changed learner into the organisation's partition, in batches.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Iterable, Iterator

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.campaigns import Campaign, Participation, SharedResult
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.organization import Organization
from chalicelib.store.tables import OrganizationsTable
from chalicelib.store.writes import Conflicting, get_or_none, put_all_new, put_new, update  # noqa: F401


class OrganizationRecord(OrganizationsTable):
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    uai = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class UaiRecord(OrganizationsTable):
    org_id = UnicodeAttribute()


class LearnerRecord(OrganizationsTable):
    learner_id = UnicodeAttribute()
    last_name = UnicodeAttribute()
    usage_name = UnicodeAttribute(default="")
    first_names = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    sex = UnicodeAttribute(default="")
    birth_insee_code = UnicodeAttribute(default="")
    birth_country = UnicodeAttribute(default="")
    division = UnicodeAttribute(default="")
    mef_code = UnicodeAttribute(default="")
    imported_at = NumberAttribute()
    left_at = NumberAttribute(null=True)


class RosterImportRecord(OrganizationsTable):
    """ORG#o / IMPORT#<id>: an uploaded roster file and its outcome (the line-level report)."""
    import_id = UnicodeAttribute()
    status = UnicodeAttribute()            # waiting | running | done | refused
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    report = UnicodeAttribute(null=True)   # JSON: the import's counts, or the error with its lines


class LinkRecord(OrganizationsTable):
    """ORG#o / USER#u: the roster entry this account reconciled with."""
    user_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()
    linked_at = NumberAttribute()


class ClaimRecord(OrganizationsTable):
    """ORG#o / CLAIM#<learner id>: the account that reconciled with this learner."""
    user_id = UnicodeAttribute()
    learner_id = UnicodeAttribute()


class CertSessionRecord(OrganizationsTable):
    """ORG#o / CERTSESSION#<session id>: the school enrolled pupils in this session."""
    session_id = UnicodeAttribute()
    enrolled_at = NumberAttribute()


class CampaignRecord(OrganizationsTable):
    campaign_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    code = UnicodeAttribute()
    name = UnicodeAttribute()
    type = UnicodeAttribute()
    competences = ListAttribute(of=UnicodeAttribute, default=list)
    skills = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = NumberAttribute()
    created_by = UnicodeAttribute(null=True)


class CampaignCodeRecord(OrganizationsTable):
    org_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()


class ParticipationRecord(OrganizationsTable):
    campaign_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    learner_id = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    division = UnicodeAttribute(default="")
    joined_at = NumberAttribute()
    shared_at = NumberAttribute(null=True)   # epoch ms


class ResultRecord(OrganizationsTable):
    campaign_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    learner_id = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    division = UnicodeAttribute(default="")
    shared_at = NumberAttribute()            # epoch ms
    progress = NumberAttribute()
    mastery = NumberAttribute(null=True)
    total_pix = NumberAttribute()
    certifiable = BooleanAttribute()
    competences = UnicodeAttribute()         # JSON {code: [pix, level]}: compact, read as a whole


# --- keys and cursors ----------------------------------------------------------------------------


def org_key(org_id: str) -> str:
    return f"ORG#{org_id}"


def result_sk(shared_at_ms: int, user_id: str) -> str:
    return f"RESULT#{shared_at_ms:015d}#{user_id}"


def encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(sk.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, prefix: str) -> str | None:
    """The sort key a page starts after. Only the sort key travels: the partition
    key is always rebuilt from the URL, so a cursor cannot reach another
    organisation's or campaign's items."""
    if not cursor:
        return None
    try:
        sk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        sk = ""
    if not sk.startswith(prefix) or len(sk) > 300:
        raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
    return sk


def _page(model, pk: str, prefix: str, cursor: str | None, limit: int) -> tuple[list, str | None]:
    start = decode_cursor(cursor, prefix)
    kwargs = {"limit": limit + 1, "consistent_read": False}
    if start:
        kwargs["last_evaluated_key"] = {"pk": {"S": pk}, "sk": {"S": start}}
    items = list(model.query(pk, model.sk.startswith(prefix), **kwargs))
    if len(items) > limit:
        return items[:limit], encode_cursor(items[limit - 1].sk)
    return items, None


# --- writes --------------------------------------------------------------------------------------


def batch_put(records: Iterable) -> None:
    """BatchWriteItem by 25 (PynamoDB retries unprocessed items with backoff). A
    generator is consumed lazily: only one batch of records exists at a time."""
    with OrganizationsTable.batch_write() as batch:
        for rec in records:
            batch.save(rec)


def batch_delete(records: list) -> None:
    if not records:
        return
    with OrganizationsTable.batch_write() as batch:
        for rec in records:
            batch.delete(rec)


# --- organisations -------------------------------------------------------------------------------


def _organization(rec: OrganizationRecord) -> Organization:
    return Organization(org_id=rec.org_id, name=rec.name, type=rec.type, uai=rec.uai,
                        created_at=int(rec.created_at))


def _organization_record(org_id: str) -> OrganizationRecord | None:
    return get_or_none(OrganizationRecord, org_key(org_id), "ORG", consistent=False)


def organization(org_id: str) -> Organization | None:
    rec = _organization_record(org_id)
    return _organization(rec) if rec is not None else None


def create_organization(org: Organization) -> None:
    """The organisation and its UAI claim, both or neither: Conflicting when the
    UAI already belongs to an organisation."""
    rec = OrganizationRecord(org_key(org.org_id), "ORG", org_id=org.org_id, name=org.name,
                             type=org.type, uai=org.uai, created_at=org.created_at,
                             gsi1pk="ORGS", gsi1sk=f"{org.created_at:012d}#{org.org_id}")
    put_all_new([rec] + ([UaiRecord(f"UAI#{org.uai}", "UAI", org_id=org.org_id)] if org.uai else []))


def organizations_page(cursor: str | None, limit: int) -> tuple[list[Organization], str | None]:
    """Oldest first; the cursor is the last organisation's id."""
    start = decode_cursor(cursor, "")
    kwargs = {"limit": limit + 1}
    if start:
        org = _organization_record(start)
        if org is None:
            raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
        kwargs["last_evaluated_key"] = {"pk": {"S": org.pk}, "sk": {"S": org.sk},
                                        "gsi1pk": {"S": org.gsi1pk}, "gsi1sk": {"S": org.gsi1sk}}
    items = [_organization(rec) for rec in OrganizationRecord.gsi1.query("ORGS", **kwargs)]
    if len(items) > limit:
        return items[:limit], encode_cursor(items[limit - 1].org_id)
    return items, None


# --- rosters -------------------------------------------------------------------------------------


def learner(org_id: str, learner_id: str) -> LearnerRecord | None:
    return get_or_none(LearnerRecord, org_key(org_id), f"LEARNER#{learner_id}")


def all_learners(org_id: str) -> Iterator[LearnerRecord]:
    """The whole roster (an import compares the file with it), page by page."""
    return LearnerRecord.query(org_key(org_id), LearnerRecord.sk.startswith("LEARNER#"),
                               consistent_read=True)


def learners_by_id(org_id: str, learner_ids: list[str]) -> dict[str, LearnerRecord]:
    """BatchGetItem (PynamoDB splits it by 100 keys): the roster entries of one page."""
    keys = [(org_key(org_id), f"LEARNER#{i}") for i in dict.fromkeys(learner_ids)]
    return {r.learner_id: r for r in LearnerRecord.batch_get(keys)} if keys else {}


def org_of_uai(uai: str) -> str | None:
    link = get_or_none(UaiRecord, f"UAI#{uai}", "UAI", consistent=False)
    return link.org_id if link else None


def learners_page(org_id: str, cursor: str | None, limit: int) -> tuple[list[LearnerRecord], str | None]:
    return _page(LearnerRecord, org_key(org_id), "LEARNER#", cursor, limit)


def learners_of_division(org_id: str, division: str) -> list[LearnerRecord]:
    return list(LearnerRecord.gsi2.query(f"ORGDIV#{org_id}#{division}"))


def learners_born(org_id: str, birth_date: str) -> list[LearnerRecord]:
    return list(LearnerRecord.gsi1.query(f"ORGBIRTH#{org_id}#{birth_date}"))


def put_import(org_id: str, import_id: str, now: int) -> None:
    put_new(RosterImportRecord(org_key(org_id), f"IMPORT#{import_id}", import_id=import_id,
                               status="waiting", created_at=now, updated_at=now))


def roster_import(org_id: str, import_id: str) -> RosterImportRecord | None:
    return get_or_none(RosterImportRecord, org_key(org_id), f"IMPORT#{import_id}")


def set_import_status(org_id: str, import_id: str, status: str, now: int,
                      report: str | None = None) -> bool:
    """False when the import was never announced (an object nobody asked to upload)."""
    rec = RosterImportRecord(org_key(org_id), f"IMPORT#{import_id}")
    actions = [RosterImportRecord.status.set(status), RosterImportRecord.updated_at.set(now)]
    if report is not None:
        actions.append(RosterImportRecord.report.set(report))
    try:
        update(rec, actions, condition=RosterImportRecord.pk.exists())
        return True
    except Conflicting:
        return False


def link_of(org_id: str, user_id: str) -> LinkRecord | None:
    return get_or_none(LinkRecord, org_key(org_id), f"USER#{user_id}")


def claim_of(org_id: str, learner_id: str) -> ClaimRecord | None:
    return get_or_none(ClaimRecord, org_key(org_id), f"CLAIM#{learner_id}")


def links_of_user(user_id: str) -> list[LinkRecord]:
    return list(LinkRecord.gsi1.query(f"USER#{user_id}", LinkRecord.gsi1sk.startswith("LINK#")))


def put_link(org_id: str, user_id: str, learner_id: str, now: int) -> None:
    """Both sides of a reconciliation, or neither (Conflicting)."""
    put_all_new([
        LinkRecord(org_key(org_id), f"USER#{user_id}", user_id=user_id, learner_id=learner_id,
                   linked_at=now, gsi1pk=f"USER#{user_id}", gsi1sk=f"LINK#{org_id}"),
        ClaimRecord(org_key(org_id), f"CLAIM#{learner_id}", user_id=user_id, learner_id=learner_id),
    ])


def delete_link(link: LinkRecord) -> None:
    batch_delete([link, ClaimRecord(link.pk, f"CLAIM#{link.learner_id}")])


# --- campaigns -----------------------------------------------------------------------------------


def _campaign(rec: CampaignRecord) -> Campaign:
    return Campaign(campaign_id=rec.campaign_id, org_id=rec.org_id, code=rec.code, name=rec.name,
                    type=rec.type, competences=tuple(rec.competences or ()),
                    skills=tuple(rec.skills or ()), created_at=int(rec.created_at),
                    created_by=rec.created_by)


def _participation(rec: ParticipationRecord) -> Participation:
    return Participation(campaign_id=rec.campaign_id, org_id=rec.org_id, user_id=rec.user_id,
                         learner_id=rec.learner_id, first_name=rec.first_name,
                         last_name=rec.last_name, division=rec.division or "",
                         joined_at=int(rec.joined_at),
                         shared_at=None if rec.shared_at is None else int(rec.shared_at))


def _result(rec: ResultRecord) -> SharedResult:
    return SharedResult(campaign_id=rec.campaign_id, user_id=rec.user_id, learner_id=rec.learner_id,
                        first_name=rec.first_name, last_name=rec.last_name,
                        division=rec.division or "", shared_at=int(rec.shared_at),
                        progress=int(rec.progress),
                        mastery=None if rec.mastery is None else int(rec.mastery),
                        total_pix=int(rec.total_pix), certifiable=bool(rec.certifiable),
                        competences=_competences_of(rec))


def _campaign_pk(campaign_id: str) -> str:
    return f"CAMPAIGN#{campaign_id}"


def _part_sk(user_id: str) -> str:
    return f"PART#{user_id}"


def campaign(org_id: str, campaign_id: str) -> Campaign | None:
    rec = get_or_none(CampaignRecord, org_key(org_id), f"CAMPAIGN#{campaign_id}", consistent=False)
    return _campaign(rec) if rec is not None else None


def campaigns_of(org_id: str) -> list[Campaign]:
    return [_campaign(rec) for rec in
            CampaignRecord.query(org_key(org_id), CampaignRecord.sk.startswith("CAMPAIGN#"))]


def campaign_by_code(code: str) -> Campaign | None:
    link = get_or_none(CampaignCodeRecord, f"CODE#{code}", "CODE", consistent=False)
    return campaign(link.org_id, link.campaign_id) if link else None


def create_campaign(new: Campaign) -> None:
    """The campaign and its code claim, both or neither: Conflicting when the
    code is already taken (the caller draws another)."""
    rec = CampaignRecord(org_key(new.org_id), f"CAMPAIGN#{new.campaign_id}",
                         campaign_id=new.campaign_id, org_id=new.org_id, code=new.code, name=new.name,
                         type=new.type, competences=list(new.competences), skills=list(new.skills),
                         created_at=new.created_at, created_by=new.created_by)
    put_all_new([rec, CampaignCodeRecord(f"CODE#{new.code}", "CODE", org_id=new.org_id,
                                         campaign_id=new.campaign_id)])


def create_participation(new: Participation) -> Participation:
    """Once per user and campaign: a racing or retried join gets the participation
    already written."""
    rec = ParticipationRecord(
        _campaign_pk(new.campaign_id), _part_sk(new.user_id), campaign_id=new.campaign_id,
        org_id=new.org_id, user_id=new.user_id, learner_id=new.learner_id,
        first_name=new.first_name, last_name=new.last_name, division=new.division,
        joined_at=new.joined_at, gsi1pk=f"USER#{new.user_id}",
        gsi1sk=f"PART#{new.joined_at:012d}#{new.campaign_id}")
    try:
        put_new(rec)
    except Conflicting:
        return participation(new.campaign_id, new.user_id)
    return new


def save_result(result: SharedResult) -> None:
    """The frozen result of a shared participation (idempotent: same key, same item)."""
    save_results([result])


def save_results(results: Iterable[SharedResult]) -> None:
    """Batch writes of frozen results (scripts/bench_roster.py seeds thousands)."""
    batch_put(ResultRecord(
        _campaign_pk(r.campaign_id), result_sk(r.shared_at, r.user_id), campaign_id=r.campaign_id,
        user_id=r.user_id, learner_id=r.learner_id, first_name=r.first_name, last_name=r.last_name,
        division=r.division or "", shared_at=r.shared_at, progress=r.progress, mastery=r.mastery,
        total_pix=r.total_pix, certifiable=r.certifiable,
        competences=competences_json(r.competences)) for r in results)


def forget_participations_of_user(user_id: str) -> None:
    """RGPD erasure: the user's participations and their shared results."""
    doomed = []
    for part in participations_of_user(user_id):
        pk = _campaign_pk(part.campaign_id)
        doomed.append(ParticipationRecord(pk, _part_sk(user_id)))
        if part.shared_at is not None:
            doomed.append(ResultRecord(pk, result_sk(part.shared_at, user_id)))
    batch_delete(doomed)


def participation(campaign_id: str, user_id: str) -> Participation | None:
    rec = get_or_none(ParticipationRecord, _campaign_pk(campaign_id), _part_sk(user_id))
    return _participation(rec) if rec is not None else None


def participations_of_user(user_id: str) -> list[Participation]:
    return [_participation(rec) for rec in ParticipationRecord.gsi1.query(
        f"USER#{user_id}", ParticipationRecord.gsi1sk.startswith("PART#"))]


def mark_shared(campaign_id: str, user_id: str, shared_at_ms: int) -> None:
    """Once only: a second share (or a retried one) loses with Conflicting."""
    update(ParticipationRecord(_campaign_pk(campaign_id), _part_sk(user_id)),
           [ParticipationRecord.shared_at.set(shared_at_ms)],
           condition=ParticipationRecord.pk.exists() & ParticipationRecord.shared_at.does_not_exist())


def result(campaign_id: str, shared_at_ms: int, user_id: str) -> SharedResult | None:
    rec = get_or_none(ResultRecord, _campaign_pk(campaign_id), result_sk(shared_at_ms, user_id))
    return _result(rec) if rec is not None else None


def results_page(campaign_id: str, cursor: str | None,
                 limit: int) -> tuple[list[SharedResult], str | None]:
    items, next_cursor = _page(ResultRecord, _campaign_pk(campaign_id), "RESULT#", cursor, limit)
    return [_result(rec) for rec in items], next_cursor


def competences_json(competences: dict[str, tuple[int, int]]) -> str:
    return json.dumps({k: list(v) for k, v in competences.items()}, separators=(",", ":"))


def _competences_of(record: ResultRecord) -> dict[str, tuple[int, int]]:
    return {k: (int(v[0]), int(v[1])) for k, v in json.loads(record.competences or "{}").items()}


def participations_of_campaign(campaign_id: str) -> Iterator[Participation]:
    """Every participation of a campaign (joined, shared or not), page by page:
    the school's follow-up reads names, class and dates, never answers."""
    return map(_participation, ParticipationRecord.query(
        _campaign_pk(campaign_id), ParticipationRecord.sk.startswith("PART#"), consistent_read=False))


def all_results(campaign_id: str) -> Iterator[SharedResult]:
    """Every shared result of a campaign, page by page (the class profile aggregates them)."""
    return map(_result, ResultRecord.query(_campaign_pk(campaign_id), ResultRecord.sk.startswith("RESULT#"),
                                           consistent_read=False))


def is_linked(org_id: str, user_id: str) -> bool:
    """Whether the account reconciled with a roster entry of the organisation."""
    return link_of(org_id, user_id) is not None


def claimed_learners(org_id: str, learner_ids: list[str]) -> set[str]:
    """The learners among `learner_ids` tied to an account, by BatchGetItem (100 keys a call)."""
    keys = [(org_key(org_id), f"CLAIM#{learner_id}") for learner_id in dict.fromkeys(learner_ids)]
    return {rec.learner_id for rec in ClaimRecord.batch_get(keys)} if keys else set()


def learners_by_id(org_id: str, learner_ids: list[str]) -> dict[str, LearnerRecord]:
    """Roster entries by id, by BatchGetItem (100 keys a call); unknown ids are absent."""
    keys = [(org_key(org_id), f"LEARNER#{learner_id}") for learner_id in dict.fromkeys(learner_ids)]
    return {rec.learner_id: rec for rec in LearnerRecord.batch_get(keys)} if keys else {}


def note_certification_session(org_id: str, session_id: str, date: str, time: str, now: int) -> None:
    """Idempotent: enrolling again in the same session rewrites the same item
    (and gives a note written before the index its index keys)."""
    batch_put([CertSessionRecord(org_key(org_id), f"CERTSESSION#{session_id}", session_id=session_id,
                                 enrolled_at=now, gsi2pk=f"ORGCERT#{org_id}",
                                 gsi2sk=f"{date}#{time}#{session_id}")])


def certification_notes_without_index() -> Iterator[tuple[str, str]]:
    """(org id, session id) of the notes written before the gsi2 index existed.

    A Scan, so never on a request: only the one-off migration
    (scripts/backfill_school_sessions.py) reads it, once per deployment."""
    notes = CertSessionRecord.scan(CertSessionRecord.sk.startswith("CERTSESSION#")
                                   & CertSessionRecord.gsi2pk.does_not_exist())
    for note in notes:
        yield note.pk.removeprefix("ORG#"), note.session_id


def index_certification_note(org_id: str, session_id: str, date: str, time: str) -> bool:
    """Give an old note its index keys, keeping its enrolment time; False when
    the note is gone or already indexed (a rerun, or an enrolment meanwhile)."""
    note = CertSessionRecord(org_key(org_id), f"CERTSESSION#{session_id}")
    try:
        update(note, [CertSessionRecord.gsi2pk.set(f"ORGCERT#{org_id}"),
                      CertSessionRecord.gsi2sk.set(f"{date}#{time}#{session_id}")],
               condition=CertSessionRecord.pk.exists() & CertSessionRecord.gsi2pk.does_not_exist())
    except Conflicting:
        return False
    return True


_CERT_SESSION_SK = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}#[0-9]{2}:[0-9]{2}#([0-9a-f]{1,64})$")


def certification_sessions_page(org_id: str, cursor: str | None,
                                limit: int) -> tuple[list[CertSessionRecord], str | None]:
    """A page of the sessions the school enrolled pupils in, latest date first
    (gsi2): one bounded Query whatever the school's history. Only the index
    sort key travels in the cursor; the partition is rebuilt from the URL."""
    start = decode_cursor(cursor, "")
    kwargs = {"limit": limit + 1, "page_size": limit + 1, "scan_index_forward": False}
    if start is not None:
        found = _CERT_SESSION_SK.match(start)
        if found is None:
            raise InvalidInput("Curseur de pagination invalide.", code="invalid_cursor")
        kwargs["last_evaluated_key"] = {
            "pk": {"S": org_key(org_id)}, "sk": {"S": f"CERTSESSION#{found.group(1)}"},
            "gsi2pk": {"S": f"ORGCERT#{org_id}"}, "gsi2sk": {"S": start}}
    items = list(CertSessionRecord.gsi2.query(f"ORGCERT#{org_id}", **kwargs))
    if len(items) > limit:
        return items[:limit], encode_cursor(items[limit - 1].gsi2sk)
    return items, None

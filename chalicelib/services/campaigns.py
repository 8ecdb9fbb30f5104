"""Campaigns: an organisation asks its learners to be positioned on a target
profile (assessment) or to share their current profile (profile collection).

The learner types the campaign code, reconciles with the roster when the
organisation is a school, joins, takes the positioning tests of the target
competences (the ordinary positioning engine: what they already did counts),
then shares. Nothing reaches the organisation before sharing: sharing writes
a frozen snapshot of the results, and the organisation only ever reads
snapshots.

Writes per participant: the participation at join, its `shared_at` and the
result snapshot at share. Answers never touch a campaign item; progress is
computed from the learner's own positioning state when the learner asks.

Results export: paged, not S3. The organisation reads snapshots, one Query
per page on the campaign's RESULT# prefix, so a page costs the same whatever
the campaign's size: 1,000 rows are ~250 KB of CSV and well under a second,
far from API Gateway's 29 s and Lambda's 6 MB, and 6,000 participants are 6
calls of a loop the portal already has for JSON. Writing a file to S3 would
add a bucket, an asynchronous job, a status route and signed URLs (and their
expiry and access rules) for a problem the snapshots already removed. Each
page is UTF-8, `;`-separated; the first starts with the BOM and the header,
the next ones are bare lines, so the pages concatenated are one valid file for
a French spreadsheet. The next page is named by the `X-Next-Cursor` header and
a `Link: <…>; rel="next"` header; no header means the last page. Rows come in
sharing order: a result shared during an export lands after the cursor, so
the loop picks it up instead of shifting pages.
"""
from __future__ import annotations

import datetime as dt
import secrets
import time
import uuid
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.bank.loader import get_bank
from chalicelib.config import settings
from chalicelib.domain import campaigns as domain
from chalicelib.domain.codes import DIGITS, LETTERS, normalise_code
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.framework import COMPETENCE_BY_CODE, COMPETENCES
from chalicelib.domain.knowledge import knowledge_elements, skills_tested
from chalicelib.services import organizations, rosters
from chalicelib.store import organizations as store

_CONFIG = ConfigDict(extra="forbid", defer_build=True, str_strip_whitespace=True, str_max_length=200)
JSON_PAGE = (50, 200)       # default, maximum
CSV_PAGE = (1000, 2000)


class CampaignType(str, Enum):
    ASSESSMENT = domain.ASSESSMENT
    PROFILE_COLLECTION = domain.PROFILE_COLLECTION


class CampaignInput(BaseModel):
    model_config = _CONFIG
    name: str = Field(min_length=1, max_length=200)
    type: CampaignType
    competences: list[str] = Field(default_factory=list, max_length=16)
    tubes: list[str] = Field(default_factory=list, max_length=300)
    skills: list[str] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _target_matches_type(self):
        has_target = bool(self.competences or self.tubes or self.skills)
        if self.type is CampaignType.ASSESSMENT and not has_target:
            raise ValueError("une campagne d'évaluation a un profil cible (competences, tubes ou skills)")
        if self.type is CampaignType.PROFILE_COLLECTION and has_target:
            raise ValueError("une collecte de profils porte sur les 16 compétences : pas de profil cible")
        return self


@dataclass(frozen=True)
class CsvPage:
    text: str
    next_cursor: str | None
    filename: str


# --- organisation side ---------------------------------------------------------------------------


def create(org_id: str, data: CampaignInput, by: str | None) -> dict:
    organizations.require(org_id)
    if data.type is CampaignType.ASSESSMENT:
        target = domain.resolve_target(get_bank(), competences=data.competences, tubes=data.tubes,
                                       skills=data.skills, max_level=settings().max_reachable_level)
        competences, skills = list(target.competences), list(target.skills)
    else:
        competences, skills = [c.code for c in COMPETENCES], []
    campaign_id = uuid.uuid4().hex[:16]
    for _ in range(10):
        code = campaign_code()
        campaign = domain.Campaign(campaign_id=campaign_id, org_id=org_id, code=code, name=data.name,
                                   type=data.type.value, competences=tuple(competences),
                                   skills=tuple(skills), created_at=int(time.time()), created_by=by)
        try:
            store.create_campaign(campaign)
            return campaign_view(campaign, with_skills=True)
        except store.Conflicting:
            continue  # code already used: draw another
    raise Conflict("Impossible d'attribuer un code de campagne ; réessayez.",
                   code="campaign_code_exhausted")


def campaign_code() -> str:
    """6 letters + 3 digits without look-alikes, e.g. "BCDFGH234" (8.3 billion codes)."""
    return ("".join(secrets.choice(LETTERS) for _ in range(6))
            + "".join(secrets.choice(DIGITS) for _ in range(3)))


def list_for_org(org_id: str) -> dict:
    organizations.require(org_id)
    items = sorted(store.campaigns_of(org_id), key=lambda c: -c.created_at)
    return {"items": [campaign_view(r) for r in items]}


def get(org_id: str, campaign_id: str) -> dict:
    return campaign_view(require(org_id, campaign_id), with_skills=True)


def require(org_id: str, campaign_id: str) -> domain.Campaign:
    campaign = store.campaign(org_id, campaign_id)
    if campaign is None:
        raise NotFound("Campagne introuvable.", code="campaign_not_found")
    return campaign


def results(org_id: str, campaign_id: str, cursor: str | None, limit: int) -> dict:
    campaign = require(org_id, campaign_id)
    limit = organizations.check_limit(limit, JSON_PAGE[1])
    items, next_cursor = store.results_page(campaign.campaign_id, cursor, limit)
    return {"items": [result_view(campaign, r) for r in items], "next_cursor": next_cursor}


def results_csv(org_id: str, campaign_id: str, cursor: str | None, limit: int) -> CsvPage:
    campaign = require(org_id, campaign_id)
    org = organizations.require(org_id)
    limit = organizations.check_limit(limit, CSV_PAGE[1])
    items, next_cursor = store.results_page(campaign.campaign_id, cursor, limit)
    text = domain.csv_page((result_row(r) for r in items), campaign.type, campaign.competences,
                           organizations.roster_format(org), first_page=not cursor)
    return CsvPage(text, next_cursor, f"resultats-{campaign.code}.csv")


# --- learner side --------------------------------------------------------------------------------


def by_code(user_id: str, code: str) -> dict:
    campaign = _by_code(code)
    org = organizations.require(campaign.org_id)
    mine = store.participation(campaign.campaign_id, user_id)
    return {**campaign_view(campaign), "organization": {"name": org.name, "type": org.type},
            "requires_reconciliation": organizations.requires_reconciliation(org),
            "reconciled": store.is_linked(org.org_id, user_id),
            "joined": mine is not None}


def reconcile(user_id: str, code: str, first_name: str, last_name: str, birth_date: dt.date) -> dict:
    campaign = _by_code(code)
    return rosters.reconcile(campaign.org_id, user_id, first_name, last_name, birth_date)


def join(user_id: str, code: str) -> dict:
    """Idempotent: joining twice returns the same participation."""
    from chalicelib.services import accounts

    campaign = _by_code(code)
    org = organizations.require(campaign.org_id)
    existing = store.participation(campaign.campaign_id, user_id)
    if existing is not None:
        return participation_view(campaign, existing, user_id)
    learner = rosters.linked_learner(org.org_id, user_id)
    if learner is None and organizations.requires_reconciliation(org):
        raise Conflict("Retrouvez-vous d'abord dans la liste des élèves de l'établissement "
                       "(nom, prénom, date de naissance).", code="reconciliation_required")
    if learner is not None:
        first, last = learner.first_names.split(" ")[0], learner.usage_name or learner.last_name
        learner_id, division = learner.learner_id, learner.division or ""
    else:
        user = accounts.get_user(user_id)
        if user is None:
            raise NotFound("Compte introuvable.", code="user_not_found")
        first, last, learner_id, division = user.first_name, user.last_name, None, ""
    part = store.create_participation(domain.Participation(
        campaign_id=campaign.campaign_id, org_id=org.org_id, user_id=user_id, learner_id=learner_id,
        first_name=first, last_name=last, division=division, joined_at=int(time.time())))
    return participation_view(campaign, part, user_id)


def my_participations(user_id: str) -> dict:
    out = []
    for part in sorted(store.participations_of_user(user_id), key=lambda p: -p.joined_at):
        campaign = store.campaign(part.org_id, part.campaign_id)
        if campaign is not None:
            out.append({**campaign_view(campaign), "joined_at": _iso(part.joined_at),
                        "shared_at": _iso_ms(part.shared_at)})
    return {"items": out}


def my_participation(user_id: str, campaign_id: str) -> dict:
    part, campaign = _mine(user_id, campaign_id)
    return participation_view(campaign, part, user_id)


def share(user_id: str, campaign_id: str) -> dict:
    """Freeze the results and show them to the organisation (once; a retry is harmless)."""
    part, campaign = _mine(user_id, campaign_id)
    if part.shared_at is None:
        parts = _progress(user_id, campaign)
        if campaign.type == domain.ASSESSMENT and not domain.is_finished(parts):
            raise Conflict("Terminez les compétences de la campagne avant d'envoyer vos résultats.",
                           code="campaign_not_finished",
                           details={"progress": domain.progress_percent(parts)})
        try:
            store.mark_shared(campaign.campaign_id, user_id, int(time.time() * 1000))
        except store.Conflicting:
            pass  # shared meanwhile by a retried request
        part = store.participation(campaign.campaign_id, user_id)
    if store.result(campaign.campaign_id, part.shared_at, user_id) is None:
        _snapshot(campaign, part)
    return participation_view(campaign, part, user_id)


# --- views and internals -------------------------------------------------------------------------


def _by_code(code: str) -> domain.Campaign:
    campaign = store.campaign_by_code(normalise_code(code)[:20])
    if campaign is None:
        raise NotFound("Aucune campagne ne correspond à ce code.", code="campaign_not_found")
    return campaign


def _mine(user_id: str, campaign_id: str) -> tuple[domain.Participation, domain.Campaign]:
    part = store.participation(campaign_id, user_id)
    campaign = store.campaign(part.org_id, campaign_id) if part else None
    if part is None or campaign is None:
        raise NotFound("Vous ne participez pas à cette campagne.", code="participation_not_found")
    return part, campaign


def _progress(user_id: str, campaign: domain.Campaign) -> list[domain.CompetenceProgress]:
    """Read from the learner's own positioning states: nothing is stored per campaign."""
    bank = get_bank()
    target = domain.TargetProfile(campaign.competences, campaign.skills)
    from chalicelib.services import positioning

    states = positioning.answers_by_competence(user_id)
    if campaign.type == domain.PROFILE_COLLECTION:
        return [domain.CompetenceProgress(c, states[c].status if c in states else "not_started", 0, 0, 0)
                for c in campaign.competences]
    parts = []
    for code, skills in target.skills_by_competence(bank).items():
        state = states.get(code)
        if state is None:
            parts.append(domain.competence_progress(code, "not_started", skills, set(), set()))
            continue
        elements = knowledge_elements(bank, code, list(state.answers))
        parts.append(domain.competence_progress(code, state.status, skills, skills_tested(elements),
                                                {e.skill for e in elements if e.is_validated}))
    return parts


def _snapshot(campaign: domain.Campaign, part: domain.Participation) -> None:
    """Freeze the learner's profile on the campaign's competences as the shared result."""
    from chalicelib.services import positioning

    profile = positioning.profile(part.user_id)
    by_code = {c["code"]: c for c in profile["competences"]}
    parts = _progress(part.user_id, campaign)
    assessment = campaign.type == domain.ASSESSMENT
    competences = {code: (by_code[code]["pix"], by_code[code]["level"]) for code in campaign.competences}
    store.save_result(domain.SharedResult(
        campaign_id=part.campaign_id, user_id=part.user_id, learner_id=part.learner_id,
        first_name=part.first_name, last_name=part.last_name, division=part.division,
        shared_at=part.shared_at, progress=domain.progress_percent(parts) if assessment else 100,
        mastery=domain.mastery_percent(parts) if assessment else None,
        total_pix=int(profile["total_pix"]), certifiable=bool(profile["certifiable"]),
        competences=competences))


def campaign_view(campaign: domain.Campaign, *, with_skills: bool = False) -> dict:
    view = {"campaign_id": campaign.campaign_id, "org_id": campaign.org_id, "code": campaign.code,
            "name": campaign.name, "type": campaign.type, "competences": list(campaign.competences),
            "target_skills_count": len(campaign.skills), "created_at": _iso(campaign.created_at)}
    if with_skills:
        view["target_skills"] = list(campaign.skills)
    return view


def participation_view(campaign: domain.Campaign, part: domain.Participation, user_id: str) -> dict:
    parts = _progress(user_id, campaign)
    assessment = campaign.type == domain.ASSESSMENT
    view = {"campaign": campaign_view(campaign), "joined_at": _iso(part.joined_at),
            "shared_at": _iso_ms(part.shared_at), "reconciled": part.learner_id is not None,
            "progress": domain.progress_percent(parts) if assessment else 100,
            "competences": [{"code": p.competence, "title": COMPETENCE_BY_CODE[p.competence].title,
                             "status": p.status, "target_skills": p.target, "settled_skills": p.settled}
                            for p in parts],
            "can_share": part.shared_at is None and (not assessment or domain.is_finished(parts)),
            "result": None}
    if part.shared_at is not None:
        shared = store.result(campaign.campaign_id, part.shared_at, user_id)
        view["result"] = result_view(campaign, shared) if shared else None
    return view


def result_view(campaign: domain.Campaign, shared: domain.SharedResult) -> dict:
    return {"participant_id": shared.user_id, "learner_id": shared.learner_id,
            "first_name": shared.first_name, "last_name": shared.last_name,
            "division": shared.division or None, "shared_at": _iso_ms(shared.shared_at),
            "progress": shared.progress, "mastery_percent": shared.mastery,
            "total_pix": shared.total_pix, "certifiable": shared.certifiable,
            "competences": [{"code": code, "pix": pix, "level": level}
                            for code, (pix, level) in shared.competences.items()]}


def result_row(shared: domain.SharedResult) -> domain.ResultRow:
    return domain.ResultRow(
        last_name=shared.last_name, first_name=shared.first_name, learner_id=shared.learner_id,
        division=shared.division, shared_at=_french_date(shared.shared_at), progress=shared.progress,
        mastery=shared.mastery, total_pix=shared.total_pix, certifiable=shared.certifiable,
        competences=shared.competences)


def _iso(epoch_s: int) -> str:
    return dt.datetime.fromtimestamp(epoch_s, tz=dt.timezone.utc).isoformat(timespec="seconds")


def _iso_ms(epoch_ms) -> str | None:
    return None if epoch_ms is None else _iso(int(epoch_ms) // 1000)


def _french_date(epoch_ms: int) -> str:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=_paris()).strftime("%d/%m/%Y")


def _paris() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except Exception:  # noqa: BLE001 - no tz database: UTC dates are off by one only around midnight
        return dt.timezone.utc


# --- personal data (RGPD) ------------------------------------------------------------------------


def export(user_id: str) -> dict:
    out = []
    for part in store.participations_of_user(user_id):
        item = {"campaign_id": part.campaign_id, "org_id": part.org_id,
                "joined_at": _iso(part.joined_at), "shared_at": _iso_ms(part.shared_at)}
        if part.shared_at is not None:
            shared = store.result(part.campaign_id, part.shared_at, user_id)
            if shared is not None:
                item["shared_result"] = {"progress": shared.progress, "total_pix": shared.total_pix,
                                         "competences": shared.competences}
        out.append(item)
    return {"campaign_participations": out, "roster_links": rosters.export_links(user_id)}


def erase(user_id: str) -> None:
    store.forget_participations_of_user(user_id)
    rosters.erase_links(user_id)


def _register_personal_data() -> None:
    from chalicelib.services import personal_data

    personal_data.register("organizations", export, erase)


_register_personal_data()

"""Campaigns, pure: target profiles, progress, mastery, and the results file
a school reads. No storage, no HTTP.

- A *target profile* is a frozen list of skills (all the skills of some
  competences, or of some tubes, or hand-picked skills), resolved against the
  item bank when the campaign is created, so a later bank change does not move
  a running campaign's denominators. Skills above the highest open level are
  left out: nobody can validate them yet.
- *Progress* of an assessment: share of the target skills the positioning
  tests have settled (tested directly or by inference); a completed
  competence settles all its target skills (the adaptive test stops once the
  level is settled, without testing every skill).
- *Mastery*: share of the target skills validated.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Iterable

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.framework import COMPETENCE_BY_CODE, COMPETENCES
from chalicelib.domain.items import ItemBank

ASSESSMENT = "assessment"
PROFILE_COLLECTION = "profile_collection"
TYPES = (ASSESSMENT, PROFILE_COLLECTION)
CSV_SEPARATOR = ";"
BOM = "\ufeff"


@dataclass(frozen=True)
class Campaign:
    """A campaign as the services see it, whatever table holds it: the store
    builds and takes it, so the campaign rules run against an in-memory
    repository (tests/unit/fakes.py)."""
    campaign_id: str
    org_id: str
    code: str
    name: str
    type: str                      # ASSESSMENT | PROFILE_COLLECTION
    competences: tuple[str, ...]   # framework order
    skills: tuple[str, ...]        # the frozen target profile (empty for a profile collection)
    created_at: int                # epoch seconds
    created_by: str | None


@dataclass(frozen=True)
class Participation:
    """A learner in a campaign: written at join, stamped once at share. The names
    and class are copied at join so the school's lists need no other read."""
    campaign_id: str
    org_id: str
    user_id: str
    learner_id: str | None         # the roster entry, when reconciled
    first_name: str
    last_name: str
    division: str                  # "" outside a class
    joined_at: int                 # epoch seconds
    shared_at: int | None = None   # epoch milliseconds: results of one second keep their order


@dataclass(frozen=True)
class SharedResult:
    """The frozen snapshot a learner sent: the only thing an organisation reads."""
    campaign_id: str
    user_id: str
    learner_id: str | None
    first_name: str
    last_name: str
    division: str
    shared_at: int                 # epoch milliseconds, as on the participation
    progress: int
    mastery: int | None            # assessment campaigns only
    total_pix: int
    certifiable: bool
    competences: dict[str, tuple[int, int]]   # code -> (pix, level)


@dataclass(frozen=True)
class TargetProfile:
    competences: tuple[str, ...]   # framework order
    skills: tuple[str, ...]        # sorted skill names

    def skills_by_competence(self, bank: ItemBank) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = {c: set() for c in self.competences}
        for name in self.skills:
            skill = bank.skills.get(name)
            if skill is not None and skill.competence in out:
                out[skill.competence].add(name)
        return {c: frozenset(s) for c, s in out.items()}


def resolve_target(bank: ItemBank, *, competences: Iterable[str] = (), tubes: Iterable[str] = (),
                   skills: Iterable[str] = (), max_level: int) -> TargetProfile:
    """Every skill of `competences`, of `tubes`, plus `skills`, up to the highest open level."""
    chosen: set[str] = set()
    unknown: list[str] = []
    for code in competences:
        if code not in COMPETENCE_BY_CODE:
            unknown.append(code)
            continue
        chosen |= {s.name for s in bank.skills_of(code) if s.level <= max_level}
    tube_index = {tube: names for comp in bank.tubes.values() for tube, names in comp.items()}
    for tube in tubes:
        levels = tube_index.get(tube)
        if levels is None:
            unknown.append(tube)
            continue
        chosen |= {name for level, name in levels.items() if level <= max_level}
    for name in skills:
        skill = bank.skills.get(name)
        if skill is None:
            unknown.append(name)
        elif skill.level <= max_level:
            chosen.add(name)
    if unknown:
        raise InvalidInput("Profil cible : compétence, sujet ou acquis inconnu.", code="unknown_target",
                           details={"unknown": unknown[:50]})
    if not chosen:
        raise InvalidInput("Le profil cible ne contient aucun acquis évaluable.", code="empty_target")
    codes = {bank.skills[name].competence for name in chosen}
    ordered = tuple(c.code for c in COMPETENCES if c.code in codes)
    return TargetProfile(ordered, tuple(sorted(chosen)))


@dataclass(frozen=True)
class CompetenceProgress:
    competence: str
    status: str                    # not_started | started | completed
    target: int                    # target skills in the competence
    settled: int                   # of them, tested directly or by inference (all, once completed)
    validated: int                 # of them, validated


def competence_progress(competence: str, status: str, target: frozenset[str],
                        tested: set[str], validated: set[str]) -> CompetenceProgress:
    settled = len(target) if status == "completed" else len(target & tested)
    return CompetenceProgress(competence, status, len(target), settled, len(target & validated))


def progress_percent(parts: Iterable[CompetenceProgress]) -> int:
    """Rounded down: 100 only when every target competence is completed."""
    parts = list(parts)
    total = sum(p.target for p in parts)
    if total == 0 or all(p.status == "completed" for p in parts):
        return 100
    return min(99, math.floor(100 * sum(p.settled for p in parts) / total))


def mastery_percent(parts: Iterable[CompetenceProgress]) -> int:
    parts = list(parts)
    total = sum(p.target for p in parts)
    return round(100 * sum(p.validated for p in parts) / total) if total else 0


def is_finished(parts: Iterable[CompetenceProgress]) -> bool:
    return all(p.status == "completed" for p in parts)


# --- results file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    last_name: str
    first_name: str
    learner_id: str | None         # INE or student number, when reconciled with the roster
    division: str
    shared_at: str                 # DD/MM/YYYY
    progress: int
    mastery: int | None            # assessment campaigns only
    total_pix: int
    certifiable: bool
    competences: dict[str, tuple[int, int]]   # code -> (pix, level)


def csv_header(campaign_type: str, competences: Iterable[str], roster_format: str | None) -> list[str]:
    id_label = "Numéro étudiant" if roster_format == "student" else "INE"
    group_label = "Groupe" if roster_format == "student" else "Classe"
    columns = ["Nom", "Prénom", id_label, group_label, "Date d'envoi", "Progression (%)"]
    if campaign_type == ASSESSMENT:
        columns.append("Maîtrise du profil cible (%)")
    columns += ["Pix total", "Certifiable"]
    for code in competences:
        title = COMPETENCE_BY_CODE[code].title
        columns += [f"Niveau {code} {title}", f"Pix {code} {title}"]
    return columns


def csv_page(rows: Iterable[ResultRow], campaign_type: str, competences: tuple[str, ...],
             roster_format: str | None, *, first_page: bool) -> str:
    """One page of the export: the first starts with the BOM and the header, the
    next ones are bare lines, so the pages concatenated are one valid file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    if first_page:
        buffer.write(BOM)
        writer.writerow(csv_header(campaign_type, competences, roster_format))
    for row in rows:
        line = [_cell(row.last_name), _cell(row.first_name), _cell(row.learner_id or ""),
                _cell(row.division), row.shared_at, row.progress]
        if campaign_type == ASSESSMENT:
            line.append("" if row.mastery is None else row.mastery)
        line += [row.total_pix, "Oui" if row.certifiable else "Non"]
        for code in competences:
            pix, level = row.competences.get(code, (0, 0))
            line += [level, pix]
        writer.writerow(line)
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: neutralise them."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

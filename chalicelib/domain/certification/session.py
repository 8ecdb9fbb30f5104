"""The life of a certification session, in one place.

    created --invigilator--> in_progress --centre--> finalised --job--> processed --job|admin--> published
       \\________________________centre______________/

- `created`, `in_progress`: open. Candidates are enrolled, join and take
  their test; the invigilator acts. The first authorisation moves the
  session to `in_progress`.
- `finalised`: the centre filed its report (presence, incidents); the
  session is closed to candidates and invigilators, and waits for the job.
- `processed`: the job issued every certificate. A session with a fraud
  report stays here ("held"): its certificates stay private until a
  platform admin publishes it.
- `published`: certificates are public. The job publishes at once a
  session without fraud report.

Every transition is recorded with who moved it and when (`Step`); the store
applies a move only if the stored status is still one it may start from, so
two writers never both move a session.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.domain.errors import Conflict


class SessionStatus(str, Enum):
    CREATED = "created"
    IN_PROGRESS = "in_progress"
    FINALISED = "finalised"
    PROCESSED = "processed"
    PUBLISHED = "published"


class Actor(str, Enum):
    """Who may move a session (the recorded `by` is an id for people)."""
    INVIGILATOR = "invigilator"
    CENTRE = "centre"
    JOB = "job"
    ADMIN = "admin"


OPEN = frozenset({SessionStatus.CREATED, SessionStatus.IN_PROGRESS})

# target -> (statuses it may be reached from, actors allowed to move it there)
TRANSITIONS: dict[SessionStatus, tuple[frozenset[SessionStatus], frozenset[Actor]]] = {
    SessionStatus.IN_PROGRESS: (frozenset({SessionStatus.CREATED}), frozenset({Actor.INVIGILATOR})),
    SessionStatus.FINALISED: (OPEN, frozenset({Actor.CENTRE})),
    SessionStatus.PROCESSED: (frozenset({SessionStatus.FINALISED}), frozenset({Actor.JOB})),
    SessionStatus.PUBLISHED: (frozenset({SessionStatus.PROCESSED}), frozenset({Actor.JOB, Actor.ADMIN})),
}


@dataclass(frozen=True)
class Step:
    """One recorded transition: the new status, who moved it, when (epoch s)."""
    status: SessionStatus
    by: str
    at: int

    def as_dict(self) -> dict:
        return {"status": self.status.value, "by": self.by, "at": self.at}


def is_open(status: str) -> bool:
    """Candidates may join, be enrolled, and be invigilated."""
    return status in {s.value for s in OPEN}


def sources(target: SessionStatus) -> frozenset[SessionStatus]:
    """The statuses a session may move to `target` from (the store's condition)."""
    return TRANSITIONS[target][0]


def may_move(current: str, target: SessionStatus, actor: Actor) -> bool:
    allowed_from, actors = TRANSITIONS.get(target, (frozenset(), frozenset()))
    return actor in actors and current in {s.value for s in allowed_from}


def first_step(by: str, at: int) -> Step:
    """What a new session records: created, by the centre member."""
    return Step(SessionStatus.CREATED, by, at)


def move(current: str, target: SessionStatus, actor: Actor, by: str, at: int) -> Step:
    """The step to record, or Conflict when `actor` may not move a session in
    status `current` to `target`."""
    if not may_move(current, target, actor):
        raise Conflict(_REFUSALS.get(target, "Cette session ne peut pas changer d'état ainsi."),
                       code=_REFUSAL_CODES.get(target, "invalid_session_transition"))
    return Step(target, by, at)


def closing_steps(held: bool, at: int) -> list[Step]:
    """The job's close: processed, then published unless held for review.
    Not checked against the status the job read (read from an eventually
    consistent index): the store applies them only from `finalised`."""
    steps = [Step(SessionStatus.PROCESSED, Actor.JOB.value, at)]
    if not held:
        steps.append(Step(SessionStatus.PUBLISHED, Actor.JOB.value, at))
    return steps


_REFUSALS = {
    SessionStatus.FINALISED: "La session est déjà finalisée.",
    SessionStatus.PUBLISHED: "Seule une session traitée peut être publiée.",
}
_REFUSAL_CODES = {
    SessionStatus.FINALISED: "session_already_finalised",
    SessionStatus.PUBLISHED: "session_not_processed",
}


@dataclass(frozen=True)
class CandidateReport:
    """The centre's report on one candidate at finalisation."""
    present: bool | None = None
    incident_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Session:
    """A session as planned by its centre. `finalisation` is the centre's
    report as filed (comment, who, when, per-candidate presence and
    incidents); `revision` is the store's optimistic-lock counter."""
    session_id: str
    centre_id: str
    date: str                      # ISO date
    time: str                      # HH:MM
    address: str
    room: str
    examiner: str
    access_code: str
    invigilator_password_hash: str
    status: SessionStatus = SessionStatus.CREATED
    description: str = ""
    transitions: tuple[Step, ...] = ()
    finalisation: dict | None = None
    has_fraud_report: bool = False
    revision: int | None = None
    number: str | None = None      # short human number (domain/codes.py); None before it existed

    @property
    def is_open(self) -> bool:
        return is_open(self.status.value)

    def report_of(self, candidate_id: str) -> CandidateReport:
        report = ((self.finalisation or {}).get("candidates") or {}).get(candidate_id)
        if report is None:
            return CandidateReport()
        return CandidateReport(report.get("present"),
                               frozenset(i.get("category") for i in report.get("incidents") or []))


@dataclass(frozen=True)
class Candidate:
    """An enrolment in a session; `user_id` and `course_id` are set when the
    candidate joins with their account."""
    candidate_id: str
    session_id: str
    first_name: str
    last_name: str
    birth_date: str                # ISO date
    birth_place: str = ""
    sex: str | None = None
    email: str | None = None
    external_id: str | None = None
    extra_time_percent: int = 0
    accessibility: bool = False
    user_id: str | None = None
    course_id: str | None = None
    ine: str | None = None
    organisation_id: str | None = None


@dataclass(frozen=True)
class Centre:
    centre_id: str
    name: str
    type: str
    uai: str | None
    created_at: int                # epoch s

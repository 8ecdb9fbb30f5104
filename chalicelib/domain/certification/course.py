"""A candidate's certification test (the course): its statuses and end reasons.

    waiting --authorised--> started --(last item answered)--> completed
                               \\--(invigilator ends it)----> ended

- `waiting`: joined, not yet authorised by the invigilator.
- `started`: items are served; after a disconnection the candidate waits for
  the invigilator to authorise the resume (`authorised` False) before
  answering again.
- `completed`: the version's stopping rule was met (`ended_by` "completed").
- `ended`: the invigilator ended it (`ended_by` "invigilator"); the centre's
  report then says whether it was a technical incident (not the candidate's
  choice) or an abandonment (`ending`, rules in jury.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from chalicelib.domain.answers import AnswerStatus
from chalicelib.domain.errors import Conflict, DomainError, Forbidden

from .answers import CertificationAnswer
from .jury import Ending, ending_of


class CourseStatus(str, Enum):
    WAITING = "waiting"
    STARTED = "started"
    COMPLETED = "completed"
    ENDED = "ended"


class EndedBy(str, Enum):
    COMPLETED = "completed"
    INVIGILATOR = "invigilator"


RUNNING = frozenset({CourseStatus.WAITING, CourseStatus.STARTED})
FINISHED = frozenset({CourseStatus.COMPLETED, CourseStatus.ENDED})


def is_running(status: str) -> bool:
    """Joined and not finished: the candidate is (about to be) under test."""
    return status in {s.value for s in RUNNING}


def is_finished(status: str) -> bool:
    return status in {s.value for s in FINISHED}


@dataclass(frozen=True)
class CourseAnswer:
    """One item served, in order: its outcome and when it was recorded (epoch ms)."""
    item_id: str
    status: AnswerStatus
    at_ms: int

    def scored(self) -> CertificationAnswer:
        return CertificationAnswer(self.item_id, self.status)


@dataclass(frozen=True)
class Alert:
    """An invigilator's alert on an item (the item is neutralised)."""
    item_id: str
    reason: str
    at_ms: int

    def as_dict(self) -> dict:
        return {"item_id": self.item_id, "reason": self.reason, "at": self.at_ms}


@dataclass(frozen=True)
class Course:
    """A candidate's test. `revision` is the store's optimistic-lock counter:
    a write made from this snapshot only lands if nobody wrote meanwhile."""
    course_id: str
    session_id: str
    candidate_id: str
    user_id: str
    certification_version: str
    status: CourseStatus = CourseStatus.WAITING
    authorised: bool = False
    answers: tuple[CourseAnswer, ...] = ()
    current_item_id: str | None = None
    served_at_ms: int | None = None
    neutralised: tuple[str, ...] = ()
    alerts: tuple[Alert, ...] = ()
    ended_by: EndedBy | None = None
    extra_time_percent: int = 0
    accessible_only: bool = False
    started_at_ms: int | None = None
    ended_at_ms: int | None = None
    revision: int | None = None

    @property
    def answered_ids(self) -> set[str]:
        return {a.item_id for a in self.answers}

    def scored_answers(self) -> list[CertificationAnswer]:
        return [a.scored() for a in self.answers]

    def is_serving(self) -> bool:
        """The candidate sees an item now."""
        return self.status is CourseStatus.STARTED and self.authorised and bool(self.current_item_id)


def course_id_of(session_id: str, candidate_id: str) -> str:
    """One course per enrolment: joining again finds the same course."""
    return f"{session_id}-{candidate_id}"


def refuse_answer(course: Course, item_id: str) -> DomainError | None:
    """Why an answer to `item_id` cannot be accepted now (None: accept it).
    An item already answered is not refused: it is a retry, counted once.
    Compared by value, so the stored course (status as its string) is judged
    by this same rule (services/certification_test.answer)."""
    if course.status != CourseStatus.STARTED:
        return Conflict("Votre test n'est pas en cours.", code="course_not_started")
    if not course.authorised:
        return Forbidden("Attendez que le surveillant autorise la reprise de votre test.",
                         code="awaiting_authorisation")
    if item_id in (course.neutralised or ()):
        # answered items never get here (a retry is accepted first): this one
        # was withdrawn while on screen, see withdrawn_items
        return Conflict("Le surveillant a retiré cette question : votre réponse n'est pas comptée.",
                        code="item_withdrawn")
    if item_id != course.current_item_id:
        return Conflict("Cette question n'est pas la question en cours.", code="not_current_item")
    return None


def withdrawn_items(neutralised, answered: set[str]) -> list[str]:
    """Items the invigilator withdrew while they were on screen: neutralised
    and never answered. They use no slot of the test (the candidate gets
    another item in their place and the count of answers does not move) and
    the candidate is told, never left to guess why the question changed.
    An item neutralised after its answer stays an answer: it took its slot."""
    return [i for i in (neutralised or ()) if i not in answered]


def live_state(course: Course | None) -> str:
    """What the invigilator's screen shows for a candidate."""
    if course is None:
        return "not_joined"
    if course.status is CourseStatus.WAITING:
        return "waiting_authorisation"
    if course.status is CourseStatus.STARTED:
        return "testing" if course.authorised else "waiting_resume"
    return course.status.value  # ended | completed


def ending(course: Course, incident_categories: set[str]) -> Ending:
    """How the course ended, read with the centre's report on its candidate
    (the jury rules, jury.py, decide from it what is scored)."""
    ended_by = course.ended_by.value if isinstance(course.ended_by, EndedBy) else course.ended_by
    return ending_of(ended_by, incident_categories)

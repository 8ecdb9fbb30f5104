"""What one exported answer says, and nothing more (pure: no I/O).

The calibration needs the item, the outcome, the time taken and a few
anonymous group variables for the fairness checks; it never needs who
answered. A record therefore holds no user id, name, e-mail, INE, birth
date nor exact timestamp: the learner is a keyed-hash pseudonym (answers of
one person can be grouped, for the person-level statistics of the
calibration, but not linked back to an account without the key), the age is
a band at the day of the answer, and time is the day only (the partition).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

AGE_BANDS = ((0, 10, "-10"), (11, 14, "11-14"), (15, 17, "15-17"), (18, 25, "18-25"),
             (26, 44, "26-44"), (45, 64, "45-64"), (65, 200, "65+"))
FIELDS = ("item", "bank_version", "context", "status", "correct", "time_ms", "age_band",
          "population", "learner", "neutralised", "pilot", "choices", "focus_lost")


@dataclass(frozen=True)
class ExportedAnswer:
    item: str
    bank_version: str | None
    context: str            # positioning | certification
    status: str             # ok | ko | aband | timedout | focusedOut
    correct: int            # 1 when status is ok, else 0 (no partial credit exists yet)
    time_ms: int | None     # from the item being served to the answer
    age_band: str | None
    population: str | None  # school (under 18 that day) | adult
    learner: str            # keyed-hash pseudonym
    neutralised: bool       # certification: the item was neutralised (not scored)
    day: str                # YYYY-MM-DD (UTC): the partition, not written in the line
    pilot: bool = False     # served in a pilot slot (unscored): for the calibration only
    choices: tuple[int, ...] = ()  # canonical 1-based proposal indices chosen (QCU/QCM)
    focus_lost: bool = False       # the learner reported leaving the page during the item

    def line(self) -> str:
        """Compact JSON, keys sorted, nulls, empty and false flags left out."""
        data = {k: getattr(self, k) for k in FIELDS}
        data["choices"] = list(self.choices) or None
        data = {k: v for k, v in data.items() if v is not None and v is not False}
        return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def pseudonym(key: bytes, user_id: str) -> str:
    """16 hex characters of HMAC-SHA256: stable per learner, not reversible without the key."""
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()[:16]


def day_of(epoch_ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.timezone.utc).date()


def age_on(birth_date: str | None, day: dt.date) -> int | None:
    try:
        born = dt.date.fromisoformat(birth_date or "")
    except ValueError:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def population(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    return "school" if age < 18 else "adult"


def records(*, answers: list, started_at: int, context: str, bank_version: str, learner: str,
            birth_date: str | None, neutralised: frozenset[str], since_ms: int,
            to_ms: int) -> list[ExportedAnswer]:
    """The records of one test's answers in the window (since_ms, to_ms].

    `answers` are in the order given (StoredAnswer: item_id, status,
    answered_at, pilot, choices, focus_lost); the time taken is the gap from the previous answer (the
    next item is served at the moment of an answer) or from the start."""
    out = []
    previous = started_at
    for answer in sorted(answers, key=lambda a: a.answered_at):
        taken = answer.answered_at - previous if previous and answer.answered_at >= previous else None
        previous = answer.answered_at
        if not since_ms < answer.answered_at <= to_ms:
            continue
        day = day_of(answer.answered_at)
        age = age_on(birth_date, day)
        out.append(ExportedAnswer(
            item=answer.item_id, bank_version=bank_version or None, context=context,
            status=answer.status, correct=int(answer.status == "ok"), time_ms=taken,
            age_band=age_band(age), population=population(age), learner=learner,
            neutralised=answer.item_id in neutralised, day=day.isoformat(),
            pilot=answer.pilot, choices=tuple(answer.choices), focus_lost=answer.focus_lost))
    return out

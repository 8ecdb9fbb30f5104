"""The answer export job: answered responses to (moto's) S3 as JSON Lines,
with no direct identifier, resumable and idempotent."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.answer_export import pseudonym
from chalicelib.jobs import export_answers
from chalicelib.services import secrets
from chalicelib.store import assessments, export_cursor, object_store
from chalicelib.store import certification as store
from chalicelib.store.assessments import StoredAnswer
from tests.api.answers import correct_answer, opened, wrong_answer
from tests.api.helpers import call, js
from tests.api.users import new_user

BASE = "/me/competences/1.1/assessment"


@pytest.fixture()
def bucket(client):
    object_store.create_bucket()
    return client


def answer_items(client, token: str, n: int) -> list[str]:
    """Answer `n` items of a positioning test through the API, alternately right and wrong."""
    call(client, "POST", BASE, token=token)
    seen = []
    for i in range(n):
        view = opened(client, BASE, token, js(call(client, "GET", BASE, token=token))["item"])
        item_id = view["id"]
        answer = correct_answer(view) if i % 2 == 0 else wrong_answer(view)
        response = call(client, "POST", BASE + "/answers", token=token,
                        body={"item_id": item_id, "answer": answer})
        assert response.status_code == 200, response.body
        seen.append(item_id)
    return seen


def exported() -> list[dict]:
    lines = []
    for key in object_store.keys("answers/"):
        lines += [json.loads(line) for line in object_store.get(key).decode().splitlines()]
    return lines


def seed_course(user_id: str, answers: list[StoredAnswer], neutralised: list[str]) -> None:
    store.CourseRecord(f"COURSE#c-{user_id}", "COURSE", course_id=f"c-{user_id}", session_id="s-1",
                       candidate_id="cand-1", user_id=user_id, status="ended",
                       answers=[a.encode() for a in answers], neutralised=neutralised,
                       certification_version="2026.1", started_at=answers[0].answered_at - 5000).save()


def test_export_writes_every_answer_once_without_any_identifier(bucket):
    client = bucket
    pupil, pupil_tokens = new_user(client, birth_date="2011-02-03", first_name="Zoé",
                                   last_name="Quenouille", email="zoe.quenouille@example.org")
    adult, adult_tokens = new_user(client, birth_date="1980-07-08", first_name="Albert",
                                   last_name="Vernhes", email="albert.vernhes@example.org")
    pupil_items = answer_items(client, pupil_tokens["access_token"], 3)
    adult_items = answer_items(client, adult_tokens["access_token"], 2)
    now = assessments.now_ms()
    seed_course(adult["id"], [StoredAnswer("rec-a", "ok", now - 9000), StoredAnswer("rec-b", "ko", now - 4000)],
                neutralised=["rec-b"])

    report = export_answers.run(now_ms=now + export_answers.LAG_MS + 1)
    records = exported()

    assert report.records == len(records) == 3 + 2 + 2
    assert sorted(r["item"] for r in records if r["context"] == "positioning") == sorted(pupil_items + adult_items)
    assert all(key.startswith("answers/date=") and key.endswith(".jsonl") for key in report.objects)
    # no direct identifier anywhere, in any field
    raw = "".join(object_store.get(k).decode() for k in object_store.keys("answers/"))
    for secret in (pupil["id"], adult["id"], "Zoé", "Quenouille", "zoe.quenouille", "Albert", "Vernhes",
                   "2011-02-03", "1980-07-08", "example.org"):
        assert secret not in raw
    assert {k for r in records for k in r} <= {"item", "bank_version", "context", "status", "correct",
                                               "time_ms", "age_band", "population", "learner", "neutralised",
                                               "pilot", "choices", "focus_lost"}
    # anonymous groups, one stable pseudonym per learner (the keyed hash of the user id)
    key = secrets.export_pseudonym_key()
    pupil_rows = [r for r in records if r["learner"] == pseudonym(key, pupil["id"])]
    adult_rows = [r for r in records if r["learner"] == pseudonym(key, adult["id"])]
    assert len(pupil_rows) == 3 and len(adult_rows) == 4
    assert {r["population"] for r in pupil_rows} == {"school"} and {r["age_band"] for r in pupil_rows} == {"15-17"}
    assert {r["population"] for r in adult_rows} == {"adult"} and {r["age_band"] for r in adult_rows} == {"45-64"}
    assert sorted(r["item"] for r in pupil_rows if r["correct"]) == sorted([pupil_items[0], pupil_items[2]])
    cert = {r["item"]: r for r in records if r["context"] == "certification"}
    assert cert["rec-b"]["neutralised"] is True and "neutralised" not in cert["rec-a"]
    assert cert["rec-a"]["time_ms"] == 5000 and cert["rec-b"]["time_ms"] == 5000

    # a rerun writes nothing new
    again = export_answers.run(now_ms=now + export_answers.LAG_MS + 2)
    assert again.records == 0 and exported() == records


def test_only_answers_after_the_cursor_are_exported_by_the_next_run(bucket):
    client = bucket
    _, tokens = new_user(client)
    token = tokens["access_token"]
    first_items = answer_items(client, token, 2)
    now = assessments.now_ms()
    export_answers.run(now_ms=now + export_answers.LAG_MS)
    view = opened(client, BASE, token, js(call(client, "GET", BASE, token=token))["item"])
    item_id = view["id"]
    call(client, "POST", BASE + "/answers", token=token,
         body={"item_id": item_id, "answer": correct_answer(view)})

    later = export_answers.run(now_ms=assessments.now_ms() + export_answers.LAG_MS + 1)

    assert later.records == 1
    items = sorted(r["item"] for r in exported())
    assert items == sorted(first_items + [item_id])


def test_a_run_cut_off_after_writing_is_finished_by_the_next_without_duplicates(bucket, monkeypatch):
    client = bucket
    _, tokens = new_user(client)
    answer_items(client, tokens["access_token"], 3)
    now = assessments.now_ms() + export_answers.LAG_MS + 1
    monkeypatch.setattr(export_cursor, "commit", lambda *a, **k: (_ for _ in ()).throw(TimeoutError()))
    with pytest.raises(TimeoutError):
        export_answers.run(now_ms=now)
    cut_off = exported()
    assert len(cut_off) == 3 and export_cursor.read("answers").pending_to_ms is not None
    monkeypatch.undo()

    resumed = export_answers.run(now_ms=now + 3_600_000)  # later: still the pending window

    assert resumed.window == (0, now - export_answers.LAG_MS)
    assert exported() == cut_off
    assert export_cursor.read("answers") == export_cursor.Cursor(now - export_answers.LAG_MS, None)


def test_the_schedule_is_wired_in_the_app():
    from app import app

    schedules = [s.name for s in app.event_sources if type(s).__name__ in ("ScheduledEventConfig",
                                                                           "CloudWatchEventConfig")]
    assert "export_answers_job" in schedules

"""The scheduled job: exactly one certificate per candidate, whatever happens."""
from __future__ import annotations

import dataclasses
import time

from chalicelib.domain.certification import CURRENT, versions
from chalicelib.jobs import issue_certificates
from chalicelib.store import certification as store
from tests.api import cert_flow as flow
from tests.api.answers import correct_answer, make_certifiable, wrong_answer
from tests.api.helpers import call, js
from tests.conftest import make_token


def finalised_session(client, candidates=3, fraud=False, prefix="cand"):
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    inv = flow.invigilator(client, session)
    reports = []
    for n in range(candidates):
        user = f"{prefix}-{n}"
        enrolled = flow.enrol(client, centre_id, sid, staff, first=f"Prénom{n}", last=f"Nom{n}",
                              birth=f"2008-01-{n + 10:02d}")
        make_certifiable(user)
        learner = make_token(user)
        course = js(call(client, "POST", "/certification/join", token=learner, body={
            "access_code": session["access_code"], "first_name": f"Prénom{n}",
            "last_name": f"Nom{n}", "birth_date": f"2008-01-{n + 10:02d}"}))
        call(client, "POST", f"/sessions/{sid}/candidates/{enrolled['candidate_id']}/authorise", token=inv)
        flow.run_test(client, learner, course["course_id"], correct_answer if n % 2 == 0 else wrong_answer)
        incidents = [{"category": "fraud_suspicion", "description": "Téléphone"}] if fraud and n == 0 else []
        reports.append({"candidate_id": enrolled["candidate_id"], "present": True, "incidents": incidents})
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                    body={"comment": "", "candidates": reports})
    assert response.status_code == 200, response.body
    return centre_id, staff, sid


def certificates_of(sid):
    return [store.certificate(c.course_id) for c in store.candidates(sid) if store.certificate(c.course_id)]


def test_running_twice_issues_each_certificate_once(client):
    _, _, sid = finalised_session(client)
    first = issue_certificates.run()
    second = issue_certificates.run()
    assert first.issued == 3 and second.issued == 0
    certs = certificates_of(sid)
    assert len(certs) == 3
    assert len({c.verification_code for c in certs}) == 3
    assert store.session(sid).status == "published"


def test_two_overlapping_runs_issue_each_certificate_once(client, monkeypatch):
    """Run B starts while run A is mid-session (interleaved deterministically:
    moto's in-process mock is not thread-safe, so no threads here; the load
    test exercises real concurrency over HTTP)."""
    _, _, sid = finalised_session(client)
    real = issue_certificates.certificates.issue_for_candidate
    nested = {}

    def overlapping(*args):
        outcome = real(*args)
        if "started" not in nested:
            nested["started"] = True
            nested["run_b"] = issue_certificates.run()  # B runs in the middle of A
        return outcome

    monkeypatch.setattr(issue_certificates.certificates, "issue_for_candidate", overlapping)
    run_a = issue_certificates.run()
    run_b = nested["run_b"]
    assert run_a.issued + run_b.issued == 3
    assert run_a.existing + run_b.existing >= 1
    certs = certificates_of(sid)
    assert len(certs) == 3 and len({c.verification_code for c in certs}) == 3
    assert store.session(sid).status == "published"


def _run_cut_off_after_one_certificate(monkeypatch):
    """A job run whose clock passes its deadline right after the first certificate."""
    calls = {"n": 0}
    real = issue_certificates.certificates.issue_for_candidate

    def one_then_timeout(*args):
        calls["n"] += 1
        outcome = real(*args)
        if calls["n"] == 1:
            monkeypatch.setattr(issue_certificates.time, "monotonic", lambda: 1e12)
        return outcome

    monkeypatch.setattr(issue_certificates.certificates, "issue_for_candidate", one_then_timeout)
    return issue_certificates.run(deadline=time.monotonic() + 60)


def test_a_run_cut_off_mid_batch_is_completed_by_the_next(client, monkeypatch):
    _, _, sid = finalised_session(client)
    cut = _run_cut_off_after_one_certificate(monkeypatch)
    assert cut.stopped_early and cut.issued == 1
    assert store.session(sid).status == "finalised"
    monkeypatch.undo()
    rest = issue_certificates.run()
    assert rest.issued == 2 and rest.existing == 1
    assert len(certificates_of(sid)) == 3
    assert store.session(sid).status == "published"


def test_resuming_reads_issued_certificates_by_batch_not_one_by_one(client, monkeypatch):
    """A session bigger than one run resumes in O(n): certificates already
    issued are found by BatchGetItem (here batches of 2 over 3 candidates),
    never by one GetItem each."""
    _, _, sid = finalised_session(client)
    monkeypatch.setattr(issue_certificates, "BATCH", 2)
    assert _run_cut_off_after_one_certificate(monkeypatch).issued == 1
    monkeypatch.undo()
    monkeypatch.setattr(issue_certificates, "BATCH", 2)
    single, batched = [], []
    real_single, real_batched = store.certificate, store.certificates
    monkeypatch.setattr(store, "certificate", lambda cid: single.append(cid) or real_single(cid))
    monkeypatch.setattr(store, "certificates", lambda ids: batched.append(list(ids)) or real_batched(ids))
    rest = issue_certificates.run()
    assert (rest.issued, rest.existing) == (2, 1)
    assert single == [] and [len(ids) for ids in batched] == [2, 1]
    assert len(certificates_of(sid)) == 3


def test_a_crash_between_certificates_loses_nothing(client, monkeypatch):
    _, _, sid = finalised_session(client)
    real = issue_certificates.certificates.issue_for_candidate
    calls = {"n": 0}

    def crash_on_second(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("Lambda killed")
        return real(*args)

    monkeypatch.setattr(issue_certificates.certificates, "issue_for_candidate", crash_on_second)
    try:
        issue_certificates.run()
    except RuntimeError:
        pass
    monkeypatch.undo()
    issue_certificates.run()
    assert len(certificates_of(sid)) == 3


def test_fraud_report_holds_the_session_for_an_admin(client):
    centre_id, staff, sid = finalised_session(client, candidates=1, fraud=True)
    issue_certificates.run()
    assert store.session(sid).status == "processed"
    cert = certificates_of(sid)[0]
    assert call(client, "GET", f"/certificates/{cert.verification_code}").status_code == 404
    assert call(client, "POST", f"/admin/sessions/{sid}/publish", token=staff).status_code == 403
    response = call(client, "POST", f"/admin/sessions/{sid}/publish", token=flow.ADMIN)
    assert response.status_code == 200, response.body
    if cert.status == "validated":
        assert call(client, "GET", f"/certificates/{cert.verification_code}").status_code == 200


def test_wrong_verification_codes_are_404(client):
    for code in ("P-23467899", "P-BCDFGHJK", "nope", "P-" + "2" * 8):
        response = call(client, "GET", f"/certificates/{code}")
        assert response.status_code == 404
        assert js(response)["error"]["code"] == "certificate_not_found"


def test_each_course_is_scored_with_the_version_it_recorded(client, monkeypatch):
    """A course taken under an older version keeps it: issuance must not
    score it with the current one (here the old version caps at level 1, so
    the candidate who answered everything right shows which one was used)."""
    monkeypatch.setattr(versions, "REGISTRY", dict(versions.REGISTRY))
    old = versions.register(dataclasses.replace(CURRENT, version="test-capped-at-1", max_open_level=1))
    _, _, sid = finalised_session(client, candidates=1)  # candidate 0 answers everything right
    [course] = store.courses([c.course_id for c in store.candidates(sid)]).values()
    assert course.certification_version == CURRENT.version  # recorded at join
    store.update(course, [store.CourseRecord.certification_version.set(old.version)])
    issue_certificates.run()
    [cert] = certificates_of(sid)
    assert cert.certification_version == old.version
    assert cert.status == "validated" and int(cert.level) <= 1 and int(cert.global_score) < 128


def test_one_run_drains_more_sessions_than_one_queue_page(client, monkeypatch):
    """Issue 16.2: a run is bounded by its deadline, not by a session count,
    so a backlog of results drains at the job's real rate (the queue is read
    one page at a time: here one session per page)."""
    monkeypatch.setattr(issue_certificates, "QUEUE_PAGE", 1)
    sids = [finalised_session(client, candidates=1, prefix=f"s{i}")[2] for i in range(3)]
    report = issue_certificates.run(deadline=time.monotonic() + 600)
    assert sorted(report.sessions_done) == sorted(sids)
    assert report.issued == 3 and not report.stopped_early
    assert all(store.session(sid).status == "published" for sid in sids)


def test_a_run_past_its_deadline_takes_no_new_session(client, monkeypatch):
    _, _, sid = finalised_session(client, candidates=1)
    report = issue_certificates.run(deadline=time.monotonic() - 1)
    assert report.stopped_early and report.sessions_done == [] and report.issued == 0
    assert store.session(sid).status == "finalised"
    assert issue_certificates.run().issued == 1

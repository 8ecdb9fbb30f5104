"""Issue 16.3: the centre's finalisation reports live in items of their own
(one per candidate absent or with incidents), not on the session item, which
stays the same size whatever the session's size; the job reads them with one
Query. Sessions finalised before keep their reports on the session item."""
from __future__ import annotations

from tests.api import cert_flow as flow
from tests.api.helpers import call, js


def test_reports_have_their_own_items_and_only_the_named_filing_counts(client):
    from chalicelib.store import certification as store

    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    ids = [flow.enrol(client, centre_id, sid, staff, first=f"Élève{i}", last=f"Nom{i}")["candidate_id"]
           for i in range(3)]
    absent, flagged, plain_one = ids
    done = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff, body={
        "comment": "RAS", "candidates": [
            {"candidate_id": absent, "present": False},
            {"candidate_id": flagged, "incidents": [{"category": "fraud_suspicion", "description": "Téléphone"}]},
            {"candidate_id": plain_one}]})
    assert done.status_code == 200, done.body
    assert js(done)["has_fraud_report"] is True

    rec = store.session(sid)
    filed = store.plain(rec.finalisation)
    assert "candidates" not in filed and filed["comment"] == "RAS" and filed["reports"]
    reports = store.finalisation_reports(rec)
    assert reports == {
        absent: {"present": False, "incidents": []},
        flagged: {"present": True, "incidents": [{"category": "fraud_suspicion", "description": "Téléphone"}]}}
    # a filing the session does not name (lost a race, or cut off before the move) is never read
    store.put_reports(sid, "000000000000deadbeef", {plain_one: {"present": False, "incidents": []}})
    assert store.finalisation_reports(store.session(sid)) == reports
    # the candidates' list is not polluted by the report items
    listed = js(call(client, "GET", f"/centres/{centre_id}/sessions/{sid}/candidates", token=staff))
    assert sorted(c["candidate_id"] for c in listed["candidates"]) == sorted(ids)


def test_a_session_finalised_before_keeps_its_reports(client):
    from chalicelib.store import certification as store

    centre_id, staff = flow.create_centre(client)
    sid = flow.create_session(client, centre_id, staff)["session_id"]
    rec = store.session(sid)
    rec.update(actions=[store.SessionRecord.finalisation.set({
        "comment": "", "finalised_by": "x", "finalised_at": 1,
        "candidates": {"c1": {"present": False, "incidents": []},
                       "c2": {"present": True, "incidents": [{"category": "late_arrival", "description": ""}]}}})])
    reports = store.finalisation_reports(store.session(sid))
    assert reports["c1"]["present"] is False
    assert reports["c2"]["incidents"] == [{"category": "late_arrival", "description": ""}]


def test_the_job_scores_by_the_reports_in_their_own_items(client):
    """An absent candidate whose test ended is skipped (no certificate); the
    same test of a candidate reported present is scored (a certificate, held or
    rejected by the jury rules): the job reads the filing's items."""
    from chalicelib.domain.certification import CURRENT
    from chalicelib.domain.certification.course import Course, CourseStatus, course_id_of
    from chalicelib.jobs import issue_certificates
    from chalicelib.store import certification as store

    centre_id, staff = flow.create_centre(client)
    sid = flow.create_session(client, centre_id, staff)["session_id"]
    ids = [flow.enrol(client, centre_id, sid, staff, first=f"Élève{i}", last=f"Nom{i}")["candidate_id"]
           for i in range(2)]
    for n, cid in enumerate(ids):  # both tests ended by the invigilator, no answer given
        course = store.new_course(Course(
            course_id=course_id_of(sid, cid), session_id=sid, candidate_id=cid, user_id=f"learner-{n}",
            certification_version=CURRENT.version, status=CourseStatus.WAITING, authorised=False,
            extra_time_percent=0, accessible_only=False))
        store.end_course_by_invigilator(course, 1)
        store.link_candidate(store.candidate(sid, cid), f"learner-{n}", course.course_id)
    absent, present = ids
    assert call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff, body={
        "candidates": [{"candidate_id": absent, "present": False}, {"candidate_id": present}]}).status_code == 200
    report = issue_certificates.run()
    assert (report.issued, report.skipped) == (1, 1)
    assert store.certificate(course_id_of(sid, absent)) is None
    assert store.certificate(course_id_of(sid, present)) is not None

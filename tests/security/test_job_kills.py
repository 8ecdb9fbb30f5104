"""The scheduled job killed at every step boundary, then run again.

A finalised session with two tested candidates and one who never came. The
job is run once cleanly to learn its DynamoDB calls; then, for every call k,
from the same starting data: the process dies just before call k, or just
after it landed (before the code saw its answer), and the next scheduled run
goes to the end. Each time: every tested candidate has exactly one
certificate, with exactly one verification code pointing to it, the absent
candidate none, and the session is closed (published).
(tests/api/test_issuance_job.py covers overlapping runs and a deadline cut.)
"""
from __future__ import annotations

import pytest

from chalicelib.jobs import issue_certificates
from tests.api import cert_flow as flow
from tests.api.answers import correct_answer, make_certifiable, wrong_answer
from tests.api.helpers import call, js
from tests.conftest import make_token
from tests.security.faults import DynamoFaults, LambdaKilled


def _finalised_session(client) -> tuple[str, list[str]]:
    centre_id, staff = flow.create_centre(client)
    session = flow.create_session(client, centre_id, staff)
    sid = session["session_id"]
    inv = flow.invigilator(client, session)
    reports, tested = [], []
    for n, answer_for in enumerate((correct_answer, wrong_answer, None)):
        enrolled = flow.enrol(client, centre_id, sid, staff, first=f"Prénom{n}", last=f"Nom{n}",
                              birth=f"2008-02-{n + 10:02d}")
        if answer_for is not None:
            user = f"job-cand-{n}"
            make_certifiable(user)
            learner = make_token(user)
            course = js(call(client, "POST", "/certification/join", token=learner, body={
                "access_code": session["access_code"], "first_name": f"Prénom{n}",
                "last_name": f"Nom{n}", "birth_date": f"2008-02-{n + 10:02d}"}))
            call(client, "POST", f"/sessions/{sid}/candidates/{enrolled['candidate_id']}/authorise",
                 token=inv)
            flow.run_test(client, learner, course["course_id"], answer_for)
            tested.append(course["course_id"])
        reports.append({"candidate_id": enrolled["candidate_id"], "present": answer_for is not None,
                        "incidents": []})
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{sid}/finalise", token=staff,
                    body={"comment": "", "candidates": reports})
    assert response.status_code == 200, response.body
    return sid, tested


class Snapshot:
    """The certification table's raw items, to start every scenario alike."""

    def __init__(self):
        import boto3

        from chalicelib.store.tables import CertificationTable

        self.table = CertificationTable.Meta.table_name
        self.ddb = boto3.client("dynamodb", region_name="eu-west-3")
        self.items = self._scan()

    def _scan(self) -> list[dict]:
        return self.ddb.scan(TableName=self.table, ConsistentRead=True)["Items"]

    def restore(self) -> None:
        for item in self._scan():
            self.ddb.delete_item(TableName=self.table, Key={"pk": item["pk"], "sk": item["sk"]})
        for item in self.items:
            self.ddb.put_item(TableName=self.table, Item=item)


def _check_exactly_once(sid: str, tested: list[str]) -> None:
    from chalicelib.store import certification as store
    from chalicelib.store.tables import CertificationTable

    items = list(CertificationTable.scan())
    certs = [i for i in items if i.pk.startswith("CERT#")]
    links = [i for i in items if i.pk.startswith("VERIFY#")]
    assert sorted(c.pk for c in certs) == sorted(f"CERT#{cid}" for cid in tested)
    by_code = {store.certificate(cid).verification_code: cid for cid in tested}
    assert len(by_code) == len(tested)
    assert sorted(i.pk for i in links) == sorted(f"VERIFY#{code}" for code in by_code)
    for link in links:
        assert store.VerificationRecord.get(link.pk, "VERIFY").certificate_id == \
            by_code[link.pk.removeprefix("VERIFY#")]
    assert store.session(sid).status == "published"


@pytest.fixture()
def job_world(client, monkeypatch):
    sid, tested = _finalised_session(client)
    faults = DynamoFaults(monkeypatch)
    snapshot = Snapshot()
    faults.reset()
    issue_certificates.run()
    calls = list(faults.calls)
    _check_exactly_once(sid, tested)
    return sid, tested, faults, snapshot, calls


def test_killed_at_every_step_the_next_run_issues_each_certificate_exactly_once(job_world):
    sid, tested, faults, snapshot, calls = job_world
    operations = [op for op, _ in calls]
    # the boundaries the issue names are among the calls: certificate
    # transactions, then the session close
    assert operations.count("TransactWriteItems") == len(tested)
    assert operations[-1] == "UpdateItem"
    scenarios = 0
    for nth, operation in enumerate(operations, start=1):
        for after in (False, True):
            faults.clear()
            snapshot.restore()
            faults.reset()
            faults.add("*", "kill", nth=nth, after=after)
            with pytest.raises(LambdaKilled):
                issue_certificates.run()
            assert faults.calls[nth - 1] == (operation, "kill")
            faults.clear()
            issue_certificates.run()  # the next scheduled run
            _check_exactly_once(sid, tested)
            scenarios += 1
    assert scenarios == 2 * len(operations) >= 2 * (3 + 2 * len(tested) + 1)

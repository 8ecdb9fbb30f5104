"""Large roster files through S3: an upload URL (presigned POST, size-limited),
the import run by the upload event, progress and the line-level report read
afterwards by the school; nothing written from a refused file."""
from __future__ import annotations

import os

import boto3
import pytest

from chalicelib.jobs import import_roster as job
from chalicelib.services import rosters
from chalicelib.store import object_store
from tests.api import org_flow as flow
from tests.api.helpers import call, js

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "rosters")


@pytest.fixture()
def school(client):
    object_store.create_roster_bucket()
    org = flow.create_org(client)["org_id"]
    return org, flow.client_token(org)


def announce(client, org, token) -> dict:
    response = call(client, "POST", f"/organizations/{org}/learners/uploads", token=token)
    assert response.status_code == 201, response.body
    return js(response)


def upload(key: str, raw: bytes) -> dict:
    """What S3 does when the browser posts the file: store it and send the event."""
    object_store._s3().put_object(Bucket=object_store.roster_bucket(), Key=key, Body=raw)
    return {"Records": [{"eventSource": "aws:s3", "s3": {"bucket": {"name": object_store.roster_bucket()},
                                                         "object": {"key": key}}}]}


def status(client, org, token, import_id) -> dict:
    response = call(client, "GET", f"/organizations/{org}/learners/uploads/{import_id}", token=token)
    assert response.status_code == 200, response.body
    return js(response)


def test_a_zipped_siecle_export_is_posted_to_s3_and_imported_on_the_event(client, school):
    org, portal = school
    started = announce(client, org, portal)
    post = started["upload"]
    assert post["fields"]["key"] == rosters.upload_key(org, started["import_id"])
    assert "policy" in {k.lower() for k in post["fields"]}          # signed: size and key fixed
    assert status(client, org, portal, started["import_id"])["status"] == "waiting"
    with open(os.path.join(FIXTURES, "ElevesSansAdresses.zip"), "rb") as f:
        event = upload(post["fields"]["key"], f.read())
    assert job.handler(event)["imports"][0]["status"] == "done"
    report = status(client, org, portal, started["import_id"])
    assert report["status"] == "done"
    assert report["result"]["file"] == "siecle_xml" and report["result"]["created"] == 3
    assert len(flow.learners(client, org, portal)) == 3
    # the file (pupils' personal data) is gone once imported
    listed = object_store._s3().list_objects_v2(Bucket=object_store.roster_bucket())
    assert listed.get("KeyCount", 0) == 0


def test_a_refused_upload_keeps_its_line_report_and_writes_nothing(client, school):
    org, portal = school
    started = announce(client, org, portal)
    with open(os.path.join(FIXTURES, "ElevesSansAdresses.xml"), "rb") as f:
        raw = f.read().replace(b"<DATE_NAISS>14/05/2013", b"<DATE_NAISS>31/02/2013")
    job.handler(upload(started["upload"]["fields"]["key"], raw))
    report = status(client, org, portal, started["import_id"])
    assert report["status"] == "refused" and report["error"]["code"] == "invalid_file"
    assert report["error"]["details"] == [{
        "line": 1, "record": "ELEVE_ID 1403951", "column": "DATE_NAISS", "code": "invalid_date",
        "message": "Date de naissance invalide « 31/02/2013 » : attendu JJ/MM/AAAA (ex. 14/05/2010)."}]
    assert flow.learners(client, org, portal) == []


def test_an_unannounced_object_is_ignored_and_another_school_cannot_read_the_report(client, school):
    org, portal = school
    assert job.handler(upload(f"rosters/{org}/made-up", b"x"))["imports"][0]["status"] == "ignored"
    started = announce(client, org, portal)
    other = flow.create_org(client, name="Autre", uai="0690001B")["org_id"]
    path = f"/organizations/{org}/learners/uploads/{started['import_id']}"
    assert call(client, "GET", path, token=flow.client_token(other)).status_code == 403
    response = call(client, "GET", f"/organizations/{org}/learners/uploads/nope", token=portal)
    assert response.status_code == 404 and js(response)["error"]["message"]


def test_the_presigned_post_refuses_a_file_over_the_size_limit(client, school):
    org, portal = school
    post = announce(client, org, portal)["upload"]
    policy = __import__("base64").b64decode(post["fields"]["policy"]).decode()
    assert f'["content-length-range", 1, {rosters.MAX_UPLOAD_BYTES}]' in policy

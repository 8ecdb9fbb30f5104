"""A small populated platform for hostile tests: every kind of resource exists
at least once, in a known state, so that fuzzing and leak scans reach the
services instead of stopping at 404.

One principal, `world.admin`, is at once a platform admin, a learner with a
positioning test in progress, a certification candidate with a course running
(session B) and a certificate issued (session A), and an organisation admin
with an API client: with its token every non-invigilator route gets past the
access policy, so generated inputs reach the code behind it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.api import cert_flow as flow
from tests.api.answers import correct_answer, make_certifiable
from tests.api.helpers import call, js

PASSWORD = "Secret123"
ORG = "org-fuzz"


@dataclass
class World:
    admin_id: str
    admin: str                      # access token of the admin-learner
    refresh: str
    learner_id: str                 # an ordinary learner, positioning in 1.1
    learner: str
    centre_id: str
    staff: str
    session_a: dict                 # finalised, certificate issued
    session_b: dict                 # in progress, admin's course started
    candidate_a: str
    candidate_b: str
    course_a: str
    course_b: str
    certificate_id: str
    verification_code: str
    client_id: str
    client_secret: str
    ids: dict = field(default_factory=dict)


def build(client) -> World:
    from chalicelib.jobs import issue_certificates
    from chalicelib.services import accounts
    from chalicelib.store import certification as store
    admin_user = accounts.register(first_name="Ada", last_name="Lovelace", password=PASSWORD,
                                   birth_date=dt.date(1990, 5, 4), accepted_terms=True,
                                   email="ada@example.org")
    accounts.set_platform_admin(admin_user.id)
    accounts.add_membership(admin_user.id, "org", ORG, "admin")
    tokens = js(call(client, "POST", "/auth/token", {"login": "ada@example.org",
                                                     "password": PASSWORD}))
    admin = tokens["access_token"]
    make_certifiable(admin_user.id)
    assert call(client, "POST", "/me/competences/1.1/assessment", token=admin).status_code == 200

    # an ordinary learner, positioning in progress (the admin-learner, being in
    # a certification test, may not see positioning corrections meanwhile)
    learner_user = accounts.register(first_name="Blaise", last_name="Pascal", password=PASSWORD,
                                     birth_date=dt.date(1995, 6, 19), accepted_terms=True,
                                     email="blaise@example.org")
    learner_id = learner_user.id
    learner = js(call(client, "POST", "/auth/token", {"login": "blaise@example.org",
                                                       "password": PASSWORD}))["access_token"]
    started = js(call(client, "POST", "/me/competences/1.1/assessment", token=learner))
    first_item = started["item"]["id"]
    call(client, "POST", "/me/competences/1.1/assessment/answers", token=learner,
         body={"item_id": first_item, "answer": {"skip": True}})

    centre_id, staff = flow.create_centre(client)
    # session A: run to the end, finalised, certificate issued by the job
    session_a = flow.create_session(client, centre_id, staff)
    cand_a = flow.enrol(client, centre_id, session_a["session_id"], staff,
                        first="Ada", last="Lovelace", birth="1990-05-04")["candidate_id"]
    course_a = _join(client, admin, session_a)
    inv_a = flow.invigilator(client, session_a)
    call(client, "POST", f"/sessions/{session_a['session_id']}/candidates/{cand_a}/authorise",
         token=inv_a)
    flow.run_test(client, admin, course_a, correct_answer)
    response = call(client, "POST", f"/centres/{centre_id}/sessions/{session_a['session_id']}/finalise",
                    token=staff, body={"comment": "RAS", "candidates": [
                        {"candidate_id": cand_a, "present": True, "incidents": []}]})
    assert response.status_code == 200, response.body
    issue_certificates.run()
    cert = store.certificate(course_a)
    assert cert is not None

    # session B: the admin-learner's course is running, an item is served
    session_b = flow.create_session(client, centre_id, staff)
    cand_b = flow.enrol(client, centre_id, session_b["session_id"], staff,
                        first="Ada", last="Lovelace", birth="1990-05-04")["candidate_id"]
    course_b = _join(client, admin, session_b)
    inv_b = flow.invigilator(client, session_b)
    call(client, "POST", f"/sessions/{session_b['session_id']}/candidates/{cand_b}/authorise",
         token=inv_b)

    org = call(client, "POST", "/organizations", token=admin,
               body={"name": "Lycée Fuzz", "type": "lycee", "uai": "0759999Z"})
    assert org.status_code == 201, org.body
    org_id = js(org)["org_id"]
    accounts.add_membership(admin_user.id, "org", org_id, "admin")
    admin = js(call(client, "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}))
    tokens, admin = admin, admin["access_token"]   # now carrying the organisation
    campaign = call(client, "POST", f"/organizations/{org_id}/campaigns", token=admin,
                    body={"name": "Évaluation", "type": "assessment", "competences": ["1.1"]})
    assert campaign.status_code == 201, campaign.body
    created = js(call(client, "POST", f"/organizations/{org_id}/api-clients", token=admin,
                      body={"name": "ENT", "scopes": ["certification-results"]}))
    world = World(
        admin_id=admin_user.id, admin=admin, refresh=tokens["refresh_token"],
        learner_id=learner_id, learner=learner, centre_id=centre_id, staff=staff,
        session_a=session_a, session_b=session_b, candidate_a=cand_a, candidate_b=cand_b,
        course_a=course_a, course_b=course_b, certificate_id=course_a,
        verification_code=cert.verification_code, client_id=created["client_id"],
        client_secret=created["client_secret"])
    world.ids = {
        "centre_id": [centre_id],
        "session_id": [session_a["session_id"], session_b["session_id"]],
        "candidate_id": [cand_a, cand_b],
        "course_id": [course_a, course_b],
        "certificate_id": [course_a],
        "code": ["1.1", "3.4", cert.verification_code, js(campaign)["code"]],
        "item_id": [first_item],
        "org_id": [ORG, org_id],
        "campaign_id": [js(campaign)["campaign_id"]],
        "client_id": [created["client_id"]],
    }
    return world


def _join(client, token, session) -> str:
    response = call(client, "POST", "/certification/join", token=token, body={
        "access_code": session["access_code"], "first_name": "Ada", "last_name": "Lovelace",
        "birth_date": "1990-05-04"})
    assert response.status_code == 200, response.body
    return js(response)["course_id"]

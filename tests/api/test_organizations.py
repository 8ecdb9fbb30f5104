"""Organisations over HTTP: created by a platform admin, members added by an
admin of the organisation (and seen in their next token), isolation."""
from __future__ import annotations

from tests.api import org_flow as flow
from tests.api import users
from tests.api.helpers import call, js
from tests.conftest import make_token


def test_admin_creates_organisations_and_their_members_read_them(client):
    college = flow.create_org(client)
    assert college == {"org_id": college["org_id"], "name": "Collège Jean Moulin", "type": "college",
                       "uai": "0750001A", "roster_format": "school", "requires_reconciliation": True}
    fac = flow.create_org(client, name="Université de Lille", type="higher_education", uai=None)
    assert (fac["roster_format"], fac["requires_reconciliation"]) == ("student", False)

    for token in (flow.member_token(college["org_id"], "member"), flow.client_token(college["org_id"])):
        response = call(client, "GET", f"/organizations/{college['org_id']}", token=token)
        assert response.status_code == 200 and js(response)["uai"] == "0750001A"

    first = js(call(client, "GET", "/organizations?limit=1", token=flow.ADMIN))
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = js(call(client, "GET", f"/organizations?limit=1&cursor={first['next_cursor']}",
                     token=flow.ADMIN))
    assert {first["items"][0]["org_id"], second["items"][0]["org_id"]} == {college["org_id"],
                                                                          fac["org_id"]}
    assert second["next_cursor"] is None


def test_schools_need_a_unique_uai(client):
    response = call(client, "POST", "/organizations", token=flow.ADMIN,
                    body={"name": "Lycée sans UAI", "type": "lycee"})
    assert response.status_code == 400
    flow.create_org(client, uai="0750002b")
    response = call(client, "POST", "/organizations", token=flow.ADMIN,
                    body={"name": "Autre", "type": "lycee", "uai": "0750002B"})
    assert response.status_code == 409 and js(response)["error"]["code"] == "uai_taken"


def test_an_org_admin_adds_a_member_who_gets_the_role_at_next_sign_in(client):
    org = flow.create_org(client)["org_id"]
    teacher, _ = users.new_user(client)
    admin = flow.member_token(org, "admin")
    added = call(client, "POST", f"/organizations/{org}/members", token=admin,
                 body={"email": teacher["email"], "role": "member"})
    assert added.status_code == 201, added.body
    members = js(call(client, "GET", f"/organizations/{org}/members", token=admin))["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [(teacher["id"], "member")]

    fresh = users.sign_in(client, teacher["email"])["access_token"]
    assert call(client, "GET", f"/organizations/{org}", token=fresh).status_code == 200
    # a plain member cannot manage members
    assert call(client, "GET", f"/organizations/{org}/members", token=fresh).status_code == 403

    assert call(client, "DELETE", f"/organizations/{org}/members/{teacher['id']}",
                token=admin).status_code == 204
    assert js(call(client, "GET", f"/organizations/{org}/members", token=admin))["items"] == []
    unknown = call(client, "POST", f"/organizations/{org}/members", token=admin,
                   body={"email": "nobody@example.org"})
    assert unknown.status_code == 404


def test_nobody_reaches_another_organisation(client):
    a = flow.create_org(client, uai="0750001A")["org_id"]
    b = flow.create_org(client, name="Collège B", uai="0750003C")["org_id"]
    intruders = [flow.client_token(b), flow.member_token(b, "admin"), make_token("learner-1")]
    for token in intruders:
        assert call(client, "GET", f"/organizations/{a}", token=token).status_code == 403
        assert call(client, "POST", f"/organizations/{a}/members", token=token,
                    body={"user_id": "x"}).status_code == 403
    assert call(client, "GET", "/organizations", token=flow.client_token(b)).status_code == 403
    # an admin of a missing organisation gets a 404, not an empty organisation
    assert call(client, "GET", "/organizations/nope", token=flow.ADMIN).status_code == 404

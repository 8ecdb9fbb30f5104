"""Organisations over HTTP: created by a platform admin, members added by an
admin of the organisation (and seen in their next token), isolation."""
from __future__ import annotations

import pytest

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


def test_a_platform_admin_manages_members_and_never_removes_the_last_admin(client):
    """The /administration space's calls: paged list, add by e-mail with a role,
    role change, removal; the organisation always keeps one admin."""
    org = flow.create_org(client)["org_id"]
    base = f"/organizations/{org}/members"
    head, teacher, cpe = (users.register(client) for _ in range(3))
    for person, role in ((head, "admin"), (teacher, "member"), (cpe, "member")):
        added = call(client, "POST", base, token=flow.ADMIN, body={"email": person["email"], "role": role})
        assert added.status_code == 201 and js(added)["role"] == role, added.body

    first = js(call(client, "GET", f"{base}?limit=2", token=flow.ADMIN))
    second = js(call(client, "GET", f"{base}?limit=2&cursor={first['next_cursor']}", token=flow.ADMIN))
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    listed = {m["user_id"]: (m["role"], m["login"]) for m in first["items"] + second["items"]}
    assert listed == {head["id"]: ("admin", head["email"]), teacher["id"]: ("member", teacher["email"]),
                      cpe["id"]: ("member", cpe["email"])}
    assert call(client, "GET", f"{base}?cursor=bad!", token=flow.ADMIN).status_code == 400

    # the only admin can be neither demoted (by PATCH or by re-adding) nor removed
    refusals = [call(client, "PATCH", f"{base}/{head['id']}", token=flow.ADMIN, body={"role": "member"}),
                call(client, "POST", base, token=flow.ADMIN, body={"email": head["email"], "role": "member"}),
                call(client, "DELETE", f"{base}/{head['id']}", token=flow.ADMIN)]
    for response in refusals:
        assert response.status_code == 409, response.body
        assert js(response)["error"]["code"] == "last_admin"
        assert "dernier administrateur" in js(response)["error"]["message"]

    promoted = call(client, "PATCH", f"{base}/{teacher['id']}", token=flow.ADMIN, body={"role": "admin"})
    assert promoted.status_code == 200 and js(promoted)["role"] == "admin"
    assert call(client, "DELETE", f"{base}/{head['id']}", token=flow.ADMIN).status_code == 204
    assert call(client, "PATCH", f"{base}/{teacher['id']}", token=flow.ADMIN,
                body={"role": "member"}).status_code == 409
    assert call(client, "PATCH", f"{base}/{head['id']}", token=flow.ADMIN,
                body={"role": "admin"}).status_code == 404
    assert call(client, "PATCH", f"{base}/{cpe['id']}", token=flow.ADMIN,
                body={"role": "chef"}).status_code == 400

    # the promoted teacher, signed in again, manages their own organisation as before
    own = users.sign_in(client, teacher["email"])["access_token"]
    assert call(client, "PATCH", f"{base}/{cpe['id']}", token=own, body={"role": "admin"}).status_code == 200
    assert call(client, "PATCH", f"{base}/{teacher['id']}", token=own, body={"role": "member"}).status_code == 200
    roles = {m["user_id"]: m["role"] for m in js(call(client, "GET", base, token=flow.ADMIN))["items"]}
    assert roles == {teacher["id"]: "member", cpe["id"]: "admin"}


def test_school_staff_learners_and_other_organisations_cannot_manage_members(client):
    org = flow.create_org(client)["org_id"]
    other = flow.create_org(client, name="Collège B", uai="0750003C")["org_id"]
    base = f"/organizations/{org}/members"
    teacher = users.register(client)
    assert call(client, "POST", base, token=flow.ADMIN,
                body={"email": teacher["email"], "role": "admin"}).status_code == 201
    refused = {"teacher": flow.member_token(org, "member"), "centre staff": make_token("c-1", centres=["c-1"]),
               "learner": make_token("learner-1"), "other school's admin": flow.member_token(other, "admin"),
               "school's API client": flow.client_token(org)}
    for who, token in refused.items():
        for method, path, body in (("GET", base, None), ("POST", base, {"email": teacher["email"]}),
                                   ("PATCH", f"{base}/{teacher['id']}", {"role": "member"}),
                                   ("DELETE", f"{base}/{teacher['id']}", None)):
            response = call(client, method, path, token=token, body=body)
            assert response.status_code == 403, (who, method, response.body)
    roles = [m["role"] for m in js(call(client, "GET", base, token=flow.ADMIN))["items"]]
    assert roles == ["admin"]


def test_two_admins_demoting_each_other_leave_one_admin(client):
    """The store's transaction checks the remaining admin's own item: whichever
    of two crossing demotions commits second finds no admin left and loses."""
    from chalicelib.store import accounts as store
    from chalicelib.store.writes import Conflicting

    org = flow.create_org(client)["org_id"]
    a, b = users.register(client), users.register(client)
    for person in (a, b):
        store.put_membership(person["id"], "org", org, "admin")
    store.change_membership_keeping(a["id"], "org", org, "member", keeper_id=b["id"])
    with pytest.raises(Conflicting):
        store.change_membership_keeping(b["id"], "org", org, None, keeper_id=a["id"])
    assert store.membership_role(b["id"], "org", org) == "admin"

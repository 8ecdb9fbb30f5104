"""Building blocks of the organisation tests: organisations, tokens of their
members and API clients, roster files."""
from __future__ import annotations

from tests.api.helpers import call, js
from tests.conftest import make_token

ADMIN = make_token("admin-1", admin=True)
SCHOOL_HEADER = ("INE;Nom de famille;Nom d'usage;Prénoms;Sexe;Date de naissance (jj/mm/aaaa);"
                 "Code commune naissance;Pays de naissance;Division;Code MEF")
PUPILS = [
    "123456789AB;Dupont;;Léa Marie;F;14/05/2010;75056;;3A;10110001110",
    "234567890CD;Martin;Durand;Hugo;M;02/11/2009;;Belgique;3A;10110001110",
    "3456789012E;N'Diaye;;Awa;F;30/01/2010;13055;;3B;10110001110",
]


def create_org(client, name="Collège Jean Moulin", type="college", uai="0750001A",
               expect=201) -> dict:
    body = {"name": name, "type": type}
    if uai:
        body["uai"] = uai
    response = call(client, "POST", "/organizations", token=ADMIN, body=body)
    assert response.status_code == expect, response.body
    return js(response)


def client_token(org_id: str, scopes=None, client_id: str | None = None) -> str:
    """A portal's token; by default it holds every scope (tests/security/
    test_client_scopes.py checks what each scope alone opens)."""
    from chalicelib.domain.scopes import SCOPES
    from chalicelib.services import tokens

    scopes = tuple(SCOPES) if scopes is None else scopes

    return tokens.client_token(client_id or f"client-{org_id}", org_id, list(scopes))


def member_token(org_id: str, role: str = "admin", user_id: str | None = None) -> str:
    return make_token(user_id or f"staff-{org_id}", orgs={org_id: role})


def school_csv(lines=PUPILS, header=SCHOOL_HEADER, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def import_roster(client, org_id: str, token: str, raw: bytes):
    return call(client, "POST", f"/organizations/{org_id}/learners/import", token=token, raw=raw,
                headers={"Content-Type": "text/csv"})


def learners(client, org_id: str, token: str, **query) -> list[dict]:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    response = call(client, "GET", f"/organizations/{org_id}/learners" + (f"?{qs}" if qs else ""),
                    token=token)
    assert response.status_code == 200, response.body
    return js(response)["items"]

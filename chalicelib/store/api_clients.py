"""API clients of school portals (client-credentials flow).

    CLIENT#<client id>   CLIENT   org, name, scopes, secret hash
                         (gsi1: APICLIENTS#<org id> / CLIENT#<created>#<id>, to list an org's)

The token route reads by primary key (strongly consistent, right after
creation or rotation); only the listing goes through the GSI.
"""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.store.tables import AccountsTable


class ApiClientItem(AccountsTable):
    client_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute, default=list)
    secret_hash = UnicodeAttribute()
    created_at = NumberAttribute()
    rotated_at = NumberAttribute(null=True)


def _key(client_id: str) -> tuple[str, str]:
    return f"CLIENT#{client_id}", "CLIENT"


def create(client_id: str, org_id: str, name: str, scopes: list[str], secret_hash: str,
           now: int) -> ApiClientItem:
    item = ApiClientItem(*_key(client_id), client_id=client_id, org_id=org_id, name=name,
                         scopes=scopes, secret_hash=secret_hash, created_at=now,
                         gsi1pk=f"APICLIENTS#{org_id}", gsi1sk=f"CLIENT#{now:012d}#{client_id}")
    item.save(condition=ApiClientItem.pk.does_not_exist())
    return item


def get(client_id: str) -> ApiClientItem | None:
    try:
        return ApiClientItem.get(*_key(client_id), consistent_read=True)
    except ApiClientItem.DoesNotExist:
        return None


def list_for_org(org_id: str) -> list[ApiClientItem]:
    return list(ApiClientItem.gsi1.query(f"APICLIENTS#{org_id}"))


def set_secret(client_id: str, org_id: str, secret_hash: str, now: int) -> ApiClientItem | None:
    item = ApiClientItem(*_key(client_id))
    try:
        item.update(actions=[ApiClientItem.secret_hash.set(secret_hash),
                             ApiClientItem.rotated_at.set(now)],
                    condition=ApiClientItem.pk.exists() & (ApiClientItem.org_id == org_id))
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return item


def delete(client_id: str, org_id: str) -> bool:
    try:
        ApiClientItem(*_key(client_id)).delete(
            condition=ApiClientItem.pk.exists() & (ApiClientItem.org_id == org_id))
        return True
    except DeleteError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise

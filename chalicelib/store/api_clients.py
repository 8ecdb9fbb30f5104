"""API clients of school portals (client-credentials flow).

    CLIENT#<client id>   CLIENT   org, name, scopes, secret hash
                         (gsi1: APICLIENTS#<org id> / CLIENT#<created>#<id>, to list an org's)

The token route reads by primary key (strongly consistent, right after
creation or rotation); only the listing goes through the GSI.
"""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.api_clients import ApiClient
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


def _client(item: ApiClientItem) -> ApiClient:
    return ApiClient(client_id=item.client_id, org_id=item.org_id, name=item.name,
                     scopes=tuple(item.scopes or ()), secret_hash=item.secret_hash,
                     created_at=int(item.created_at),
                     rotated_at=int(item.rotated_at) if item.rotated_at else None)


def create(client: ApiClient) -> None:
    """A new client (the id is 96 random bits: an existing one fails the write)."""
    ApiClientItem(*_key(client.client_id), client_id=client.client_id, org_id=client.org_id,
                  name=client.name, scopes=list(client.scopes), secret_hash=client.secret_hash,
                  created_at=client.created_at, gsi1pk=f"APICLIENTS#{client.org_id}",
                  gsi1sk=f"CLIENT#{client.created_at:012d}#{client.client_id}",
                  ).save(condition=ApiClientItem.pk.does_not_exist())


def get(client_id: str) -> ApiClient | None:
    try:
        return _client(ApiClientItem.get(*_key(client_id), consistent_read=True))
    except ApiClientItem.DoesNotExist:
        return None


def list_for_org(org_id: str) -> list[ApiClient]:
    return [_client(item) for item in ApiClientItem.gsi1.query(f"APICLIENTS#{org_id}")]


def set_secret(client_id: str, org_id: str, secret_hash: str, now: int) -> ApiClient | None:
    """The client with its new secret, or None when `org_id` holds no such client."""
    item = ApiClientItem(*_key(client_id))
    try:
        item.update(actions=[ApiClientItem.secret_hash.set(secret_hash),
                             ApiClientItem.rotated_at.set(now)],
                    condition=ApiClientItem.pk.exists() & (ApiClientItem.org_id == org_id))
    except UpdateError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return _client(item)


def delete(client_id: str, org_id: str) -> bool:
    try:
        ApiClientItem(*_key(client_id)).delete(
            condition=ApiClientItem.pk.exists() & (ApiClientItem.org_id == org_id))
        return True
    except DeleteError as err:
        if err.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise

"""One boto3 client per (service, endpoint, region), made on first use.

boto3 is imported here and only when a client is first asked for, so `import app`
stays free of it; the clients are cold-start caches (one per Lambda instance)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=16)
def client(service: str, endpoint: str | None, region: str):
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=endpoint)

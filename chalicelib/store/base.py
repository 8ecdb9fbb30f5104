"""Shared PynamoDB conventions: one table per bounded context, generic keys.

Every table has `pk`/`sk` string keys, one sparse GSI (`gsi1pk`/`gsi1sk`) and
an `expires_at` TTL attribute; entity models subclass the table's model and
always read with a key prefix, so entity types never mix in one query.
"""
from __future__ import annotations

from chalicelib.config import settings, table_name


def meta(suffix: str) -> type:
    """Meta for a table: host from config (None = real AWS), on-demand billing,
    timeouts short enough for an API behind a 29 s gateway."""
    cfg = settings()
    attrs = {
        "table_name": table_name(suffix),
        "host": cfg.dynamodb_endpoint,
        "region": cfg.region,
        "billing_mode": "PAY_PER_REQUEST",
        "connect_timeout_seconds": 2,
        "read_timeout_seconds": 5,
        "max_retry_attempts": 4,
    }
    return type("Meta", (), attrs)


def gsi_meta(name: str) -> type:
    from pynamodb.indexes import AllProjection

    return type("Meta", (), {"index_name": name, "projection": AllProjection(),
                             "billing_mode": "PAY_PER_REQUEST"})

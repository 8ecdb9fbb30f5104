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


# DynamoDB answers that mean "not now", not "never": throttling, server-side
# faults, a transaction that collided with another. botocore (PynamoDB's
# `max_retry_attempts`, standard mode: exponential backoff with jitter)
# retries them first; what still fails reaches the API edge as a 503 with a
# Retry-After header (chalicelib/api/http.py), never as a 500.
TRANSIENT_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    "TransactionInProgressException", "TransactionConflictException",
})
TRANSIENT_CANCELLATIONS = frozenset({"ThrottlingError", "TransactionConflict",
                                     "ProvisionedThroughputExceeded"})


def is_transient(err: BaseException) -> bool:
    """True when `err` (a PynamoDB or botocore error) is DynamoDB being
    throttled or unavailable, so the same request may succeed later."""
    from botocore.exceptions import (ClientError, ConnectionClosedError, ConnectTimeoutError,
                                     EndpointConnectionError, ReadTimeoutError)
    from pynamodb.exceptions import PynamoDBException

    cause: BaseException | None = err
    if isinstance(err, PynamoDBException):
        cause = err.cause
        reasons = getattr(err, "cancellation_reasons", None) or []
        if any(r is not None and r.code in TRANSIENT_CANCELLATIONS for r in reasons):
            return True
    if isinstance(cause, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError,
                          ConnectionClosedError)):
        return True
    if isinstance(cause, ClientError):
        error = cause.response.get("Error", {})
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error.get("Code") in TRANSIENT_CODES or int(status) >= 500
    return False

"""The only code talking to S3: the answer export's bucket.

Locally (`make run`) and in tests the bucket is moto's; `create_bucket` makes
it as the template declares it (in AWS CloudFormation creates it).
"""
from __future__ import annotations


from chalicelib import aws_clients
from chalicelib.config import settings


def _s3():
    cfg = settings()
    return aws_clients.client("s3", cfg.s3_endpoint, cfg.region)


def bucket() -> str:
    return settings().answer_export_bucket


def create_bucket() -> None:
    """The export bucket, private and encrypted (local stack and tests)."""
    s3 = _s3()
    try:
        s3.create_bucket(Bucket=bucket(), CreateBucketConfiguration={
            "LocationConstraint": settings().region})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        return


def put(key: str, body: bytes) -> None:
    """Write (or overwrite with the same content: the export is idempotent) one object."""
    _s3().put_object(Bucket=bucket(), Key=key, Body=body, ContentType="application/x-ndjson",
                     ServerSideEncryption="AES256")


def keys(prefix: str, *, bucket_name: str | None = None) -> list[str]:
    """The object keys under `prefix` (the calibration may read another stage's bucket)."""
    found: list[str] = []
    pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=bucket_name or bucket(), Prefix=prefix)
    for page in pages:
        found += [o["Key"] for o in page.get("Contents", [])]
    return sorted(found)


def get(key: str, *, bucket_name: str | None = None) -> bytes:
    return _s3().get_object(Bucket=bucket_name or bucket(), Key=key)["Body"].read()

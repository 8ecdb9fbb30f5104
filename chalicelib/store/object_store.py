"""The only code talking to S3: the answer export's bucket and the roster uploads'.

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


# --- roster uploads (large SIECLE files): the school's browser posts straight to S3 -----------


def roster_bucket() -> str:
    return settings().roster_upload_bucket


def create_roster_bucket() -> None:
    s3 = _s3()
    try:
        s3.create_bucket(Bucket=roster_bucket(), CreateBucketConfiguration={
            "LocationConstraint": settings().region})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        return


def presigned_upload(key: str, *, max_bytes: int, content_types: tuple[str, ...],
                     expires_in: int) -> dict:
    """A presigned POST for one object: this key only, at most `max_bytes`, a
    Content-Type among the roster kinds (the import still reads the kind from
    the bytes), encrypted at rest."""
    fields = {"x-amz-server-side-encryption": "AES256"}
    conditions = [["content-length-range", 1, max_bytes],
                  {"x-amz-server-side-encryption": "AES256"},
                  ["starts-with", "$Content-Type", ""]]
    post = _s3().generate_presigned_post(roster_bucket(), key, Fields=fields,
                                         Conditions=conditions, ExpiresIn=expires_in)
    post["allowed_content_types"] = list(content_types)
    return post


def get_roster_upload(key: str, max_bytes: int) -> bytes | None:
    """The uploaded file, or None when it is larger than allowed (never read whole)."""
    s3 = _s3()
    head = s3.head_object(Bucket=roster_bucket(), Key=key)
    if head["ContentLength"] > max_bytes:
        return None
    return s3.get_object(Bucket=roster_bucket(), Key=key)["Body"].read()


def delete_roster_upload(key: str) -> None:
    """Pupils' personal data: the file goes once imported (or refused)."""
    _s3().delete_object(Bucket=roster_bucket(), Key=key)

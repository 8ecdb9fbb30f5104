"""Conditional writes shared by the stores: one `Conflicting` for "a
conditional write lost", whatever the table.

Transactions go through the model's own connection (its botocore client is
created once per cold start): a new Connection per transaction built a new
botocore client every time, ~100 ms of CPU per certificate issued
(scripts/bench.py).
"""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite


class Conflicting(Exception):
    """A conditional write lost: the item exists or changed meanwhile."""


def conditional_failed(err: Exception) -> bool:
    if getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException":
        return True
    return isinstance(err, TransactWriteError) and "ConditionalCheckFailed" in str(
        getattr(err, "cancellation_reasons", "") or err)


def get_or_none(model, pk: str, sk: str, consistent: bool = True):
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except DoesNotExist:
        return None


def put_new(record) -> None:
    try:
        record.save(condition=type(record).pk.does_not_exist())
    except PutError as err:
        if conditional_failed(err):
            raise Conflicting() from err
        raise


def put_all_new(records: list) -> None:
    """Create several items of one table at once, all or nothing (each must not exist)."""
    if not records:
        return
    try:
        with TransactWrite(connection=type(records[0])._get_connection().connection) as tx:
            for rec in records:
                tx.save(rec, condition=type(rec).pk.does_not_exist())
    except TransactWriteError as err:
        if conditional_failed(err):
            raise Conflicting() from err
        raise


def update(record, actions: list, condition=None) -> None:
    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as err:
        if conditional_failed(err):
            raise Conflicting() from err
        raise

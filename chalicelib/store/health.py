from __future__ import annotations

from pynamodb.exceptions import PynamoDBException

from chalicelib.store.tables import AccountsTable


def dynamodb_answers() -> tuple[bool, str]:
    """One cheap key read: proves the endpoint, credentials and table."""
    try:
        AccountsTable.count("HEALTH", limit=1)
        return True, "ok"
    except PynamoDBException as err:
        return False, type(err).__name__

"""Refusing the access token of a closed account or of revoked sessions on
writes (issue 13, point 3).

Access tokens are stateless for 20 minutes. Reads keep it that way (a closed
account has nothing left to read: its resources answer 404), but a write from
such a token would create data under an erased id that nothing would ever
erase, or let a thief who took a token keep acting after the password was
changed. So every write by a user costs one strongly consistent GetItem on a
small item (`store/revocations.py`, 1 read request unit, one DynamoDB round
trip), absent for nearly every account.
"""
from __future__ import annotations

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal
from chalicelib.store import revocations

SESSION_ENDED = "Votre session a pris fin, reconnectez-vous."


def refuse_if_revoked(principal: Principal) -> None:
    if principal.kind != "user":
        return
    lowest = revocations.min_version(principal.subject)
    if lowest is not None and principal.token_version < lowest:
        raise Unauthenticated(SESSION_ENDED, code="token_revoked")

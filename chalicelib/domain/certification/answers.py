"""What a certification test records per item served: the item and the outcome."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.answers import AnswerStatus


@dataclass(frozen=True)
class CertificationAnswer:
    """One answer of a certification test, in the order items were served.

    Only `AnswerStatus.OK` is a success; ko, aband (skipped), timedout and
    focusedOut all count as failures in the estimate."""

    item_id: str
    status: AnswerStatus

    @property
    def is_success(self) -> bool:
        return self.status is AnswerStatus.OK

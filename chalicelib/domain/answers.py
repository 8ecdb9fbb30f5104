"""Answer outcomes shared by matching, positioning and certification."""
from __future__ import annotations

from enum import Enum


class AnswerStatus(str, Enum):
    OK = "ok"
    KO = "ko"
    ABAND = "aband"          # "Je passe": skipped on purpose
    TIMEDOUT = "timedout"    # answered after the item's timer
    FOCUSED_OUT = "focusedOut"  # left the page during a focused item

    @property
    def is_success(self) -> bool:
        return self is AnswerStatus.OK

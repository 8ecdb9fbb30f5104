"""Domain exceptions. The API maps each class to an HTTP status in one place
(`chalicelib.api.errors`); messages are French, for the person reading them."""
from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: object = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidInput(DomainError):
    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Gone(DomainError):
    code = "gone"


class TooManyRequests(DomainError):
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int = 60, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Unavailable(DomainError):
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int = 2, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after

"""Domain errors and their one JSON shape on the wire.

Every refusal carries an HTTP status, a stable ``code`` (clients and tests switch on it, never on
the message), a human message in English and Chinese, and the offending ``field`` when there is
one. Services raise ``DomainError``; the exception handlers in ``server.lib.error_handlers`` turn
it (and framework validation errors) into the JSON body.
"""

from __future__ import annotations

from typing import Any

import msgspec


class ErrorBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The body of every error response."""

    status: int
    code: str
    message: str
    message_zh: str = ""
    field: str | None = None
    detail: dict[str, Any] | None = None


class DomainError(Exception):
    """A rule said no. Subclasses fix ``status`` and ``code``; the instance names the field."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        message_zh: str = "",
        field: str | None = None,
        detail: dict[str, Any] | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.field = field
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_body(self) -> ErrorBody:
        return ErrorBody(
            status=self.status,
            code=self.code,
            message=self.message,
            message_zh=self.message_zh,
            field=self.field,
            detail=self.detail,
        )


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

"""Turn every failure into ``ErrorBody`` JSON; never leak a stack trace or a driver message."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import IntegrityError

from server.lib.errors import DomainError, ErrorBody
from sync.errors import SyncError

log = logging.getLogger("cangku.errors")

_FIELD_IN_MESSAGE = re.compile(r"at `\$\.?([^`]*)`")
_NAMED_FIELD = re.compile(r"field `([^`]+)`")


def _respond(body: ErrorBody, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(content=body, status_code=body.status, headers=headers)


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    headers = {"Retry-After": str(exc.detail["retry_after"])} if exc.detail and "retry_after" in exc.detail else None
    return _respond(exc.to_body(), headers)


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    """msgspec says ``Expected `int`, got `str` - at `$.qty``; keep the sentence, lift the field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    message = str(exc.detail)
    field: str | None = None
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", message))
            key = item.get("key")
            if key:
                field = str(key)
            break
    match = _FIELD_IN_MESSAGE.search(message)
    if match and match.group(1):
        field = match.group(1).replace("[", ".").replace("]", "")
    named = _NAMED_FIELD.search(message)
    if named and field in (None, "data"):
        field = named.group(1)
    elif named and field:
        field = f"{field}.{named.group(1)}"
    malformed = any(w in message.lower() for w in ("malformed", "truncated", "json"))
    return _respond(
        ErrorBody(
            status=400,
            code="malformed_json" if malformed and field in (None, "data") else "invalid_input",
            message=message,
            message_zh="请求内容无效",
            field=field,
        )
    )


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    codes = {
        NotAuthorizedException: ("unauthorized", "请先登录"),
        PermissionDeniedException: ("forbidden", "没有权限"),
        NotFoundException: ("not_found", "未找到"),
    }
    code, zh = next(((c, z) for cls, (c, z) in codes.items() if isinstance(exc, cls)), ("http_error", "请求失败"))
    if exc.status_code == 400 and any(w in str(exc.detail).lower() for w in ("malformed", "truncated")):
        code, zh = "malformed_json", "请求体不是有效的 JSON"
    if exc.status_code == 405:
        code, zh = "method_not_allowed", "不支持的请求方法"
    return _respond(ErrorBody(status=exc.status_code, code=code, message=str(exc.detail), message_zh=zh))


def integrity_error_handler(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[ErrorBody]:
    """A constraint caught what a service check missed (often a race); the transaction is gone."""
    log.warning("integrity error: %s", exc.orig)
    return _respond(
        ErrorBody(
            status=409,
            code="constraint_violation",
            message="the change conflicts with existing data (duplicate code or missing reference)",
            message_zh="与现有数据冲突（编码重复或引用不存在）",
        )
    )


def internal_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error", exc_info=exc)
    return _respond(
        ErrorBody(
            status=HTTP_500_INTERNAL_SERVER_ERROR,
            code="internal_error",
            message="internal error; nothing was saved",
            message_zh="服务器内部错误；未保存任何更改",
        )
    )


def sync_error_handler(_: Request[Any, Any, Any], exc: SyncError) -> Response[ErrorBody]:
    """Protocol refusals of SPEC.md §8, in the same body as every other error."""
    return _respond(
        ErrorBody(
            status=exc.status, code=exc.code, message=exc.message, message_zh=exc.message_zh, detail=exc.detail or None
        )
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error_handler,
    SyncError: sync_error_handler,
    ValidationException: validation_error_handler,
    IntegrityError: integrity_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

"""Route guards: every handler declares the one permission it needs (``guards=[requires(...)]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.lib.errors import Forbidden, Unauthorized

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires(permission: Permission) -> Guard:
    """A guard that lets through only users whose roles grant ``permission``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, AuthUser):
            raise Unauthorized("log in first", message_zh="请先登录")
        if not user.can(permission):
            raise Forbidden(
                f"your roles do not allow {permission.value}",
                message_zh="您的角色没有此权限",
                detail={"permission": permission.value},
            )

    guard.__name__ = f"requires_{permission.name}"
    guard.permission = permission  # type: ignore[attr-defined]  # read by the role x endpoint test
    return guard

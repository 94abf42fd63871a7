"""Bearer-token authentication for every route except the few listed as public.

A missing, expired or revoked token on a guarded route is a 401 with a stable code, so the PWA
knows to send the user back to the login screen (and keep their offline queue).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.tokens import resolve_token
from server.lib.errors import Unauthorized

AUTH_EXCLUDE = [r"^/schema", r"^/api/auth/login$", r"^/api/health$", r"^/api/webhooks/"]
"""The API docs, the login and health endpoints, and platform webhooks (signed with the channel's
secret instead); the PWA's files opt out with
``opt={"exclude_from_auth": True}`` on their router (an app shell must load before login)."""


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("missing bearer token", message_zh="缺少登录令牌", code="token_missing")
        factory: async_sessionmaker[AsyncSession] = connection.app.state.session_factory
        async with factory() as session:
            user = await resolve_token(session, token.strip())
        if user is None:
            raise Unauthorized(
                "token is invalid, expired or revoked; log in again",
                message_zh="登录已失效，请重新登录",
                code="token_invalid",
            )
        return AuthenticationResult(user=user, auth=token)

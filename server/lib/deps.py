"""Dependencies every controller may ask for by name."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.identity import AuthUser
from server.db.engine import write_gate
from server.lib.errors import Unauthorized
from server.settings import Settings


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed when the handler returns, rolled back if it raises.

    Litestar throws the handler's exception into this generator, so ``session.begin()`` sees it
    and rolls back: a refused request leaves nothing half-written.
    """
    factory: async_sessionmaker[AsyncSession] = state.session_factory
    async with write_gate(factory), factory() as session, session.begin():
        yield session


def provide_session_factory(state: State) -> async_sessionmaker[AsyncSession]:
    """For handlers that run their own (retried) transactions, such as the ledger's."""
    factory: async_sessionmaker[AsyncSession] = state.session_factory
    return factory


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_current_user(request: Request[Any, Any, Any]) -> AuthUser:
    user = request.scope.get("user")
    if not isinstance(user, AuthUser):
        raise Unauthorized("log in first", message_zh="请先登录")
    return user


DEPENDENCIES: dict[str, Any] = {}
"""Filled by ``server.app`` with ``Provide`` wrappers; kept here so the names are documented once."""

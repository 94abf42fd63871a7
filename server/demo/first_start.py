"""Is this a first start? A database without users has never been used, so demo data may go in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.demo.summary import DemoDataRefused


async def has_any_users(session: AsyncSession) -> bool:
    return await session.scalar(select(User.id).limit(1)) is not None


async def refuse_unless_empty(session: AsyncSession) -> None:
    """Demo data is never mixed into a database somebody already uses (or a finished demo load)."""
    if await has_any_users(session):
        raise DemoDataRefused(
            "the database already has users; demo data is only loaded into an empty database",
            message_zh="数据库中已有用户，演示数据只能加载到空数据库",
        )

"""Row claiming shared by the push worker's stages."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def skip_locked(statement: S, session: AsyncSession, *, of: Any) -> S:
    """Rows another worker process holds are skipped rather than waited for (PostgreSQL ``FOR UPDATE
    SKIP LOCKED``); SQLite has one writer at a time anyway (``BEGIN IMMEDIATE``)."""
    if session.get_bind().dialect.name == "postgresql":
        return statement.with_for_update(skip_locked=True, of=of)
    return statement

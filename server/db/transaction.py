"""Run a unit of work in its own transaction, retrying what a retry can fix.

PostgreSQL may abort a transaction for a deadlock (40P01) or a serialization failure (40001);
SQLite may report "database is locked" past its busy timeout; two requests racing with the same
idempotency key make one hit the unique index. In each case the whole transaction was rolled
back, nothing partial was written, and running it again gives the right answer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.engine import write_gate
from sync.db_errors import is_transient

T = TypeVar("T")

DEFAULT_ATTEMPTS = 8


def is_retryable(exc: BaseException, *, retry_integrity: bool) -> bool:
    """Deadlocks, serialization failures, SQLite lock time-outs and (optionally) unique races."""
    return (retry_integrity and isinstance(exc, IntegrityError)) or is_transient(exc)


async def run_in_transaction(
    session_factory: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    retry_integrity: bool = True,
) -> T:
    """Call ``work`` inside ``session.begin()``; on a retryable failure start over with a new session.

    ``retry_integrity`` retries unique-key races (the second run sees the winner's row and answers
    from it); the last attempt re-raises whatever happened.
    """
    for attempt in range(1, attempts + 1):
        async with write_gate(session_factory), session_factory() as session:
            try:
                async with session.begin():
                    return await work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_retryable(exc, retry_integrity=retry_integrity):
                    raise
        await asyncio.sleep(min(0.2, 0.002 * 2**attempt) * random.random())  # noqa: S311 - jitter only
    msg = "unreachable: the loop returns or raises"
    raise AssertionError(msg)

"""Queueing many deduplicated notifications at once, for the rules worker.

``queue_notification`` answers the first row for a repeated ``dedupe_key`` with one query each; a
pass that re-checks a thousand flagged orders a minute would ask a thousand times to learn that
nothing is new. Here the keys already queued are read in a few ``IN`` queries, only new ones are
queued, and a pass queues at most ``limit`` (the most pressing first: callers sort), leaving the
rest to the next pass rather than holding one transaction open for a flood.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.notify.models import PushNotification
from server.notify.outbox import queue_notification

CHUNK = 500
PER_PASS = 500
"""New notifications of one rule kind per pass: the next pass (a minute later) queues the rest."""


async def queued_keys(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(
            await session.scalars(select(PushNotification.dedupe_key).where(PushNotification.dedupe_key.in_(chunk)))
        )
    return found


async def queue_new(
    session: AsyncSession, candidates: Sequence[dict[str, Any]], *, now: datetime, limit: int = PER_PASS
) -> int:
    """Queue the candidates (``queue_notification`` keyword arguments, each with a ``dedupe_key``)
    not queued before, at most ``limit``; answers how many were queued."""
    seen = await queued_keys(session, (c["dedupe_key"] for c in candidates))
    queued = 0
    for candidate in candidates:
        if queued >= limit:
            break
        if candidate["dedupe_key"] in seen:
            continue
        seen.add(candidate["dedupe_key"])
        await queue_notification(session, now=now, **candidate)
        queued += 1
    return queued

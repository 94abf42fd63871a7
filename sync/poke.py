"""Pokes (SPEC.md §7.3): "something in your scope changed, pull now" — no data, so a lost poke costs
only latency (devices also pull periodically). Within a process a ``PokeHub`` fans out to the
connected devices; across worker processes PostgreSQL ``LISTEN/NOTIFY`` carries the scopes, sent by
the feed inside the writing transaction and so delivered only if it commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator

import psycopg

from sync.feed import GLOBAL_SCOPE, POKE_CHANNEL

log = logging.getLogger(__name__)


class PokeHub:
    """Subscribers by scope; each holds a queue of size one (pokes coalesce: one pending is enough)."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[asyncio.Queue[None]]] = {}

    @contextlib.contextmanager
    def subscribe(self, warehouse_id: int) -> Iterator[asyncio.Queue[None]]:
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        scopes = (GLOBAL_SCOPE, warehouse_id)
        for scope in scopes:
            self._subscribers.setdefault(scope, set()).add(queue)
        try:
            yield queue
        finally:
            for scope in scopes:
                self._subscribers.get(scope, set()).discard(queue)

    def publish(self, scopes: Iterable[int]) -> None:
        targets: set[asyncio.Queue[None]] = set()
        for scope in scopes:
            targets |= self._subscribers.get(scope, set())
        for queue in targets:
            if queue.empty():
                queue.put_nowait(None)

    @property
    def subscriber_count(self) -> int:
        return len({q for queues in self._subscribers.values() for q in queues})


async def listen_postgres(dsn: str, hub: PokeHub, *, retry_seconds: float = 2.0) -> None:
    """Relay NOTIFYs of every worker to this process's hub until cancelled; reconnects on failure."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {POKE_CHANNEL}")
                async for notice in conn.notifies():
                    hub.publish(int(s) for s in notice.payload.split(",") if s)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("poke listener lost its PostgreSQL connection; retrying", exc_info=True)
            await asyncio.sleep(retry_seconds)

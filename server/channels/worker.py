"""The outbox worker: a loop in each API process that delivers due outbox rows every few seconds and
publishes every shop's changed stock figures every minute.

Several processes may run it at once: claiming rows skips those another worker holds (PostgreSQL
``SKIP LOCKED``), and publications meet at their dedupe keys. Nothing it does is lost if the
process dies: a claimed row's lease runs out and the row is due again. Stopping waits for the call
in flight (up to a grace period), then cancels it — that row too is simply due again later.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.channels.credentials import STOCK, missing
from server.channels.models import ChannelCredentials
from server.channels.senders.base import log
from server.channels.senders.registry import ChannelDispatcher, http_client
from server.channels.stock import PublishReport, publish_stock
from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.fulfilment.shipping.outbox import DeliveryReport, RowSender, deliver_rows
from server.lib.periodic import PeriodicWorker
from server.orders.adapters.registry import ADAPTERS
from server.orders.models import Channel
from server.settings import Settings

"""Seconds a stopping worker waits for the call in flight before cancelling it."""
BATCH = 5
"""Rows claimed per pass. A claim leases its rows for ``outbox.LEASE`` (5 min) while they are sent one
after another; at worst a row takes two calls of ``TIMEOUT`` (Shopify looks up before it writes), so
a small batch is sent well inside the lease and no other worker re-claims a row still in hand."""


async def publish_all(factory: async_sessionmaker[AsyncSession], now: datetime | None = None) -> list[PublishReport]:
    """Publish every active shop with a platform API and the credentials stock needs, each in its
    own transaction: one shop's trouble (logged) does not hold up the others."""

    async def channels(session: AsyncSession) -> list[tuple[int, str, dict[str, object]]]:
        rows = await session.execute(
            select(Channel.id, Channel.platform, ChannelCredentials.document)
            .join(ChannelCredentials, ChannelCredentials.channel_id == Channel.id)
            .where(Channel.active.is_(True), Channel.platform.in_(list(ADAPTERS)))
            .order_by(Channel.id)
        )
        return [(int(r[0]), str(r[1]), dict(r[2] or {})) for r in rows]

    reports: list[PublishReport] = []
    for channel_id, platform, document in await run_in_transaction(factory, channels):
        if missing(platform, document, STOCK):
            continue

        async def publish(session: AsyncSession, channel_id: int = channel_id) -> PublishReport:
            return await publish_stock(session, channel_id, now=now)

        try:
            report = await run_in_transaction(factory, publish)
        except Exception:
            log.exception("publishing stock to channel %s failed", channel_id)
            continue
        if report.queued:
            log.info("channel %s: %d stock figures queued", channel_id, len(report.queued))
        reports.append(report)
    return reports


class OutboxWorker(PeriodicWorker):
    """``start()`` it once; ``await stop()`` at shutdown."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        sender: RowSender,
        *,
        every: float = 5.0,
        publish_every: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(name="outbox-worker", every=every, log=log)
        self.factory = factory
        self.sender = sender
        self.publish_every = publish_every
        """``0`` or less: never publish stock (delivery only)."""
        self.clock = clock
        self._last_publish: float | None = None

    async def run_once(self) -> DeliveryReport:
        """One batch of due rows."""
        report = await deliver_rows(self.factory, self.sender, self.clock(), limit=BATCH)
        if report.dead:
            log.warning("outbox rows %s are dead: see their last_error", report.dead)
        return report

    async def drain(self) -> DeliveryReport:
        """Batches until one is not full: every row due now (what ``cangku outbox deliver`` runs)."""
        total = DeliveryReport()
        while not self._stopping.is_set():
            report = await self.run_once()
            for outcome in ("sent", "retrying", "dead"):
                getattr(total, outcome).extend(getattr(report, outcome))
            if len(report.sent) + len(report.retrying) + len(report.dead) < BATCH:
                break
        return total

    async def _pass(self) -> None:
        await self.drain()
        if self.publish_every > 0:
            due = self._last_publish is None or time.monotonic() - self._last_publish >= self.publish_every
            if due and not self._stopping.is_set():
                self._last_publish = time.monotonic()
                await publish_all(self.factory, self.clock())


@contextlib.asynccontextmanager
async def outbox_worker(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Run the worker for the life of the app when ``CANGKU_OUTBOX_WORKER`` is on."""
    if not settings.outbox_worker:
        yield
        return
    async with http_client() as http:
        worker = OutboxWorker(
            factory,
            ChannelDispatcher(factory, http),
            every=float(settings.outbox_interval_seconds),
            publish_every=float(settings.stock_publish_interval_seconds),
        )
        worker.start()
        try:
            yield
        finally:
            await worker.stop()

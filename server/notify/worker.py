"""The push worker: a loop in each API process (unless ``CANGKU_PUSH_WORKER=0``) that fans out queued
notifications, composes messages under the burst rules and sends the ones due, every few seconds.

Several processes may run it: each stage claims rows with ``SKIP LOCKED`` on PostgreSQL, and a sent
message is settled only by the worker whose lease it still holds. If the stored VAPID key cannot be
read the worker does not start (the rest of the app does), and says why in the log.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from functools import partial

import msgspec
from sqlalchemy import and_, delete, exists
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.lib.periodic import PeriodicWorker
from server.notify.compose import FANOUT_BATCH, Limits, compose, fan_out
from server.notify.delivery import BATCH, DeliveryReport, deliver_due
from server.notify.inbox import prune_inbox
from server.notify.models import DeliveryStatus, MessageStatus, PushDelivery, PushMessage, PushNotification
from server.notify.transport import Transport, WebPushTransport
from server.notify.vapid import VapidKeyUnreadable, load_or_create_key
from server.settings import Settings

log = logging.getLogger("cangku.notify")

KEEP = timedelta(days=7)
"""Finished notifications and messages are kept a week for anyone asking "did my phone get it?"."""
PRUNE_EVERY = 3600.0


class PassReport(msgspec.Struct, kw_only=True):
    fanned_out: int = 0
    composed: list[int] = msgspec.field(default_factory=list)
    delivery: DeliveryReport = msgspec.field(default_factory=DeliveryReport)


def limits_of(settings: Settings) -> Limits:
    return Limits(window=timedelta(seconds=settings.push_group_seconds), per_minute=settings.push_max_per_minute)


async def prune(factory: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Forget finished work older than ``KEEP`` (inbox rows after ``INBOX_KEEP``). A notification stays
    while any of its deliveries waits."""
    cutoff = now - KEEP

    async def work(session: AsyncSession) -> None:
        await session.execute(
            delete(PushMessage).where(
                PushMessage.status.in_((MessageStatus.sent, MessageStatus.dead)), PushMessage.created_at < cutoff
            )
        )
        waiting = exists().where(
            and_(PushDelivery.notification_id == PushNotification.id, PushDelivery.status == DeliveryStatus.waiting)
        )
        await session.execute(delete(PushNotification).where(PushNotification.fanned_out_at < cutoff, ~waiting))
        await prune_inbox(session, now)

    await run_in_transaction(factory, work)


class PushWorker(PeriodicWorker):
    """``start()`` it once; ``await stop()`` at shutdown. ``run_once`` is one pass (tests, the CLI)."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        transport: Transport,
        *,
        limits: Limits | None = None,
        every: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(name="push-worker", every=every, log=log)
        self.factory = factory
        self.transport = transport
        self.limits = limits or Limits()
        self.clock = clock
        self._last_prune: float | None = None

    async def run_once(self, now: datetime | None = None) -> PassReport:
        """Fan out everything queued, compose what the rules allow, send one batch of due messages."""
        now = now or self.clock()
        report = PassReport()
        while True:
            taken = await run_in_transaction(self.factory, partial(fan_out, now=now))
            report.fanned_out += taken
            if taken < FANOUT_BATCH:
                break
        report.composed = await run_in_transaction(self.factory, partial(compose, now=now, limits=self.limits))
        report.delivery = await deliver_due(self.factory, self.transport, now)
        if report.delivery.dead:
            log.warning("push messages %s are dead: see their last_error", report.delivery.dead)
        if report.delivery.gone:
            log.info("push subscriptions %s are gone (404/410) and were deleted", report.delivery.gone)
        return report

    async def drain(self, now: datetime | None = None) -> PassReport:
        """Passes until a batch is not full: everything due now (what ``cangku push deliver`` runs)."""
        total = PassReport()
        while not self._stopping.is_set():
            report = await self.run_once(now)
            total.fanned_out += report.fanned_out
            total.composed.extend(report.composed)
            total.delivery.extend(report.delivery)
            if report.delivery.handled < BATCH:
                break
        return total

    async def _pass(self) -> None:
        await self.drain()
        if self._last_prune is None or time.monotonic() - self._last_prune >= PRUNE_EVERY:
            self._last_prune = time.monotonic()
            await prune(self.factory, self.clock())


@contextlib.asynccontextmanager
async def web_push_transport(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[Transport]:
    """The real transport with the stored key (made on first use); raises ``VapidKeyUnreadable``."""
    import aiohttp

    key = await load_or_create_key(factory)
    async with aiohttp.ClientSession() as http:
        yield WebPushTransport(key, settings.push_contact, http)


@contextlib.asynccontextmanager
async def push_worker(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Run the worker for the life of the app when ``CANGKU_PUSH_WORKER`` is on. A damaged key stops
    push only, loudly: the warehouse keeps working."""
    if not settings.push_worker:
        yield
        return
    try:
        key = await load_or_create_key(factory)
    except VapidKeyUnreadable as exc:
        log.error("push notifications are OFF: %s", exc.message)
        yield
        return
    import aiohttp  # only in processes that push

    async with aiohttp.ClientSession() as http:
        transport = WebPushTransport(key, settings.push_contact, http)
        worker = PushWorker(factory, transport, limits=limits_of(settings), every=float(settings.push_interval_seconds))
        worker.start()
        try:
            yield
        finally:
            await worker.stop()

"""The rules worker: the time-based push rules, checked every minute or so (ADR-0020).

Urgent orders, carrier cut-offs, low stock and expiring lots are not events anyone commits — an
order becomes "at late-shipment risk" by the clock alone — so a loop looks for them. One pass is
one transaction: it reads the rules once, checks each kind that is on somewhere, and queues only
what its dedupe keys have not seen (order + local day + flags; SKU + warehouse + day; lot +
warehouse + day), so a second pass a minute later queues nothing new.

It runs in the processes that run the push worker (``CANGKU_PUSH_WORKER``), unless
``CANGKU_PUSH_RULES_WORKER=0``; ``cangku push check-rules`` does one pass. Several processes may run
it: two passes racing on the same key meet at the unique dedupe index, and the loser's retry finds
the winner's rows. Stock checks read every stock level, and their keys change once a day, so the
loop runs them at most every ``STOCK_EVERY`` seconds; orders are checked on every pass.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import partial

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.db.types import utcnow
from server.lib.periodic import PeriodicWorker
from server.notify.quiet import valid_zone
from server.notify.stock_alerts import check_expiring_lots, check_low_stock
from server.notify.urgent_orders import DEFAULT_ZONE, Site, check_cut_offs, check_urgent_orders
from server.settings import Settings
from server.warehouse.models import Warehouse

log = logging.getLogger("cangku.notify")

STOCK_EVERY = 600.0


class RulesReport(msgspec.Struct, kw_only=True):
    """New notifications queued by one pass, per check."""

    urgent_orders: int = 0
    cut_offs: int = 0
    low_stock: int = 0
    expiring_lots: int = 0

    @property
    def total(self) -> int:
        return self.urgent_orders + self.cut_offs + self.low_stock + self.expiring_lots


async def sites(session: AsyncSession) -> dict[int, Site]:
    """Active warehouses with their code and time zone (a bad zone name falls back to Shanghai's)."""
    rows = await session.execute(
        select(Warehouse.id, Warehouse.code, Warehouse.timezone).where(Warehouse.active.is_(True))
    )
    return {wid: Site(code, zone if valid_zone(zone) else DEFAULT_ZONE) for wid, code, zone in rows}


async def check_rules(session: AsyncSession, now: datetime, *, stock: bool = True) -> RulesReport:
    """One pass in the caller's transaction."""
    found = await sites(session)
    report = RulesReport(
        urgent_orders=await check_urgent_orders(session, now, found),
        cut_offs=await check_cut_offs(session, now, found),
    )
    if stock:
        report.low_stock = await check_low_stock(session, now, found)
        report.expiring_lots = await check_expiring_lots(session, now, found)
    return report


class RulesWorker(PeriodicWorker):
    """``start()`` it once; ``await stop()`` at shutdown. ``run_once`` is one pass (tests, the CLI)."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        *,
        every: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(name="push-rules", every=every, log=log)
        self.factory = factory
        self.clock = clock
        self._last_stock: float | None = None

    async def run_once(self, now: datetime | None = None, *, stock: bool = True) -> RulesReport:
        return await run_in_transaction(self.factory, partial(check_rules, now=now or self.clock(), stock=stock))

    async def _pass(self) -> None:
        stock = self._last_stock is None or time.monotonic() - self._last_stock >= STOCK_EVERY
        report = await self.run_once(stock=stock)
        if stock:
            self._last_stock = time.monotonic()
        if report.total:
            log.info("push rules queued %s", msgspec.to_builtins(report))


@contextlib.asynccontextmanager
async def rules_worker(settings: Settings, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """Run the rules worker for the life of the app where the push worker runs, unless
    ``CANGKU_PUSH_RULES_WORKER=0``."""
    if not (settings.push_worker and settings.push_rules_worker):
        yield
        return
    worker = RulesWorker(factory, every=float(settings.push_rules_interval_seconds))
    worker.start()
    try:
        yield
    finally:
        await worker.stop()

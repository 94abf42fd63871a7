"""Publishing stock to a shop (库存同步): queue a ``stock_update`` for each platform SKU whose figure
changed since it was last queued.

Which SKUs a shop sells: the platform SKUs its orders' lines name (with our SKU found for them),
overridden and extended by its listings (商品对应, ``channel_listings``); an inactive listing keeps
a platform SKU out. The figure is ``channel_stock``'s (available to promise − safety stock, × the
shop's share, over its warehouses).

Only changes are queued, so publishing every minute costs one query when nothing moved. Each row's
dedupe key names the channel, the platform SKU and the publication's version, so two publishers
racing (the worker and a person pressing "publish") meet at the unique key and the loser, retried,
finds the figure already queued. A newer figure *supersedes* an older one still waiting: the older
row is closed (dead, saying so) so a retry hours later cannot overwrite the newer figure.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.channels.credentials import STOCK, missing
from server.channels.models import ChannelCredentials, ChannelListing, PublishedStock
from server.db.types import utcnow
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.fulfilment.shipping.outbox import enqueue
from server.lib.errors import Conflict, NotFound
from server.orders.adapters.registry import ADAPTERS
from server.orders.channel_stock import channel_stock
from server.orders.models import Channel, Order, OrderLine

WAITING = (OutboxStatus.pending, OutboxStatus.failed)


class Queued(msgspec.Struct, kw_only=True):
    sku_id: int
    sku_code: str
    platform_sku_id: str
    quantity: int
    previous: int | None
    """The figure queued before (``None``: never published)."""
    outbox_id: int


class Skipped(msgspec.Struct, kw_only=True):
    sku_id: int
    sku_code: str
    platform_sku_id: str
    reason: str


class PublishReport(msgspec.Struct, kw_only=True):
    channel_id: int
    queued: list[Queued] = msgspec.field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = msgspec.field(default_factory=list)


async def sold_skus(session: AsyncSession, channel_id: int) -> dict[str, int]:
    """Platform SKU id → our SKU id for everything the shop sells (see the module docstring). Where
    old lines disagree about a platform SKU, the latest line wins."""
    statement = (
        select(OrderLine.platform_sku_id, OrderLine.sku_id, func.max(OrderLine.id))
        .join(Order, Order.id == OrderLine.origin_order_id)
        .where(Order.channel_id == channel_id, OrderLine.sku_id.is_not(None), OrderLine.platform_sku_id != "")
        .group_by(OrderLine.platform_sku_id, OrderLine.sku_id)
    )
    latest: dict[str, tuple[int, int]] = {}
    for platform_sku_id, sku_id, line_id in await session.execute(statement):
        if sku_id is None:  # excluded by the query; says so to the type checker
            continue
        if platform_sku_id not in latest or line_id > latest[platform_sku_id][1]:
            latest[platform_sku_id] = (int(sku_id), int(line_id))
    sold = {k: v[0] for k, v in latest.items()}
    listings = await session.execute(
        select(ChannelListing.platform_sku_id, ChannelListing.sku_id, ChannelListing.active).where(
            ChannelListing.channel_id == channel_id
        )
    )
    for platform_sku_id, sku_id, active in listings:
        if active:
            sold[platform_sku_id] = int(sku_id)
        else:
            sold.pop(platform_sku_id, None)
    return sold


def dedupe_key(channel_id: int, platform_sku_id: str, version: int) -> str:
    """Short enough for the column whatever the platform's id looks like."""
    digest = hashlib.sha256(platform_sku_id.encode()).hexdigest()[:20]
    return f"stock_update:{channel_id}:{digest}:{version}"


async def publishable_channel(session: AsyncSession, channel_id: int) -> Channel:
    """The channel, if stock can be published to it: a platform API, active, credentials entered."""
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} does not exist", message_zh="渠道不存在")
    if channel.platform not in ADAPTERS:
        raise Conflict(
            f"channel {channel.code} ({channel.platform}) has no platform API to publish stock to",
            message_zh="该渠道没有平台接口，无法同步库存",
            code="no_platform_api",
        )
    if not channel.active:
        raise Conflict(f"channel {channel.code} is paused", message_zh="渠道已停用", code="channel_paused")
    credentials = await session.get(ChannelCredentials, channel_id)
    absent = missing(channel.platform, credentials.document if credentials else {}, STOCK)
    if absent:
        raise Conflict(
            f"channel {channel.code} has no {', '.join(absent)} set: enter its credentials first",
            message_zh=f"请先填写渠道接口凭证：{', '.join(absent)}",
            code="credentials_incomplete",
            detail={"missing": absent},
        )
    return channel


async def publish_stock(
    session: AsyncSession, channel_id: int, *, now: datetime | None = None, republish_dead: bool = False
) -> PublishReport:
    """Queue the changed figures of one shop in the caller's transaction (run it in
    ``run_in_transaction``: a race with another publisher ends in a retry that finds the work done).

    ``republish_dead``: also queue again a figure whose last row died (a person asking to publish,
    after fixing what killed it); the minute-by-minute worker leaves those alone rather than queue
    a doomed row every minute."""
    now = now or utcnow()
    channel = await publishable_channel(session, channel_id)
    adapter = ADAPTERS[channel.platform]
    report = PublishReport(channel_id=channel_id)
    sold = await sold_skus(session, channel_id)
    if not sold:
        return report
    figures = {s.sku_id: s for s in await channel_stock(session, channel, sorted(set(sold.values())))}
    before = {
        p.platform_sku_id: p
        for p in await session.scalars(select(PublishedStock).where(PublishedStock.channel_id == channel_id))
    }
    outbox_ids = [p.outbox_id for p in before.values() if p.outbox_id is not None]
    statuses: dict[int, OutboxStatus] = {
        row_id: status
        for row_id, status in await session.execute(
            select(ChannelOutbox.id, ChannelOutbox.status).where(ChannelOutbox.id.in_(outbox_ids))
        )
    }
    for platform_sku_id, sku_id in sorted(sold.items()):
        figure = figures.get(sku_id)
        if figure is None:
            report.skipped.append(
                Skipped(sku_id=sku_id, sku_code="", platform_sku_id=platform_sku_id, reason="no such SKU")
            )
            continue
        last = before.get(platform_sku_id)
        last_status = statuses.get(last.outbox_id) if last and last.outbox_id else None
        if (
            last is not None
            and last.sku_id == sku_id
            and last.quantity == figure.publish
            and (last_status is not OutboxStatus.dead or not republish_dead)
        ):
            report.unchanged += 1
            continue
        try:
            call = adapter.stock_update(figure.sku_code, platform_sku_id, figure.publish)
        except ValueError as exc:
            report.skipped.append(
                Skipped(sku_id=sku_id, sku_code=figure.sku_code, platform_sku_id=platform_sku_id, reason=str(exc))
            )
            continue
        version = last.version + 1 if last else 1
        previous = last.quantity if last else None
        row = enqueue(
            session,
            channel_id,
            OutboxKind.stock_update,
            call,
            reference=f"stock:{figure.sku_code}"[:64],
            dedupe_key=dedupe_key(channel_id, platform_sku_id, version),
            now=now,
        )
        await session.flush()
        if last is None:
            session.add(
                PublishedStock(
                    channel_id=channel_id,
                    platform_sku_id=platform_sku_id,
                    sku_id=sku_id,
                    quantity=figure.publish,
                    version=version,
                    outbox_id=row.id,
                    published_at=now,
                )
            )
        else:
            if last.outbox_id is not None and last_status in WAITING:
                await _supersede(session, last.outbox_id, row.id)
            last.sku_id, last.quantity, last.version = sku_id, figure.publish, version
            last.outbox_id, last.published_at = row.id, now
        report.queued.append(
            Queued(
                sku_id=sku_id,
                sku_code=figure.sku_code,
                platform_sku_id=platform_sku_id,
                quantity=figure.publish,
                previous=previous,
                outbox_id=row.id,
            )
        )
    await session.flush()
    return report


async def _supersede(session: AsyncSession, old_id: int, new_id: int) -> None:
    """Close a waiting older figure. A worker holding it right now still makes its call, and finds
    the row closed when it settles; rows go out oldest first, so the newer figure lands after it
    unless a second worker takes the newer row within the same seconds (accepted: the next change
    corrects it)."""
    await session.execute(
        update(ChannelOutbox)
        .where(ChannelOutbox.id == old_id, ChannelOutbox.status.in_(WAITING))
        .values(status=OutboxStatus.dead, last_error=f"superseded by a newer stock figure (outbox row {new_id})")
    )

"""Channels, order lookups and the inbound paths (a platform payload, a webhook) — no HTTP here."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.lib.errors import Conflict, DomainError, NotFound, Unauthorized
from server.orders.adapters.base import ChannelAdapter
from server.orders.adapters.registry import ADAPTERS
from server.orders.imports import new_import, run_import
from server.orders.models import Channel, Order, OrderEvent, OrderImport, OrderLine, OrderStatus
from server.orders.normalized import ParseResult
from server.orders.schemas import ChannelCreate, ChannelUpdate
from server.warehouse.models import Warehouse


def adapter_for(channel: Channel) -> ChannelAdapter:
    adapter = ADAPTERS.get(channel.platform)
    if adapter is None:
        raise DomainError(
            f"channel {channel.code} ({channel.platform}) takes files, not payloads",
            message_zh="该渠道只支持文件导入",
            code="no_payload_adapter",
        )
    return adapter


async def create_channel(session: AsyncSession, data: ChannelCreate) -> Channel:
    channel = Channel(
        code=data.code,
        name=data.name,
        platform=data.platform,
        currency=data.currency,
        webhook_secret=data.webhook_secret,
    )
    session.add(channel)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a channel with code {data.code} exists", message_zh="渠道代码已存在", field="code") from exc
    return channel


async def update_channel(session: AsyncSession, channel_id: int, data: ChannelUpdate) -> Channel:
    channel = await get_channel(session, channel_id)
    for name in ("name", "active", "webhook_secret", "safety_stock", "stock_share_pct"):
        value = getattr(data, name)
        if value is not None:
            setattr(channel, name, value)
    if data.stock_warehouse_ids is not None:
        found = set(await session.scalars(select(Warehouse.id).where(Warehouse.id.in_(data.stock_warehouse_ids))))
        unknown = sorted(set(data.stock_warehouse_ids) - found)
        if unknown:
            raise NotFound(
                f"no warehouse {unknown[0]}",
                message_zh="仓库不存在",
                field="stock_warehouse_ids",
                detail={"ids": unknown},
            )
        channel.stock_warehouses = {"ids": sorted(found)}
    await session.flush()
    return channel


async def get_channel(session: AsyncSession, channel_id: int) -> Channel:
    channel = await session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} does not exist", message_zh="渠道不存在")
    return channel


async def channel_by_code(session: AsyncSession, code: str) -> Channel:
    channel = await session.scalar(select(Channel).where(Channel.code == code))
    if channel is None or not channel.active:
        raise NotFound(f"no active channel {code}", message_zh="渠道不存在或已停用")
    return channel


async def start_import(
    factory: async_sessionmaker[AsyncSession],
    channel: Channel,
    parsed: ParseResult,
    *,
    source: str,
    filename: str,
    user_id: int | None,
) -> int:
    """Record an import (its parse errors included) and answer its id; ``run_import`` writes it."""
    row = new_import(channel.id, parsed, source=source, filename=filename, user_id=user_id)

    async def start(session: AsyncSession) -> int:
        session.add(row)
        await session.flush()
        return row.id

    return await run_in_transaction(factory, start)


async def import_parsed(
    factory: async_sessionmaker[AsyncSession],
    channel: Channel,
    parsed: ParseResult,
    *,
    source: str,
    filename: str,
    user_id: int | None,
) -> int:
    """Record the import, write its orders chunk by chunk, and answer its id."""
    import_id = await start_import(factory, channel, parsed, source=source, filename=filename, user_id=user_id)
    await run_import(factory, import_id, channel.id, parsed.orders, actor=user_id)
    return import_id


async def receive_webhook(
    factory: async_sessionmaker[AsyncSession], code: str, body: bytes, headers: Mapping[str, str]
) -> int:
    """A platform's webhook: the signature checked with the channel's secret, then imported."""
    async with factory() as session:
        channel = await channel_by_code(session, code)
    adapter = adapter_for(channel)
    if not channel.webhook_secret or not adapter.verify(body, headers, channel.webhook_secret):
        raise Unauthorized("the webhook signature does not match this channel's secret", message_zh="签名校验失败")
    parsed = adapter.parse(body)
    return await import_parsed(factory, channel, parsed, source="webhook", filename="", user_id=None)


async def get_import(session: AsyncSession, import_id: int) -> OrderImport:
    row = await session.get(OrderImport, import_id)
    if row is None:
        raise NotFound(f"import {import_id} does not exist", message_zh="导入记录不存在")
    return row


def order_query(*, status: OrderStatus | None, channel_id: int | None, q: str | None) -> Select[Order]:
    statement = select(Order).order_by(Order.id.desc())
    if status is not None:
        statement = statement.where(Order.status == status)
    if channel_id is not None:
        statement = statement.where(Order.channel_id == channel_id)
    if q:
        like = f"%{q}%"
        statement = statement.where(or_(Order.platform_order_no.like(like), Order.buyer_id.like(like)))
    return statement


async def order_detail(session: AsyncSession, order_id: int) -> tuple[Order, list[OrderLine], list[OrderEvent]]:
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", message_zh="订单不存在")
    lines = list(
        await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no))
    )
    events = list(
        await session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))
    )
    return order, lines, events

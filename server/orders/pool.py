"""Writing normalized orders into the pool: one row per (channel, platform order number).

Re-importing the same file or payload changes nothing (the content hash is the same); a later
version of an order applies as an update — unless the platform's own modified time says it is
older than what we hold (a webhook retried after a newer one). The platform's status drives ours
where it must: a cancellation cancels, a payment pays, a refund request holds the order for a
person (拦截), a shipment made outside Cangku is recorded as shipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.fulfilment.intercept import ON_THE_FLOOR, intercept
from server.orders.lifecycle import NEXT, OPEN, change_status, record
from server.orders.models import Order, OrderLine, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, RefundState, RowError
from server.orders.reserving import cancel_order, release_order

S = OrderStatus
_HOLDABLE = frozenset({S.paid, S.routed, S.in_wave, S.picked, S.packed})
"""Steps a refund request pulls an order back from (into review) before it ships."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    errors: list[RowError] = field(default_factory=list)


def content_hash(order: NormalizedOrder) -> str:
    return hashlib.sha256(msgspec.json.encode(order, order="sorted")).hexdigest()


_LIMITS = (
    ("platform_order_no", 64),
    ("buyer_id", 128),
)


def check_fits(order: NormalizedOrder) -> RowError | None:
    """What the database would refuse, said before it does (so one order never fails a chunk)."""
    for name, limit in _LIMITS:
        if len(getattr(order, name)) > limit:
            return _error(order, name, f"longer than {limit} characters", f"超过 {limit} 个字符")
    if not order.platform_order_no:
        return _error(order, "platform_order_no", "missing", "缺少订单编号")
    if len(order.currency) != 3:
        return _error(order, "currency", f"not an ISO currency: {order.currency!r}", "币种无效")
    for part in ("province", "city", "district"):
        if len(getattr(order.receiver, part)) > 64:
            return _error(order, f"receiver.{part}", "longer than 64 characters", "超过 64 个字符")
    if not order.lines:
        return _error(order, "lines", "the order has no lines", "订单没有商品行")
    seen: set[str] = set()
    for index, line in enumerate(order.lines):
        for name in ("platform_line_id", "sku_code", "platform_sku_id"):
            if len(getattr(line, name)) > 64:
                return _error(order, f"lines.{index}.{name}", "longer than 64 characters", "超过 64 个字符")
        if line.platform_line_id in seen:
            return _error(order, f"lines.{index}.platform_line_id", "the same line twice", "商品行重复")
        seen.add(line.platform_line_id)
        if line.qty <= 0:
            return _error(order, f"lines.{index}.qty", "quantity must be positive", "数量必须大于 0")
    return None


def _error(order: NormalizedOrder, name: str, message: str, message_zh: str) -> RowError:
    return RowError(
        row=0, field=name, message=f"order {order.platform_order_no[:64]}: {name} {message}", message_zh=message_zh
    )


async def write_orders(
    session: AsyncSession, channel_id: int, orders: Sequence[NormalizedOrder], *, actor: int | None
) -> Tally:
    """Create or update ``orders`` of one channel in the caller's transaction."""
    tally = Tally()
    latest: dict[str, NormalizedOrder] = {}
    for candidate in orders:  # the same order twice in one batch: the newer wins
        problem = check_fits(candidate)
        if problem is not None:
            tally.errors.append(problem)
            continue
        held = latest.get(candidate.platform_order_no)
        if held is None or _newer_or_same(candidate, held):
            latest[candidate.platform_order_no] = candidate
    if not latest:
        return tally
    existing = {
        o.platform_order_no: o
        for o in await session.scalars(
            select(Order).where(Order.channel_id == channel_id, Order.platform_order_no.in_(sorted(latest)))
        )
    }
    lines: dict[int, list[OrderLine]] = {}
    if existing:
        ids = [o.id for o in existing.values()]
        for line in await session.scalars(select(OrderLine).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)):
            lines.setdefault(line.order_id, []).append(line)
    codes = {line.sku_code for order in latest.values() for line in order.lines if line.sku_code}
    skus = {
        row[0]: row[1] for row in await session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(sorted(codes))))
    }

    created: list[tuple[Order, NormalizedOrder, str]] = []
    for number, incoming in latest.items():
        digest = content_hash(incoming)
        order = existing.get(number)
        if order is None:
            created.append((_new_order(channel_id, incoming, digest), incoming, digest))
        elif order.content_hash == digest:
            tally.unchanged += 1
        elif _is_stale(incoming, order):
            tally.stale += 1
        else:
            await _update(session, order, lines.get(order.id, []), incoming, digest, skus, actor)
            tally.updated += 1
    if created:
        session.add_all([order for order, _, _ in created])
        await session.flush()  # one INSERT for the chunk's new orders; their ids for lines and events
        for order, incoming, _ in created:
            session.add_all(_new_lines(order.id, incoming.lines, skus))
            session.add(record(order, "imported", actor=actor, reason=f"imported from {incoming.platform}"))
            await _hold_or_cancel(session, order, incoming, skus, actor)
        tally.created += len(created)
    await session.flush()
    return tally


def _newer_or_same(a: NormalizedOrder, b: NormalizedOrder) -> bool:
    return a.updated_at is None or b.updated_at is None or a.updated_at >= b.updated_at


def _is_stale(incoming: NormalizedOrder, order: Order) -> bool:
    return (
        incoming.updated_at is not None
        and order.platform_updated_at is not None
        and incoming.updated_at < order.platform_updated_at
    )


_INITIAL = {
    PlatformStatus.pending_payment: S.pending_payment,
    PlatformStatus.paid: S.paid,
    PlatformStatus.shipped: S.shipped,
    PlatformStatus.completed: S.delivered,
    PlatformStatus.cancelled: S.cancelled,
}


def _order_fields(incoming: NormalizedOrder, digest: str) -> dict[str, Any]:
    receiver = incoming.receiver
    return {
        "platform_status": incoming.status,
        "ordered_at": incoming.created_at,
        "paid_at": incoming.paid_at,
        "platform_updated_at": incoming.updated_at,
        "currency": incoming.currency,
        "goods_minor": incoming.goods_minor,
        "shipping_minor": incoming.shipping_minor,
        "discount_minor": incoming.discount_minor,
        "paid_minor": incoming.paid_minor,
        "buyer_id": incoming.buyer_id,
        "buyer_message": incoming.buyer_message,
        "seller_memo": incoming.seller_memo,
        "seller_flag": incoming.seller_flag,
        "ship_by": incoming.ship_by,
        "presale": incoming.presale,
        "tags": {"tags": list(incoming.tags)},
        "receiver_province": receiver.province,
        "receiver_city": receiver.city,
        "receiver_district": receiver.district,
        "receiver": msgspec.to_builtins(receiver),
        "raw_amounts": dict(incoming.raw_amounts),
        "content_hash": digest,
    }


def _new_order(channel_id: int, incoming: NormalizedOrder, digest: str) -> Order:
    return Order(
        channel_id=channel_id,
        platform_order_no=incoming.platform_order_no,
        status=_INITIAL[incoming.status],
        hold_reason="",
        **_order_fields(incoming, digest),
    )


def _line_fields(line: NormalizedLine, skus: dict[str, int]) -> dict[str, Any]:
    return {
        "sku_code": line.sku_code,
        "sku_id": skus.get(line.sku_code),
        "title": line.title,
        "spec": line.spec,
        "platform_sku_id": line.platform_sku_id,
        "qty": line.qty,
        "unit_price_minor": line.unit_price_minor,
        "discount_minor": line.discount_minor,
        "paid_minor": line.paid_minor,
        "refund": line.refund,
    }


def _new_lines(order_id: int, lines: list[NormalizedLine], skus: dict[str, int], start: int = 1) -> list[OrderLine]:
    return [
        OrderLine(
            order_id=order_id, line_no=start + n, platform_line_id=line.platform_line_id, **_line_fields(line, skus)
        )
        for n, line in enumerate(lines)
    ]


async def _update(
    session: AsyncSession,
    order: Order,
    held_lines: list[OrderLine],
    incoming: NormalizedOrder,
    digest: str,
    skus: dict[str, int],
    actor: int | None,
) -> None:
    fields = _order_fields(incoming, digest)
    changed = sorted(k for k, v in fields.items() if k != "content_hash" and getattr(order, k) != v)
    for name, value in fields.items():
        setattr(order, name, value)
    by_platform_id = {line.platform_line_id: line for line in held_lines}
    fresh: list[NormalizedLine] = []
    for line in incoming.lines:
        held = by_platform_id.get(line.platform_line_id)
        if held is None:
            fresh.append(line)
            continue
        for name, value in _line_fields(line, skus).items():
            if getattr(held, name) != value:
                setattr(held, name, value)
                changed.append(f"lines.{line.platform_line_id}.{name}")
    if fresh:
        session.add_all(_new_lines(order.id, fresh, skus, start=len(held_lines) + 1))
        changed.append("lines")
    session.add(record(order, "updated", actor=actor, reason=f"updated by {incoming.platform}", fields=changed))
    await _follow_platform(session, order, held_lines, incoming, skus, actor)


async def _follow_platform(
    session: AsyncSession,
    order: Order,
    held_lines: list[OrderLine],
    incoming: NormalizedOrder,
    skus: dict[str, int],
    actor: int | None,
) -> None:
    """Our status after the platform's changed."""
    platform = incoming.status
    if order.status not in OPEN:
        if platform is PlatformStatus.completed and order.status is S.shipped:
            change_status(session, order, S.delivered, actor=actor, reason="received by the buyer (platform)")
        return
    if platform is PlatformStatus.pending_payment:
        return
    if platform in (PlatformStatus.shipped, PlatformStatus.completed):
        if S.shipped in NEXT[order.status]:
            change_status(
                session, order, S.shipped, actor=actor, reason="shipped outside Cangku (the platform says so)"
            )
        return
    if order.status is S.pending_payment and platform is PlatformStatus.paid:
        change_status(session, order, S.paid, actor=actor, reason="paid on the platform")
    refunded = [line.id for line in held_lines if line.refund is RefundState.refunded]
    if refunded:  # a line refunded while others still ship: its reserved stock goes back now
        await release_order(session, order, refunded)
    await _hold_or_cancel(session, order, incoming, skus, actor)


async def _hold_or_cancel(
    session: AsyncSession, order: Order, incoming: NormalizedOrder, skus: dict[str, int], actor: int | None
) -> None:
    """Cancelled or fully refunded → cancelled; a refund requested or an unknown merchant code on a
    paid order → held for review, with the reason."""
    if order.status not in OPEN:
        return
    live = [line for line in incoming.lines if line.refund is not RefundState.refunded]
    if incoming.status is PlatformStatus.cancelled or not live:
        reason = "cancelled or refunded on the platform"
        if order.status in ON_THE_FLOOR:
            await intercept(session, order, actor=actor, reason=reason, cancel=True)
        else:
            await cancel_order(session, order, actor=actor, reason=reason)
        return
    if order.status not in _HOLDABLE and order.status is not S.review:
        return
    requested = [line.platform_line_id for line in live if line.refund is RefundState.requested]
    unknown = sorted({line.sku_code for line in live if line.sku_code not in skus})
    reason = ""
    if requested:
        reason = f"refund requested on line(s) {', '.join(requested)}"
    elif unknown:
        reason = f"unknown merchant SKU code(s): {', '.join(unknown)}"
    if not reason:
        return
    if order.status is S.review:
        order.hold_reason = reason
        return
    if order.status in ON_THE_FLOOR:  # a refund asked for while the goods are being picked or packed
        await intercept(session, order, actor=actor, reason=reason, cancel=False)
        return
    change_status(session, order, S.review, actor=actor, reason=reason, kind="held", hold_reason=reason)

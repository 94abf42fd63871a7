"""Writing normalized orders into the pool: one row per (channel, platform order number).

Re-importing the same file or payload changes nothing (the content hash is the same); a later
version of an order applies as an update — unless the platform's own modified time says it is
older than what we hold (a webhook retried after a newer one). The platform's status drives ours
where it must: a cancellation cancels, a payment pays, a refund request holds the order for a
person (拦截), a shipment made outside Cangku is recorded as shipped.

A platform order may ship in more than one of our orders: merged into a host (合单), or in parts
split off it (拆单). Its lines are found by ``origin_order_id`` wherever they now ship from; an
update applies to every part of a line, and the platform's status applies to each part by its own
status. A merged order that must now act on its own (cancelled, a refund asked, shipped elsewhere)
is taken out of its host first — the host intercepted (拦截) if it is already on the floor.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.db.bulk import insert_rows
from server.db.ids import allocate_ids
from server.fulfilment.intercept import ON_THE_FLOOR, intercept
from server.orders import merging
from server.orders.lifecycle import NEXT, OPEN, change_status, record, record_values
from server.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, RefundState, RowError
from server.orders.reserving import cancel_order, release_order
from server.orders.values import allocate

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
    existing: dict[str, Order] = {}
    for order in await session.scalars(
        select(Order).where(Order.channel_id == channel_id, Order.platform_order_no.in_(sorted(latest)))
    ):
        if order.split_from_id is None:
            existing[order.platform_order_no] = order
            continue
        # A part we split off carries a number of our making; a real order with it cannot go in.
        taken = latest.pop(order.platform_order_no)
        tally.errors.append(
            _error(
                taken,
                "platform_order_no",
                "is the number of a part split off another order here",
                "该编号已被拆单生成的订单使用",
            )
        )
    codes = {line.sku_code for order in latest.values() for line in order.lines if line.sku_code}
    skus = {
        row[0]: row[1] for row in await session.execute(select(Sku.code, Sku.id).where(Sku.code.in_(sorted(codes))))
    }

    created: list[tuple[NormalizedOrder, str]] = []
    updates: list[tuple[Order, NormalizedOrder, str]] = []
    for number, incoming in latest.items():
        digest = content_hash(incoming)
        found = existing.get(number)
        if found is None:
            created.append((incoming, digest))
        elif found.content_hash == digest:
            tally.unchanged += 1
        elif _is_stale(incoming, found):
            tally.stale += 1
        else:
            updates.append((found, incoming, digest))
    if updates:
        family = await _families(session, [order for order, _, _ in updates])
        for order, incoming, digest in updates:
            await _update(session, order, incoming, digest, skus, actor, family)
        tally.updated += len(updates)
    plain: list[tuple[NormalizedOrder, str]] = []
    watched: list[tuple[Order, NormalizedOrder]] = []
    for incoming, digest in created:
        if _needs_attention(incoming, skus):
            watched.append((_new_order(channel_id, incoming, digest), incoming))
        else:
            plain.append((incoming, digest))
    if plain:
        await _insert_plain(session, channel_id, plain, skus, actor)
    if watched:
        session.add_all([order for order, _ in watched])
        await session.flush()  # one INSERT for these new orders; their ids for lines and events
        for order, incoming in watched:
            new_lines = _new_lines(order.id, order.id, incoming.lines, skus)
            session.add_all(new_lines)
            session.add(record(order, "imported", actor=actor, reason=f"imported from {incoming.platform}"))
            await _hold_or_cancel(session, order, new_lines, incoming, skus, actor, [])
    tally.created += len(created)
    await session.flush()
    return tally


def _needs_attention(incoming: NormalizedOrder, skus: dict[str, int]) -> bool:
    """Whether ``_hold_or_cancel`` may act on this new order: cancelled, without lines, a refund on
    any line, or a merchant code we do not know. The rest — nearly every order of a promotion —
    go in as plain rows."""
    return (
        incoming.status is PlatformStatus.cancelled
        or not incoming.lines
        or any(line.refund is not RefundState.none or line.sku_code not in skus for line in incoming.lines)
    )


async def _insert_plain(
    session: AsyncSession,
    channel_id: int,
    orders: list[tuple[NormalizedOrder, str]],
    skus: dict[str, int],
    actor: int | None,
) -> None:
    """New orders nothing needs to act on, with their lines and "imported" events, in three
    executemany INSERTs with ids taken first: the same rows ``_new_order``/``_new_lines``/``record``
    make, without building thousands of ORM objects only to flush them."""
    order_ids = await allocate_ids(session, Order, len(orders))
    line_count = sum(len(incoming.lines) for incoming, _ in orders)
    line_ids = iter(await allocate_ids(session, OrderLine, line_count))
    order_rows: list[dict[str, Any]] = []
    line_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for order_id, (incoming, digest) in zip(order_ids, orders, strict=True):
        status = _INITIAL[incoming.status]
        order_rows.append(
            {
                "id": order_id,
                "channel_id": channel_id,
                "platform_order_no": incoming.platform_order_no,
                "status": status,
                "hold_reason": "",
                **_order_fields(incoming, digest),
            }
        )
        line_rows.extend(
            {
                "id": next(line_ids),
                "order_id": order_id,
                "origin_order_id": order_id,
                "line_no": n,
                "platform_line_id": line.platform_line_id,
                **_line_fields(line, skus),
            }
            for n, line in enumerate(incoming.lines, start=1)
        )
        event_rows.append(
            record_values(order_id, status, "imported", actor=actor, reason=f"imported from {incoming.platform}")
        )
    await insert_rows(session, Order, order_rows)
    await insert_rows(session, OrderLine, line_rows)
    await insert_rows(session, OrderEvent, event_rows)


@dataclass
class _Family:
    """What updating some platform orders needs to see: their lines wherever they ship from, the
    orders holding them (hosts, split parts), and the members of those that are hosts."""

    lines: dict[int, list[OrderLine]]
    """Platform order id → its lines (every part of each), oldest first."""
    orders: dict[int, Order]
    """Every order holding one of those lines, the platform orders themselves included."""
    members: dict[int, list[Order]]
    """Host id → the orders merged into it, for the hosts among the updated orders."""

    def parts(self, order: Order) -> list[Order]:
        """The platform order and the parts split off it, in order."""
        return [order, *sorted((o for o in self.orders.values() if o.split_from_id == order.id), key=lambda o: o.id)]


async def _families(session: AsyncSession, orders: Sequence[Order]) -> _Family:
    """At most three queries for the chunk: the lines, the other orders holding them, the members."""
    ids = [o.id for o in orders]
    lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
    for line in await session.scalars(
        select(OrderLine).where(OrderLine.origin_order_id.in_(ids)).order_by(OrderLine.id)
    ):
        lines[line.origin_order_id].append(line)
    known = {o.id: o for o in orders}
    elsewhere = sorted({line.order_id for group in lines.values() for line in group} - set(known))
    if elsewhere:
        known.update({o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(elsewhere)))})
    members = await merging.members_of(session, [o.id for o in orders if o.own_values])
    return _Family(lines=lines, orders=known, members=members)


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


_PART_FIELDS = frozenset(
    {
        "platform_status",
        "paid_at",
        "platform_updated_at",
        "buyer_id",
        "buyer_message",
        "seller_memo",
        "seller_flag",
        "presale",
        "tags",
        "receiver_province",
        "receiver_city",
        "receiver_district",
        "receiver",
    }
)
"""What a split part copies of its platform order's header and follows when the platform changes it
(its money is its own lines'; its ship-by may have been set for it alone)."""


def _new_order(channel_id: int, incoming: NormalizedOrder, digest: str) -> Order:
    return Order(
        channel_id=channel_id,
        platform_order_no=incoming.platform_order_no,
        status=_INITIAL[incoming.status],
        hold_reason="",
        **_order_fields(incoming, digest),
    )


_SHARED = ("sku_code", "sku_id", "title", "spec", "platform_sku_id", "unit_price_minor", "refund")
_DIVIDED = ("qty", "discount_minor", "paid_minor")
"""A line split by quantity over parts: these add up over its rows; the rest is the same in each."""


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


def _new_lines(
    order_id: int, origin_id: int, lines: list[NormalizedLine], skus: dict[str, int], start: int = 1
) -> list[OrderLine]:
    return [
        OrderLine(
            order_id=order_id,
            origin_order_id=origin_id,
            line_no=start + n,
            platform_line_id=line.platform_line_id,
            **_line_fields(line, skus),
        )
        for n, line in enumerate(lines)
    ]


def _apply_line(rows: list[OrderLine], values: dict[str, Any]) -> list[str]:
    """Apply a platform line's values to its rows (one, or one per part it was split into);
    answers the names that changed."""
    changed = [name for name in _SHARED if any(getattr(row, name) != values[name] for row in rows)]
    for name in changed:
        for row in rows:
            setattr(row, name, values[name])
    divided = [name for name in _DIVIDED if sum(getattr(row, name) for row in rows) != values[name]]
    if divided:
        qtys = allocate(values["qty"], [row.qty for row in rows]) if "qty" in divided else [row.qty for row in rows]
        for name in _DIVIDED:
            shares = qtys if name == "qty" else allocate(values[name], qtys)
            for row, share in zip(rows, shares, strict=True):
                setattr(row, name, share)
    return changed + divided


async def _update(
    session: AsyncSession,
    order: Order,
    incoming: NormalizedOrder,
    digest: str,
    skus: dict[str, int],
    actor: int | None,
    family: _Family,
) -> None:
    fields = _order_fields(incoming, digest)
    hosting = bool(order.own_values)
    if hosting:  # its columns show the merged values: compare and keep its own apart
        own = dict(order.own_values)
        mine = {**fields, "ship_by": incoming.ship_by, "tags": {"tags": list(incoming.tags)}}
        before = {
            **{k: getattr(order, k) for k in fields},
            "ship_by": _when(own.get("ship_by")),
            "tags": {"tags": own.get("tags", [])},
        }
        changed = sorted(k for k, v in mine.items() if k != "content_hash" and before[k] != v)
    else:
        changed = sorted(k for k, v in fields.items() if k != "content_hash" and getattr(order, k) != v)
    old_ship_by = order.ship_by
    for name, value in fields.items():
        setattr(order, name, value)
    if hosting:
        merging.set_own_values(order, ship_by=incoming.ship_by, tags=incoming.tags)
        merging.refresh_host(order, family.members.get(order.id, []))
    for part in family.parts(order)[1:]:
        for name in _PART_FIELDS:
            setattr(part, name, fields[name])
        if part.ship_by == old_ship_by:
            part.ship_by = incoming.ship_by
    held_lines = family.lines.get(order.id, [])
    by_platform_id: dict[str, list[OrderLine]] = {}
    for row in held_lines:
        by_platform_id.setdefault(row.platform_line_id, []).append(row)
    fresh: list[NormalizedLine] = []
    for line in incoming.lines:
        rows = by_platform_id.get(line.platform_line_id)
        if rows is None:
            fresh.append(line)
            continue
        changed.extend(f"lines.{line.platform_line_id}.{name}" for name in _apply_line(rows, _line_fields(line, skus)))
    if fresh:  # new lines ship where the order's lines ship: with its host when it is merged
        where = order.merged_into_id or order.id
        added = _new_lines(where, order.id, fresh, skus, start=len(by_platform_id) + 1)
        session.add_all(added)
        held_lines = [*held_lines, *added]
        family.lines[order.id] = held_lines
        changed.append("lines")
    session.add(record(order, "updated", actor=actor, reason=f"updated by {incoming.platform}", fields=changed))
    if order.status is S.merged and ("ship_by" in changed or "tags" in changed):
        host = family.orders.get(order.merged_into_id or 0)
        if host is not None:
            await session.flush()
            merging.refresh_host(host, (await merging.members_of(session, [host.id]))[host.id])
    await _follow_platform(session, order, held_lines, incoming, skus, actor, family)


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _own_reason(lines: Sequence[OrderLine], incoming: NormalizedOrder, skus: dict[str, int]) -> str:
    """Why a merged order must now act on its own (and leave its host), or ``""``."""
    platform = incoming.status
    live = [line for line in lines if line.refund is not RefundState.refunded]
    if platform is PlatformStatus.cancelled or not live:
        return "cancelled or refunded on the platform"
    if platform in (PlatformStatus.shipped, PlatformStatus.completed):
        return "shipped outside Cangku (the platform says so)"
    requested = [line.platform_line_id for line in live if line.refund is RefundState.requested]
    if requested:
        return f"refund requested on line(s) {', '.join(requested)}"
    unknown = sorted({line.sku_code for line in live if line.sku_code not in skus})
    if unknown:
        return f"unknown merchant SKU code(s): {', '.join(unknown)}"
    return ""


async def _follow_platform(
    session: AsyncSession,
    order: Order,
    held_lines: list[OrderLine],
    incoming: NormalizedOrder,
    skus: dict[str, int],
    actor: int | None,
    family: _Family,
) -> None:
    """Our status after the platform's changed: for each part of the platform order by its own status."""
    if order.status is S.merged:
        host = family.orders.get(order.merged_into_id or 0)
        why = _own_reason(held_lines, incoming, skus)
        if not why and host is not None and not merging.same_parcel(host, order):
            why = "its buyer or receiver changed on the platform"
        if not why:
            refunded = [line.id for line in held_lines if line.refund is RefundState.refunded]
            if refunded and host is not None:  # its host holds the stock of its lines
                await release_order(session, host, refunded)
            return
        await merging.detach(session, order, actor=actor, why=why)
    members = family.members.get(order.id, [])
    for member in [m for m in members if not merging.same_parcel(order, m)]:  # the host's receiver changed
        why = f"the receiver of order {order.platform_order_no}, which carried it, changed on the platform"
        await merging.detach(session, member, actor=actor, why=why)
        members.remove(member)
    parts = family.parts(order)
    shipped_here = any(part.status in (S.shipped, S.delivered) for part in parts) and len(parts) > 1
    for part in parts:
        lines = [line for line in held_lines if line.order_id == part.id]
        await _follow_part(session, part, lines, incoming, skus, actor, family.members.get(part.id, []), shipped_here)


async def _follow_part(
    session: AsyncSession,
    order: Order,
    lines: list[OrderLine],
    incoming: NormalizedOrder,
    skus: dict[str, int],
    actor: int | None,
    members: list[Order],
    shipped_here: bool,
) -> None:
    platform = incoming.status
    if order.status not in OPEN:
        if platform is PlatformStatus.completed and order.status is S.shipped:
            change_status(session, order, S.delivered, actor=actor, reason="received by the buyer (platform)")
        return
    if platform is PlatformStatus.pending_payment:
        return
    if platform in (PlatformStatus.shipped, PlatformStatus.completed):
        if shipped_here:  # our own part confirmations make the platform say (partly) shipped
            return
        if S.shipped in NEXT[order.status]:
            if members:  # their buyers' parcels did not leave with this one
                await merging.detach_members(session, order, actor=actor, why="was shipped outside Cangku")
            change_status(
                session, order, S.shipped, actor=actor, reason="shipped outside Cangku (the platform says so)"
            )
        return
    if order.status is S.pending_payment and platform is PlatformStatus.paid:
        change_status(session, order, S.paid, actor=actor, reason="paid on the platform")
    refunded = [line.id for line in lines if line.refund is RefundState.refunded]
    if refunded:  # a line refunded while others still ship: its reserved stock goes back now
        await release_order(session, order, refunded)
    await _hold_or_cancel(session, order, lines, incoming, skus, actor, members)


async def _hold_or_cancel(
    session: AsyncSession,
    order: Order,
    lines: Sequence[OrderLine],
    incoming: NormalizedOrder,
    skus: dict[str, int],
    actor: int | None,
    members: list[Order],
) -> None:
    """Cancelled or fully refunded (the platform order, or everything this part carries of it) →
    cancelled; a refund requested or an unknown merchant code on what it carries → held for
    review, with the reason. A host's merged orders are taken out before it is cancelled."""
    if order.status not in OPEN:
        return
    live = [line for line in lines if line.refund is not RefundState.refunded]
    everything_gone = not any(line.refund is not RefundState.refunded for line in incoming.lines)
    if incoming.status is PlatformStatus.cancelled or everything_gone or not live:
        reason = "cancelled or refunded on the platform"
        if members:
            await merging.detach_members(session, order, actor=actor, why="was cancelled or refunded on the platform")
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

"""合单: orders of one buyer, to one address, from one shop, ship as one parcel.

The earliest-paid order is the host: the others' lines move into it (``order_id`` changes,
``origin_order_id`` keeps naming the platform order each line belongs to) and they wait as
``merged`` until the host's parcel leaves, when each becomes shipped and its platform is told the
host's waybill. Only orders not yet on the floor (paid, held, routed) merge; presale orders only
with presale orders promised for the same day, so a spot order never waits for a presale one.

Structure stays flat: a host is never itself merged into another (merging a host makes its members
the new host's), and split parts (拆单) are never merged, so a line has at most one place to be
other than its own order. Every change is an event on the host and on each member (who, when, why).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.fulfilment.intercept import ON_THE_FLOOR, intercept
from server.lib.errors import Conflict, DomainError, NotFound
from server.orders.lifecycle import change_status, record
from server.orders.models import Order, OrderLine, OrderReservation, OrderStatus
from server.orders.reserving import release_order
from server.orders.rules.geography import province_key
from server.orders.values import SHANGHAI

S = OrderStatus
MERGEABLE = frozenset({S.paid, S.review, S.routed})
MAX_GROUP = 50
"""More orders than this for one buyer and address is not a parcel; a person should look."""


class NotMergeable(Conflict):
    code = "not_mergeable"


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def _place(value: str, suffix: str = "") -> str:
    """A place name compared loosely: width, case and spaces ignored, "杭州市" the same as "杭州"."""
    text = "".join(_text(value).casefold().split())
    return text.removesuffix(suffix) if suffix and len(text) > len(suffix) + 1 else text


def receiver_key(order: Order) -> tuple[str, ...]:
    """Where the parcel goes: the divisions normalised, the street, name and phone as given (masked
    values compare as masked — together with the buyer id they still name one receiver)."""
    receiver = order.receiver
    return (
        province_key(_text(order.receiver_province)),
        _place(order.receiver_city, "市"),
        _place(order.receiver_district),
        _text(receiver.get("address")),
        _text(receiver.get("name")),
        _text(receiver.get("phone")),
    )


def _ship_day(order: Order) -> str:
    return order.ship_by.astimezone(SHANGHAI).date().isoformat() if order.ship_by is not None else ""


def why_not(order: Order) -> str | None:
    """Why ``order`` cannot be merged at all, or ``None`` when it can."""
    if order.status not in MERGEABLE:
        return f"order {order.platform_order_no} is {order.status.value}: only paid, held or routed orders merge"
    if not order.buyer_id.strip():
        return f"order {order.platform_order_no} has no buyer id"
    if order.split_from_id is not None or order.split_parts:
        return f"order {order.platform_order_no} was split (拆单): split parts are not merged"
    return None


def merge_key(order: Order) -> tuple[Any, ...] | None:
    """Orders with the same key may ship as one parcel; ``None``: this one merges with nothing."""
    if why_not(order) is not None:
        return None
    timing = ("presale", _ship_day(order)) if order.presale else ("spot",)
    return (order.channel_id, order.buyer_id, *receiver_key(order), *timing)


def same_parcel(host: Order, member: Order) -> bool:
    """Whether ``member`` may still travel in ``host``'s parcel after a platform changed one of them
    (same shop, buyer and receiver)."""
    return (host.channel_id, host.buyer_id, receiver_key(host)) == (
        member.channel_id,
        member.buyer_id,
        receiver_key(member),
    )


def _paid_first(order: Order) -> tuple[bool, datetime, int]:
    moment = order.paid_at or order.ordered_at
    return (moment is None, moment, order.id)


def groups_of(orders: Sequence[Order]) -> list[list[Order]]:
    """The mergeable groups among ``orders`` (two or more each), host (earliest paid) first."""
    groups: dict[tuple[Any, ...], list[Order]] = {}
    for order in orders:
        key = merge_key(order)
        if key is not None:
            groups.setdefault(key, []).append(order)
    found = [sorted(group, key=_paid_first)[:MAX_GROUP] for group in groups.values() if len(group) > 1]
    return sorted(found, key=lambda group: _paid_first(group[0]))


async def candidates(session: AsyncSession) -> list[list[Order]]:
    """Every group of orders in the pool that could merge now, in one query: orders not on the
    floor whose (shop, buyer) appears more than once, grouped by their full key in memory."""
    twice = (
        select(Order.channel_id, Order.buyer_id)
        .where(Order.status.in_(sorted(MERGEABLE)), Order.buyer_id != "")
        .group_by(Order.channel_id, Order.buyer_id)
        .having(func.count() > 1)
        .subquery()
    )
    rows = await session.scalars(
        select(Order)
        .join(twice, (twice.c.channel_id == Order.channel_id) & (twice.c.buyer_id == Order.buyer_id))
        .where(Order.status.in_(sorted(MERGEABLE)), Order.split_from_id.is_(None), Order.split_parts == 0)
        .order_by(Order.id)
    )
    return groups_of(list(rows))


# -- what a host shows: the earliest ship-by, the highest priority, every tag -----------------------


def _own(order: Order) -> dict[str, Any]:
    """An order's own values as ``own_values`` keeps them."""
    return {
        "ship_by": order.ship_by.isoformat() if order.ship_by is not None else None,
        "priority": order.priority,
        "tags": [str(t) for t in order.tags.get("tags", [])],
    }


def _show(host: Order, values: Sequence[dict[str, Any]]) -> None:
    ship_bys = [datetime.fromisoformat(v["ship_by"]) for v in values if v.get("ship_by")]
    host.ship_by = min(ship_bys) if ship_bys else None
    host.priority = max(int(v.get("priority", 0)) for v in values)
    host.tags = {"tags": list(dict.fromkeys(str(t) for v in values for t in v.get("tags", [])))}


def refresh_host(host: Order, members: Sequence[Order]) -> None:
    """Recompute what a host shows from its own values and its members' (their columns are their
    own: members are never hosts); with no members left it shows its own values again."""
    if not host.own_values and not members:
        return
    own = host.own_values or _own(host)
    if not members:
        _show(host, [own])
        host.own_values = {}
        return
    host.own_values = dict(own)
    _show(host, [own, *(_own(m) for m in members)])


def set_own_values(host: Order, *, ship_by: datetime | None, tags: Sequence[str]) -> None:
    """A platform update of a host: its own ship-by and tags change, its shown values follow."""
    own = dict(host.own_values)
    own["ship_by"] = ship_by.isoformat() if ship_by is not None else None
    own["tags"] = list(tags)
    host.own_values = own


async def members_of(session: AsyncSession, host_ids: Sequence[int]) -> dict[int, list[Order]]:
    """Host id → the orders merged into it (one query)."""
    found: dict[int, list[Order]] = {i: [] for i in host_ids}
    if host_ids:
        statement = select(Order).where(Order.merged_into_id.in_(sorted(host_ids))).order_by(Order.id)
        for member in await session.scalars(statement):
            assert member.merged_into_id is not None
            found[member.merged_into_id].append(member)
    return found


# -- merging -------------------------------------------------------------------------------------------


async def merge(session: AsyncSession, order_ids: Sequence[int], *, actor: int | None, reason: str = "") -> Order:
    """Merge ``order_ids`` into the earliest paid of them; answers the host. Refused (409) unless
    every one may merge and all share shop, buyer, receiver and timing."""
    ids = sorted(set(order_ids))
    if len(ids) < 2:
        raise DomainError("a merge needs two or more orders", message_zh="合单至少需要两个订单", field="order_ids")
    if len(ids) > MAX_GROUP:
        raise DomainError(f"at most {MAX_GROUP} orders merge at once", message_zh="一次合单订单过多", field="order_ids")
    orders = list(await session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id).with_for_update()))
    missing = sorted(set(ids) - {o.id for o in orders})
    if missing:
        raise NotFound(f"order {missing[0]} does not exist", message_zh="订单不存在", detail={"order_ids": missing})
    for order in orders:
        problem = why_not(order)
        if problem is not None:
            raise NotMergeable(
                problem,
                message_zh="订单状态不允许合单（仅已付款、待审或已分仓且未拆单的订单）",
                detail={"order_id": order.id},
            )
    if len({merge_key(o) for o in orders}) != 1:
        raise NotMergeable(
            "these orders are not of the same shop, buyer and receiver (or differ in presale ship-by day)",
            message_zh="这些订单不是同一店铺、同一买家、同一收货地址（或预售发货日不同），不能合单",
            detail={"order_ids": ids},
        )
    host, *members = sorted(orders, key=_paid_first)
    await absorb(session, host, members, actor=actor, reason=reason or "merged by a person")
    return host


async def absorb(
    session: AsyncSession, host: Order, members: Sequence[Order], *, actor: int | None, reason: str
) -> None:
    """Move ``members``' lines (and their members) into ``host``. If every order was routed to one
    warehouse, their reservations move with the lines and the host stays routed; otherwise what
    they held goes back and the host is routed again as one parcel — held for a person if any of
    them was held, so a merge never lets a held order slip through review."""
    member_ids = [m.id for m in members]
    everyone = [host, *members]
    holds = [(o.platform_order_no, o.hold_reason or "held") for o in everyone if o.status is S.review]
    kept = all(o.status is S.routed for o in everyone) and len({o.warehouse_id for o in everyone}) == 1
    released = 0
    if not kept:
        for order in everyone:
            if order.status in (S.routed, S.review):  # paid orders hold nothing
                released += await release_order(session, order)
    own = host.own_values or _own(host)
    shown = [own, *(_own(m) for m in members)]  # a member that hosted others shows their values too
    former_hosts = [m for m in members if m.own_values]
    if former_hosts:
        await session.execute(
            update(Order)
            .where(Order.merged_into_id.in_([m.id for m in former_hosts]))
            .values(merged_into_id=host.id)
            .execution_options(synchronize_session="fetch")
        )
        for member in former_hosts:  # a member shows its own values, like every member
            _show(member, [member.own_values])
            member.own_values = {}
    await session.execute(
        update(OrderLine)
        .where(OrderLine.order_id.in_(member_ids))
        .values(order_id=host.id)
        .execution_options(synchronize_session="fetch")
    )
    if kept:
        await session.execute(
            update(OrderReservation)
            .where(OrderReservation.order_id.in_(member_ids))
            .values(order_id=host.id)
            .execution_options(synchronize_session="fetch")
        )
    host.own_values = dict(own)
    _show(host, shown)
    numbers = ", ".join(m.platform_order_no for m in members)
    for member in members:
        member.merged_into_id = host.id
        member.warehouse_id = None
        member.carrier_code = ""
        member.shipping_cost_minor = None
        change_status(
            session,
            member,
            S.merged,
            actor=actor,
            reason=f"merged into order {host.platform_order_no}: {reason}",
            kind="merged",
            host_id=host.id,
        )
    detail: dict[str, Any] = {"members": member_ids, "reservations": "kept" if kept else "released"}
    session.add(
        record(host, "merged", actor=actor, reason=f"orders {numbers} merged into this one: {reason}", **detail)
    )
    if kept:
        return
    if holds:
        hold_reason = "merged with held orders — " + "; ".join(f"{number}: {why}" for number, why in holds)
        if host.status is S.review:
            host.hold_reason = hold_reason
        else:
            change_status(
                session, host, S.review, actor=actor, reason=hold_reason, kind="held", hold_reason=hold_reason
            )
    elif host.status is not S.paid:
        change_status(
            session,
            host,
            S.paid,
            actor=actor,
            reason="merged: routed again as one parcel",
            kind="merged",
            released=released,
        )
    host.warehouse_id = None  # nothing reserved any more: routing chooses again for the whole parcel
    host.carrier_code = ""
    host.shipping_cost_minor = None


async def merge_batch(session: AsyncSession, orders: Sequence[Order], *, actor: int | None) -> list[Order]:
    """Merge the mergeable groups among ``orders`` (a processing batch, locked); answers the orders
    left to route (members are gone into their hosts). No query to find the groups: the batch
    already holds every header."""
    remaining: list[Order] = list(orders)
    groups = groups_of(orders)
    for host, *members in groups:
        await absorb(session, host, members, actor=actor, reason="same buyer, address and shop (合单 while processing)")
        gone = {m.id for m in members}
        remaining = [o for o in remaining if o.id not in gone]
    if groups:
        await session.flush()  # the members as merged before their hosts' facts are read
    return remaining


# -- taking a member out again -------------------------------------------------------------------------


class HostOnTheFloor(Conflict):
    code = "host_on_the_floor"


async def _locked(session: AsyncSession, order_id: int) -> Order:
    order = await session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", message_zh="订单不存在")
    return order


async def unmerge(session: AsyncSession, member_id: int, *, actor: int | None, reason: str = "") -> Order:
    """Take a merged order out of its host (before the host is on the floor): its lines — and the
    reservations they hold — go back; it is routed at the host's warehouse if it holds stock,
    else paid, to be processed again on its own."""
    member = await _locked(session, member_id)
    if member.status is not S.merged or member.merged_into_id is None:
        raise Conflict(
            f"order {member.platform_order_no} is {member.status.value}, not merged",
            message_zh="订单未合单，无需拆出",
            code="not_merged",
            detail={"order_id": member.id, "status": member.status.value},
        )
    host = await _locked(session, member.merged_into_id)
    if host.status in ON_THE_FLOOR:
        raise HostOnTheFloor(
            f"order {host.platform_order_no}, which carries it, is {host.status.value}: hold it (拦截) first",
            message_zh=f"合单主单 {host.platform_order_no} 已在作业中，请先拦截",
            detail={"order_id": member.id, "host_id": host.id, "host_status": host.status.value},
        )
    await take_out(session, host, member, actor=actor, reason=reason or "taken out by a person")
    return member


async def take_out(session: AsyncSession, host: Order, member: Order, *, actor: int | None, reason: str) -> None:
    """The work of ``unmerge`` on locked rows (the host is not on the floor)."""
    lines = list(
        await session.scalars(
            select(OrderLine).where(OrderLine.order_id == host.id, OrderLine.origin_order_id == member.id)
        )
    )
    for line in lines:
        line.order_id = member.id
    held = list(
        await session.scalars(select(OrderReservation).where(OrderReservation.order_line_id.in_([x.id for x in lines])))
    )
    for row in held:
        row.order_id = member.id
    member.merged_into_id = None
    units = sum(row.qty for row in held)
    if held:
        member.warehouse_id = host.warehouse_id
        member.carrier_code = host.carrier_code
        target = S.routed
    else:
        target = S.paid
    change_status(
        session,
        member,
        target,
        actor=actor,
        reason=f"taken out of order {host.platform_order_no}: {reason}",
        kind="unmerged",
        host_id=host.id,
        reserved_units=units,
    )
    session.add(
        record(
            host,
            "unmerged",
            actor=actor,
            reason=f"order {member.platform_order_no} taken out: {reason}",
            member_id=member.id,
            lines=len(lines),
            reserved_units=units,
        )
    )
    await session.flush()
    refresh_host(host, (await members_of(session, [host.id]))[host.id])


async def detach(session: AsyncSession, member: Order, *, actor: int | None, why: str) -> Order:
    """Take ``member`` out before something happens to it on its own (cancelled, refund asked,
    shipped elsewhere); a host already on the floor is intercepted (拦截) first — held, its picked
    goods put back — naming the member. Answers the host."""
    assert member.merged_into_id is not None
    host = await _locked(session, member.merged_into_id)
    if host.status in ON_THE_FLOOR:
        reason = f"merged order {member.platform_order_no}: {why}"
        await intercept(session, host, actor=actor, reason=reason, cancel=False)
    await take_out(session, host, member, actor=actor, reason=why)
    return host


async def detach_members(session: AsyncSession, host: Order, *, actor: int | None, why: str) -> list[Order]:
    """Before ``host`` itself is cancelled or leaves the pool: its members go back to their own
    orders (still wanted by their buyers); a host on the floor is intercepted first."""
    members = (await members_of(session, [host.id]))[host.id]
    if not members:
        return []
    if host.status in ON_THE_FLOOR:
        await intercept(session, host, actor=actor, reason=f"{why}; merged orders taken out", cancel=False)
    for member in members:
        await take_out(session, host, member, actor=actor, reason=f"order {host.platform_order_no} {why}")
    return members

"""拆单: part of an order ships as an order of its own — from another warehouse, later (presale,
awaiting stock), or because a person says so.

A part is a new ``Order`` (``split_from_id`` = the platform order) numbered ``<number>-<n>``, a
copy of the header with the lines it ships: whole lines move to it; a line divided by quantity
leaves a row in each part with the same ``platform_line_id`` and ``origin_order_id``, its discount
and paid fen divided in proportion (``values.allocate``: no fen lost or invented). The platform
order keeps its row, its number and what was not split off. A part of a routed order keeps the
reservations of what it carries (they move with the lines, divided like them), so nothing is given
back and taken again: both stay routed at the same warehouse until a person routes one elsewhere.

The structure stays flat: every part points at the platform order, even a part split off a part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.lib.errors import Conflict, DomainError, NotFound
from server.orders.lifecycle import record
from server.orders.models import Order, OrderLine, OrderReservation, OrderStatus
from server.orders.normalized import RefundState
from server.orders.values import allocate

S = OrderStatus
SPLITTABLE = frozenset({S.paid, S.review, S.routed})
MAX_NUMBER = 64
"""``orders.platform_order_no``'s width."""

Plan = Sequence[Sequence[tuple[OrderLine, int]]]
"""Parts to split off, each (line, units) pairs."""


class NotSplittable(Conflict):
    code = "not_splittable"


@dataclass
class Part:
    order: Order
    lines: list[OrderLine] = field(default_factory=list)


@dataclass(frozen=True)
class PartInput:
    """What a person asks for: (line id, units) pairs, and optionally the part's own ship-by
    (a presale date different from the rest)."""

    lines: Sequence[tuple[int, int]]
    ship_by: datetime | None = None


def _refuse_unless_splittable(order: Order) -> None:
    if order.status not in SPLITTABLE:
        raise NotSplittable(
            f"order {order.platform_order_no} is {order.status.value}: only paid, held or routed orders split",
            message_zh="只有已付款、待审或已分仓（未进波次）的订单可以拆单",
            detail={"order_id": order.id, "status": order.status.value},
        )
    if order.own_values:
        raise NotSplittable(
            f"other orders are merged into order {order.platform_order_no}: take them out first",
            message_zh="该订单含有合并进来的订单，请先拆出合单",
            detail={"order_id": order.id},
        )


def plan_parts(
    order: Order, lines: Sequence[OrderLine], parts: Sequence[PartInput]
) -> list[list[tuple[OrderLine, int]]]:
    """Check a person's parts against the order's lines; a 400 names the offending field."""
    by_id = {line.id: line for line in lines}
    taken: dict[int, int] = {}
    planned: list[list[tuple[OrderLine, int]]] = []
    for i, part in enumerate(parts):
        units: dict[int, int] = {}
        for j, (line_id, qty) in enumerate(part.lines):
            where = f"parts.{i}.lines.{j}"
            line = by_id.get(line_id)
            if line is None:
                raise DomainError(
                    f"line {line_id} is not on order {order.platform_order_no}",
                    message_zh="商品行不属于该订单",
                    field=f"{where}.line_id",
                )
            if line.refund is RefundState.refunded:
                raise DomainError(
                    f"line {line_id} is refunded: nothing of it ships",
                    message_zh="该商品行已退款",
                    field=f"{where}.line_id",
                )
            if qty <= 0:
                raise DomainError("qty must be positive", message_zh="数量必须大于 0", field=f"{where}.qty")
            taken[line_id] = taken.get(line_id, 0) + qty
            if taken[line_id] > line.qty:
                raise DomainError(
                    f"line {line_id} has {line.qty} units; the parts ask for {taken[line_id]}",
                    message_zh="拆出数量超过商品行数量",
                    field=f"{where}.qty",
                )
            units[line_id] = units.get(line_id, 0) + qty
        planned.append([(by_id[line_id], qty) for line_id, qty in units.items()])
    live = [line for line in lines if line.refund is not RefundState.refunded]
    if sum(line.qty - taken.get(line.id, 0) for line in live) <= 0:
        raise DomainError(
            "a split must leave at least one unit in the order itself",
            message_zh="拆单后原订单至少保留一件商品",
            field="parts",
        )
    return planned


async def split(
    session: AsyncSession, order_id: int, parts: Sequence[PartInput], *, actor: int | None, reason: str = ""
) -> list[Part]:
    """A person's split of ``order_id`` into the order itself and ``parts``; answers the new parts."""
    order = await session.get(Order, order_id, with_for_update=True)
    if order is None:
        raise NotFound(f"order {order_id} does not exist", message_zh="订单不存在")
    _refuse_unless_splittable(order)
    lines = list(await session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)))
    planned = plan_parts(order, lines, parts)
    return await split_off(
        session,
        order,
        lines,
        planned,
        actor=actor,
        reason=reason or "split by a person",
        ship_by=[p.ship_by for p in parts],
    )


async def _numbers(session: AsyncSession, root: Order, count: int) -> list[str]:
    """The next ``count`` part numbers of ``root`` (``<number>-<n>``), skipping any the shop
    already uses — a part's number must never be mistaken for a real platform order."""
    chosen: list[str] = []
    n = root.split_parts
    while len(chosen) < count:
        batch = [f"{root.platform_order_no}-{k}" for k in range(n + 1, n + 1 + count - len(chosen) + 5)]
        if len(batch[-1]) > MAX_NUMBER:
            raise NotSplittable(
                f"order number {root.platform_order_no} is too long to number its parts",
                message_zh="订单编号过长，无法为拆出的订单编号",
                detail={"order_id": root.id},
            )
        taken = set(
            await session.scalars(
                select(Order.platform_order_no).where(
                    Order.channel_id == root.channel_id, Order.platform_order_no.in_(batch)
                )
            )
        )
        for k, number in enumerate(batch, start=n + 1):
            n = k
            if number not in taken:
                chosen.append(number)
                if len(chosen) == count:
                    break
    root.split_parts = n
    return chosen


def _copy(order: Order, root: Order, number: str, ship_by: datetime | None) -> Order:
    return Order(
        channel_id=order.channel_id,
        platform_order_no=number,
        status=order.status,
        hold_reason=order.hold_reason if order.status is S.review else "",
        platform_status=order.platform_status,
        ordered_at=order.ordered_at,
        paid_at=order.paid_at,
        platform_updated_at=order.platform_updated_at,
        currency=order.currency,
        goods_minor=0,
        shipping_minor=0,
        discount_minor=0,
        paid_minor=0,
        buyer_id=order.buyer_id,
        buyer_message=order.buyer_message,
        seller_memo=order.seller_memo,
        seller_flag=order.seller_flag,
        ship_by=ship_by or order.ship_by,
        presale=order.presale,
        priority=order.priority,
        tags={"tags": list(order.tags.get("tags", []))},
        receiver_province=order.receiver_province,
        receiver_city=order.receiver_city,
        receiver_district=order.receiver_district,
        receiver=dict(order.receiver),
        warehouse_id=order.warehouse_id,
        carrier_code=order.carrier_code,
        shipping_cost_minor=None,
        content_hash="",
        raw_amounts={},
        split_from_id=root.id,
    )


def _divide(line: OrderLine, units: int, to_order: Order) -> OrderLine:
    """``units`` of ``line`` as a new row of ``to_order``; the discount and paid fen are divided
    in proportion to the units, so the two rows add up to what the line was."""
    keep = line.qty - units
    keep_paid, moved_paid = allocate(line.paid_minor, [keep, units])
    keep_discount, moved_discount = allocate(line.discount_minor, [keep, units])
    line.qty, line.paid_minor, line.discount_minor = keep, keep_paid, keep_discount
    return OrderLine(
        order_id=to_order.id,
        origin_order_id=line.origin_order_id,
        line_no=line.line_no,
        platform_line_id=line.platform_line_id,
        sku_code=line.sku_code,
        sku_id=line.sku_id,
        title=line.title,
        spec=line.spec,
        platform_sku_id=line.platform_sku_id,
        qty=units,
        unit_price_minor=line.unit_price_minor,
        discount_minor=moved_discount,
        paid_minor=moved_paid,
        refund=line.refund,
    )


def _totals(order: Order, lines: Sequence[OrderLine]) -> None:
    """A part's header money is the sum of its lines (the platform order keeps the platform's totals)."""
    order.goods_minor = sum(line.unit_price_minor * line.qty for line in lines)
    order.discount_minor = sum(line.discount_minor for line in lines)
    order.paid_minor = sum(line.paid_minor for line in lines)


async def split_off(
    session: AsyncSession,
    order: Order,
    lines: list[OrderLine],
    parts: Plan,
    *,
    actor: int | None,
    reason: str,
    ship_by: Sequence[datetime | None] | None = None,
) -> list[Part]:
    """Split ``parts`` off ``order`` (locked; ``lines`` are its lines, updated in place to what it
    keeps). Reservations of what moves move with it. Two flushes however many parts."""
    root = order
    if order.split_from_id is not None:
        found = await session.get(Order, order.split_from_id, with_for_update=True)
        assert found is not None
        root = found
    numbers = await _numbers(session, root, len(parts))
    dates = list(ship_by or [None] * len(parts))
    made = [Part(_copy(order, root, number, when)) for number, when in zip(numbers, dates, strict=True)]
    session.add_all([part.order for part in made])
    await session.flush()
    holds: dict[int, list[OrderReservation]] = {}
    if order.status is not S.paid:  # routed or held after routing: reservations follow the units
        for row in await session.scalars(
            select(OrderReservation).where(OrderReservation.order_id == order.id).order_by(OrderReservation.id)
        ):
            holds.setdefault(row.order_line_id, []).append(row)
    divided: list[tuple[OrderLine, OrderLine, Part]] = []
    whole: list[tuple[OrderLine, Part]] = []
    for part, wanted in zip(made, parts, strict=True):
        for line, units in wanted:
            if units >= line.qty:  # the whole (rest of the) line moves
                line.order_id = part.order.id
                lines.remove(line)
                part.lines.append(line)
                whole.append((line, part))
                continue
            new = _divide(line, units, part.order)
            part.lines.append(new)
            divided.append((line, new, part))
    session.add_all([new for _, new, _ in divided])
    await session.flush()
    for line, new, part in divided:  # before the whole moves: a line may be divided, then its rest move
        session.add_all(_take_reservations(holds.get(line.id, []), new, part.order))
    for line, part in whole:
        for row in holds.pop(line.id, []):
            row.order_id = part.order.id
    moved = []
    for part in made:
        _totals(part.order, part.lines)
        moved.append(
            {
                "order_id": part.order.id,
                "platform_order_no": part.order.platform_order_no,
                "lines": [[line.platform_line_id, line.qty] for line in part.lines],
            }
        )
        session.add(
            record(
                part.order,
                "split",
                actor=actor,
                reason=f"split from order {order.platform_order_no}: {reason}",
                split_from_id=root.id,
                parent_id=order.id,
            )
        )
    if order.split_from_id is not None:
        _totals(order, lines)
    session.add(record(order, "split", actor=actor, reason=reason, parts=moved))
    await session.flush()
    return made


def _take_reservations(rows: list[OrderReservation], new: OrderLine, to_order: Order) -> list[OrderReservation]:
    """Hand ``new.qty`` units of a divided line's reservations (``rows``, taken from the back and
    left holding the rest) to its new row; answers the rows to add for a row cut in two."""
    added: list[OrderReservation] = []
    need = new.qty
    while need and rows:
        row = rows[-1]
        if row.qty <= need:
            row.order_id, row.order_line_id = to_order.id, new.id
            need -= row.qty
            rows.pop()
            continue
        row.qty -= need
        added.append(
            OrderReservation(
                order_id=to_order.id,
                order_line_id=new.id,
                warehouse_id=row.warehouse_id,
                location_id=row.location_id,
                sku_id=row.sku_id,
                lot_id=row.lot_id,
                qty=need,
            )
        )
        need = 0
    return added


async def parts_of(session: AsyncSession, order: Order) -> list[Order]:
    """The parts split off ``order``'s platform order (for a part: its siblings), in order."""
    root_id = order.split_from_id or order.id
    statement = select(Order).where(Order.split_from_id == root_id).order_by(Order.id)
    return [part for part in await session.scalars(statement) if part.id != order.id]

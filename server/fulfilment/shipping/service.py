"""发货: a packed order gets a shipment and a waybill number, a label, and is shipped — and the channel
is told through the outbox, in the same transaction as the order becoming ``shipped``.

Rules kept here, not in the controller:
- only a packed order gets a shipment (an intercepted or cancelled one must not get a label);
- one parcel per order unless an additional parcel is asked for: a double-tap on "create" must not
  print two labels for one order, the classic way an order gets shipped twice;
- shipping goes through ``lifecycle.change_status`` (so an order intercepted meanwhile is refused
  with 409 and nothing is written), and the first parcel's confirmation goes to the outbox;
- shipping an already shipped parcel changes nothing (a retried request is not a second shipment);
- a parcel confirms every platform order it carries lines of: its own, each order merged into it
  (合单, with the same waybill; those orders become shipped with it), or — for a part split off an
  order (拆单) — the platform order, naming only the lines this parcel carries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.types import utcnow
from server.fulfilment.ship_stock import ship_goods
from server.fulfilment.shipping.carriers import ShipmentFacts, carrier_for
from server.fulfilment.shipping.label import LabelData
from server.fulfilment.shipping.models import (
    IN_WAREHOUSE,
    OutboxKind,
    Shipment,
    ShipmentStatus,
    TrackingEvent,
)
from server.fulfilment.shipping.outbox import enqueue
from server.lib.errors import Conflict, NotFound
from server.orders.adapters.registry import ADAPTERS
from server.orders.lifecycle import change_status, record
from server.orders.models import Channel, Order, OrderLine, OrderStatus
from server.orders.normalized import RefundState
from server.warehouse.models import Warehouse

T = TypeVar("T")


class ShipmentRefused(Conflict):
    code = "shipment_refused"


async def _locked_or_plain(session: AsyncSession, statement: Select[T], lock: bool) -> T | None:
    """Plain reads take the session's copy; a locking read re-reads the row under the lock (another
    transaction may have changed it while we waited), after flushing our own pending changes so the
    re-read cannot discard them."""
    if not lock:
        return await session.scalar(statement)
    await session.flush()
    return await session.scalar(statement.with_for_update().execution_options(populate_existing=True))


async def get_order(session: AsyncSession, order_id: int, *, lock: bool = False) -> Order:
    """The order, row-locked when ``lock`` so two people acting on it take turns."""
    order = await _locked_or_plain(session, select(Order).where(Order.id == order_id), lock)
    if order is None:
        raise NotFound(f"order {order_id} not found", message_zh="订单不存在", detail={"order_id": order_id})
    return order


async def get_shipment(session: AsyncSession, shipment_id: int, *, lock: bool = False) -> Shipment:
    shipment = await _locked_or_plain(session, select(Shipment).where(Shipment.id == shipment_id), lock)
    if shipment is None:
        raise NotFound(
            f"shipment {shipment_id} not found", message_zh="发货单不存在", detail={"shipment_id": shipment_id}
        )
    return shipment


async def shipments_of(session: AsyncSession, order_id: int) -> list[Shipment]:
    rows = await session.scalars(select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.parcel_no))
    return list(rows)


async def tracking_events(session: AsyncSession, shipment_id: int) -> list[TrackingEvent]:
    """Newest first, as trackers show them."""
    rows = await session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment_id)
        .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
    )
    return list(rows)


async def _lines(session: AsyncSession, order_id: int) -> list[OrderLine]:
    rows = await session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no))
    return list(rows)


async def create_shipment(
    session: AsyncSession,
    order: Order,
    actor: int | None,
    *,
    weight_g: int | None = None,
    additional_parcel: bool = False,
    now: datetime | None = None,
) -> Shipment:
    """A shipment with a waybill number from the carrier of ``order.carrier_code`` (or the default)."""
    now = now or utcnow()
    order = await get_order(session, order.id, lock=True)
    if order.status is not OrderStatus.packed:
        raise ShipmentRefused(
            f"order {order.platform_order_no} is {order.status.value}, not packed",
            message_zh=f"订单 {order.platform_order_no} 状态为 {order.status.value}，尚未打包，不能发货",
            code="order_not_packed",
            detail={"order_id": order.id, "status": order.status.value},
        )
    if order.warehouse_id is None:  # packed implies routed; a hand-edited row must not crash here
        raise ShipmentRefused(
            f"order {order.platform_order_no} has no warehouse",
            message_zh=f"订单 {order.platform_order_no} 未分配仓库",
            code="order_has_no_warehouse",
            detail={"order_id": order.id},
        )
    existing = await shipments_of(session, order.id)
    if existing and not additional_parcel:
        raise ShipmentRefused(
            f"order {order.platform_order_no} already has a shipment; ask for an additional parcel to add one",
            message_zh=f"订单 {order.platform_order_no} 已有发货单；如需多包裹请选择“追加包裹”",
            code="shipment_exists",
            detail={"order_id": order.id, "shipment_ids": [s.id for s in existing]},
        )
    parcel_no = max((s.parcel_no for s in existing), default=0) + 1
    warehouse = await session.get(Warehouse, order.warehouse_id)
    item_count = sum(line.qty for line in await _lines(session, order.id) if line.refund is not RefundState.refunded)
    carrier = carrier_for(order.carrier_code)
    facts = ShipmentFacts(
        order_id=order.id,
        platform_order_no=order.platform_order_no,
        parcel_no=parcel_no,
        warehouse_id=order.warehouse_id,
        sender_province=warehouse.province if warehouse else "",
        sender_city=warehouse.city if warehouse else "",
        receiver_province=order.receiver_province,
        receiver_city=order.receiver_city,
        receiver_district=order.receiver_district,
        receiver=order.receiver,
        weight_g=weight_g,
        item_count=item_count,
    )
    waybill = await carrier.issue_waybill(session, facts)
    shipment = Shipment(
        order_id=order.id,
        parcel_no=parcel_no,
        warehouse_id=order.warehouse_id,
        carrier_code=carrier.code,
        waybill_no=waybill.waybill_no,
        sort_code=waybill.sort_code,
        print_fields=dict(waybill.print_fields),
        weight_g=weight_g,
        item_count=item_count,
        status=ShipmentStatus.created,
        created_by_user_id=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(shipment)
    await session.flush()
    session.add(
        record(
            order,
            "shipment_created",
            actor=actor,
            reason=f"waybill {carrier.code} {waybill.waybill_no}",
            shipment_id=shipment.id,
            parcel_no=parcel_no,
            carrier_code=carrier.code,
            waybill_no=waybill.waybill_no,
        )
    )
    return shipment


def _confirmation_lines(lines: list[OrderLine]) -> list[str]:
    """The platform line ids to confirm: none (meaning "the whole order") when every line ships, so
    Taobao is not asked for a split shipment (``is_split``) it would then keep open; the shipping
    lines when some were refunded."""
    shipping = [line.platform_line_id for line in lines if line.refund is not RefundState.refunded]
    return [] if len(shipping) == len(lines) else shipping


_GONE = (OrderStatus.shipped, OrderStatus.delivered)


async def _to_confirm(session: AsyncSession, order: Order) -> list[tuple[Order, list[str] | None]]:
    """Each platform order this parcel carries lines of, with the line ids to confirm (``[]`` for
    the whole order). A platform order with lines in other parts names only this parcel's lines,
    less those an earlier part already confirmed (a line divided over two parts is confirmed by
    the first to leave: platforms confirm a line once); ``None`` when nothing is left to name."""
    lines = await _lines(session, order.id)
    by_origin: dict[int, list[OrderLine]] = {}
    for line in lines:
        by_origin.setdefault(line.origin_order_id, []).append(line)
    origins = {o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(sorted(by_origin))))}
    elsewhere: dict[int, list[tuple[str, OrderStatus]]] = {}
    rows = await session.execute(
        select(OrderLine.origin_order_id, OrderLine.platform_line_id, Order.status)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.origin_order_id.in_(sorted(by_origin)), OrderLine.order_id != order.id)
    )
    for origin_id, platform_line_id, status in rows:
        elsewhere.setdefault(origin_id, []).append((platform_line_id, status))
    answer: list[tuple[Order, list[str] | None]] = []
    for origin_id in sorted(by_origin, key=lambda i: (i != order.id, i)):
        here = by_origin[origin_id]
        shipping = list(dict.fromkeys(x.platform_line_id for x in here if x.refund is not RefundState.refunded))
        if not shipping:
            continue
        if origin_id not in elsewhere:
            answer.append((origins[origin_id], _confirmation_lines(here)))
            continue
        confirmed = {line_id for line_id, status in elsewhere[origin_id] if status in _GONE}
        fresh = [line_id for line_id in shipping if line_id not in confirmed]
        answer.append((origins[origin_id], fresh or None))
    return answer


async def _ship_members(session: AsyncSession, host: Order, actor: int | None, detail: dict[str, Any]) -> None:
    """合单: the orders merged into ``host`` leave in its parcel."""
    members = await session.scalars(
        select(Order).where(Order.merged_into_id == host.id, Order.status == OrderStatus.merged).with_for_update()
    )
    for member in members:
        change_status(
            session,
            member,
            OrderStatus.shipped,
            actor=actor,
            reason=f"shipped in the parcel of order {host.platform_order_no}",
            kind="shipped",
            host_id=host.id,
            **detail,
        )


async def _note_parts_shipped(session: AsyncSession, origins: list[Order], actor: int | None) -> None:
    """拆单: a platform order counts as shipped when every part of it has; say so on it once."""
    for origin in origins:
        if not origin.split_parts:
            continue
        statuses = set(
            await session.scalars(
                select(Order.status).where(or_(Order.id == origin.id, Order.split_from_id == origin.id))
            )
        )
        if statuses <= set(_GONE):
            session.add(
                record(
                    origin,
                    "all_parts_shipped",
                    actor=actor,
                    reason=f"every part of order {origin.platform_order_no} has shipped",
                )
            )


async def ship(
    session: AsyncSession,
    shipment: Shipment,
    actor: int | None,
    *,
    expected_by: datetime | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> Shipment:
    """Hand the parcel over: the order becomes shipped and, in the same transaction, the channel's
    shipment confirmation is queued in the outbox (or a note says why none is)."""
    now = now or utcnow()
    shipment = await get_shipment(session, shipment.id, lock=True)
    if shipment.status not in IN_WAREHOUSE:
        return shipment
    order = await get_order(session, shipment.order_id, lock=True)
    detail: dict[str, Any] = {
        "shipment_id": shipment.id,
        "carrier_code": shipment.carrier_code,
        "waybill_no": shipment.waybill_no,
    }
    confirm = order.status not in (OrderStatus.shipped, OrderStatus.delivered)
    if confirm and order.status is not OrderStatus.packed:
        # ``change_status`` would let review → shipped through (outside shipments); here it means the
        # order was intercepted (拦截) or cancelled after packing, and the parcel must stay.
        raise ShipmentRefused(
            f"order {order.platform_order_no} is {order.status.value}; the parcel must not leave",
            message_zh=f"订单 {order.platform_order_no} 状态为 {order.status.value}（已拦截或取消），不能发货",
            code="order_not_packed",
            detail={"order_id": order.id, "status": order.status.value, "shipment_id": shipment.id},
        )
    if confirm:
        # The goods leave the books with the parcel (staging → @CUSTOMER), in this transaction.
        detail["units"] = await ship_goods(session, order, reference=shipment.waybill_no, actor=actor)
        change_status(
            session,
            order,
            OrderStatus.shipped,
            actor=actor,
            reason=reason or f"shipped with {shipment.carrier_code} {shipment.waybill_no}",
            kind="shipped",
            **detail,
        )
        await _ship_members(session, order, actor, {k: v for k, v in detail.items() if k != "units"})
    shipment.status = ShipmentStatus.shipped
    shipment.shipped_at = now
    shipment.updated_at = now
    if expected_by is not None:
        shipment.expected_by = expected_by.astimezone(UTC)
    if not confirm:
        # A further parcel of an order already shipped (by another parcel, or outside Cangku): the
        # platform knows the order is on its way, and most platforms refuse a second confirmation.
        session.add(
            record(order, "parcel_shipped", actor=actor, reason=reason or f"parcel {shipment.parcel_no}", **detail)
        )
        return shipment
    await session.flush()  # the parts' statuses as they are now, for the confirmations and the note
    confirming = await _to_confirm(session, order)
    await _note_parts_shipped(session, [origin for origin, _ in confirming], actor)
    channel = await session.get(Channel, order.channel_id)
    platform = channel.platform if channel is not None else ""
    adapter = ADAPTERS.get(platform)
    if channel is None or adapter is None:
        session.add(
            record(
                order,
                "confirmation_skipped",
                actor=actor,
                reason=f"no channel adapter for platform {platform or '?'}: confirm the shipment in the seller centre",
                platform=platform,
                **detail,
            )
        )
        return shipment
    for origin, line_ids in confirming:
        if line_ids is None:
            session.add(
                record(
                    order,
                    "confirmation_skipped",
                    actor=actor,
                    reason=f"order {origin.platform_order_no}: its lines here were confirmed with an earlier part",
                    platform_order_no=origin.platform_order_no,
                    **detail,
                )
            )
            continue
        call = adapter.shipment_confirmation(
            origin.platform_order_no, shipment.carrier_code, shipment.waybill_no, line_ids
        )
        own = origin.id == order.id
        enqueue(
            session,
            channel.id,
            OutboxKind.shipment_confirmation,
            call,
            reference=f"shipment:{shipment.id}",
            # the parcel's own order keeps the key it always had; each other platform order its own
            dedupe_key=f"shipment_confirmation:{shipment.id}" + ("" if own else f":{origin.id}"),
            now=now,
        )
    return shipment


async def label_data(session: AsyncSession, shipment: Shipment) -> LabelData:
    """What the label prints, read from the shipment, its order (receiver as stored) and warehouse."""
    order = await get_order(session, shipment.order_id)
    warehouse = await session.get(Warehouse, shipment.warehouse_id)
    receiver = order.receiver
    address = "".join(
        str(receiver.get(key) or "") for key in ("province", "city", "district", "town", "address")
    ) or "".join((order.receiver_province, order.receiver_city, order.receiver_district))
    sender_address = "".join((warehouse.province, warehouse.city, warehouse.address)) if warehouse is not None else ""
    return LabelData(
        waybill_no=shipment.waybill_no,
        carrier_code=shipment.carrier_code,
        carrier_name=carrier_for(shipment.carrier_code).name,
        sort_code=shipment.sort_code,
        issued_locally=shipment.print_fields.get("issued_by") == "local",
        parcel_no=shipment.parcel_no,
        order_no=order.platform_order_no,
        item_count=shipment.item_count,
        weight_g=shipment.weight_g,
        sender_name=warehouse.name_zh if warehouse is not None else "",
        sender_address=sender_address,
        receiver_name=str(receiver.get("name") or ""),
        receiver_phone=str(receiver.get("phone") or ""),
        receiver_address=address,
    )


def mark_labelled(shipment: Shipment, now: datetime | None = None) -> None:
    """The first print moves ``created`` to ``labelled``; reprints keep the first time."""
    if shipment.status is ShipmentStatus.created:
        shipment.status = ShipmentStatus.labelled
        shipment.labelled_at = now or utcnow()

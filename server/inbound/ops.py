"""Sync ops of receiving and returns (SPEC.md §7): goods that physically arrived at the dock.

Both ops are facts: the goods are here whatever the paperwork says, so surprises (more than the
purchase order allows, a lot-controlled carton without a lot number, damaged returns) never refuse
the op. The goods are booked where they physically went — the excess and the unlabelled into the
warehouse's quarantine bin — and an exception is opened for a supervisor. Only a reference that
cannot mean anything here (an unknown SKU, a bin of another warehouse, a purchase order of another
warehouse) rejects the op.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.catalog.services.lot_dates import resolve_expiry
from server.catalog.services.lot_lookup import create_lot_once, find_lot, placeholder_lot
from server.inbound.models import RECEIVING_STATUSES, PurchaseOrder, PurchaseOrderLine
from server.lib.errors import ValidationFailed
from server.syncapi.facts import fact_move, invalid_reference, location_of, post_facts
from server.tasks.service import open_exception
from server.warehouse.late_moves import late_move_corrections
from server.warehouse.ledger.models import MoveReason
from server.warehouse.models import PHYSICAL_TYPES, Location, LocationType
from server.warehouse.virtual_locations import virtual_location
from sync.registry import OpContext, OpKind, OpSpec, Outcome
from sync.wire import RaisedException

PositiveQty = Annotated[int, msgspec.Meta(gt=0, le=10_000_000)]
LotNumber = Annotated[str, msgspec.Meta(max_length=64, pattern=r"^(?!@)")]
"""``@`` starts only placeholder lots (``server/catalog/services/lot_lookup.py``)."""


class ItemReceived(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``inbound.item_received`` v1: ``qty`` of a SKU taken off a supplier's truck into a bin."""

    sku_id: int
    qty: PositiveQty
    to_location_id: int
    purchase_order_id: int | None = None
    lot_number: LotNumber | None = None
    manufactured_on: date | None = None
    expires_on: date | None = None


class ReturnReceived(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``returns.return_received`` v1: a customer's parcel opened and its goods put in a bin."""

    sku_id: int
    qty: PositiveQty
    to_location_id: int
    condition: Literal["sellable", "damaged"]
    reference: Annotated[str, msgspec.Meta(max_length=128)]
    lot_id: int | None = None


# --- references ----------------------------------------------------------------------------------


async def _sku(session: AsyncSession, sku_id: int) -> Sku:
    sku = await session.get(Sku, sku_id)
    if sku is None:
        raise invalid_reference(f"SKU {sku_id} does not exist", "SKU 不存在", field="sku_id", sku_id=sku_id)
    if sku.is_kit:
        raise invalid_reference(
            f"SKU {sku_id} is a kit and has no stock of its own", "组合装无独立库存", field="sku_id", sku_id=sku_id
        )
    return sku


async def _target(ctx: OpContext, location_id: int) -> Location:
    """A physical, active bin of the op's warehouse (frozen bins are fine: the goods are there)."""
    location = await location_of(ctx, location_id)
    if (
        location is None
        or location.warehouse_id != ctx.warehouse_id
        or location.type not in PHYSICAL_TYPES
        or not location.active
    ):
        raise invalid_reference(
            f"location {location_id} is not an active bin of warehouse {ctx.warehouse_id}",
            "库位不存在或不属于本仓库",
            field="to_location_id",
            location_id=location_id,
        )
    return location


async def _quarantine_id(session: AsyncSession, warehouse_id: int) -> int | None:
    """The warehouse's first active quarantine bin, if it has one."""
    found: int | None = await session.scalar(
        select(Location.id)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type == LocationType.quarantine,
            Location.active.is_(True),
        )
        .order_by(Location.id)
        .limit(1)
    )
    return found


# --- lots ----------------------------------------------------------------------------------------


async def _lot_for_receipt(
    session: AsyncSession, sku: Sku, payload: ItemReceived, raised: list[RaisedException]
) -> Lot:
    """Find or create the lot the carton is labelled with; a stored lot's dates win over the scan."""
    lot_number = (payload.lot_number or "").strip()
    expires_on = payload.expires_on
    try:
        expires_on = resolve_expiry(
            manufactured_on=payload.manufactured_on,
            expires_on=payload.expires_on,
            shelf_life_days=sku.shelf_life_days,
            expiry_controlled=sku.expiry_controlled,
        )
    except ValidationFailed as exc:  # a fact: keep what was scanned, and say what is wrong with it
        raised.append(
            RaisedException(
                kind="lot_dates_invalid",
                message=exc.message,
                message_zh=exc.message_zh or "批次日期有误",
                ref={"sku_id": sku.id, "lot_number": lot_number, "code": exc.code},
            )
        )
    existing = await find_lot(session, sku.id, lot_number)
    if existing is None:
        created = Lot(
            sku_id=sku.id, lot_number=lot_number, manufactured_on=payload.manufactured_on, expires_on=expires_on
        )
        existing = await create_lot_once(session, created)
        if existing is created:
            return existing
    if expires_on is not None and existing.expires_on != expires_on:
        raised.append(
            RaisedException(
                kind="lot_expiry_differs",
                message=(
                    f"lot {lot_number} of SKU {sku.id} is recorded as expiring {existing.expires_on}, "
                    f"the goods say {expires_on}; the recorded date is kept"
                ),
                message_zh=f"批次 {lot_number} 的到期日期与已登记的不同，保留已登记日期",
                ref={
                    "sku_id": sku.id,
                    "lot_id": existing.id,
                    "lot_number": lot_number,
                    "stored_expires_on": existing.expires_on.isoformat() if existing.expires_on else None,
                    "scanned_expires_on": expires_on.isoformat(),
                },
            )
        )
    return existing


# --- inbound.item_received -----------------------------------------------------------------------


async def item_received(ctx: OpContext, payload: ItemReceived) -> Outcome:
    session = ctx.session
    sku = await _sku(session, payload.sku_id)
    target = await _target(ctx, payload.to_location_id)
    order: PurchaseOrder | None = None
    if payload.purchase_order_id is not None:
        order = await session.get(PurchaseOrder, payload.purchase_order_id)
        if order is None or order.warehouse_id != ctx.warehouse_id:
            raise invalid_reference(
                f"purchase order {payload.purchase_order_id} is not an order of warehouse {ctx.warehouse_id}",
                "采购单不存在或不属于本仓库",
                field="purchase_order_id",
                purchase_order_id=payload.purchase_order_id,
            )
    supplier = await virtual_location(session, ctx.warehouse_id, LocationType.supplier)
    quarantine_id = await _quarantine_id(session, ctx.warehouse_id)
    raised: list[RaisedException] = []
    reference = order.code if order is not None else ""

    lot: Lot | None = None
    destination = target.id
    lot_missing = sku.lot_controlled and not (payload.lot_number or "").strip()
    if lot_missing:
        lot = await placeholder_lot(ctx.session, sku.id, ctx.op.op_id)
        destination = quarantine_id if quarantine_id is not None else target.id
        raised.append(
            await open_exception(
                session,
                warehouse_id=ctx.warehouse_id,
                kind="lot_missing",
                message=(
                    f"{payload.qty} of lot-controlled SKU {sku.code} received without a lot number; "
                    f"held in location {destination} under placeholder lot {lot.lot_number}"
                ),
                message_zh=f"批次管理商品 {sku.code} 收货未填批次号，已暂存待处理",
                refs={
                    "sku_id": sku.id,
                    "qty": payload.qty,
                    "lot_id": lot.id,
                    "location_id": destination,
                    "purchase_order_id": payload.purchase_order_id,
                },
                op_id=ctx.op.op_id,
            )
        )
    elif (payload.lot_number or "").strip():
        lot = await _lot_for_receipt(session, sku, payload, raised)

    over = 0
    line: PurchaseOrderLine | None = None
    if order is not None:
        line = await session.scalar(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == order.id, PurchaseOrderLine.sku_id == sku.id)
            .with_for_update()
        )
        if order.status not in RECEIVING_STATUSES:
            raised.append(
                await open_exception(
                    session,
                    warehouse_id=ctx.warehouse_id,
                    kind="po_not_open",
                    message=f"goods received against purchase order {order.code}, which is {order.status.value}",
                    message_zh=f"采购单 {order.code} 已非开启状态，仍收到货物",
                    refs={"purchase_order_id": order.id, "sku_id": sku.id, "qty": payload.qty},
                    op_id=ctx.op.op_id,
                )
            )
        if line is None:
            raised.append(
                await open_exception(
                    session,
                    warehouse_id=ctx.warehouse_id,
                    kind="not_on_po",
                    message=f"SKU {sku.code} is not on purchase order {order.code}; {payload.qty} received",
                    message_zh=f"商品 {sku.code} 不在采购单 {order.code} 上",
                    refs={
                        "purchase_order_id": order.id,
                        "sku_id": sku.id,
                        "qty": payload.qty,
                        "location_id": destination,
                    },
                    op_id=ctx.op.op_id,
                )
            )
        else:
            allowed = line.qty_ordered * (100 + order.over_receipt_tolerance_pct) // 100
            after = line.qty_received + payload.qty
            over = min(payload.qty, max(0, after - max(allowed, line.qty_received)))

    over_location = quarantine_id if quarantine_id is not None else destination
    lot_id = lot.id if lot is not None else None
    parts = (
        [(destination, payload.qty - over, ""), (over_location, over, "over")]
        if over and over_location != destination
        else [(destination, payload.qty, "")]
    )
    moves = [
        fact_move(
            ctx,
            sku_id=sku.id,
            lot_id=lot_id,
            from_location_id=supplier.id,
            to_location_id=to,
            qty=qty,
            reason=MoveReason.receipt,
            reference=reference,
            suffix=suffix,
        )
        for to, qty, suffix in parts
        if qty
    ]
    corrections, late = await late_move_corrections(ctx, moves)
    raised.extend(late)
    posted = (await post_facts(ctx, [*moves, *corrections]))[: len(moves)]
    quarantined = sum(p.qty for p in posted if quarantine_id is not None and p.to_location_id == quarantine_id)
    if target.id == quarantine_id and not lot_missing:  # the receiver chose the quarantine bin
        quarantined = over

    if line is not None and order is not None:
        if not all(p.replayed for p in posted):
            line.qty_received += payload.qty
            await session.flush()
        if over:
            allowed = line.qty_ordered * (100 + order.over_receipt_tolerance_pct) // 100
            raised.append(
                await open_exception(
                    session,
                    warehouse_id=ctx.warehouse_id,
                    kind="over_receipt",
                    message=(
                        f"{over} of SKU {sku.code} received beyond what purchase order {order.code} allows "
                        f"({line.qty_ordered} ordered, up to {allowed} with tolerance); "
                        f"held in location {over_location} pending approval"
                    ),
                    message_zh=f"商品 {sku.code} 超收 {over}，已放入隔离区待审批",
                    refs={
                        "purchase_order_id": order.id,
                        "sku_id": sku.id,
                        "lot_id": lot_id,
                        "over_qty": over,
                        "location_id": over_location,
                        "qty_ordered": line.qty_ordered,
                        "allowed": allowed,
                        "qty_received": line.qty_received,
                        "approval": "pending",
                    },
                    op_id=ctx.op.op_id,
                )
            )

    return Outcome(
        result={"move_ids": [p.move_id for p in posted], "lot_id": lot_id, "quarantined": quarantined},
        exceptions=raised,
    )


# --- returns.return_received ---------------------------------------------------------------------


async def return_received(ctx: OpContext, payload: ReturnReceived) -> Outcome:
    session = ctx.session
    sku = await _sku(session, payload.sku_id)
    target = await _target(ctx, payload.to_location_id)
    lot: Lot | None = None
    if payload.lot_id is not None:
        lot = await session.get(Lot, payload.lot_id)
        if lot is None or lot.sku_id != sku.id:
            raise invalid_reference(
                f"lot {payload.lot_id} is not a lot of SKU {sku.id}",
                "批次与 SKU 不匹配",
                field="lot_id",
                lot_id=payload.lot_id,
            )
    customer = await virtual_location(session, ctx.warehouse_id, LocationType.customer)
    quarantine_id = await _quarantine_id(session, ctx.warehouse_id)
    raised: list[RaisedException] = []

    destination = target.id
    if payload.condition == "damaged":
        if quarantine_id is not None:
            destination = quarantine_id
        else:
            raised.append(
                RaisedException(
                    kind="no_quarantine_location",
                    message=(
                        f"damaged return of SKU {sku.code} put in location {target.id}: "
                        f"warehouse {ctx.warehouse_id} has no quarantine bin"
                    ),
                    message_zh="仓库无隔离库位，残损退货已放入目标库位",
                    ref={"sku_id": sku.id, "qty": payload.qty, "location_id": target.id},
                )
            )
    if lot is None and sku.lot_controlled:
        lot = await placeholder_lot(ctx.session, sku.id, ctx.op.op_id)
        if quarantine_id is not None:
            destination = quarantine_id
        raised.append(
            await open_exception(
                session,
                warehouse_id=ctx.warehouse_id,
                kind="lot_missing",
                message=(
                    f"{payload.qty} of lot-controlled SKU {sku.code} returned without a lot; "
                    f"held in location {destination} under placeholder lot {lot.lot_number}"
                ),
                message_zh=f"批次管理商品 {sku.code} 退货未指定批次，已暂存待处理",
                refs={
                    "sku_id": sku.id,
                    "qty": payload.qty,
                    "lot_id": lot.id,
                    "location_id": destination,
                    "reference": payload.reference,
                },
                op_id=ctx.op.op_id,
            )
        )

    lot_id = lot.id if lot is not None else None
    receipt = fact_move(
        ctx,
        sku_id=sku.id,
        lot_id=lot_id,
        from_location_id=customer.id,
        to_location_id=destination,
        qty=payload.qty,
        reason=MoveReason.return_receipt,
        reference=payload.reference,
    )
    corrections, late = await late_move_corrections(ctx, [receipt])
    raised.extend(late)
    posted = (await post_facts(ctx, [receipt, *corrections]))[:1]
    quarantined = payload.qty if destination == quarantine_id else 0
    return Outcome(
        result={"move_ids": [p.move_id for p in posted], "lot_id": lot_id, "quarantined": quarantined},
        exceptions=raised,
    )


OP_SPECS: list[OpSpec] = [
    OpSpec(
        name="inbound.item_received",
        kind=OpKind.fact,
        version=1,
        payload_type=ItemReceived,
        handler=item_received,
        description="Goods received from a supplier into a bin; excess and unlabelled lots go to quarantine.",
    ),
    OpSpec(
        name="returns.return_received",
        kind=OpKind.fact,
        version=1,
        payload_type=ReturnReceived,
        handler=return_received,
        description="A customer return received into a bin; damaged goods go to quarantine.",
    ),
]

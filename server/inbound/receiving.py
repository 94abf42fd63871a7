"""Desk receiving against a purchase order (收货): the same quantity policy as the phone op.

Under-receipt is normal (the order stays partially received). Over-receipt within the order's
tolerance is accepted; the excess beyond it is booked into the warehouse's quarantine bin and an
``over_receipt`` exception asks a supervisor to approve it — the goods are physically here, so
they are never refused, only kept out of sellable stock. A SKU that is not on the order is refused
(a person at a desk can take it to the right order). Lines needing QC land in quarantine, which
the stock states count as pending inspection. Every move comes from the warehouse's @SUPPLIER
location through ``post_moves``, keyed by the receipt's idempotency key, so a retry posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.inbound.bins import default_bin, require_bin, require_default_bin
from server.inbound.keys import key_reused, request_digest
from server.inbound.models import (
    DESK_RECEIVABLE_STATUSES,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    Receipt,
    ReceiptLine,
)
from server.inbound.purchase_orders import allowed_qty, get_purchase_order, refresh_status
from server.inbound.receipt_lots import lot_for_line
from server.inbound.schemas import RaisedOut, ReceiptCreate, ReceiptLineIn, ReceiptLineOut, ReceiptOut
from server.lib.errors import Conflict, ValidationFailed
from server.tasks.models import WorkException
from server.tasks.service import open_exception
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.models import Location, LocationType
from server.warehouse.virtual_locations import virtual_location

_TARGET_TYPES = frozenset({LocationType.receiving, LocationType.quarantine})
_STATUS_ZH = {PurchaseOrderStatus.cancelled: "已取消", PurchaseOrderStatus.closed: "已关闭"}


@dataclass(slots=True)
class _Planned:
    index: int
    sku: Sku
    po_line: PurchaseOrderLine
    lot_id: int | None
    qty: int
    over: int
    allowed: int
    target: Location
    over_location: Location
    qc_required: bool


async def receive(
    session: AsyncSession, user: AuthUser, order_id: int, data: ReceiptCreate, key: str
) -> tuple[ReceiptOut, bool]:
    """Book ``data`` against the order; answers (receipt, replayed). Run inside ``run_in_transaction``."""
    order = await get_purchase_order(session, user, order_id, for_update=True)
    digest = request_digest(purchase_order_id=order_id, lines=data.lines, note=data.note)
    earlier = await session.scalar(select(Receipt).where(Receipt.idempotency_key == key))
    if earlier is not None:
        if earlier.request_digest != digest:
            raise key_reused(key)
        return await receipt_out(session, earlier, order, replayed=True), True
    if order.status not in DESK_RECEIVABLE_STATUSES:
        raise Conflict(
            f"purchase order {order.code} is {order.status.value}: it takes no more receipts",
            message_zh=f"采购单 {order.code} {_STATUS_ZH.get(order.status, order.status.value)}，不能再收货",
            field="purchase_order_id",
            code="po_not_receivable",
            detail={"status": order.status.value},
        )

    po_lines = {
        line.sku_id: line
        for line in await session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == order.id)
            .order_by(PurchaseOrderLine.id)
            .with_for_update()
        )
    }
    skus = {s.id: s for s in await session.scalars(select(Sku).where(Sku.id.in_({x.sku_id for x in data.lines})))}
    planned = [await _plan_line(session, order, po_lines, skus, line, index) for index, line in enumerate(data.lines)]

    receipt = Receipt(
        purchase_order_id=order.id,
        warehouse_id=order.warehouse_id,
        idempotency_key=key,
        request_digest=digest,
        note=data.note,
        received_by_user_id=user.id,
    )
    session.add(receipt)
    await session.flush()
    await post_moves(session, await _moves(session, user, order, planned, key), negative=NegativePolicy.refuse)

    for plan in planned:
        exception_id = await _over_receipt_exception(session, order, receipt, plan) if plan.over else None
        session.add(
            ReceiptLine(
                receipt_id=receipt.id,
                line_no=plan.index + 1,
                sku_id=plan.sku.id,
                lot_id=plan.lot_id,
                qty=plan.qty,
                qty_over=plan.over,
                to_location_id=plan.target.id,
                over_location_id=plan.over_location.id if plan.over else None,
                qc_required=plan.qc_required,
                exception_id=exception_id,
            )
        )
    refresh_status(order, list(po_lines.values()))
    await session.flush()
    return await receipt_out(session, receipt, order, replayed=False), False


async def _plan_line(
    session: AsyncSession,
    order: PurchaseOrder,
    po_lines: dict[int, PurchaseOrderLine],
    skus: dict[int, Sku],
    line: ReceiptLineIn,
    index: int,
) -> _Planned:
    """Check one line and decide where its units go; counts it into the PO line at once, so two
    lines of one SKU (two lots) share the tolerance in order."""
    where = f"lines.{index}"
    sku = skus.get(line.sku_id)
    po_line = po_lines.get(line.sku_id)
    if sku is None or po_line is None:
        name = f"SKU {sku.code}" if sku else f"SKU {line.sku_id}"
        raise ValidationFailed(
            f"line {index + 1}: {name} is not on purchase order {order.code}",
            message_zh=f"第 {index + 1} 行：{'商品 ' + sku.code if sku else 'SKU'} 不在采购单 {order.code} 上",
            field=f"{where}.sku_id",
            code="sku_not_on_po",
            detail={"line": index + 1, "sku_id": line.sku_id},
        )
    what = f"line {index + 1}"
    if line.to_location_id is not None:
        target = await require_bin(
            session,
            line.to_location_id,
            warehouse_id=order.warehouse_id,
            types=_TARGET_TYPES,
            field=f"{where}.to_location_id",
            what=what,
        )
    else:
        wanted = LocationType.quarantine if line.qc_required else LocationType.receiving
        target = await require_default_bin(session, order.warehouse_id, wanted, f"{where}.to_location_id")
    if line.qc_required and target.type is not LocationType.quarantine:
        raise ValidationFailed(
            f"{what}: goods needing QC go to a quarantine bin, not {target.type.value} bin {target.code}",
            message_zh=f"第 {index + 1} 行：需质检的货物须放入隔离区（待检）库位",
            field=f"{where}.to_location_id",
            code="qc_requires_quarantine",
        )
    lot = await lot_for_line(session, sku, line, index)

    allowed = allowed_qty(order, po_line)
    after = po_line.qty_received + line.qty
    over = min(line.qty, max(0, after - max(allowed, po_line.qty_received)))
    po_line.qty_received = after
    quarantine = await default_bin(session, order.warehouse_id, LocationType.quarantine) if over else None
    return _Planned(
        index=index,
        sku=sku,
        po_line=po_line,
        lot_id=lot.id if lot is not None else None,
        qty=line.qty,
        over=over,
        allowed=allowed,
        target=target,
        over_location=quarantine or target,
        qc_required=line.qc_required,
    )


async def _moves(
    session: AsyncSession, user: AuthUser, order: PurchaseOrder, planned: list[_Planned], key: str
) -> list[MoveRequest]:
    supplier = await virtual_location(session, order.warehouse_id, LocationType.supplier)
    moves: list[MoveRequest] = []
    for plan in planned:
        split = plan.over and plan.over_location.id != plan.target.id
        parts = [(plan.target, plan.qty - plan.over, ""), (plan.over_location, plan.over, ":over")] if split else []
        for location, qty, suffix in parts or [(plan.target, plan.qty, "")]:
            if qty:
                moves.append(
                    MoveRequest(
                        sku_id=plan.sku.id,
                        lot_id=plan.lot_id,
                        from_location_id=supplier.id,
                        to_location_id=location.id,
                        qty=qty,
                        reason=MoveReason.receipt,
                        idempotency_key=f"receipt:{key}:{plan.index}{suffix}",
                        reference=order.code,
                        actor_user_id=user.id,
                        device_id=user.device_id,
                    )
                )
    return moves


async def _over_receipt_exception(session: AsyncSession, order: PurchaseOrder, receipt: Receipt, plan: _Planned) -> int:
    raised = await open_exception(
        session,
        warehouse_id=order.warehouse_id,
        kind="over_receipt",
        message=(
            f"{plan.over} of SKU {plan.sku.code} received beyond what purchase order {order.code} allows "
            f"({plan.po_line.qty_ordered} ordered, up to {plan.allowed} with tolerance); "
            f"held in location {plan.over_location.code} pending approval"
        ),
        message_zh=f"商品 {plan.sku.code} 超收 {plan.over}，已放入隔离区待审批",
        refs={
            "purchase_order_id": order.id,
            "receipt_id": receipt.id,
            "line_no": plan.index + 1,
            "sku_id": plan.sku.id,
            "lot_id": plan.lot_id,
            "over_qty": plan.over,
            "location_id": plan.over_location.id,
            "qty_ordered": plan.po_line.qty_ordered,
            "allowed": plan.allowed,
            "qty_received": plan.po_line.qty_received,
            "approval": "pending",
        },
    )
    exception_id: int = raised.ref["exception_id"]
    return exception_id


async def receipt_out(session: AsyncSession, receipt: Receipt, order: PurchaseOrder, *, replayed: bool) -> ReceiptOut:
    lines = list(
        await session.scalars(
            select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.id).order_by(ReceiptLine.line_no)
        )
    )
    exception_ids = [line.exception_id for line in lines if line.exception_id is not None]
    exceptions = (
        list(
            await session.scalars(
                select(WorkException).where(WorkException.id.in_(exception_ids)).order_by(WorkException.id)
            )
        )
        if exception_ids
        else []
    )
    return ReceiptOut(
        id=receipt.id,
        purchase_order_id=order.id,
        purchase_order_code=order.code,
        purchase_order_status=order.status,
        idempotency_key=receipt.idempotency_key,
        replayed=replayed,
        note=receipt.note,
        received_by_user_id=receipt.received_by_user_id,
        created_at=receipt.created_at,
        lines=[
            ReceiptLineOut(
                line_no=line.line_no,
                sku_id=line.sku_id,
                lot_id=line.lot_id,
                qty=line.qty,
                qty_accepted=line.qty - line.qty_over,
                qty_over=line.qty_over,
                to_location_id=line.to_location_id,
                over_location_id=line.over_location_id,
                qc_required=line.qc_required,
                exception_id=line.exception_id,
            )
            for line in lines
        ],
        exceptions=[
            RaisedOut(exception_id=e.id, kind=e.kind, message=e.message, message_zh=e.message_zh) for e in exceptions
        ],
    )

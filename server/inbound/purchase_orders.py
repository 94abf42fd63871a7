"""Purchase orders (采购单): create with lines, find within the caller's warehouses, cancel, close.

The status follows the lines' received quantities (``refresh_status``) and never goes back: a
receipt moves open → partially_received → received; a person closes an order they expect no more
goods for, or cancels one that nothing arrived for. Received quantities include what phones
booked through ``inbound.item_received``, so "nothing received" means nothing from either path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.inbound.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus
from server.inbound.schemas import PurchaseOrderCreate
from server.inbound.suppliers import get_supplier
from server.lib.errors import Conflict, NotFound, ValidationFailed
from server.warehouse.services.warehouses import get_warehouse

_TERMINAL = frozenset({PurchaseOrderStatus.closed, PurchaseOrderStatus.cancelled})


@dataclass(frozen=True, slots=True)
class LineView:
    line: PurchaseOrderLine
    sku_code: str


def allowed_qty(order: PurchaseOrder, line: PurchaseOrderLine) -> int:
    """The same rounding as the phone op: ordered × (100 + pct) // 100 (down: tolerance is a ceiling)."""
    return line.qty_ordered * (100 + order.over_receipt_tolerance_pct) // 100


def po_not_found(order_id: int) -> NotFound:
    return NotFound(
        f"purchase order {order_id} not found",
        message_zh="采购单不存在",
        field="purchase_order_id",
        code="purchase_order_not_found",
    )


async def get_purchase_order(
    session: AsyncSession, user: AuthUser, order_id: int, *, for_update: bool = False
) -> PurchaseOrder:
    """The order if it exists and its warehouse is in scope; ``for_update`` row-locks it (PostgreSQL),
    which serialises receipts, cancels and closes of one order."""
    statement = select(PurchaseOrder).where(PurchaseOrder.id == order_id)
    order = await session.scalar(statement.with_for_update() if for_update else statement)
    if order is None:
        raise po_not_found(order_id)
    user.require_warehouse(order.warehouse_id)
    return order


async def lines_of(session: AsyncSession, order_id: int) -> list[LineView]:
    rows = await session.execute(
        select(PurchaseOrderLine, Sku.code)
        .join(Sku, Sku.id == PurchaseOrderLine.sku_id)
        .where(PurchaseOrderLine.purchase_order_id == order_id)
        .order_by(PurchaseOrderLine.id)
    )
    return [LineView(line, code) for line, code in rows]


def refresh_status(order: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> None:
    """Advance an open or partly received order to match its lines; closed and cancelled stay."""
    if order.status in _TERMINAL:
        return
    if lines and all(line.qty_received >= line.qty_ordered for line in lines):
        order.status = PurchaseOrderStatus.received
    elif any(line.qty_received > 0 for line in lines) and order.status is PurchaseOrderStatus.open:
        order.status = PurchaseOrderStatus.partially_received


async def _check_lines(session: AsyncSession, data: PurchaseOrderCreate) -> None:
    skus = {
        sku.id: sku
        for sku in await session.scalars(select(Sku).where(Sku.id.in_({line.sku_id for line in data.lines})))
    }
    seen: dict[int, int] = {}
    for index, line in enumerate(data.lines):
        field = f"lines.{index}.sku_id"
        sku = skus.get(line.sku_id)
        if sku is None:
            raise ValidationFailed(
                f"line {index + 1}: SKU {line.sku_id} does not exist",
                message_zh=f"第 {index + 1} 行：SKU 不存在",
                field=field,
                code="sku_not_found",
            )
        if sku.is_kit or not sku.active:
            raise ValidationFailed(
                f"line {index + 1}: SKU {sku.code} is {'a kit' if sku.is_kit else 'inactive'} and cannot be bought",
                message_zh=f"第 {index + 1} 行：商品 {sku.code} 为{'组合装' if sku.is_kit else '停用商品'}，不能采购",
                field=field,
                code="sku_not_purchasable",
            )
        if line.sku_id in seen:
            raise ValidationFailed(
                f"line {index + 1}: SKU {sku.code} is already on line {seen[line.sku_id] + 1}; give one line per SKU",
                message_zh=f"第 {index + 1} 行：商品 {sku.code} 与第 {seen[line.sku_id] + 1} 行重复，每个商品只写一行",
                field=field,
                code="duplicate_sku",
            )
        seen[line.sku_id] = index


async def create_purchase_order(session: AsyncSession, user: AuthUser, data: PurchaseOrderCreate) -> PurchaseOrder:
    warehouse = await get_warehouse(session, user, data.warehouse_id)
    if not warehouse.active:
        raise ValidationFailed(
            f"warehouse {warehouse.code} is inactive",
            message_zh="仓库已停用",
            field="warehouse_id",
            code="warehouse_inactive",
        )
    supplier_name = data.supplier_name
    if data.supplier_id is not None:
        supplier = await get_supplier(session, data.supplier_id)
        if not supplier.active:
            raise ValidationFailed(
                f"supplier {supplier.code} is inactive",
                message_zh="供应商已停用",
                field="supplier_id",
                code="supplier_inactive",
            )
        supplier_name = supplier_name or supplier.name[:128]
    await _check_lines(session, data)
    if await session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.code == data.code)) is not None:
        raise Conflict(
            f"purchase order code {data.code!r} is already used",
            message_zh="采购单号已存在",
            field="code",
            code="po_code_taken",
        )
    order = PurchaseOrder(
        code=data.code,
        warehouse_id=warehouse.id,
        supplier_id=data.supplier_id,
        supplier_name=supplier_name,
        over_receipt_tolerance_pct=data.over_receipt_tolerance_pct,
        currency=data.currency,
        expected_on=data.expected_on,
        created_by_user_id=user.id,
        status=PurchaseOrderStatus.open,
    )
    session.add(order)
    await session.flush()
    session.add_all(
        PurchaseOrderLine(
            purchase_order_id=order.id, sku_id=line.sku_id, qty_ordered=line.qty, unit_cost_fen=line.unit_cost_fen
        )
        for line in data.lines
    )
    await session.flush()
    return order


def purchase_order_query(
    user: AuthUser,
    *,
    status: PurchaseOrderStatus | None = None,
    warehouse_id: int | None = None,
    supplier_id: int | None = None,
    q: str | None = None,
) -> Select[PurchaseOrder]:
    """Newest first, only in the caller's warehouses."""
    statement = select(PurchaseOrder).order_by(PurchaseOrder.id.desc())
    visible = user.visible_warehouses()
    if visible is not None:
        statement = statement.where(PurchaseOrder.warehouse_id.in_(sorted(visible)))
    if status is not None:
        statement = statement.where(PurchaseOrder.status == status)
    if warehouse_id is not None:
        statement = statement.where(PurchaseOrder.warehouse_id == warehouse_id)
    if supplier_id is not None:
        statement = statement.where(PurchaseOrder.supplier_id == supplier_id)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            func.lower(PurchaseOrder.code).like(pattern) | func.lower(PurchaseOrder.supplier_name).like(pattern)
        )
    return statement


def _status_conflict(order: PurchaseOrder, action: str, action_zh: str) -> Conflict:
    return Conflict(
        f"purchase order {order.code} is {order.status.value} and cannot be {action}",
        message_zh=f"采购单 {order.code} 当前状态不能{action_zh}",
        field="status",
        code="po_status_conflict",
        detail={"status": order.status.value},
    )


async def cancel_purchase_order(session: AsyncSession, user: AuthUser, order_id: int) -> PurchaseOrder:
    """Only while nothing has arrived: received goods are in the ledger and need the order as their
    reference, so such an order is closed instead. Cancelling twice answers the cancelled order."""
    order = await get_purchase_order(session, user, order_id, for_update=True)
    if order.status is PurchaseOrderStatus.cancelled:
        return order
    if order.status is PurchaseOrderStatus.closed:
        raise _status_conflict(order, "cancelled", "取消")
    received = await session.scalar(
        select(func.coalesce(func.sum(PurchaseOrderLine.qty_received), 0)).where(
            PurchaseOrderLine.purchase_order_id == order.id
        )
    )
    if received:
        raise Conflict(
            f"purchase order {order.code} has {received} units received; close it instead of cancelling",
            message_zh=f"采购单 {order.code} 已收货 {received} 件，不能取消，请关闭采购单",
            field="status",
            code="po_has_receipts",
            detail={"qty_received": int(received)},
        )
    order.status = PurchaseOrderStatus.cancelled
    await session.flush()
    return order


async def close_purchase_order(session: AsyncSession, user: AuthUser, order_id: int) -> PurchaseOrder:
    """No more goods expected (short-closed or complete); closing twice answers the closed order."""
    order = await get_purchase_order(session, user, order_id, for_update=True)
    if order.status is PurchaseOrderStatus.closed:
        return order
    if order.status is PurchaseOrderStatus.cancelled:
        raise _status_conflict(order, "closed", "关闭")
    order.status = PurchaseOrderStatus.closed
    await session.flush()
    return order

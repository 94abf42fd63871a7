"""HTTP face of purchasing and receiving: suppliers and purchase orders (with their receipts) here,
QC and put-away in ``receiving_controller.py``; ``CONTROLLERS`` lists every route class of the domain.

Receipts run in their own retried transaction (``run_in_transaction``: a race on one idempotency
key is retried whole and answered from the winner's receipt), which is why that handler takes
``session_factory`` and not ``db_session``.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, patch, post
from litestar.params import Dependency, HeaderParameter, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.transaction import run_in_transaction
from server.inbound import purchase_orders, receiving, suppliers
from server.inbound.keys import request_key
from server.inbound.models import PurchaseOrder, PurchaseOrderStatus, Receipt, Supplier
from server.inbound.receiving_controller import PutawayController, QcController
from server.inbound.schemas import (
    PurchaseOrderCreate,
    PurchaseOrderDetailOut,
    PurchaseOrderLineOut,
    PurchaseOrderOut,
    ReceiptCreate,
    ReceiptOut,
    SupplierCreate,
    SupplierOut,
    SupplierUpdate,
)
from server.lib.pagination import Page, PageParams, paginate

Read = [requires(Permission.warehouse_read)]
Write = [requires(Permission.warehouse_write)]
Receive = [requires(Permission.stock_move)]
"""Receivers book goods (as they do from the phone); buying and closing orders is a supervisor's."""
KeyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", description="retry key when the body carries none")
]


def supplier_out(s: Supplier) -> SupplierOut:
    return SupplierOut(
        id=s.id,
        code=s.code,
        name=s.name,
        contact=s.contact,
        phone=s.phone,
        active=s.active,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def _order_fields(o: PurchaseOrder) -> dict[str, Any]:
    return {
        "id": o.id,
        "code": o.code,
        "warehouse_id": o.warehouse_id,
        "supplier_id": o.supplier_id,
        "supplier_name": o.supplier_name,
        "status": PurchaseOrderStatus(o.status),
        "over_receipt_tolerance_pct": o.over_receipt_tolerance_pct,
        "currency": o.currency,
        "expected_on": o.expected_on,
        "created_by_user_id": o.created_by_user_id,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
    }


def order_out(o: PurchaseOrder) -> PurchaseOrderOut:
    return PurchaseOrderOut(**_order_fields(o))


async def order_detail(session: AsyncSession, o: PurchaseOrder) -> PurchaseOrderDetailOut:
    lines = [
        PurchaseOrderLineOut(
            id=v.line.id,
            sku_id=v.line.sku_id,
            sku_code=v.sku_code,
            qty_ordered=v.line.qty_ordered,
            qty_received=v.line.qty_received,
            qty_outstanding=max(0, v.line.qty_ordered - v.line.qty_received),
            qty_allowed=purchase_orders.allowed_qty(o, v.line),
            unit_cost_fen=v.line.unit_cost_fen,
            line_total_fen=v.line.qty_ordered * v.line.unit_cost_fen,
        )
        for v in await purchase_orders.lines_of(session, o.id)
    ]
    return PurchaseOrderDetailOut(
        **_order_fields(o),
        lines=lines,
        total_fen=sum(line.line_total_fen for line in lines),
        qty_ordered=sum(line.qty_ordered for line in lines),
        qty_received=sum(line.qty_received for line in lines),
    )


class SupplierController(Controller):
    path = "/api/suppliers"
    tags = ["inbound"]  # noqa: RUF012

    @post("/", operation_id="CreateSupplier", guards=Write)
    async def create_supplier(self, db_session: AsyncSession, data: SupplierCreate) -> SupplierOut:
        return supplier_out(await suppliers.create_supplier(db_session, data))

    @get("/", operation_id="ListSuppliers", guards=Read)
    async def list_suppliers(
        self,
        db_session: AsyncSession,
        page: PageParams,
        q: Annotated[str | None, Parameter(description="code or name contains")] = None,
        active: bool | None = None,
    ) -> Page[SupplierOut]:
        return await paginate(db_session, suppliers.supplier_query(q=q, active=active), page, supplier_out)

    @get("/{supplier_id:int}", operation_id="GetSupplier", guards=Read)
    async def get_supplier(self, db_session: AsyncSession, supplier_id: int) -> SupplierOut:
        return supplier_out(await suppliers.get_supplier(db_session, supplier_id))

    @patch("/{supplier_id:int}", operation_id="UpdateSupplier", guards=Write)
    async def update_supplier(self, db_session: AsyncSession, supplier_id: int, data: SupplierUpdate) -> SupplierOut:
        """Rename, change the contact, or deactivate (new orders then refuse it; old ones keep it)."""
        return supplier_out(await suppliers.update_supplier(db_session, supplier_id, data))


class PurchaseOrderController(Controller):
    path = "/api/purchase-orders"
    tags = ["inbound"]  # noqa: RUF012

    @post("/", operation_id="CreatePurchaseOrder", guards=Write)
    async def create_purchase_order(
        self, db_session: AsyncSession, current_user: AuthUser, data: PurchaseOrderCreate
    ) -> PurchaseOrderDetailOut:
        """An order to a supplier for one warehouse, one line per SKU, unit costs in 分."""
        order = await purchase_orders.create_purchase_order(db_session, current_user, data)
        return await order_detail(db_session, order)

    @get("/", operation_id="ListPurchaseOrders", guards=Read)
    async def list_purchase_orders(
        self,
        db_session: AsyncSession,
        current_user: AuthUser,
        page: PageParams,
        status: PurchaseOrderStatus | None = None,
        warehouse_id: int | None = None,
        supplier_id: int | None = None,
        q: Annotated[str | None, Parameter(description="code or supplier name contains")] = None,
    ) -> Page[PurchaseOrderOut]:
        """Newest first, only in the caller's warehouses."""
        statement = purchase_orders.purchase_order_query(
            current_user, status=status, warehouse_id=warehouse_id, supplier_id=supplier_id, q=q
        )
        return await paginate(db_session, statement, page, order_out)

    @get("/{order_id:int}", operation_id="GetPurchaseOrder", guards=Read)
    async def get_purchase_order(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int
    ) -> PurchaseOrderDetailOut:
        """The order with its lines: ordered, received (desk and phone), outstanding, allowed with tolerance."""
        order = await purchase_orders.get_purchase_order(db_session, current_user, order_id)
        return await order_detail(db_session, order)

    @post("/{order_id:int}/cancel", operation_id="CancelPurchaseOrder", guards=Write, status_code=HTTP_200_OK)
    async def cancel_purchase_order(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int
    ) -> PurchaseOrderDetailOut:
        """Only while nothing has been received (409 ``po_has_receipts``: close it instead)."""
        order = await purchase_orders.cancel_purchase_order(db_session, current_user, order_id)
        return await order_detail(db_session, order)

    @post("/{order_id:int}/close", operation_id="ClosePurchaseOrder", guards=Write, status_code=HTTP_200_OK)
    async def close_purchase_order(
        self, db_session: AsyncSession, current_user: AuthUser, order_id: int
    ) -> PurchaseOrderDetailOut:
        """No more goods expected; the desk then refuses receipts (phones still book them, with an exception)."""
        order = await purchase_orders.close_purchase_order(db_session, current_user, order_id)
        return await order_detail(db_session, order)

    @post("/{order_id:int}/receipts", operation_id="ReceivePurchaseOrder", guards=Receive)
    async def receive(
        self,
        order_id: int,
        data: ReceiptCreate,
        current_user: AuthUser,
        session_factory: Annotated[async_sessionmaker[AsyncSession], Dependency(skip_validation=True)],
        idempotency_key: KeyHeader = None,
    ) -> Response[ReceiptOut]:
        """Book goods against the order. Excess beyond the tolerance goes to quarantine with an
        ``over_receipt`` exception; a SKU not on the order is refused (422 ``sku_not_on_po``).
        201 when booked, 200 when this repeats an earlier request with the same key."""
        key = request_key(data.idempotency_key, idempotency_key)
        out, replayed = await run_in_transaction(
            session_factory, lambda s: receiving.receive(s, current_user, order_id, data, key)
        )
        return Response(out, status_code=HTTP_200_OK if replayed else HTTP_201_CREATED)

    @get("/{order_id:int}/receipts", operation_id="ListPurchaseOrderReceipts", guards=Read)
    async def list_receipts(self, db_session: AsyncSession, current_user: AuthUser, order_id: int) -> list[ReceiptOut]:
        """Desk receipts of the order, oldest first (phone receipts are in the ledger under the order code)."""
        order = await purchase_orders.get_purchase_order(db_session, current_user, order_id)
        rows = await db_session.scalars(
            select(Receipt).where(Receipt.purchase_order_id == order.id).order_by(Receipt.id)
        )
        return [await receiving.receipt_out(db_session, r, order, replayed=False) for r in rows.all()]


CONTROLLERS: list[type] = [SupplierController, PurchaseOrderController, QcController, PutawayController]

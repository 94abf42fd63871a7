"""HTTP face of scan resolution: ``POST /api/scan/resolve`` (the rules are in ``resolve.py``).

Any warehouse role may call it (``warehouse.read``). The answer only ever shows rows of warehouses in
the caller's scope; naming a warehouse outside it is 403.
"""

from __future__ import annotations

from litestar import Controller, post
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.guards import requires
from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.scanning.resolve import resolve_scan
from server.scanning.resolve_schemas import Resolution, ScanResolveIn


class ScanResolveController(Controller):
    path = "/api/scan/resolve"
    tags = ["scanning"]  # noqa: RUF012

    @post("/", operation_id="ResolveScan", guards=[requires(Permission.warehouse_read)], status_code=200)
    async def resolve(self, db_session: AsyncSession, current_user: AuthUser, data: ScanResolveIn) -> Resolution:
        """What a scanned string is: a SKU (with pack quantity, and for GS1 the lot), a bin, a lot, a
        tote, an order, a waybill or a purchase order; ``ambiguous`` with every candidate; or
        ``unknown`` with the reason and suggestions. ``warehouse_id`` scopes bins, orders, waybills and
        purchase orders to the warehouse the phone works in."""
        if data.warehouse_id is not None:
            current_user.require_warehouse(data.warehouse_id)
        return await resolve_scan(
            db_session, data.text, warehouse_id=data.warehouse_id, visible=current_user.visible_warehouses()
        )


CONTROLLERS: list[type] = [ScanResolveController]

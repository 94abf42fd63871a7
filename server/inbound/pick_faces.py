"""Fixed bins per SKU (固定拣货位): the bin put-away fills first and pickers find the SKU in.

One pick face per SKU and warehouse, and one SKU per pick face: two SKUs sharing a face would
make every put-away suggestion for one of them fill the other's bin.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Sku
from server.inbound.models import SkuBinAssignment
from server.inbound.schemas import SkuBinAssignmentIn
from server.lib.errors import Conflict, NotFound, ValidationFailed
from server.warehouse.models import Location, LocationType
from server.warehouse.services.locations import get_location

FACE_TYPES = frozenset({LocationType.pick, LocationType.storage})


async def assign(session: AsyncSession, user: AuthUser, data: SkuBinAssignmentIn) -> SkuBinAssignment:
    location: Location = await get_location(session, user, data.location_id)
    if location.type not in FACE_TYPES or not location.active:
        raise ValidationFailed(
            f"location {location.code} is not an active pick or storage bin",
            message_zh="固定拣货位须为启用的拣货区或存储区库位",
            field="location_id",
            code="wrong_location_type",
        )
    if await session.get(Sku, data.sku_id) is None:
        raise ValidationFailed(
            f"SKU {data.sku_id} does not exist", message_zh="SKU 不存在", field="sku_id", code="sku_not_found"
        )
    taken = await session.scalar(
        select(SkuBinAssignment).where(
            SkuBinAssignment.sku_id == data.sku_id,
            SkuBinAssignment.warehouse_id == location.warehouse_id,
            SkuBinAssignment.kind == data.kind,
        )
    )
    if taken is not None:
        raise Conflict(
            f"SKU {data.sku_id} already has a {data.kind.value} in this warehouse (location {taken.location_id})",
            message_zh="该商品在本仓库已有固定拣货位，请先解除",
            field="sku_id",
            code="pick_face_taken",
            detail={"assignment_id": taken.id, "location_id": taken.location_id},
        )
    other = await session.scalar(select(SkuBinAssignment).where(SkuBinAssignment.location_id == location.id))
    if other is not None:
        raise Conflict(
            f"location {location.code} is already the pick face of SKU {other.sku_id}",
            message_zh="该库位已是其他商品的固定拣货位",
            field="location_id",
            code="bin_already_assigned",
            detail={"assignment_id": other.id, "sku_id": other.sku_id},
        )
    row = SkuBinAssignment(
        sku_id=data.sku_id, warehouse_id=location.warehouse_id, location_id=location.id, kind=data.kind
    )
    session.add(row)
    await session.flush()
    return row


async def unassign(session: AsyncSession, user: AuthUser, assignment_id: int) -> None:
    row = await session.get(SkuBinAssignment, assignment_id)
    if row is None:
        raise NotFound(
            f"bin assignment {assignment_id} not found",
            message_zh="固定库位设置不存在",
            field="assignment_id",
            code="assignment_not_found",
        )
    user.require_warehouse(row.warehouse_id)
    await session.delete(row)
    await session.flush()


def assignment_query(
    user: AuthUser, *, warehouse_id: int | None = None, sku_id: int | None = None
) -> Select[SkuBinAssignment]:
    statement = select(SkuBinAssignment).order_by(SkuBinAssignment.id)
    visible = user.visible_warehouses()
    if visible is not None:
        statement = statement.where(SkuBinAssignment.warehouse_id.in_(sorted(visible)))
    if warehouse_id is not None:
        statement = statement.where(SkuBinAssignment.warehouse_id == warehouse_id)
    if sku_id is not None:
        statement = statement.where(SkuBinAssignment.sku_id == sku_id)
    return statement

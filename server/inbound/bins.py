"""Which bins inbound work may use: a warehouse's default receiving or quarantine bin, and checks
that a bin named in a request is an active bin of the right warehouse and type."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.lib.errors import ValidationFailed
from server.warehouse.ledger.errors import LocationFrozen
from server.warehouse.models import Location, LocationType

_TYPE_ZH = {
    LocationType.receiving: "收货区",
    LocationType.quarantine: "隔离区（待检）",
    LocationType.storage: "存储区",
    LocationType.pick: "拣货区",
    LocationType.returns: "退货区",
}


async def default_bin(session: AsyncSession, warehouse_id: int, location_type: LocationType) -> Location | None:
    """The warehouse's first usable bin of the type in walking order (frozen bins are skipped: the
    ledger would refuse them, and a person picking a default wants one that works)."""
    found: Location | None = await session.scalar(
        select(Location)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type == location_type,
            Location.active.is_(True),
            Location.frozen.is_(False),
        )
        .order_by(Location.walking_sequence, Location.id)
        .limit(1)
    )
    return found


async def require_default_bin(
    session: AsyncSession, warehouse_id: int, location_type: LocationType, field: str
) -> Location:
    found = await default_bin(session, warehouse_id, location_type)
    if found is None:
        zh = _TYPE_ZH.get(location_type, location_type.value)
        raise ValidationFailed(
            f"warehouse {warehouse_id} has no usable {location_type.value} bin; name one in {field}",
            message_zh=f"仓库没有可用的{zh}库位，请指定库位",
            field=field,
            code=f"no_{location_type.value}_bin",
        )
    return found


async def require_bin(
    session: AsyncSession,
    location_id: int,
    *,
    warehouse_id: int,
    types: Collection[LocationType],
    field: str,
    what: str,
) -> Location:
    """``location_id`` if it is an active, unfrozen location of ``warehouse_id`` of one of ``types``."""
    location = await session.get(Location, location_id)
    if location is None or location.warehouse_id != warehouse_id or not location.active:
        raise ValidationFailed(
            f"{what}: location {location_id} is not an active location of warehouse {warehouse_id}",
            message_zh="库位不存在、已停用或不属于本仓库",
            field=field,
            code="invalid_location",
        )
    if location.type not in types:
        allowed = ", ".join(sorted(t.value for t in types))
        allowed_zh = "、".join(_TYPE_ZH.get(t, t.value) for t in sorted(types))
        raise ValidationFailed(
            f"{what}: location {location.code} is a {location.type.value} location; use one of: {allowed}",
            message_zh=f"库位 {location.code} 类型不符，应为：{allowed_zh}",
            field=field,
            code="wrong_location_type",
            detail={"location_type": location.type.value, "allowed": sorted(t.value for t in types)},
        )
    if location.frozen:
        raise LocationFrozen(f"{what}: location {location.code} is frozen", message_zh="库位已冻结", field=field)
    return location

"""Write the demo warehouses: the site rows, their virtual locations, zones and bins."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.demo.layout_spec import ZONES, WarehouseSpec
from server.warehouse.models import Location, Warehouse, Zone
from server.warehouse.virtual_locations import ensure_virtual_locations


async def write_layout(session: AsyncSession, warehouses: tuple[WarehouseSpec, ...]) -> int:
    """Create the warehouses not there yet (a resumed load skips the rest); answer the bins created.

    Bins go in with one multi-row insert per warehouse: three thousand ORM objects would cost
    seconds of bookkeeping for rows nobody reads back here.
    """
    existing = set(
        await session.scalars(select(Warehouse.code).where(Warehouse.code.in_([w.code for w in warehouses])))
    )
    created = 0
    for spec in warehouses:
        if spec.code in existing:
            continue
        warehouse = Warehouse(
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            address=spec.address,
            province=spec.province,
            city=spec.city,
            region=spec.region,
            timezone=spec.timezone,
            latitude=spec.latitude,
            longitude=spec.longitude,
        )
        session.add(warehouse)
        await session.flush()
        await ensure_virtual_locations(session, warehouse)
        zones = [Zone(warehouse_id=warehouse.id, code=code, name_zh=zh, name_en=en) for code, zh, en in ZONES]
        session.add_all(zones)
        await session.flush()
        zone_ids = {zone.code: zone.id for zone in zones}
        rows = [
            {
                "warehouse_id": warehouse.id,
                "zone_id": zone_ids[b.zone],
                "code": b.code,
                "barcode": f"{spec.code}-{b.code}",
                "type": b.type,
                "walking_sequence": b.walking_sequence,
                "capacity_units": b.capacity_units,
                "frozen": False,
                "active": True,
            }
            for b in spec.bins()
        ]
        await session.execute(insert(Location), rows)
        created += len(rows)
    return created

"""Stock levels in the sync change feed: the ledger writes levels with SQL, so it records them itself."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.warehouse.ledger.models import NO_LOT
from sync import feed

LEVEL_ENTITY = "level"


def level_key(location_id: int, sku_id: int, lot_key: int) -> str:
    return f"{location_id}:{sku_id}:{lot_key}"


def level_data(location_id: int, sku_id: int, lot_key: int, on_hand: int, reserved: int) -> dict[str, int | None]:
    return {
        "location_id": location_id,
        "sku_id": sku_id,
        "lot_id": None if lot_key == NO_LOT else lot_key,
        "on_hand": on_hand,
        "reserved": reserved,
    }


def record_level(
    session: AsyncSession, warehouse_id: int, location_id: int, sku_id: int, lot_key: int, on_hand: int, reserved: int
) -> None:
    """A level's new state for the devices of its warehouse; an emptied level is deleted from them."""
    key = level_key(location_id, sku_id, lot_key)
    data = None if on_hand == 0 and reserved == 0 else level_data(location_id, sku_id, lot_key, on_hand, reserved)
    feed.record(session, warehouse_id, LEVEL_ENTITY, key, data)

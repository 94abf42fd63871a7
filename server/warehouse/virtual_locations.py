"""Every warehouse owns one location of each virtual type, so every stock change is a move.

Codes are fixed (``@SUPPLIER``, ``@CUSTOMER``, ``@LOSS``, ``@TRANSIT``); the ``@`` cannot appear
in a bin code, so a virtual location can never be confused with, or scanned as, a real bin.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.warehouse.models import VIRTUAL_TYPES, Location, LocationType, Warehouse

VIRTUAL_PREFIX = "@"


def virtual_code(location_type: LocationType) -> str:
    return f"{VIRTUAL_PREFIX}{location_type.value.upper()}"


async def ensure_virtual_locations(session: AsyncSession, warehouse: Warehouse) -> dict[LocationType, Location]:
    """Create the missing virtual locations of ``warehouse`` (idempotent) and return all four."""
    existing = {
        loc.type: loc
        for loc in await session.scalars(
            select(Location).where(Location.warehouse_id == warehouse.id, Location.type.in_(list(VIRTUAL_TYPES)))
        )
    }
    for location_type in sorted(VIRTUAL_TYPES):
        if location_type not in existing:
            location = Location(
                warehouse_id=warehouse.id,
                code=virtual_code(location_type),
                barcode=f"{VIRTUAL_PREFIX}{warehouse.code}{virtual_code(location_type)}",
                type=location_type,
                walking_sequence=0,
            )
            session.add(location)
            existing[location_type] = location
    await session.flush()
    return existing


_FOUND = "warehouse.virtual_locations"


async def virtual_location(session: AsyncSession, warehouse_id: int, location_type: LocationType) -> Location:
    """The warehouse's virtual location of ``location_type`` (raises if the warehouse has none).

    Kept for the session: a push of a hundred counts and picks asked for ``@LOSS`` a hundred times,
    and these rows never change once made."""
    found: dict[tuple[int, LocationType], Location] = session.info.setdefault(_FOUND, {})
    location = found.get((warehouse_id, location_type))
    if location is None:
        location = await session.scalar(
            select(Location).where(Location.warehouse_id == warehouse_id, Location.type == location_type)
        )
    if location is None:
        msg = f"warehouse {warehouse_id} has no {location_type} location"
        raise LookupError(msg)
    found[(warehouse_id, location_type)] = location
    return location

"""Finding or creating a lot by number from a scan, and the placeholder-lot convention.

Shared by every flow that meets goods before their paperwork (receiving, returns): the scan names
the lot, so the lot may not exist yet, and two phones may create it at once. A lot-controlled SKU
that arrives *without* a number gets a placeholder lot of its own, named ``@NOLOT-<digest of the
source>``; ``@`` cannot start a number a person types (``LotNumber`` in the catalog schemas refuses
it), so a placeholder is always recognisable and never collides with a real lot.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot

PLACEHOLDER_PREFIX = "@NOLOT-"


def placeholder_lot_number(source: str) -> str:
    """The placeholder number for goods recorded by ``source`` (an op id): one lot per source, so
    unlabelled deliveries stay apart until a supervisor finds their real lot."""
    return PLACEHOLDER_PREFIX + hashlib.sha256(source.encode()).hexdigest()[:16]


def is_placeholder_lot(lot_number: str) -> bool:
    return lot_number.startswith(PLACEHOLDER_PREFIX)


async def find_lot(session: AsyncSession, sku_id: int, lot_number: str) -> Lot | None:
    found: Lot | None = await session.scalar(select(Lot).where(Lot.sku_id == sku_id, Lot.lot_number == lot_number))
    return found


async def create_lot_once(session: AsyncSession, lot: Lot) -> Lot:
    """Insert ``lot``; if a concurrent transaction created the same (SKU, number) first, answer that one."""
    try:
        async with session.begin_nested():
            session.add(lot)
            await session.flush()
    except IntegrityError:
        winner = await find_lot(session, lot.sku_id, lot.lot_number)
        if winner is None:
            raise
        return winner
    return lot


async def placeholder_lot(session: AsyncSession, sku_id: int, source: str) -> Lot:
    """The placeholder lot of ``source`` for ``sku_id``, created on first use."""
    number = placeholder_lot_number(source)
    existing = await find_lot(session, sku_id, number)
    return existing or await create_lot_once(session, Lot(sku_id=sku_id, lot_number=number))

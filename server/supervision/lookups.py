"""The codes a person reads (bin A-01-03, SKU TEA-250, wave W-12) for the ids items carry: one
query per table for a whole page, never one per item."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Device, User
from server.catalog.models import Lot, Sku
from server.supervision.schemas import Item, Refs
from server.tasks.models import Task, TaskLine
from server.warehouse.models import Location


def _ids(values: Iterable[object]) -> list[int]:
    return sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)})


async def _pairs(session: AsyncSession, statement: Select[Any, Any]) -> dict[Any, Any]:
    return {key: value for key, value in await session.execute(statement)}


@dataclass
class Codes:
    locations: dict[int, str] = field(default_factory=dict)
    skus: dict[int, str] = field(default_factory=dict)
    lots: dict[int, str] = field(default_factory=dict)
    line_tasks: dict[int, int] = field(default_factory=dict)
    """Task line → its task."""
    references: dict[int, str] = field(default_factory=dict)
    """Task → its reference (wave code, order number…)."""

    def refs(
        self,
        *,
        location_id: int | None = None,
        sku_id: int | None = None,
        lot_id: int | None = None,
        task_id: int | None = None,
        task_line_id: int | None = None,
    ) -> Refs:
        task = task_id if task_id is not None else self.line_tasks.get(task_line_id or 0)
        return Refs(
            task_id=task,
            location_id=location_id,
            location_code=self.locations.get(location_id or 0),
            sku_id=sku_id,
            sku_code=self.skus.get(sku_id or 0),
            lot_number=self.lots.get(lot_id or 0),
            reference=self.references.get(task or 0) or None,
        )


async def load_codes(
    session: AsyncSession,
    *,
    location_ids: Iterable[object] = (),
    sku_ids: Iterable[object] = (),
    lot_ids: Iterable[object] = (),
    task_ids: Iterable[object] = (),
    task_line_ids: Iterable[object] = (),
) -> Codes:
    codes = Codes()
    if ids := _ids(location_ids):
        codes.locations = await _pairs(session, select(Location.id, Location.code).where(Location.id.in_(ids)))
    if ids := _ids(sku_ids):
        codes.skus = await _pairs(session, select(Sku.id, Sku.code).where(Sku.id.in_(ids)))
    if ids := _ids(lot_ids):
        codes.lots = await _pairs(session, select(Lot.id, Lot.lot_number).where(Lot.id.in_(ids)))
    if ids := _ids(task_line_ids):
        codes.line_tasks = await _pairs(session, select(TaskLine.id, TaskLine.task_id).where(TaskLine.id.in_(ids)))
    if ids := _ids([*task_ids, *codes.line_tasks.values()]):
        codes.references = await _pairs(session, select(Task.id, Task.reference).where(Task.id.in_(ids)))
    return codes


async def fill_names(session: AsyncSession, items: Sequence[Item]) -> None:
    """Who and which phone, for a page of items."""
    if user_ids := _ids(item.user_id for item in items):
        names = await _pairs(session, select(User.id, User.username).where(User.id.in_(user_ids)))
        for item in items:
            if item.user_id is not None:
                item.username = names.get(item.user_id)
    if device_ids := sorted({item.device_id for item in items if item.device_id}):
        devices = await _pairs(session, select(Device.id, Device.name).where(Device.id.in_(device_ids)))
        for item in items:
            if item.device_id:
                item.device_name = devices.get(item.device_id)

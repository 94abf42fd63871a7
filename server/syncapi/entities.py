"""What a device keeps locally (SPEC.md §6.3): the synced entities, their scope and their fields.

One ``Entity`` per table serves both paths, so a row looks the same whether it arrives in a
snapshot or as a change: ``track`` records ORM writes into the feed, ``source`` pages the table for
snapshots. The catalog is global; bins, levels and tasks belong to one warehouse. Costs and other
finance fields are never sent to devices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, object_session
from sqlalchemy.orm.util import identity_key

from server.catalog.models import Barcode, Lot, Sku
from server.tasks.feed import TASK_ENTITY, TASK_FIELDS, TASK_LINE_ENTITY, TASK_LINE_FIELDS
from server.tasks.models import Task, TaskLine, TaskStatus
from server.warehouse.ledger.feed import LEVEL_ENTITY, level_data, level_key
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location
from sync import feed
from sync.feed import GLOBAL_SCOPE, TrackedChange
from sync.pull import SnapshotSource

OPEN_TASK_STATUSES = (TaskStatus.open, TaskStatus.claimed)


@dataclass(frozen=True)
class Entity:
    name: str
    model: type[Any]
    fields: tuple[str, ...]
    warehouse_column: str | None = None
    """``None``: global (the catalog); otherwise the column naming the row's warehouse."""
    live: Callable[[Any], bool] = lambda _obj: True
    """Rows that fail this are deleted from devices (a finished task)."""
    live_filter: Callable[[], ColumnElement[bool] | None] = lambda: None
    followers: Callable[[Any], list[TrackedChange]] = lambda _obj: []
    """Rows whose visibility follows this one's (a task's lines when it closes)."""

    def data(self, obj: Any) -> dict[str, Any]:
        return {name: _plain(getattr(obj, name)) for name in self.fields}

    def change(self, obj: Any) -> TrackedChange | list[TrackedChange]:
        scope = GLOBAL_SCOPE if self.warehouse_column is None else getattr(obj, self.warehouse_column)
        own = TrackedChange(scope, self.name, str(obj.id), self.data(obj) if self.live(obj) else None)
        followers = self.followers(obj)
        return [own, *followers] if followers else own

    def source(self) -> SnapshotSource:
        columns = [getattr(self.model, name) for name in ("id", *self.fields)]
        id_column: InstrumentedAttribute[int] = self.model.id

        async def fetch(
            session: AsyncSession, warehouse_id: int, after: int, limit: int
        ) -> list[tuple[int, str, dict[str, Any]]]:
            query: Select[Any] = select(*columns).where(id_column > after).order_by(id_column).limit(limit)
            if self.warehouse_column is not None:
                query = query.where(getattr(self.model, self.warehouse_column) == warehouse_id)
            extra = self.live_filter()
            if extra is not None:
                query = query.where(extra)
            rows = (await session.execute(query)).all()
            return [
                (row[0], str(row[0]), {n: _plain(v) for n, v in zip(self.fields, row[1:], strict=True)}) for row in rows
            ]

        return SnapshotSource(self.name, "global" if self.warehouse_column is None else "warehouse", fetch)


def _task_is_open(line: TaskLine) -> bool:
    """A line is on devices only while its task is: read the task from the session's identity map
    (the handler that changed the line loaded it), or from the database inside this flush."""
    session = object_session(line)
    if session is None:
        return True
    task = session.identity_map.get(identity_key(Task, line.task_id))
    status = (
        task.status if isinstance(task, Task) else session.scalar(select(Task.status).where(Task.id == line.task_id))
    )
    return status in OPEN_TASK_STATUSES


def _lines_of_closed_task(task: Task) -> list[TrackedChange]:
    """A task that closed takes its lines off devices with it (SPEC.md §6.3)."""
    session = object_session(task)
    if task.status in OPEN_TASK_STATUSES or session is None:
        return []
    line_ids = session.scalars(select(TaskLine.id).where(TaskLine.task_id == task.id)).all()
    return [TrackedChange(task.warehouse_id, TASK_LINE_ENTITY, str(line_id), None) for line_id in line_ids]


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text (enums are ``StrEnum``, already text)."""
    return value.isoformat() if isinstance(value, datetime | date) else value


ENTITIES = (
    Entity(
        "sku", Sku, ("code", "name_zh", "name_en", "unit", "lot_controlled", "expiry_controlled", "is_kit", "active")
    ),
    Entity("barcode", Barcode, ("code", "sku_id", "pack_qty", "kind")),
    Entity("lot", Lot, ("sku_id", "lot_number", "manufactured_on", "expires_on")),
    Entity(
        "location",
        Location,
        ("code", "barcode", "type", "zone_id", "walking_sequence", "frozen", "active"),
        warehouse_column="warehouse_id",
    ),
    Entity(
        TASK_ENTITY,
        Task,
        TASK_FIELDS,
        warehouse_column="warehouse_id",
        live=lambda task: task.status in OPEN_TASK_STATUSES,
        live_filter=lambda: Task.status.in_(OPEN_TASK_STATUSES),
        followers=_lines_of_closed_task,
    ),
    Entity(
        TASK_LINE_ENTITY,
        TaskLine,
        TASK_LINE_FIELDS,
        warehouse_column="warehouse_id",
        live=_task_is_open,
        live_filter=lambda: TaskLine.task_id.in_(select(Task.id).where(Task.status.in_(OPEN_TASK_STATUSES))),
    ),
)


async def _fetch_levels(
    session: AsyncSession, warehouse_id: int, after: int, limit: int
) -> list[tuple[int, str, dict[str, Any]]]:
    t = StockLevel
    rows = (
        await session.execute(
            select(t.id, t.location_id, t.sku_id, t.lot_key, t.on_hand, t.reserved)
            .join(Location, Location.id == t.location_id)
            .where(
                Location.warehouse_id == warehouse_id,
                t.id > after,
                or_(t.on_hand != 0, t.reserved != 0),
            )
            .order_by(t.id)
            .limit(limit)
        )
    ).all()
    return [(row[0], level_key(row[1], row[2], row[3]), level_data(*row[1:])) for row in rows]


def snapshot_sources() -> list[SnapshotSource]:
    """In the order devices receive them: catalog first (tasks refer to SKUs and bins)."""
    return [
        *(e.source() for e in ENTITIES[:4]),
        SnapshotSource(LEVEL_ENTITY, "warehouse", _fetch_levels),
        *(e.source() for e in ENTITIES[4:]),
    ]


def install_tracking() -> None:
    """Called once at start by ``server.syncapi.install``, never on import."""
    for entity in ENTITIES:
        feed.track(entity.model, entity.change)

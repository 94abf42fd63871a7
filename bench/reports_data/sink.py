"""Rows buffered per table and written in big chunks with ``server.db.bulk.insert_rows``.

The generator is plain synchronous Python that calls ``add``; between days it awaits ``drain``, which
hands every table's buffer to a writer task and lets the generator go on (it runs in a worker thread
meanwhile, see ``generate``): the database inserts one batch while the next is made. A batch is
written parents before children (the order of ``TABLES``) and after the batch before it, so foreign
keys hold on both backends at every statement. Ids are handed out here (the tables start empty), so
children can name their parents before either is written; PostgreSQL's sequences are moved past
them at the end (``finish``). Rows name every column that has no server default, as ``insert_rows`` requires:
``template`` supplies the models' own Python defaults for the columns a generator leaves out.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import User, UserWarehouse
from server.catalog.models import Lot, Product, Sku
from server.db.bulk import insert_rows
from server.fulfilment.models import ParcelVerification, Wave, WaveOrder, WaveTask
from server.fulfilment.shipping.models import Shipment
from server.orders.models import Channel, Order, OrderEvent, OrderLine, OrderReservation
from server.tasks.models import Task, TaskLine, WorkException
from server.warehouse.count_models import BinCount, CountSettings, CountVariance
from server.warehouse.ledger.models import StockLevel, StockMove
from server.warehouse.models import Location, Warehouse, Zone

Factory = async_sessionmaker[AsyncSession]
Row = dict[str, Any]

TABLES: tuple[type[Any], ...] = (
    Warehouse,
    Zone,
    Location,
    Product,
    Sku,
    Lot,
    User,
    UserWarehouse,
    Channel,
    CountSettings,
    Order,
    OrderLine,
    OrderEvent,
    Shipment,
    StockMove,
    Wave,
    WaveOrder,
    Task,
    TaskLine,
    WaveTask,
    ParcelVerification,
    OrderReservation,
    WorkException,
    BinCount,
    CountVariance,
    StockLevel,
)
"""Parents before children: the order every drain writes in."""
CHUNK = 25_000


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


_TEMPLATES: dict[type[Any], tuple[Row, tuple[str, ...]]] = {}


def template(model: type[Any], at: datetime) -> Row:
    """The model's Python-side defaults (what the ORM would have filled in), times set to ``at``."""
    found = _TEMPLATES.get(model)
    if found is None:
        row: Row = {}
        times: list[str] = []
        for column in _table(model).columns:
            default = column.default
            if column.primary_key:
                continue
            if default is None:
                if column.nullable and column.server_default is None:
                    row[column.name] = None  # every row of a table names the same columns
                continue
            if default.is_scalar:
                row[column.name] = default.arg  # type: ignore[attr-defined]
            elif default.is_callable:
                try:
                    value = default.arg(None)  # type: ignore[attr-defined]
                except (TypeError, AttributeError, KeyError):  # needs the statement's context: caller sets it
                    continue
                if isinstance(value, datetime):
                    times.append(column.name)
                row[column.name] = value
        found = _TEMPLATES[model] = (row, tuple(times))
    row = dict(found[0])
    for name in found[1]:
        row[name] = at
    return row


class Sink:
    def __init__(self, factory: Factory, *, chunk: int = CHUNK) -> None:
        self.factory = factory
        self.chunk = chunk
        self.buffers: dict[type[Any], list[Row]] = {model: [] for model in TABLES}
        self.written: dict[str, int] = {_table(model).name: 0 for model in TABLES}
        self._ids: dict[type[Any], int] = {model: 0 for model in TABLES}
        self._writing: asyncio.Task[None] | None = None
        self.started = time.perf_counter()

    def next_id(self, model: type[Any]) -> int:
        self._ids[model] += 1
        return self._ids[model]

    def add(self, model: type[Any], row: Row) -> None:
        self.buffers[model].append(row)

    def pending(self) -> int:
        return max(len(rows) for rows in self.buffers.values())

    async def drain(self, *, force: bool = False) -> None:
        """Start writing every buffer (one transaction per drain) once one of them holds a chunk, or now."""
        if not force and self.pending() < self.chunk:
            return
        batch, self.buffers = self.buffers, {model: [] for model in TABLES}
        await self.wait()
        self._writing = asyncio.create_task(self._write(batch))

    async def wait(self) -> None:
        """Until the batch being written is in (its error, if it failed, raised here)."""
        if self._writing is not None:
            task, self._writing = self._writing, None
            await task

    async def _write(self, batch: dict[type[Any], list[Row]]) -> None:
        async with self.factory() as session, session.begin():
            for model in TABLES:
                rows = batch[model]
                for start in range(0, len(rows), self.chunk):
                    await insert_rows(session, model, rows[start : start + self.chunk])
                self.written[_table(model).name] += len(rows)

    async def finish(self) -> None:
        """Write what is left; on PostgreSQL move each table's id sequence past the ids handed out."""
        await self.drain(force=True)
        await self.wait()
        async with self.factory() as session, session.begin():
            if session.get_bind().dialect.name != "postgresql":
                return
            for model in TABLES:
                table = _table(model)
                if "id" in table.c and table.autoincrement_column is table.c.id and self._ids[model]:
                    await session.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :top)"),
                        {"top": self._ids[model]},
                    )

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

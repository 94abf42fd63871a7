"""Rows written as one statement of column arrays (``server.db.bulk``) read back exactly as the same
rows written by a plain executemany: quotes, backslashes, NULLs, JSON null, times in other zones,
enums, a column holding one same value, rows all alike; and ``id_in`` over thousands of ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.db.bulk import id_in, insert_rows
from server.db.types import BigIntPK, JsonDoc, UTCDateTime, str_enum
from server.tasks.models import TaskKind

Factory = async_sessionmaker[AsyncSession]


def _probe(metadata: MetaData, name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("id", BigIntPK, primary_key=True, autoincrement=True),
        Column("n", BigInteger, nullable=True),
        Column("small", Integer, nullable=True),
        Column("s", String(64), nullable=False),
        Column("flag", Boolean, nullable=True),
        Column("doc", JsonDoc, nullable=True),
        Column("at", UTCDateTime(), nullable=True),
        Column("kind", str_enum(TaskKind), nullable=True),
    )


def _rows() -> list[dict[str, Any]]:
    now = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)
    east8 = timezone(timedelta(hours=8))
    texts = ['a "quoted" word', "back\\slash", "comma, {brace}", " spaced ", "", "NULL", "仓库", "open"]
    docs: list[Any] = [{"k": 'v "q" \\ ,{}'}, None, {"tags": []}, {"n": None, "list": [1, "x"]}, [], "text"]
    return [
        {
            "id": 1000 + i,
            "n": None if i % 5 == 0 else 10**12 + i,
            "small": i % 3,  # small ints are one same object in every row that holds them
            "s": texts[i % len(texts)],
            "flag": None if i % 4 == 0 else i % 2 == 0,
            "doc": docs[i % len(docs)],
            "at": None if i % 7 == 0 else (now + timedelta(minutes=i)).astimezone(east8),
            "kind": TaskKind.pick if i % 2 else TaskKind.put_back,
        }
        for i in range(40)
    ]


async def test_array_rows_read_back_as_executemany_rows(engine: AsyncEngine, session_factory: Factory) -> None:
    metadata = MetaData()
    bulk, plain = _probe(metadata, "bulk_probe_bulk"), _probe(metadata, "bulk_probe_plain")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        rows = _rows()
        alike = [{"s": "same", "n": 7, "small": 1}] * 20  # nothing to count rows by but their number
        async with session_factory() as s, s.begin():
            await insert_rows(s, bulk, rows)
            await insert_rows(s, bulk, alike)
            await s.execute(insert(plain), rows)
            await s.execute(insert(plain), alike)
        async with session_factory() as s:
            read = [list(await s.execute(select(t).order_by(t.c.id))) for t in (bulk, plain)]
            matched = list(
                await s.scalars(select(bulk.c.id).where(id_in(s, bulk.c.id, range(1000, 1040, 3))).order_by(bulk.c.id))
            )
            both = await s.scalar(
                select(bulk.c.id).where(id_in(s, bulk.c.id, [1001, 1002]), id_in(s, bulk.c.n, [10**12 + 2]))
            )
        assert len(read[0]) == 60
        assert read[0] == read[1]
        assert [r.doc for r in read[0] if 1000 <= r.id < 1006] == [
            {"k": 'v "q" \\ ,{}'},
            None,
            {"tags": []},
            {"n": None, "list": [1, "x"]},
            [],
            "text",
        ]
        assert next(r.at for r in read[0] if r.id == 1001) == datetime(2026, 11, 11, 8, 1, tzinfo=UTC)
        assert matched == list(range(1000, 1040, 3))
        assert both == 1002
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)

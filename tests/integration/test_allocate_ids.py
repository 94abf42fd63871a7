"""Ids taken before a bulk INSERT: fresh, never handed out twice, usable as the rows' keys."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.ids import allocate_ids
from server.db.transaction import run_in_transaction
from server.tasks.models import Task, TaskKind, TaskStatus
from tests.factories import make_warehouse

Factory = async_sessionmaker[AsyncSession]


def _task(task_id: int, warehouse_id: int) -> dict[str, object]:
    return {"id": task_id, "warehouse_id": warehouse_id, "kind": TaskKind.pick, "status": TaskStatus.open}


async def test_two_allocations_before_any_insert_do_not_overlap(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        warehouse_id = (await make_warehouse(s)).warehouse.id
        s.add(Task(warehouse_id=warehouse_id, kind=TaskKind.pick))  # an id taken the usual way first
        await s.flush()

    async def write(s: AsyncSession) -> list[int]:
        first = await allocate_ids(s, Task, 3)
        second = await allocate_ids(s, Task, 2)
        await s.execute(insert(Task), [_task(i, warehouse_id) for i in first + second])
        return first + second

    ids = await run_in_transaction(session_factory, write)
    async with session_factory() as s:
        stored = list(await s.scalars(select(Task.id).order_by(Task.id)))
    assert len(set(ids)) == 5
    assert ids == sorted(ids)
    assert stored[1:] == ids and stored[0] < ids[0]

    async def one_more(s: AsyncSession) -> int:  # the usual way still works after explicit ids
        task = Task(warehouse_id=warehouse_id, kind=TaskKind.pick)
        s.add(task)
        await s.flush()
        return task.id

    assert await run_in_transaction(session_factory, one_more) > ids[-1]


async def test_allocating_nothing_reads_nothing(session_factory: Factory) -> None:
    async with session_factory() as s:
        assert await allocate_ids(s, Task, 0) == []

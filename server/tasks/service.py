"""Opening tasks and exceptions — what sync conflict policies do instead of refusing or guessing.

Each opener returns the ``RaisedException`` that goes into the op's result, so the device that sent
the op learns at once what its scan caused ("count task 17 opened for bin A-01-03").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.bulk import insert_rows
from server.db.ids import allocate_ids
from server.db.types import utcnow
from server.tasks.feed import TASK_ENTITY, TASK_FIELDS, TASK_LINE_ENTITY, TASK_LINE_FIELDS, record_inserted
from server.tasks.models import ExceptionStatus, LineStatus, Task, TaskKind, TaskLine, TaskStatus, WorkException
from sync.wire import RaisedException


@dataclass(frozen=True, slots=True)
class LineSpec:
    location_id: int
    sku_id: int | None = None
    lot_id: int | None = None
    qty: int = 0


async def open_task(
    session: AsyncSession,
    *,
    warehouse_id: int,
    kind: TaskKind,
    lines: list[LineSpec],
    reference: str = "",
    reason: str = "",
    to_location_id: int | None = None,
    source_op_id: str = "",
    priority: int = 0,
) -> Task:
    task = Task(
        warehouse_id=warehouse_id,
        kind=kind,
        status=TaskStatus.open,
        reference=reference,
        reason=reason,
        to_location_id=to_location_id,
        source_op_id=source_op_id,
        priority=priority,
    )
    session.add(task)
    await session.flush()
    for number, spec in enumerate(lines, start=1):
        session.add(
            TaskLine(
                task_id=task.id,
                warehouse_id=warehouse_id,
                line_no=number,
                location_id=spec.location_id,
                sku_id=spec.sku_id,
                lot_id=spec.lot_id,
                qty=spec.qty,
            )
        )
    await session.flush()
    return task


LineRow = tuple[int, int | None, int | None, int]
"""(bin, SKU, lot, qty): a line for ``open_tasks``. A plain tuple where ``open_task`` takes a
``LineSpec``: a wave build passes tens of thousands, and the garbage collector soon stops tracking
a tuple of numbers, where each tracked object makes every full collection of a big process dearer."""


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """One task for ``open_tasks``: what ``open_task`` takes, as a value."""

    kind: TaskKind
    lines: list[LineRow] = field(default_factory=list)
    reference: str = ""
    reason: str = ""
    to_location_id: int | None = None
    priority: int = 0


async def open_tasks(session: AsyncSession, *, warehouse_id: int, specs: Sequence[TaskSpec]) -> list[int]:
    """Many open tasks in two bulk INSERTs with ids taken first (``server.db.ids``); answers the
    tasks' ids in the order of ``specs``.

    The same rows and the same feed changes as ``open_task`` once per spec, for builders that open
    hundreds of tasks with thousands of lines at once (a wave build): the ORM's unit of work spends
    seconds flushing that many objects one by one. No ORM objects are made, so nothing here is in the
    session's identity map.
    """
    if not specs:
        return []
    now = utcnow()
    task_ids = await allocate_ids(session, Task, len(specs))
    tasks = [
        {
            "id": task_id,
            "warehouse_id": warehouse_id,
            "kind": spec.kind,
            "status": TaskStatus.open,
            "reference": spec.reference,
            "reason": spec.reason,
            "priority": spec.priority,
            "to_location_id": spec.to_location_id,
            "assignee_user_id": None,
            "source_op_id": "",
            "blind": False,
            "created_at": now,
            "updated_at": now,
        }
        for task_id, spec in zip(task_ids, specs, strict=True)
    ]
    await insert_rows(session, Task, tasks)
    record_inserted(session, warehouse_id, TASK_ENTITY, TASK_FIELDS, dict(zip(task_ids, tasks, strict=True)))
    line_ids = await allocate_ids(session, TaskLine, sum(len(spec.lines) for spec in specs))
    next_id = iter(line_ids).__next__
    status = LineStatus.open.value  # not the member: the collector never tracks a dict of plain values
    lines = [
        {
            "id": next_id(),
            "task_id": task_id,
            "warehouse_id": warehouse_id,
            "line_no": number,
            "location_id": location_id,
            "sku_id": sku_id,
            "lot_id": lot_id,
            "qty": qty,
            "done_qty": 0,
            "status": status,
        }
        for task_id, spec in zip(task_ids, specs, strict=True)
        for number, (location_id, sku_id, lot_id, qty) in enumerate(spec.lines, start=1)
    ]
    if lines:
        await insert_rows(session, TaskLine, lines)
        record_inserted(
            session, warehouse_id, TASK_LINE_ENTITY, TASK_LINE_FIELDS, dict(zip(line_ids, lines, strict=True))
        )
    return task_ids


async def find_open_count_task(
    session: AsyncSession, *, warehouse_id: int, location_id: int, kind: TaskKind
) -> Task | None:
    """The open (or claimed) count task of ``kind`` for the bin, if any."""
    found: Task | None = await session.scalar(
        select(Task)
        .join(TaskLine, TaskLine.task_id == Task.id)
        .where(
            Task.warehouse_id == warehouse_id,
            Task.kind == kind,
            Task.status.in_((TaskStatus.open, TaskStatus.claimed)),
            TaskLine.location_id == location_id,
        )
        .order_by(Task.id)
        .limit(1)
    )
    return found


async def open_count_task(
    session: AsyncSession,
    *,
    warehouse_id: int,
    location_id: int,
    sku_id: int | None,
    reason: str,
    source_op_id: str,
    kind: TaskKind = TaskKind.bin_count,
) -> tuple[Task, bool]:
    """A count (or recount) of one bin, unless one is already open for it; answers (task, created)."""
    existing = await find_open_count_task(session, warehouse_id=warehouse_id, location_id=location_id, kind=kind)
    if existing is not None:
        return existing, False
    task = await open_task(
        session,
        warehouse_id=warehouse_id,
        kind=kind,
        lines=[LineSpec(location_id=location_id, sku_id=sku_id)],
        reference=f"bin:{location_id}",
        reason=reason,
        source_op_id=source_op_id,
        priority=5,
    )
    return task, True


async def open_exception(
    session: AsyncSession,
    *,
    warehouse_id: int,
    kind: str,
    message: str,
    message_zh: str,
    refs: dict[str, Any],
    op_id: str = "",
    task_id: int | None = None,
) -> RaisedException:
    """Record an exception for the supervisor and answer its description for the op's result."""
    row = WorkException(
        warehouse_id=warehouse_id,
        kind=kind,
        status=ExceptionStatus.open,
        message=message,
        message_zh=message_zh,
        refs=refs,
        op_id=op_id,
        task_id=task_id,
    )
    session.add(row)
    await session.flush()
    return RaisedException(kind=kind, message=message, message_zh=message_zh, ref={**refs, "exception_id": row.id})


def task_raised(kind: str, task: Task, message: str, message_zh: str, **refs: Any) -> RaisedException:
    """The op-result entry for a task a policy opened (or found already open)."""
    return RaisedException(kind=kind, message=message, message_zh=message_zh, ref={"task_id": task.id, **refs})

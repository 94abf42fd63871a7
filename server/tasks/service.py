"""Opening tasks and exceptions — what sync conflict policies do instead of refusing or guessing.

Each opener returns the ``RaisedException`` that goes into the op's result, so the device that sent
the op learns at once what its scan caused ("count task 17 opened for bin A-01-03").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.tasks.models import ExceptionStatus, Task, TaskKind, TaskLine, TaskStatus, WorkException
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

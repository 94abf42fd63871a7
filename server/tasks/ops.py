"""Sync ops of task requests (SPEC.md §7): claiming and completing a task, which the server may refuse.

Requests are validated before anything is written: a refusal leaves no trace but the op's result.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from sqlalchemy import select

from server.tasks.models import Task, TaskStatus
from sync.registry import OpContext, OpKind, OpRejected, OpSpec, Outcome

CLOSED = (TaskStatus.done, TaskStatus.cancelled)


class TaskRef(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    task_id: Annotated[int, msgspec.Meta(gt=0, le=2**63 - 1)]


async def _task(ctx: OpContext, task_id: int) -> Task:
    """The task, row-locked (PostgreSQL) so two claims of one task serialize; refused if absent or closed."""
    task = await ctx.session.scalar(select(Task).where(Task.id == task_id).with_for_update())
    if task is None:
        raise OpRejected("task_not_found", f"task {task_id} does not exist", message_zh="任务不存在")
    if task.warehouse_id != ctx.warehouse_id:
        raise OpRejected(
            "task_out_of_scope", f"task {task_id} belongs to another warehouse", message_zh="任务不属于本仓"
        )
    if task.status in CLOSED:
        raise OpRejected(
            "task_closed",
            f"task {task_id} is {task.status.value}",
            message_zh="任务已结束",
            detail={"task_id": task_id, "status": task.status.value},
        )
    return task


async def task_claimed(ctx: OpContext, payload: TaskRef) -> Outcome:
    task = await _task(ctx, payload.task_id)
    if task.assignee_user_id is not None and task.assignee_user_id != ctx.user_id:
        raise OpRejected(
            "task_taken",
            f"task {task.id} was claimed by someone else",
            message_zh="任务已被他人领取",
            detail={"task_id": task.id},
        )
    if task.status is not TaskStatus.claimed or task.assignee_user_id != ctx.user_id:
        task.status = TaskStatus.claimed
        task.assignee_user_id = ctx.user_id
        task.claimed_at = ctx.event_time
        await ctx.session.flush()
    return Outcome(result={"task_id": task.id, "status": task.status.value})


async def task_completed(ctx: OpContext, payload: TaskRef) -> Outcome:
    task = await _task(ctx, payload.task_id)
    if task.status is not TaskStatus.claimed or task.assignee_user_id != ctx.user_id:
        raise OpRejected(
            "not_your_task",
            f"task {task.id} is not claimed by you",
            message_zh="该任务未由您领取",
            detail={"task_id": task.id},
        )
    task.status = TaskStatus.done
    task.completed_at = ctx.event_time
    await ctx.session.flush()
    return Outcome(result={"task_id": task.id, "status": task.status.value})


OP_SPECS: list[OpSpec] = [
    OpSpec(
        name="tasks.task_claimed",
        kind=OpKind.request,
        version=1,
        payload_type=TaskRef,
        handler=task_claimed,
        description="Ask to take a task; refused if someone else has it or it is closed.",
    ),
    OpSpec(
        name="tasks.task_completed",
        kind=OpKind.request,
        version=1,
        payload_type=TaskRef,
        handler=task_completed,
        description="Finish a task one has claimed.",
    ),
]

"""Sync ops of picking and packing (SPEC.md §7): facts from the floor, never refused for a conflict.

A pick that took a bin below zero, a pick for an order cancelled while the phone was offline, a pick
beyond what the line asked for: the goods moved all the same, so the move is posted and a person is
asked to look (a count task, a put-back task, an exception). Only a payload that cannot mean
anything (a line of another warehouse, a SKU that does not exist) is rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from typing import Annotated, ClassVar

import msgspec
from sqlalchemy import select

from server.fulfilment.models import ParcelVerification, VerificationStatus
from server.fulfilment.reroute import Reroute, reroute_short
from server.fulfilment.wave_picks import consume_for_pick, settle_wave, wave_of_task
from server.orders.lifecycle import change_status
from server.orders.models import Order, OrderLine, OrderStatus
from server.orders.reserving import wanted_units
from server.scanning.resolve import resolve_scan
from server.scanning.resolve_schemas import OrderMatch
from server.syncapi.facts import fact_move, invalid_reference, location_of
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine, TaskStatus
from server.tasks.service import LineSpec, open_count_task, open_exception, open_task, task_raised
from server.warehouse.late_moves import Level
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import PostedMove
from server.warehouse.models import Location, LocationType
from server.warehouse.stock_facts import Planned, apply_stock_facts
from server.warehouse.virtual_locations import virtual_location
from sync.registry import OpContext, OpKind, OpSpec, Outcome
from sync.wire import RaisedException

PositiveInt = Annotated[int, msgspec.Meta(gt=0, le=2**31 - 1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Id = Annotated[int, msgspec.Meta(gt=0, le=2**63 - 1)]
"""A row id: bounded so an absurd value is an invalid payload, not a database error."""


class ItemPicked(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    task_line_id: Id
    location_id: Id
    sku_id: Id
    lot_id: Id | None = None
    qty: PositiveInt
    tote: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    counts_bins: ClassVar[bool] = False

    @classmethod
    async def prepare(cls, contexts: Sequence[OpContext], facts: Sequence[ItemPicked]) -> None:
        """Every line of the run locked in one statement (and their tasks in another), in id order."""
        ctx = contexts[0]
        ctx.session.info[_PICK_ROWS] = await _lock_lines(ctx, {fact.task_line_id for fact in facts})

    def levels(self, ctx: OpContext) -> set[Level]:
        """The bin, and the task's destination (known once ``prepare`` has loaded the task)."""
        found = ctx.session.info.get(_PICK_ROWS, {}).get(self.task_line_id)
        destination = found[1].to_location_id if found is not None else None
        locations = {self.location_id} if destination is None else {self.location_id, destination}
        return {Level(location, self.sku_id, self.lot_id) for location in locations}

    async def plan(self, ctx: OpContext) -> Planned:
        return await _plan_pick(ctx, self)


class PickShort(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    task_line_id: Id
    location_id: Id
    sku_id: Id
    found_qty: NonNegativeInt


class ParcelItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sku_id: Id
    qty: PositiveInt


class ParcelVerified(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    task_id: Id | None = None
    items: list[ParcelItem]


_PICK_ROWS = "fulfilment.pick_rows"


async def _lock_lines(ctx: OpContext, line_ids: set[int]) -> dict[int, tuple[TaskLine, Task]]:
    """The lines and their tasks, row-locked (PostgreSQL) in id order so concurrent picks add up
    and two pushes picking the same lines wait for each other rather than deadlock; answers those
    in this warehouse."""
    lines = list(
        await ctx.session.scalars(
            select(TaskLine).where(TaskLine.id.in_(sorted(line_ids))).order_by(TaskLine.id).with_for_update()
        )
    )
    task_ids = sorted({line.task_id for line in lines if line.warehouse_id == ctx.warehouse_id})
    tasks = {
        task.id: task
        for task in await ctx.session.scalars(
            select(Task).where(Task.id.in_(task_ids)).order_by(Task.id).with_for_update()
        )
    }
    found = {}
    for line in lines:
        task = tasks.get(line.task_id)
        if task is not None and task.warehouse_id == ctx.warehouse_id:
            found[line.id] = (line, task)
    return found


async def _line_and_task(ctx: OpContext, line_id: int, *, prepared: bool = False) -> tuple[TaskLine, Task]:
    """The line and its task, locked now (or by ``ItemPicked.prepare`` in this run); rejected if
    not in this warehouse."""
    ready: dict[int, tuple[TaskLine, Task]] = ctx.session.info.get(_PICK_ROWS, {}) if prepared else {}
    found = ready.get(line_id) or (await _lock_lines(ctx, {line_id})).get(line_id)
    if found is None:
        raise invalid_reference(
            f"task line {line_id} does not exist in this warehouse", "任务行不存在", task_line_id=line_id
        )
    return found


async def _require_bin(ctx: OpContext, location_id: int) -> Location:
    location = await location_of(ctx, location_id)
    if location is None or location.warehouse_id != ctx.warehouse_id:
        raise invalid_reference(
            f"location {location_id} does not exist in this warehouse", "库位不存在", location_id=location_id
        )
    return location


async def _plan_pick(ctx: OpContext, payload: ItemPicked) -> Planned:
    line, task = await _line_and_task(ctx, payload.task_line_id, prepared=True)
    await _require_bin(ctx, payload.location_id)
    exceptions: list[RaisedException] = []
    refs = {"task_id": task.id, "task_line_id": line.id, "location_id": payload.location_id, "sku_id": payload.sku_id}

    destination = task.to_location_id
    if destination is None:
        destination = (await virtual_location(ctx.session, ctx.warehouse_id, LocationType.transit)).id
        exceptions.append(
            await open_exception(
                ctx.session,
                warehouse_id=ctx.warehouse_id,
                kind="pick_no_destination",
                message=f"task {task.id} has no destination; the picked goods were booked to transit",
                message_zh="任务未指定目标库位，拣货已记入在途",
                refs={**refs, "to_location_id": destination},
                op_id=ctx.op.op_id,
                task_id=task.id,
            )
        )
    if destination == payload.location_id:
        raise invalid_reference("the pick bin is the task's destination", "拣货库位与目标库位相同", **refs)

    pick = fact_move(
        ctx,
        sku_id=payload.sku_id,
        lot_id=payload.lot_id,
        from_location_id=payload.location_id,
        to_location_id=destination,
        qty=payload.qty,
        reason=MoveReason.pick,
        reference=task.reference,
    )
    return Planned([pick], partial(_picked, ctx, payload, line, task), exceptions)


async def _picked(
    ctx: OpContext,
    payload: ItemPicked,
    line: TaskLine,
    task: Task,
    posted: list[PostedMove],
    from_on_hand: int,
    exceptions: list[RaisedException],
) -> Outcome:
    """The pick's outcome once its move is posted and the bin's on-hand after it is known."""
    refs = {"task_id": task.id, "task_line_id": line.id, "location_id": payload.location_id, "sku_id": payload.sku_id}
    destination = posted[0].to_location_id
    if from_on_hand < 0:
        count, _ = await open_count_task(
            ctx.session,
            warehouse_id=ctx.warehouse_id,
            location_id=payload.location_id,
            sku_id=payload.sku_id,
            reason=f"pick of {payload.qty} took the bin below zero (op {ctx.op.op_id})",
            source_op_id=ctx.op.op_id,
        )
        exceptions.append(
            task_raised(
                "negative_stock",
                count,
                f"bin {payload.location_id} went below zero; count task {count.id} opened",
                f"库位库存为负，已生成盘点任务 {count.id}",
                location_id=payload.location_id,
                sku_id=payload.sku_id,
            )
        )

    before = line.done_qty
    line.done_qty = before + payload.qty
    wrong_sku = line.sku_id != payload.sku_id or (line.lot_id is not None and line.lot_id != payload.lot_id)

    if task.status is TaskStatus.cancelled:
        # (b) the order was cancelled while the phone was offline: the goods must go back.
        put_back = await open_task(
            ctx.session,
            warehouse_id=ctx.warehouse_id,
            kind=TaskKind.put_back,
            # The goods are where the pick took them (the task's destination or tote), and go
            # back to the bin they came from.
            lines=[LineSpec(location_id=destination, sku_id=payload.sku_id, lot_id=payload.lot_id, qty=payload.qty)],
            reference=task.reference,
            reason=f"picked for cancelled task {task.id} (op {ctx.op.op_id})",
            to_location_id=payload.location_id,
            source_op_id=ctx.op.op_id,
            priority=5,
        )
        exceptions.append(
            task_raised(
                "put_back",
                put_back,
                f"task {task.id} was cancelled; put-back task {put_back.id} opened",
                f"任务已取消，已生成归位任务 {put_back.id}",
                cancelled_task_id=task.id,
            )
        )
    elif wrong_sku:
        exceptions.append(
            await open_exception(
                ctx.session,
                warehouse_id=ctx.warehouse_id,
                kind="wrong_item",
                message=f"SKU {payload.sku_id} was picked for line {line.id}, which asks for SKU {line.sku_id}",
                message_zh="拣货商品与任务行不符",
                refs={**refs, "expected_sku_id": line.sku_id, "qty": payload.qty},
                op_id=ctx.op.op_id,
                task_id=task.id,
            )
        )
    elif line.done_qty > line.qty:
        # (c) picked beyond the line (someone else completed it, or a double scan).
        exceptions.append(
            await open_exception(
                ctx.session,
                warehouse_id=ctx.warehouse_id,
                kind="over_pick",
                message=f"line {line.id} asked for {line.qty}; {line.done_qty} picked",
                message_zh=f"超拣：任务行需 {line.qty}，已拣 {line.done_qty}",
                refs={**refs, "line_qty": line.qty, "done_before": before, "qty": payload.qty},
                op_id=ctx.op.op_id,
                task_id=task.id,
            )
        )

    if (
        not wrong_sku
        and task.status is not TaskStatus.cancelled
        and line.status in (LineStatus.open, LineStatus.short)
        and line.done_qty >= line.qty
    ):
        line.status = LineStatus.done
        line.completed_by_user_id = ctx.user_id
        line.completed_at = ctx.event_time
    wave_id = await _wave_of(ctx, task.id)
    if wave_id is not None and not wrong_sku and task.status is not TaskStatus.cancelled:
        # The goods left the bin for the wave's orders: so does their reservation.
        await consume_for_pick(ctx.session, wave_id, payload.location_id, payload.sku_id, payload.lot_id, payload.qty)
        if line.status is LineStatus.done:
            await settle_wave(ctx.session, wave_id, actor=ctx.user_id)
    return Outcome(result={"move_id": posted[0].move_id, "line_done_qty": line.done_qty}, exceptions=exceptions)


_WAVES = "fulfilment.wave_of_task"


async def _wave_of(ctx: OpContext, task_id: int) -> int | None:
    """The wave of a pick task, kept for the push (a run of 100 picks asks for the same few tasks)."""
    known: dict[int, int | None] = ctx.session.info.setdefault(_WAVES, {})
    if task_id not in known:
        known[task_id] = await wave_of_task(ctx.session, task_id)
    return known[task_id]


async def item_picked(ctx: OpContext, payload: ItemPicked) -> Outcome:
    (outcome,) = await apply_stock_facts([ctx], [payload])
    return outcome


async def pick_short(ctx: OpContext, payload: PickShort) -> Outcome:
    """The line is short; what it misses is re-routed to other bins for the wave's orders (a
    follow-up pick task), and only what no bin has leaves orders wanting — held once the wave settles."""
    line, task = await _line_and_task(ctx, payload.task_line_id)
    await _require_bin(ctx, payload.location_id)
    if line.status is LineStatus.open:
        line.status = LineStatus.short
    wave_id = await _wave_of(ctx, task.id)
    rerouted: Reroute | None = None
    if wave_id is not None:
        rerouted = await reroute_short(
            ctx.session,
            wave_id=wave_id,
            line=line,
            task=task,
            found_qty=payload.found_qty,
            reported_location_id=payload.location_id,
            actor=ctx.user_id,
            op_id=ctx.op.op_id,
        )
        await ctx.session.flush()
        await settle_wave(ctx.session, wave_id, actor=ctx.user_id)
    count, _ = await open_count_task(
        ctx.session,
        warehouse_id=ctx.warehouse_id,
        location_id=payload.location_id,
        sku_id=payload.sku_id,
        reason=f"short pick: {payload.found_qty} found (op {ctx.op.op_id})",
        source_op_id=ctx.op.op_id,
    )
    moved = rerouted.qty if rerouted is not None else 0
    refs = {
        "task_id": task.id,
        "task_line_id": line.id,
        "location_id": payload.location_id,
        "sku_id": payload.sku_id,
        "found_qty": payload.found_qty,
        "line_qty": line.qty,
        "done_qty": line.done_qty,
        "count_task_id": count.id,
        "rerouted_qty": moved,
        "reroute_task_id": rerouted.task_id if rerouted is not None else None,
    }
    raised = await open_exception(
        ctx.session,
        warehouse_id=ctx.warehouse_id,
        kind="short_pick",
        message=f"line {line.id}: only {payload.found_qty} found in bin {payload.location_id}"
        + (f"; {moved} re-routed to other bins" if moved else ""),
        message_zh=f"短拣：库位仅找到 {payload.found_qty}" + (f"，{moved} 件已改派到其他库位" if moved else ""),
        refs=refs,
        op_id=ctx.op.op_id,
        task_id=task.id,
    )
    await ctx.session.flush()
    counted = task_raised(
        "count_task",
        count,
        f"count task {count.id} opened for bin {payload.location_id}",
        f"已生成盘点任务 {count.id}",
        location_id=payload.location_id,
    )
    result = {
        "line_status": line.status.value,
        "count_task_id": count.id,
        "rerouted_qty": moved,
        "reroute_task_id": refs["reroute_task_id"],
        "wanting_qty": rerouted.wanting if rerouted is not None else 0,
    }
    return Outcome(result=result, exceptions=[raised, counted, *_rerouted(rerouted)])


def _rerouted(rerouted: Reroute | None) -> list[RaisedException]:
    """One entry per follow-up line: the phone tells the picker where to go instead."""
    if rerouted is None or rerouted.task_id is None:
        return []
    return [
        RaisedException(
            kind="pick_rerouted",
            message=f"re-routed: pick {new.qty} from bin {new.location_code}",
            message_zh=f"已改派：请从库位 {new.location_code} 拣 {new.qty} 件",
            ref={
                "task_id": rerouted.task_id,
                "task_line_id": new.task_line_id,
                "location_id": new.location_id,
                "location_code": new.location_code,
                "sku_id": new.sku_id,
                "lot_id": new.lot_id,
                "qty": new.qty,
                "from_location_id": rerouted.from_location_id,
            },
        )
        for new in rerouted.lines
    ]


async def _order_to_pack(ctx: OpContext, reference: str) -> tuple[Order, dict[str, int]] | None:
    """A picked order of this warehouse named by the parcel (its platform order number, read by the
    scan resolver as any scan is), with what it should hold; ``None`` when the reference names no
    such order (then it names pick tasks)."""
    if not reference.strip():
        return None
    found = await resolve_scan(
        ctx.session, reference, warehouse_id=ctx.warehouse_id, kinds={"order"}, suggestions=False
    )
    named = [found.match] if found.match is not None else found.candidates
    packable = [
        m.order_id
        for m in named
        if isinstance(m, OrderMatch)
        and m.warehouse_id == ctx.warehouse_id
        and m.status in (OrderStatus.picked, OrderStatus.packed)
    ]
    order = await ctx.session.get(Order, packable[0]) if packable else None
    if order is None:
        return None
    lines = list(await ctx.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
    return order, {str(sku): qty for sku, qty in wanted_units(lines).items()}


async def parcel_verified(ctx: OpContext, payload: ParcelVerified) -> Outcome:
    """Scanned against picked: a picked order named by the reference (复核: a match packs it, a
    mismatch stops the parcel), else the given task's lines, else the live pick tasks of the reference."""
    to_pack = await _order_to_pack(ctx, payload.reference) if payload.task_id is None else None
    if to_pack is not None:
        return await _verify_order(ctx, payload, *to_pack)
    if payload.task_id is not None:
        task = await ctx.session.get(Task, payload.task_id)
        if task is None or task.warehouse_id != ctx.warehouse_id:
            raise invalid_reference(
                f"task {payload.task_id} does not exist in this warehouse", "任务不存在", task_id=payload.task_id
            )
        task_ids = [task.id]
    else:
        task_ids = list(
            await ctx.session.scalars(
                select(Task.id).where(
                    Task.warehouse_id == ctx.warehouse_id,
                    Task.kind == TaskKind.pick,
                    Task.reference == payload.reference,
                    Task.status != TaskStatus.cancelled,
                )
            )
        )
    expected: dict[str, int] = defaultdict(int)
    if task_ids:
        for line in await ctx.session.scalars(select(TaskLine).where(TaskLine.task_id.in_(task_ids))):
            if line.sku_id is not None and line.done_qty > 0:
                expected[str(line.sku_id)] += line.done_qty
    matched = bool(task_ids) and dict(expected) == _scanned(payload)
    return await _record_verification(ctx, payload, dict(expected), matched)


async def _verify_order(ctx: OpContext, payload: ParcelVerified, order: Order, expected: dict[str, int]) -> Outcome:
    matched = _scanned(payload) == expected
    outcome = await _record_verification(ctx, payload, expected, matched)
    if matched and order.status is OrderStatus.picked:
        change_status(ctx.session, order, OrderStatus.packed, actor=ctx.user_id, reason="parcel verified (复核)")
        outcome.result["order_status"] = OrderStatus.packed.value
    return outcome


def _scanned(payload: ParcelVerified) -> dict[str, int]:
    """SKU (as text, the JSON key) → units scanned into the parcel."""
    scanned: dict[str, int] = defaultdict(int)
    for item in payload.items:
        scanned[str(item.sku_id)] += item.qty
    return dict(scanned)


async def _record_verification(
    ctx: OpContext, payload: ParcelVerified, expected: dict[str, int], matched: bool
) -> Outcome:
    scanned = _scanned(payload)
    status = VerificationStatus.matched if matched else VerificationStatus.mismatch
    row = ParcelVerification(
        warehouse_id=ctx.warehouse_id,
        reference=payload.reference,
        task_id=payload.task_id,
        status=status,
        expected=dict(expected),
        scanned=dict(scanned),
        user_id=ctx.user_id,
        device_id=ctx.device_id,
        op_id=ctx.op.op_id,
        verified_at=ctx.event_time,
    )
    ctx.session.add(row)
    await ctx.session.flush()
    exceptions: list[RaisedException] = []
    if status is VerificationStatus.mismatch:
        exceptions.append(
            await open_exception(
                ctx.session,
                warehouse_id=ctx.warehouse_id,
                kind="pack_mismatch",
                message=f"parcel {payload.reference} does not match what was picked",
                message_zh="包裹核验不符",
                refs={
                    "reference": payload.reference,
                    "task_id": payload.task_id,
                    "verification_id": row.id,
                    "expected": dict(expected),
                    "scanned": dict(scanned),
                },
                op_id=ctx.op.op_id,
                task_id=payload.task_id,
            )
        )
    return Outcome(result={"verification_id": row.id, "status": status.value}, exceptions=exceptions)


OP_SPECS: list[OpSpec] = [
    OpSpec(
        name="fulfilment.item_picked",
        kind=OpKind.fact,
        version=1,
        payload_type=ItemPicked,
        handler=item_picked,
        batch_handler=apply_stock_facts,
        description="Goods taken from a bin for a pick line; moved to the task's destination.",
    ),
    OpSpec(
        name="fulfilment.pick_short",
        kind=OpKind.fact,
        version=1,
        payload_type=PickShort,
        handler=pick_short,
        description="Fewer goods found in the bin than the line asks for; the bin gets a count task.",
    ),
    OpSpec(
        name="packing.parcel_verified",
        kind=OpKind.fact,
        version=1,
        payload_type=ParcelVerified,
        handler=parcel_verified,
        description="What was scanned into a parcel, checked against what was picked for it.",
    ),
]

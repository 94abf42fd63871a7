"""Re-routing a short pick (改派): the units a bin did not have are reserved again from other bins
of the warehouse, so the wave's orders still ship instead of being held.

When a picker reports a line short, the bin's books are in doubt until it is counted — as are those
of any bin with a count still open for the SKU. The missing units are reserved afresh by the ledger
(``reserve_batch``: earliest expiry first for expiry-controlled SKUs, the oldest lot otherwise, then
the walking path; only sellable, active, unfrozen bins) for the wave's orders left wanting, most
urgent first and each order all or nothing (a part of an order re-routed would only be picked to be
put back). Those orders' reservations at the short bin move to the new bins, and a follow-up pick
task of the same wave, into the same staging bin, sends a picker there. What no bin has stays
reserved at the short bin: those orders are held when the wave settles, as before.

Exactly once: the sync engine answers a replayed op from its stored result without running it, and
a second short report for the same line re-routes only what the wave's orders still hold at the
short bin beyond what that report says is there — units already re-routed are not re-routed again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.fulfilment.models import Wave, WaveOrder, WaveStatus, WaveTask
from server.orders.lifecycle import record
from server.orders.models import Order, OrderReservation
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine, TaskStatus
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.reservations import Allocation, release_allocations, reserve_batch
from server.warehouse.models import Location

COUNT_KINDS = (TaskKind.bin_count, TaskKind.recount)
LIVE_TASKS = (TaskStatus.open, TaskStatus.claimed)


@dataclass(frozen=True, slots=True)
class ReroutedLine:
    """One line of the follow-up pick task: where the re-routed units are to be picked now."""

    task_line_id: int
    location_id: int
    location_code: str
    sku_id: int
    lot_id: int | None
    qty: int


@dataclass(frozen=True, slots=True)
class Reroute:
    """What a short report re-routed, for the op's result."""

    from_location_id: int
    task_id: int | None
    """The follow-up pick task (``None`` when no other bin had the units)."""
    lines: list[ReroutedLine]
    wanting: int
    """Units the wave's orders still miss at the short bin: those orders are held when it settles."""

    @property
    def qty(self) -> int:
        return sum(line.qty for line in self.lines)


@dataclass(slots=True)
class _Wanting:
    """One order's reservation rows at the short bin, with the units of each that will not be found."""

    order_id: int
    parts: list[tuple[OrderReservation, int]] = field(default_factory=list)

    @property
    def qty(self) -> int:
        return sum(units for _, units in self.parts)


def _same_lot(column: InstrumentedAttribute[int | None], lot_id: int | None) -> ColumnElement[bool]:
    return column.is_(None) if lot_id is None else column == lot_id


async def reroute_short(
    session: AsyncSession,
    *,
    wave_id: int,
    line: TaskLine,
    task: Task,
    found_qty: int,
    reported_location_id: int,
    actor: int | None,
    op_id: str,
) -> Reroute | None:
    """Re-reserve from other bins the units short ``line`` will not find for the wave's orders;
    ``None`` when nothing is missing any more (the wave settled, or earlier reports re-routed it)."""
    if line.sku_id is None or line.status is not LineStatus.short or task.status is TaskStatus.cancelled:
        return None
    wave = await session.get(Wave, wave_id, with_for_update=True)
    if wave is None or wave.status is not WaveStatus.picking:
        return None
    missing = line.qty - line.done_qty - found_qty
    if missing <= 0:
        return None
    rows = await _held_at(session, wave_id, line)
    held = sum(row.qty for row in rows)
    wanting_units = min(missing, held - found_qty - await _expected_by_other_lines(session, wave_id, line))
    if wanting_units <= 0:
        return None
    wanting = _wanting(rows, keep=held - wanting_units)
    doubtful = await _doubtful_bins(session, task.warehouse_id, line.sku_id)
    answers = await reserve_batch(
        session,
        [(task.warehouse_id, {line.sku_id: order.qty}) for order in wanting],
        exclude_location_ids=doubtful | {line.location_id, reported_location_id},
    )
    moved: dict[int, list[Allocation]] = {}
    for order, answer in zip(wanting, answers, strict=True):
        allocations = [a for a in answer if isinstance(a, Allocation)]
        if allocations and len(allocations) == len(answer):
            moved[order.order_id] = allocations
            await _move(session, order, allocations)
    total = sum(a.qty for allocations in moved.values() for a in allocations)
    if total == 0:
        return Reroute(line.location_id, None, [], wanting_units)
    await release_allocations(session, [Allocation(line.location_id, line.sku_id, line.lot_id, total)])
    ids = {line.location_id} | {a.location_id for allocations in moved.values() for a in allocations}
    bins = {b.id: b for b in await session.scalars(select(Location).where(Location.id.in_(sorted(ids))))}
    follow_up, lines = await _follow_up(session, wave, task, line, moved, bins, op_id)
    await _record_events(session, wave, line.location_id, moved, bins, follow_up, actor)
    await session.flush()
    return Reroute(line.location_id, follow_up.id, lines, wanting_units - total)


async def _held_at(session: AsyncSession, wave_id: int, line: TaskLine) -> list[OrderReservation]:
    """The wave's reservations at the line's bin, SKU and lot, most urgent order first, row-locked."""
    return list(
        await session.scalars(
            select(OrderReservation)
            .join(WaveOrder, WaveOrder.order_id == OrderReservation.order_id)
            .where(
                WaveOrder.wave_id == wave_id,
                OrderReservation.location_id == line.location_id,
                OrderReservation.sku_id == line.sku_id,
                _same_lot(OrderReservation.lot_id, line.lot_id),
            )
            .order_by(WaveOrder.position, OrderReservation.id)
            .with_for_update(of=OrderReservation)
        )
    )


async def _expected_by_other_lines(session: AsyncSession, wave_id: int, line: TaskLine) -> int:
    """Units other open lines of the wave still expect at the same bin, SKU and lot (a follow-up
    line sent to a bin the wave already picks from): their share of the reservations is not missing."""
    expected = await session.scalar(
        select(func.coalesce(func.sum(TaskLine.qty - TaskLine.done_qty), 0))
        .join(WaveTask, WaveTask.task_id == TaskLine.task_id)
        .join(Task, Task.id == TaskLine.task_id)
        .where(
            WaveTask.wave_id == wave_id,
            Task.status != TaskStatus.cancelled,
            TaskLine.id != line.id,
            TaskLine.status == LineStatus.open,
            TaskLine.location_id == line.location_id,
            TaskLine.sku_id == line.sku_id,
            _same_lot(TaskLine.lot_id, line.lot_id),
            TaskLine.done_qty < TaskLine.qty,
        )
    )
    return int(expected or 0)


def _wanting(rows: list[OrderReservation], *, keep: int) -> list[_Wanting]:
    """The orders left wanting, most urgent first: the first ``keep`` units held at the bin (the
    units still to be found there) stay with the most urgent orders, as a pick would share them."""
    wanting: dict[int, _Wanting] = {}
    for row in rows:
        stays = min(row.qty, keep)
        keep -= stays
        if row.qty > stays:
            wanting.setdefault(row.order_id, _Wanting(row.order_id)).parts.append((row, row.qty - stays))
    return list(wanting.values())


async def _doubtful_bins(session: AsyncSession, warehouse_id: int, sku_id: int) -> set[int]:
    """Bins with a count of the SKU (or of the whole bin) still open: their books are not trusted
    until counted — a bin that ran short earlier, a bin that went below zero."""
    return set(
        await session.scalars(
            select(TaskLine.location_id)
            .join(Task, Task.id == TaskLine.task_id)
            .where(
                Task.warehouse_id == warehouse_id,
                Task.kind.in_(COUNT_KINDS),
                Task.status.in_(LIVE_TASKS),
                or_(TaskLine.sku_id == sku_id, TaskLine.sku_id.is_(None)),
            )
        )
    )


async def _move(session: AsyncSession, order: _Wanting, allocations: list[Allocation]) -> None:
    """The order's missing units leave its rows at the short bin for rows at the new bins, each new
    row keeping the order line it was reserved for. The ledger's levels are written by the caller."""
    pool = list(allocations)
    for row, units in order.parts:
        row.qty -= units
        while units:
            head = pool[0]
            take = min(units, head.qty)
            session.add(
                OrderReservation(
                    order_id=row.order_id,
                    order_line_id=row.order_line_id,
                    warehouse_id=row.warehouse_id,
                    location_id=head.location_id,
                    sku_id=head.sku_id,
                    lot_id=head.lot_id,
                    qty=take,
                )
            )
            units -= take
            if take == head.qty:
                pool.pop(0)
            else:
                pool[0] = Allocation(head.location_id, head.sku_id, head.lot_id, head.qty - take)
        if row.qty == 0:
            await session.delete(row)


async def _follow_up(
    session: AsyncSession,
    wave: Wave,
    task: Task,
    line: TaskLine,
    moved: dict[int, list[Allocation]],
    bins: dict[int, Location],
    op_id: str,
) -> tuple[Task, list[ReroutedLine]]:
    """A small pick task of the same wave into the same staging bin: one line per new bin and lot,
    in walking order, pulled by every phone of the warehouse through the feed."""
    picks: dict[tuple[int, int, int | None], int] = defaultdict(int)
    for allocations in moved.values():
        for a in allocations:
            picks[(a.location_id, a.sku_id, a.lot_id)] += a.qty
    keys = sorted(picks, key=lambda k: (bins[k[0]].walking_sequence, bins[k[0]].code, k[2] or 0))
    follow_up = await open_task(
        session,
        warehouse_id=wave.warehouse_id,
        kind=TaskKind.pick,
        lines=[LineSpec(location_id=loc, sku_id=sku, lot_id=lot, qty=picks[(loc, sku, lot)]) for loc, sku, lot in keys],
        reference=task.reference,
        reason=f"wave {wave.code}: re-routed from bin {bins[line.location_id].code} after a short pick "
        f"(task line {line.id})",
        to_location_id=task.to_location_id,
        source_op_id=op_id,
        priority=task.priority,
    )
    session.add(WaveTask(wave_id=wave.id, task_id=follow_up.id))
    new_lines = await session.scalars(
        select(TaskLine).where(TaskLine.task_id == follow_up.id).order_by(TaskLine.line_no)
    )
    return follow_up, [
        ReroutedLine(new.id, new.location_id, bins[new.location_id].code, sku, new.lot_id, new.qty)
        for new, (_, sku, _) in zip(new_lines, keys, strict=True)
    ]


async def _record_events(
    session: AsyncSession,
    wave: Wave,
    from_location_id: int,
    moved: dict[int, list[Allocation]],
    bins: dict[int, Location],
    follow_up: Task,
    actor: int | None,
) -> None:
    """Each re-routed order says where its goods are now picked from, and why."""
    orders = await session.scalars(select(Order).where(Order.id.in_(sorted(moved))).order_by(Order.id))
    for order in orders:
        allocations = moved[order.id]
        to = sorted({bins[a.location_id].code for a in allocations})
        session.add(
            record(
                order,
                "pick_rerouted",
                actor=actor,
                reason=f"pick re-routed from bin {bins[from_location_id].code} to bin{'s' if len(to) > 1 else ''} "
                f"{', '.join(to)} after a short pick",
                wave_id=wave.id,
                task_id=follow_up.id,
                from_location_id=from_location_id,
                moved=[{"location_id": a.location_id, "lot_id": a.lot_id, "qty": a.qty} for a in allocations],
            )
        )

"""The late-move rule of SPEC.md §7.2, shared by every fact that moves stock.

A count at ``t`` set the bin to what the counter saw. A move that happened before ``t`` but reaches
the server after the count (a phone that was offline) was already seen by the counter: posting it
plainly would count it twice. So its effect on the counted bin is cancelled with a correcting move
against the warehouse's ``@LOSS`` location — unless the move is so close to the count that clocks
cannot tell the order, in which case nobody guesses: a recount is opened.

Picks, put-aways, receipts and returns all go through here, so I9 (on hand = latest count + later
moves) holds whichever kind of fact arrived late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.syncapi.facts import fact_move
from server.tasks.models import TaskKind
from server.tasks.service import open_count_task, open_exception, task_raised
from server.warehouse.bin_locks import lock_bins
from server.warehouse.count_models import BinCount, CountOutcome
from server.warehouse.ledger.models import NO_LOT, MoveReason
from server.warehouse.ledger.service import MoveRequest
from server.warehouse.models import LocationType
from server.warehouse.virtual_locations import virtual_location
from sync.registry import OpContext
from sync.wire import RaisedException

COUNT_AMBIGUITY = timedelta(minutes=2)
"""Device clocks disagree by this much: a move this close to a count may or may not have been seen."""


@dataclass(frozen=True, slots=True)
class Level:
    location_id: int
    sku_id: int
    lot_id: int | None

    @property
    def lot_key(self) -> int:
        return self.lot_id if self.lot_id is not None else NO_LOT


async def count_after(ctx: OpContext, level: Level) -> BinCount | None:
    """The latest trusted count of ``level`` taken after this op's event (it already saw the op)."""
    counts = await counts_since(ctx, {level}, ctx.event_time)
    return latest_after(counts, {level}, ctx.event_time).get(level)


async def counts_since(ctx: OpContext, levels: set[Level], since: datetime) -> list[BinCount]:
    """Trusted counts of these bins and SKUs taken after ``since``, oldest first (one query for
    both sides of a move, or for a whole batch of moves)."""
    if not levels:
        return []
    rows = await ctx.session.scalars(
        select(BinCount)
        .where(
            BinCount.location_id.in_({lv.location_id for lv in levels}),
            BinCount.sku_id.in_({lv.sku_id for lv in levels}),
            BinCount.counted_at > since,
            BinCount.outcome.in_((CountOutcome.adjusted, CountOutcome.matched)),
        )
        .order_by(BinCount.counted_at, BinCount.id)
    )
    return list(rows)


def latest_after(counts: list[BinCount], levels: set[Level], after: datetime) -> dict[Level, BinCount]:
    """Per level, the latest of ``counts`` (oldest first) taken after ``after``."""
    latest: dict[Level, BinCount] = {}
    for count in counts:
        level = Level(count.location_id, count.sku_id, count.lot_id)
        if level in levels and count.counted_at > after:
            latest[level] = count
    return latest


def move_levels(moves: list[MoveRequest]) -> set[Level]:
    return {
        Level(location, move.sku_id, move.lot_id)
        for move in moves
        for location in (move.from_location_id, move.to_location_id)
    }


async def late_move_corrections(
    ctx: OpContext, moves: list[MoveRequest]
) -> tuple[list[MoveRequest], list[RaisedException]]:
    """Corrections (and recounts) for ``moves`` of this op; post them with the moves themselves."""
    levels = move_levels(moves)
    # Share the bins before reading counts, so a count committing meanwhile is seen below.
    await lock_bins(ctx, dict.fromkeys((level.location_id for level in levels), False))
    counts = await counts_since(ctx, levels, ctx.event_time)
    return await corrections_for(ctx, moves, latest_after(counts, levels, ctx.event_time))


async def corrections_for(
    ctx: OpContext, moves: list[MoveRequest], latest: dict[Level, BinCount]
) -> tuple[list[MoveRequest], list[RaisedException]]:
    """The rule itself, given the latest count after this op's event of each level it touches."""
    corrections: list[MoveRequest] = []
    exceptions: list[RaisedException] = []
    loss_id: int | None = None
    for index, move in enumerate(moves):
        for side, location in (("from", move.from_location_id), ("to", move.to_location_id)):
            level = Level(location, move.sku_id, move.lot_id)
            count = latest.get(level)
            if count is None:
                continue
            if count.counted_at - ctx.event_time <= COUNT_AMBIGUITY:
                exceptions.append(await _recount(ctx, level, count))
                continue
            if loss_id is None:
                loss_id = (await virtual_location(ctx.session, ctx.warehouse_id, LocationType.loss)).id
            # Cancel this move's effect on the counted bin: give back what it took, take back what it added.
            src, dst = (loss_id, level.location_id) if side == "from" else (level.location_id, loss_id)
            suffix = f"correct-{side}" if len(moves) == 1 else f"correct-{index}-{side}"
            corrections.append(
                fact_move(
                    ctx,
                    reference=move.reference,
                    sku_id=move.sku_id,
                    lot_id=move.lot_id,
                    qty=move.qty,
                    from_location_id=src,
                    to_location_id=dst,
                    reason=MoveReason.correction,
                    suffix=suffix,
                )
            )
            exceptions.append(
                await open_exception(
                    ctx.session,
                    warehouse_id=ctx.warehouse_id,
                    kind="count_correction",
                    message=(
                        f"a move of {move.qty} that happened before count {count.id} of bin {level.location_id} "
                        "arrived after it; the count already included it, so its effect on that bin was reversed"
                    ),
                    message_zh="盘点后才到达的早前移动已计入盘点，已对该库位做冲正",
                    refs={
                        "location_id": level.location_id,
                        "sku_id": move.sku_id,
                        "lot_id": move.lot_id,
                        "bin_count_id": count.id,
                        "qty": move.qty,
                    },
                    op_id=ctx.op.op_id,
                )
            )
    return corrections, exceptions


async def _recount(ctx: OpContext, level: Level, count: BinCount) -> RaisedException:
    """Too close to tell whether the counter saw the move: neither trust nor correct; recount."""
    task, _ = await open_count_task(
        ctx.session,
        warehouse_id=ctx.warehouse_id,
        location_id=level.location_id,
        sku_id=level.sku_id,
        reason=f"a move arrived within {COUNT_AMBIGUITY} before count {count.id}",
        source_op_id=ctx.op.op_id,
        kind=TaskKind.recount,
    )
    return task_raised(
        "recount",
        task,
        f"a move close to count {count.id} of bin {level.location_id}: recount the bin",
        "移动与盘点时间过近，请复盘该库位",
        location_id=level.location_id,
        sku_id=level.sku_id,
        bin_count_id=count.id,
    )

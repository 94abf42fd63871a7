"""Sync op handlers of the warehouse domain (SPEC.md §7): moves between bins and bin counts.

Both ops are *facts*: the goods were moved, the bin was counted. They are never refused for being
inconvenient (a bin going negative, a frozen bin, a count that disagrees); surprises become count
tasks and exceptions for a person. Only a payload that cannot mean anything — an unknown SKU or
location, a location of another warehouse — is rejected. Stock is written only through
``post_moves``.

Counts follow the freeze-book rule (SPEC.md §7.4): a count at ``t`` is compared with the ledger
*as of* ``t``; moves recorded after ``t`` stay. A move that arrives after a count but happened
before it was already seen by the counter, so its effect on the counted bin is cancelled with a
correcting move against the warehouse's ``@LOSS`` location. A count whose variance exceeds the
warehouse's threshold posts nothing and waits for a supervisor (``count_approvals``, ADR-0013);
approving it posts the adjustment this handler would have posted — counted − ledger as of the
count — measured at approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.syncapi.facts import fact_move, location_of, post_facts
from server.tasks.models import TaskKind, TaskStatus
from server.tasks.service import find_open_count_task, open_count_task, task_raised
from server.warehouse.bin_locks import lock_bins
from server.warehouse.count_models import TRUSTED_OUTCOMES, BinCount, CountOutcome
from server.warehouse.count_settings import Assessed, assess, thresholds_of
from server.warehouse.count_variances import hold_for_approval, supersede_pending
from server.warehouse.late_moves import COUNT_AMBIGUITY, Level, count_after
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.ledger.service import MoveRequest, PostedMove
from server.warehouse.ledger.stock_states import level_on_hand
from server.warehouse.models import VIRTUAL_TYPES, Location, LocationType
from server.warehouse.stock_facts import Planned, apply_stock_facts
from server.warehouse.virtual_locations import virtual_location
from sync.registry import OpContext, OpKind, OpRejected, OpSpec, Outcome
from sync.wire import RaisedException

BOOKKEEPING_REASONS = (MoveReason.count_adjustment, MoveReason.correction)
"""Moves that change the books, not the shelf: they never make a count's timing ambiguous."""

PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]


class ItemMoved(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``qty`` of a SKU (and lot) was carried from one bin to another."""

    sku_id: int
    from_location_id: int
    to_location_id: int
    qty: PositiveInt
    lot_id: int | None = None
    reason: Literal["putaway", "transfer", "replenishment"] = "transfer"
    counts_bins: ClassVar[bool] = False

    @classmethod
    async def prepare(cls, contexts: Sequence[OpContext], facts: Sequence[ItemMoved]) -> None:
        """Nothing beyond the bins: a move names everything it touches."""

    def levels(self, ctx: OpContext) -> set[Level]:
        return {
            Level(self.from_location_id, self.sku_id, self.lot_id),
            Level(self.to_location_id, self.sku_id, self.lot_id),
        }

    async def plan(self, ctx: OpContext) -> Planned:
        return Planned([await _planned_move(ctx, self)], partial(_moved, ctx, self))


class BinCounted(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """At the op's event time the bin held ``counted_qty`` of the SKU (and lot)."""

    location_id: int
    sku_id: int
    counted_qty: NonNegativeInt
    lot_id: int | None = None
    counts_bins: ClassVar[bool] = True

    def levels(self, ctx: OpContext) -> set[Level]:
        return {Level(self.location_id, self.sku_id, self.lot_id)}

    async def apply(self, ctx: OpContext) -> Outcome:
        """In a run of stock facts, a count is applied on its own (``StandaloneFact``)."""
        return await bin_counted(ctx, self)


# --- shared helpers -------------------------------------------------------------------------------


async def _bin_in_scope(ctx: OpContext, location_id: int, field: str) -> Location:
    """The physical location ``location_id`` of the op's warehouse, or the op is rejected."""
    location = await location_of(ctx, location_id)
    if location is None:
        raise OpRejected(
            "invalid_reference",
            f"location {location_id} does not exist",
            message_zh="库位不存在",
            detail={"field": field, "location_id": location_id},
        )
    if location.warehouse_id != ctx.warehouse_id:
        raise OpRejected(
            "location_out_of_scope",
            f"location {location_id} is not in warehouse {ctx.warehouse_id}",
            message_zh="库位不属于本仓库",
            detail={"field": field, "location_id": location_id},
        )
    if location.type in VIRTUAL_TYPES:
        raise OpRejected(
            "invalid_reference",
            f"location {location_id} is virtual ({location.type}); only bins can be scanned",
            message_zh="虚拟库位不能扫描",
            detail={"field": field, "location_id": location_id},
        )
    return location


def _level_filter(level: Level) -> ColumnElement[bool]:
    lot = StockMove.lot_id.is_(None) if level.lot_id is None else StockMove.lot_id == level.lot_id
    return and_(
        StockMove.sku_id == level.sku_id,
        lot,
        or_(StockMove.from_location_id == level.location_id, StockMove.to_location_id == level.location_id),
    )


async def _on_hand(session: AsyncSession, level: Level, *, lock: bool = False) -> int:
    return await level_on_hand(session, level.location_id, level.sku_id, level.lot_id, lock=lock)


async def _net_after(session: AsyncSession, level: Level, after: datetime) -> int:
    """What the moves of ``level`` that happened after ``after`` added to it (negative: took away)."""
    signed = case((StockMove.to_location_id == level.location_id, StockMove.qty), else_=-StockMove.qty)
    value = await session.scalar(
        select(func.coalesce(func.sum(signed), 0)).where(_level_filter(level), StockMove.occurred_at > after)
    )
    return int(value or 0)


async def _physical_move_between(session: AsyncSession, level: Level, start: datetime, end: datetime) -> bool:
    """Whether goods of ``level`` physically moved strictly between ``start`` and ``end``."""
    found = await session.scalar(
        select(StockMove.id)
        .where(
            _level_filter(level),
            StockMove.occurred_at > start,
            StockMove.occurred_at < end,
            StockMove.reason.not_in(BOOKKEEPING_REASONS),
        )
        .limit(1)
    )
    return found is not None


async def _loss_location_id(ctx: OpContext) -> int:
    return (await virtual_location(ctx.session, ctx.warehouse_id, LocationType.loss)).id


def _reference(ctx: OpContext) -> str:
    """Moves of these ops name the op itself: there is no document behind a put-away or a count."""
    return f"op:{ctx.op.op_id}"


# --- warehouse.item_moved -------------------------------------------------------------------------


async def _planned_move(ctx: OpContext, p: ItemMoved) -> MoveRequest:
    await _bin_in_scope(ctx, p.from_location_id, "from_location_id")
    await _bin_in_scope(ctx, p.to_location_id, "to_location_id")
    return fact_move(
        ctx,
        reference=_reference(ctx),
        sku_id=p.sku_id,
        lot_id=p.lot_id,
        qty=p.qty,
        from_location_id=p.from_location_id,
        to_location_id=p.to_location_id,
        reason=MoveReason(p.reason),
    )


async def _moved(
    ctx: OpContext, p: ItemMoved, posted: list[PostedMove], on_hand: int, exceptions: list[RaisedException]
) -> Outcome:
    """The outcome once the op's moves are posted and the source bin's on-hand after them is known."""
    if on_hand < 0:
        task, _ = await open_count_task(
            ctx.session,
            warehouse_id=ctx.warehouse_id,
            location_id=p.from_location_id,
            sku_id=p.sku_id,
            reason=f"stock went negative ({on_hand}) after a move",
            source_op_id=ctx.op.op_id,
        )
        exceptions.append(
            task_raised(
                "negative_stock",
                task,
                f"bin {p.from_location_id} shows {on_hand} of SKU {p.sku_id}: count it",
                "库位库存为负，请盘点",
                location_id=p.from_location_id,
                sku_id=p.sku_id,
                lot_id=p.lot_id,
                on_hand=on_hand,
            )
        )
    result: dict[str, Any] = {"move_id": posted[0].move_id, "from_on_hand": on_hand}
    if len(posted) > 1:
        result["correction_move_ids"] = [m.move_id for m in posted[1:]]
    return Outcome(result=result, exceptions=exceptions)


async def item_moved(ctx: OpContext, p: ItemMoved) -> Outcome:
    (outcome,) = await apply_stock_facts([ctx], [p])
    return outcome


# --- warehouse.bin_counted ------------------------------------------------------------------------


async def _check_sku_and_lot(ctx: OpContext, sku_id: int, lot_id: int | None) -> Sku:
    """The counted SKU (its cost prices the variance), or the op is rejected."""
    sku = await ctx.session.get(Sku, sku_id)
    if sku is None or sku.is_kit:
        raise OpRejected(
            "invalid_reference",
            f"SKU {sku_id} does not exist" if sku is None else f"SKU {sku_id} is a kit: count its components",
            message_zh="SKU 不存在或为组合装",
            detail={"field": "sku_id"},
        )
    if lot_id is None:
        if sku.lot_controlled:
            raise OpRejected(
                "invalid_reference",
                f"SKU {sku_id} is lot-controlled: give lot_id",
                message_zh="该 SKU 需批次管理，请指定批次",
                detail={"field": "lot_id"},
            )
        return sku
    lot = await ctx.session.get(Lot, lot_id)
    if lot is None or lot.sku_id != sku_id:
        raise OpRejected(
            "invalid_reference",
            f"lot {lot_id} is not a lot of SKU {sku_id}",
            message_zh="批次与 SKU 不匹配",
            detail={"field": "lot_id"},
        )
    return sku


async def _previous_count(ctx: OpContext, level: Level) -> BinCount | None:
    """The latest count of the same level taken at or before this one; a count a supervisor
    rejected is not an observation to compare with (one waiting for approval is)."""
    result: BinCount | None = await ctx.session.scalar(
        select(BinCount)
        .where(
            BinCount.location_id == level.location_id,
            BinCount.sku_id == level.sku_id,
            BinCount.lot_key == level.lot_key,
            BinCount.counted_at <= ctx.event_time,
            BinCount.outcome != CountOutcome.rejected,
        )
        .order_by(BinCount.counted_at.desc(), BinCount.id.desc())
        .limit(1)
    )
    return result


async def _count_verdict(
    ctx: OpContext, p: BinCounted, level: Level, *, answers_recount: bool
) -> tuple[tuple[str, str, str] | None, BinCount | None]:
    """Whether this count may adjust the ledger (SPEC.md §7.4): answers (recount reason, later count).

    In order: a physical move within the clock-uncertainty window makes it ambiguous; a trusted
    count taken *after* this one already set the bin (this one is superseded — or, if the two
    disagree with nothing moved between them, a recount); an earlier count that disagrees with
    nothing moved between asks for a recount — unless this count answers an open recount task,
    which is what settles such a disagreement (otherwise recounts could loop for ever).
    """
    at = ctx.event_time
    if await _physical_move_between(ctx.session, level, at - COUNT_AMBIGUITY, at + COUNT_AMBIGUITY):
        return (
            "recount",
            f"a move of bin {p.location_id} happened within {COUNT_AMBIGUITY} of the count: not adjusted, recount",
            "盘点时间附近有库存移动，未调整，请复盘",
        ), None
    later = await count_after(ctx, level)
    other = later or await _previous_count(ctx, level)
    if other is None or other.counted_qty == p.counted_qty:
        return None, later
    if await _physical_move_between(ctx.session, level, min(other.counted_at, at), max(other.counted_at, at)):
        return None, later
    if later is None and answers_recount:
        return None, None
    return (
        "counts_disagree",
        f"count {other.id} found {other.counted_qty}, this one {p.counted_qty}, and nothing moved "
        "between them: not adjusted, recount",
        "两次盘点结果不一致且期间无移动，未调整，请复盘",
    ), later


async def ledger_as_of(ctx: OpContext, level: Level) -> int:
    """The ledger's quantity of ``level`` as of the op's event time (moves after it stay), with the
    bin held exclusively and the level row locked: nothing moves it until the transaction ends."""
    await lock_bins(ctx, {level.location_id: True})
    on_hand = await _on_hand(ctx.session, level, lock=True)
    return on_hand - await _net_after(ctx.session, level, ctx.event_time)


async def moved_just_before(ctx: OpContext, level: Level) -> bool:
    """Whether goods of ``level`` physically moved within the clock window before the count (or at
    its instant): a move the counter may or may not have seen."""
    at = ctx.event_time
    return await _physical_move_between(ctx.session, level, at - COUNT_AMBIGUITY, at + timedelta(microseconds=1))


async def post_count_adjustment(ctx: OpContext, level: Level, adjustment: int) -> int | None:
    """Post ``adjustment`` (counted − ledger as of the count) against ``@LOSS`` at the count's event
    time, keyed by the count's op (posted once, however often asked); the move id, or ``None`` for 0."""
    if not adjustment:
        return None
    loss_id = await _loss_location_id(ctx)
    src, dst = (loss_id, level.location_id) if adjustment > 0 else (level.location_id, loss_id)
    (posted,) = await post_facts(
        ctx,
        [
            fact_move(
                ctx,
                reference=_reference(ctx),
                sku_id=level.sku_id,
                lot_id=level.lot_id,
                from_location_id=src,
                to_location_id=dst,
                qty=abs(adjustment),
                reason=MoveReason.count_adjustment,
            )
        ],
    )
    return posted.move_id


async def bin_counted(ctx: OpContext, p: BinCounted) -> Outcome:
    await _bin_in_scope(ctx, p.location_id, "location_id")
    sku = await _check_sku_and_lot(ctx, p.sku_id, p.lot_id)
    level = Level(p.location_id, p.sku_id, p.lot_id)
    at = ctx.event_time
    ledger_qty = await ledger_as_of(ctx, level)

    answering = await find_open_count_task(
        ctx.session, warehouse_id=ctx.warehouse_id, location_id=p.location_id, kind=TaskKind.recount
    )
    recount, superseded_by = await _count_verdict(ctx, p, level, answers_recount=answering is not None)
    if recount is not None or superseded_by is not None:
        answering = None  # this count settles nothing

    exceptions: list[RaisedException] = []
    adjustment = 0
    move_id: int | None = None
    held: Assessed | None = None
    if superseded_by is not None and recount is None:
        outcome = CountOutcome.superseded
    elif recount is not None:
        outcome = CountOutcome.recount
        kind, message, message_zh = recount
        task, _ = await open_count_task(
            ctx.session,
            warehouse_id=ctx.warehouse_id,
            location_id=p.location_id,
            sku_id=p.sku_id,
            reason=message,
            source_op_id=ctx.op.op_id,
            kind=TaskKind.recount,
        )
        exceptions.append(
            task_raised(
                kind,
                task,
                message,
                message_zh,
                location_id=p.location_id,
                sku_id=p.sku_id,
                lot_id=p.lot_id,
                counted_qty=p.counted_qty,
                ledger_qty=ledger_qty,
            )
        )
    else:
        variance = p.counted_qty - ledger_qty
        assessed = assess(await thresholds_of(ctx.session, ctx.warehouse_id), sku, variance) if variance else None
        if assessed is not None and assessed.needs_approval:
            outcome = CountOutcome.awaiting_approval  # the recount it answers is still done: it was counted
            held = assessed
        else:
            adjustment = variance
            outcome = CountOutcome.adjusted if adjustment else CountOutcome.matched
            move_id = await post_count_adjustment(ctx, level, adjustment)
        if answering is not None:  # this count settles the recount that was asked for
            answering.status = TaskStatus.done
            answering.completed_at = ctx.received_at

    count = BinCount(
        location_id=p.location_id,
        sku_id=p.sku_id,
        lot_id=p.lot_id,
        lot_key=level.lot_key,
        counted_qty=p.counted_qty,
        ledger_qty=ledger_qty,
        adjustment_move_id=move_id,
        outcome=outcome,
        counted_at=at,
        user_id=ctx.user_id,
        device_id=ctx.device_id,
        op_id=ctx.op.op_id,
    )
    ctx.session.add(count)
    await ctx.session.flush()
    result: dict[str, Any] = {"adjustment": adjustment, "ledger_qty": ledger_qty, "outcome": outcome.value}
    if held is not None:
        variance_row, raised = await hold_for_approval(ctx, count, held)
        exceptions.append(raised)
        result["variance"] = held.variance
        result["count_variance_id"] = variance_row.id
    elif outcome in TRUSTED_OUTCOMES:
        superseded = await supersede_pending(ctx.session, count, at=ctx.received_at)
        if superseded:
            result["superseded_count_variance_ids"] = superseded
    if superseded_by is not None:
        result["superseded_by_count_id"] = superseded_by.id
    if answering is not None:
        result["settled_task_id"] = answering.id
    return Outcome(result=result, exceptions=exceptions)


OP_SPECS: list[OpSpec] = [
    OpSpec(
        name="warehouse.item_moved",
        kind=OpKind.fact,
        version=1,
        payload_type=ItemMoved,
        handler=item_moved,
        batch_handler=apply_stock_facts,
        description="Goods were carried from one bin to another (putaway, transfer, replenishment).",
    ),
    OpSpec(
        name="warehouse.bin_counted",
        kind=OpKind.fact,
        version=1,
        payload_type=BinCounted,
        handler=bin_counted,
        batch_handler=apply_stock_facts,
        description=(
            "A bin was counted; adjusts the ledger as of the count's time, opens a recount, or — above the "
            "warehouse's variance threshold — waits for a supervisor's approval."
        ),
    ),
]

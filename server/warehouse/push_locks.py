"""Every lock a push will need, taken before its first op, in one global order (SPEC.md §5.2).

Why: a push applies a phone's ops in the phone's order, so without this it locks bins and levels
in that order too — one run of moves, then a count, then more moves. Two phones working the same
aisle then lock the same rows in different orders, and PostgreSQL breaks the cycle by failing
one push after a second's wait: the replay benchmark saw 48 deadlocks in 80 pushes. Taking them
all first — task lines, tasks, bins (shared, or exclusive where the push counts them), levels,
each in id order — turns every such cycle into a plain wait. The handlers then find their bins
held (``bin_locks`` skips them) and their level rows locked already.

Levels that do not exist yet are created at zero: a level with no row cannot be locked, and two
pushes inserting the same new levels in different orders deadlock on the unique index.

SQLite has one writer at a time (``BEGIN IMMEDIATE``), so there is nothing to order there.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from server.db.types import utcnow
from server.syncapi.facts import location_of
from server.warehouse.bin_locks import lock_bins
from server.warehouse.late_moves import Level
from server.warehouse.ledger.writes import lock_levels
from server.warehouse.models import UNBOUNDED_TYPES
from server.warehouse.stock_facts import prepare_by_kind
from sync.registry import OpContext


@runtime_checkable
class HoldsLevels(Protocol):
    """A payload that can say, before it runs, which stock levels it will change or read."""

    counts_bins: ClassVar[bool]
    """True for counts: their bins are held exclusively (moves only share them)."""

    def levels(self, ctx: OpContext) -> set[Level]: ...


async def lock_up_front(contexts: list[OpContext], payloads: list[Any]) -> None:
    """Lock what the push's ops will touch; ops of other kinds lock as they go."""
    if not contexts or contexts[0].session.get_bind().dialect.name != "postgresql":
        return
    first = contexts[0]
    await prepare_by_kind(contexts, payloads)

    levels: set[Level] = set()
    modes: dict[int, bool] = {}
    for ctx, payload in zip(contexts, payloads, strict=True):
        if isinstance(payload, HoldsLevels):
            mine = payload.levels(ctx)
            levels |= mine
            for level in mine:
                modes[level.location_id] = modes.get(level.location_id, False) or payload.counts_bins
    await lock_bins(first, modes)
    await _lock_levels(first, levels)


async def _lock_levels(ctx: OpContext, levels: set[Level]) -> None:
    """Lock (creating at zero) the tracked levels of this warehouse's bins."""
    tracked = []
    for level in levels:
        location = await location_of(ctx, level.location_id)  # loaded by lock_bins
        if location is not None and location.warehouse_id == ctx.warehouse_id and location.type not in UNBOUNDED_TYPES:
            tracked.append((level.location_id, level.sku_id, level.lot_key))
    await lock_levels(ctx.session, tracked, utcnow())

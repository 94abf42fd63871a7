"""Bin locks: a count holds its bin alone, moves share it (SPEC.md §7.4).

A count and a move of one bin must never read each other half-done, while moves stay concurrent
with each other. Level rows cannot serve — a level that does not exist yet has no row to lock, and
a count of an empty bin raced a move into it (found by the floor simulation on PostgreSQL) — so
bins are locked, in id order, the ledger's order.

Why advisory locks rather than ``SELECT … FOR SHARE / FOR UPDATE`` on the location rows: a push
takes all its bins up front (``push_locks``), some shared and some exclusive, and row locks need
one statement per change of mode to keep the id order — eleven statements for a push holding five
counts. Advisory locks take any mix of modes in one statement, in id order. They live only until
the transaction ends, like row locks. SQLite has one writer at a time, so there it only loads.
"""

from __future__ import annotations

from sqlalchemy import text

from server.syncapi.facts import load_locations
from sync.registry import OpContext

BIN_LOCK_SPACE = 0x42494E << 40
"""Advisory key of bin ``id`` is ``BIN_LOCK_SPACE + id`` ("BIN" in ASCII, above any bin id)."""

_PG_LOCK = text(
    "SELECT CASE WHEN b.e THEN pg_advisory_xact_lock(b.k) ELSE pg_advisory_xact_lock_shared(b.k) END "
    "FROM (SELECT k, e FROM unnest(CAST(:keys AS bigint[]), CAST(:exclusive AS boolean[])) AS u(k, e) "
    "ORDER BY k) AS b"
)
_HELD = "warehouse.bin_locks"


def _held(ctx: OpContext) -> dict[int, bool]:
    """Bins this transaction holds: id → exclusive."""
    held: dict[int, bool] = ctx.session.info.setdefault(_HELD, {})
    return held


async def lock_bins(ctx: OpContext, modes: dict[int, bool]) -> None:
    """Lock each bin of ``modes`` (id → exclusive) unless held already in that mode or stronger, in
    id order, and load the location rows the handlers check next."""
    held = _held(ctx)
    wanted = {i: exclusive for i, exclusive in modes.items() if i not in held or (exclusive and not held[i])}
    await load_locations(ctx, modes)
    if not wanted or ctx.session.get_bind().dialect.name != "postgresql":
        return
    ordered = sorted(wanted)
    await ctx.session.execute(
        _PG_LOCK, {"keys": [BIN_LOCK_SPACE + i for i in ordered], "exclusive": [wanted[i] for i in ordered]}
    )
    held.update(wanted)

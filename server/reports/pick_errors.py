"""Which pick moves of a report's range were later found wrong — the "accuracy" of productivity.

A pick (one ``pick`` move: units of one SKU taken from one bin by one person) counts as wrong when
what is recorded says the picker erred:

- the pick op itself raised ``wrong_item`` (a SKU or lot the line did not ask for) or ``over_pick``
  (beyond the line's quantity): the exception carries the op id, the move's ledger key is
  ``op:<op id>``, so the two meet on the unique key;
- a pack check (复核) of a parcel naming the pick — its reference is the pick's reference (the task's
  order number or wave code) or its task is the pick's task — failed for the pick's SKU (scanned and
  expected quantities differ), at or after the pick. A parcel of one order from a wave names the
  order, not the wave: a batch pick feeds many parcels and the goods are sorted after it, so such a
  mismatch is the sorter's or packer's as much as the picker's and is not held against the pick.

A short pick is not an error of the picker: the phone reports what the bin held, and the count task
it opens judges the books, not the person (that shows in the counts report).

Both sources are exceptions — few rows — so their own tables are read with indexed ranges
(``work_exceptions (kind, created_at)``, ``parcel_verifications (status, verified_at)``) and the
moves they name are fetched by key or reference; nothing walks the range's picks here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.bulk import id_in
from server.fulfilment.models import ParcelVerification, VerificationStatus
from server.reports.range_scope import RangeScope
from server.tasks.models import Task, WorkException
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.models import Location

PICK_ERROR_KINDS = ("wrong_item", "over_pick")
"""Exceptions a pick op raises against the picker (``server.fulfilment.ops``)."""


@dataclass(frozen=True, slots=True)
class WrongPick:
    user_id: int | None
    warehouse_id: int
    zone_id: int | None


def _pick_moves(scope: RangeScope, *extra: Any) -> Select[Any]:
    return (
        select(StockMove.id, StockMove.actor_user_id, Location.warehouse_id, Location.zone_id, *extra)
        .join(Location, Location.id == StockMove.from_location_id)
        .where(
            StockMove.reason == MoveReason.pick,
            StockMove.occurred_at >= scope.start,
            StockMove.occurred_at < scope.end,
            scope.only(Location.warehouse_id),
        )
    )


async def wrong_picks(session: AsyncSession, scope: RangeScope) -> dict[int, WrongPick]:
    """Move id → who and where, for each pick of the range found wrong (each counted once)."""
    found: dict[int, WrongPick] = {}
    flagged = select(literal("op:") + WorkException.op_id).where(
        WorkException.kind.in_(PICK_ERROR_KINDS),
        WorkException.created_at >= scope.start,  # raised when the op arrived: never before the pick
        WorkException.op_id != "",
        scope.only(WorkException.warehouse_id),
    )
    for move_id, user_id, warehouse_id, zone_id in await session.execute(
        _pick_moves(scope).where(StockMove.idempotency_key.in_(flagged))
    ):
        found[int(move_id)] = WrongPick(user_id, int(warehouse_id), zone_id)
    for move_id, pick in (await _failed_pack_checks(session, scope)).items():
        found.setdefault(move_id, pick)
    return found


async def _failed_pack_checks(session: AsyncSession, scope: RangeScope) -> dict[int, WrongPick]:
    checks = await session.execute(
        select(
            ParcelVerification.warehouse_id,
            ParcelVerification.reference,
            Task.reference,
            ParcelVerification.expected,
            ParcelVerification.scanned,
            ParcelVerification.verified_at,
        )
        .outerjoin(Task, Task.id == ParcelVerification.task_id)
        .where(
            ParcelVerification.status == VerificationStatus.mismatch,
            ParcelVerification.verified_at >= scope.start,
            scope.only(ParcelVerification.warehouse_id),
        )
    )
    latest: dict[tuple[int, str, int], datetime] = {}
    """(warehouse, reference, SKU) → the last failed check: picks up to then are blamed."""
    for warehouse_id, reference, task_reference, expected, scanned, verified_at in checks:
        for sku in _differing_skus(expected or {}, scanned or {}):
            for ref in {reference, task_reference} - {None, ""}:
                key = (int(warehouse_id), str(ref), sku)
                latest[key] = max(verified_at, latest.get(key, verified_at))
    if not latest:
        return {}
    references = sorted({ref for _, ref, _ in latest})
    skus = {sku for _, _, sku in latest}
    rows = await session.execute(
        _pick_moves(scope, StockMove.reference, StockMove.sku_id, StockMove.occurred_at).where(
            StockMove.reference.in_(references), id_in(session, StockMove.sku_id, skus)
        )
    )
    blamed: dict[int, WrongPick] = {}
    for move_id, user_id, warehouse_id, zone_id, reference, sku_id, occurred_at in rows:
        checked = latest.get((int(warehouse_id), reference, int(sku_id)))
        if checked is not None and occurred_at <= checked:
            blamed[int(move_id)] = WrongPick(user_id, int(warehouse_id), zone_id)
    return blamed


def _differing_skus(expected: dict[str, Any], scanned: dict[str, Any]) -> set[int]:
    """SKUs (JSON keys are their ids as text) whose scanned quantity is not the expected one."""
    return {
        int(sku)
        for sku in set(expected) | set(scanned)
        if str(sku).isdigit() and int(expected.get(sku) or 0) != int(scanned.get(sku) or 0)
    }

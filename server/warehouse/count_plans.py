"""Cycle counts a supervisor asks for (盘点计划): by zone, by bins, or by SKU; blind by default.

Counts opened by the floor's own surprises (a bin gone negative, a short pick, two counts that
disagree) come from the sync policies; these are the planned ones. Each zone gets its own task,
bins in walking order, at most ``MAX_BINS`` per task so one counter can finish one. A blind count
does not show the counter what the books expect — the honest count — and its lines carry no
quantity; a non-blind count shows the current on-hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.lib.errors import ValidationFailed
from server.tasks.models import Task, TaskKind
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location, LocationType

MAX_BINS = 50
COUNTABLE = (LocationType.storage, LocationType.pick, LocationType.receiving, LocationType.returns)


async def plan_counts(
    session: AsyncSession,
    user: AuthUser,
    *,
    warehouse_id: int,
    zone_id: int | None = None,
    location_ids: Sequence[int] | None = None,
    sku_id: int | None = None,
    blind: bool = True,
    max_bins: int = MAX_BINS,
) -> list[tuple[Task, int]]:
    """The tasks opened, each with its number of bins."""
    user.require_warehouse(warehouse_id)
    statement = select(Location).where(
        Location.warehouse_id == warehouse_id, Location.active.is_(True), Location.type.in_(COUNTABLE)
    )
    if zone_id is not None:
        statement = statement.where(Location.zone_id == zone_id)
    if location_ids is not None:
        statement = statement.where(Location.id.in_(sorted(set(location_ids))))
    on_hand: dict[int, int] = {}
    if sku_id is not None:
        levels = await session.execute(
            select(StockLevel.location_id, StockLevel.on_hand).where(
                StockLevel.sku_id == sku_id, StockLevel.on_hand != 0
            )
        )
        on_hand = {row[0]: int(row[1]) for row in levels}
        statement = statement.where(Location.id.in_(sorted(on_hand)))
    bins = list(await session.scalars(statement.order_by(Location.walking_sequence, Location.code)))
    if not bins:
        raise ValidationFailed(
            "no bin matches: nothing to count", message_zh="没有符合条件的库位，无需盘点", code="nothing_to_count"
        )
    by_zone: dict[int | None, list[Location]] = defaultdict(list)
    for location in bins:
        by_zone[location.zone_id].append(location)
    tasks: list[tuple[Task, int]] = []
    what = f"SKU {sku_id}" if sku_id is not None else "all SKUs"
    for zone, members in sorted(by_zone.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        for start in range(0, len(members), max(1, max_bins)):
            chunk = members[start : start + max(1, max_bins)]
            task = await open_task(
                session,
                warehouse_id=warehouse_id,
                kind=TaskKind.bin_count,
                lines=[
                    LineSpec(location_id=b.id, sku_id=sku_id, qty=0 if blind else on_hand.get(b.id, 0)) for b in chunk
                ],
                reference=f"count-plan:{zone if zone is not None else '-'}",
                reason=f"planned {'blind ' if blind else ''}count of {what}, {len(chunk)} bins",
                priority=3,
            )
            task.blind = blind
            tasks.append((task, len(chunk)))
    await session.flush()
    return tasks

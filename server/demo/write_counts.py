"""Two blind cycle counts (盘点) planned in Hangzhou, so the demo counter has work when they log in.

One counts the aisle around the bin the stock plan freezes ("a count is under way there"), the
other the high-value cage (贵品区) a supervisor counts most often. Neither touches a bin holding a
SKU of today's orders, so the counts and the waves' picks never meet. Planned the way
``POST /api/count-tasks`` plans them (``plan_counts``), one task per call.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.demo.layout_spec import WAREHOUSES
from server.demo.order_spec import ORDER_WAREHOUSE
from server.demo.stock_plan import PlacementKind, StockPlan
from server.demo.write_stock import DemoIds
from server.tasks.models import Task, TaskKind
from server.warehouse.count_plans import plan_counts
from server.warehouse.models import LocationType

BINS_PER_COUNT = 10
PLANNER = AuthUser(
    id=0,
    username="demo-loader",
    roles=(),
    permissions=frozenset(),
    all_warehouses=True,
    warehouse_ids=frozenset(),
    device_id=None,
    token_id=0,
)
"""Who plans the counts: the loader runs before any user exists, and ``plan_counts`` asks the
caller only for its warehouse scope."""


def count_bins(plan: StockPlan, ordered: Collection[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The bin codes of the two counts: stocked racked bins, in walking order, none holding an
    ordered SKU; the first count starts at the frozen bin."""
    spec = next(w for w in WAREHOUSES if w.code == ORDER_WAREHOUSE)
    racked = {b.code: b for b in spec.bins() if b.type in (LocationType.pick, LocationType.storage)}
    busy = {p.bin for p in plan.placements if p.warehouse == ORDER_WAREHOUSE and p.sku in ordered}
    stocked = sorted(
        {
            p.bin
            for p in plan.placements
            if p.warehouse == ORDER_WAREHOUSE and p.kind is PlacementKind.receipt and p.bin in racked
        }
        - busy,
        key=lambda code: racked[code].walking_sequence,
    )
    frozen = next(code for wh, code in plan.frozen_bins if wh == ORDER_WAREHOUSE)
    aisle = [code for code in stocked if racked[code].zone == racked[frozen].zone and code != frozen]
    here = racked[frozen].walking_sequence
    after = [code for code in aisle if racked[code].walking_sequence > here]
    before = [code for code in aisle if racked[code].walking_sequence < here]
    first = (frozen, *(after + before)[: BINS_PER_COUNT - 1])
    cage = "V" if racked[frozen].zone != "V" else "C"
    second = tuple(code for code in stocked if racked[code].zone == cage)[:BINS_PER_COUNT]
    return first, second


async def plan_demo_counts(session: AsyncSession, ids: DemoIds, bins: tuple[tuple[str, ...], ...]) -> int:
    """Plan the counts unless an interrupted load already did; answers the tasks opened now."""
    warehouse_id = ids.warehouses[ORDER_WAREHOUSE]
    planned = await session.scalar(
        select(Task.id)
        .where(Task.warehouse_id == warehouse_id, Task.kind == TaskKind.bin_count, Task.reference.like("count-plan:%"))
        .limit(1)
    )
    if planned is not None:
        return 0
    opened = 0
    for codes in bins:
        tasks = await plan_counts(
            session,
            PLANNER,
            warehouse_id=warehouse_id,
            location_ids=[ids.locations[(ORDER_WAREHOUSE, code)] for code in codes],
            blind=True,
        )
        opened += len(tasks)
    return opened

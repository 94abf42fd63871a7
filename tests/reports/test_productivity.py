"""The productivity report: picks, units, active hours, picks per hour and accuracy per picker and
zone, from picks pushed by phones through the real sync API, on SQLite and PostgreSQL.

Picks happen three days ago and the day after, in Shanghai time: one at 23:50 and the next at
00:10 fall on different local days (and different UTC dates than their local ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.reports.local_time import offset_periods
from server.reports.productivity import productivity_report
from server.tasks.models import TaskKind, TaskLine
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.models import LocationType, Zone
from tests.factories import make_bin, make_sku, make_user, make_warehouse
from tests.reports.warehouse_report_support import manager, rows, scope_of, series, tiles, truncated
from tests.sync_support import Client, SimDevice, make_device

Factory = async_sessionmaker[AsyncSession]
SH = ZoneInfo("Asia/Shanghai")
D = datetime.now(SH).date() - timedelta(days=3)
"""The first picking day (local); the report covers D − 1 … D + 1."""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SH).astimezone(UTC)


@dataclass
class Floor:
    warehouse_id: int
    code: str
    a: int
    b: int
    s1: int
    s2: int
    lines: dict[str, int]
    """Task line ids by name."""
    p: SimDevice
    q: SimDevice

    def pick(self, device: SimDevice, line: str, bin_id: int, sku: int, qty: int, when: datetime) -> dict[str, Any]:
        payload = {"task_line_id": self.lines[line], "location_id": bin_id, "sku_id": sku, "qty": qty}
        return device.op("fulfilment.item_picked", payload, at=when)


async def _floor(factory: Factory) -> Floor:
    """Bin A-01 in zone A and B-01 in zone B hold 100 of each SKU; four pick tasks to staging."""
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        cold = Zone(warehouse_id=wh.warehouse.id, code="B", name_zh="冷藏区", name_en="Cold room")
        s.add(cold)
        await s.flush()
        a = await make_bin(s, wh, code="A-01")
        b = await make_bin(s, wh, code="B-01")
        b.zone_id = cold.id
        staging = await make_bin(s, wh, code="STG", type=LocationType.staging)
        s1, s2 = await make_sku(s, code="S1"), await make_sku(s, code="S2")
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=wh.supplier.id,
                    to_location_id=bin_.id,
                    qty=100,
                    reason=MoveReason.receipt,
                    idempotency_key=f"seed-{bin_.id}-{sku.id}",
                    occurred_at=at(D - timedelta(days=5), 9),
                )
                for bin_ in (a, b)
                for sku in (s1, s2)
            ],
        )
        lines: dict[str, int] = {}
        for reference, specs in {
            "SO-1": [("1a", a, s1, 5), ("1b", b, s2, 3)],
            "SO-2": [("2", a, s1, 2)],
            "SO-3": [("3", a, s2, 1)],
            "SO-4": [("4", b, s2, 2)],
            "SO-0": [("0", a, s1, 1)],
        }.items():
            task = await open_task(
                s,
                warehouse_id=wh.warehouse.id,
                kind=TaskKind.pick,
                lines=[LineSpec(location_id=bin_.id, sku_id=sku.id, qty=qty) for _, bin_, sku, qty in specs],
                reference=reference,
                to_location_id=staging.id,
            )
            ids = list(
                await s.scalars(select(TaskLine.id).where(TaskLine.task_id == task.id).order_by(TaskLine.line_no))
            )
            lines.update({name: line_id for (name, *_), line_id in zip(specs, ids, strict=True)})
        warehouse, code, ids = wh.warehouse, wh.warehouse.code, (a.id, b.id, s1.id, s2.id)
    registered = datetime.now(UTC) - timedelta(days=30)
    p = await make_device(factory, warehouse, registered_at=registered)
    q = await make_device(factory, warehouse, registered_at=registered)
    return Floor(warehouse.id, code, *ids, lines, p, q)


async def _other_warehouse_pick(factory: Factory) -> None:
    """A pick in another warehouse, inside the range: never in this warehouse's report."""
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        shelf, staging = await make_bin(s, wh), await make_bin(s, wh, type=LocationType.staging)
        sku = await make_sku(s)
        user, _ = await make_user(s, [], warehouses=[wh.warehouse])
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=shelf.id,
                    to_location_id=staging.id,
                    qty=9,
                    reason=MoveReason.pick,
                    idempotency_key="elsewhere",
                    actor_user_id=user.id,
                    occurred_at=at(D, 12),
                )
            ],
            negative=NegativePolicy.allow,
        )


@pytest.fixture
async def floor(client: Client, session_factory: Factory) -> Floor:
    """P picks four times (one over-pick), Q twice (one wrong item, one later failing its pack check)."""
    f = await _floor(session_factory)
    p_ops = [
        f.pick(f.p, "0", f.a, f.s1, 1, at(D - timedelta(days=2), 10)),  # before the range
        f.pick(f.p, "1a", f.a, f.s1, 2, at(D, 23, 50)),
        f.pick(f.p, "1a", f.a, f.s1, 3, at(D + timedelta(days=1), 0, 10)),
        f.pick(f.p, "1b", f.b, f.s2, 3, at(D + timedelta(days=1), 0, 20)),
        f.pick(f.p, "2", f.a, f.s1, 4, at(D + timedelta(days=1), 9)),  # the line asks for 2: over-pick
    ]
    d1 = D + timedelta(days=1)
    q_ops = [
        f.pick(f.q, "3", f.a, f.s1, 1, at(d1, 10)),  # the line asks for S2: wrong item
        f.pick(f.q, "4", f.b, f.s2, 2, at(d1, 10, 30)),
        f.q.op("packing.parcel_verified", {"reference": "SO-4", "items": [{"sku_id": f.s2, "qty": 1}]}, at=at(d1, 11)),
        f.q.op(
            "packing.parcel_verified",
            {"reference": "SO-1", "items": [{"sku_id": f.s1, "qty": 5}, {"sku_id": f.s2, "qty": 3}]},
            at=at(d1, 11, 5),
        ),
    ]
    results = [*(await f.p.push(client, p_ops))["results"], *(await f.q.push(client, q_ops))["results"]]
    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "applied",
        "applied",
        "applied_with_exception",
        "applied_with_exception",
        "applied",
        "applied_with_exception",
        "applied",
    ], results
    await _other_warehouse_pick(session_factory)
    return f


async def _report(factory: Factory, f: Floor, *, limit: int | None = 50, all_warehouses: bool = False) -> Any:
    async with factory() as s:
        user = manager() if all_warehouses else manager(f.warehouse_id)
        scope = await scope_of(
            s, D - timedelta(days=1), D + timedelta(days=1), now=datetime.now(UTC), user=user, warehouse_id=None
        )
        return await productivity_report(s, scope, limit=limit)


async def test_picks_hours_and_accuracy_per_picker_zone_and_day(floor: Floor, session_factory: Factory) -> None:
    report = await _report(session_factory, floor)

    assert report.report == "productivity"
    assert report.filters.date_from == D - timedelta(days=1)
    assert report.filters.timezone == "Asia/Shanghai"
    # 6 picks: 3 found wrong (over-pick, wrong item, failed pack check); 4 picker-hours.
    assert tiles(report) == {"picks": 6, "units": 15, "pickers": 2, "picks_per_hour": 1.5, "accuracy": 50.0}
    # 23:50 on D and 00:10 on D + 1 are different local days.
    assert series(report, "picks_by_day") == {"picks": [0, 1, 5]}
    pickers = rows(report, "pickers")
    assert [(r["picks"], r["units"], r["active_hours"], r["picks_per_hour"], r["accuracy"]) for r in pickers] == [
        (4, 12, 3, 1.3, 75.0),
        (2, 3, 1, 2.0, 0.0),
    ]
    assert all(r["picker"] for r in pickers)
    zones = {r["zone"]: r for r in rows(report, "zones")}
    assert {k: (r["picks"], r["units"], r["pickers"], r["picker_hours"], r["accuracy"]) for k, r in zones.items()} == {
        "A": (4, 10, 2, 4, 50.0),
        "B": (2, 5, 2, 2, 50.0),
    }
    assert zones["B"]["zone_name"] == "冷藏区"
    assert zones["A"]["warehouse"] == floor.code


async def test_other_warehouses_count_only_when_in_scope(floor: Floor, session_factory: Factory) -> None:
    everywhere = await _report(session_factory, floor, all_warehouses=True)

    assert tiles(everywhere)["picks"] == 7
    assert tiles(everywhere)["units"] == 24
    assert series(everywhere, "picks_by_day") == {"picks": [0, 2, 5]}


async def test_limit_cuts_the_tables_and_says_so(floor: Floor, session_factory: Factory) -> None:
    cut = await _report(session_factory, floor, limit=1)
    everything = await _report(session_factory, floor, limit=None)

    assert [r["picks"] for r in rows(cut, "pickers")] == [4]
    assert truncated(cut, "pickers") is True
    assert tiles(cut) == tiles(everything)  # tiles are over every row
    assert len(rows(everything, "pickers")) == 2
    assert truncated(everything, "pickers") is False


async def test_a_range_without_picks_measures_nothing(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
    async with session_factory() as s:
        scope = await scope_of(s, D, D, now=datetime.now(UTC), user=manager(wh.warehouse.id))
        report = await productivity_report(s, scope)

    assert tiles(report) == {"picks": 0, "units": 0, "pickers": 0, "picks_per_hour": None, "accuracy": None}
    assert series(report, "picks_by_day") == {"picks": [0]}
    assert rows(report, "pickers") == []


async def _pick_at(s: AsyncSession, shelf: int, staging: int, sku: int, user: int, when: datetime, key: str) -> None:
    await post_moves(
        s,
        [
            MoveRequest(
                sku_id=sku,
                from_location_id=shelf,
                to_location_id=staging,
                qty=1,
                reason=MoveReason.pick,
                idempotency_key=key,
                actor_user_id=user,
                occurred_at=when,
            )
        ],
        negative=NegativePolicy.allow,
    )


async def test_days_and_hours_follow_the_warehouse_zone_across_a_dst_change(session_factory: Factory) -> None:
    """Berlin moves its clocks from 02:00 to 03:00 on 29 March 2026 (UTC+1 → UTC+2). 00:30 on
    30 March is 22:30 UTC on the 29th: a fixed +1 h offset would put it on the 29th."""
    berlin = ZoneInfo("Europe/Berlin")
    moments = [
        datetime(2026, 3, 28, 23, 30, tzinfo=berlin),
        datetime(2026, 3, 29, 0, 30, tzinfo=berlin),
        datetime(2026, 3, 29, 3, 10, tzinfo=berlin),  # the hour after the gap
        datetime(2026, 3, 29, 23, 30, tzinfo=berlin),
        datetime(2026, 3, 30, 0, 30, tzinfo=berlin),
        datetime(2026, 3, 30, 0, 40, tzinfo=berlin),  # same local hour as the previous pick
    ]
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        wh.warehouse.timezone = "Europe/Berlin"
        shelf, staging = await make_bin(s, wh), await make_bin(s, wh, type=LocationType.staging)
        sku = await make_sku(s)
        user, _ = await make_user(s, [], warehouses=[wh.warehouse])
        for n, moment in enumerate(moments):
            await _pick_at(s, shelf.id, staging.id, sku.id, user.id, moment.astimezone(UTC), f"dst-{n}")
    async with session_factory() as s:
        scope = await scope_of(
            s, date(2026, 3, 28), date(2026, 3, 30), now=datetime(2026, 4, 1, tzinfo=UTC), user=manager(wh.warehouse.id)
        )
        report = await productivity_report(s, scope)

    assert scope.zone.key == "Europe/Berlin"
    assert series(report, "picks_by_day") == {"picks": [1, 3, 2]}
    (picker,) = rows(report, "pickers")
    assert picker["active_hours"] == 5


async def test_a_day_ends_at_local_midnight_to_the_second(session_factory: Factory) -> None:
    """Shanghai midnight is 16:00 UTC: 15:59:59.999 UTC is still the day before."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        shelf, staging = await make_bin(s, wh), await make_bin(s, wh, type=LocationType.staging)
        sku = await make_sku(s)
        user, _ = await make_user(s, [], warehouses=[wh.warehouse])
        edge = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
        await _pick_at(s, shelf.id, staging.id, sku.id, user.id, edge - timedelta(milliseconds=1), "before")
        await _pick_at(s, shelf.id, staging.id, sku.id, user.id, edge, "at")
    async with session_factory() as s:
        scope = await scope_of(
            s,
            date(2026, 12, 1),
            date(2026, 12, 2),
            now=datetime(2026, 12, 5, tzinfo=UTC),
            user=manager(wh.warehouse.id),
        )
        report = await productivity_report(s, scope)

    assert series(report, "picks_by_day") == {"picks": [1, 1]}
    assert rows(report, "pickers")[0]["active_hours"] == 2


def test_offset_periods_find_the_instant_the_clocks_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    end = datetime(2026, 11, 1, tzinfo=UTC)

    assert offset_periods(berlin, start, end) == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 60),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 120),
        (None, 60),
    ]
    assert offset_periods(SH, start, end) == [(None, 480)]
    assert offset_periods(ZoneInfo("Asia/Kathmandu"), start, end) == [(None, 345)]

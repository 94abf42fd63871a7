"""The counts report: what counters found against the books, by bin, SKU and day, with the
supervisor's decisions — counts pushed by a phone through the real sync API and decided through the
approval API, on SQLite and PostgreSQL.

Counts happen two days ago (D) and the day after, in Shanghai time; one at 23:59:30 on D and the
next at 00:00:30 fall on different local days. The warehouse's default threshold holds a count for
approval above 10 units or ¥500 of variance; the SKU costs ¥12.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.auth.tokens import issue_token
from server.reports.counts import counts_report
from server.reports.envelope import Report
from server.warehouse.count_models import BinCount, CountVariance
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.reports.warehouse_report_support import manager, rows, scope_of, series, tiles, truncated
from tests.sync_support import Client, make_device

Factory = async_sessionmaker[AsyncSession]
SH = ZoneInfo("Asia/Shanghai")
D = datetime.now(SH).date() - timedelta(days=2)
COST = 1200
COUNTED = "warehouse.bin_counted"


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SH).astimezone(UTC)


@dataclass
class Counted:
    warehouse_id: int
    other_id: int
    code: str


async def _stocked(s: AsyncSession, holdings: dict[str, int]) -> tuple[Any, dict[str, int], int]:
    wh = await make_warehouse(s)
    bins = {name: (await make_bin(s, wh, code=name)).id for name in holdings}
    sku = await make_sku(s, code=f"C{wh.warehouse.id}", cost_minor=COST)
    await post_moves(
        s,
        [
            MoveRequest(
                sku_id=sku.id,
                from_location_id=wh.supplier.id,
                to_location_id=bins[name],
                qty=qty,
                reason=MoveReason.receipt,
                idempotency_key=f"seed-{bins[name]}",
                occurred_at=at(D - timedelta(days=4), 9),
            )
            for name, qty in holdings.items()
        ],
    )
    return wh, bins, sku.id


@pytest.fixture
async def counted(client: Client, session_factory: Factory) -> Counted:
    async with session_factory() as s, s.begin():
        wh, bins, sku = await _stocked(s, {"A": 10, "B": 10, "C": 10, "D": 10, "E": 10, "F": 20})
        other, far_bins, far_sku = await _stocked(s, {"Z": 5})
        supervisor, _ = await make_user(s, [Role.supervisor], warehouses=[wh.warehouse])
        token, _ = await issue_token(s, user_id=supervisor.id, ttl_seconds=3600)
    registered = datetime.now(UTC) - timedelta(days=30)
    counter = await make_device(session_factory, wh.warehouse, [Role.counter], registered_at=registered)
    far_counter = await make_device(session_factory, other.warehouse, [Role.counter], registered_at=registered)

    def count(name: str, qty: int, when: datetime) -> dict[str, Any]:
        return counter.op(COUNTED, {"location_id": bins[name], "sku_id": sku, "counted_qty": qty}, at=when)

    d1 = D + timedelta(days=1)
    body = await counter.push(
        client,
        [
            count("A", 8, at(D, 10)),  # −2 (¥24): adjusted at once
            count("B", 10, at(D, 10, 5)),  # matched
            count("C", 40, at(D, 23, 59, 30)),  # +30: waits, then approved
            count("D", 45, at(d1, 0, 0, 30)),  # +35: waits, then rejected
            count("B", 12, at(d1, 8)),  # disagrees with the 10 found with nothing moved: recount
            count("E", 10, at(d1, 8, 10)),  # matched
            count("F", 0, at(d1, 8, 20)),  # −20: still waits
        ],
    )
    outcomes = [r["result"]["outcome"] for r in body["results"]]
    assert outcomes == [
        "adjusted",
        "matched",
        "awaiting_approval",
        "awaiting_approval",
        "recount",
        "matched",
        "awaiting_approval",
    ]
    far = {"location_id": far_bins["Z"], "sku_id": far_sku, "counted_qty": 4}
    await far_counter.push(client, [far_counter.op(COUNTED, far, at=at(D, 12))])

    async with session_factory() as s:
        held = {
            location: variance_id
            for variance_id, location in await s.execute(
                select(CountVariance.id, BinCount.location_id).join(BinCount, BinCount.id == CountVariance.bin_count_id)
            )
        }
    headers = bearer(token)
    approved = await client.post(f"/api/count-variances/{held[bins['C']]}/approve", headers=headers)
    rejected = await client.post(
        f"/api/count-variances/{held[bins['D']]}/reject", json={"reason": "miscount"}, headers=headers
    )
    assert (approved.status_code, rejected.status_code) == (200, 200), (approved.text, rejected.text)
    return Counted(wh.warehouse.id, other.warehouse.id, wh.warehouse.code)


async def _report(factory: Factory, c: Counted, *, limit: int | None = 50, everywhere: bool = False) -> Report:
    async with factory() as s:
        user = manager() if everywhere else manager(c.warehouse_id)
        scope = await scope_of(s, D - timedelta(days=1), D + timedelta(days=1), now=datetime.now(UTC), user=user)
        return await counts_report(s, scope, limit=limit)


async def test_tiles_count_bins_accuracy_and_booked_variance(counted: Counted, session_factory: Factory) -> None:
    report = await _report(session_factory, counted)

    assert report.report == "counts"
    assert tiles(report) == {
        "counts": 7,
        "bins_counted": 6,
        "accuracy": 20.0,  # of A, B, C, E, F (D's only count was rejected) only E matched throughout
        "net_variance_value": -2 * COST + 30 * COST,
        "absolute_variance_value": 2 * COST + 30 * COST,
        "pending": 1,
    }


async def test_charts_split_days_at_local_midnight(counted: Counted, session_factory: Factory) -> None:
    report = await _report(session_factory, counted)

    assert series(report, "variance_by_day") == {"gain": [0, 30 * COST, 0], "loss": [0, -2 * COST, 0]}
    assert series(report, "counts_by_day") == {
        "approved": [0, 3, 1],
        "pending": [0, 0, 1],
        "rejected": [0, 0, 1],
        "recount": [0, 0, 1],
    }


async def test_every_count_by_bin_largest_value_first(counted: Counted, session_factory: Factory) -> None:
    report = await _report(session_factory, counted)

    listed = [
        (r["bin"], r["expected"], r["counted"], r["variance"], r["value"], r["status"]) for r in rows(report, "by_bin")
    ]
    assert listed == [
        ("D", 10, 45, 35, 35 * COST, "rejected"),
        ("C", 10, 40, 30, 30 * COST, "approved"),
        ("F", 20, 0, -20, -20 * COST, "pending"),
        ("A", 10, 8, -2, -2 * COST, "approved"),
        ("B", 10, 12, 2, 2 * COST, "recount"),
        ("B", 10, 10, 0, 0, "approved"),
        ("E", 10, 10, 0, 0, "approved"),
    ]
    c = rows(report, "by_bin")[1]
    assert c["counted_at"] == f"{D.isoformat()}T23:59:30+08:00"
    assert (c["warehouse"], c["zone"], c["counter"]) == (counted.code, "A", "测试")


async def test_by_sku_sums_the_counts_that_stand(counted: Counted, session_factory: Factory) -> None:
    report = await _report(session_factory, counted)

    (sku,) = rows(report, "by_sku")
    # approved A, B (10), C, E and pending F: expected 60, counted 68
    assert {k: v for k, v in sku.items() if k not in ("sku", "name")} == {
        "counts": 7,
        "bins": 6,
        "expected": 60,
        "counted": 68,
        "variance": 8,
        "value": 8 * COST,
        "pending": 1,
        "rejected": 1,
    }


async def test_scope_and_limit(counted: Counted, session_factory: Factory) -> None:
    everywhere = await _report(session_factory, counted, everywhere=True)
    cut = await _report(session_factory, counted, limit=2)

    assert tiles(everywhere)["counts"] == 8
    assert len(rows(everywhere, "by_sku")) == 2
    assert [r["bin"] for r in rows(cut, "by_bin")] == ["D", "C"]
    assert truncated(cut, "by_bin") is True
    assert truncated(cut, "by_sku") is False


async def test_no_counts_no_accuracy(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
    async with session_factory() as s:
        scope = await scope_of(s, D, D, now=datetime.now(UTC), user=manager(wh.warehouse.id))
        report = await counts_report(s, scope)

    assert tiles(report) == {
        "counts": 0,
        "bins_counted": 0,
        "accuracy": None,
        "net_variance_value": 0,
        "absolute_variance_value": 0,
        "pending": 0,
    }
    assert series(report, "counts_by_day") == {}
    assert rows(report, "by_bin") == []

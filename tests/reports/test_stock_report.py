"""The stock report: value at cost, cover, low stock, expiring lots and problem bins — a snapshot of
the ledger's levels, with velocity from the range's shipments — on SQLite and PostgreSQL.

Every unit arrives and leaves through the ledger (``post_moves``). The clock is fixed at 14:00 in
Shanghai on 2 December 2026; the range is the seven local days 25 November – 1 December, so the
velocity divides by exactly 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.reports.envelope import Report
from server.reports.stock import stock_report
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.models import Location, LocationType, Zone
from tests.factories import make_bin, make_lot, make_sku, make_warehouse
from tests.reports.warehouse_report_support import chart_x, manager, rows, scope_of, series, tiles, truncated

Factory = async_sessionmaker[AsyncSession]
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=SH).astimezone(UTC)
FIRST, LAST = date(2026, 11, 25), date(2026, 12, 1)


def local(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH).astimezone(UTC)


@dataclass
class Site:
    warehouse_id: int
    other_id: int
    code: str


_keys = iter(range(1, 10_000))


def _move(
    sku: int, src: int, dst: int, qty: int, reason: MoveReason, when: datetime, lot: int | None = None
) -> MoveRequest:
    return MoveRequest(
        sku_id=sku,
        lot_id=lot,
        from_location_id=src,
        to_location_id=dst,
        qty=qty,
        reason=reason,
        idempotency_key=f"stock-{next(_keys)}",
        occurred_at=when,
    )


@pytest.fixture
async def site(session_factory: Factory) -> Site:
    """S1 (¥10): 30 on a shelf, 10 in quarantine, 5 in a frozen bin; 70 shipped in the range.
    S2 (¥2.50): 10 in zone B and −2 on a shelf of zone A; 7 shipped in the range, 5 before it.
    S3 (costed in USD, lots): 60 in lots expiring in 10 days, expired yesterday, and next year."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        cold = Zone(warehouse_id=wh.warehouse.id, code="B", name_zh="冷藏区")
        s.add(cold)
        await s.flush()
        a1, a2 = await make_bin(s, wh, code="A-01"), await make_bin(s, wh, code="A-02")
        b1 = await make_bin(s, wh, code="B-01")
        b1.zone_id = cold.id
        quarantine = await make_bin(s, wh, code="Q-01", type=LocationType.quarantine)
        frozen = await make_bin(s, wh, code="F-01")
        staging = await make_bin(s, wh, code="STG", type=LocationType.staging)
        s1 = await make_sku(s, code="S1", cost_minor=1000)
        s2 = await make_sku(s, code="S2", cost_minor=250)
        s3 = await make_sku(s, code="S3", cost_minor=100, lot_controlled=True)
        s3.currency = "USD"
        lots = [await make_lot(s, s3, f"L{n}") for n in range(1, 5)]
        for lot, expires in zip(
            lots, (date(2026, 12, 12), date(2026, 12, 1), date(2027, 6, 1), date(2026, 12, 5)), strict=True
        ):
            lot.expires_on = expires
        supplier, customer = wh.supplier.id, wh.customer.id
        receipt, ship, pick = MoveReason.receipt, MoveReason.shipment, MoveReason.pick
        await post_moves(
            s,
            [
                _move(s1.id, supplier, a1.id, 100, receipt, local(11, 20)),
                _move(s1.id, supplier, quarantine.id, 10, receipt, local(11, 20)),
                _move(s1.id, supplier, frozen.id, 5, receipt, local(11, 20)),
                _move(s2.id, supplier, b1.id, 20, receipt, local(11, 20)),
                *(
                    _move(s3.id, supplier, a2.id, q, receipt, local(11, 20), lot.id)
                    for lot, q in zip(lots, (7, 3, 50, 4), strict=True)
                ),
                # before the range: not velocity
                _move(s2.id, b1.id, staging.id, 5, pick, local(11, 21)),
                _move(s2.id, staging.id, customer, 5, ship, local(11, 21, 15)),
                _move(s3.id, a2.id, customer, 4, ship, local(11, 21, 16), lots[3].id),
                # in the range
                _move(s1.id, a1.id, staging.id, 70, pick, local(11, 26)),
                _move(s1.id, staging.id, customer, 70, ship, local(11, 27)),
                _move(s2.id, b1.id, staging.id, 7, pick, local(11, 28)),
                _move(s2.id, staging.id, customer, 7, ship, local(11, 28, 15)),
                # a transfer from a bin that had none of it: the books go below zero
                _move(s2.id, a2.id, b1.id, 2, MoveReason.transfer, local(11, 29)),
            ],
            negative=NegativePolicy.allow,
        )
        frozen.frozen = True
        other = await make_warehouse(s)
        far = await make_bin(s, other)
        await post_moves(s, [_move(s1.id, other.supplier.id, far.id, 50, receipt, local(11, 20))])
        return Site(wh.warehouse.id, other.warehouse.id, wh.warehouse.code)


async def _report(factory: Factory, site: Site, *, limit: int | None = 50, everywhere: bool = False) -> Report:
    async with factory() as s:
        user = manager() if everywhere else manager(site.warehouse_id)
        warehouse = None if everywhere else site.warehouse_id
        scope = await scope_of(s, FIRST, LAST, now=NOW, user=user, warehouse_id=warehouse)
        return await stock_report(s, scope, limit=limit)


async def test_value_units_and_problems_of_a_warehouse(site: Site, session_factory: Factory) -> None:
    report = await _report(session_factory, site)

    assert report.report == "stock"
    assert report.generated_at == NOW
    assert tiles(report) == {
        "value": 45 * 1000 + 8 * 250,  # S3 is costed in USD: units, no value
        "units": 45 + 8 + 60,
        "skus": 3,
        "low_stock": 1,
        "expiring_lots": 2,
        "negative_bins": 1,
        "frozen_bins": 1,
    }
    assert chart_x(report, "value_by_zone") == [f"{site.code} A", f"{site.code} B"]
    assert series(report, "value_by_zone") == {"value": [30_000 + 10_000 + 5_000 - 500, 10 * 250]}


async def test_cover_and_low_stock_from_the_ranges_shipments(site: Site, session_factory: Factory) -> None:
    report = await _report(session_factory, site)

    cover = [
        (r["sku"], r["on_hand"], r["available"], r["value"], r["shipped"], r["per_day"], r["days_of_cover"])
        for r in rows(report, "days_of_cover")
    ]
    assert cover == [
        ("S1", 45, 30, 45_000, 70, 10.0, 4.5),  # quarantine and frozen units are on hand, not available
        ("S2", 8, 8, 2_000, 7, 1.0, 8.0),  # the 5 shipped before the range do not count
        ("S3", 60, 60, None, 0, None, None),
    ]
    # S1's 30 available cover 3 days of its 10 a day: low. S2's 8 cover 8 days: not.
    assert [r["sku"] for r in rows(report, "low_stock")] == ["S1"]
    assert rows(report, "low_stock")[0]["warehouse"] == site.code


async def test_expiring_lots_and_problem_bins(site: Site, session_factory: Factory) -> None:
    report = await _report(session_factory, site)

    expiring = [(r["bin"], r["lot"], r["expires_on"], r["days_left"], r["qty"]) for r in rows(report, "expiring_lots")]
    assert expiring == [("A-02", "L2", "2026-12-01", -1, 3), ("A-02", "L1", "2026-12-12", 10, 7)]  # L4 is gone, L3 far
    problems = [(r["bin"], r["sku"], r["on_hand"], r["problem"], r["bin_state"]) for r in rows(report, "problem_bins")]
    assert problems == [("A-02", "S2", -2, "negative", ""), ("F-01", "S1", 5, "frozen", "frozen")]


async def test_every_warehouse_and_a_limit(site: Site, session_factory: Factory) -> None:
    everywhere = await _report(session_factory, site, everywhere=True)
    cut = await _report(session_factory, site, limit=1)

    assert tiles(everywhere)["units"] == 113 + 50
    assert tiles(everywhere)["value"] == 47_000 + 50 * 1000
    assert len(rows(everywhere, "days_of_cover")) == 4  # S1 in each warehouse, S2, S3
    assert [r["sku"] for r in rows(cut, "days_of_cover")] == ["S1"]
    assert truncated(cut, "days_of_cover") is True
    assert truncated(cut, "expiring_lots") is True
    assert truncated(cut, "problem_bins") is True
    assert truncated(cut, "low_stock") is False
    assert tiles(cut) == tiles(await _report(session_factory, site, limit=None))


async def test_a_range_still_running_divides_by_the_days_so_far(site: Site, session_factory: Factory) -> None:
    """A range ending today counts today up to now: 25 Nov – 2 Dec at 14:00 is 7 days 14 hours."""
    async with session_factory() as s:
        scope = await scope_of(s, FIRST, date(2026, 12, 2), now=NOW, user=manager(site.warehouse_id))
        report = await stock_report(s, scope)

    s1 = rows(report, "days_of_cover")[0]
    assert s1["per_day"] == round(70 / (7 + 14 / 24), 1)
    assert s1["days_of_cover"] == round(45 / (70 / (7 + 14 / 24)), 1)


async def test_frozen_bins_without_stock_are_not_problems(session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        empty = await make_bin(s, wh, frozen=True)
    async with session_factory() as s:
        scope = await scope_of(s, FIRST, LAST, now=NOW, user=manager(wh.warehouse.id))
        report = await stock_report(s, scope)
        assert await s.get(Location, empty.id) is not None

    assert tiles(report) == {
        "value": 0,
        "units": 0,
        "skus": 0,
        "low_stock": 0,
        "expiring_lots": 0,
        "negative_bins": 0,
        "frozen_bins": 0,
    }
    assert rows(report, "problem_bins") == []
    assert series(report, "value_by_zone") == {"value": []}

"""The sales report's figures over a hand-made month end, on both backends (see ``order_world``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.orders.models import Order, OrderStatus
from server.reports.envelope import Report
from server.reports.sales import sales_report
from tests.reports.order_world import World, order, sales_world, scope, table, tiles

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def world(session_factory: Factory) -> World:
    async with session_factory() as s, s.begin():
        return await sales_world(s)


async def _sales(session_factory: Factory, **kw: Any) -> Report:
    limit = kw.pop("limit", 50)
    async with session_factory() as s:
        return await sales_report(s, scope(**kw), limit=limit)


async def test_gmv_counts_paid_orders_once_refunds_come_off_in_net(session_factory: Factory, world: World) -> None:
    report = await _sales(session_factory)

    assert tiles(report) == {
        "gmv": 49_700,
        "orders": 9,
        "aov": 5_522,  # 49,700 / 9 = 5,522.2
        "refunds": 7_000,  # S4 cancelled (3,000) + S5's refunded line (4,000)
        "refund_orders": 2,
        "net": 42_700,
    }
    assert report.report == "sales"
    assert report.filters.date_from == date(2026, 11, 28)
    assert report.generated_at == datetime(2026, 12, 2, 6, tzinfo=UTC)


async def test_every_day_of_the_range_by_local_payment_day(session_factory: Factory, world: World) -> None:
    report = await _sales(session_factory)

    rows = {row["date"]: (row["orders"], row["gmv"], row["refunds"], row["net"]) for row in table(report, "by_day")}
    # S2 paid 28 Nov 23:30 and S3 29 Nov 00:10 (both 28 Nov in UTC) fall on their local days.
    assert rows == {
        "2026-11-28": (3, 16_500, 0, 16_500),
        "2026-11-29": (1, 8_000, 0, 8_000),
        "2026-11-30": (2, 13_500, 7_000, 6_500),
        "2026-12-01": (3, 11_700, 0, 11_700),
    }
    (gmv_chart,) = [c for c in report.charts if c.key == "gmv_by_day"]
    assert gmv_chart.x == ["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"]
    assert [s.values for s in gmv_chart.series] == [[16_500, 8_000, 13_500, 11_700], [16_500, 8_000, 6_500, 11_700]]


async def test_a_day_without_sales_is_a_zero_row(session_factory: Factory, world: World) -> None:
    report = await _sales(session_factory, first=date(2026, 11, 20), last=date(2026, 11, 21))

    assert [(r["date"], r["orders"], r["gmv"], r["aov"]) for r in table(report, "by_day")] == [
        ("2026-11-20", 0, 0, None),
        ("2026-11-21", 0, 0, None),
    ]
    assert tiles(report)["aov"] is None
    assert table(report, "by_shop") == []


async def test_by_platform_and_by_shop_largest_first(session_factory: Factory, world: World) -> None:
    report = await _sales(session_factory)

    platforms = [(r["platform"], r["orders"], r["gmv"], r["refunds"], r["share"]) for r in table(report, "by_platform")]
    assert platforms == [("taobao", 7, 38_700, 4_000, 77.9), ("pdd", 2, 11_000, 3_000, 22.1)]
    shops = [(r["shop_code"], r["shop"], r["platform"], r["refund_orders"]) for r in table(report, "by_shop")]
    assert shops == [("TB", "天猫旗舰店", "taobao", 1), ("PDD", "拼多多店", "pdd", 1)]

    capped = await _sales(session_factory, limit=1)
    by_shop = next(t for t in capped.tables if t.key == "by_shop")
    assert (len(by_shop.rows), by_shop.truncated) == (1, True)
    assert next(t for t in capped.tables if t.key == "by_day").truncated is False


async def test_a_warehouse_counts_orders_routed_there_and_merged_into_them(
    session_factory: Factory, world: World
) -> None:
    one = await _sales(session_factory, warehouse_id=world.w1, warehouse_ids=frozenset({world.w1}))
    # S1, S2, S4, S5, S10 routed to warehouse 1, and S11 merged into S1; S3, S6 are warehouse 2's,
    # S12 is not routed anywhere yet.
    assert (tiles(one)["orders"], tiles(one)["gmv"], tiles(one)["refunds"]) == (6, 39_000, 7_000)

    two = await _sales(session_factory, warehouse_ids=frozenset({world.w2}))
    assert (tiles(two)["orders"], tiles(two)["gmv"]) == (2, 10_000)


async def test_platform_and_shop_filters(session_factory: Factory, world: World) -> None:
    pdd = await _sales(session_factory, platform="pdd")
    assert (tiles(pdd)["orders"], tiles(pdd)["gmv"], tiles(pdd)["refunds"]) == (2, 11_000, 3_000)
    assert [r["platform"] for r in table(pdd, "by_platform")] == ["pdd"]

    tb = await _sales(session_factory, channel_id=world.tb)
    assert (tiles(tb)["orders"], tiles(tb)["gmv"]) == (7, 38_700)

    nothing = await _sales(session_factory, platform="pdd", channel_id=world.tb)
    assert tiles(nothing)["orders"] == 0


async def test_a_refund_changes_net_but_not_gmv(session_factory: Factory, world: World) -> None:
    async with session_factory() as s, s.begin():
        s2 = await s.get(Order, world.orders["S2"].id)
        assert s2 is not None
        s2.status = OrderStatus.cancelled

    report = await _sales(session_factory)

    assert (tiles(report)["gmv"], tiles(report)["refunds"], tiles(report)["refund_orders"]) == (49_700, 12_000, 3)
    assert table(report, "by_day")[0]["net"] == 11_500


async def test_days_follow_the_zone_across_a_daylight_saving_change(session_factory: Factory, world: World) -> None:
    """Berlin leaves summer time on 25 Oct 2026 (that day has 25 hours): an order at 23:30 on either
    side of the change still lands on its own local day."""
    berlin = ZoneInfo("Europe/Berlin")
    async with session_factory() as s, s.begin():
        for number, moment in (
            ("B1", datetime(2026, 10, 24, 23, 30, tzinfo=berlin)),
            ("B2", datetime(2026, 10, 25, 0, 30, tzinfo=berlin)),
            ("B3", datetime(2026, 10, 25, 23, 30, tzinfo=berlin)),
            ("B4", datetime(2026, 10, 26, 0, 30, tzinfo=berlin)),
        ):
            await order(s, world, number, world.jd, OrderStatus.paid, paid=moment.astimezone(UTC), fen=100)

    report = await _sales(
        session_factory, zone=berlin, first=date(2026, 10, 24), last=date(2026, 10, 26), channel_id=world.jd
    )

    assert [(r["date"], r["orders"]) for r in table(report, "by_day")] == [
        ("2026-10-24", 1),
        ("2026-10-25", 2),
        ("2026-10-26", 1),
    ]

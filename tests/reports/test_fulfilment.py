"""The fulfilment report over hand-made parcels and open orders, on both backends (see ``order_world``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.orders.models import Order, OrderStatus
from server.reports.envelope import Report
from server.reports.fulfilment import fulfilment_report
from tests.reports.order_world import World, fulfilment_world, local, order, parcel, scope, table, tiles

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def world(session_factory: Factory) -> World:
    async with session_factory() as s, s.begin():
        return await fulfilment_world(s)


async def _fulfilment(session_factory: Factory, **kw: Any) -> Report:
    limit = kw.pop("limit", 50)
    async with session_factory() as s:
        return await fulfilment_report(s, scope(**kw), limit=limit)


async def test_shipped_on_time_late_and_lead_times(session_factory: Factory, world: World) -> None:
    report = await _fulfilment(session_factory)

    assert tiles(report) == {
        "shipped": 4,  # F1 once despite two parcels; not F0 (first parcel before), not F5 (after)
        "on_time_rate": 50.0,
        "late": 2,  # F2 (56.5 h), F3 (after its ship-by, though within 48 h)
        "avg_lead_hours": 26.0,  # (23 + 56.5 + 12.83 + 11.83) / 4 = 26.04
        "p90_lead_hours": 56.5,
        "open_late": 2,
        "open_at_risk": 2,
    }


async def test_by_local_day_of_the_first_parcel(session_factory: Factory, world: World) -> None:
    report = await _fulfilment(session_factory)

    days = [(r["date"], r["shipped"], r["on_time"], r["late"], r["avg_lead_hours"]) for r in table(report, "by_day")]
    assert days == [
        ("2026-11-28", 0, 0, 0, None),  # F0's second parcel does not ship it again
        ("2026-11-29", 2, 1, 1, 17.9),  # F1 (23 h), F3 (12 h 50)
        ("2026-11-30", 1, 1, 0, 11.8),  # F4 left at 23:50 local (15:50 UTC)
        ("2026-12-01", 1, 0, 1, 56.5),  # F2
    ]
    (stacked,) = [c for c in report.charts if c.key == "shipped_by_day"]
    assert [(s.key, s.values) for s in stacked.series] == [("on_time", [0, 1, 1, 0]), ("late", [0, 1, 0, 1])]


async def test_by_platform_and_shop_worst_first(session_factory: Factory, world: World) -> None:
    report = await _fulfilment(session_factory)

    platforms = [(r["platform"], r["shipped"], r["late"], r["on_time_rate"]) for r in table(report, "by_platform")]
    assert platforms == [("taobao", 3, 1, 66.7), ("pdd", 1, 1, 0.0)]
    assert [r["shop_code"] for r in table(report, "by_shop")] == ["TB", "PDD"]


async def test_open_orders_late_and_at_risk_now_nearest_deadline_first(session_factory: Factory, world: World) -> None:
    report = await _fulfilment(session_factory)

    rows = table(report, "open_orders")
    assert [(r["order_no"], r["hours_left"]) for r in rows] == [
        ("O1", -4.0),
        ("O3", -1.0),
        ("O2", 2.0),
        ("O5", 3.5),
    ]
    first = rows[0]
    assert (first["shop"], first["platform"], first["status"]) == ("天猫旗舰店", "taobao", "routed")
    assert first["paid_at"] == "2026-11-30T10:00:00+08:00"
    assert first["deadline"] == "2026-12-02T10:00:00+08:00"

    capped = await _fulfilment(session_factory, limit=2)
    listed = next(t for t in capped.tables if t.key == "open_orders")
    assert (len(listed.rows), listed.truncated) == (2, True)
    assert tiles(capped)["open_at_risk"] == 2


async def test_a_warehouse_sees_its_parcels_and_its_or_unrouted_open_orders(
    session_factory: Factory, world: World
) -> None:
    report = await _fulfilment(session_factory, warehouse_id=world.w1, warehouse_ids=frozenset({world.w1}))

    assert (tiles(report)["shipped"], tiles(report)["late"]) == (3, 1)  # F1, F2, F4
    assert [r["order_no"] for r in table(report, "open_orders")] == ["O1", "O3", "O5"]


async def test_platform_and_shop_filters(session_factory: Factory, world: World) -> None:
    pdd = await _fulfilment(session_factory, platform="pdd")
    assert (tiles(pdd)["shipped"], tiles(pdd)["late"], tiles(pdd)["open_at_risk"]) == (1, 1, 1)

    tb = await _fulfilment(session_factory, channel_id=world.tb)
    assert (tiles(tb)["shipped"], tiles(tb)["open_late"], tiles(tb)["open_at_risk"]) == (3, 2, 0)


async def test_nothing_shipped_is_nothing_to_measure(session_factory: Factory, world: World) -> None:
    report = await _fulfilment(session_factory, channel_id=world.jd)

    measured = tiles(report)
    assert (measured["shipped"], measured["on_time_rate"], measured["avg_lead_hours"]) == (0, None, None)
    assert measured["p90_lead_hours"] is None


async def test_shipping_an_open_order_moves_it_out_of_the_list(session_factory: Factory, world: World) -> None:
    async with session_factory() as s, s.begin():
        o1 = await s.get(Order, world.orders["O1"].id)
        assert o1 is not None
        o1.status = OrderStatus.shipped
        await parcel(s, o1, local(12, 1, 9))  # within its 48 h

    report = await _fulfilment(session_factory)

    assert (tiles(report)["shipped"], tiles(report)["late"], tiles(report)["open_late"]) == (5, 2, 1)
    assert tiles(report)["on_time_rate"] == 60.0


async def test_an_order_ships_once_whichever_parcel_leaves_first(session_factory: Factory, world: World) -> None:
    async with session_factory() as s, s.begin():
        second_first = await order(
            s, world, "F6", world.tb, OrderStatus.shipped, paid=local(11, 30, 8), warehouse=world.w1
        )
        await parcel(s, second_first, local(11, 30, 12))  # parcel 1 left after parcel 2
        await parcel(s, second_first, local(11, 30, 10), no=2)
        together = await order(s, world, "F7", world.tb, OrderStatus.shipped, paid=local(11, 30, 8), warehouse=world.w1)
        await parcel(s, together, local(11, 30, 9))
        await parcel(s, together, local(11, 30, 9), no=2)
        await parcel(s, together, local(11, 30, 9), no=3)

    report = await _fulfilment(session_factory)

    assert tiles(report)["shipped"] == 6
    (nov_30,) = [r for r in table(report, "by_day") if r["date"] == "2026-11-30"]
    # F4 (11 h 50), F6 from its first parcel (2 h), F7 once (1 h): 14 h 50 / 3.
    assert (nov_30["shipped"], nov_30["avg_lead_hours"]) == (3, 4.9)

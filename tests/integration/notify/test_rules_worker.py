"""The rules worker: urgent orders, carrier cut-offs, low stock and expiring lots become
notifications as the push rules say — once per order and flags (or SKU, or lot) and local day, so a
pass a minute later queues nothing new; a rule switched off drops its flag. In the app's lifespan
when asked, and as ``cangku push check-rules``. SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.cli import _push
from server.notify.rules_worker import RulesWorker
from server.orders.models import Channel, OrderStatus
from server.settings import Settings
from server.warehouse.ledger.models import MoveReason
from server.warehouse.models import LocationType
from tests.factories import WarehouseFixture, make_bin, make_lot, make_sku, make_warehouse
from tests.integration.notify.helpers import T0, Factory
from tests.integration.notify.rules_support import make_channel, make_order, queued, receive, save_rule

STOCK_OUT = "held: no warehouse can ship this order: TEA-250 short 5"


@dataclass
class World:
    factory: Factory
    wh: WarehouseFixture
    other: WarehouseFixture
    channel: Channel

    @property
    def wh_id(self) -> int:
        return self.wh.warehouse.id


@pytest.fixture
async def world(session_factory: Factory) -> World:
    async with session_factory() as s, s.begin():
        wh, other = await make_warehouse(s), await make_warehouse(s)
        channel = await make_channel(s)
    return World(session_factory, wh, other, channel)


async def test_urgent_orders_are_told_once_with_their_reasons(world: World) -> None:
    """At 10:00 in Shanghai: a VIP order, one 46 h after payment, one paid but out of stock."""
    async with world.factory() as s, s.begin():
        vip = await make_order(s, world.channel, world.wh_id, vip=True)
        late = await make_order(s, world.channel, world.wh_id, status=OrderStatus.paid, paid_hours_ago=46)
        short = await make_order(s, world.channel, None, status=OrderStatus.review, hold_reason=STOCK_OUT)
        await make_order(s, world.channel, world.wh_id)  # paid an hour ago: not urgent
        await make_order(s, world.channel, world.wh_id, vip=True, status=OrderStatus.shipped)  # gone already
    worker = RulesWorker(world.factory)

    first = await worker.run_once(T0)
    second = await worker.run_once(T0)
    later = await worker.run_once(T0 + timedelta(minutes=1))

    assert (first.urgent_orders, first.cut_offs) == (3, 0)  # 17:00 pickup is 7 hours away
    assert second.total == later.total == 0
    notes = {n.url: n for n in await queued(world.factory)}
    assert sorted(notes) == sorted(f"/#/order/{o.id}" for o in (vip, late, short))
    told = notes[f"/#/order/{vip.id}"]
    assert (told.kind, told.title_en, told.title_zh) == (
        "urgent_order",
        f"Urgent order {vip.platform_order_no}",
        f"加急订单 {vip.platform_order_no}",
    )
    assert (told.body_en, told.body_zh) == ("VIP buyer", "VIP 买家")
    assert told.audience == {"user_ids": [], "roles": ["supervisor", "manager"], "warehouse_id": world.wh_id}
    assert (told.urgency, told.dedupe_key) == ("high", f"urgent_order:{vip.id}:20261201:vip")
    assert notes[f"/#/order/{late.id}"].body_en.startswith("late-shipment deadline at")
    assert notes[f"/#/order/{short.id}"].body_en == "paid but out of stock"
    assert notes[f"/#/order/{short.id}"].audience["warehouse_id"] is None  # not routed: every site's people

    next_day = await worker.run_once(T0 + timedelta(days=1))
    assert next_day.urgent_orders == 3  # still open a day later: told again, once


async def test_a_rule_switched_off_drops_its_flag(world: World) -> None:
    await save_rule(world.factory, "urgent_vip", world.wh_id, enabled=False)
    await save_rule(world.factory, "urgent_stock_out", enabled=False)
    async with world.factory() as s, s.begin():
        vip = await make_order(s, world.channel, world.wh_id, vip=True)
        both = await make_order(s, world.channel, world.wh_id, vip=True, status=OrderStatus.paid, paid_hours_ago=46)
        elsewhere = await make_order(s, world.channel, world.other.warehouse.id, vip=True)
        await make_order(s, world.channel, None, status=OrderStatus.review, hold_reason=STOCK_OUT)

    report = await RulesWorker(world.factory).run_once(T0)

    assert report.urgent_orders == 2
    notes = {n.url: n for n in await queued(world.factory)}
    assert f"/#/order/{vip.id}" not in notes
    assert notes[f"/#/order/{both.id}"].body_en.startswith("late-shipment deadline")  # the VIP reason is gone
    assert notes[f"/#/order/{both.id}"].dedupe_key.endswith(":late_risk")
    assert notes[f"/#/order/{elsewhere.id}"].body_en == "VIP buyer"  # that warehouse keeps the default


async def test_rule_params_reach_the_urgency_flags(world: World) -> None:
    """In a promotion the deadline is 24 h: an order paid 22 h ago is 2 h from it."""
    async with world.factory() as s, s.begin():
        order = await make_order(s, world.channel, world.wh_id, paid_hours_ago=22)
    assert (await RulesWorker(world.factory).run_once(T0)).urgent_orders == 0

    await save_rule(
        world.factory, "urgent_late_risk", world.wh_id, params={"late_margin_minutes": 180, "promotion": True}
    )
    await save_rule(world.factory, "urgent_vip", world.wh_id, roles=["manager"], urgency="normal", critical=True)
    report = await RulesWorker(world.factory).run_once(T0)

    assert report.urgent_orders == 1
    (note,) = await queued(world.factory)
    assert note.url == f"/#/order/{order.id}"
    assert note.audience["roles"] == ["supervisor", "manager"]  # the late-risk rule's (saved with both)
    assert note.critical is False  # only the VIP rule is critical, and it did not fire


async def test_a_carrier_cut_off_is_one_notification_per_warehouse_and_pickup(world: World) -> None:
    at = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)  # 16:30 in Shanghai; pickup at 17:00
    async with world.factory() as s, s.begin():
        for _ in range(3):
            await make_order(s, world.channel, world.wh_id, at=at)
        await make_order(s, world.channel, world.wh_id, status=OrderStatus.shipped, at=at)
    worker = RulesWorker(world.factory)

    early = await worker.run_once(at - timedelta(minutes=45))  # 15:45: more than 60 min before
    report = await worker.run_once(at)
    again = await worker.run_once(at + timedelta(minutes=10))

    assert early.cut_offs == 0
    assert (report.cut_offs, again.cut_offs) == (1, 0)
    (note,) = await queued(world.factory, "urgent_cut_off")
    assert (note.title_en, note.title_zh) == ("Carrier pickup at 17:00, in 30 min", "快递 17:00 揽收，还剩 30 分钟")
    assert note.body_en == f"{world.wh.warehouse.code}: 3 orders not shipped yet"  # the other site has none
    assert note.url == "/#/urgent"
    assert note.audience["warehouse_id"] == world.wh_id
    assert note.ttl == 30 * 60

    await save_rule(world.factory, "urgent_cut_off", world.wh_id, params={"cut_offs": ["18:00"], "cut_off_minutes": 90})
    assert (await worker.run_once(at)).cut_offs == 1  # 18:00 in 90 min: a new pickup to tell about


async def test_low_stock_below_the_minimum_or_the_days_of_cover(world: World) -> None:
    async with world.factory() as s, s.begin():
        shelf = await make_bin(s, world.wh)
        dock = await make_bin(s, world.wh, type=LocationType.shipping)
        scarce, plenty, selling = await make_sku(s), await make_sku(s), await make_sku(s)
        await receive(s, scarce.id, world.wh.supplier.id, shelf.id, 3)
        await receive(s, plenty.id, world.wh.supplier.id, shelf.id, 100)
        await receive(s, selling.id, world.wh.supplier.id, shelf.id, 380)
        await receive(s, selling.id, shelf.id, dock.id, 280, reason=MoveReason.pick, at=T0 - timedelta(days=5))
        await receive(
            s, selling.id, dock.id, world.wh.customer.id, 280, reason=MoveReason.shipment, at=T0 - timedelta(days=5)
        )
    worker = RulesWorker(world.factory)

    report = await worker.run_once(T0)

    assert report.low_stock == 1
    (note,) = await queued(world.factory, "low_stock")
    assert note.title_en == f"Low stock: {scarce.code} {scarce.name_en}"
    assert note.title_zh == f"库存不足：{scarce.code} {scarce.name_zh}"
    assert note.body_en == f"{world.wh.warehouse.code}: 3 available (minimum 5)"
    assert note.body_zh == f"{world.wh.warehouse.code}：可用 3（下限 5）"
    assert (note.url, note.audience["roles"]) == ("/#/reports/stock", ["manager"])
    assert note.dedupe_key == f"low_stock:{scarce.id}:{world.wh_id}:20261201"
    assert (await worker.run_once(T0 + timedelta(minutes=5))).low_stock == 0

    # 280 shipped in 14 days is 20 a day: 100 left is 5 days of cover, fewer than 7.
    await save_rule(
        world.factory, "low_stock", world.wh_id, roles=["manager"], params={"min_units": 0, "days_of_cover": 7}
    )
    report = await worker.run_once(T0 + timedelta(minutes=10))
    assert report.low_stock == 1
    covered = (await queued(world.factory, "low_stock"))[-1]
    assert covered.title_en.startswith(f"Low stock: {selling.code}")
    assert covered.body_en == f"{world.wh.warehouse.code}: 100 available (minimum 0), about 5 days of sales left"
    assert covered.body_zh.endswith("约可售 5 天")


async def test_lots_expiring_within_the_window_with_stock(world: World) -> None:
    async with world.factory() as s, s.begin():
        shelf = await make_bin(s, world.wh)
        sku = await make_sku(s, lot_controlled=True)
        soon, later, empty, expired = [await make_lot(s, sku) for _ in range(4)]
        soon.expires_on = date(2026, 12, 11)
        later.expires_on = date(2027, 1, 10)  # 40 days
        empty.expires_on = date(2026, 12, 5)
        expired.expires_on = date(2026, 11, 28)
        for lot in (soon, later, empty, expired):
            await receive(s, sku.id, world.wh.supplier.id, shelf.id, 10, lot_id=lot.id)
        await receive(s, sku.id, shelf.id, world.wh.loss.id, 10, lot_id=empty.id, reason=MoveReason.scrap)
    worker = RulesWorker(world.factory)

    report = await worker.run_once(T0)

    assert (report.expiring_lots, report.low_stock) == (2, 0)  # 30 of the SKU left: not low
    told = await queued(world.factory, "expiring_lot")
    assert [n.dedupe_key for n in told] == [
        f"expiring_lot:{expired.id}:{world.wh_id}:20261201",
        f"expiring_lot:{soon.id}:{world.wh_id}:20261201",
    ]
    assert told[0].title_en == f"Lot {expired.lot_number} of {sku.code} expired 2026-11-28"
    assert told[0].body_zh == f"{world.wh.warehouse.code}：库存 10，已过期 3 天"
    assert told[1].title_zh == f"批次 {soon.lot_number}（{sku.code}）将于 2026-12-11 过期"
    assert told[1].body_en == f"{world.wh.warehouse.code}: 10 on hand, 10 days left"
    assert (told[1].url, told[1].urgency) == ("/#/reports/stock", "low")
    assert (await worker.run_once(T0 + timedelta(hours=1))).expiring_lots == 0

    await save_rule(world.factory, "expiring_lot", world.wh_id, roles=["manager"], params={"within_days": 45})
    assert (await worker.run_once(T0 + timedelta(hours=2))).expiring_lots == 1  # the 40-day lot now


async def test_the_app_runs_the_rules_worker_beside_the_push_worker(world: World, settings: Settings) -> None:
    async with world.factory() as s, s.begin():
        await make_order(s, world.channel, world.wh_id, vip=True, at=datetime.now(UTC))
    quiet = replace(settings, push_worker=True, push_rules_worker=False, push_interval_seconds=60)
    async with AsyncTestClient(app=create_app(quiet)):
        await asyncio.sleep(0.3)
    assert await queued(world.factory) == []

    live = replace(settings, push_worker=True, push_interval_seconds=60, push_rules_interval_seconds=1)
    async with AsyncTestClient(app=create_app(live)):
        for _ in range(100):
            if await queued(world.factory):
                break
            await asyncio.sleep(0.05)
    (note,) = await queued(world.factory)
    assert note.kind == "urgent_order"


async def test_cangku_push_check_rules_does_one_pass(
    world: World, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    async with world.factory() as s, s.begin():
        await make_order(s, world.channel, world.wh_id, vip=True, at=datetime.now(UTC))

    assert await _push(argparse.Namespace(action="check-rules", yes=False), settings) == 0
    assert await _push(argparse.Namespace(action="check-rules", yes=False), settings) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("queued 1 urgent orders, ")
    assert out[1].startswith("queued 0 urgent orders, ")

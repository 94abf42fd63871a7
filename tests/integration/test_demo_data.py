"""The demo data set: realistic, consistent with the ledger, loginable, and never loaded twice."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import server.demo.loader as demo_loader
from server.auth.models import Role
from server.catalog.gtin import is_valid_gtin
from server.catalog.models import Barcode, KitComponent, Lot, Product, Sku
from server.demo import LOGINS, DemoDataRefused, build_demo, has_any_users, load_demo_data
from server.demo.loader import build_day
from server.demo.order_spec import HOLD_KEYWORDS, ORDERS
from server.fulfilment.models import Wave, WaveOrder
from server.inbound.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier
from server.orders.models import Channel, ImportStatus, Order, OrderImport, OrderReservation, OrderStatus
from server.settings import Settings
from server.tasks.models import Task, TaskKind, TaskLine, TaskStatus
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import VIRTUAL_TYPES, Location, LocationType, Warehouse
from tests.factories import bearer

pytestmark = pytest.mark.slow

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.now(SHANGHAI).date()


async def _count(session: AsyncSession, model: type[object], *where: object) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


async def _stock_in(session: AsyncSession, *where: object) -> int:
    """On hand summed over the locations matching ``where``."""
    query = select(func.sum(StockLevel.on_hand)).join(Location, Location.id == StockLevel.location_id)
    return int(await session.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]


async def _counts(session: AsyncSession) -> dict[str, int]:
    models = (Warehouse, Location, Product, Sku, Barcode, Lot, KitComponent, StockMove, StockLevel)
    counts = {model.__name__: await _count(session, model) for model in models}
    counts["reserved"] = int(await session.scalar(select(func.sum(StockLevel.reserved))) or 0)
    return counts


def test_demo_spec_is_the_same_on_every_build_and_its_gtins_are_valid() -> None:
    first_catalog, first_plan = build_demo(TODAY)
    second_catalog, second_plan = build_demo(TODAY)
    assert first_catalog == second_catalog
    assert first_plan == second_plan
    # The structure does not depend on the day: only the lot dates move with the calendar.
    later_catalog, later_plan = build_demo(TODAY + timedelta(days=40))
    assert [s.code for s in later_catalog.skus()] == [s.code for s in first_catalog.skus()]
    assert later_plan == first_plan
    skus = first_catalog.skus()
    assert all(is_valid_gtin(s.ean13) and len(s.ean13) == 13 and "690" <= s.ean13[:3] <= "699" for s in skus)
    cases = [s for s in skus if s.case_gtin is not None]
    assert all(is_valid_gtin(s.case_gtin or "") and (s.case_gtin or "")[0] == "1" for s in cases)
    assert all(s.case_qty in {6, 12, 24} for s in cases)


def test_demo_day_is_the_same_on_every_build_and_keeps_clear_of_the_rest_of_the_demo() -> None:
    catalog, plan = build_demo(TODAY)
    now = datetime.now(UTC)
    day = build_day(catalog, plan, now, TODAY)
    assert day == build_day(catalog, plan, now, TODAY)
    later = build_day(catalog, plan, now + timedelta(hours=1), TODAY)
    assert [(o.channel, o.kind, [line.sku_code for line in o.order.lines]) for o in later.orders] == [
        (o.channel, o.kind, [line.sku_code for line in o.order.lines]) for o in day.orders
    ]

    orders = [o.order for o in day.orders]
    midnight = datetime.combine(now.astimezone(SHANGHAI).date(), time(0), tzinfo=SHANGHAI)
    assert len(orders) == ORDERS
    assert all(o.paid_at is not None and midnight <= o.paid_at <= now for o in orders)
    assert {o.channel for o in day.orders} == {"TMALL-FLAGSHIP", "JD-POP"}
    kinds = [o.kind for o in day.orders]
    assert kinds.count("vip") == kinds.count("presale") == kinds.count("held") == 1
    assert sum(len(o.lines) == 1 and o.lines[0].qty == 1 for o in orders) >= 15
    assert sum(len(o.lines) > 1 for o in orders) >= 10
    presale = next(o.order for o in day.orders if o.kind == "presale")
    assert presale.presale and presale.ship_by is not None
    assert presale.ship_by.astimezone(SHANGHAI).date() == now.astimezone(SHANGHAI).date()
    held = [o for o in orders if any(k in o.buyer_message for k in HOLD_KEYWORDS)]
    assert [o.platform_order_no for o in held] == [
        next(o.order.platform_order_no for o in day.orders if o.kind == "held")
    ]
    assert all(o.paid_minor == o.goods_minor - o.discount_minor + o.shipping_minor for o in orders)
    assert all(o.discount_minor == sum(line.discount_minor for line in o.lines) for o in orders)

    ordered = [line.sku_code for o in orders for line in o.lines]
    assert len(ordered) == len(set(ordered))  # each SKU once: stock never runs short of the day's orders
    kits = {s.code for s in catalog.skus() if s.is_kit}
    untouchable = {r.sku for r in plan.reservations} | {
        p.sku for p in plan.placements if (p.warehouse, p.bin) in set(plan.frozen_bins)
    }
    assert not set(ordered) & (kits | untouchable)
    counted = {code for codes in day.counts for code in codes}
    assert len(day.counts) == 2 and all(len(codes) == 10 for codes in day.counts)
    assert next(code for wh, code in plan.frozen_bins if wh == "HZ01") == day.counts[0][0]
    assert not {p.bin for p in plan.placements if p.warehouse == "HZ01" and p.sku in set(ordered)} & counted
    assert len(day.purchase.lines) == 3 and day.purchase.expected_on == TODAY
    stocked_hz = {p.sku for p in plan.placements if p.warehouse == "HZ01"}
    assert not {line.sku for line in day.purchase.lines} & stocked_hz


async def test_demo_load_gives_a_realistic_set_that_matches_the_ledger_and_logs_every_role_in(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    messages: list[str] = []
    summary = await load_demo_data(session_factory, settings, progress=messages.append, today=TODAY)

    async with session_factory() as s:
        counts = await _counts(s)
        codes = set(await s.scalars(select(Warehouse.code)))
        bins = await _count(s, Location, Location.type.not_in(list(VIRTUAL_TYPES)))
        kits = await _count(s, Sku, Sku.is_kit.is_(True))
        lot_skus = await _count(s, Sku, Sku.lot_controlled.is_(True))
        case_codes = await _count(s, Barcode, Barcode.pack_qty > 1)
        pack_sizes = set(await s.scalars(select(Barcode.pack_qty).distinct()))
        stored = list(await s.scalars(select(Barcode.code)))
        skus_without_item_code = await _count(s, Sku, ~Sku.id.in_(select(Barcode.sku_id).where(Barcode.pack_qty == 1)))
        expired = await _count(s, Lot, Lot.expires_on < TODAY)
        expiring_soon = await _count(s, Lot, Lot.expires_on >= TODAY, Lot.expires_on <= TODAY + timedelta(days=30))
        report = await verify_ledger(s)
        negative = await _count(s, StockLevel, StockLevel.on_hand < 0)
        over_reserved = await _count(s, StockLevel, StockLevel.reserved > StockLevel.on_hand)
        kit_stock = await _count(s, StockLevel, StockLevel.sku_id.in_(select(Sku.id).where(Sku.is_kit.is_(True))))
        reasons = set(await s.scalars(select(StockMove.reason).distinct()))

        quarantined = await _stock_in(s, Location.type == LocationType.quarantine)
        in_transit = await _stock_in(s, Location.type == LocationType.transit)
        frozen_stock = await _stock_in(s, Location.frozen.is_(True))
        frozen_bins = await _count(s, Location, Location.frozen.is_(True))

    assert codes == {"HZ01", "GZ01"}
    assert 2_800 <= bins <= 3_200
    assert 1_900 <= counts["Sku"] <= 2_100
    assert 500 <= counts["Product"] <= 700
    assert 5 <= kits <= 20 and counts["KitComponent"] >= 2 * kits
    assert 0.20 <= lot_skus / counts["Sku"] <= 0.35
    assert 0.10 <= case_codes / counts["Sku"] <= 0.20 and pack_sizes <= {1, 6, 12, 24}
    assert all(len(code) == 14 and is_valid_gtin(code) for code in stored)
    assert skus_without_item_code == 0
    assert counts["Lot"] > 500 and 1 <= expired <= 3 and expiring_soon >= 3
    assert report.ok, report.differences[:5]
    assert report.moves_counted == counts["StockMove"] == summary.moves
    assert negative == 0 and over_reserved == 0 and kit_stock == 0
    assert counts["reserved"] > 0
    assert reasons == {MoveReason.receipt, MoveReason.return_receipt}
    assert quarantined > 0 and in_transit > 0 and frozen_stock > 0 and 1 <= frozen_bins <= 2
    assert (summary.warehouses, summary.bins, summary.skus, summary.barcodes, summary.lots) == (
        2,
        bins,
        counts["Sku"],
        counts["Barcode"],
        counts["Lot"],
    )
    assert summary.users == len(LOGINS) == 9
    assert any(m.startswith("SKUs ") for m in messages) and any(m.startswith("stock moves ") for m in messages)

    assert {role for login in LOGINS for role in login.roles} == {role.value for role in Role}
    warehouse_ids = await _warehouse_ids(session_factory)
    tokens: dict[str, str] = {}
    for login in LOGINS:
        response = await client.post(
            "/api/auth/login", json={"username": login.username, "password": settings.demo_password}
        )
        assert response.status_code == 200, (login.username, response.text)
        tokens[login.username] = response.json()["token"]
        me = (await client.get("/api/auth/me", headers=bearer(tokens[login.username]))).json()
        assert me["roles"] == list(login.roles)
        assert me["all_warehouses"] is login.all_warehouses
        assert sorted(me["warehouse_ids"]) == sorted(warehouse_ids[c] for c in login.warehouse_codes)

    day = await _day_of_work(session_factory, warehouse_ids["HZ01"])
    assert (summary.orders, summary.waves, summary.pick_tasks, summary.count_tasks, summary.purchase_orders) == (
        ORDERS,
        day["waves"],
        day["pick_tasks"],
        2,
        1,
    )
    assert summary.activity in messages
    assert summary.activity.startswith(f"demo orders: {ORDERS}, waves: {day['waves']}, pick tasks: {day['pick_tasks']}")

    # Every seat finds work: the manager's day, the receiver's purchase order.
    report = (await client.get("/api/reports/today", headers=bearer(tokens["manager"]))).json()
    assert report["orders_paid_today"] == ORDERS, report
    by_status = {item["status"]: item["count"] for item in report["orders_by_status"]}
    assert by_status == {"review": 1, "routed": day["routed"], "in_wave": day["in_wave"]}
    assert report["shipped_vs_due"]["due"] >= 1  # the presale promised for today
    assert report["urgent"]["urgent"] >= 2  # the VIP and the presale at least
    listed = (await client.get("/api/purchase-orders?status=open", headers=bearer(tokens["receiver"]))).json()
    assert [(po["warehouse_id"], po["status"]) for po in listed["items"]] == [(warehouse_ids["HZ01"], "open")]


async def _day_of_work(session_factory: async_sessionmaker[AsyncSession], hz: int) -> dict[str, Any]:
    """The demo's orders, waves, tasks and purchase order are there and consistent; answers figures."""
    async with session_factory() as s:
        platforms = set(await s.scalars(select(Channel.platform)))
        statuses: dict[str, int] = {
            str(status): int(n)
            for status, n in await s.execute(select(Order.status, func.count()).group_by(Order.status))
        }
        held = list(await s.scalars(select(Order).where(Order.status == OrderStatus.review)))
        elsewhere = await _count(s, Order, Order.warehouse_id.is_not(None), Order.warehouse_id != hz)
        reserved_for_orders = await s.scalar(select(func.sum(OrderReservation.qty)))
        waves = await _count(s, Wave, Wave.warehouse_id == hz)
        waved = await _count(s, WaveOrder)
        pick_tasks = await _count(
            s, Task, Task.kind == TaskKind.pick, Task.status == TaskStatus.open, Task.warehouse_id == hz
        )
        pick_lines = await _count(s, TaskLine, TaskLine.task_id.in_(select(Task.id).where(Task.kind == TaskKind.pick)))
        counts = list(await s.scalars(select(Task).where(Task.kind == TaskKind.bin_count)))
        count_lines = await _count(s, TaskLine, TaskLine.task_id.in_([t.id for t in counts]))
        po = list(await s.scalars(select(PurchaseOrder)))
        po_lines = await _count(s, PurchaseOrderLine)
        suppliers = await _count(s, Supplier)
        imports = list(await s.scalars(select(OrderImport)))
        report = await verify_ledger(s)
        over_reserved = await _count(s, StockLevel, StockLevel.reserved > StockLevel.on_hand)
    assert platforms == {"taobao", "jd"}
    assert sum(statuses.values()) == ORDERS and set(statuses) == {"review", "routed", "in_wave"}
    assert len(held) == 1 and held[0].hold_reason and held[0].warehouse_id is None
    assert elsewhere == 0  # every routed order ships from Hangzhou
    assert statuses["in_wave"] == waved == (statuses["routed"] + statuses["in_wave"] + 1) // 2
    assert (reserved_for_orders or 0) > 0 and over_reserved == 0
    assert waves >= 2 and pick_tasks >= waves and pick_lines >= pick_tasks
    assert len(counts) == 2 and all(t.blind and t.status is TaskStatus.open and t.warehouse_id == hz for t in counts)
    assert count_lines == 20
    assert [(p.warehouse_id, p.status) for p in po] == [(hz, PurchaseOrderStatus.open)]
    assert po[0].supplier_id is not None and po[0].created_by_user_id is not None and po_lines == 3 and suppliers == 1
    assert len(imports) == 2 and {i.status for i in imports} == {ImportStatus.done}
    assert sum(i.created for i in imports) == ORDERS
    assert report.ok, report.differences[:5]
    return {
        "waves": waves,
        "pick_tasks": pick_tasks,
        "routed": statuses["routed"],
        "in_wave": statuses["in_wave"],
    }


async def _warehouse_ids(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as s:
        return {code: id_ for code, id_ in (await s.execute(select(Warehouse.code, Warehouse.id))).all()}


class _Interrupt(Exception):
    pass


async def test_interrupted_demo_load_resumes_once_and_a_finished_one_is_refused(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    def die_after_two_batches(message: str) -> None:
        if message.startswith("stock moves 1000/"):
            raise _Interrupt

    with pytest.raises(_Interrupt):
        await load_demo_data(session_factory, settings, progress=die_after_two_batches, today=TODAY)
    async with session_factory() as s:
        assert not await has_any_users(s)  # the load is not finished, so the next start resumes it
        assert await _count(s, StockMove) == 1000

    summary = await load_demo_data(session_factory, settings, today=TODAY)
    _, plan = build_demo(TODAY)
    assert summary.moves == len(plan.placements)  # the first 1000 were replayed, not posted again
    async with session_factory() as s:
        assert (await verify_ledger(s)).ok
        before = await _counts(s)

    with pytest.raises(DemoDataRefused) as refused:
        await load_demo_data(session_factory, settings, today=TODAY)
    assert refused.value.code == "demo_data_refused"
    async with session_factory() as s:
        assert await _counts(s) == before


async def test_a_load_interrupted_after_the_day_s_orders_resumes_without_doing_them_twice(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def die_planning_counts(*_args: object) -> int:
        raise _Interrupt

    with monkeypatch.context() as patched:
        patched.setattr(demo_loader, "plan_demo_counts", die_planning_counts)
        with pytest.raises(_Interrupt):
            await load_demo_data(session_factory, settings, today=TODAY)
    async with session_factory() as s:
        assert not await has_any_users(s)
        first = {
            "orders": await _count(s, Order),
            "waves": await _count(s, Wave),
            "picks": await _count(s, Task, Task.kind == TaskKind.pick),
            "reserved": int(await s.scalar(select(func.sum(OrderReservation.qty))) or 0),
        }
        assert await _count(s, Task, Task.kind == TaskKind.bin_count) == 0
    assert first["orders"] == ORDERS and first["waves"] > 0

    summary = await load_demo_data(session_factory, settings, today=TODAY)
    async with session_factory() as s:
        again = {
            "orders": await _count(s, Order),
            "waves": await _count(s, Wave),
            "picks": await _count(s, Task, Task.kind == TaskKind.pick),
            "reserved": int(await s.scalar(select(func.sum(OrderReservation.qty))) or 0),
        }
        imports = await _count(s, OrderImport)
        assert (await verify_ledger(s)).ok
    assert again == first and imports == 2  # not imported, routed or waved a second time
    assert (summary.orders, summary.waves, summary.count_tasks, summary.purchase_orders) == (
        ORDERS,
        first["waves"],
        2,
        1,
    )
    assert summary.users == len(LOGINS)

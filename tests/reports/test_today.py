"""The manager's "today" report over seeded orders, shipments, pick moves and stock, on both backends.

The clock is fixed at 14:00 in Shanghai on 2 December 2026 (06:00 UTC): "today" is 1 Dec 16:00 UTC
to 2 Dec 16:00 UTC, and the platform's 48 h deadline falls today for orders paid on 30 November.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.fulfilment.shipping.models import Shipment, ShipmentStatus
from server.orders.models import Channel, Order, OrderLine, OrderStatus
from server.orders.normalized import PlatformStatus
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import LocationType
from tests.factories import WarehouseFixture, bearer, make_bin, make_sku, make_user, make_warehouse

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=SH).astimezone(UTC)
S = OrderStatus


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 (30 → 30 November) in Shanghai, as UTC."""
    month, day = (11, day) if day >= 29 else (12, day)
    return datetime(2026, month, day, hour, minute, tzinfo=SH).astimezone(UTC)


@dataclass
class World:
    wh: int
    other: int
    manager: dict[str, str]
    admin: dict[str, str]
    picker: dict[str, str]
    outsider: dict[str, str]
    orders: dict[str, int]


async def _order(
    s: AsyncSession,
    channel: Channel,
    number: str,
    status: OrderStatus,
    *,
    paid: datetime | None,
    warehouse: int | None,
    ship_by: datetime | None = None,
    hold: str = "",
    tags: list[str] | None = None,
    lines: list[tuple[str, int, int]] | None = None,
) -> Order:
    order = Order(
        channel_id=channel.id,
        platform_order_no=number,
        status=status,
        platform_status=PlatformStatus.paid if paid else PlatformStatus.pending_payment,
        ordered_at=(paid or NOW) - timedelta(minutes=1),
        paid_at=paid,
        warehouse_id=warehouse,
        ship_by=ship_by,
        hold_reason=hold,
        tags={"tags": tags or []},
    )
    s.add(order)
    await s.flush()
    for n, (code, sku_id, qty) in enumerate(lines or [], start=1):
        s.add(OrderLine(order_id=order.id, line_no=n, platform_line_id=str(n), sku_code=code, sku_id=sku_id, qty=qty))
    return order


async def _shipped(s: AsyncSession, order: Order, at: datetime) -> None:
    assert order.warehouse_id is not None
    s.add(
        Shipment(
            order_id=order.id,
            warehouse_id=order.warehouse_id,
            carrier_code="SF",
            waybill_no=f"SF{order.id:08d}",
            status=ShipmentStatus.shipped,
            shipped_at=at,
        )
    )


def _receipt(wh: WarehouseFixture, bin_id: int, sku_id: int, qty: int, key: str) -> MoveRequest:
    return MoveRequest(
        sku_id=sku_id,
        from_location_id=wh.supplier.id,
        to_location_id=bin_id,
        qty=qty,
        reason=MoveReason.receipt,
        idempotency_key=key,
        occurred_at=local(29, 9),
    )


def _pick(bin_id: int, staging: int, sku_id: int, qty: int, at: datetime, key: str) -> MoveRequest:
    return MoveRequest(
        sku_id=sku_id,
        from_location_id=bin_id,
        to_location_id=staging,
        qty=qty,
        reason=MoveReason.pick,
        idempotency_key=key,
        occurred_at=at,
    )


@pytest.fixture
async def world(session_factory: Factory) -> World:
    async with session_factory() as s, s.begin():
        wh, other = await make_warehouse(s), await make_warehouse(s)
        shelf, staging = await make_bin(s, wh), await make_bin(s, wh, type=LocationType.staging)
        far_shelf, far_staging = await make_bin(s, other), await make_bin(s, other, type=LocationType.staging)
        picked = await make_sku(s, code="SKU-PICK")
        missing = await make_sku(s, code="SKU-OUT")
        plenty = await make_sku(s, code="SKU-IN")
        gone = await make_sku(s, code="SKU-GONE")
        gone_shelf = await make_bin(s, wh)
        await post_moves(
            s,
            [
                _receipt(wh, shelf.id, picked.id, 20, "r1"),
                _receipt(wh, shelf.id, plenty.id, 10, "r2"),
                _receipt(wh, gone_shelf.id, gone.id, 5, "r3"),
                _receipt(other, far_shelf.id, picked.id, 20, "r4"),
                # Today: three picks in the 09:00 hour, one at 13:00; yesterday's and the other
                # warehouse's do not count for this warehouse.
                _pick(shelf.id, staging.id, picked.id, 2, local(2, 9, 5), "p1"),
                _pick(shelf.id, staging.id, picked.id, 1, local(2, 9, 30), "p2"),
                _pick(shelf.id, staging.id, picked.id, 4, local(2, 9, 59), "p3"),
                _pick(shelf.id, staging.id, picked.id, 5, local(2, 13, 10), "p4"),
                _pick(shelf.id, staging.id, picked.id, 3, local(1, 23, 59), "p5"),
                _pick(far_shelf.id, far_staging.id, picked.id, 6, local(2, 10), "p6"),
            ],
        )
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=gone.id,
                    from_location_id=gone_shelf.id,
                    to_location_id=wh.customer.id,
                    qty=5,
                    reason=MoveReason.shipment,
                    idempotency_key="s1",
                    occurred_at=local(1, 9),
                ),
            ],
        )
        channel = Channel(code="TB", name="天猫旗舰店", platform="taobao")
        s.add(channel)
        await s.flush()
        w, o = wh.warehouse.id, other.warehouse.id
        made = {
            "A1": await _order(s, channel, "A1", S.routed, paid=local(2, 9), warehouse=w),
            "A2": await _order(s, channel, "A2", S.shipped, paid=local(2, 10), warehouse=w),
            "A3": await _order(s, channel, "A3", S.in_wave, paid=local(30, 15), warehouse=w),
            "A4": await _order(s, channel, "A4", S.picked, paid=local(30, 10), warehouse=w),
            "A5": await _order(s, channel, "A5", S.shipped, paid=local(30, 8), warehouse=w),
            "A6": await _order(s, channel, "A6", S.packed, paid=local(1, 8), warehouse=w, ship_by=local(2, 18)),
            "A7": await _order(
                s,
                channel,
                "A7",
                S.review,
                paid=local(2, 11),
                warehouse=None,
                hold="held: no warehouse can ship this order: SKU-OUT short 3",
                lines=[("SKU-OUT", missing.id, 3)],
            ),
            "A8": await _order(s, channel, "A8", S.routed, paid=local(2, 12), warehouse=w, tags=["VIP"]),
            "A9": await _order(s, channel, "A9", S.cancelled, paid=local(2, 8), warehouse=w),
            "A10": await _order(s, channel, "A10", S.pending_payment, paid=None, warehouse=None),
            "A11": await _order(
                s,
                channel,
                "A11",
                S.review,
                paid=local(1, 9),
                warehouse=w,
                hold="short pick in wave W-1: route it again or cancel it",
                lines=[("SKU-IN", plenty.id, 2)],
            ),
            "B1": await _order(s, channel, "B1", S.routed, paid=local(29, 10), warehouse=o),
        }
        await _shipped(s, made["A2"], local(2, 12))
        await _shipped(s, made["A5"], local(2, 8))
        _, manager = await make_user(s, [Role.manager], warehouses=[wh.warehouse])
        _, admin = await make_user(s, [Role.admin], all_warehouses=True)
        _, picker = await make_user(s, [Role.picker], warehouses=[wh.warehouse])
        _, outsider = await make_user(s, [Role.manager], warehouses=[other.warehouse])
        return World(
            w,
            o,
            bearer(manager),
            bearer(admin),
            bearer(picker),
            bearer(outsider),
            {name: order.id for name, order in made.items()},
        )


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("server.reports.controller.utcnow", lambda: NOW)


async def _today(client: Client, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/reports/today", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _statuses(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["status"]: row["count"] for row in rows}


@pytest.mark.usefixtures("fixed_clock")
async def test_a_warehouse_day_in_numbers(client: Client, world: World) -> None:
    body = await _today(client, world.manager, warehouse_id=world.wh)

    assert (body["timezone"], body["date"]) == ("Asia/Shanghai", "2026-12-02")
    assert body["day_starts_at"].startswith("2026-12-01T16:00:00")
    # Paid today: A1, A8 routed; A7 held (not routed yet, so every warehouse's); A2 shipped; A9 cancelled.
    assert _statuses(body["orders_by_status"]) == {"review": 1, "routed": 2, "shipped": 1, "cancelled": 1}
    assert [row["status"] for row in body["orders_by_status"]] == ["review", "routed", "shipped", "cancelled"]
    assert body["orders_paid_today"] == 5
    assert _statuses(body["open_by_status"]) == {"review": 2, "routed": 2, "in_wave": 1, "picked": 1, "packed": 1}
    # Due today: A3, A4, A5 (paid 30 Nov, no ship-by) and A6 (ship-by today); A5 already shipped.
    # Shipped today: A2 and A5.
    assert body["shipped_vs_due"] == {"due": 4, "due_shipped": 1, "due_open": 3, "shipped": 2}


@pytest.mark.usefixtures("fixed_clock")
async def test_late_and_urgent_orders_with_their_reasons(client: Client, world: World) -> None:
    urgent = (await _today(client, world.manager, warehouse_id=world.wh))["urgent"]

    assert (urgent["late"], urgent["urgent"]) == (1, 5)
    listed = [(item["order_no"], item["late"], [f["kind"] for f in item["flags"]]) for item in urgent["items"]]
    assert listed == [
        ("A4", True, ["late_risk"]),
        ("A3", False, ["late_risk"]),
        ("A6", False, ["ship_by_today"]),
        ("A7", False, ["stock_out"]),
        ("A8", False, ["vip"]),
    ]
    first = urgent["items"][0]
    assert first["channel_code"] == "TB"
    assert first["deadline"].startswith("2026-12-02T02:00:00")  # paid 30 Nov 10:00 + 48 h, in UTC
    assert "passed" in first["flags"][0]["reason"]
    assert first["flags"][0]["reason_zh"].startswith("发货时限已过")
    assert urgent["items"][2]["deadline"].startswith("2026-12-02T10:00:00")  # A6's ship-by


@pytest.mark.usefixtures("fixed_clock")
async def test_picks_per_hour_come_from_the_days_pick_moves(client: Client, world: World) -> None:
    hours = (await _today(client, world.manager, warehouse_id=world.wh))["picks_per_hour"]

    assert [h["hour"] for h in hours] == list(range(24))
    busy = {h["hour"]: (h["picks"], h["units"]) for h in hours if h["picks"]}
    assert busy == {9: (3, 7), 13: (1, 5)}
    assert hours[9]["starts_at"].startswith("2026-12-02T01:00:00")


@pytest.mark.usefixtures("fixed_clock")
async def test_stock_outs_are_skus_paid_orders_wait_for(client: Client, world: World) -> None:
    stock = (await _today(client, world.manager, warehouse_id=world.wh))["stock_outs"]

    # SKU-OUT: A7 waits for 3 and no bin has any. SKU-IN: A11 waits, but 10 are on the shelf.
    assert stock["skus"] == 1
    (item,) = stock["items"]
    assert (item["sku_code"], item["available"], item["waiting_orders"], item["waiting_units"]) == (
        "SKU-OUT",
        0,
        1,
        3,
    )
    # SKU-GONE had 5 on a shelf and shipped them all.
    assert stock["sold_out_skus"] == 1


@pytest.mark.usefixtures("fixed_clock")
async def test_every_warehouse_adds_the_other_warehouses_orders_and_picks(client: Client, world: World) -> None:
    body = await _today(client, world.admin)

    assert body["warehouse_id"] is None
    assert _statuses(body["open_by_status"])["routed"] == 3  # B1 too
    assert (body["urgent"]["late"], body["urgent"]["urgent"]) == (2, 6)
    busy = {h["hour"]: (h["picks"], h["units"]) for h in body["picks_per_hour"] if h["picks"]}
    assert busy == {9: (3, 7), 10: (1, 6), 13: (1, 5)}


@pytest.mark.usefixtures("fixed_clock")
async def test_resolved_things_leave_the_report(client: Client, world: World, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        late = await s.get(Order, world.orders["A4"])
        waiting = await s.get(Order, world.orders["A7"])
        assert late is not None and waiting is not None
        late.status = S.shipped
        await _shipped(s, late, local(2, 13, 30))
        waiting.status = S.cancelled

    body = await _today(client, world.manager, warehouse_id=world.wh)

    assert (body["urgent"]["late"], body["urgent"]["urgent"]) == (0, 3)
    assert body["shipped_vs_due"] == {"due": 4, "due_shipped": 2, "due_open": 2, "shipped": 3}
    assert body["stock_outs"]["skus"] == 0


async def test_the_report_is_for_order_readers_in_their_warehouses(client: Client, world: World) -> None:
    picker = await client.get("/api/reports/today", params={"warehouse_id": world.wh}, headers=world.picker)
    outsider = await client.get("/api/reports/today", params={"warehouse_id": world.wh}, headers=world.outsider)
    unknown = await client.get("/api/reports/today", params={"warehouse_id": 999_999}, headers=world.admin)
    live = await client.get("/api/reports/today", params={"warehouse_id": world.wh}, headers=world.manager)

    assert picker.status_code == 403, picker.text
    assert outsider.status_code == 403, outsider.text
    assert outsider.json()["code"] == "warehouse_out_of_scope"
    assert unknown.status_code == 404, unknown.text
    assert live.status_code == 200, live.text  # the real clock: whatever today is, the shape holds
    assert len(live.json()["picks_per_hour"]) in (23, 24, 25)

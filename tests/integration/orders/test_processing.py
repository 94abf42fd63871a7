"""Paid orders through review, routing, reservation and carrier choice, and the what-if — via the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.orders.models import Channel, OrderReservation
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, Receiver
from server.orders.pool import write_orders
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 1, tzinfo=UTC)

REVIEW = [
    {
        "id": 1,
        "position": 10,
        "name": "有留言的订单",
        "conditions": [{"type": "buyer_message_present"}],
        "action": {"type": "hold", "reason_en": "read the buyer's message", "reason_zh": "查看买家留言"},
    }
]
RATES = [
    {"carrier_code": "YTO", "first_weight_g": 1000, "first_fee_minor": 500, "extra_per_kg_minor": 200},
    {"carrier_code": "SF", "first_weight_g": 1000, "first_fee_minor": 1200, "extra_per_kg_minor": 800},
]


def _order(number: str, province: str, qty: int, *, message: str = "", minutes: int = 0) -> NormalizedOrder:
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=number,
        status=PlatformStatus.paid,
        created_at=T0,
        paid_at=T0 + timedelta(minutes=minutes),
        goods_minor=5_000 * qty,
        paid_minor=5_000 * qty,
        buyer_message=message,
        receiver=Receiver(name="王**", province=province, city="某市", address="某路1号"),
        lines=[NormalizedLine(platform_line_id="1", sku_code="TEE", qty=qty, unit_price_minor=5_000, paid_minor=5_000)],
    )


async def _world(factory: Factory) -> tuple[dict[str, str], int, int, int]:
    """WH-SH (上海) holds 4 TEE, WH-BJ (北京) holds 10; orders from 浙江, 北京 and 广东."""
    async with factory() as s, s.begin():
        sh, bj = await make_warehouse(s, "WH-SH"), await make_warehouse(s, "WH-BJ")
        sh.warehouse.province, bj.warehouse.province = "上海市", "北京市"
        sku = await make_sku(s, code="TEE")
        sku.weight_g = 600
        for wh, qty in ((sh, 4), (bj, 10)):
            bin_ = await make_bin(s, wh)
            request = MoveRequest(
                sku_id=sku.id,
                from_location_id=wh.supplier.id,
                to_location_id=bin_.id,
                qty=qty,
                reason=MoveReason.receipt,
                idempotency_key=f"seed-{bin_.id}",
            )
            await post_moves(s, [request])
        channel = Channel(code="TMALL", name="天猫店", platform="taobao")
        s.add(channel)
        await s.flush()
        _, token = await make_user(s, [Role.manager], all_warehouses=True)
        await write_orders(
            s,
            channel.id,
            [
                _order("A-浙江", "浙江省", 3, minutes=1),
                _order("B-北京", "北京", 2, minutes=2),
                _order("C-留言", "浙江省", 1, message="请发顺丰", minutes=3),
                _order("D-浙江", "浙江", 3, minutes=4),
            ],
            actor=None,
        )
        return bearer(token), sh.warehouse.id, bj.warehouse.id, sku.id


async def _save_rules(client: Client, headers: dict[str, str], sh: int, bj: int) -> None:
    routing = [
        {
            "id": 1,
            "position": 10,
            "name": "华东发上海仓",
            "conditions": [{"type": "region_in", "regions": ["华东"]}],
            "action": {"type": "route_to", "warehouse_ids": [sh]},
        },
        {"id": 2, "position": 20, "name": "就近有货", "conditions": [], "action": {"type": "nearest_with_stock"}},
    ]
    for kind, items in (("review", REVIEW), ("routing", routing), ("rates", RATES)):
        saved = await client.put(f"/api/order-rules/{kind}", json=items, headers=headers)
        assert saved.status_code == 200, saved.text


async def _orders(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    items = (await client.get("/api/orders?limit=50", headers=headers)).json()["items"]
    return {o["platform_order_no"]: o for o in items}


async def test_paid_orders_are_reviewed_routed_reserved_and_explained(client: Client, session_factory: Factory) -> None:
    headers, sh, bj, sku = await _world(session_factory)
    await _save_rules(client, headers, sh, bj)

    report = (await client.post("/api/orders/process", json={}, headers=headers)).json()

    assert (report["routed"], report["held"]) == (3, 1)
    orders = await _orders(client, headers)
    assert {n: (o["status"], o["warehouse_id"]) for n, o in orders.items()} == {
        "A-浙江": ("routed", sh),
        "B-北京": ("routed", bj),
        "C-留言": ("review", None),
        "D-浙江": ("routed", bj),  # WH-SH has 1 left after A: rule 1 falls through to the nearest with stock
    }
    assert orders["C-留言"]["hold_reason"] == "read the buyer's message"
    detail = (await client.get(f"/api/orders/{orders['D-浙江']['id']}", headers=headers)).json()
    routed = detail["events"][-1]
    assert routed["kind"] == "routed"
    assert "WH-SH lacks" in routed["reason"] and "WH-BJ" in routed["reason"]
    assert routed["detail"]["routing"]  # the same explanation in Chinese
    assert (detail["carrier_code"], detail["shipping_cost_minor"]) == ("YTO", 700)  # 1.8 kg: 5.00 + 1 × 2.00
    async with session_factory() as s:
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)).where(StockLevel.sku_id == sku))
        rows = await s.scalar(select(func.count()).select_from(OrderReservation))
    assert (reserved, rows) == (8, 3)


async def test_what_if_tries_new_rules_on_the_orders_and_changes_nothing(
    client: Client, session_factory: Factory
) -> None:
    headers, sh, bj, _ = await _world(session_factory)
    await _save_rules(client, headers, sh, bj)
    everything_from_shanghai = [
        {
            "id": 7,
            "position": 1,
            "name": "全部上海发",
            "conditions": [],
            "action": {"type": "route_to", "warehouse_ids": [sh]},
        }
    ]

    answers = (
        await client.post(
            "/api/orders/what-if", json={"review": [], "routing": everything_from_shanghai}, headers=headers
        )
    ).json()
    bad = await client.post(
        "/api/orders/what-if", json={"routing": [{"id": 1, "action": {"type": "teleport"}}]}, headers=headers
    )

    by_no = {a["platform_order_no"]: a for a in answers}
    assert [a["platform_order_no"] for a in answers] == ["A-浙江", "B-北京", "C-留言", "D-浙江"]  # by paid time
    # WH-SH holds 4: A takes 3, B (2) cannot have the last one, C takes it, D (3) finds none.
    assert {n: a["routing"]["held"] for n, a in by_no.items()} == {
        "A-浙江": False,
        "B-北京": True,
        "C-留言": False,
        "D-浙江": True,
    }
    assert by_no["A-浙江"]["routing"]["assignments"] == [{"warehouse_id": sh, "lines": [[0, 3]]}]
    assert by_no["C-留言"]["review"]["approved"] is True  # the saved review rule was replaced by none
    assert by_no["A-浙江"]["carrier"]["carrier_code"] == "YTO"
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_rules")
    orders = await _orders(client, headers)
    assert {o["status"] for o in orders.values()} == {"paid"}
    async with session_factory() as s:
        assert await s.scalar(select(func.sum(StockLevel.reserved))) == 0


async def test_a_person_holds_releases_and_cancels_with_the_stock_following(
    client: Client, session_factory: Factory
) -> None:
    headers, sh, bj, sku = await _world(session_factory)
    await _save_rules(client, headers, sh, bj)
    await client.post("/api/orders/process", json={}, headers=headers)
    orders = await _orders(client, headers)
    held, routed = orders["C-留言"], orders["A-浙江"]

    released = await client.post(f"/api/orders/{held['id']}/release", json={"reason": "留言已读"}, headers=headers)
    again = await client.post(f"/api/orders/{held['id']}/release", json={}, headers=headers)
    cancelled = await client.post(f"/api/orders/{routed['id']}/cancel", json={"reason": "买家取消"}, headers=headers)
    await client.post("/api/orders/process", json={}, headers=headers)

    assert (released.status_code, released.json()["status"]) == (200, "paid")
    assert (again.status_code, again.json()["code"]) == (409, "order_status_conflict")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    after = await _orders(client, headers)
    assert after["C-留言"]["status"] == "review"  # reviewed again: the saved rule still holds a message
    detail = (await client.get(f"/api/orders/{routed['id']}", headers=headers)).json()
    assert [(e["kind"], e["reason"]) for e in detail["events"]][-1] == ("status", "买家取消")
    async with session_factory() as s:
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)).where(StockLevel.sku_id == sku))
    assert reserved == 5  # A's 3 went back; B (2) and D (3) still hold theirs


async def test_cancelling_an_order_on_the_floor_intercepts_it(client: Client, session_factory: Factory) -> None:
    headers, sh, bj, sku = await _world(session_factory)
    await _save_rules(client, headers, sh, bj)
    await client.post("/api/orders/process", json={}, headers=headers)
    async with session_factory() as s, s.begin():
        await s.execute(text("UPDATE orders SET status = 'in_wave' WHERE platform_order_no = 'A-浙江'"))
    order = (await _orders(client, headers))["A-浙江"]

    cancelled = await client.post(f"/api/orders/{order['id']}/cancel", json={"reason": "买家取消"}, headers=headers)

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    detail = (await client.get(f"/api/orders/{order['id']}", headers=headers)).json()
    assert (detail["events"][-1]["kind"], detail["events"][-1]["detail"]["released"]) == ("intercepted", 3)
    async with session_factory() as s:
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)).where(StockLevel.sku_id == sku))
    assert reserved == 5


async def test_urgent_orders_are_listed_with_their_reasons(client: Client, session_factory: Factory) -> None:
    headers, sh, bj, _ = await _world(session_factory)
    await _save_rules(client, headers, sh, bj)
    await client.post("/api/orders/process", json={}, headers=headers)

    listed = (await client.get("/api/orders/urgent?cut_off_minutes=0", headers=headers)).json()

    # Paid on 11 November: every one is past the 48-hour promise, the earliest paid first.
    assert [item["order"]["platform_order_no"] for item in listed] == ["A-浙江", "B-北京", "C-留言", "D-浙江"]
    assert {f["kind"] for item in listed for f in item["flags"]} == {"late_risk"}
    assert listed[0]["flags"][0]["reason_zh"].startswith("发货时限已过")

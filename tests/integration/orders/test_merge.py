"""合单: orders of one buyer and address ship as one parcel and every platform order is confirmed;
a member's refund or cancellation takes it out again (intercepting the host on the floor); the
host keeps showing the merged values after its platform updates it; re-imports change nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.fulfilment.models import WaveOrder
from server.orders.models import OrderEvent, OrderStatus
from server.orders.normalized import NormalizedOrder, PlatformStatus, Receiver, RefundState
from tests.integration.orders.merge_split_support import (
    T0,
    Client,
    Factory,
    by_number,
    events,
    level_reserved,
    lines_of,
    make_shop,
    outbox,
    platform_order,
    reserved,
    route_by,
    ship_through_the_floor,
    write,
)

STOCK = {"WH-A": {"TEE": 10, "MUG": 10}}
ELSEWHERE = Receiver(name="李**", phone="139****0000", province="北京", city="北京市", address="长安街*号")


def _three() -> list[NormalizedOrder]:
    return [
        platform_order("M1", [("11", "TEE", 1)], minutes=1),
        platform_order("M2", [("21", "MUG", 2)], minutes=2),
        platform_order("M3", [("31", "TEE", 1)], minutes=3, buyer="tb_other"),
    ]


async def test_merged_orders_ship_as_one_parcel_and_both_platform_orders_are_confirmed(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [shop.warehouses["WH-A"].id]})
    await write(session_factory, shop, _three())
    orders = await by_number(session_factory)
    m1, m2, m3 = orders["M1"].id, orders["M2"].id, orders["M3"].id

    found = (await client.get("/api/orders/merge-candidates", headers=shop.headers)).json()
    merged = await client.post("/api/orders/merge", json={"order_ids": [m2, m1]}, headers=shop.headers)
    processed = (await client.post("/api/orders/process", json={}, headers=shop.headers)).json()
    shipments = await ship_through_the_floor(client, session_factory, shop, "WH-A")

    assert (found["total"], found["items"][0]["host_id"]) == (1, m1)
    assert [o["platform_order_no"] for o in found["items"][0]["orders"]] == ["M1", "M2"]
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == m1
    assert (processed["routed"], processed["held"]) == (2, 0)  # M1 carrying M2, and M3
    after = await by_number(session_factory)
    assert {n: o.status for n, o in after.items()} == {n: OrderStatus.shipped for n in ("M1", "M2", "M3")}
    member_events = await events(session_factory, m2)
    assert [(e.kind, e.to_status) for e in member_events][-1] == ("shipped", "shipped")
    assert member_events[-1].reason == "shipped in the parcel of order M1"
    rows = await outbox(session_factory)
    confirmed = {row.payload["params"]["tid"]: row for row in rows}
    assert sorted(confirmed) == ["M1", "M2", "M3"]
    waybill = {s["order_id"]: s["waybill_no"] for s in shipments}[m1]
    assert confirmed["M1"].payload["params"]["out_sid"] == confirmed["M2"].payload["params"]["out_sid"] == waybill
    assert "sub_tid" not in confirmed["M2"].payload["params"]  # the whole of M2 left in M1's parcel
    assert len({row.dedupe_key for row in rows}) == 3
    assert await level_reserved(session_factory) == 0

    again = await write(session_factory, shop, _three())  # the same file once more
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(await events(session_factory, m2)) == len(member_events)
    assert m3 in {s["order_id"] for s in shipments}


async def test_processing_merges_and_a_refund_asked_for_a_member_takes_it_out(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [shop.warehouses["WH-A"].id]})
    await write(session_factory, shop, [platform_order("A1", [("1", "TEE", 1)], minutes=1)])
    await write(session_factory, shop, [platform_order("A2", [("1", "MUG", 2)], minutes=2, updated=T0)])

    report = (await client.post("/api/orders/process", json={"merge": True}, headers=shop.headers)).json()
    orders = await by_number(session_factory)
    host, member = orders["A1"], orders["A2"]
    assert (report["merged"], report["routed"]) == (1, 1)
    assert (member.status, member.merged_into_id, host.status) == (OrderStatus.merged, host.id, OrderStatus.routed)
    assert sorted((x.origin_order_id, x.platform_line_id) for x in await lines_of(session_factory, host.id)) == [
        (host.id, "1"),
        (member.id, "1"),  # the same platform line id in two platform orders: both in one parcel
    ]
    assert await reserved(session_factory) == {host.id: 3}

    refund = platform_order(
        "A2", [("1", "MUG", 2)], minutes=2, updated=T0 + timedelta(hours=1), refunds={"1": RefundState.requested}
    )
    await write(session_factory, shop, [refund])

    orders = await by_number(session_factory)
    host, member = orders["A1"], orders["A2"]
    assert (member.status, member.merged_into_id, member.hold_reason) == (
        OrderStatus.review,
        None,
        "refund requested on line(s) 1",
    )
    assert host.status is OrderStatus.routed
    assert [x.platform_line_id for x in await lines_of(session_factory, member.id)] == ["1"]
    assert await reserved(session_factory) == {host.id: 1, member.id: 2}  # its stock went with its lines
    assert [e.kind for e in await events(session_factory, member.id)] == [
        "imported",
        "merged",
        "updated",
        "unmerged",
        "held",
    ]
    assert "A2 taken out" in (await events(session_factory, host.id))[-1].reason


async def test_a_member_cancelled_while_its_host_is_in_a_wave_intercepts_the_host(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    warehouse = shop.warehouses["WH-A"].id
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [warehouse]})
    await write(session_factory, shop, [platform_order("B1", [("1", "TEE", 1)], minutes=1)])
    await write(session_factory, shop, [platform_order("B2", [("1", "MUG", 2)], minutes=2, updated=T0)])
    await client.post("/api/orders/process", json={"merge": True}, headers=shop.headers)
    waves = await client.post("/api/waves", json={"warehouse_id": warehouse}, headers=shop.headers)
    assert waves.status_code == 201, waves.text
    assert (await by_number(session_factory))["B1"].status is OrderStatus.in_wave

    closed = platform_order(
        "B2", [("1", "MUG", 2)], minutes=2, updated=T0 + timedelta(hours=1), status=PlatformStatus.cancelled
    )
    await write(session_factory, shop, [closed])

    orders = await by_number(session_factory)
    host, member = orders["B1"], orders["B2"]
    assert (member.status, member.merged_into_id) == (OrderStatus.cancelled, None)
    assert host.status is OrderStatus.review
    assert host.hold_reason == "merged order B2: cancelled or refunded on the platform"
    intercepted = [e for e in await events(session_factory, host.id) if e.kind == "intercepted"]
    assert len(intercepted) == 1 and "B2" in intercepted[0].reason
    assert await level_reserved(session_factory) == 0 and await reserved(session_factory) == {}
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(WaveOrder)) == 0
    assert [x.origin_order_id for x in await lines_of(session_factory, host.id)] == [host.id]

    released = await client.post(f"/api/orders/{host.id}/release", json={}, headers=shop.headers)
    again = (await client.post("/api/orders/process", json={}, headers=shop.headers)).json()
    assert released.status_code == 200 and again["routed"] == 1
    assert await reserved(session_factory) == {host.id: 1}


async def test_routed_orders_merge_with_their_stock_and_come_apart_with_it(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [shop.warehouses["WH-A"].id]})
    await write(
        session_factory,
        shop,
        [
            platform_order("C1", [("1", "TEE", 1)], minutes=1, tags=["gift"]),
            platform_order("C2", [("1", "MUG", 2)], minutes=2, tags=["VIP"], ship_by=T0 + timedelta(days=2)),
            platform_order("C3", [("1", "MUG", 1)], minutes=3, receiver=ELSEWHERE),
        ],
    )
    await client.post("/api/orders/process", json={}, headers=shop.headers)
    orders = await by_number(session_factory)
    c1, c2, c3 = orders["C1"].id, orders["C2"].id, orders["C3"].id

    elsewhere = await client.post("/api/orders/merge", json={"order_ids": [c1, c3]}, headers=shop.headers)
    alone = await client.post("/api/orders/merge", json={"order_ids": [c1]}, headers=shop.headers)
    missing = await client.post("/api/orders/merge", json={"order_ids": [c1, 999_999]}, headers=shop.headers)
    merged = await client.post(
        "/api/orders/merge", json={"order_ids": [c1, c2], "reason": "同一买家"}, headers=shop.headers
    )
    twice = await client.post("/api/orders/merge", json={"order_ids": [c1, c2]}, headers=shop.headers)

    assert (elsewhere.status_code, elsewhere.json()["code"]) == (409, "not_mergeable")
    assert elsewhere.json()["message_zh"]
    assert alone.status_code == 400
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert merged.status_code == 200, merged.text
    host = merged.json()
    assert (host["status"], host["tags"], host["ship_by"]) == ("routed", ["gift", "VIP"], "2026-11-13T00:05:00Z")
    assert (twice.status_code, twice.json()["code"]) == (409, "not_mergeable")
    assert await reserved(session_factory) == {c1: 3, c3: 1}  # C2's reservation moved with its lines
    detail = (await client.get(f"/api/orders/{c1}", headers=shop.headers)).json()
    assert [m["platform_order_no"] for m in detail["members"]] == ["C2"]
    assert {x["origin_order_id"] for x in detail["lines"]} == {c1, c2}
    member = (await client.get(f"/api/orders/{c2}", headers=shop.headers)).json()
    assert (member["status"], member["merged_into_id"]) == ("merged", c1)
    assert [(x["order_id"], x["qty"]) for x in member["lines"]] == [(c1, 2)]  # its lines, in the host's parcel
    assert member["events"][-1]["reason"] == "merged into order C1: 同一买家"

    out = await client.post(f"/api/orders/{c2}/unmerge", json={"reason": "分开发"}, headers=shop.headers)
    again = await client.post(f"/api/orders/{c2}/unmerge", json={}, headers=shop.headers)

    assert out.status_code == 200, out.text
    assert (out.json()["status"], out.json()["warehouse_id"]) == ("routed", shop.warehouses["WH-A"].id)
    assert (again.status_code, again.json()["code"]) == (409, "not_merged")
    assert await reserved(session_factory) == {c1: 1, c2: 2, c3: 1}
    host_now = (await client.get(f"/api/orders/{c1}", headers=shop.headers)).json()
    assert (host_now["tags"], host_now["ship_by"], host_now["members"]) == (["gift"], None, [])
    assert await level_reserved(session_factory) == 4


async def test_a_host_updated_by_its_platform_keeps_showing_the_merged_values(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    await write(
        session_factory,
        shop,
        [
            platform_order("E1", [("1", "TEE", 1)], minutes=1, tags=["a"], updated=T0),
            platform_order("E2", [("1", "MUG", 1)], minutes=2, tags=["vip"], ship_by=T0 + timedelta(days=1)),
        ],
    )
    orders = await by_number(session_factory)
    e1, e2 = orders["E1"].id, orders["E2"].id
    await client.post("/api/orders/merge", json={"order_ids": [e1, e2]}, headers=shop.headers)

    newer = platform_order(
        "E1", [("1", "TEE", 1)], minutes=1, tags=["a", "b"], updated=T0 + timedelta(hours=1), message="周末送"
    )
    tally = await write(session_factory, shop, [newer])

    host = (await by_number(session_factory))["E1"]
    assert tally.updated == 1
    assert (host.tags["tags"], host.ship_by, host.buyer_message) == (
        ["a", "b", "vip"],
        T0 + timedelta(days=1),
        "周末送",
    )
    assert host.own_values["tags"] == ["a", "b"] and host.own_values["ship_by"] is None
    async with session_factory() as s:
        updated = await s.scalar(
            select(OrderEvent).where(OrderEvent.order_id == e1, OrderEvent.kind == "updated").order_by(OrderEvent.id)
        )
    assert updated is not None and "ship_by" not in updated.detail["fields"]  # its own ship-by did not change
    assert {"tags", "buyer_message", "platform_updated_at"} <= set(updated.detail["fields"])

    await client.post(f"/api/orders/{e2}/unmerge", json={}, headers=shop.headers)
    host = (await by_number(session_factory))["E1"]
    assert (host.tags["tags"], host.ship_by, host.own_values) == (["a", "b"], None, {})
    assert (await by_number(session_factory))["E2"].status is OrderStatus.paid


async def test_cancelling_a_host_gives_its_merged_orders_back_and_a_host_is_never_split(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TEE": 5}, "WH-B": {"MUG": 5}})
    await route_by(client, shop, {"type": "split_allowed"})
    await write(
        session_factory,
        shop,
        [
            platform_order("F1", [("1", "TEE", 1)], minutes=1),
            platform_order("F2", [("1", "MUG", 1)], minutes=2),
            platform_order("G1", [("1", "TEE", 1)], minutes=3, buyer="tb_g"),
            platform_order("G2", [("1", "MUG", 1)], minutes=4, buyer="tb_g"),
        ],
    )
    orders = await by_number(session_factory)
    f1, f2 = orders["F1"].id, orders["F2"].id
    await client.post("/api/orders/merge", json={"order_ids": [f1, f2]}, headers=shop.headers)

    cancelled = await client.post(f"/api/orders/{f1}/cancel", json={"reason": "买家取消"}, headers=shop.headers)
    report = (
        await client.post(
            "/api/orders/process",
            json={"merge": True, "order_ids": [orders["G1"].id, orders["G2"].id]},
            headers=shop.headers,
        )
    ).json()

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    after = await by_number(session_factory)
    assert (after["F2"].status, after["F2"].merged_into_id) == (OrderStatus.paid, None)
    assert [x.origin_order_id for x in await lines_of(session_factory, f2)] == [f2]
    assert [e.kind for e in await events(session_factory, f2)][-1] == "unmerged"
    # G1 and G2 merge, but the parcel would have to come from two warehouses: held, not split.
    assert (report["merged"], report["split"], report["held"]) == (1, 0, 1)
    assert after["G1"].status is OrderStatus.review
    assert after["G1"].hold_reason.startswith("merged orders ship as one parcel, and this one would need a split")
    assert "G1-1" not in after


async def test_a_member_whose_address_changes_on_the_platform_leaves_the_parcel(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, STOCK)
    await write(
        session_factory,
        shop,
        [
            platform_order("H1", [("1", "TEE", 1)], minutes=1, updated=T0),
            platform_order("H2", [("1", "MUG", 1)], minutes=2, updated=T0),
            platform_order("H3", [("1", "MUG", 1)], minutes=3, updated=T0),
        ],
    )
    orders = await by_number(session_factory)
    ids = [orders[n].id for n in ("H1", "H2", "H3")]
    assert (await client.post("/api/orders/merge", json={"order_ids": ids}, headers=shop.headers)).status_code == 200

    moved = platform_order("H2", [("1", "MUG", 1)], minutes=2, updated=T0 + timedelta(hours=1), receiver=ELSEWHERE)
    touched = platform_order("H3", [("1", "MUG", 1)], minutes=3, updated=T0 + timedelta(hours=1), message="谢谢")
    await write(session_factory, shop, [moved, touched])

    after = await by_number(session_factory)
    assert (after["H2"].status, after["H2"].merged_into_id) == (OrderStatus.paid, None)
    assert (after["H3"].status, after["H3"].merged_into_id) == (OrderStatus.merged, ids[0])  # still one parcel
    assert [x.order_id for x in await lines_of(session_factory, ids[1], origin=True)] == [ids[1]]
    assert (await events(session_factory, ids[1]))[-1].reason.endswith("its buyer or receiver changed on the platform")

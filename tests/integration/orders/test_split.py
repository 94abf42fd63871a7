"""拆单: processing splits an order over two warehouses and reserves each part there; a person
divides a line by quantity without losing a fen; what is short waits as its own order; each part's
shipment confirms the platform order with only its lines; the platform's cancellation reaches
every part; re-imports change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from server.orders.models import OrderStatus
from server.orders.normalized import PlatformStatus
from tests.integration.orders.merge_split_support import (
    T0,
    Client,
    Factory,
    Shop,
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
from tests.unit.orders.test_taobao_csv import ITEM_CSV, ORDER_CSV

TAOBAO_PAID = "2016123456789012"


async def test_processing_splits_by_warehouse_and_each_part_confirms_its_own_lines(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TEE": 5}, "WH-B": {"MUG": 5}})
    await route_by(client, shop, {"type": "split_allowed"})
    order = platform_order("S1", [("11", "TEE", 2), ("12", "MUG", 1)], updated=T0)
    await write(session_factory, shop, [order])

    report = (await client.post("/api/orders/process", json={}, headers=shop.headers)).json()

    orders = await by_number(session_factory)
    parent, part = orders["S1"], orders["S1-1"]
    wh_a, wh_b = shop.warehouses["WH-A"].id, shop.warehouses["WH-B"].id
    assert (report["routed"], report["held"], report["split"]) == (2, 0, 1)
    assert sorted(report["orders"]) == sorted([parent.id, part.id])
    assert (parent.status, parent.warehouse_id) == (OrderStatus.routed, wh_a)
    assert (part.status, part.warehouse_id, part.split_from_id) == (OrderStatus.routed, wh_b, parent.id)
    assert [(x.platform_line_id, x.qty) for x in await lines_of(session_factory, parent.id)] == [("11", 2)]
    assert [(x.platform_line_id, x.origin_order_id) for x in await lines_of(session_factory, part.id)] == [
        ("12", parent.id)
    ]
    assert (part.paid_minor, part.buyer_id, part.receiver) == (4_900, parent.buyer_id, parent.receiver)
    assert await reserved(session_factory) == {parent.id: 2, part.id: 1}
    routed = [e for e in await events(session_factory, part.id) if e.kind == "routed"]
    assert routed[0].reason.endswith("part 2 of 2")
    detail = (await client.get(f"/api/orders/{parent.id}", headers=shop.headers)).json()
    assert [c["platform_order_no"] for c in detail["children"]] == ["S1-1"]

    # A real platform order with a part's number is refused, never mistaken for the part.
    clash = await write(session_factory, shop, [platform_order("S1-1", [("1", "TEE", 1)])])
    assert [e.field for e in clash.errors] == ["platform_order_no"] and clash.created == 0

    first = await ship_through_the_floor(client, session_factory, shop, "WH-B")
    assert (await by_number(session_factory))["S1"].status is OrderStatus.routed
    assert "all_parts_shipped" not in [e.kind for e in await events(session_factory, parent.id)]
    second = await ship_through_the_floor(client, session_factory, shop, "WH-A")

    rows = await outbox(session_factory)
    carrier = first[0]["carrier_code"]
    assert [row.payload["params"] for row in rows] == [
        {"tid": "S1", "out_sid": first[0]["waybill_no"], "company_code": carrier, "sub_tid": "12", "is_split": 1},
        {"tid": "S1", "out_sid": second[0]["waybill_no"], "company_code": carrier, "sub_tid": "11", "is_split": 1},
    ]
    assert [e.kind for e in await events(session_factory, parent.id)][-1] == "all_parts_shipped"
    assert await level_reserved(session_factory) == 0
    again = await write(session_factory, shop, [order])
    assert (again.updated, again.unchanged) == (0, 1)


async def test_a_person_divides_a_line_and_no_fen_is_lost(client: Client, session_factory: Factory) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TEE": 5, "MUG": 5}})
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [shop.warehouses["WH-A"].id]})
    order = platform_order("Q1", [("1", "TEE", 3), ("2", "MUG", 1)], updated=T0)
    await write(session_factory, shop, [order])
    await client.post("/api/orders/process", json={}, headers=shop.headers)
    parent = (await by_number(session_factory))["Q1"]
    tee, mug = await lines_of(session_factory, parent.id)
    before = await level_reserved(session_factory)

    too_many = {"parts": [{"lines": [{"line_id": tee.id, "qty": 4}]}]}
    stranger = {"parts": [{"lines": [{"line_id": 999_999, "qty": 1}]}]}
    everything = {"parts": [{"lines": [{"line_id": tee.id, "qty": 3}, {"line_id": mug.id, "qty": 1}]}]}
    refusals = [
        await client.post(f"/api/orders/{parent.id}/split", json=body, headers=shop.headers)
        for body in (too_many, stranger, everything)
    ]
    split = await client.post(
        f"/api/orders/{parent.id}/split",
        json={"parts": [{"lines": [{"line_id": tee.id, "qty": 1}]}], "reason": "先发一件"},
        headers=shop.headers,
    )

    assert [(r.status_code, r.json()["field"]) for r in refusals] == [
        (400, "parts.0.lines.0.qty"),
        (400, "parts.0.lines.0.line_id"),
        (400, "parts"),
    ]
    assert split.status_code == 200, split.text
    (part,) = split.json()["parts"]
    assert (part["platform_order_no"], part["status"], part["split_from_id"]) == ("Q1-1", "routed", parent.id)
    kept = {x.platform_line_id: x for x in await lines_of(session_factory, parent.id)}
    (moved,) = await lines_of(session_factory, part["id"])
    assert (kept["1"].qty, moved.qty, moved.platform_line_id, moved.origin_order_id) == (2, 1, "1", parent.id)
    assert (kept["1"].paid_minor + moved.paid_minor, kept["1"].discount_minor + moved.discount_minor) == (14_699, 300)
    assert (kept["1"].paid_minor, moved.paid_minor) == (9_799, 4_900)
    assert (part["paid_minor"], part["goods_minor"]) == (4_900, 5_000)
    assert await reserved(session_factory) == {parent.id: 3, part["id"]: 1}  # its unit stays reserved
    assert await level_reserved(session_factory) == before
    assert (await events(session_factory, parent.id))[-1].detail["parts"] == [
        {"order_id": part["id"], "platform_order_no": "Q1-1", "lines": [["1", 1]]}
    ]

    assert (await write(session_factory, shop, [order])).unchanged == 1  # the same file again
    renamed = platform_order("Q1", [("1", "TEE", 3), ("2", "MUG", 1)], updated=T0 + timedelta(hours=1), title="T恤")
    assert (await write(session_factory, shop, [renamed])).updated == 1
    rows = await lines_of(session_factory, parent.id, origin=True)
    assert sorted((x.platform_line_id, x.qty, x.title) for x in rows) == [
        ("1", 1, "T恤"),
        ("1", 2, "T恤"),
        ("2", 1, "T恤"),
    ]
    assert sum(x.paid_minor for x in rows if x.platform_line_id == "1") == 14_699

    closed = platform_order(
        "Q1", [("1", "TEE", 3), ("2", "MUG", 1)], updated=T0 + timedelta(hours=2), status=PlatformStatus.cancelled
    )
    await write(session_factory, shop, [closed])
    after = await by_number(session_factory)
    assert (after["Q1"].status, after["Q1-1"].status) == (OrderStatus.cancelled, OrderStatus.cancelled)
    assert await level_reserved(session_factory) == 0
    late = await client.post(
        f"/api/orders/{parent.id}/split",
        json={"parts": [{"lines": [{"line_id": mug.id, "qty": 1}]}]},
        headers=shop.headers,
    )
    assert (late.status_code, late.json()["code"]) == (409, "not_splittable")


async def test_what_is_in_stock_ships_and_the_rest_waits_as_its_own_order(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TEE": 2, "MUG": 5}})
    await route_by(client, shop, {"type": "split_allowed", "split_lines": True, "backorder": True})
    await write(session_factory, shop, [platform_order("K1", [("1", "TEE", 3), ("2", "MUG", 1)])])

    report = (await client.post("/api/orders/process", json={}, headers=shop.headers)).json()

    orders = await by_number(session_factory)
    parent, waiting = orders["K1"], orders["K1-1"]
    assert (report["routed"], report["held"], report["split"]) == (1, 1, 1)
    assert parent.status is OrderStatus.routed
    assert sorted((x.platform_line_id, x.qty) for x in await lines_of(session_factory, parent.id)) == [
        ("1", 2),
        ("2", 1),
    ]
    assert (waiting.status, waiting.warehouse_id) == (OrderStatus.review, None)
    assert waiting.hold_reason == "awaiting stock (缺货拆单): no warehouse can ship SKU TEE ×1 yet"
    assert [(x.platform_line_id, x.qty) for x in await lines_of(session_factory, waiting.id)] == [("1", 1)]
    assert await reserved(session_factory) == {parent.id: 3}


async def test_splitting_a_routed_order_moves_whole_lines_with_their_stock(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TEE": 5, "MUG": 5}})
    await route_by(client, shop, {"type": "route_to", "warehouse_ids": [shop.warehouses["WH-A"].id]})
    await write(session_factory, shop, [platform_order("P1", [("1", "TEE", 1), ("2", "MUG", 2), ("3", "TEE", 1)])])
    await client.post("/api/orders/process", json={}, headers=shop.headers)
    parent = (await by_number(session_factory))["P1"]
    _, mug, last = await lines_of(session_factory, parent.id)

    split = await client.post(
        f"/api/orders/{parent.id}/split",
        json={
            "parts": [
                {"lines": [{"line_id": mug.id, "qty": 2}], "ship_by": "2026-11-20T00:00:00Z"},
                {"lines": [{"line_id": last.id, "qty": 1}]},
            ]
        },
        headers=shop.headers,
    )

    assert split.status_code == 200, split.text
    parts = split.json()["parts"]
    assert [(p["platform_order_no"], p["ship_by"]) for p in parts] == [
        ("P1-1", "2026-11-20T00:00:00Z"),
        ("P1-2", None),
    ]
    assert await reserved(session_factory) == {parent.id: 1, parts[0]["id"]: 2, parts[1]["id"]: 1}
    assert [x.id for x in await lines_of(session_factory, parts[0]["id"])] == [mug.id]  # the same row moved

    # A part of a part is numbered from the platform order and points at it.
    again = await client.post(
        f"/api/orders/{parts[0]['id']}/split",
        json={"parts": [{"lines": [{"line_id": mug.id, "qty": 1}]}]},
        headers=shop.headers,
    )
    assert again.status_code == 200, again.text
    (grandchild,) = again.json()["parts"]
    assert (grandchild["platform_order_no"], grandchild["split_from_id"]) == ("P1-3", parent.id)
    assert await level_reserved(session_factory) == 4


async def _upload(client: Client, shop: Shop) -> dict[str, Any]:
    files = {
        "order_file": ("ExportOrderList.csv", ORDER_CSV.encode("gb18030"), "text/csv"),
        "item_file": ("ExportOrderDetailList.csv", ITEM_CSV.encode("gb18030"), "text/csv"),
    }
    started = await client.post(
        f"/api/channels/{shop.channel_id}/imports/file", data={"kind": "taobao"}, files=files, headers=shop.headers
    )
    assert started.status_code == 202, started.text
    for _ in range(200):
        body: dict[str, Any] = (
            await client.get(f"/api/order-imports/{started.json()['id']}", headers=shop.headers)
        ).json()
        if body["status"] != "running":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("import still running")


async def test_the_same_export_uploaded_again_after_a_split_changes_nothing(
    client: Client, session_factory: Factory
) -> None:
    shop = await make_shop(session_factory, {"WH-A": {"TS-BLK-M": 5, "BAG-01": 5}})
    first = await _upload(client, shop)
    parent = (await by_number(session_factory))[TAOBAO_PAID]
    tee = next(x for x in await lines_of(session_factory, parent.id) if x.sku_code == "TS-BLK-M")
    split = await client.post(
        f"/api/orders/{parent.id}/split",
        json={"parts": [{"lines": [{"line_id": tee.id, "qty": 1}]}]},
        headers=shop.headers,
    )
    assert split.status_code == 200, split.text
    rows_before = [
        (x.id, x.order_id, x.qty, x.paid_minor) for x in await lines_of(session_factory, parent.id, origin=True)
    ]
    events_before = len(await events(session_factory, parent.id))

    second = await _upload(client, shop)

    assert first["created"] == second["unchanged"] > 0
    assert (second["created"], second["updated"], second["stale"]) == (0, 0, 0)
    assert [
        (x.id, x.order_id, x.qty, x.paid_minor) for x in await lines_of(session_factory, parent.id, origin=True)
    ] == rows_before
    assert len(await events(session_factory, parent.id)) == events_before
    assert {o.platform_order_no for o in (await by_number(session_factory)).values() if o.split_from_id} == {
        f"{TAOBAO_PAID}-1"
    }

"""Desk receiving against a purchase order: partial and complete receipts, tolerance, quarantine for
the excess, refusals that name the line, lots, QC holds, and idempotent retries."""

from __future__ import annotations

from sqlalchemy import select

from server.auth.models import Role
from server.catalog.models import Lot
from server.inbound.models import ReceiptLine
from server.warehouse.models import Warehouse
from tests.integration.inbound.helpers import (
    Client,
    Factory,
    create_po,
    exceptions,
    make_dock,
    moves,
    on_hand,
    receive,
    state,
)
from tests.sync_support import make_device


async def test_partial_then_complete_receipt_moves_status_and_stock(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10, "unit_cost_fen": 850}])

    first = await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 4}])
    assert (first["purchase_order_status"], first["replayed"], first["received_by_user_id"]) == (
        "partially_received",
        False,
        dock.users[Role.receiver],
    )
    assert [(x["qty"], x["qty_accepted"], x["qty_over"], x["to_location_id"]) for x in first["lines"]] == [
        (4, 4, 0, dock.receiving)  # no bin named: the warehouse's receiving bin
    ]
    detail = (await client.get(f"/api/purchase-orders/{order['id']}", headers=dock.headers[Role.receiver])).json()
    assert (detail["status"], detail["lines"][0]["qty_received"], detail["lines"][0]["qty_outstanding"]) == (
        "partially_received",
        4,
        6,
    )

    second = await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 6}])
    assert second["purchase_order_status"] == "received" and second["exceptions"] == []
    detail = (await client.get(f"/api/purchase-orders/{order['id']}", headers=dock.headers[Role.receiver])).json()
    assert (detail["status"], detail["qty_received"], detail["lines"][0]["qty_outstanding"]) == ("received", 10, 0)
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 10
    assert await moves(session_factory) == [
        (dock.sku, dock.supplier, dock.receiving, 4, "receipt", order["code"]),
        (dock.sku, dock.supplier, dock.receiving, 6, "receipt", order["code"]),
    ]
    assert await state(session_factory, dock, dock.sku) == (10, 10, 0)
    listed = (
        await client.get(f"/api/purchase-orders/{order['id']}/receipts", headers=dock.headers[Role.receiver])
    ).json()
    assert [r["id"] for r in listed] == [first["id"], second["id"]]


async def test_over_receipt_within_tolerance_is_accepted_and_beyond_it_is_quarantined(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 100}], tolerance_pct=10)

    within = await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 105}])
    assert within["exceptions"] == [] and within["lines"][0]["qty_over"] == 0
    assert within["purchase_order_status"] == "received"

    beyond = await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 10}])
    (line,) = beyond["lines"]
    assert (line["qty"], line["qty_accepted"], line["qty_over"], line["to_location_id"], line["over_location_id"]) == (
        10,
        5,
        5,
        dock.receiving,
        dock.quarantine,
    )
    (raised,) = beyond["exceptions"]
    assert raised["kind"] == "over_receipt" and raised["exception_id"] == line["exception_id"]
    assert "held in location QC-01 pending approval" in raised["message"] and raised["message_zh"]
    (row,) = await exceptions(session_factory)
    assert row.refs == {
        "purchase_order_id": order["id"],
        "receipt_id": beyond["id"],
        "line_no": 1,
        "sku_id": dock.sku,
        "lot_id": None,
        "over_qty": 5,
        "location_id": dock.quarantine,
        "qty_ordered": 100,
        "allowed": 110,
        "qty_received": 115,
        "approval": "pending",
    }
    assert (
        await on_hand(session_factory, dock.receiving, dock.sku),
        await on_hand(session_factory, dock.quarantine, dock.sku),
    ) == (110, 5)
    assert await state(session_factory, dock, dock.sku) == (115, 110, 5)  # the excess is pending, not available


async def test_sku_not_on_the_order_is_refused_naming_the_line_and_nothing_is_written(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    r = await client.post(
        f"/api/purchase-orders/{order['id']}/receipts",
        json={"lines": [{"sku_id": dock.sku, "qty": 2}, {"sku_id": dock.other_sku, "qty": 1}]},
        headers={**dock.headers[Role.receiver], "Idempotency-Key": "desk-1"},
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["code"], body["field"], body["detail"]) == (
        "sku_not_on_po",
        "lines.1.sku_id",
        {"line": 2, "sku_id": dock.other_sku},
    )
    assert body["message"].startswith("line 2: SKU ") and order["code"] in body["message"]
    assert body["message_zh"].startswith("第 2 行")
    assert await moves(session_factory) == []
    detail = (await client.get(f"/api/purchase-orders/{order['id']}", headers=dock.headers[Role.receiver])).json()
    assert (detail["status"], detail["qty_received"]) == ("open", 0)


async def test_retry_with_the_same_key_posts_nothing_twice(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    url = f"/api/purchase-orders/{order['id']}/receipts"
    headers = {**dock.headers[Role.receiver], "Idempotency-Key": "desk-7:rcpt-1"}
    body = {"lines": [{"sku_id": dock.sku, "qty": 3}]}

    first = await client.post(url, json=body, headers=headers)
    again = await client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True and again.json()["id"] == first.json()["id"]
    assert again.json()["lines"] == first.json()["lines"]
    assert await moves(session_factory) == [(dock.sku, dock.supplier, dock.receiving, 3, "receipt", order["code"])]
    detail = (await client.get(f"/api/purchase-orders/{order['id']}", headers=headers)).json()
    assert detail["lines"][0]["qty_received"] == 3

    in_body = await client.post(
        url, json={**body, "idempotency_key": "desk-7:rcpt-1"}, headers=dock.headers[Role.receiver]
    )
    assert in_body.status_code == 200 and in_body.json()["id"] == first.json()["id"]  # body key = header key

    other = await client.post(url, json={"lines": [{"sku_id": dock.sku, "qty": 4}]}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    keyless = await client.post(url, json=body, headers=dock.headers[Role.receiver])
    assert keyless.status_code == 422
    assert (keyless.json()["code"], keyless.json()["field"]) == ("idempotency_key_required", "idempotency_key")
    assert len(await moves(session_factory)) == 1


async def test_lot_controlled_line_needs_a_lot_and_books_into_it(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.lot_sku, "qty": 20}])
    url = f"/api/purchase-orders/{order['id']}/receipts"
    headers = {**dock.headers[Role.receiver], "Idempotency-Key": "lot-1"}

    r = await client.post(url, json={"lines": [{"sku_id": dock.lot_sku, "qty": 5}]}, headers=headers)
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("lot_required", "lines.0.lot_number")
    line = {"sku_id": dock.lot_sku, "qty": 5, "lot_number": "B2026-11", "manufactured_on": "2026-11-01"}
    r = await client.post(url, json={"lines": [{**line, "expires_on": "2026-10-01"}]}, headers=headers)
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == (
        "lot_dates_out_of_order",
        "lines.0.expires_on",
    )

    done = await receive(client, dock, order["id"], [{**line, "expires_on": "2027-11-01"}])
    async with session_factory() as s:
        lot = (await s.scalars(select(Lot).where(Lot.sku_id == dock.lot_sku))).one()
    assert (lot.lot_number, lot.expires_on.isoformat() if lot.expires_on else None) == ("B2026-11", "2027-11-01")
    assert done["lines"][0]["lot_id"] == lot.id

    r = await client.post(
        url,
        json={"lines": [{**line, "expires_on": "2028-01-01"}]},
        headers={**dock.headers[Role.receiver], "Idempotency-Key": "lot-2"},
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == (
        "lot_expiry_differs",
        "lines.0.expires_on",
    )
    assert r.json()["detail"] == {"lot_id": lot.id, "recorded_expires_on": "2027-11-01"}
    assert await on_hand(session_factory, dock.receiving, dock.lot_sku) == 5


async def test_qc_required_goods_land_in_quarantine_and_are_not_available(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    done = await receive(
        client,
        dock,
        order["id"],
        [{"sku_id": dock.sku, "qty": 6, "qc_required": True}, {"sku_id": dock.sku, "qty": 4}],
    )
    assert [(x["to_location_id"], x["qc_required"], x["qty_over"]) for x in done["lines"]] == [
        (dock.quarantine, True, 0),
        (dock.receiving, False, 0),
    ]
    assert done["purchase_order_status"] == "received"
    assert await state(session_factory, dock, dock.sku) == (10, 4, 6)

    r = await client.post(
        f"/api/purchase-orders/{order['id']}/receipts",
        json={"lines": [{"sku_id": dock.sku, "qty": 1, "qc_required": True, "to_location_id": dock.receiving}]},
        headers={**dock.headers[Role.receiver], "Idempotency-Key": "qc-wrong-bin"},
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == (
        "qc_requires_quarantine",
        "lines.0.to_location_id",
    )
    r = await client.post(
        f"/api/purchase-orders/{order['id']}/receipts",
        json={"lines": [{"sku_id": dock.sku, "qty": 1, "to_location_id": dock.storage}]},
        headers={**dock.headers[Role.receiver], "Idempotency-Key": "storage-bin"},
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == (
        "wrong_location_type",
        "lines.0.to_location_id",
    )
    async with session_factory() as s:
        assert len((await s.scalars(select(ReceiptLine))).all()) == 2


async def test_a_phone_receipt_on_a_partially_received_order_is_not_flagged_as_not_open(
    client: Client, session_factory: Factory
) -> None:
    """Desk and phone receive the same order: the phone op counts partially_received as open."""
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 4}])
    async with session_factory() as s:
        warehouse = await s.get(Warehouse, dock.warehouse)
    assert warehouse is not None
    device = await make_device(session_factory, warehouse, [Role.receiver])
    payload = {"purchase_order_id": order["id"], "sku_id": dock.sku, "qty": 5, "to_location_id": dock.receiving}
    body = await device.push(client, [device.op("inbound.item_received", payload)])

    assert body["results"][0]["status"] == "applied", body
    assert await exceptions(session_factory) == []
    detail = (await client.get(f"/api/purchase-orders/{order['id']}", headers=dock.headers[Role.receiver])).json()
    assert (detail["status"], detail["qty_received"]) == ("partially_received", 9)

    done = await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": 1}])
    assert done["purchase_order_status"] == "received"
    assert await on_hand(session_factory, dock.receiving, dock.sku) == 10

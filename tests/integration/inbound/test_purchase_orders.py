"""Suppliers and purchase orders over HTTP: create, list with filters, get with lines, cancel, close."""

from __future__ import annotations

from server.auth.models import Role
from tests.integration.inbound.helpers import Client, Factory, create_po, key, make_dock, moves, receive


async def test_supplier_create_list_get_update_and_duplicate_code(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    boss = dock.headers[Role.supervisor]
    body = {"code": "ACME", "name": "义乌市阿克米日用品有限公司", "contact": "王经理", "phone": "13800000000"}
    r = await client.post("/api/suppliers", json=body, headers=boss)
    assert r.status_code == 201, r.text
    supplier = r.json()
    assert (supplier["code"], supplier["name"], supplier["contact"], supplier["phone"], supplier["active"]) == (
        "ACME",
        "义乌市阿克米日用品有限公司",
        "王经理",
        "13800000000",
        True,
    )

    again = await client.post("/api/suppliers", json={"code": "acme", "name": "x"}, headers=boss)
    assert again.status_code == 409 and again.json()["code"] == "supplier_code_taken"
    assert again.json()["field"] == "code" and again.json()["message_zh"]

    await client.post("/api/suppliers", json={"code": "BETA", "name": "Beta Trading"}, headers=boss)
    r = await client.patch(f"/api/suppliers/{supplier['id']}", json={"active": False, "phone": "021-1"}, headers=boss)
    assert r.status_code == 200 and (r.json()["active"], r.json()["phone"]) == (False, "021-1")

    listed = (await client.get("/api/suppliers", params={"active": "true"}, headers=boss)).json()
    assert [s["code"] for s in listed["items"]] == ["BETA"] and listed["total"] == 1
    found = (await client.get("/api/suppliers", params={"q": "阿克米"}, headers=boss)).json()
    assert [s["code"] for s in found["items"]] == ["ACME"]
    got = await client.get(f"/api/suppliers/{supplier['id']}", headers=dock.headers[Role.picker])
    assert got.status_code == 200 and got.json()["active"] is False
    missing = await client.get("/api/suppliers/999999", headers=boss)
    assert missing.status_code == 404 and missing.json()["code"] == "supplier_not_found"


async def test_purchase_order_create_get_and_list_with_filters(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    other = await make_dock(session_factory)
    boss = dock.headers[Role.supervisor]
    acme = (await client.post("/api/suppliers", json={"code": "ACME", "name": "Acme"}, headers=boss)).json()
    r = await client.post(
        "/api/purchase-orders",
        json={
            "code": "PO-2026-0001",
            "warehouse_id": dock.warehouse,
            "supplier_id": acme["id"],
            "over_receipt_tolerance_pct": 5,
            "expected_on": "2026-12-10",
            "lines": [
                {"sku_id": dock.sku, "qty": 100, "unit_cost_fen": 850},
                {"sku_id": dock.other_sku, "qty": 7, "unit_cost_fen": 1999},
            ],
        },
        headers=boss,
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["status"], order["supplier_id"], order["supplier_name"], order["currency"]) == (
        "open",
        acme["id"],
        "Acme",
        "CNY",
    )
    assert order["created_by_user_id"] == dock.users[Role.supervisor]
    assert (order["total_fen"], order["qty_ordered"], order["qty_received"]) == (100 * 850 + 7 * 1999, 107, 0)
    assert [
        (line["sku_id"], line["qty_ordered"], line["qty_received"], line["qty_outstanding"], line["qty_allowed"])
        for line in order["lines"]
    ] == [(dock.sku, 100, 0, 100, 105), (dock.other_sku, 7, 0, 7, 7)]

    second = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 1}], code="PO-2026-0002")
    await client.post(f"/api/purchase-orders/{second['id']}/cancel", headers=boss)
    foreign = await create_po(client, other, [{"sku_id": other.sku, "qty": 1}], code="PO-2026-0003")

    async def codes(**params: object) -> list[str]:
        r = await client.get("/api/purchase-orders", params=params, headers=dock.headers[Role.picker])
        assert r.status_code == 200, r.text
        return [o["code"] for o in r.json()["items"]]

    assert await codes() == ["PO-2026-0002", "PO-2026-0001"]  # newest first; the other warehouse is out of scope
    assert await codes(status="open") == ["PO-2026-0001"]
    assert await codes(status="cancelled") == ["PO-2026-0002"]
    assert await codes(supplier_id=acme["id"]) == ["PO-2026-0001"]
    assert await codes(warehouse_id=other.warehouse) == []
    out_of_scope = await client.get(f"/api/purchase-orders/{foreign['id']}", headers=dock.headers[Role.picker])
    assert out_of_scope.status_code == 403 and out_of_scope.json()["code"] == "warehouse_out_of_scope"

    got = await client.get(f"/api/purchase-orders/{order['id']}", headers=dock.headers[Role.picker])
    assert got.status_code == 200 and got.json()["lines"] == order["lines"]


async def test_purchase_order_refuses_bad_lines_and_a_taken_code(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    boss = dock.headers[Role.supervisor]
    base = {"code": "PO-X", "warehouse_id": dock.warehouse}
    r = await client.post(
        "/api/purchase-orders",
        json={**base, "lines": [{"sku_id": dock.sku, "qty": 1}, {"sku_id": dock.sku, "qty": 2}]},
        headers=boss,
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("duplicate_sku", "lines.1.sku_id")
    r = await client.post(
        "/api/purchase-orders", json={**base, "lines": [{"sku_id": 99999999, "qty": 1}]}, headers=boss
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("sku_not_found", "lines.0.sku_id")
    r = await client.post(
        "/api/purchase-orders", json={**base, "lines": [{"sku_id": dock.sku, "qty": 0}]}, headers=boss
    )
    assert r.status_code == 400 and r.json()["field"] == "lines[0].qty"
    await create_po(client, dock, [{"sku_id": dock.sku, "qty": 1}], code="PO-X")
    r = await client.post(
        "/api/purchase-orders", json={**base, "lines": [{"sku_id": dock.sku, "qty": 1}]}, headers=boss
    )
    assert r.status_code == 409 and r.json()["code"] == "po_code_taken"


async def test_cancel_only_while_nothing_received_then_close(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    boss = dock.headers[Role.supervisor]
    untouched = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    r = await client.post(f"/api/purchase-orders/{untouched['id']}/cancel", headers=boss)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = await client.post(f"/api/purchase-orders/{untouched['id']}/cancel", headers=boss)
    assert again.status_code == 200 and again.json()["status"] == "cancelled"  # a retried cancel is harmless
    r = await client.post(f"/api/purchase-orders/{untouched['id']}/close", headers=boss)
    assert r.status_code == 409 and r.json()["code"] == "po_status_conflict"

    started = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    await receive(client, dock, started["id"], [{"sku_id": dock.sku, "qty": 3}])
    r = await client.post(f"/api/purchase-orders/{started['id']}/cancel", headers=boss)
    assert r.status_code == 409, r.text
    assert (r.json()["code"], r.json()["detail"]) == ("po_has_receipts", {"qty_received": 3})
    r = await client.post(f"/api/purchase-orders/{started['id']}/close", headers=boss)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["lines"][0]["qty_received"] == 3

    refused = await client.post(
        f"/api/purchase-orders/{started['id']}/receipts",
        json={"lines": [{"sku_id": dock.sku, "qty": 1}], "idempotency_key": key()},
        headers=dock.headers[Role.receiver],
    )
    assert refused.status_code == 409 and refused.json()["code"] == "po_not_receivable"
    assert len(await moves(session_factory)) == 1


async def test_picker_may_read_but_not_buy_cancel_close_release_or_assign(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": 10}])
    picker = dock.headers[Role.picker]
    writes = [
        ("/api/suppliers", {"code": "S1", "name": "x"}),
        ("/api/purchase-orders", {"code": "PO-P", "warehouse_id": dock.warehouse, "lines": [{"sku_id": 1, "qty": 1}]}),
        (f"/api/purchase-orders/{order['id']}/cancel", None),
        (f"/api/purchase-orders/{order['id']}/close", None),
        (
            "/api/qc/release",
            {"location_id": dock.quarantine, "sku_id": dock.sku, "qty": 1, "result": "passed", "idempotency_key": "k"},
        ),
        ("/api/putaway/assignments", {"sku_id": dock.sku, "location_id": dock.storage}),
    ]
    for path, body in writes:
        r = await client.post(path, json=body, headers=picker)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), path
    r = await client.patch("/api/suppliers/1", json={"name": "y"}, headers=picker)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = await client.get(f"/api/purchase-orders/{order['id']}", headers=picker)
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert await moves(session_factory) == []

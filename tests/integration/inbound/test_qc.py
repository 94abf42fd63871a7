"""QC release: passed goods leave quarantine for a storage bin, failed goods for returns or @LOSS,
each through the ledger with a record of who inspected."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.auth.models import Role
from server.inbound.models import QcInspection, QcResult
from tests.integration.inbound.helpers import Client, Dock, Factory, create_po, make_dock, moves, receive, state


async def _quarantined(client: Client, dock: Dock, qty: int) -> dict[str, Any]:
    order = await create_po(client, dock, [{"sku_id": dock.sku, "qty": qty}])
    await receive(client, dock, order["id"], [{"sku_id": dock.sku, "qty": qty, "qc_required": True}])
    return order


async def _release(client: Client, dock: Dock, key: str, **body: Any) -> Any:
    payload = {"location_id": dock.quarantine, "sku_id": dock.sku, **body}
    headers = {**dock.headers[Role.supervisor], "Idempotency-Key": key}
    return await client.post("/api/qc/release", json=payload, headers=headers)


async def test_passed_goods_move_to_storage_and_become_available(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    order = await _quarantined(client, dock, 10)
    assert await state(session_factory, dock, dock.sku) == (10, 0, 10)

    r = await _release(
        client,
        dock,
        "qc-1",
        qty=6,
        result="passed",
        to_location_id=dock.storage,
        reference=order["code"],
        note="外观良好",
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["result"], body["from_location_id"], body["to_location_id"], body["qty"], body["replayed"]) == (
        "passed",
        dock.quarantine,
        dock.storage,
        6,
        False,
    )
    assert body["inspected_by_user_id"] == dock.users[Role.supervisor]
    assert (await moves(session_factory))[-1] == (dock.sku, dock.quarantine, dock.storage, 6, "release", order["code"])
    assert await state(session_factory, dock, dock.sku) == (10, 6, 4)
    async with session_factory() as s:
        row = (await s.scalars(select(QcInspection))).one()
    assert (row.result, row.note, row.move_id, row.inspected_by_user_id) == (
        QcResult.passed,
        "外观良好",
        body["move_id"],
        dock.users[Role.supervisor],
    )

    again = await _release(
        client,
        dock,
        "qc-1",
        qty=6,
        result="passed",
        to_location_id=dock.storage,
        reference=order["code"],
        note="外观良好",
    )
    assert again.status_code == 200 and again.json()["replayed"] is True and again.json()["id"] == body["id"]
    assert await state(session_factory, dock, dock.sku) == (10, 6, 4)

    default = await _release(client, dock, "qc-2", qty=1, result="passed")
    assert default.status_code == 201 and default.json()["to_location_id"] == dock.receiving


async def test_failed_goods_are_scrapped_to_loss_or_held_in_returns(client: Client, session_factory: Factory) -> None:
    dock = await make_dock(session_factory)
    await _quarantined(client, dock, 10)

    scrapped = await _release(client, dock, "qc-f1", qty=3, result="failed", note="破损")
    assert scrapped.status_code == 201, scrapped.text
    assert scrapped.json()["to_location_id"] == dock.loss
    held = await _release(client, dock, "qc-f2", qty=2, result="failed", to_location_id=dock.returns)
    assert held.status_code == 201, held.text

    tail = (await moves(session_factory))[-2:]
    assert [(m[1], m[2], m[3], m[4]) for m in tail] == [
        (dock.quarantine, dock.loss, 3, "scrap"),
        (dock.quarantine, dock.returns, 2, "transfer"),
    ]
    # 3 scrapped are gone; 2 in returns are on hand but blocked; 5 still pending inspection
    assert await state(session_factory, dock, dock.sku) == (7, 0, 5)

    wrong = await _release(client, dock, "qc-f3", qty=1, result="failed", to_location_id=dock.storage)
    assert wrong.status_code == 422 and (wrong.json()["code"], wrong.json()["field"]) == (
        "wrong_location_type",
        "to_location_id",
    )


async def test_release_refuses_more_than_is_in_quarantine_and_a_non_quarantine_source(
    client: Client, session_factory: Factory
) -> None:
    dock = await make_dock(session_factory)
    await _quarantined(client, dock, 4)
    r = await _release(client, dock, "qc-x1", qty=5, result="passed")
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    r = await _release(client, dock, "qc-x2", qty=1, result="passed", location_id=dock.receiving)
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("wrong_location_type", "location_id")
    r = await client.post(
        "/api/qc/release",
        json={"location_id": dock.quarantine, "sku_id": dock.sku, "qty": 1, "result": "passed"},
        headers=dock.headers[Role.supervisor],
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    assert await state(session_factory, dock, dock.sku) == (4, 0, 4)
    async with session_factory() as s:
        assert (await s.scalars(select(QcInspection))).all() == []

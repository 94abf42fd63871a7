"""SPEC.md §3 walked as a new phone does it: log in, register, log in with the device, push, pull."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from sync.hlc import Clock
from tests.factories import TEST_PASSWORD, bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import Client, make_device


async def test_a_new_phone_registers_then_pushes_and_pulls_with_its_device_token(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b = await make_bin(s, wh), await make_bin(s, wh)
        sku = await make_sku(s)
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=wh.supplier.id,
                    to_location_id=a.id,
                    qty=5,
                    reason=MoveReason.receipt,
                    idempotency_key="seed",
                )
            ],
            negative=NegativePolicy.refuse,
        )
        await make_user(s, [Role.picker], warehouses=[wh.warehouse], username="wang")
        warehouse_id = wh.warehouse.id

    # §3.1: log in online, register the phone.
    login = await client.post("/api/auth/login", json={"username": "wang", "password": TEST_PASSWORD})
    assert login.status_code == 200, login.text
    registered = await client.post(
        "/api/devices",
        json={"name": "拣货机 1", "platform": "Android 14", "warehouse_id": warehouse_id},
        headers=bearer(login.json()["token"]),
    )
    assert registered.status_code == 201, registered.text
    device_id = registered.json()["id"]

    # A token without a device cannot pull (§2).
    body = {"protocol": 1, "device_id": device_id, "warehouse_id": warehouse_id, "cursor": None, "limit": 1000}
    refused = await client.post("/api/sync/pull", json=body, headers=bearer(login.json()["token"]))
    assert (refused.status_code, refused.json()["code"]) == (403, "device_required")

    # §3.2: log in again with the device id; that token syncs.
    again = await client.post(
        "/api/auth/login", json={"username": "wang", "password": TEST_PASSWORD, "device_id": device_id}
    )
    assert again.status_code == 200, again.text
    headers = bearer(again.json()["token"])

    clock = Clock(device_id[:8])
    now = datetime.now(UTC)
    op = {
        "op_id": "op-00000001",
        "seq": 1,
        "name": "warehouse.item_moved",
        "version": 1,
        "payload": {"sku_id": sku.id, "from_location_id": a.id, "to_location_id": b.id, "qty": 2},
        "hlc": clock.now(now).format(),
        "wall_time": now.isoformat(),
    }
    push = await client.post(
        "/api/sync/push",
        json={"protocol": 1, "device_id": device_id, "warehouse_id": warehouse_id, "client_version": "t", "ops": [op]},
        headers=headers,
    )
    assert push.status_code == 200, push.text
    assert push.json()["results"][0]["status"] == "applied"

    pulled = await client.post("/api/sync/pull", json={**body, "acked_seq": 1}, headers=headers)
    assert pulled.status_code == 200, pulled.text
    page = pulled.json()
    assert page["last_applied_seq"] == 1
    levels = {c["key"]: c["data"]["on_hand"] for c in page["changes"] if c["entity"] == "level"}
    assert levels == {f"{a.id}:{sku.id}:0": 3, f"{b.id}:{sku.id}:0": 2}


async def test_pull_pages_are_gzipped_for_clients_that_accept_it(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """The first sync of a big warehouse is ~35 MB of JSON and ~3 MB gzipped (bench/sync)."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        for _ in range(40):
            await make_sku(s)
    device = await make_device(session_factory, wh.warehouse)
    body = {"protocol": 1, "device_id": device.device_id, "warehouse_id": wh.warehouse.id, "cursor": None}
    page = await client.post(
        "/api/sync/pull", json={**body, "limit": 1000}, headers={**device.headers, "Accept-Encoding": "gzip"}
    )
    assert page.status_code == 200, page.text
    assert page.headers.get("content-encoding") == "gzip"
    assert len(page.json()["changes"]) >= 40

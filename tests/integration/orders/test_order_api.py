"""Orders through the HTTP API: a seller-centre export uploaded, progress polled, orders read back."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.reservations import reserve
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.unit.orders.test_taobao_csv import ITEM_CSV, ORDER_CSV

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]


async def _manager(factory: Factory) -> dict[str, str]:
    async with factory() as s, s.begin():
        for code in ("TS-BLK-M", "BAG-01", "MUG-1", "SC-1", "HAT-1", "SOCK-1"):
            await make_sku(s, code=code)
        _, token = await make_user(s, [Role.manager], all_warehouses=True)
    return bearer(token)


async def _finished(client: Client, import_id: int, headers: dict[str, str]) -> Any:
    for _ in range(200):
        body = (await client.get(f"/api/order-imports/{import_id}", headers=headers)).json()
        if body["status"] != "running":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"import {import_id} still running")


async def test_a_taobao_export_uploaded_twice_is_imported_once(client: Client, session_factory: Factory) -> None:
    headers = await _manager(session_factory)
    channel = await client.post(
        "/api/channels", json={"code": "TMALL", "name": "某某旗舰店", "platform": "taobao"}, headers=headers
    )
    assert channel.status_code == 201, channel.text
    url = f"/api/channels/{channel.json()['id']}/imports/file"
    files = {
        "order_file": ("ExportOrderList202403051200.csv", ORDER_CSV.encode("gb18030"), "text/csv"),
        "item_file": ("ExportOrderDetailList202403051200.csv", ITEM_CSV.encode("gb18030"), "text/csv"),
    }

    first = await client.post(url, data={"kind": "taobao"}, files=files, headers=headers)
    assert first.status_code == 202, first.text
    report = await _finished(client, first.json()["id"], headers)
    again = await client.post(url, data={"kind": "taobao"}, files=files, headers=headers)
    second = await _finished(client, again.json()["id"], headers)

    assert (report["status"], report["orders_total"], report["orders_done"], report["created"]) == ("done", 5, 5, 5)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "买家应付货款"), (5, "订单编号"), (8, "订单编号")]
    assert (second["created"], second["unchanged"]) == (0, 5)
    listed = (await client.get("/api/orders?q=2016123456789012", headers=headers)).json()
    assert listed["total"] == 1
    detail = (await client.get(f"/api/orders/{listed['items'][0]['id']}", headers=headers)).json()
    assert detail["status"] == "paid"
    assert detail["paid_minor"] == 19_550
    assert [line["sku_code"] for line in detail["lines"]] == ["TS-BLK-M", "BAG-01"]
    assert all(line["sku_id"] is not None for line in detail["lines"])
    assert [e["kind"] for e in detail["events"]] == ["imported"]


async def test_unreadable_uploads_get_a_clear_error_and_import_nothing(
    client: Client, session_factory: Factory
) -> None:
    headers = await _manager(session_factory)
    channel = await client.post(
        "/api/channels", json={"code": "SHOP2", "name": "店铺", "platform": "csv"}, headers=headers
    )
    url = f"/api/channels/{channel.json()['id']}/imports/file"

    not_a_table = await client.post(
        url, data={"kind": "taobao"}, files={"order_file": ("x.csv", b"\x00\x01garbage", "text/csv")}, headers=headers
    )
    bad_mapping = await client.post(
        url, data={"kind": "mapped", "mapping": "{not json"}, files={"file": ("x.csv", b"a,b\n1,2\n")}, headers=headers
    )
    item_only = {"item_file": ("items.csv", ITEM_CSV.encode("gb18030"), "text/csv")}
    missing = await client.post(url, data={"kind": "taobao"}, files=item_only, headers=headers)

    assert not_a_table.status_code == 400 and not_a_table.json()["code"] == "unreadable_file"
    assert not_a_table.json()["message_zh"]
    assert (bad_mapping.status_code, bad_mapping.json()["field"]) == (400, "mapping")
    assert (missing.status_code, missing.json()["field"]) == (400, "order_file")
    assert (await client.get("/api/orders", headers=headers)).json()["total"] == 0


SHOPIFY_ORDER = Path(__file__).parents[2] / "fixtures" / "orders" / "shopify_order.json"


def _shopify_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def test_a_signed_shopify_webhook_imports_and_a_forged_one_is_refused(
    client: Client, session_factory: Factory
) -> None:
    headers = await _manager(session_factory)
    created = await client.post(
        "/api/channels",
        json={"code": "SHOPIFY-US", "name": "Own shop", "platform": "shopify", "webhook_secret": "s3cret"},
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["has_webhook_secret"] is True
    assert "webhook_secret" not in created.json()
    body = SHOPIFY_ORDER.read_bytes()
    signed = {"X-Shopify-Hmac-Sha256": _shopify_signature(body, "s3cret"), "X-Shopify-Topic": "orders/create"}

    forged = await client.post(
        "/api/webhooks/SHOPIFY-US", content=body, headers={**signed, "X-Shopify-Hmac-Sha256": "AAAA"}
    )
    unknown = await client.post("/api/webhooks/NOPE", content=body, headers=signed)
    accepted = await client.post("/api/webhooks/SHOPIFY-US", content=body, headers=signed)
    retried = await client.post("/api/webhooks/SHOPIFY-US", content=body, headers=signed)  # Shopify retries

    assert (forged.status_code, forged.json()["code"]) == (401, "unauthorized")
    assert unknown.status_code == 404
    assert accepted.status_code == 200, accepted.text
    first = (await client.get(f"/api/order-imports/{accepted.json()['import_id']}", headers=headers)).json()
    second = (await client.get(f"/api/order-imports/{retried.json()['import_id']}", headers=headers)).json()
    assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)
    orders = (await client.get("/api/orders", headers=headers)).json()
    assert orders["total"] == 1
    assert len(orders["items"][0]["platform_order_no"]) > 15  # a 64-bit id, kept exactly as a string


async def test_each_shop_publishes_its_share_of_available_less_safety_stock(
    client: Client, session_factory: Factory
) -> None:
    headers = await _manager(session_factory)
    async with session_factory() as s, s.begin():
        east, north = await make_warehouse(s), await make_warehouse(s)
        a, b = await make_bin(s, east), await make_bin(s, north)
        sku = await make_sku(s, code="TEE-1")
        for wh, bin_, qty in ((east, a, 30), (north, b, 12)):
            await post_moves(
                s,
                [
                    MoveRequest(
                        sku_id=sku.id,
                        from_location_id=wh.supplier.id,
                        to_location_id=bin_.id,
                        qty=qty,
                        reason=MoveReason.receipt,
                        idempotency_key=f"seed-{bin_.id}",
                    )
                ],
            )
        await reserve(s, location_id=a.id, sku_id=sku.id, lot_id=None, qty=5)
    channel = (
        await client.post(
            "/api/channels", json={"code": "PDD-1", "name": "拼多多店", "platform": "pdd"}, headers=headers
        )
    ).json()
    settings = {"safety_stock": 2, "stock_share_pct": 60, "stock_warehouse_ids": [east.warehouse.id]}
    updated = await client.patch(f"/api/channels/{channel['id']}", json=settings, headers=headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["stock_warehouse_ids"] == [east.warehouse.id]

    stock = (await client.get(f"/api/channels/{channel['id']}/stock?sku_id={sku.id}", headers=headers)).json()
    everywhere = await client.patch(f"/api/channels/{channel['id']}", json={"stock_warehouse_ids": []}, headers=headers)
    assert everywhere.status_code == 200
    all_stock = (await client.get(f"/api/channels/{channel['id']}/stock", headers=headers)).json()
    bad = await client.patch(f"/api/channels/{channel['id']}", json={"stock_warehouse_ids": [999999]}, headers=headers)

    assert stock == [{"sku_id": sku.id, "sku_code": "TEE-1", "available": 25, "publish": 13}]  # (25 - 2) * 60 %
    assert all_stock == [{"sku_id": sku.id, "sku_code": "TEE-1", "available": 37, "publish": 21}]
    assert (bad.status_code, bad.json()["field"]) == (404, "stock_warehouse_ids")

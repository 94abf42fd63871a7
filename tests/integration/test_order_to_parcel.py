"""Issue 4's end to end: a Taobao seller-centre export and a Shopify webhook, through review,
routing, a wave, picking and packing on phones, to shipped parcels — correct ledger moves and a
confirmation queued for each platform. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.fulfilment.shipping.models import ChannelOutbox
from server.tasks.models import TaskLine
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import LocationType
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import make_device
from tests.unit.orders.test_taobao_csv import ITEM_CSV, ORDER_CSV

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
SHOPIFY = Path(__file__).parents[1] / "fixtures" / "orders" / "shopify_order.json"
TAOBAO_PAID = "2016123456789012"


async def _wait(client: Client, import_id: int, headers: dict[str, str]) -> Any:
    for _ in range(200):
        body = (await client.get(f"/api/order-imports/{import_id}", headers=headers)).json()
        if body["status"] != "running":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("import still running")


async def test_orders_from_two_platforms_become_shipped_parcels(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s, "WH-HZ")
        staging = await make_bin(s, wh, type=LocationType.staging)
        bins: dict[str, int] = {}
        for code in ("TS-BLK-M", "BAG-01", "TEE-BLK-M", "MUG-01"):
            sku = await make_sku(s, code=code)
            bin_ = await make_bin(s, wh)
            bins[code] = bin_.id
            await post_moves(
                s,
                [
                    MoveRequest(
                        sku_id=sku.id,
                        from_location_id=wh.supplier.id,
                        to_location_id=bin_.id,
                        qty=10,
                        reason=MoveReason.receipt,
                        idempotency_key=f"seed-{code}",
                    )
                ],
            )
        _, token = await make_user(s, [Role.admin], all_warehouses=True)
    headers = bearer(token)
    warehouse_id = wh.warehouse.id

    # 订单同步: a seller-centre export (GBK) and a signed Shopify webhook.
    tmall = (
        await client.post(
            "/api/channels", json={"code": "TMALL", "name": "天猫", "platform": "taobao"}, headers=headers
        )
    ).json()
    shop = {"code": "US-SHOP", "name": "Own shop", "platform": "shopify", "webhook_secret": "whsec"}
    await client.post("/api/channels", json=shop, headers=headers)
    files = {
        "order_file": ("ExportOrderList.csv", ORDER_CSV.encode("gb18030"), "text/csv"),
        "item_file": ("ExportOrderDetailList.csv", ITEM_CSV.encode("gb18030"), "text/csv"),
    }
    upload = await client.post(
        f"/api/channels/{tmall['id']}/imports/file", data={"kind": "taobao"}, files=files, headers=headers
    )
    assert (await _wait(client, upload.json()["id"], headers))["status"] == "done"
    body = SHOPIFY.read_bytes()
    signature = base64.b64encode(hmac.new(b"whsec", body, hashlib.sha256).digest()).decode()
    hook = await client.post("/api/webhooks/US-SHOP", content=body, headers={"X-Shopify-Hmac-Sha256": signature})
    assert hook.status_code == 200, hook.text

    # 审单 + 策略分仓 + 锁库存 + 快递.
    rules = [
        {
            "id": 1,
            "position": 1,
            "name": "本仓",
            "conditions": [],
            "action": {"type": "route_to", "warehouse_ids": [warehouse_id]},
        }
    ]
    await client.put("/api/order-rules/routing", json=rules, headers=headers)
    await client.put(
        "/api/order-rules/rates",
        json=[{"carrier_code": "YTO", "first_weight_g": 1000, "first_fee_minor": 500, "extra_per_kg_minor": 200}],
        headers=headers,
    )
    processed = (await client.post("/api/orders/process", json={}, headers=headers)).json()
    assert (processed["routed"], processed["held"]) == (2, 0)  # the Tmall paid order and the Shopify one
    listed = {
        o["platform_order_no"]: o
        for o in (await client.get("/api/orders?status=routed", headers=headers)).json()["items"]
    }
    assert TAOBAO_PAID in listed and len(listed) == 2

    # 波次 + 拣货 on a phone.
    (wave,) = (await client.post("/api/waves", json={"warehouse_id": warehouse_id}, headers=headers)).json()
    assert (wave["kind"], wave["order_count"], wave["unit_count"]) == ("multi", 2, 6)
    (task_id,) = (await client.get(f"/api/waves/{wave['id']}", headers=headers)).json()["task_ids"]
    async with session_factory() as s:
        lines = list(await s.scalars(select(TaskLine).where(TaskLine.task_id == task_id).order_by(TaskLine.line_no)))
    phone = await make_device(session_factory, wh.warehouse)
    picks = [
        phone.op(
            "fulfilment.item_picked",
            {"task_line_id": line.id, "location_id": line.location_id, "sku_id": line.sku_id, "qty": line.qty},
        )
        for line in lines
    ]
    assert {r["status"] for r in (await phone.push(client, picks))["results"]} == {"applied"}

    # 复核 (pack verification) on a phone, then 发货.
    skus = {line.location_id: line.sku_id for line in lines}
    wanted = {
        TAOBAO_PAID: {skus[bins["TS-BLK-M"]]: 2, skus[bins["BAG-01"]]: 1},
        next(n for n in listed if n != TAOBAO_PAID): {skus[bins["TEE-BLK-M"]]: 2, skus[bins["MUG-01"]]: 1},
    }
    checks = [
        phone.op(
            "packing.parcel_verified", {"reference": n, "items": [{"sku_id": k, "qty": q} for k, q in want.items()]}
        )
        for n, want in wanted.items()
    ]
    verified = (await phone.push(client, checks))["results"]
    assert [r["result"].get("order_status") for r in verified] == ["packed", "packed"]
    for number in wanted:
        created = await client.post(f"/api/orders/{listed[number]['id']}/shipments", json={}, headers=headers)
        assert created.status_code == 201, created.text
        label = await client.get(f"/api/shipments/{created.json()['id']}/label.pdf", headers=headers)
        assert label.content.startswith(b"%PDF")
        shipped = await client.post(f"/api/shipments/{created.json()['id']}/ship", json={}, headers=headers)
        assert shipped.status_code == 200, shipped.text

    final = {
        o["platform_order_no"]: o["status"]
        for o in (await client.get("/api/orders?limit=50", headers=headers)).json()["items"]
    }
    assert [final[n] for n in wanted] == ["shipped", "shipped"]
    async with session_factory() as s:
        report = await verify_ledger(s)
        moved = await s.execute(select(StockMove.reason, func.sum(StockMove.qty)).group_by(StockMove.reason))
        by_reason = {row[0]: row[1] for row in moved}
        left = {
            code: await s.scalar(select(StockLevel.on_hand).where(StockLevel.location_id == bin_id))
            for code, bin_id in bins.items()
        }
        staged = await s.scalar(
            select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(StockLevel.location_id == staging.id)
        )
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)))
        outbox = list(await s.scalars(select(ChannelOutbox).order_by(ChannelOutbox.id)))
    assert report.ok, report
    assert (by_reason[MoveReason.pick], by_reason[MoveReason.shipment]) == (6, 6)
    assert left == {"TS-BLK-M": 8, "BAG-01": 9, "TEE-BLK-M": 8, "MUG-01": 9}
    assert (staged, reserved) == (0, 0)
    assert [row.payload["method"] for row in outbox] == [
        "taobao.logistics.offline.send",
        "POST /admin/api/2025-01/fulfillments.json",
    ]
    assert outbox[0].payload["params"]["tid"] == TAOBAO_PAID

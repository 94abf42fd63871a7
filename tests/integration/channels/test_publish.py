"""Publishing stock (库存同步): what a shop sells (its orders' platform SKUs, its listings), only
changed figures queued, an older waiting figure superseded, racing publishers meeting at the dedupe
key, and the endpoint. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import Role
from server.channels.models import ChannelCredentials, ChannelListing, PublishedStock
from server.channels.stock import PublishReport, publish_stock
from server.db.transaction import run_in_transaction
from server.fulfilment.shipping.models import ChannelOutbox, OutboxKind, OutboxStatus
from server.orders.models import Channel, Order, OrderLine, OrderStatus
from server.orders.normalized import PlatformStatus
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.integration.shipping.helpers import Factory

T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)
Client = AsyncTestClient[Litestar]
KEYS = {"app_key": "k", "app_secret": "secret-1234", "session": "session-1234"}


@dataclass
class Shop:
    channel_id: int
    sku_a: int
    sku_b: int
    supplier: int
    bin_id: int


async def _receive(s: AsyncSession, shop: Shop, sku_id: int, qty: int, key: str) -> None:
    await post_moves(
        s,
        [
            MoveRequest(
                sku_id=sku_id,
                from_location_id=shop.supplier,
                to_location_id=shop.bin_id,
                qty=qty,
                reason=MoveReason.receipt,
                idempotency_key=key,
            )
        ],
    )


async def _shop(factory: Factory, *, platform: str = "taobao", keys: dict[str, str] | None = None) -> Shop:
    """A Taobao shop with safety stock 2 that has sold A as ``5001/6001`` and B as ``5002/6002``;
    10 of A and 4 of B on hand."""
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        a, b = await make_sku(s, code="TS-BLK-M"), await make_sku(s, code="TS-WHT-L")
        channel = Channel(code="TMALL1", name="天猫旗舰店", platform=platform, safety_stock=2)
        s.add(channel)
        await s.flush()
        s.add(ChannelCredentials(channel_id=channel.id, document=KEYS if keys is None else keys))
        shop = Shop(channel.id, a.id, b.id, wh.supplier.id, bin_.id)
        await _receive(s, shop, a.id, 10, "seed-a")
        await _receive(s, shop, b.id, 4, "seed-b")
        order = Order(
            channel_id=channel.id,
            platform_order_no="4000001",
            status=OrderStatus.shipped,
            platform_status=PlatformStatus.shipped,
            ordered_at=T0,
        )
        s.add(order)
        await s.flush()
        for n, (sku, platform_sku) in enumerate(((a, "5001/6001"), (b, "5002/6002")), 1):
            s.add(
                OrderLine(
                    order_id=order.id, line_no=n, platform_line_id=str(n), sku_code=sku.code, sku_id=sku.id,
                    platform_sku_id=platform_sku, qty=1,
                )
            )  # fmt: skip
    return shop


async def _publish(factory: Factory, channel_id: int, **kw: Any) -> PublishReport:
    return await run_in_transaction(factory, partial(publish_stock, channel_id=channel_id, now=T0, **kw))


async def _rows(factory: Factory) -> list[ChannelOutbox]:
    async with factory() as s:
        return list(await s.scalars(select(ChannelOutbox).order_by(ChannelOutbox.id)))


def _figures(report: PublishReport) -> list[tuple[str, int, int | None]]:
    return [(q.platform_sku_id, q.quantity, q.previous) for q in report.queued]


async def test_only_changed_figures_are_queued(session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    async with session_factory() as s, s.begin():
        s.add(ChannelListing(channel_id=shop.channel_id, platform_sku_id="7001", sku_id=shop.sku_a))

    first = await _publish(session_factory, shop.channel_id)
    assert _figures(first) == [("5001/6001", 8, None), ("5002/6002", 2, None), ("7001", 8, None)]
    rows = await _rows(session_factory)
    assert [(r.kind, r.status, r.payload["params"]) for r in rows] == [
        (
            OutboxKind.stock_update,
            OutboxStatus.pending,
            {"num_iid": "5001", "quantity": 8, "type": 1, "sku_id": "6001"},
        ),
        (
            OutboxKind.stock_update,
            OutboxStatus.pending,
            {"num_iid": "5002", "quantity": 2, "type": 1, "sku_id": "6002"},
        ),
        (OutboxKind.stock_update, OutboxStatus.pending, {"num_iid": "7001", "quantity": 8, "type": 1}),
    ]
    assert {r.payload["method"] for r in rows} == {"taobao.item.quantity.update"}

    again = await _publish(session_factory, shop.channel_id)
    assert (again.queued, again.unchanged) == ([], 3)
    assert len(await _rows(session_factory)) == 3

    async with session_factory() as s, s.begin():
        await _receive(s, shop, shop.sku_a, 5, "more-a")
    moved = await _publish(session_factory, shop.channel_id)
    assert _figures(moved) == [("5001/6001", 13, 8), ("7001", 13, 8)]
    assert moved.unchanged == 1

    by_id = {r.id: r for r in await _rows(session_factory)}
    old_a, new_a = by_id[first.queued[0].outbox_id], by_id[moved.queued[0].outbox_id]
    assert (old_a.status, old_a.last_error) == (
        OutboxStatus.dead,
        f"superseded by a newer stock figure (outbox row {new_a.id})",
    )
    assert new_a.status is OutboxStatus.pending
    assert by_id[first.queued[1].outbox_id].status is OutboxStatus.pending  # B's figure still stands
    async with session_factory() as s:
        published = {
            p.platform_sku_id: (p.quantity, p.version, p.outbox_id) for p in await s.scalars(select(PublishedStock))
        }
    assert published == {
        "5001/6001": (13, 2, new_a.id),
        "5002/6002": (2, 1, first.queued[1].outbox_id),
        "7001": (13, 2, moved.queued[1].outbox_id),
    }


async def test_listings_override_what_orders_suggest_and_can_keep_a_sku_out(session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    async with session_factory() as s, s.begin():
        s.add(ChannelListing(channel_id=shop.channel_id, platform_sku_id="5001/6001", sku_id=shop.sku_b))
        s.add(ChannelListing(channel_id=shop.channel_id, platform_sku_id="5002/6002", sku_id=shop.sku_b, active=False))
        await s.execute(update(Channel).values(stock_share_pct=50))

    report = await _publish(session_factory, shop.channel_id)
    assert _figures(report) == [("5001/6001", 1, None)]  # B's (4 − 2) × 50 %; 5002/6002 kept out


async def test_a_dead_figure_is_queued_again_only_when_a_person_asks(session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    first = await _publish(session_factory, shop.channel_id)
    async with session_factory() as s, s.begin():
        await s.execute(update(ChannelOutbox).values(status=OutboxStatus.dead, last_error="PermanentFailure: x"))

    assert (await _publish(session_factory, shop.channel_id)).unchanged == 2  # the worker's way
    asked = await _publish(session_factory, shop.channel_id, republish_dead=True)
    assert _figures(asked) == [("5001/6001", 8, 8), ("5002/6002", 2, 2)]
    assert {q.outbox_id for q in asked.queued}.isdisjoint({q.outbox_id for q in first.queued})


async def test_racing_publishers_queue_each_figure_once(session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    reports = await asyncio.gather(*(_publish(session_factory, shop.channel_id) for _ in range(3)))
    assert sorted(len(r.queued) for r in reports) == [0, 0, 2]
    assert len(await _rows(session_factory)) == 2


async def test_a_platform_sku_the_adapter_cannot_address_is_skipped(session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    async with session_factory() as s, s.begin():
        s.add(ChannelListing(channel_id=shop.channel_id, platform_sku_id="/6009", sku_id=shop.sku_a))
    report = await _publish(session_factory, shop.channel_id)
    [skipped] = report.skipped
    assert (skipped.platform_sku_id, skipped.sku_code) == ("/6009", "TS-BLK-M")
    assert "num_iid" in skipped.reason
    assert len(report.queued) == 2


async def test_the_publish_endpoint(client: Client, session_factory: Factory) -> None:
    shop = await _shop(session_factory)
    bare = await _shop_without_keys(session_factory)
    async with session_factory() as s, s.begin():
        manager = bearer((await make_user(s, [Role.manager], all_warehouses=True))[1])
        finance = bearer((await make_user(s, [Role.finance], all_warehouses=True))[1])
        files = Channel(code="CSV1", name="线下", platform="csv")
        s.add(files)
        await s.flush()

    url = f"/api/channels/{shop.channel_id}/stock/publish"
    assert (await client.post(url, headers=finance)).status_code == 403
    published = await client.post(url, headers=manager)
    assert published.status_code == 200, published.text
    body = published.json()
    assert [(q["platform_sku_id"], q["sku_code"], q["quantity"], q["previous"]) for q in body["queued"]] == [
        ("5001/6001", "TS-BLK-M", 8, None),
        ("5002/6002", "TS-WHT-L", 2, None),
    ]
    assert (body["unchanged"], body["skipped"]) == (0, [])
    again = (await client.post(url, headers=manager)).json()
    assert (again["queued"], again["unchanged"]) == ([], 2)

    missing = await client.post(f"/api/channels/{bare}/stock/publish", headers=manager)
    assert (missing.status_code, missing.json()["code"]) == (409, "credentials_incomplete")
    assert missing.json()["detail"] == {"missing": ["app_key", "app_secret", "session"]}
    no_api = await client.post(f"/api/channels/{files.id}/stock/publish", headers=manager)
    assert (no_api.status_code, no_api.json()["code"]) == (409, "no_platform_api")
    assert (await client.post("/api/channels/999999/stock/publish", headers=manager)).status_code == 404


async def _shop_without_keys(factory: Factory) -> int:
    async with factory() as s, s.begin():
        channel = Channel(code="JDNOKEYS", name="京东店", platform="taobao")
        s.add(channel)
        await s.flush()
        return channel.id

"""Waves from routed orders to picked orders: the fast lane apart, pick lines in walking order, picks
consuming the orders' reservations, and a short pick holding the order with a put-back task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.fulfilment.models import Wave, WaveOrder
from server.orders.models import Channel, Order, OrderEvent, OrderReservation, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, Receiver
from server.orders.pool import write_orders
from server.tasks.models import Task, TaskKind, TaskLine
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import LocationType
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import make_device

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 1, tzinfo=UTC)


def _order(number: str, lines: list[tuple[str, int]], minutes: int) -> NormalizedOrder:
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=number,
        status=PlatformStatus.paid,
        created_at=T0,
        paid_at=T0 + timedelta(minutes=minutes),
        goods_minor=100,
        paid_minor=100,
        receiver=Receiver(province="浙江省"),
        lines=[
            NormalizedLine(platform_line_id=str(n), sku_code=code, qty=qty, unit_price_minor=1, paid_minor=1)
            for n, (code, qty) in enumerate(lines, start=1)
        ],
    )


async def _world(factory: Factory) -> dict[str, Any]:
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        far = await make_bin(s, wh, code="C-09-01")  # made first, but walked to last
        near = await make_bin(s, wh, code="A-01-01")
        staging = await make_bin(s, wh, type=LocationType.staging)
        far.walking_sequence, near.walking_sequence = 90, 10
        a, b = await make_sku(s, code="SKU-A"), await make_sku(s, code="SKU-B")
        for sku, bin_, qty in ((a, far, 5), (b, near, 1)):
            request = MoveRequest(
                sku_id=sku.id,
                from_location_id=wh.supplier.id,
                to_location_id=bin_.id,
                qty=qty,
                reason=MoveReason.receipt,
                idempotency_key=f"seed-{bin_.id}",
            )
            await post_moves(s, [request])
        channel = Channel(code="TB", name="店", platform="taobao")
        s.add(channel)
        await s.flush()
        await write_orders(
            s,
            channel.id,
            [
                _order("O1-single", [("SKU-A", 1)], 1),
                _order("O2-multi", [("SKU-A", 2), ("SKU-B", 1)], 2),
                _order("O3-single", [("SKU-B", 1)], 3),
            ],
            actor=None,
        )
        _, token = await make_user(s, [Role.admin], all_warehouses=True)
    return {"wh": wh, "far": far.id, "near": near.id, "staging": staging.id, "a": a.id, "b": b.id, "token": token}


async def _route_all_here(client: Client, headers: dict[str, str], warehouse_id: int) -> None:
    """One routing rule: every order to this warehouse."""
    rule = [
        {
            "id": 1,
            "position": 1,
            "name": "本仓",
            "conditions": [],
            "action": {"type": "route_to", "warehouse_ids": [warehouse_id]},
        }
    ]
    assert (await client.put("/api/order-rules/routing", json=rule, headers=headers)).status_code == 200


async def _status(factory: Factory) -> dict[str, OrderStatus]:
    async with factory() as s:
        return {o.platform_order_no: o.status for o in await s.scalars(select(Order))}


async def _lines(factory: Factory, task_id: int) -> list[TaskLine]:
    async with factory() as s:
        return list(await s.scalars(select(TaskLine).where(TaskLine.task_id == task_id).order_by(TaskLine.line_no)))


async def test_waves_pick_and_a_short_pick(client: Client, session_factory: Factory) -> None:
    w = await _world(session_factory)
    headers = bearer(w["token"])
    wh_id = w["wh"].warehouse.id
    await _route_all_here(client, headers, wh_id)
    processed = (await client.post("/api/orders/process", json={}, headers=headers)).json()
    assert (processed["routed"], processed["held"]) == (2, 1)  # O3 wants the B that O2 (paid earlier) took

    waves = await client.post("/api/waves", json={"warehouse_id": wh_id}, headers=headers)

    assert waves.status_code == 201, waves.text
    single, multi = waves.json()
    assert (single["kind"], single["order_count"], multi["kind"], multi["order_count"]) == ("single", 1, "multi", 1)
    multi_detail = (await client.get(f"/api/waves/{multi['id']}", headers=headers)).json()
    (multi_task,) = multi_detail["task_ids"]
    lines = await _lines(session_factory, multi_task)
    assert [(line.location_id, line.sku_id, line.qty) for line in lines] == [
        (w["near"], w["b"], 1),
        (w["far"], w["a"], 2),
    ]
    assert (await _status(session_factory))["O2-multi"] is OrderStatus.in_wave

    picker = await make_device(session_factory, w["wh"].warehouse)
    single_task = (await client.get(f"/api/waves/{single['id']}", headers=headers)).json()["task_ids"][0]
    (single_line,) = await _lines(session_factory, single_task)
    pick = {"task_line_id": single_line.id, "location_id": w["far"], "sku_id": w["a"], "qty": 1}
    await picker.push(client, [picker.op("fulfilment.item_picked", pick)])
    assert (await _status(session_factory))["O1-single"] is OrderStatus.picked

    packer = await make_device(session_factory, w["wh"].warehouse)
    wrong = {"reference": "O1-single", "items": [{"sku_id": w["b"], "qty": 1}]}
    right = {"reference": "O1-single", "items": [{"sku_id": w["a"], "qty": 1}]}
    checked = await packer.push(
        client, [packer.op("packing.parcel_verified", wrong), packer.op("packing.parcel_verified", right)]
    )
    first, second = checked["results"]
    assert (first["result"]["status"], [e["kind"] for e in first["exceptions"]]) == ("mismatch", ["pack_mismatch"])
    assert (second["result"]["status"], second["result"]["order_status"]) == ("matched", "packed")
    assert (await _status(session_factory))["O1-single"] is OrderStatus.packed

    o1 = (await client.get("/api/orders?q=O1-single", headers=headers)).json()["items"][0]
    created = await client.post(f"/api/orders/{o1['id']}/shipments", json={}, headers=headers)
    assert created.status_code == 201, created.text
    shipped = await client.post(f"/api/shipments/{created.json()['id']}/ship", json={}, headers=headers)
    assert shipped.status_code == 200, shipped.text
    async with session_factory() as s:
        left = await s.scalar(select(StockLevel.on_hand).where(StockLevel.location_id == w["staging"]))
        out = (await s.scalars(select(StockMove).where(StockMove.reason == MoveReason.shipment))).one()
    assert left == 0  # the unit left staging with the parcel
    assert (out.from_location_id, out.to_location_id, out.qty) == (w["staging"], w["wh"].customer.id, 1)
    assert (await _status(session_factory))["O1-single"] is OrderStatus.shipped

    near_line, far_line = lines
    ops = [
        picker.op(
            "fulfilment.item_picked", {"task_line_id": far_line.id, "location_id": w["far"], "sku_id": w["a"], "qty": 2}
        ),
        picker.op(
            "fulfilment.pick_short",
            {"task_line_id": near_line.id, "location_id": w["near"], "sku_id": w["b"], "found_qty": 0},
        ),
    ]
    body = await picker.push(client, ops)
    assert [r["status"] for r in body["results"]] == ["applied", "applied_with_exception"]

    status = await _status(session_factory)
    assert (status["O2-multi"], status["O3-single"]) == (OrderStatus.review, OrderStatus.review)
    async with session_factory() as s:
        held = await s.scalar(select(func.count()).select_from(OrderReservation))
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)))
        staged = await s.scalar(select(func.sum(StockLevel.on_hand)).where(StockLevel.location_id == w["staging"]))
        put_back = (await s.scalars(select(Task).where(Task.kind == TaskKind.put_back))).one()
        back_lines = list(await s.scalars(select(TaskLine).where(TaskLine.task_id == put_back.id)))
        o2 = (await s.scalars(select(Order).where(Order.platform_order_no == "O2-multi"))).one()
    assert (held, reserved, staged) == (0, 0, 2)  # picked goods wait in staging (O1's unit shipped)
    assert o2.hold_reason.startswith("short pick in wave")
    assert [(line.location_id, line.sku_id, line.qty) for line in back_lines] == [(w["staging"], w["a"], 2)]


async def test_a_platform_cancellation_intercepts_an_order_whose_goods_are_picked(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(session_factory)
    headers = bearer(w["token"])
    wh_id = w["wh"].warehouse.id
    await _route_all_here(client, headers, wh_id)
    await client.post("/api/orders/process", json={}, headers=headers)
    _, multi = (await client.post("/api/waves", json={"warehouse_id": wh_id}, headers=headers)).json()
    (task_id,) = (await client.get(f"/api/waves/{multi['id']}", headers=headers)).json()["task_ids"]
    _, far_line = await _lines(session_factory, task_id)
    picker = await make_device(session_factory, w["wh"].warehouse)
    pick = {"task_line_id": far_line.id, "location_id": w["far"], "sku_id": w["a"], "qty": 2}
    await picker.push(client, [picker.op("fulfilment.item_picked", pick)])

    async with session_factory() as s, s.begin():  # the buyer cancels on Taobao; the next sync says so
        channel_id = (await s.scalars(select(Order.channel_id))).first()
        assert channel_id is not None
        closed = _order("O2-multi", [("SKU-A", 2), ("SKU-B", 1)], 2)
        await write_orders(
            s, channel_id, [msgspec.structs.replace(closed, status=PlatformStatus.cancelled)], actor=None
        )

    assert (await _status(session_factory))["O2-multi"] is OrderStatus.cancelled
    async with session_factory() as s:
        reserved = await s.scalar(select(func.sum(StockLevel.reserved)))
        back = (await s.scalars(select(Task).where(Task.kind == TaskKind.put_back))).one()
        back_lines = [
            (x.location_id, x.sku_id, x.qty)
            for x in await s.scalars(select(TaskLine).where(TaskLine.task_id == back.id))
        ]
        in_wave = await s.scalar(
            select(func.count())
            .select_from(WaveOrder)
            .where(WaveOrder.order_id.in_(select(Order.id).where(Order.platform_order_no == "O2-multi")))
        )
    assert reserved == 1  # only O1's unit stays reserved; O2's B went back
    assert back_lines == [(w["staging"], w["a"], 2)]  # the two A already picked go back to the shelf
    assert in_wave == 0


async def test_a_phone_already_synced_receives_the_wave_tasks_through_the_feed(
    client: Client, session_factory: Factory
) -> None:
    """Wave tasks are written in bulk statements, not ORM flushes: the feed must still carry them."""
    w = await _world(session_factory)
    headers = bearer(w["token"])
    wh_id = w["wh"].warehouse.id
    await _route_all_here(client, headers, wh_id)
    assert (await client.post("/api/orders/process", json={}, headers=headers)).status_code in (200, 201)
    phone = await make_device(session_factory, w["wh"].warehouse)
    await phone.pull_all(client)
    assert not [key for key in phone.store if key[0] == "task"]

    waves = (await client.post("/api/waves", json={"warehouse_id": wh_id}, headers=headers)).json()
    await phone.pull_all(client)

    task_ids = [
        t for wave in waves for t in (await client.get(f"/api/waves/{wave['id']}", headers=headers)).json()["task_ids"]
    ]
    for task_id in task_ids:
        task = phone.store[("task", str(task_id))]
        assert (task["kind"], task["status"], task["to_location_id"]) == ("pick", "open", w["staging"])
        assert task["reference"].startswith("W")
        for line in await _lines(session_factory, task_id):
            assert phone.store[("task_line", str(line.id))] == {
                "task_id": task_id,
                "line_no": line.line_no,
                "location_id": line.location_id,
                "sku_id": line.sku_id,
                "lot_id": line.lot_id,
                "qty": line.qty,
                "done_qty": 0,
                "status": "open",
            }
    assert len([key for key in phone.store if key[0] == "task_line"]) == 3
    async with session_factory() as s:  # each member's transition is recorded, naming its wave
        waved = (
            await s.execute(
                select(OrderEvent.order_id, OrderEvent.reason, OrderEvent.to_status).where(OrderEvent.kind == "waved")
            )
        ).all()
        codes = {
            o.order_id: w.code
            for o, w in (await s.execute(select(WaveOrder, Wave).join(Wave, Wave.id == WaveOrder.wave_id))).all()
        }
    assert sorted((order_id, reason, to) for order_id, reason, to in waved) == sorted(
        (order_id, f"in wave {code}", "in_wave") for order_id, code in codes.items()
    )
    assert len(codes) == 2

"""A short pick re-routes what the bin lacked to other bins of the warehouse (a follow-up pick task
of the same wave); only what no bin has leaves orders wanting, and only those are held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.catalog.models import Lot
from server.fulfilment.models import WaveTask
from server.orders.models import Channel, Order, OrderEvent, OrderReservation, OrderStatus
from server.orders.normalized import NormalizedLine, NormalizedOrder, PlatformStatus, Receiver
from server.orders.pool import write_orders
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine
from server.tasks.service import open_count_task
from server.warehouse.ledger.models import MoveReason, StockLevel
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import Location, LocationType, Warehouse
from tests.factories import bearer, make_bin, make_lot, make_sku, make_user, make_warehouse
from tests.sync_support import SimDevice, make_device

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
T0 = datetime(2026, 11, 11, 0, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Stock:
    code: str
    walking: int
    qty: int
    lot: str | None = None
    type: LocationType = LocationType.storage
    frozen: bool = False
    counting: bool = False
    """An open count task for the bin: its books are in doubt, nothing is re-routed to it."""


@dataclass
class World:
    wh_id: int
    bins: dict[str, int]
    staging: int
    sku: int
    lots: dict[str, int]
    headers: dict[str, str]
    picker: SimDevice


def _order(number: str, qty: int, minutes: int) -> NormalizedOrder:
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=number,
        status=PlatformStatus.paid,
        created_at=T0,
        paid_at=T0 + timedelta(minutes=minutes),
        goods_minor=100,
        paid_minor=100,
        receiver=Receiver(province="浙江省"),
        lines=[NormalizedLine(platform_line_id="1", sku_code="SKU-R", qty=qty, unit_price_minor=1, paid_minor=1)],
    )


async def _world(
    client: Client,
    factory: Factory,
    stock: list[Stock],
    orders: list[tuple[str, int]],
    *,
    expiries: dict[str, date] | None = None,
) -> World:
    """Stock in bins, paid orders (most urgent first), routed to the warehouse and put in waves."""
    async with factory() as s, s.begin():
        wh = await make_warehouse(s)
        staging = await make_bin(s, wh, code="STAGE-01", type=LocationType.staging)
        sku = await make_sku(s, code="SKU-R", lot_controlled=expiries is not None)
        lots: dict[str, int] = {}
        for name, expires in (expiries or {}).items():
            lot = await make_lot(s, sku, name)
            lot.expires_on = expires
            lots[name] = lot.id
        bins: dict[str, int] = {}
        for item in stock:
            location = await make_bin(s, wh, code=item.code, type=item.type)
            location.walking_sequence = item.walking
            bins[item.code] = location.id
            request = MoveRequest(
                sku_id=sku.id,
                lot_id=lots[item.lot] if item.lot else None,
                from_location_id=wh.supplier.id,
                to_location_id=location.id,
                qty=item.qty,
                reason=MoveReason.receipt,
                idempotency_key=f"seed-{location.id}",
            )
            await post_moves(s, [request])
        channel = Channel(code="TB", name="店", platform="taobao")
        s.add(channel)
        await s.flush()
        await write_orders(
            s, channel.id, [_order(number, qty, n) for n, (number, qty) in enumerate(orders, start=1)], actor=None
        )
        _, token = await make_user(s, [Role.admin], all_warehouses=True)
        wh_id = wh.warehouse.id
    headers = bearer(token)
    rule = [
        {
            "id": 1,
            "position": 1,
            "name": "本仓",
            "conditions": [],
            "action": {"type": "route_to", "warehouse_ids": [wh_id]},
        }
    ]
    assert (await client.put("/api/order-rules/routing", json=rule, headers=headers)).status_code == 200
    processed = (await client.post("/api/orders/process", json={}, headers=headers)).json()
    assert processed["routed"] == len(orders), processed
    async with factory() as s, s.begin():  # bins frozen or counted after the orders reserved
        for item in stock:
            location = await s.get(Location, bins[item.code])
            assert location is not None
            location.frozen = item.frozen
            if item.counting:
                await open_count_task(
                    s, warehouse_id=wh_id, location_id=location.id, sku_id=sku.id, reason="cycle", source_op_id=""
                )
    waves = await client.post("/api/waves", json={"warehouse_id": wh_id}, headers=headers)
    assert waves.status_code == 201, waves.text
    async with factory() as s:
        warehouse = await s.get(Warehouse, wh_id)
        assert warehouse is not None
    picker = await make_device(factory, warehouse)
    return World(wh_id, bins, staging.id, sku.id, lots, headers, picker)


async def _open_pick_lines(factory: Factory) -> list[TaskLine]:
    async with factory() as s:
        return list(
            await s.scalars(
                select(TaskLine)
                .join(Task, Task.id == TaskLine.task_id)
                .where(Task.kind == TaskKind.pick, TaskLine.status == LineStatus.open)
                .order_by(TaskLine.id)
            )
        )


async def _held(factory: Factory) -> dict[tuple[str, int], int]:
    """(order number, bin) → units reserved."""
    async with factory() as s:
        rows = await s.execute(
            select(Order.platform_order_no, OrderReservation.location_id, func.sum(OrderReservation.qty))
            .join(Order, Order.id == OrderReservation.order_id)
            .group_by(Order.platform_order_no, OrderReservation.location_id)
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}


async def _reserved(factory: Factory) -> dict[int, tuple[int, int]]:
    """bin → (on hand, reserved), for every level."""
    async with factory() as s:
        rows = await s.execute(
            select(StockLevel.location_id, func.sum(StockLevel.on_hand), func.sum(StockLevel.reserved)).group_by(
                StockLevel.location_id
            )
        )
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}


async def _status(factory: Factory) -> dict[str, OrderStatus]:
    async with factory() as s:
        return {o.platform_order_no: o.status for o in await s.scalars(select(Order))}


async def _assert_books_sound(factory: Factory) -> None:
    """The ledger verifies, no bin has more reserved than on hand, and what orders hold is what
    the levels say is reserved."""
    async with factory() as s:
        assert (await verify_ledger(s)).ok
        over = await s.scalar(
            select(func.count()).select_from(StockLevel).where(StockLevel.reserved > StockLevel.on_hand)
        )
        assert over == 0
        reserved = await s.scalar(select(func.coalesce(func.sum(StockLevel.reserved), 0)))
        held = await s.scalar(select(func.coalesce(func.sum(OrderReservation.qty), 0)))
        assert reserved == held


def _pick(w: World, line: TaskLine, qty: int) -> dict[str, Any]:
    return {
        "task_line_id": line.id,
        "location_id": line.location_id,
        "sku_id": w.sku,
        "lot_id": line.lot_id,
        "qty": qty,
    }


def _short(w: World, line: TaskLine, found: int) -> dict[str, Any]:
    return {"task_line_id": line.id, "location_id": line.location_id, "sku_id": w.sku, "found_qty": found}


async def _ship(client: Client, factory: Factory, w: World, wanted: dict[str, int]) -> None:
    async with factory() as s:
        warehouse = await s.get(Warehouse, w.wh_id)
        assert warehouse is not None
    packer = await make_device(factory, warehouse, [Role.packer])
    checks = [
        packer.op("packing.parcel_verified", {"reference": n, "items": [{"sku_id": w.sku, "qty": q}]})
        for n, q in wanted.items()
    ]
    verified = (await packer.push(client, checks))["results"]
    assert [r["result"].get("order_status") for r in verified] == ["packed"] * len(wanted)
    for number in wanted:
        listed = (await client.get(f"/api/orders?q={number}", headers=w.headers)).json()["items"][0]
        created = await client.post(f"/api/orders/{listed['id']}/shipments", json={}, headers=w.headers)
        assert created.status_code == 201, created.text
        shipped = await client.post(f"/api/shipments/{created.json()['id']}/ship", json={}, headers=w.headers)
        assert shipped.status_code == 200, shipped.text


async def test_a_short_pick_is_re_routed_to_another_bin_and_the_wave_ships(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(
        client,
        session_factory,
        [Stock("A-01-01", 10, 4), Stock("B-05-01", 50, 3)],
        [("R1", 2), ("R2", 2)],
    )
    short_bin, other = w.bins["A-01-01"], w.bins["B-05-01"]
    assert await _held(session_factory) == {("R1", short_bin): 2, ("R2", short_bin): 2}
    (line,) = await _open_pick_lines(session_factory)
    assert (line.location_id, line.qty) == (short_bin, 4)
    phone = w.picker
    await phone.pull_all(client)

    body = await phone.push(
        client,
        [phone.op("fulfilment.item_picked", _pick(w, line, 1)), phone.op("fulfilment.pick_short", _short(w, line, 0))],
    )

    result = body["results"][1]
    assert result["status"] == "applied_with_exception"
    (follow_line,) = await _open_pick_lines(session_factory)
    assert (follow_line.location_id, follow_line.sku_id, follow_line.qty) == (other, w.sku, 3)
    assert result["result"]["rerouted_qty"] == 3
    assert result["result"]["wanting_qty"] == 0
    assert result["result"]["reroute_task_id"] == follow_line.task_id
    (rerouted,) = [e for e in result["exceptions"] if e["kind"] == "pick_rerouted"]
    assert rerouted["message"] == "re-routed: pick 3 from bin B-05-01"
    assert rerouted["message_zh"] == "已改派：请从库位 B-05-01 拣 3 件"
    assert rerouted["ref"]["task_line_id"] == follow_line.id
    assert (rerouted["ref"]["location_id"], rerouted["ref"]["from_location_id"]) == (other, short_bin)
    assert {e["kind"] for e in result["exceptions"]} == {"short_pick", "count_task", "pick_rerouted"}

    # R1 was picked one unit already: both orders' missing units now wait at the other bin.
    assert await _held(session_factory) == {("R1", other): 1, ("R2", other): 2}
    levels = await _reserved(session_factory)
    assert levels[short_bin] == (3, 0)  # the ledger still books 3 there until the count says otherwise
    assert levels[other] == (3, 3)
    await _assert_books_sound(session_factory)
    async with session_factory() as s:
        follow = await s.get(Task, follow_line.task_id)
        assert follow is not None
        wave_of_follow = await s.scalar(select(WaveTask.wave_id).where(WaveTask.task_id == follow.id))
        first_wave = await s.scalar(select(WaveTask.wave_id).where(WaveTask.task_id == line.task_id))
        events = list(await s.scalars(select(OrderEvent).where(OrderEvent.kind == "pick_rerouted")))
    assert (follow.kind, follow.to_location_id, follow.reference.startswith("W")) == (TaskKind.pick, w.staging, True)
    assert wave_of_follow == first_wave
    assert sorted(e.reason for e in events) == ["pick re-routed from bin A-01-01 to bin B-05-01 after a short pick"] * 2
    assert (await _status(session_factory))["R1"] is OrderStatus.in_wave  # the wave waits for the follow-up

    await phone.pull_all(client)  # the picker's phone gets the follow-up through the feed
    assert phone.store[("task", str(follow.id))]["to_location_id"] == w.staging
    assert phone.store[("task_line", str(follow_line.id))]["location_id"] == other

    await phone.push(client, [phone.op("fulfilment.item_picked", _pick(w, follow_line, 3))])

    assert await _status(session_factory) == {"R1": OrderStatus.picked, "R2": OrderStatus.picked}
    await _ship(client, session_factory, w, {"R1": 2, "R2": 2})
    assert await _status(session_factory) == {"R1": OrderStatus.shipped, "R2": OrderStatus.shipped}
    levels = await _reserved(session_factory)
    assert (levels[other], levels[w.staging]) == ((0, 0), (0, 0))
    await _assert_books_sound(session_factory)


async def test_what_no_bin_has_holds_the_orders_at_the_back_of_the_wave(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(
        client,
        session_factory,
        [Stock("A-01-01", 10, 6), Stock("B-05-01", 50, 3)],
        [("R1", 2), ("R2", 2), ("R3", 2)],
    )
    short_bin, other = w.bins["A-01-01"], w.bins["B-05-01"]
    (line,) = await _open_pick_lines(session_factory)
    phone = w.picker

    body = await phone.push(client, [phone.op("fulfilment.pick_short", _short(w, line, 1))])

    # One unit is there: it stays with R1, the most urgent. R1's other unit and R2's two fit the
    # other bin's three; R3 (at the back) cannot be re-routed whole and keeps waiting on the short bin.
    result = body["results"][0]["result"]
    assert (result["rerouted_qty"], result["wanting_qty"]) == (3, 2)
    assert await _held(session_factory) == {
        ("R1", short_bin): 1,
        ("R1", other): 1,
        ("R2", other): 2,
        ("R3", short_bin): 2,
    }
    await _assert_books_sound(session_factory)
    (follow_line,) = await _open_pick_lines(session_factory)
    assert (follow_line.location_id, follow_line.qty) == (other, 3)

    await phone.push(
        client,
        [
            phone.op("fulfilment.item_picked", _pick(w, line, 1)),  # the unit found after all
            phone.op("fulfilment.item_picked", _pick(w, follow_line, 3)),
        ],
    )

    status = await _status(session_factory)
    assert (status["R1"], status["R2"], status["R3"]) == (OrderStatus.picked, OrderStatus.picked, OrderStatus.review)
    async with session_factory() as s:
        r3 = (await s.scalars(select(Order).where(Order.platform_order_no == "R3"))).one()
        put_backs = await s.scalar(select(func.count()).select_from(Task).where(Task.kind == TaskKind.put_back))
    assert r3.hold_reason.startswith("short pick in wave")
    assert put_backs == 0  # nothing was picked for R3
    assert await _held(session_factory) == {}
    await _assert_books_sound(session_factory)
    await _ship(client, session_factory, w, {"R1": 2, "R2": 2})
    assert (await _status(session_factory))["R2"] is OrderStatus.shipped


async def test_with_no_sellable_stock_elsewhere_the_order_is_held_as_before(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(
        client,
        session_factory,
        [
            Stock("A-01-01", 10, 2),
            Stock("B-01-01", 20, 5, frozen=True),
            Stock("Q-01-01", 30, 5, type=LocationType.quarantine),
            Stock("C-01-01", 40, 5, counting=True),
        ],
        [("R1", 2)],
    )
    (line,) = await _open_pick_lines(session_factory)
    assert line.location_id == w.bins["A-01-01"]
    phone = w.picker

    body = await phone.push(client, [phone.op("fulfilment.pick_short", _short(w, line, 0))])

    outcome = body["results"][0]
    assert (outcome["result"]["rerouted_qty"], outcome["result"]["reroute_task_id"]) == (0, None)
    assert {e["kind"] for e in outcome["exceptions"]} == {"short_pick", "count_task"}
    assert await _open_pick_lines(session_factory) == []
    assert (await _status(session_factory))["R1"] is OrderStatus.review
    assert await _held(session_factory) == {}
    levels = await _reserved(session_factory)
    assert all(reserved == 0 for _, reserved in levels.values())
    await _assert_books_sound(session_factory)


async def test_an_expiry_controlled_sku_is_re_routed_to_the_earliest_expiring_lot(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(
        client,
        session_factory,
        [
            Stock("A-01-01", 10, 2, lot="L-JAN"),
            Stock("B-01-01", 20, 5, lot="L-SEP"),  # nearer on the walk, but expires later
            Stock("C-01-01", 30, 5, lot="L-MAR"),
        ],
        [("R1", 2)],
        expiries={"L-JAN": date(2027, 1, 31), "L-MAR": date(2027, 3, 31), "L-SEP": date(2027, 9, 30)},
    )
    (line,) = await _open_pick_lines(session_factory)
    assert (line.location_id, line.lot_id) == (w.bins["A-01-01"], w.lots["L-JAN"])
    phone = w.picker

    body = await phone.push(client, [phone.op("fulfilment.pick_short", _short(w, line, 0))])

    assert body["results"][0]["result"]["rerouted_qty"] == 2
    (follow_line,) = await _open_pick_lines(session_factory)
    assert (follow_line.location_id, follow_line.lot_id, follow_line.qty) == (w.bins["C-01-01"], w.lots["L-MAR"], 2)
    async with session_factory() as s:
        (held,) = await s.scalars(select(OrderReservation))
        lot = await s.get(Lot, held.lot_id)
    assert (held.location_id, held.qty, lot and lot.lot_number) == (w.bins["C-01-01"], 2, "L-MAR")

    await phone.push(client, [phone.op("fulfilment.item_picked", _pick(w, follow_line, 2))])

    assert (await _status(session_factory))["R1"] is OrderStatus.picked
    await _assert_books_sound(session_factory)


async def test_a_replayed_or_repeated_short_report_re_routes_nothing_twice(
    client: Client, session_factory: Factory
) -> None:
    w = await _world(
        client,
        session_factory,
        [Stock("A-01-01", 10, 4), Stock("B-05-01", 50, 9)],
        [("R1", 2), ("R2", 2)],
    )
    (line,) = await _open_pick_lines(session_factory)
    phone = w.picker
    short = phone.op("fulfilment.pick_short", _short(w, line, 1))
    first = (await phone.push(client, [short]))["results"][0]
    assert first["result"]["rerouted_qty"] == 3
    before = (await _held(session_factory), await _reserved(session_factory), await _open_pick_lines(session_factory))

    replay = (await phone.push(client, [short]))["results"][0]  # a retry after a lost response

    assert replay["replayed"] is True
    assert replay["result"] == first["result"]
    again = (await phone.push(client, [phone.op("fulfilment.pick_short", _short(w, line, 1))]))["results"][0]
    assert (again["result"]["rerouted_qty"], again["result"]["reroute_task_id"]) == (0, None)
    assert "pick_rerouted" not in {e["kind"] for e in again["exceptions"]}
    after = (await _held(session_factory), await _reserved(session_factory), await _open_pick_lines(session_factory))
    assert [x.id for x in after[2]] == [x.id for x in before[2]]
    assert after[:2] == before[:2]

    # Then the unit thought to be there is not either: only that one unit is re-routed.
    lost = (await phone.push(client, [phone.op("fulfilment.pick_short", _short(w, line, 0))]))["results"][0]

    assert lost["result"]["rerouted_qty"] == 1
    assert await _held(session_factory) == {("R1", w.bins["B-05-01"]): 2, ("R2", w.bins["B-05-01"]): 2}
    async with session_factory() as s:
        events = await s.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.kind == "pick_rerouted"))
    assert events == 3  # R1 and R2 on the first report, R1 again on the last
    await _assert_books_sound(session_factory)

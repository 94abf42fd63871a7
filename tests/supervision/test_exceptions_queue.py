"""The supervisor's exceptions queue over real sync pushes, orders and stock, on both backends:
every kind of item shows up with its refs and actions, and the actions it names take it off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role
from server.auth.tokens import revoke_device_tokens
from server.orders.models import Channel, Order, OrderLine, OrderStatus
from server.orders.normalized import PlatformStatus
from server.tasks.models import TaskKind, TaskLine
from server.tasks.service import LineSpec, open_exception, open_task
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.models import LocationType
from tests.factories import WarehouseFixture, bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import Client, SimDevice, make_device

Factory = async_sessionmaker[AsyncSession]
URL = "/api/supervision/exceptions"
KINDS = ("count_variance", "held_op", "rejected_op", "exception", "shortage", "negative_bin")


@dataclass
class World:
    factory: Factory
    wh: WarehouseFixture
    bins: dict[str, int]
    codes: dict[str, str]
    sku: int
    sku_code: str
    line_id: int
    task_id: int
    counter: SimDevice
    picker: SimDevice
    lost: SimDevice
    supervisor: dict[str, str]
    admin: dict[str, str]
    floor: dict[str, str]
    outsider: dict[str, str]

    @property
    def wh_id(self) -> int:
        return self.wh.warehouse.id

    async def receive(self, bin_name: str, qty: int, key: str) -> None:
        async with self.factory() as s, s.begin():
            await post_moves(
                s,
                [
                    MoveRequest(
                        sku_id=self.sku,
                        from_location_id=self.wh.supplier.id,
                        to_location_id=self.bins[bin_name],
                        qty=qty,
                        reason=MoveReason.receipt,
                        idempotency_key=key,
                    )
                ],
            )


@pytest.fixture
async def world(session_factory: Factory) -> World:
    """Bin A holds 10; B, C and D are empty; a pick task asks for 3 from A."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        made = {name: await make_bin(s, wh, code=f"A-0{n}-01") for n, name in enumerate("ABCD", start=1)}
        staging = await make_bin(s, wh, code="STAGE-1", type=LocationType.staging)
        sku = await make_sku(s, code="TEA-250")
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=wh.supplier.id,
                    to_location_id=made["A"].id,
                    qty=10,
                    reason=MoveReason.receipt,
                    idempotency_key="seed",
                    occurred_at=datetime.now(UTC) - timedelta(days=1),
                )
            ],
        )
        task = await open_task(
            s,
            warehouse_id=wh.warehouse.id,
            kind=TaskKind.pick,
            lines=[LineSpec(location_id=made["A"].id, sku_id=sku.id, qty=3)],
            reference="W-0001",
            to_location_id=staging.id,
        )
        line_id = (await s.scalars(select(TaskLine.id).where(TaskLine.task_id == task.id))).one()
        _, supervisor = await make_user(s, [Role.supervisor], warehouses=[wh.warehouse])
        _, admin = await make_user(s, [Role.admin], all_warehouses=True)
        _, floor = await make_user(s, [Role.picker], warehouses=[wh.warehouse])
        other = await make_warehouse(s)
        _, outsider = await make_user(s, [Role.supervisor], warehouses=[other.warehouse])
    return World(
        factory=session_factory,
        wh=wh,
        bins={name: b.id for name, b in made.items()},
        codes={name: b.code for name, b in made.items()},
        sku=sku.id,
        sku_code=sku.code,
        line_id=line_id,
        task_id=task.id,
        counter=await make_device(session_factory, wh.warehouse, [Role.counter]),
        picker=await make_device(session_factory, wh.warehouse),
        lost=await make_device(session_factory, wh.warehouse),
        supervisor=bearer(supervisor),
        admin=bearer(admin),
        floor=bearer(floor),
        outsider=bearer(outsider),
    )


async def _push(device: SimDevice, client: Client, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    (result,) = (await device.push(client, [device.op(name, payload)]))["results"]
    return dict(result)


async def _floor_trouble(client: Client, w: World) -> dict[str, str]:
    """One item of every kind; answers the op ids."""
    settings = await client.put(
        f"/api/warehouses/{w.wh_id}/count-settings",
        json={"max_variance_units": 5, "max_variance_value_minor": 0},
        headers=w.supervisor,
    )
    assert settings.status_code == 200, settings.text
    counted = await _push(
        w.counter, client, "warehouse.bin_counted", {"location_id": w.bins["A"], "sku_id": w.sku, "counted_qty": 30}
    )
    assert counted["result"]["outcome"] == "awaiting_approval", counted
    moved = {"sku_id": w.sku, "from_location_id": w.bins["B"], "to_location_id": w.bins["C"], "qty": 4}
    negative = await _push(w.picker, client, "warehouse.item_moved", moved)
    assert negative["status"] == "applied_with_exception", negative
    nowhere = {**moved, "from_location_id": 999_999}
    rejected = await _push(w.picker, client, "warehouse.item_moved", nowhere)
    assert rejected["status"] == "rejected", rejected
    short = await _push(
        w.picker,
        client,
        "fulfilment.pick_short",
        {"task_line_id": w.line_id, "location_id": w.bins["A"], "sku_id": w.sku, "found_qty": 1},
    )
    assert short["status"] == "applied_with_exception", short
    async with w.factory() as s, s.begin():
        await s.execute(update(Device).where(Device.id == w.lost.device_id).values(revoked_at=datetime.now(UTC)))
        await revoke_device_tokens(s, w.lost.device_id)
        # D goes negative through an API move that allows it: no count task opened for it.
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=w.sku,
                    from_location_id=w.bins["D"],
                    to_location_id=w.wh.loss.id,
                    qty=2,
                    reason=MoveReason.scrap,
                    idempotency_key="scrap-d",
                )
            ],
            negative=NegativePolicy.allow,
        )
        channel = Channel(code="TB", name="天猫店", platform="taobao")
        s.add(channel)
        await s.flush()
        order = Order(
            channel_id=channel.id,
            platform_order_no="TB-9001",
            status=OrderStatus.review,
            platform_status=PlatformStatus.paid,
            ordered_at=datetime.now(UTC),
            paid_at=datetime.now(UTC),
            hold_reason="held: no warehouse can ship this order: TEA-250 short 50",
        )
        s.add(order)
        await s.flush()
        s.add(OrderLine(order_id=order.id, line_no=1, platform_line_id="1", sku_code=w.sku_code, sku_id=w.sku, qty=50))
        await open_exception(
            s,
            warehouse_id=w.wh_id,
            kind="over_receipt",
            message="3 of SKU TEA-250 received beyond the purchase order",
            message_zh="商品 TEA-250 超收 3",
            refs={"location_id": w.bins["C"], "sku_id": w.sku},
        )
    held = await _push(w.lost, client, "warehouse.item_moved", {**moved, "from_location_id": w.bins["A"], "qty": 1})
    assert (held["status"], held["code"]) == ("held", "device_revoked"), held
    return {
        "negative": negative["op_id"],
        "rejected": rejected["op_id"],
        "short": short["op_id"],
        "held": held["op_id"],
    }


async def _queue(client: Client, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _by_kind(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    for item in body["items"]:
        grouped[item["kind"]].append(item)
    return grouped


async def _act(client: Client, headers: dict[str, str], item: dict[str, Any], name: str, note: str = "") -> Any:
    (action,) = [a for a in item["actions"] if a["name"] == name]
    body = dict(action["body"]) if action["body"] is not None else None
    if action["note_field"] is not None and body is not None:
        body[action["note_field"]] = note or ("checked" if action["note_required"] else "")
    response = await client.request(action["method"], action["path"], json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_every_kind_shows_up_with_what_a_person_needs(client: Client, world: World) -> None:
    ops = await _floor_trouble(client, world)

    body = await _queue(client, world.supervisor, warehouse_id=world.wh_id)

    assert body["counts"] == {
        "count_variance": 1,
        "held_op": 1,
        "rejected_op": 1,
        "exception": 2,
        "shortage": 2,
        "negative_bin": 2,
    }
    assert body["total"] == 9 == len(body["items"])
    assert [item["at"] for item in body["items"]] == sorted(item["at"] for item in body["items"])
    kinds = _by_kind(body)
    a, b, d = world.codes["A"], world.codes["B"], world.codes["D"]

    (variance,) = kinds["count_variance"]
    assert variance["title"]["en"] == f"Count variance at bin {a}: TEA-250 counted 30, books 10 (+20)"
    assert variance["title"]["zh"].startswith("盘点差异待审批")
    assert (variance["refs"]["location_code"], variance["refs"]["sku_code"]) == (a, "TEA-250")
    assert variance["device_id"] == world.counter.device_id and variance["device_name"].startswith("phone")
    assert variance["username"] is not None
    assert [x["name"] for x in variance["actions"]] == ["approve", "reject_recount", "reject"]
    assert variance["actions"][0]["path"] == f"/api/count-variances/{variance['refs']['count_variance_id']}/approve"

    (held,) = kinds["held_op"]
    assert held["id"] == f"op:{ops['held']}"
    assert held["title"] == {"en": "Held move from a revoked device", "zh": "暂挂的移库：来自已停用的设备"}
    assert [(x["name"], x["path"], x["body"]["action"]) for x in held["actions"]] == [
        ("release", f"/api/sync/ops/{ops['held']}/resolve", "apply"),
        ("discard", f"/api/sync/ops/{ops['held']}/resolve", "close"),
    ]
    assert held["device_id"] == world.lost.device_id

    (rejected,) = kinds["rejected_op"]
    assert rejected["title"]["en"].startswith("Rejected move: ")
    assert [x["name"] for x in rejected["actions"]] == ["dismiss"]

    excepted = {item["id"]: item for item in kinds["exception"]}
    negative = excepted[f"op:{ops['negative']}"]
    assert negative["refs"]["location_code"] == b and negative["refs"]["task_id"] is not None
    assert "-4" in negative["detail"]["en"]  # as the op told the phone
    (work,) = [item for item in kinds["exception"] if item["id"].startswith("work:")]
    assert work["title"]["en"] == "Over-receipt: 3 of SKU TEA-250 received beyond the purchase order"
    assert work["refs"]["location_code"] == world.codes["C"]

    shortages = {item["id"].split(":")[0]: item for item in kinds["shortage"]}
    short = shortages["op"]
    assert short["title"]["en"] == f"Short pick at bin {a}: 1 of 3 TEA-250 found"
    assert (short["refs"]["task_id"], short["refs"]["reference"]) == (world.task_id, "W-0001")
    waiting = shortages["order"]
    assert waiting["refs"]["order_no"] == "TB-9001"
    assert waiting["actions"] == []  # a supervisor may not re-route or cancel orders (orders.write)

    bins = {item["refs"]["location_code"]: item for item in kinds["negative_bin"]}
    assert (bins[b]["refs"]["qty"], bins[d]["refs"]["qty"]) == (-4, -2)
    assert bins[b]["actions"] == [] and bins[b]["refs"]["task_id"] is not None  # its count is open
    assert [x["name"] for x in bins[d]["actions"]] == ["count"]


async def test_the_named_actions_clear_the_queue(client: Client, world: World) -> None:
    await _floor_trouble(client, world)
    kinds = _by_kind(await _queue(client, world.supervisor, warehouse_id=world.wh_id))

    approved = await _act(client, world.supervisor, kinds["count_variance"][0], "approve")
    released = await _act(client, world.supervisor, kinds["held_op"][0], "release")
    await _act(client, world.supervisor, kinds["rejected_op"][0], "dismiss")
    for item in kinds["exception"]:
        await _act(client, world.supervisor, item, "dismiss", "looked at it")
    short = next(item for item in kinds["shortage"] if item["id"].startswith("op:"))
    await _act(client, world.supervisor, short, "dismiss")
    bins = {item["refs"]["location_code"]: item for item in kinds["negative_bin"]}
    await _act(client, world.supervisor, bins[world.codes["D"]], "count")

    assert approved["status"] == "approved"
    assert released["status"] == "applied"
    left = await _queue(client, world.supervisor, warehouse_id=world.wh_id)
    assert {k: n for k, n in left["counts"].items() if n} == {"shortage": 1, "negative_bin": 2}
    d_item = next(i for i in left["items"] if i["refs"].get("location_code") == world.codes["D"])
    assert d_item["refs"]["task_id"] is not None and d_item["actions"] == []  # counting now

    admin_view = _by_kind(await _queue(client, world.admin, warehouse_id=world.wh_id))
    (order,) = admin_view["shortage"]
    assert [x["name"] for x in order["actions"]] == ["route_again", "cancel"]
    await _act(client, world.admin, order, "route_again")
    await world.receive("B", 4, "found-b")  # the goods turn up: both bins back to zero
    await world.receive("D", 2, "found-d")

    empty = await _queue(client, world.supervisor, warehouse_id=world.wh_id)
    assert empty["total"] == 0 and empty["items"] == []
    assert empty["counts"] == dict.fromkeys(KINDS, 0)


async def test_one_kind_and_pages(client: Client, world: World) -> None:
    await _floor_trouble(client, world)

    shortages = await _queue(client, world.supervisor, warehouse_id=world.wh_id, kind="shortage")
    whole = await _queue(client, world.supervisor, warehouse_id=world.wh_id)
    pages = [await _queue(client, world.supervisor, limit=4, offset=offset) for offset in (0, 4, 8)]
    bad = await client.get(URL, params={"kind": "gossip"}, headers=world.supervisor)

    assert shortages["counts"] == {"shortage": 2} and shortages["total"] == 2
    assert {item["kind"] for item in shortages["items"]} == {"shortage"}
    assert [len(page["items"]) for page in pages] == [4, 4, 1]
    assert [item["id"] for page in pages for item in page["items"]] == [item["id"] for item in whole["items"]]
    assert bad.status_code == 400, bad.text


async def test_only_reviewers_and_only_their_warehouses(client: Client, world: World) -> None:
    await _floor_trouble(client, world)

    floor = await client.get(URL, headers=world.floor)
    outsider_here = await client.get(URL, params={"warehouse_id": world.wh_id}, headers=world.outsider)
    outsider = await _queue(client, world.outsider)

    assert floor.status_code == 403, floor.text
    assert outsider_here.status_code == 403, outsider_here.text
    # Another warehouse's supervisor sees only the order no warehouse has taken yet.
    assert [item["kind"] for item in outsider["items"]] == ["shortage"]


async def test_closing_a_work_exception(client: Client, world: World) -> None:
    await _floor_trouble(client, world)
    kinds = _by_kind(await _queue(client, world.supervisor, warehouse_id=world.wh_id))
    (work,) = [item for item in kinds["exception"] if item["id"].startswith("work:")]
    url = work["actions"][0]["path"]
    variance_exception = kinds["count_variance"][0]["refs"]["exception_id"]

    outsider = await client.post(url, json={"note": "mine"}, headers=world.outsider)
    closed = await client.post(url, json={"note": "supplier will take them back"}, headers=world.supervisor)
    again = await client.post(url, json={}, headers=world.supervisor)
    variance = await client.post(
        f"/api/supervision/work-exceptions/{variance_exception}/resolve", json={}, headers=world.supervisor
    )
    missing = await client.post("/api/supervision/work-exceptions/999999/resolve", json={}, headers=world.supervisor)

    assert outsider.status_code == 403, outsider.text
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["resolution"]) == ("resolved", "supplier will take them back")
    assert again.status_code == 409 and again.json()["code"] == "exception_resolved"
    assert variance.status_code == 409 and variance.json()["code"] == "decide_the_count_variance"
    assert missing.status_code == 404
    left = await _queue(client, world.supervisor, warehouse_id=world.wh_id, kind="exception")
    assert [item["id"] for item in left["items"]] == [i["id"] for i in kinds["exception"] if i["id"] != work["id"]]

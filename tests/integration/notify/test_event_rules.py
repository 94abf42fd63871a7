"""Events committed by the floor become notifications in their own transaction: a count held for
approval and a phone's op that needs a supervisor (rejected, applied with an exception, held). Once
each, never for a change that rolled back, not at all when the rule is off. Over the real sync
push, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from server.auth.models import Device, Role
from server.auth.tokens import revoke_device_tokens
from server.notify import sync_events
from server.syncapi import service
from server.warehouse.count_models import CountVariance
from server.warehouse.models import Warehouse
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.integration.notify.helpers import Client, Factory
from tests.integration.notify.rules_support import queued, receive, save_rule
from tests.sync_support import SimDevice, make_device

COUNTED = "warehouse.bin_counted"
MOVED = "warehouse.item_moved"


@dataclass
class World:
    factory: Factory
    warehouse: Warehouse
    a: int
    a_code: str
    b: int
    c: int
    sku: int
    sku_code: str
    counter: SimDevice
    picker: SimDevice
    manager: dict[str, str]

    @property
    def warehouse_id(self) -> int:
        return self.warehouse.id

    def count(self, qty: int) -> dict[str, Any]:
        return {"location_id": self.a, "sku_id": self.sku, "counted_qty": qty}

    def move(self, qty: int, src: int | None = None) -> dict[str, Any]:
        return {"sku_id": self.sku, "from_location_id": src or self.b, "to_location_id": self.c, "qty": qty}


@pytest.fixture
async def world(session_factory: Factory) -> World:
    """Bin A holds 10 of a SKU; B and C are empty. The default count threshold is 10 units."""
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b, c = await make_bin(s, wh), await make_bin(s, wh), await make_bin(s, wh)
        sku = await make_sku(s)
        await receive(s, sku.id, wh.supplier.id, a.id, 10, at=datetime.now(UTC) - timedelta(days=1))
        _, manager = await make_user(s, [Role.manager], warehouses=[wh.warehouse])
    return World(
        session_factory,
        wh.warehouse,
        a.id,
        a.code,
        b.id,
        c.id,
        sku.id,
        sku.code,
        await make_device(session_factory, wh.warehouse, [Role.counter]),
        await make_device(session_factory, wh.warehouse),
        bearer(manager),
    )


async def _push(device: SimDevice, client: Client, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    (result,) = (await device.push(client, [device.op(name, payload)]))["results"]
    return dict(result)


async def test_a_count_awaiting_approval_tells_the_supervisors_once(client: Client, world: World) -> None:
    op = world.counter.op(COUNTED, world.count(30))
    (result,) = (await world.counter.push(client, [op]))["results"]
    (again,) = (await world.counter.push(client, [op]))["results"]  # the phone retries: answered, not re-applied

    assert result["result"]["outcome"] == "awaiting_approval", result
    assert again["replayed"] is True
    notes = await queued(world.factory)
    variances = [n for n in notes if n.kind == "count_variance"]
    assert [n.kind for n in notes if n.dedupe_key and op["op_id"] in n.dedupe_key] == []  # not a sync_exception too
    (note,) = variances
    assert note.audience == {"user_ids": [], "roles": ["supervisor"], "warehouse_id": world.warehouse_id}
    assert note.dedupe_key == f"count_variance:{result['result']['count_variance_id']}"
    assert note.url == "/#/supervisor"
    assert note.title_en == f"Count awaiting approval: {world.sku_code}"
    assert note.title_zh == f"盘点差异待审批：{world.sku_code}"
    assert note.body_en == f"Bin {world.a_code}: counted 30, books 10 (+20)"
    assert note.body_zh == f"库位 {world.a_code}：实盘 30，账面 10（差异 +20）"


async def test_a_small_variance_adjusts_and_tells_nobody(client: Client, world: World) -> None:
    result = await _push(world.counter, client, COUNTED, world.count(2))

    assert result["status"] == "applied", result
    assert await queued(world.factory) == []


async def test_a_push_that_rolls_back_queues_nothing(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database fails after the push was applied and its notifications queued: all of it goes."""
    real = sync_events.notify_op_outcomes

    async def then_fail(*args: Any, **kwargs: Any) -> int:
        await real(*args, **kwargs)
        raise RuntimeError("connection lost before commit")

    op = world.counter.op(COUNTED, world.count(30))
    monkeypatch.setattr(service, "notify_op_outcomes", then_fail)
    await world.counter.push(client, [op], expect=500)
    async with world.factory() as s:
        assert await s.scalar(select(func.count()).select_from(CountVariance)) == 0
    assert await queued(world.factory) == []

    monkeypatch.setattr(service, "notify_op_outcomes", real)
    (result,) = (await world.counter.push(client, [op]))["results"]
    assert result["result"]["outcome"] == "awaiting_approval"
    assert [n.kind for n in await queued(world.factory)] == ["count_variance"]


async def test_ops_that_need_a_person_tell_the_supervisors_once_each(client: Client, world: World) -> None:
    negative = world.picker.op(MOVED, world.move(4))  # B is empty: applied, bin goes negative, flagged
    rejected = world.picker.op(MOVED, world.move(1, src=999_999))  # no such bin
    fine = world.picker.op(MOVED, world.move(1, src=world.a))
    results = (await world.picker.push(client, [negative, rejected, fine]))["results"]
    replayed = (await world.picker.push(client, [negative, rejected, fine]))["results"]
    lost = await make_device(world.factory, world.warehouse)
    async with world.factory() as s, s.begin():
        await s.execute(update(Device).where(Device.id == lost.device_id).values(revoked_at=datetime.now(UTC)))
        await revoke_device_tokens(s, lost.device_id)
    held = await _push(lost, client, MOVED, world.move(1, src=world.a))

    assert [r["status"] for r in results] == ["applied_with_exception", "rejected", "applied"]
    assert all(r["replayed"] for r in replayed)
    assert held["status"] == "held", held
    notes = await queued(world.factory, "sync_exception")
    assert [n.dedupe_key for n in notes] == [
        f"sync_exception:{negative['op_id']}",
        f"sync_exception:{rejected['op_id']}",
        f"sync_exception:{held['op_id']}",
    ]
    assert [n.title_en for n in notes] == [
        f"Sync op applied with an exception: {MOVED}",
        f"Sync op rejected: {MOVED}",
        f"Sync op held for review: {MOVED}",
    ]
    assert notes[1].title_zh == f"同步操作被拒绝：{MOVED}"
    assert notes[1].body_en.startswith(f"Device {world.picker.device_id}: ")
    assert notes[1].body_en.removeprefix(f"Device {world.picker.device_id}: ") == results[1]["message"]
    assert notes[1].body_zh.startswith(f"设备 {world.picker.device_id}：")
    assert all(n.url == "/#/supervisor" for n in notes)
    assert all(n.audience["roles"] == ["supervisor"] for n in notes)
    assert all(n.audience["warehouse_id"] == world.warehouse_id for n in notes)


async def test_the_rules_decide_what_is_told(client: Client, world: World) -> None:
    """Only rejections, and no counts, for this warehouse; another warehouse keeps the defaults."""
    only_rejections = await client.put(
        "/api/push/rules/sync_exception",
        json={"warehouse_id": world.warehouse_id, "params": {"statuses": ["rejected"]}, "roles": ["manager"]},
        headers=world.manager,
    )
    no_counts = await client.put(
        "/api/push/rules/count_variance",
        json={"warehouse_id": world.warehouse_id, "enabled": False},
        headers=world.manager,
    )
    assert only_rejections.status_code == no_counts.status_code == 200, only_rejections.text

    negative = await _push(world.picker, client, MOVED, world.move(4))
    rejected = await _push(world.picker, client, MOVED, world.move(1, src=999_999))
    counted = await _push(world.counter, client, COUNTED, world.count(30))

    assert (negative["status"], rejected["status"]) == ("applied_with_exception", "rejected")
    assert counted["result"]["outcome"] == "awaiting_approval"
    (note,) = await queued(world.factory)
    assert (note.kind, note.dedupe_key) == ("sync_exception", f"sync_exception:{rejected['op_id']}")
    assert note.audience["roles"] == ["manager"]


async def test_a_rule_switched_off_everywhere_tells_nobody(client: Client, world: World) -> None:
    await save_rule(world.factory, "sync_exception", enabled=False)

    rejected = await _push(world.picker, client, MOVED, world.move(1, src=999_999))

    assert rejected["status"] == "rejected"
    assert await queued(world.factory) == []

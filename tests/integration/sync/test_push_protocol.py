"""SPEC.md §5 through the real HTTP API: exactly once, in order, every op one outcome, nothing wedged.

The ops used here are test ops registered on the server's registry (``test.*``), so the protocol is
tested apart from any domain's conflict policy.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role
from server.syncapi.registry import registry
from server.warehouse.ledger.models import MoveReason, StockMove
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from sync.registry import OpContext, OpKind, OpRejected, OpSpec, Outcome
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import Client, SimDevice, make_device


class Received(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sku_id: int
    from_location_id: int
    to_location_id: int
    qty: int


async def _receive(ctx: OpContext, p: Received) -> Outcome:
    (move,) = await post_moves(
        ctx.session,
        [
            MoveRequest(
                sku_id=p.sku_id,
                from_location_id=p.from_location_id,
                to_location_id=p.to_location_id,
                qty=p.qty,
                reason=MoveReason.receipt,
                idempotency_key=ctx.idempotency_key,
                occurred_at=ctx.event_time,
                device_id=ctx.device_id,
                actor_user_id=ctx.user_id,
            )
        ],
        negative=NegativePolicy.allow,
    )
    return Outcome(result={"move_id": move.move_id})


async def _poison(ctx: OpContext, p: Received) -> Outcome:
    await _receive(ctx, p)  # writes first, then fails: isolation must undo the write
    raise RuntimeError("bug in a handler")


async def _violate_constraint(ctx: OpContext, p: Received) -> Outcome:
    """A permanent database error (NOT NULL), the same on every retry."""
    await _receive(ctx, p)
    await ctx.session.execute(text("INSERT INTO sync_meta (key, value) VALUES ('broken', NULL)"))
    return Outcome()


async def _refuse(ctx: OpContext, p: Received) -> Outcome:
    raise OpRejected("not_allowed", "this request is refused", message_zh="请求被拒绝")


def _register_test_ops() -> None:
    known = {s.name for s in registry().specs()}
    for name, handler, kind in (
        ("test.received", _receive, OpKind.fact),
        ("test.poison", _poison, OpKind.fact),
        ("test.refused", _refuse, OpKind.request),
        ("test.db_refused", _violate_constraint, OpKind.fact),
    ):
        if name not in known:
            registry().register(OpSpec(name=name, kind=kind, version=1, payload_type=Received, handler=handler))


_register_test_ops()


class World(msgspec.Struct):
    device: SimDevice
    warehouse_id: int
    supplier: int
    bin: int
    sku: int

    def payload(self, qty: int = 1) -> dict[str, Any]:
        return {"sku_id": self.sku, "from_location_id": self.supplier, "to_location_id": self.bin, "qty": qty}


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        sku = await make_sku(s)
        ids = (wh.warehouse.id, wh.supplier.id, bin_.id, sku.id)
        warehouse = wh.warehouse
    device = await make_device(session_factory, warehouse)
    return World(device, *ids)


async def _moves(factory: async_sessionmaker[AsyncSession]) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.count()).select_from(StockMove)) or 0)


async def test_a_retried_push_is_answered_from_the_stored_results(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ops = [world.device.op("test.received", world.payload(3)), world.device.op("test.received", world.payload(2))]
    first = await world.device.push(client, ops)
    again = await world.device.push(client, ops)  # the response was lost after commit (F1)
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    assert [r.get("replayed", False) for r in again["results"]] == [True, True]
    assert [r["result"] for r in again["results"]] == [r["result"] for r in first["results"]]
    assert again["last_applied_seq"] == 2
    assert await _moves(session_factory) == 2


async def test_a_gap_is_refused_with_where_to_resend_from(client: Client, world: World) -> None:
    world.device.next_seq = 3
    op = world.device.op("test.received", world.payload())
    response = await client.post("/api/sync/push", json=world.device.push_body([op]), headers=world.device.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "sequence_gap"
    assert response.json()["detail"]["resend_from"] == 1


async def test_the_same_op_id_with_other_content_is_refused_and_changes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    op = world.device.op("test.received", world.payload(1))
    await world.device.push(client, [op])
    tampered = {**op, "payload": world.payload(5)}
    response = await client.post(
        "/api/sync/push", json=world.device.push_body([tampered]), headers=world.device.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "op_id_conflict"
    assert await _moves(session_factory) == 1


async def test_a_lost_device_state_reusing_numbers_is_told_to_register_again(client: Client, world: World) -> None:
    await world.device.push(client, [world.device.op("test.received", world.payload())])
    world.device.next_seq = 1  # the phone's storage was wiped; it starts counting again
    response = await client.post(
        "/api/sync/push",
        json=world.device.push_body([world.device.op("test.received", world.payload())]),
        headers=world.device.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "sequence_reused"


async def test_a_poison_op_is_rejected_alone_and_the_queue_moves_on(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ops = [
        world.device.op("test.received", world.payload(1)),
        world.device.op("test.poison", world.payload(7)),
        world.device.op("test.refused", world.payload(1)),
        world.device.op("test.received", world.payload(2)),
        world.device.op("test.nonexistent", world.payload(1)),
    ]
    body = await world.device.push(client, ops)
    statuses = [(r["status"], r.get("code", "")) for r in body["results"]]
    assert statuses == [
        ("applied", ""),
        ("rejected", "handler_failed"),
        ("rejected", "not_allowed"),
        ("applied", ""),
        ("rejected", "unknown_op"),
    ]
    assert body["last_applied_seq"] == 5
    assert await _moves(session_factory) == 2  # the poison op's own write was rolled back


async def test_a_permanent_database_error_rejects_its_op_instead_of_wedging_the_queue(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    ops = [world.device.op("test.db_refused", world.payload(5)), world.device.op("test.received", world.payload(1))]
    body = await world.device.push(client, ops)
    assert [(r["status"], r.get("code", "")) for r in body["results"]] == [
        ("rejected", "handler_failed"),
        ("applied", ""),
    ]
    assert body["last_applied_seq"] == 2
    assert await _moves(session_factory) == 1  # the failing op's move was rolled back with it


async def test_invalid_payload_and_bad_clock_stamp_are_per_op_rejections(client: Client, world: World) -> None:
    bad_payload = world.device.op("test.received", {"sku_id": "x"})
    bad_stamp = {**world.device.op("test.received", world.payload()), "hlc": "yesterday"}
    body = await world.device.push(client, [bad_payload, bad_stamp])
    assert [r["code"] for r in body["results"]] == ["invalid_payload", "invalid_hlc"]


async def test_a_clock_far_ahead_is_flagged_and_not_trusted_for_ordering(client: Client, world: World) -> None:
    world.device.clock_offset = timedelta(minutes=30)
    body = await world.device.push(client, [world.device.op("test.received", world.payload())])
    (result,) = body["results"]
    assert result["status"] == "applied_with_exception"
    assert [e["kind"] for e in result["exceptions"]] == ["clock_ahead"]


async def test_a_clock_reset_behind_the_devices_last_event_is_flagged_and_placed_after_it(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """F8: a phone that lost its HLC and rebooted to 1970 cannot place its scan before its last one."""
    first = world.device.op("test.received", world.payload())
    world.device.clock.last = world.device.clock.last.__class__(0, 0, world.device.clock.node)  # state lost
    reset = world.device.op("test.received", world.payload(), at=datetime(1970, 1, 2, tzinfo=UTC))
    body = await world.device.push(client, [first, reset])

    assert [r["status"] for r in body["results"]] == ["applied", "applied_with_exception"]
    (flag,) = body["results"][1]["exceptions"]
    assert flag["kind"] == "clock_behind"
    async with session_factory() as s:
        times = dict(
            (
                await s.execute(
                    text("SELECT seq, event_time FROM sync_ops WHERE device_id = :d"), {"d": world.device.device_id}
                )
            ).all()
        )
    # Placed at the previous trusted event, not in 1970 (SQLite answers text, PostgreSQL datetimes).
    assert str(times[2])[:19].replace("T", " ") == str(times[1])[:19].replace("T", " ")


async def test_a_string_where_a_number_belongs_is_an_invalid_payload(client: Client, world: World) -> None:
    """Payloads decode strictly: "3" is not 3 (a client bug must not be guessed into a quantity)."""
    op = world.device.op("test.received", {**world.payload(), "qty": "3"})
    (result,) = (await world.device.push(client, [op]))["results"]
    assert (result["status"], result["code"]) == ("rejected", "invalid_payload")


async def test_a_replay_whose_record_is_gone_says_the_outcome_is_unknown(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    op = world.device.op("test.received", world.payload())
    await world.device.push(client, [op])
    async with session_factory() as s, s.begin():
        await s.execute(text("DELETE FROM sync_ops WHERE op_id = :o"), {"o": op["op_id"]})

    (result,) = (await world.device.push(client, [op]))["results"]

    assert (result["status"], result["code"], result["replayed"]) == ("unknown", "outcome_unknown", True)
    assert await _moves(session_factory) == 1


async def test_an_op_newer_than_the_server_is_held_not_lost(client: Client, world: World) -> None:
    body = await world.device.push(client, [world.device.op("test.received", world.payload(), version=9)])
    assert body["results"][0]["status"] == "held"
    assert body["results"][0]["code"] == "op_version_unknown"


async def test_ops_of_a_revoked_device_are_held_until_a_supervisor_applies_them(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        await s.execute(update(Device).where(Device.id == world.device.device_id).values(revoked_at=datetime.now(UTC)))
        from server.auth.tokens import revoke_device_tokens

        await revoke_device_tokens(s, world.device.device_id)
        _, supervisor = await make_user(s, [Role.supervisor], all_warehouses=True)
    op = world.device.op("test.received", world.payload(4))
    body = await world.device.push(client, [op])
    assert (body["results"][0]["status"], body["results"][0]["code"]) == ("held", "device_revoked")
    assert await _moves(session_factory) == 0
    pull = await client.post(
        "/api/sync/pull",
        json={"protocol": 1, "device_id": world.device.device_id, "warehouse_id": world.warehouse_id},
        headers=world.device.headers,
    )
    assert pull.status_code == 401  # every other door is closed

    queue = await client.get("/api/sync/ops", params={"status": "held"}, headers=bearer(supervisor))
    assert [item["op_id"] for item in queue.json()["items"]] == [op["op_id"]]
    resolved = await client.post(
        f"/api/sync/ops/{op['op_id']}/resolve", json={"action": "apply", "note": "found"}, headers=bearer(supervisor)
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "applied"
    assert resolved.json()["resolution"] == "released: found"
    assert await _moves(session_factory) == 1


async def test_ops_recorded_for_another_warehouse_are_held(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as s, s.begin():
        other = await make_warehouse(s)
        await s.execute(
            update(Device).where(Device.id == world.device.device_id).values(warehouse_id=other.warehouse.id)
        )
    body = await world.device.push(client, [world.device.op("test.received", world.payload())])
    assert (body["results"][0]["status"], body["results"][0]["code"]) == ("held", "device_moved")


async def test_pull_snapshot_then_changes_follow_the_ledger(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    device = world.device
    pages = await device.pull_all(client)
    assert pages[0]["reset"] and pages[0]["snapshot"]
    assert any(p.get("snapshot_complete") for p in pages)
    assert ("sku", str(world.sku)) in device.store
    assert ("location", str(world.bin)) in device.store
    level_key = ("level", f"{world.bin}:{world.sku}:0")
    assert level_key not in device.store

    await device.push(client, [device.op("test.received", world.payload(6))])
    pages = await device.pull_all(client)
    assert not pages[0].get("reset", False)
    assert device.store[level_key]["on_hand"] == 6
    assert pages[-1]["last_applied_seq"] == 1

    async with session_factory() as s, s.begin():  # stock leaves by another path: the level goes to 0
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=world.sku,
                    from_location_id=world.bin,
                    to_location_id=world.supplier,
                    qty=6,
                    reason=MoveReason.correction,
                    idempotency_key="back",
                )
            ],
        )
    await device.pull_all(client)
    assert level_key not in device.store  # an emptied level is a tombstone


async def test_an_unknown_cursor_resets_and_a_server_behind_the_device_asks_for_a_resend(
    client: Client, world: World
) -> None:
    device = world.device
    await device.push(client, [device.op("test.received", world.payload())])
    body = {
        "protocol": 1,
        "device_id": device.device_id,
        "warehouse_id": world.warehouse_id,
        "cursor": "c1.feedbeef.1.999.999",
        "acked_seq": 5,
    }
    page = (await client.post("/api/sync/pull", json=body, headers=device.headers)).json()
    assert page["reset"] is True
    assert page["resend_from"] == 2  # acked up to 5, the server has 1: resend from 2 (F5)


async def test_a_snapshot_resumes_from_its_cursor_in_small_pages(client: Client, world: World) -> None:
    device = world.device
    pages = await device.pull_all(client, limit=1)
    assert len(pages) > 3
    assert all(len(p["changes"]) <= 1 for p in pages)
    assert ("sku", str(world.sku)) in device.store


async def test_a_commit_pokes_the_devices_of_its_warehouse_only(client: Client, world: World) -> None:
    from server.syncapi.tables import POKE_HUB

    with POKE_HUB.subscribe(world.warehouse_id) as mine, POKE_HUB.subscribe(world.warehouse_id + 1000) as other:
        await world.device.push(client, [world.device.op("test.received", world.payload())])
        assert mine.qsize() == 1
        assert other.qsize() == 0

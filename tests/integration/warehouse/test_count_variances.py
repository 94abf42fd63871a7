"""Count variances above the warehouse's threshold wait for a supervisor (ADR-0013, SPEC.md §7.4).

Counts arrive from phones by sync; the threshold and the decisions go through the HTTP API, as a
supervisor's screen would use them. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.identity import AuthUser
from server.auth.models import Role
from server.auth.permissions import ROLE_PERMISSIONS
from server.db.transaction import run_in_transaction
from server.lib.errors import Conflict
from server.tasks.models import ExceptionStatus, Task, TaskKind, TaskLine, TaskStatus, WorkException
from server.warehouse import count_approvals
from server.warehouse.count_models import BinCount, CountOutcome, CountVariance
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import Location
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import Client, SimDevice, make_device

Factory = async_sessionmaker[AsyncSession]
MOVED = "warehouse.item_moved"
COUNTED = "warehouse.bin_counted"
AWAITING = "count_variance_awaiting_approval"
COST = 1200
"""The SKU's standard cost in 分 (¥12)."""


class World(msgspec.Struct):
    factory: Factory
    warehouse_id: int
    counter: SimDevice
    picker: SimDevice
    offline: SimDevice
    """A phone whose ops arrive late (a device's event times never go back, so late ops need their own)."""
    supervisor: dict[str, str]
    manager: dict[str, str]
    floor: dict[str, str]
    """A picker's login: no approval rights."""
    outsider: dict[str, str]
    """A supervisor of another warehouse."""
    a: int
    b: int
    c: int
    twins: tuple[int, int, int]
    """Three more bins like A, B and C (the first holds 10 too)."""
    sku: int
    t0: datetime

    def move(self, qty: int, src: int | None = None, dst: int | None = None) -> dict[str, Any]:
        return {
            "sku_id": self.sku,
            "from_location_id": self.a if src is None else src,
            "to_location_id": self.b if dst is None else dst,
            "qty": qty,
        }

    def count(self, qty: int, location: int | None = None) -> dict[str, Any]:
        return {"location_id": self.a if location is None else location, "sku_id": self.sku, "counted_qty": qty}

    async def push_one(
        self, device: SimDevice, client: Client, name: str, payload: dict[str, Any], at: datetime
    ) -> Any:
        (result,) = (await device.push(client, [device.op(name, payload, at=at)]))["results"]
        return result

    async def on_hand(self, location_id: int) -> int:
        async with self.factory() as s:
            value = await s.scalar(
                select(func.sum(StockLevel.on_hand)).where(
                    StockLevel.location_id == location_id, StockLevel.sku_id == self.sku
                )
            )
        return int(value or 0)

    async def count_rows(self) -> list[BinCount]:
        async with self.factory() as s:
            return list(await s.scalars(select(BinCount).order_by(BinCount.id)))

    async def recount_tasks(self, location_id: int) -> list[Task]:
        async with self.factory() as s:
            rows = await s.scalars(
                select(Task)
                .join(TaskLine, TaskLine.task_id == Task.id)
                .where(Task.kind == TaskKind.recount, TaskLine.location_id == location_id)
                .order_by(Task.id)
            )
            return list(rows)

    async def settings(self, client: Client, units: int, value: int, headers: dict[str, str] | None = None) -> Any:
        return await client.put(
            f"/api/warehouses/{self.warehouse_id}/count-settings",
            json={"max_variance_units": units, "max_variance_value_minor": value},
            headers=headers or self.supervisor,
        )

    async def pending(self, client: Client, headers: dict[str, str] | None = None, **params: Any) -> list[Any]:
        response = await client.get(
            "/api/count-variances", params={"status": "pending", **params}, headers=headers or self.supervisor
        )
        assert response.status_code == 200, response.text
        items: list[Any] = response.json()["items"]
        return items


@pytest.fixture
async def world(session_factory: Factory) -> World:
    """Bin A holds 10 of a SKU costing ¥12 (received a day ago); B and C are empty."""
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a, b, c = await make_bin(s, wh), await make_bin(s, wh), await make_bin(s, wh)
        twins = (await make_bin(s, wh), await make_bin(s, wh), await make_bin(s, wh))
        sku = await make_sku(s, cost_minor=COST)
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=wh.supplier.id,
                    to_location_id=bin_id,
                    qty=10,
                    reason=MoveReason.receipt,
                    idempotency_key=f"seed-{bin_id}",
                    occurred_at=t0 - timedelta(days=1),
                )
                for bin_id in (a.id, twins[0].id)
            ],
            negative=NegativePolicy.refuse,
        )
        _, supervisor = await make_user(s, [Role.supervisor], warehouses=[wh.warehouse])
        _, manager = await make_user(s, [Role.manager], warehouses=[wh.warehouse])
        _, picker = await make_user(s, [Role.picker], warehouses=[wh.warehouse])
        other = await make_warehouse(s)
        _, outsider = await make_user(s, [Role.supervisor], warehouses=[other.warehouse])
    counter = await make_device(session_factory, wh.warehouse, [Role.counter])
    phone = await make_device(session_factory, wh.warehouse)
    offline = await make_device(session_factory, wh.warehouse)
    return World(
        session_factory,
        wh.warehouse.id,
        counter,
        phone,
        offline,
        bearer(supervisor),
        bearer(manager),
        bearer(picker),
        bearer(outsider),
        a.id,
        b.id,
        c.id,
        (twins[0].id, twins[1].id, twins[2].id),
        sku.id,
        t0,
    )


async def _ledger_consistent(factory: Factory) -> None:
    async with factory() as s:
        report = await verify_ledger(s)
    assert report.ok, report


async def test_threshold_defaults_and_a_supervisor_sets_it(client: Client, world: World) -> None:
    url = f"/api/warehouses/{world.warehouse_id}/count-settings"
    default = await client.get(url, headers=world.supervisor)
    saved = await world.settings(client, 5, 0)
    read_back = await client.get(url, headers=world.manager)
    negative = await world.settings(client, -1, 0)
    bad_currency = await client.put(
        url, json={"max_variance_units": 1, "max_variance_value_minor": 1, "currency": "rmb"}, headers=world.supervisor
    )

    assert default.status_code == 200, default.text
    assert default.json() | {"updated_by_user_id": None} == {
        "warehouse_id": world.warehouse_id,
        "max_variance_units": 10,
        "max_variance_value_minor": 50_000,
        "currency": "CNY",
        "is_default": True,
        "updated_by_user_id": None,
    }
    assert saved.status_code == 200, saved.text
    body = read_back.json()
    assert (body["max_variance_units"], body["max_variance_value_minor"], body["is_default"]) == (5, 0, False)
    assert body["updated_by_user_id"] is not None
    assert negative.status_code == 400, negative.text
    assert bad_currency.status_code == 400, bad_currency.text
    assert (await client.get(url, headers=world.supervisor)).json()["max_variance_units"] == 5  # nothing lost


async def test_a_small_variance_adjusts_at_once(client: Client, world: World) -> None:
    """Default threshold (10 units, ¥500): 10 → 2 is −8 units, ¥96: below both."""
    result = await world.push_one(world.counter, client, COUNTED, world.count(2), world.t0)

    assert result["status"] == "applied", result
    assert result["result"] == {"adjustment": -8, "ledger_qty": 10, "outcome": "adjusted"}
    assert await world.on_hand(world.a) == 2
    assert await world.pending(client) == []


async def test_a_large_variance_waits_and_the_ledger_is_unchanged(client: Client, world: World) -> None:
    op = world.counter.op(COUNTED, world.count(30), at=world.t0)
    (result,) = (await world.counter.push(client, [op]))["results"]
    (again,) = (await world.counter.push(client, [op]))["results"]  # a retry: answered, not re-applied

    assert result["status"] == "applied_with_exception", result
    assert result["result"] | {"count_variance_id": 0} == {
        "adjustment": 0,
        "ledger_qty": 10,
        "outcome": "awaiting_approval",
        "variance": 20,
        "count_variance_id": 0,
    }
    (raised,) = result["exceptions"]
    assert raised["kind"] == AWAITING
    assert raised["message"].startswith("count variance awaiting approval")
    assert raised["message_zh"].startswith("盘点差异待审批")
    assert "value_minor" not in raised["ref"]  # costs never reach a phone
    assert again["replayed"] is True and again["result"] == result["result"]
    assert await world.on_hand(world.a) == 10
    (count,) = await world.count_rows()
    assert count.outcome is CountOutcome.awaiting_approval and count.adjustment_move_id is None

    (item,) = await world.pending(client)
    assert item["id"] == result["result"]["count_variance_id"]
    assert (item["location_id"], item["sku_id"], item["lot_id"]) == (world.a, world.sku, None)
    assert (item["expected_qty"], item["counted_qty"], item["variance"]) == (10, 30, 20)
    assert item["exceeds"] == ["units"]
    assert item["counted_by_user_id"] == world.counter.user_id and item["counted_by"]
    assert item["device_id"] == world.counter.device_id
    assert datetime.fromisoformat(item["counted_at"]) == world.t0
    assert item["value_minor"] is None  # a supervisor may not see costs
    (for_manager,) = await world.pending(client, headers=world.manager)
    assert (for_manager["value_minor"], for_manager["currency"]) == (20 * COST, "CNY")
    async with world.factory() as s:
        exception = await s.get(WorkException, raised["ref"]["exception_id"])
    assert exception is not None and exception.status is ExceptionStatus.open


async def test_the_value_limit_alone_holds_a_costly_variance(client: Client, world: World) -> None:
    assert (await world.settings(client, 0, 1_000)).status_code == 200  # no unit limit; ¥10

    result = await world.push_one(world.counter, client, COUNTED, world.count(9), world.t0)

    assert result["result"]["outcome"] == "awaiting_approval"  # −1 unit is ¥12 > ¥10
    (item,) = await world.pending(client, headers=world.manager)
    assert (item["exceeds"], item["value_minor"]) == (["value"], -COST)


async def test_zero_limits_mean_counts_never_wait(client: Client, world: World) -> None:
    assert (await world.settings(client, 0, 0)).status_code == 200

    result = await world.push_one(world.counter, client, COUNTED, world.count(500), world.t0)

    assert result["status"] == "applied", result
    assert result["result"]["outcome"] == "adjusted"
    assert await world.on_hand(world.a) == 500


async def test_approval_posts_the_adjustment_as_of_the_count_even_after_later_moves(
    client: Client, world: World
) -> None:
    """Count 30 at t0 waits. Meanwhile 3 leave at t0+10min, and an offline phone's move of 2 made at
    t0-30min arrives (the counter saw it). Approval: ledger as of t0 is 10 - 2 = 8, so +22; the
    bin holds 30 - 3 = 27 — the count plus what happened after it."""
    counted = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    variance_id = counted["result"]["count_variance_id"]
    await world.push_one(world.picker, client, MOVED, world.move(3), world.t0 + timedelta(minutes=10))
    late = await world.push_one(world.offline, client, MOVED, world.move(2), world.t0 - timedelta(minutes=30))
    assert late["status"] == "applied", late  # a held count is not trusted: no correction
    assert await world.on_hand(world.a) == 5

    response = await client.post(f"/api/count-variances/{variance_id}/approve", headers=world.supervisor)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["adjustment"], body["expected_qty"], body["variance"]) == ("approved", 22, 10, 20)
    assert body["decided_by_user_id"] is not None and body["decided_at"]
    assert await world.on_hand(world.a) == 27
    async with world.factory() as s:
        move = await s.get(StockMove, body["adjustment_move_id"])
        count = await s.get(BinCount, body["bin_count_id"])
        exception = await s.get(WorkException, body["exception_id"])
    assert move is not None and move.reason is MoveReason.count_adjustment
    assert move.occurred_at == world.t0 and move.qty == 22 and move.to_location_id == world.a
    assert count is not None and (count.outcome, count.ledger_qty) == (CountOutcome.adjusted, 8)
    assert move.idempotency_key == f"op:{count.op_id}"  # the key an immediate adjustment would have had
    assert exception is not None and exception.status is ExceptionStatus.resolved
    assert await world.pending(client) == []

    # Approved, the count is trusted like any other: a move made before it that arrives now is corrected.
    after = await world.push_one(world.offline, client, MOVED, world.move(1), world.t0 - timedelta(minutes=20))
    assert [e["kind"] for e in after["exceptions"]] == ["count_correction"]
    assert await world.on_hand(world.a) == 27
    await _ledger_consistent(world.factory)


async def test_approving_or_rejecting_twice_is_a_conflict(client: Client, world: World) -> None:
    counted = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    url = f"/api/count-variances/{counted['result']['count_variance_id']}"

    first = await client.post(f"{url}/approve", headers=world.supervisor)
    second = await client.post(f"{url}/approve", headers=world.manager)
    late_reject = await client.post(f"{url}/reject", json={"reason": "typo"}, headers=world.supervisor)
    missing = await client.post("/api/count-variances/987654/approve", headers=world.supervisor)

    assert first.status_code == 200, first.text
    assert (second.status_code, second.json()["code"]) == (409, "variance_already_approved")
    assert second.json()["message_zh"]
    assert (late_reject.status_code, late_reject.json()["code"]) == (409, "variance_already_approved")
    assert (missing.status_code, missing.json()["code"]) == (404, "count_variance_not_found")
    assert await world.on_hand(world.a) == 30  # posted once
    async with world.factory() as s:
        adjustments = await s.scalar(
            select(func.count()).select_from(StockMove).where(StockMove.reason == MoveReason.count_adjustment)
        )
    assert adjustments == 1


async def test_reject_leaves_the_ledger_and_can_ask_for_a_recount(client: Client, world: World) -> None:
    counted = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    url = f"/api/count-variances/{counted['result']['count_variance_id']}"

    no_reason = await client.post(f"{url}/reject", json={"recount": True}, headers=world.supervisor)
    rejected = await client.post(
        f"{url}/reject", json={"reason": "scanned a case as units", "recount": True}, headers=world.supervisor
    )
    twice = await client.post(f"{url}/reject", json={"reason": "again"}, headers=world.supervisor)
    approve_after = await client.post(f"{url}/approve", headers=world.supervisor)

    assert no_reason.status_code == 400, no_reason.text
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert (body["status"], body["reason"], body["adjustment"]) == ("rejected", "scanned a case as units", 0)
    assert (twice.status_code, twice.json()["code"]) == (409, "variance_already_rejected")
    assert (approve_after.status_code, approve_after.json()["code"]) == (409, "variance_already_rejected")
    assert await world.on_hand(world.a) == 10
    (task,) = await world.recount_tasks(world.a)
    assert task.id == body["recount_task_id"] and task.status is TaskStatus.open
    (count,) = await world.count_rows()
    assert count.outcome is CountOutcome.rejected

    # The recount: 9, one off the books. The rejected 30 is not an observation to disagree with;
    # the count settles the recount task and adjusts.
    recount = await world.push_one(world.counter, client, COUNTED, world.count(9), world.t0 + timedelta(minutes=30))
    assert recount["status"] == "applied", recount
    assert recount["result"]["outcome"] == "adjusted" and recount["result"]["settled_task_id"] == task.id
    assert await world.on_hand(world.a) == 9
    await _ledger_consistent(world.factory)


async def test_a_recount_above_the_threshold_settles_its_task_and_waits(client: Client, world: World) -> None:
    first = await world.push_one(world.counter, client, COUNTED, world.count(9), world.t0)
    second = await world.push_one(world.counter, client, COUNTED, world.count(7), world.t0 + timedelta(minutes=30))
    assert (first["result"]["outcome"], second["result"]["outcome"]) == ("adjusted", "recount")
    (task,) = await world.recount_tasks(world.a)

    answer = await world.push_one(world.picker, client, COUNTED, world.count(40), world.t0 + timedelta(minutes=40))

    assert answer["result"]["outcome"] == "awaiting_approval"
    assert answer["result"]["settled_task_id"] == task.id  # it was counted; the approval is a person's
    (task,) = await world.recount_tasks(world.a)
    assert task.status is TaskStatus.done
    assert await world.on_hand(world.a) == 9


async def test_a_later_applied_count_supersedes_a_pending_one(client: Client, world: World) -> None:
    """Count 30 at t0 waits; 1 leaves at t0+10min; a count of 9 at t0+20min matches the books and
    sets the bin: the held count can no longer be approved (it would shift the bin off 9)."""
    held = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    variance_id = held["result"]["count_variance_id"]
    older = await world.push_one(world.picker, client, COUNTED, world.count(10), world.t0 - timedelta(hours=2))
    assert older["result"]["outcome"] == "matched"  # an earlier count does not supersede a later one
    assert [v["id"] for v in await world.pending(client)] == [variance_id]
    await world.push_one(world.picker, client, MOVED, world.move(1), world.t0 + timedelta(minutes=10))

    later = await world.push_one(world.counter, client, COUNTED, world.count(9), world.t0 + timedelta(minutes=20))

    assert later["status"] == "applied", later
    assert later["result"]["outcome"] == "matched"
    assert later["result"]["superseded_count_variance_ids"] == [variance_id]
    assert await world.pending(client) == []
    response = await client.get("/api/count-variances", params={"status": "superseded"}, headers=world.supervisor)
    (item,) = response.json()["items"]
    assert item["id"] == variance_id and item["superseded_by_count_id"] is not None
    approve = await client.post(f"/api/count-variances/{variance_id}/approve", headers=world.supervisor)
    assert (approve.status_code, approve.json()["code"]) == (409, "variance_superseded")
    assert await world.on_hand(world.a) == 9
    async with world.factory() as s:
        count = await s.get(BinCount, item["bin_count_id"])
        exception = await s.get(WorkException, item["exception_id"])
    assert count is not None and count.outcome is CountOutcome.superseded
    assert exception is not None and exception.status is ExceptionStatus.resolved
    await _ledger_consistent(world.factory)


async def test_approving_a_later_count_supersedes_an_earlier_pending_one(client: Client, world: World) -> None:
    first = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    await world.push_one(world.picker, client, MOVED, world.move(5), world.t0 + timedelta(minutes=5))
    second = await world.push_one(world.counter, client, COUNTED, world.count(25), world.t0 + timedelta(minutes=20))
    assert second["result"]["outcome"] == "awaiting_approval"  # 25 against 5: the two counts agree
    assert len(await world.pending(client)) == 2

    approved = await client.post(
        f"/api/count-variances/{second['result']['count_variance_id']}/approve", headers=world.supervisor
    )

    assert approved.status_code == 200, approved.text
    assert approved.json()["adjustment"] == 20  # 25 against 10 - 5
    assert await world.on_hand(world.a) == 25
    late = await client.post(
        f"/api/count-variances/{first['result']['count_variance_id']}/approve", headers=world.supervisor
    )
    assert (late.status_code, late.json()["code"]) == (409, "variance_superseded")
    assert await world.on_hand(world.a) == 25
    await _ledger_consistent(world.factory)


async def test_a_move_just_before_the_count_arriving_while_it_waits_blocks_approval(
    client: Client, world: World
) -> None:
    held = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    await world.push_one(world.picker, client, MOVED, world.move(2), world.t0 - timedelta(minutes=1))
    url = f"/api/count-variances/{held['result']['count_variance_id']}"

    approve = await client.post(f"{url}/approve", headers=world.supervisor)
    reject = await client.post(f"{url}/reject", json={"reason": "ambiguous", "recount": True}, headers=world.supervisor)

    assert (approve.status_code, approve.json()["code"]) == (409, "count_ambiguous")
    assert reject.status_code == 200, reject.text
    assert await world.on_hand(world.a) == 8


async def test_only_supervisors_and_managers_of_the_warehouse_decide(client: Client, world: World) -> None:
    held = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    url = f"/api/count-variances/{held['result']['count_variance_id']}"

    listed = await client.get("/api/count-variances", headers=world.floor)
    approved = await client.post(f"{url}/approve", headers=world.floor)
    rejected = await client.post(f"{url}/reject", json={"reason": "no"}, headers=world.floor)
    settings = await world.settings(client, 0, 0, headers=world.floor)
    counter_login = await client.post(f"{url}/approve", headers=world.counter.headers)
    outsider = await client.post(f"{url}/approve", headers=world.outsider)
    outsider_list = await client.get("/api/count-variances", headers=world.outsider)

    for refused in (listed, approved, rejected, settings, counter_login):
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), refused.text
    assert (outsider.status_code, outsider.json()["code"]) == (403, "warehouse_out_of_scope")
    assert outsider_list.json()["items"] == []  # another warehouse's queue is not shown
    assert await world.on_hand(world.a) == 10
    assert len(await world.pending(client)) == 1


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    """A push result without the ids that differ between two runs of the same ops."""
    body = {
        k: (len(v) if isinstance(v, list) else v)
        for k, v in result.get("result", {}).items()
        if not k.endswith("_id") or k.endswith("_ids")
    }
    return {
        "status": result["status"],
        "result": body,
        "exceptions": [e["kind"] for e in result.get("exceptions", [])],
    }


async def test_counts_in_a_run_behave_as_one_by_one_with_a_threshold(
    client: Client, world: World, session_factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """The same ops, once as one push (the run path) on bins A, B, C and once one op per push on
    twins of them, answer alike and leave alike stock — with counts held, applied and superseding
    in the middle of the run."""
    assert (await world.settings(client, 3, 0)).status_code == 200
    twins = world.twins
    at = world.t0 + timedelta(minutes=10)

    def script(a: int, b: int, c: int) -> list[tuple[str, dict[str, Any], datetime]]:
        return [
            (MOVED, world.move(2, src=a, dst=b), at),  # A 10 -> 8
            (COUNTED, world.count(5, location=c), at + timedelta(minutes=1)),  # C 0 -> 5: waits, alone
            (MOVED, world.move(1, src=a, dst=b), at + timedelta(minutes=5)),  # A 8 -> 7
            (COUNTED, world.count(3, location=a), at + timedelta(minutes=10)),  # A: 7 -> 3 waits
            (MOVED, world.move(4, src=a, dst=b), at + timedelta(minutes=15)),  # A 7 -> 3 (the count posted nothing)
            (COUNTED, world.count(8, location=b), at + timedelta(minutes=20)),  # B 7 -> 8: adjusts
            (COUNTED, world.count(2, location=a), at + timedelta(minutes=25)),  # A 3 -> 2: adjusts, supersedes
        ]

    batch = [world.picker.op(name, payload, at=when) for name, payload, when in script(world.a, world.b, world.c)]
    together = (await world.picker.push(client, batch))["results"]
    assert "fell back" not in caplog.text  # answered by the run path
    one_by_one = [
        await world.push_one(world.counter, client, name, payload, when) for name, payload, when in script(*twins)
    ]

    assert [_shape(r) for r in together] == [_shape(r) for r in one_by_one]
    assert [r["result"].get("from_on_hand") for r in together] == [8, None, 7, None, 3, None, None]
    assert [r["result"].get("outcome") for r in together] == [
        None,
        "awaiting_approval",
        None,
        "awaiting_approval",
        None,
        "adjusted",
        "adjusted",
    ]
    assert together[6]["result"]["superseded_count_variance_ids"] == [together[3]["result"]["count_variance_id"]]
    first = [await world.on_hand(bin_id) for bin_id in (world.a, world.b, world.c)]
    second = [await world.on_hand(bin_id) for bin_id in twins]
    assert first == second == [2, 8, 0]
    async with session_factory() as s:
        statuses = sorted(v.value for v in await s.scalars(select(CountVariance.status)))
    assert statuses == ["pending", "pending", "superseded", "superseded"]  # C twice; A twice
    await _ledger_consistent(world.factory)


async def test_an_approval_and_a_rejection_racing_decide_once(
    client: Client, world: World, session_factory: Factory
) -> None:
    """Both take the bin, then the row: whichever is second finds the variance decided (409)."""
    held = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    variance_id = held["result"]["count_variance_id"]
    async with session_factory() as s, s.begin():
        user, _ = await make_user(s, [Role.supervisor], all_warehouses=True)
    boss = AuthUser(
        id=user.id,
        username=user.username,
        roles=(Role.supervisor.value,),
        permissions=ROLE_PERMISSIONS[Role.supervisor],
        all_warehouses=True,
        warehouse_ids=frozenset(),
        device_id=None,
        token_id=0,
    )

    outcomes = await asyncio.gather(
        run_in_transaction(session_factory, lambda s: count_approvals.approve(s, boss, variance_id)),
        run_in_transaction(
            session_factory,
            lambda s: count_approvals.reject(s, boss, variance_id, count_approvals.RejectInput(reason="race")),
        ),
        return_exceptions=True,
    )

    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(won), len(lost)) == (1, 1), outcomes
    assert lost[0].code in {"variance_already_approved", "variance_already_rejected"}
    assert await world.on_hand(world.a) == (30 if won[0].status == "approved" else 10)
    await _ledger_consistent(world.factory)


async def test_an_approval_the_ledger_refuses_is_a_conflict_and_changes_nothing(
    client: Client, world: World, session_factory: Factory
) -> None:
    held = await world.push_one(world.counter, client, COUNTED, world.count(30), world.t0)
    async with session_factory() as s, s.begin():  # the bin was retired while the count waited
        location = await s.get(Location, world.a)
        assert location is not None
        location.active = False

    response = await client.post(
        f"/api/count-variances/{held['result']['count_variance_id']}/approve", headers=world.supervisor
    )

    assert (response.status_code, response.json()["code"]) == (409, "adjustment_refused"), response.text
    assert response.json()["message_zh"].startswith("无法过账盘点调整")
    assert await world.on_hand(world.a) == 10
    assert [v["id"] for v in await world.pending(client)] == [held["result"]["count_variance_id"]]

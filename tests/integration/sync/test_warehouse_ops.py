"""The warehouse domain's sync ops through the real HTTP API: moves between bins and bin counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.tasks.models import Task, TaskKind, TaskLine
from server.warehouse.count_models import BinCount, CountOutcome
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.ledger.verify import verify_ledger
from tests.factories import make_bin, make_sku, make_warehouse
from tests.sync_support import Client, SimDevice, make_device

Factory = async_sessionmaker[AsyncSession]
MOVED = "warehouse.item_moved"
COUNTED = "warehouse.bin_counted"


class World(msgspec.Struct):
    factory: Factory
    picker: SimDevice
    counter: SimDevice
    a: int
    b: int
    frozen: int
    other_bin: int
    sku: int
    t0: datetime
    c: int
    """Another empty bin of the warehouse."""

    def move(self, qty: int, src: int | None = None, dst: int | None = None, **extra: Any) -> dict[str, Any]:
        return {
            "sku_id": self.sku,
            "from_location_id": self.a if src is None else src,
            "to_location_id": self.b if dst is None else dst,
            "qty": qty,
            **extra,
        }

    def count(self, qty: int, location: int | None = None) -> dict[str, Any]:
        return {"location_id": self.a if location is None else location, "sku_id": self.sku, "counted_qty": qty}

    async def on_hand(self, location_id: int) -> int:
        async with self.factory() as s:
            value = await s.scalar(
                select(func.sum(StockLevel.on_hand)).where(
                    StockLevel.location_id == location_id, StockLevel.sku_id == self.sku
                )
            )
        return int(value or 0)

    async def tasks(self, kind: TaskKind, location_id: int) -> list[Task]:
        async with self.factory() as s:
            rows = await s.scalars(
                select(Task)
                .join(TaskLine, TaskLine.task_id == Task.id)
                .where(Task.kind == kind, TaskLine.location_id == location_id)
            )
            return list(rows)

    async def counts(self) -> list[BinCount]:
        async with self.factory() as s:
            return list(await s.scalars(select(BinCount).order_by(BinCount.id)))


@pytest.fixture
async def world(session_factory: Factory) -> World:
    """Bin A holds 10 (received a day ago); B is empty; one frozen bin; a bin of another warehouse."""
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a = await make_bin(s, wh)
        b = await make_bin(s, wh)
        frozen = await make_bin(s, wh, frozen=True)
        c = await make_bin(s, wh)
        other = await make_warehouse(s)
        other_bin = await make_bin(s, other)
        sku = await make_sku(s)
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=sku.id,
                    from_location_id=wh.supplier.id,
                    to_location_id=a.id,
                    qty=10,
                    reason=MoveReason.receipt,
                    idempotency_key="seed",
                    occurred_at=t0 - timedelta(days=1),
                )
            ],
            negative=NegativePolicy.refuse,
        )
    picker = await make_device(session_factory, wh.warehouse)
    counter = await make_device(session_factory, wh.warehouse)
    return World(session_factory, picker, counter, a.id, b.id, frozen.id, other_bin.id, sku.id, t0, c.id)


async def _ledger_consistent(factory: Factory) -> None:
    async with factory() as s:
        report = await verify_ledger(s)
    assert report.ok, report


async def test_move_applied_once_when_pushed_twice(client: Client, world: World) -> None:
    op = world.picker.op(MOVED, world.move(3), at=world.t0)
    first = (await world.picker.push(client, [op]))["results"][0]
    second = (await world.picker.push(client, [op]))["results"][0]

    assert first["status"] == "applied", first
    assert second["replayed"] is True
    assert second["result"] == first["result"]
    async with world.factory() as s:
        moves = await s.scalar(
            select(func.count()).select_from(StockMove).where(StockMove.idempotency_key.like(f"op:{op['op_id']}%"))
        )
    assert moves == 1
    assert (await world.on_hand(world.a), await world.on_hand(world.b)) == (7, 3)


async def test_pick_below_zero_is_applied_and_opens_a_count_task(client: Client, world: World) -> None:
    (result,) = (await world.picker.push(client, [world.picker.op(MOVED, world.move(12), at=world.t0)]))["results"]

    assert result["status"] == "applied_with_exception", result
    (raised,) = result["exceptions"]
    assert raised["kind"] == "negative_stock"
    assert await world.on_hand(world.a) == -2
    tasks = await world.tasks(TaskKind.bin_count, world.a)
    assert [t.id for t in tasks] == [raised["ref"]["task_id"]]


async def test_frozen_bin_still_accepts_a_physical_move(client: Client, world: World) -> None:
    op = world.picker.op(MOVED, world.move(4, dst=world.frozen, reason="putaway"), at=world.t0)
    (result,) = (await world.picker.push(client, [op]))["results"]

    assert result["status"] == "applied", result
    assert await world.on_hand(world.frozen) == 4
    async with world.factory() as s:
        move = await s.scalar(select(StockMove).where(StockMove.idempotency_key == f"op:{op['op_id']}"))
    assert move is not None and move.reason is MoveReason.putaway


async def test_count_adjusts_against_the_ledger_as_of_the_count(client: Client, world: World) -> None:
    """Level 10; a move of -2 at t0+10min is recorded first; a count of 7 at t0 arrives later."""
    later = world.picker.op(MOVED, world.move(2), at=world.t0 + timedelta(minutes=10))
    assert (await world.picker.push(client, [later]))["results"][0]["status"] == "applied"

    (result,) = (await world.counter.push(client, [world.counter.op(COUNTED, world.count(7), at=world.t0)]))["results"]

    assert result["status"] == "applied", result
    assert result["result"] == {"adjustment": -3, "ledger_qty": 10, "outcome": "adjusted"}
    assert await world.on_hand(world.a) == 5  # 7 at the count, minus the 2 moved after it
    (count,) = await world.counts()
    assert count.outcome is CountOutcome.adjusted and count.adjustment_move_id is not None
    await _ledger_consistent(world.factory)


async def test_late_move_before_a_count_gets_a_correcting_entry(client: Client, world: World) -> None:
    """Count 8 at t0 (adjusts 10 -> 8); then a move of 2 out of A made at t0-10min arrives: the counter
    had already seen those 2 gone, so A must stay 8, not drop to 6."""
    count = world.counter.op(COUNTED, world.count(8), at=world.t0)
    assert (await world.counter.push(client, [count]))["results"][0]["result"]["adjustment"] == -2

    late = world.picker.op(MOVED, world.move(2), at=world.t0 - timedelta(minutes=10))
    (result,) = (await world.picker.push(client, [late]))["results"]

    assert result["status"] == "applied_with_exception", result
    assert [e["kind"] for e in result["exceptions"]] == ["count_correction"]
    assert await world.on_hand(world.a) == 8
    assert await world.on_hand(world.b) == 2
    async with world.factory() as s:
        corrections = list(await s.scalars(select(StockMove).where(StockMove.reason == MoveReason.correction)))
    assert [(m.to_location_id, m.qty) for m in corrections] == [(world.a, 2)]
    await _ledger_consistent(world.factory)


async def test_move_inside_the_clock_window_makes_a_recount_not_an_adjustment(client: Client, world: World) -> None:
    near = world.picker.op(MOVED, world.move(2), at=world.t0 + timedelta(minutes=1))
    assert (await world.picker.push(client, [near]))["results"][0]["status"] == "applied"

    (result,) = (await world.counter.push(client, [world.counter.op(COUNTED, world.count(5), at=world.t0)]))["results"]

    assert result["status"] == "applied_with_exception", result
    assert result["result"] == {"adjustment": 0, "ledger_qty": 10, "outcome": "recount"}
    assert [e["kind"] for e in result["exceptions"]] == ["recount"]
    assert await world.on_hand(world.a) == 8  # only the move; the count changed nothing
    assert len(await world.tasks(TaskKind.recount, world.a)) == 1
    (count,) = await world.counts()
    assert count.outcome is CountOutcome.recount and count.adjustment_move_id is None


async def test_two_disagreeing_counts_with_no_move_between_make_a_recount(client: Client, world: World) -> None:
    first = world.counter.op(COUNTED, world.count(9), at=world.t0)
    second = world.counter.op(COUNTED, world.count(7), at=world.t0 + timedelta(minutes=30))
    results = (await world.counter.push(client, [first, second]))["results"]

    assert results[0]["result"] == {"adjustment": -1, "ledger_qty": 10, "outcome": "adjusted"}
    assert results[1]["result"] == {"adjustment": 0, "ledger_qty": 9, "outcome": "recount"}
    assert [e["kind"] for e in results[1]["exceptions"]] == ["counts_disagree"]
    assert await world.on_hand(world.a) == 9
    assert len(await world.tasks(TaskKind.recount, world.a)) == 1


async def test_agreeing_second_count_matches(client: Client, world: World) -> None:
    first = world.counter.op(COUNTED, world.count(9), at=world.t0)
    second = world.counter.op(COUNTED, world.count(9), at=world.t0 + timedelta(minutes=30))
    results = (await world.counter.push(client, [first, second]))["results"]

    assert results[1]["status"] == "applied", results[1]
    assert results[1]["result"] == {"adjustment": 0, "ledger_qty": 9, "outcome": "matched"}
    assert await world.on_hand(world.a) == 9


async def test_a_count_older_than_an_applied_count_is_superseded(client: Client, world: World) -> None:
    """I9: the bin is the latest count plus later moves; an older count arriving late changes nothing."""
    newer = world.counter.op(COUNTED, world.count(8), at=world.t0)
    assert (await world.counter.push(client, [newer]))["results"][0]["result"]["adjustment"] == -2
    async with world.factory() as s, s.begin():  # a move between the two counts, recorded at a desk
        await post_moves(
            s,
            [
                MoveRequest(
                    sku_id=world.sku,
                    from_location_id=world.a,
                    to_location_id=world.b,
                    qty=1,
                    reason=MoveReason.transfer,
                    idempotency_key="between",
                    occurred_at=world.t0 - timedelta(minutes=20),
                )
            ],
            negative=NegativePolicy.allow,
        )
    assert await world.on_hand(world.a) == 7  # (the newer count's correction is the late-move rule's job)
    older = world.picker.op(COUNTED, world.count(6), at=world.t0 - timedelta(minutes=30))

    (result,) = (await world.picker.push(client, [older]))["results"]

    assert result["status"] == "applied", result
    assert result["result"]["outcome"] == "superseded"
    assert result["result"]["adjustment"] == 0
    assert await world.on_hand(world.a) == 7
    await _ledger_consistent(world.factory)


async def test_an_older_count_disagreeing_with_nothing_moved_between_asks_for_a_recount(
    client: Client, world: World
) -> None:
    newer = world.counter.op(COUNTED, world.count(8), at=world.t0)
    await world.counter.push(client, [newer])
    older = world.picker.op(COUNTED, world.count(6), at=world.t0 - timedelta(minutes=30))

    (result,) = (await world.picker.push(client, [older]))["results"]

    assert result["result"]["outcome"] == "recount"
    assert [e["kind"] for e in result["exceptions"]] == ["counts_disagree"]
    assert await world.on_hand(world.a) == 8


async def test_a_recount_answering_the_task_settles_the_bin_instead_of_looping(client: Client, world: World) -> None:
    first = world.counter.op(COUNTED, world.count(9), at=world.t0)
    second = world.counter.op(COUNTED, world.count(7), at=world.t0 + timedelta(minutes=30))
    await world.counter.push(client, [first, second])  # disagree: recount task opened
    (task,) = await world.tasks(TaskKind.recount, world.a)

    recount = world.picker.op(COUNTED, world.count(7), at=world.t0 + timedelta(minutes=40))
    (result,) = (await world.picker.push(client, [recount]))["results"]

    assert result["status"] == "applied", result
    assert result["result"]["outcome"] == "adjusted"
    assert result["result"]["settled_task_id"] == task.id
    assert await world.on_hand(world.a) == 7
    (task,) = await world.tasks(TaskKind.recount, world.a)
    assert task.status.value == "done"
    await _ledger_consistent(world.factory)


async def test_out_of_scope_location_is_rejected_and_the_queue_continues(client: Client, world: World) -> None:
    stray = world.picker.op(MOVED, world.move(1, dst=world.other_bin), at=world.t0)
    good = world.picker.op(MOVED, world.move(1), at=world.t0 + timedelta(seconds=1))
    body = await world.picker.push(client, [stray, good])

    assert [r["status"] for r in body["results"]] == ["rejected", "applied"]
    assert body["results"][0]["code"] == "location_out_of_scope"
    assert body["last_applied_seq"] == good["seq"]
    assert await world.on_hand(world.other_bin) == 0
    assert (await world.on_hand(world.a), await world.on_hand(world.b)) == (9, 1)


async def test_unknown_sku_is_an_invalid_reference(client: Client, world: World) -> None:
    op = world.picker.op(MOVED, {**world.move(1), "sku_id": 999_999}, at=world.t0)
    (result,) = (await world.picker.push(client, [op]))["results"]

    assert result["status"] == "rejected"
    assert result["code"] == "invalid_reference"
    assert await world.on_hand(world.a) == 10


async def test_a_batch_of_moves_answers_each_op_as_if_applied_one_by_one(
    client: Client, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The batch path (one lock, one count read, one ledger post) must replay each op's own view:
    the source bin after *that* op, negatives at the op that caused them, a late move corrected."""
    count = world.counter.op(COUNTED, world.count(10, location=world.b), at=world.t0)
    await world.counter.push(client, [count])  # B, empty, is found holding 10
    at = world.t0 + timedelta(minutes=5)
    ops = [
        world.picker.op(MOVED, world.move(4), at=at),  # A 10 -> 6
        world.picker.op(MOVED, world.move(4, src=world.b, dst=world.a), at=at),  # B 14 -> 10: net 0 so far
        world.picker.op(MOVED, world.move(12), at=at),  # A -2: negative
        world.picker.op(MOVED, world.move(1), at=at),  # A -3: the same count task
    ]
    body = await world.picker.push(client, ops)

    results = body["results"]
    assert [r["result"]["from_on_hand"] for r in results] == [6, 10, -2, -3]
    kinds = [[e["kind"] for e in r.get("exceptions", [])] for r in results]
    assert kinds == [[], [], ["negative_stock"], ["negative_stock"]]
    assert results[2]["exceptions"][0]["ref"]["task_id"] == results[3]["exceptions"][0]["ref"]["task_id"]
    assert (await world.on_hand(world.a), await world.on_hand(world.b)) == (-3, 23)
    assert "fell back" not in caplog.text  # answered by the batch path, not the one-by-one re-run
    await _ledger_consistent(world.factory)


async def test_a_batch_of_late_moves_is_corrected_op_by_op(
    client: Client, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    count = world.counter.op(COUNTED, world.count(8), at=world.t0)
    await world.counter.push(client, [count])
    early = world.t0 - timedelta(minutes=30)
    ops = [world.picker.op(MOVED, world.move(1), at=early + timedelta(seconds=i)) for i in range(3)]
    body = await world.picker.push(client, ops)

    assert [[e["kind"] for e in r["exceptions"]] for r in body["results"]] == [["count_correction"]] * 3
    assert [r["result"]["from_on_hand"] for r in body["results"]] == [8, 8, 8]
    assert (await world.on_hand(world.a), await world.on_hand(world.b)) == (8, 3)
    assert "fell back" not in caplog.text
    await _ledger_consistent(world.factory)


async def test_counts_inside_a_run_of_moves_see_and_are_seen_as_one_by_one(
    client: Client, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A count of a bin no other op of the push touches is applied on its own without splitting
    the run; a count of a bin the moves touch splits it, so each side sees the other in order."""
    c = world.c
    at = world.t0 + timedelta(minutes=10)
    ops = [
        world.picker.op(MOVED, world.move(2), at=at),  # A 10 -> 8
        world.picker.op(COUNTED, world.count(5, location=c), at=at + timedelta(minutes=1)),  # C: 0 -> 5, alone
        world.picker.op(MOVED, world.move(1), at=at + timedelta(minutes=5)),  # A 8 -> 7
        world.picker.op(COUNTED, world.count(9), at=at + timedelta(minutes=10)),  # A: 7 -> 9 (sees both moves)
        world.picker.op(MOVED, world.move(4), at=at + timedelta(minutes=15)),  # A 9 -> 5 (sees the count)
    ]

    results = (await world.picker.push(client, ops))["results"]

    assert [r["status"] for r in results] == ["applied"] * 5
    assert [r["result"].get("from_on_hand") for r in results] == [8, None, 7, None, 5]
    assert (results[1]["result"]["adjustment"], results[3]["result"]["adjustment"]) == (5, 2)
    assert (results[1]["result"]["ledger_qty"], results[3]["result"]["ledger_qty"]) == (0, 7)
    assert (await world.on_hand(world.a), await world.on_hand(world.b), await world.on_hand(c)) == (5, 7, 5)
    assert "fell back" not in caplog.text
    await _ledger_consistent(world.factory)

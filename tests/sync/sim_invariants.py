"""The invariants of SYNC-ANCHORS §14, checked after a simulated run has quiesced.

Each check reads the server's own tables (or its API, where a person would look) and compares them
with what the phones recorded and hold. A failure names the invariant and the evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select

from server.db.engine import create_engine, create_session_factory
from server.syncapi.tables import SYNC_TABLES
from server.tasks.models import Task, TaskKind, TaskLine
from server.warehouse.count_models import BinCount, CountOutcome
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import Location, LocationType
from tests.sync.sim_phone import Phone, PhoneFaults, SimFailure

if TYPE_CHECKING:
    from tests.sync.sim_world import World
    from tests.sync.simulation import SimReport

import random

Client = httpx.AsyncClient
APPLIED = ("applied", "applied_with_exception")
MOVING_OPS = ("warehouse.item_moved", "fulfilment.item_picked")


def fail(invariant: str, message: str) -> SimFailure:
    return SimFailure(f"{invariant}: {message}")


async def check_invariants(client: Client, url: str, world: World, report: SimReport) -> None:
    engine = create_engine(url, pool_size=1, max_overflow=1)
    try:
        async with create_session_factory(engine)() as s:
            ops = {row.op_id: row for row in (await s.execute(select(SYNC_TABLES.ops))).all()}
            d = SYNC_TABLES.devices
            devices = dict((await s.execute(select(d.c.device_id, d.c.last_applied_seq))).all())
            moves = list(await s.scalars(select(StockMove)))
            levels = {(lv.location_id, lv.sku_id): lv.on_hand for lv in await s.scalars(select(StockLevel))}
            locations = {loc.id: loc for loc in await s.scalars(select(Location))}
            counts = list(await s.scalars(select(BinCount).order_by(BinCount.counted_at, BinCount.id)))
            recount_bins = set(
                await s.scalars(
                    select(TaskLine.location_id)
                    .join(Task, Task.id == TaskLine.task_id)
                    .where(Task.kind == TaskKind.recount)
                )
            )
            destinations = dict(
                (
                    await s.execute(select(TaskLine.id, Task.to_location_id).join(Task, Task.id == TaskLine.task_id))
                ).all()
            )
            ledger = await verify_ledger(s)
    finally:
        await engine.dispose()

    report.ops = len(ops)
    report.statuses = dict(Counter(row.status for row in ops.values()))
    recorded = {op["op_id"]: op for phone in world.phones for op in phone.recorded}
    lost = set().union(*(phone.lost for phone in world.phones))

    _exactly_once(ops, recorded, lost, moves, destinations)
    _per_device_order(world.phones, ops, devices, lost)
    _phones_agree(world.phones, ops)
    if not ledger.ok:
        raise fail("I6 projection = fold(ledger)", str(ledger))
    _conservation(world, moves, locations, levels)
    _commutativity(world, ops, moves, levels, destinations)
    _count_semantics(counts, moves, levels, recount_bins)
    await _convergence_and_scope(client, world, locations)
    await _rejections_surface(client, world, ops)


def _exactly_once(
    ops: dict[str, Any],
    recorded: dict[str, Any],
    lost: set[str],
    moves: list[StockMove],
    destinations: dict[int, int | None],
) -> None:
    """I1 + I2: every op recorded reached the server once with one outcome; its move exists once."""
    missing = [op_id for op_id in recorded if op_id not in ops and op_id not in lost]
    if missing:
        raise fail("I2 no lost facts", f"{len(missing)} recorded ops never reached the server, e.g. {missing[:3]}")
    phantom = [op_id for op_id in ops if op_id not in recorded]
    if phantom:
        raise fail("I1 exactly once", f"the server holds ops no phone recorded: {phantom[:3]}")
    by_op: dict[str, list[StockMove]] = defaultdict(list)
    for move in moves:
        if move.idempotency_key.startswith("op:"):
            by_op[move.idempotency_key[3:].split(":", 1)[0]].append(move)
    for op_id, row in ops.items():
        if row.status == "held" and row.resolved_at is None:
            raise fail("I14 rejections surface", f"op {op_id} is still held after the supervisor worked the queue")
        base = [m for m in by_op.get(op_id, []) if m.idempotency_key == f"op:{op_id}"]
        if row.status not in APPLIED:
            if by_op.get(op_id):
                raise fail("I1 exactly once", f"{row.status} op {op_id} has ledger effects {by_op[op_id]}")
            continue
        if row.name not in MOVING_OPS:
            continue
        if len(base) != 1:
            raise fail("I1 exactly once", f"applied op {op_id} ({row.name}) has {len(base)} moves")
        p, move = row.payload, base[0]
        if row.name == "warehouse.item_moved":
            expected = (p["sku_id"], p["from_location_id"], p["to_location_id"], p["qty"])
        else:
            expected = (p["sku_id"], p["location_id"], destinations[p["task_line_id"]], p["qty"])
        got = (move.sku_id, move.from_location_id, move.to_location_id, move.qty)
        if got != expected:
            raise fail("I1 exactly once", f"op {op_id} posted {got}, its payload says {expected}")


def _per_device_order(phones: list[Phone], ops: dict[str, Any], devices: dict[str, int], lost: set[str]) -> None:
    """I3: per device, seqs 1..n all applied, ``last_applied_seq`` = n."""
    seqs: dict[str, list[int]] = defaultdict(list)
    for row in ops.values():
        seqs[row.device_id].append(row.seq)
    for phone in phones:
        for device_id in phone.identities:
            sent = [op["seq"] for op in phone.recorded if op["device_id"] == device_id and op["op_id"] not in lost]
            got = sorted(seqs.get(device_id, []))
            if got != list(range(1, len(got) + 1)):
                raise fail("I3 per-device order", f"{phone.name} device {device_id[:8]} has seqs {got[:20]}…")
            if sorted(sent) != got[: len(sent)] or devices.get(device_id, 0) != len(got):
                raise fail(
                    "I3 per-device order",
                    f"{phone.name}: recorded {len(sent)} ops, server holds {len(got)}, last_applied_seq "
                    f"{devices.get(device_id)}",
                )


def _phones_agree(phones: list[Phone], ops: dict[str, Any]) -> None:
    """Each op's final answer on the phone is the server's record (a held op may since be released)."""
    for phone in phones:
        for op_id, result in phone.results.items():
            row = ops.get(op_id)
            if row is None:
                raise fail("I1 exactly once", f"{phone.name} got a result for {op_id}, which the server lacks")
            if result["status"] != "held" and (row.status, row.code) != (result["status"], result.get("code") or ""):
                raise fail(
                    "I1 exactly once", f"{phone.name}: op {op_id} answered {result['status']}, stored {row.status}"
                )
        if phone.outbox:
            raise fail("I2 no lost facts", f"{phone.name} still has {len(phone.outbox)} ops to send")


def _conservation(
    world: World, moves: list[StockMove], locations: dict[int, Location], levels: dict[tuple[int, int], int]
) -> None:
    """I5: per SKU, shelf stock changes only by what crossed the boundary (count adjustments)."""
    boundary: Counter[int] = Counter()
    physical = {
        loc_id
        for loc_id, loc in locations.items()
        if loc.type not in (LocationType.supplier, LocationType.customer, LocationType.loss)
    }
    for move in moves:
        if move.idempotency_key.startswith("seed:"):
            continue
        inside_from, inside_to = move.from_location_id in physical, move.to_location_id in physical
        if inside_to and not inside_from:
            boundary[move.sku_id] += move.qty
        elif inside_from and not inside_to:
            boundary[move.sku_id] -= move.qty
    shelf: Counter[int] = Counter()
    for (loc, sku), qty in levels.items():
        if loc in physical:
            shelf[sku] += qty
    for sku, start in world.initial_total.items():
        if shelf[sku] != start + boundary[sku]:
            raise fail(
                "I5 conservation",
                f"SKU {sku}: {start} at start {boundary[sku]:+} across the boundary, {shelf[sku]} on shelves",
            )


def _commutativity(
    world: World,
    ops: dict[str, Any],
    moves: list[StockMove],
    levels: dict[tuple[int, int], int],
    destinations: dict[int, int | None],
) -> None:
    """I8: a level only moved by movement facts equals start + Σ of those facts, whatever order,
    batching and duplication they arrived in."""
    touched_by_books = {
        (loc, m.sku_id)
        for m in moves
        if m.reason in (MoveReason.count_adjustment, MoveReason.correction)
        for loc in (m.from_location_id, m.to_location_id)
    }
    expected: Counter[tuple[int, int]] = Counter(world.initial_levels)
    for row in ops.values():
        if row.status not in APPLIED or row.name not in MOVING_OPS:
            continue
        p = row.payload
        src = p["from_location_id"] if row.name == "warehouse.item_moved" else p["location_id"]
        dst = p["to_location_id"] if row.name == "warehouse.item_moved" else destinations[p["task_line_id"]]
        expected[(src, p["sku_id"])] -= p["qty"]
        expected[(dst, p["sku_id"])] += p["qty"]
    for key, qty in expected.items():
        if key in touched_by_books:
            continue
        if levels.get(key, 0) != qty:
            raise fail("I8 commutativity", f"level {key} holds {levels.get(key, 0)}; its movement facts sum to {qty}")


def _count_semantics(
    counts: list[BinCount], moves: list[StockMove], levels: dict[tuple[int, int], int], recount_bins: set[int]
) -> None:
    """I9: on hand = the latest trusted count + the moves after it (bins never flagged for a recount)."""
    latest: dict[tuple[int, int], BinCount] = {}
    for count in counts:
        if count.outcome in (CountOutcome.adjusted, CountOutcome.matched):
            key = (count.location_id, count.sku_id)
            if key not in latest or count.counted_at >= latest[key].counted_at:
                latest[key] = count
    for (loc, sku), count in latest.items():
        if loc in recount_bins:
            continue
        after = sum(
            (m.qty if m.to_location_id == loc else -m.qty)
            for m in moves
            if m.sku_id == sku and loc in (m.from_location_id, m.to_location_id) and m.occurred_at > count.counted_at
        )
        if levels.get((loc, sku), 0) != count.counted_qty + after:
            raise fail(
                "I9 count semantics",
                f"bin {loc} SKU {sku}: counted {count.counted_qty} at {count.counted_at}, {after:+} after, "
                f"holds {levels.get((loc, sku), 0)}",
            )


async def _convergence_and_scope(client: Client, world: World, locations: dict[int, Location]) -> None:
    """I7 + I10 + I13: each phone's incrementally kept store equals a fresh snapshot of its scope;
    I12: nothing in it belongs to another warehouse."""
    for phone in world.phones:
        if phone.revoked:
            continue
        fresh = Phone(phone.name + "-fresh", phone.device_id, phone.token, phone.floor, phone.clock)
        fresh.acked_seq = phone.acked_seq
        if not await fresh.pull_all(client, random.Random(0), PhoneFaults()):
            raise fail("I7 convergence", f"{phone.name}: a fresh snapshot did not complete")
        if phone.store != fresh.store:
            only_here = [
                (k, phone.store[k], fresh.store.get(k)) for k in phone.store if phone.store[k] != fresh.store.get(k)
            ][:3]
            only_there = [k for k in fresh.store if k not in phone.store][:3]
            raise fail(
                "I7/I10 convergence", f"{phone.name}: local store differs from the server: {only_here} {only_there}"
            )
        warehouse = phone.floor.warehouse_id
        for (entity, key), data in phone.store.items():
            location_id = (
                data.get("location_id")
                if entity in ("level", "task_line")
                else (int(key) if entity == "location" else None)
            )
            if location_id is not None and locations[location_id].warehouse_id != warehouse:
                raise fail("I12 scope isolation", f"{phone.name} of warehouse {warehouse} holds {entity} {key}")


async def _rejections_surface(client: Client, world: World, ops: dict[str, Any]) -> None:
    """I14: every rejected op is in the supervisor's queue."""
    headers = {"Authorization": f"Bearer {world.supervisor_token}"}
    rejected = {op_id for op_id, row in ops.items() if row.status == "rejected"}
    listed: set[str] = set()
    offset = 0
    while True:
        response = await client.get(
            "/api/sync/ops",
            params={"status": "rejected", "unresolved": "false", "limit": 200, "offset": offset},
            headers=headers,
        )
        if response.status_code != 200:
            raise fail("I14 rejections surface", f"{response.status_code} {response.text}")
        body = response.json()
        listed.update(item["op_id"] for item in body["items"])
        if len(body["items"]) < 200:
            break
        offset += 200
    if rejected - listed:
        raise fail(
            "I14 rejections surface",
            f"rejected ops missing from the supervisor's queue: {sorted(rejected - listed)[:3]}",
        )

"""The simulated warehouse floor: two warehouses, bins, SKUs, stock, pick tasks and the phones.

Small on purpose (a dozen SKUs over thirty bins): conflicts — two phones on one bin, a pick and a
count crossing — must happen often within a few hundred ops, or the simulation proves nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role, UserWarehouse
from server.auth.tokens import issue_token
from server.tasks.models import Task, TaskKind, TaskLine, TaskStatus
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.models import LocationType
from sync.hlc import Clock
from tests.factories import make_bin, make_sku, make_user, make_warehouse
from tests.sync.sim_phone import Phone

Factory = async_sessionmaker[AsyncSession]


@dataclass
class FloorPlan:
    """What one warehouse holds, by id, for choosing ops."""

    warehouse_id: int
    bins: list[int]
    staging: int
    skus: list[int]
    task_lines: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(task_id, line_id, bin, sku) of the pick tasks."""


@dataclass
class World:
    floors: list[FloorPlan]
    phones: list[Phone]
    supervisor_token: str
    initial_total: dict[int, int]
    """SKU id → units on the physical shelves before the run (the conservation baseline)."""
    initial_levels: dict[tuple[int, int], int]
    """(bin, SKU) → units before the run (the commutativity baseline, I8)."""


async def build_world(factory: Factory, rng: random.Random, *, phones: int, registered_at: datetime) -> World:
    """Seed the floor; ``phones`` are split 5:1 between the two warehouses (at least one each)."""
    floors: list[FloorPlan] = []
    initial: dict[int, int] = {}
    levels: dict[tuple[int, int], int] = {}
    async with factory() as s, s.begin():
        fixtures = [await make_warehouse(s), await make_warehouse(s)]
        for wh in fixtures:
            bins = [(await make_bin(s, wh)).id for _ in range(30)]
            staging = (await make_bin(s, wh, type=LocationType.staging)).id
            skus = [(await make_sku(s)).id for _ in range(12)]
            floor = FloorPlan(wh.warehouse.id, bins, staging, skus)
            receipts = []
            for sku in skus:
                for bin_id in rng.sample(bins, 3):
                    receipts.append(
                        MoveRequest(
                            sku_id=sku,
                            from_location_id=wh.supplier.id,
                            to_location_id=bin_id,
                            qty=20,
                            reason=MoveReason.receipt,
                            idempotency_key=f"seed:{uuid.uuid4()}",
                            occurred_at=registered_at - timedelta(days=1),
                        )
                    )
                    initial[sku] = initial.get(sku, 0) + 20
                    levels[(bin_id, sku)] = levels.get((bin_id, sku), 0) + 20
            await post_moves(s, receipts, negative=NegativePolicy.refuse)
            for _ in range(10):
                picks = [
                    (bin_id, sku) for bin_id, sku in ((r.to_location_id, r.sku_id) for r in rng.sample(receipts, 2))
                ]
                task = await open_task(
                    s,
                    warehouse_id=wh.warehouse.id,
                    kind=TaskKind.pick,
                    lines=[LineSpec(location_id=b, sku_id=k, qty=rng.randint(1, 4)) for b, k in picks],
                    reference=f"SO-{uuid.uuid4().hex[:8]}",
                    to_location_id=staging,
                )
                lines = (await s.scalars(select(TaskLine).where(TaskLine.task_id == task.id))).all()
                floor.task_lines.extend((task.id, line.id, line.location_id, line.sku_id or 0) for line in lines)
            floors.append(floor)
        _, supervisor_token = await make_user(s, [Role.admin], all_warehouses=True)

        phone_list: list[Phone] = []
        for index in range(phones):
            floor, wh = (floors[1], fixtures[1]) if index % 6 == 5 else (floors[0], fixtures[0])
            user, _ = await make_user(s, [Role.picker], warehouses=[wh.warehouse])
            device = Device(
                id=str(uuid.uuid4()),
                user_id=user.id,
                warehouse_id=wh.warehouse.id,
                name=f"sim {index}",
                created_at=registered_at,
            )
            s.add(device)
            await s.flush()
            token, _ = await issue_token(s, user_id=user.id, ttl_seconds=86_400, device_id=device.id)
            phone_list.append(
                Phone(name=f"P{index}", device_id=device.id, token=token, floor=floor, clock=Clock(device.id[:8]))
            )
    return World(floors, phone_list, supervisor_token, initial, levels)


async def register_again(factory: Factory, old_device_id: str, registered_at: datetime) -> tuple[str, str]:
    """SPEC.md §9.4: the same user registers the phone as a new device; answers (device id, token)."""
    async with factory() as s, s.begin():
        old = await s.get(Device, old_device_id)
        assert old is not None
        device = Device(
            id=str(uuid.uuid4()),
            user_id=old.user_id,
            warehouse_id=old.warehouse_id,
            name=f"{old.name} (new)",
            created_at=registered_at,
        )
        s.add(device)
        await s.flush()
        token, _ = await issue_token(s, user_id=old.user_id, ttl_seconds=86_400, device_id=device.id)
    return device.id, token


async def move_device(factory: Factory, device_id: str, warehouse_id: int) -> None:
    """A supervisor assigns the phone (and its user) to another warehouse."""
    async with factory() as s, s.begin():
        device = await s.get(Device, device_id)
        assert device is not None
        device.warehouse_id = warehouse_id
        s.add(UserWarehouse(user_id=device.user_id, warehouse_id=warehouse_id))


async def cancel_a_task(factory: Factory, rng: random.Random, floor: FloorPlan) -> int | None:
    """F11: the order behind a pick task is cancelled at the desk while phones are offline."""
    task_ids = sorted({line[0] for line in floor.task_lines})
    async with factory() as s, s.begin():
        task = await s.get(Task, rng.choice(task_ids))
        if task is None or task.status in (TaskStatus.cancelled, TaskStatus.done):
            return None
        task.status = TaskStatus.cancelled
        return task.id

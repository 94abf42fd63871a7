"""Planned cycle counts: by zone, bins or SKU, blind by default, reaching the phone as tasks."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.tasks.models import Task, TaskKind, TaskLine
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import bearer, make_bin, make_sku, make_user, make_warehouse
from tests.sync_support import make_device

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]


async def test_blind_and_open_counts_by_sku_and_by_zone(client: Client, session_factory: Factory) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bins = [await make_bin(s, wh) for _ in range(3)]
        bins[0].walking_sequence, bins[1].walking_sequence, bins[2].walking_sequence = 30, 10, 20
        sku = await make_sku(s)
        for bin_, qty in ((bins[0], 4), (bins[1], 7)):
            request = MoveRequest(
                sku_id=sku.id,
                from_location_id=wh.supplier.id,
                to_location_id=bin_.id,
                qty=qty,
                reason=MoveReason.receipt,
                idempotency_key=f"seed-{bin_.id}",
            )
            await post_moves(s, [request])
        _, supervisor = await make_user(s, [Role.supervisor], warehouses=[wh.warehouse])
        _, picker = await make_user(s, [Role.picker], warehouses=[wh.warehouse])
    headers = bearer(supervisor)

    by_sku = await client.post(
        "/api/count-tasks", json={"warehouse_id": wh.warehouse.id, "sku_id": sku.id, "blind": False}, headers=headers
    )
    whole_zone = await client.post(
        "/api/count-tasks", json={"warehouse_id": wh.warehouse.id, "zone_id": wh.zone.id}, headers=headers
    )
    refused = await client.post("/api/count-tasks", json={"warehouse_id": wh.warehouse.id}, headers=bearer(picker))
    nothing = await client.post(
        "/api/count-tasks", json={"warehouse_id": wh.warehouse.id, "sku_id": 987654}, headers=headers
    )

    assert by_sku.status_code == 201, by_sku.text
    ((open_task),) = by_sku.json()
    ((blind_task),) = whole_zone.json()
    assert (open_task["blind"], open_task["bins"], blind_task["blind"], blind_task["bins"]) == (False, 2, True, 3)
    assert refused.status_code == 403
    assert (nothing.status_code, nothing.json()["code"]) == (422, "nothing_to_count")
    async with session_factory() as s:
        shown = [
            (line.location_id, line.sku_id, line.qty)
            for line in await s.scalars(
                select(TaskLine).where(TaskLine.task_id == open_task["task_id"]).order_by(TaskLine.line_no)
            )
        ]
        hidden = list(await s.scalars(select(TaskLine.qty).where(TaskLine.task_id == blind_task["task_id"])))
        kinds = set(await s.scalars(select(Task.kind)))
    assert shown == [(bins[1].id, sku.id, 7), (bins[0].id, sku.id, 4)]  # walking order, books shown
    assert hidden == [0, 0, 0]  # blind: the counter is not told
    assert kinds == {TaskKind.bin_count}

    phone = await make_device(session_factory, wh.warehouse)
    await phone.pull_all(client)
    tasks = {k: v for k, v in phone.store.items() if k[0] == "task"}
    assert tasks[("task", str(blind_task["task_id"]))]["blind"] is True
    assert tasks[("task", str(open_task["task_id"]))]["blind"] is False

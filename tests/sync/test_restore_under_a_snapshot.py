"""F5 under a snapshot: the server is restored from a backup taken while a phone's first sync was
streaming, after the phone had staged rows the restore then lost.

Snapshot pages show rows as they are when read, so they can hold rows newer than the snapshot's
start. The feed after that start, in the restored history, never sends a ``del`` for a row it never
had, so the phone kept ghost tasks (found by the floor simulation, seed 12 on PostgreSQL). The
cursor now remembers the newest versions its pages were read at and resets if those are gone.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.db.engine import create_engine, create_session_factory
from server.tasks.models import TaskKind
from server.tasks.service import LineSpec, open_task
from tests.conftest import Backend
from tests.sync.sim_phone import Phone, PhoneFaults
from tests.sync.sim_server import Database, FaultPlan, running_server
from tests.sync.sim_world import FloorPlan, build_world

pytestmark = pytest.mark.xdist_group("simulation")


async def _open_tasks(url: str, floor: FloorPlan, count: int) -> list[int]:
    engine = create_engine(url, pool_size=1, max_overflow=0)
    try:
        async with create_session_factory(engine)() as s, s.begin():
            tasks = [
                await open_task(
                    s,
                    warehouse_id=floor.warehouse_id,
                    kind=TaskKind.bin_count,
                    lines=[LineSpec(location_id=floor.bins[n], sku_id=None)],
                    reference=f"bin:{floor.bins[n]}",
                )
                for n in range(count)
            ]
            return [task.id for task in tasks]
    finally:
        await engine.dispose()


async def test_rows_a_restore_lost_under_a_streaming_snapshot_do_not_stay_on_the_phone(
    backend: Backend, sim_template: str, tmp_path: Path
) -> None:
    db = Database.copy_of(backend.name, sim_template, tmp_path)
    rng = random.Random(5)
    try:
        engine = create_engine(db.url, pool_size=1, max_overflow=0)
        try:
            world = await build_world(
                create_session_factory(engine), rng, phones=2, registered_at=datetime.now(UTC) - timedelta(days=1)
            )
        finally:
            await engine.dispose()
        phone = world.phones[0]
        async with running_server(db, FaultPlan()) as client:
            assert not await phone.pull_all(client, rng, PhoneFaults(), limit=5, max_pages=1)  # mid-snapshot
        backup = db.backup()

        ghosts = await _open_tasks(db.url, phone.floor, 2)  # after the backup: the restore loses them
        async with running_server(db, FaultPlan()) as client:  # the snapshot's last page, then out of range
            assert not await phone.pull_all(client, rng, PhoneFaults(), max_pages=1)
        assert phone.staged is None  # the snapshot is complete: the store holds the ghosts
        assert all(("task", str(task_id)) in phone.store for task_id in ghosts)

        db.restore(backup)
        reused = await _open_tasks(db.url, phone.floor, 1)  # the restored server moves on, reusing ids
        async with running_server(db, FaultPlan()) as client:
            assert await phone.pull_all(client, rng, PhoneFaults())
            fresh = Phone("fresh", phone.device_id, phone.token, phone.floor, phone.clock)
            assert await fresh.pull_all(client, rng, PhoneFaults())

        differing = sorted(
            k for k in phone.store.keys() | fresh.store.keys() if phone.store.get(k) != fresh.store.get(k)
        )
        assert differing == []
        assert ("task", str(reused[0])) in phone.store
    finally:
        db.drop()

"""F6: a phone offline for 72 hours with 10,000 queued scans comes back and drains its outbox in
batches of 100, each acknowledged in order, and every invariant still holds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.db.engine import create_engine, create_session_factory
from tests.conftest import Backend
from tests.sync.sim_invariants import check_invariants
from tests.sync.sim_phone import BATCH, PhoneFaults
from tests.sync.sim_server import Database, FaultPlan, running_server
from tests.sync.sim_world import build_world
from tests.sync.simulation import SimReport

pytestmark = pytest.mark.xdist_group("simulation")
QUEUED = 10_000
OFFLINE = timedelta(hours=72)


async def test_seventy_two_hours_offline_with_ten_thousand_queued_ops(
    backend: Backend, sim_template: str, tmp_path: Path
) -> None:
    database = Database.copy_of(backend.name, sim_template, tmp_path)
    try:
        rng = random.Random(72)
        start = datetime.now(UTC) - OFFLINE
        engine = create_engine(database.url, pool_size=1, max_overflow=1)
        try:
            world = await build_world(
                create_session_factory(engine), rng, phones=2, registered_at=start - timedelta(hours=1)
            )
        finally:
            await engine.dispose()
        phone = world.phones[0]
        floor = phone.floor
        levels = sorted(world.initial_levels)
        for index in range(QUEUED):
            src, sku = rng.choice([lv for lv in levels if lv[0] in floor.bins])
            dst = rng.choice([b for b in floor.bins if b != src])
            at = start + OFFLINE * index / QUEUED
            phone.record(
                "warehouse.item_moved",
                {"sku_id": sku, "from_location_id": src, "to_location_id": dst, "qty": 1},
                at=at,
            )

        async with running_server(database, FaultPlan()) as client:
            progress: list[int] = []
            while phone.outbox:
                before = len(phone.outbox)
                await phone.push_all(client, rng, PhoneFaults(), max_batches=1)
                assert len(phone.outbox) == before - min(BATCH, before), "a batch was not acknowledged whole"
                progress.append(phone.acked_seq)
            assert progress == list(range(BATCH, QUEUED + 1, BATCH))  # in order, one batch at a time
            for each in world.phones:
                assert await each.pull_all(client, rng, PhoneFaults())
            report = SimReport(seed=72)
            await check_invariants(client, database.url, world, report)
        assert report.ops == QUEUED
        # Old but real: facts are accepted at any age; none is flagged for its clock.
        assert set(report.statuses) <= {"applied", "applied_with_exception"}
    finally:
        database.drop()

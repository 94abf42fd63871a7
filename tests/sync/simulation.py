"""One seeded run of the floor: phones working offline against the real server, with faults.

Every decision — who works, what they scan, who is online, which fault fires — comes from one
``random.Random(seed)``, so a failing seed replays the same story (the interleaving of concurrent
requests inside one round is up to the event loop and the database, as on a real floor).

The fault cases of SYNC-ANCHORS §15 and where they happen here:
F1 lost response, F2 duplicate concurrent batch, F3 crash mid pull page — ``PhoneFaults``;
F4 serialization failure / crash before commit — ``FaultPlan`` on the server's engine;
F5 backup restore — the server is stopped, copied, and later put back;
F6 long offline — ``test_long_offline``; F7 cross-device reordering — phones go online at random;
F8 clocks — one phone 10 min ahead, one jumping back an hour, the rest within ±2 min;
F9 poison ops; F10 an op version newer than the server; F11 tasks cancelled at the desk;
F12 counts of the same bins by several phones; F13 a revoked and a moved phone;
F14 a phone that lost its storage; F15 an initial sync interrupted half-way;
F16 all online phones push and pull at once; F17 picks and moves beyond the stock.
"""

from __future__ import annotations

import asyncio
import random
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from server.db.engine import create_engine, create_session_factory
from tests.sync.sim_invariants import check_invariants
from tests.sync.sim_phone import Phone, PhoneFaults, SimFailure
from tests.sync.sim_server import Database, FaultPlan, running_server
from tests.sync.sim_world import Factory, World, build_world, cancel_a_task, move_device, register_again

Client = httpx.AsyncClient
POISON_SKU = 987_654_321


@dataclass(frozen=True)
class SimConfig:
    phones: int = 24
    rounds: int = 8
    max_ops_per_round: int = 4
    online: float = 0.6
    phone_faults: PhoneFaults = field(default_factory=lambda: PhoneFaults(0.15, 0.1, 0.1))
    server_transient: float = 0.3
    server_crash: float = 0.2
    backup_round: int = 2
    restore_round: int = 4
    wipe_round: int = 1
    """Before the backup: a wipe and a restore together lose work for real (both copies are gone)."""
    revoke_round: int = 6
    move_round: int = 6


@dataclass
class SimReport:
    seed: int
    ops: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    server_faults: dict[str, int] = field(default_factory=dict)


class Simulation:
    def __init__(self, seed: int, database: Database, config: SimConfig) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.db = database
        self.config = config
        self.faults = FaultPlan()
        self.report = SimReport(seed)
        self.registered_at = datetime.now(UTC) - timedelta(days=1)

    # --- the server's life ------------------------------------------------------------------------

    def _admin(self) -> tuple[Any, Factory]:
        engine = create_engine(self.db.url, pool_size=1, max_overflow=1)
        return engine, create_session_factory(engine)

    async def desk(self, action: Any) -> Any:
        """A desk action (supervisor, order cancellation) in its own short-lived connection."""
        engine, factory = self._admin()
        try:
            return await action(factory)
        finally:
            await engine.dispose()

    async def run(self) -> SimReport:
        engine, factory = self._admin()
        try:
            world = await build_world(factory, self.rng, phones=self.config.phones, registered_at=self.registered_at)
        finally:
            await engine.dispose()
        self._set_clocks(world)
        backup: str | None = None
        stack = AsyncExitStack()
        client = await stack.enter_async_context(running_server(self.db, self.faults))
        try:
            await self._interrupted_initial_sync(client, world.phones[5 % len(world.phones)])
            for round_no in range(self.config.rounds):
                if round_no == self.config.backup_round:
                    await stack.aclose()
                    backup = self.db.backup()
                    self.report.events.append(f"round {round_no}: backup taken")
                    client = await stack.enter_async_context(running_server(self.db, self.faults))
                if round_no == self.config.restore_round and backup is not None:
                    await stack.aclose()
                    self.db.restore(backup)
                    self.report.events.append(f"round {round_no}: server restored from the round-2 backup")
                    client = await stack.enter_async_context(running_server(self.db, self.faults))
                await self._round(client, world, round_no)
            await self._quiesce(client, world)
            await check_invariants(client, self.db.url, world, self.report)
        finally:
            await stack.aclose()
        self.report.server_faults = dict(self.faults.fired)
        return self.report

    def _set_clocks(self, world: World) -> None:
        for index, phone in enumerate(world.phones):
            phone.clock_offset = timedelta(seconds=self.rng.uniform(-120, 120))
            if index == 0:
                phone.clock_offset = timedelta(minutes=10)  # F8: too far ahead, flagged

    async def _interrupted_initial_sync(self, client: Client, phone: Phone) -> None:
        """F15: two small pages, then the phone goes out of range; nothing partial may show."""
        for _ in range(2):
            finished = await phone.pull_all(client, self.rng, PhoneFaults(), limit=40, max_pages=1)
            if finished:
                raise SimFailure("a 40-change page finished a whole initial sync")
        if phone.store or not phone.staged:
            raise SimFailure("an interrupted snapshot leaked into the live store (F15)")
        self.report.events.append(f"{phone.name}: initial sync interrupted after 2 pages")

    # --- one round ------------------------------------------------------------------------------

    async def _round(self, client: Client, world: World, round_no: int) -> None:
        rng, config = self.rng, self.config
        await self._special_events(client, world, round_no)
        if rng.random() < 0.5:
            cancelled = await self.desk(lambda f: cancel_a_task(f, rng, world.floors[0]))
            if cancelled:
                self.report.events.append(f"round {round_no}: task {cancelled} cancelled at the desk")
        for phone in world.phones:
            self._work(phone, rng.randint(0, config.max_ops_per_round))
        if round_no == 3:
            world.phones[1].clock_offset -= timedelta(hours=1)  # F8: the clock jumps back offline
        self.faults.transient += int(rng.random() < config.server_transient)
        self.faults.crash += int(rng.random() < config.server_crash)
        online = [p for p in world.phones if rng.random() < config.online]
        await asyncio.gather(*(self._sync(client, phone, config.phone_faults) for phone in online))

    async def _sync(self, client: Client, phone: Phone, faults: PhoneFaults) -> None:
        rng = random.Random(self.rng.random())  # each phone its own stream: gather order cannot matter
        await phone.push_all(client, rng, faults)
        await phone.pull_all(client, rng, faults)

    async def _special_events(self, client: Client, world: World, round_no: int) -> None:
        config = self.config
        phones = world.phones
        if round_no == config.wipe_round:
            candidates = [p for p in phones[6:] + phones[2:3] if p.acked_seq]
            if candidates:
                await self._wipe(client, candidates[0])
        if round_no == config.revoke_round:
            victim = phones[3 % len(phones)]
            response = await client.delete(
                f"/api/devices/{victim.device_id}", headers={"Authorization": f"Bearer {world.supervisor_token}"}
            )
            if response.status_code != 200:
                raise SimFailure(f"revoking {victim.name}: {response.status_code} {response.text}")
            victim.revoked = True
            self.report.events.append(f"round {round_no}: {victim.name} revoked")
        if round_no == config.move_round and len(world.floors) > 1:
            mover = phones[4 % len(phones)]
            await self.desk(lambda f: move_device(f, mover.device_id, world.floors[1].warehouse_id))
            # Its outbox was recorded for the old warehouse: those ops must be held (§5.7).
            self._work(mover, 2)
            await mover.push_all(client, random.Random(self.rng.random()), PhoneFaults())
            held = [mover.results[op["op_id"]]["code"] for op in mover.recorded[-2:]]
            if held != ["device_moved", "device_moved"]:
                raise SimFailure(f"{mover.name}: ops of a moved device answered {held}, not held")
            mover.floor = world.floors[1]
            self.report.events.append(f"round {round_no}: {mover.name} moved to warehouse {mover.floor.warehouse_id}")

    async def _wipe(self, client: Client, phone: Phone) -> None:
        """F14: the browser evicted the phone's storage but kept its login: numbering restarts at 1."""
        lost = phone.wipe()
        phone.next_seq = 1
        op = phone.record("warehouse.item_moved", self._move_payload(phone))
        response = await client.post("/api/sync/push", json=phone._body([op]), headers=phone.headers)
        if (response.status_code, response.json().get("code")) != (409, "sequence_reused"):
            raise SimFailure(f"{phone.name}: a reused seq after a wipe answered {response.status_code} {response.text}")
        phone.wipe()  # that op is lost too: the user is told, it is never renumbered (§9.4)
        device_id, token = await self.desk(lambda f: register_again(f, phone.device_id, self.registered_at))
        phone.adopt(device_id, token)
        self.report.events.append(f"{phone.name}: storage wiped ({len(lost) + 1} ops lost), registered again")

    # --- what phones record ---------------------------------------------------------------------

    def _work(self, phone: Phone, count: int) -> None:
        rng, floor = self.rng, phone.floor
        for _ in range(count):
            roll = rng.random()
            if roll < 0.45:
                phone.record("warehouse.item_moved", self._move_payload(phone))
            elif roll < 0.75 and floor.task_lines:
                _task, line, bin_id, sku = rng.choice(floor.task_lines)
                phone.record(
                    "fulfilment.item_picked",
                    {"task_line_id": line, "location_id": bin_id, "sku_id": sku, "qty": rng.randint(1, 3)},
                )
            elif roll < 0.92:
                bin_id, sku, seen = self._known_level(phone)
                counted = max(0, seen + rng.choice((0, 0, 0, -1, 1, 2)))
                phone.record("warehouse.bin_counted", {"location_id": bin_id, "sku_id": sku, "counted_qty": counted})
            elif roll < 0.95:  # F9: a poison op — a client bug that can never apply
                bad = rng.choice(({**self._move_payload(phone), "sku_id": POISON_SKU}, {"qty": "x"}))
                phone.record("warehouse.item_moved", bad)
            elif roll < 0.97:  # F10: a newer app's op reaching this older server
                phone.record("warehouse.item_moved", self._move_payload(phone), version=99)
            else:  # a request, which may be refused
                task_id = rng.choice(floor.task_lines)[0]
                phone.record("tasks.task_claimed", {"task_id": task_id})

    def _known_level(self, phone: Phone) -> tuple[int, int, int]:
        """A (bin, SKU) the phone believes holds stock, with its local quantity (location-first)."""
        floor = phone.floor
        known = [
            (data["location_id"], data["sku_id"], data["on_hand"])
            for (entity, _), data in sorted(phone.store.items())
            if entity == "level" and data["location_id"] in floor.bins and data["sku_id"] in floor.skus
        ]
        if known and self.rng.random() < 0.85:
            return self.rng.choice(known)
        return self.rng.choice(floor.bins), self.rng.choice(floor.skus), 0

    def _move_payload(self, phone: Phone) -> dict[str, Any]:
        src, sku, seen = self._known_level(phone)
        dst = self.rng.choice([b for b in phone.floor.bins if b != src])
        qty = self.rng.randint(1, max(1, min(seen, 4))) if self.rng.random() < 0.9 else seen + 3  # F17
        return {"sku_id": sku, "from_location_id": src, "to_location_id": dst, "qty": qty}

    # --- quiescence -----------------------------------------------------------------------------

    async def _quiesce(self, client: Client, world: World) -> None:
        """Everyone comes back online with no faults; a supervisor works the held queue; all pull."""
        calm = PhoneFaults()
        for phone in world.phones:
            await phone.push_all(client, random.Random(0), calm)
        await self._supervisor_resolves_held(client, world)
        for phone in world.phones:
            if not phone.revoked:
                finished = await phone.pull_all(client, random.Random(0), calm)
                if not finished:
                    raise SimFailure(f"{phone.name}: could not finish pulling at quiescence")

    async def _supervisor_resolves_held(self, client: Client, world: World) -> None:
        headers = {"Authorization": f"Bearer {world.supervisor_token}"}
        response = await client.get("/api/sync/ops", params={"status": "held", "limit": 500}, headers=headers)
        if response.status_code != 200:
            raise SimFailure(f"listing held ops: {response.status_code} {response.text}")
        for item in response.json()["items"]:
            action = "close" if item["code"] == "op_version_unknown" else "apply"
            done = await client.post(
                f"/api/sync/ops/{item['op_id']}/resolve", json={"action": action, "note": "sim"}, headers=headers
            )
            if done.status_code != 200:
                raise SimFailure(f"resolving held op {item['op_id']}: {done.status_code} {done.text}")
            self.report.events.append(f"held op {item['op_id'][:8]} ({item['code']}): {action}")


async def run_seed(
    seed: int, backend: str, template_url: str, workdir: Path, config: SimConfig | None = None
) -> SimReport:
    database = Database.copy_of(backend, template_url, workdir)
    try:
        return await Simulation(seed, database, config or SimConfig()).run()
    finally:
        database.drop()

"""Data for ``bench.sync``: warehouses built with bulk INSERTs, stock through the ledger, devices,
and the outboxes those devices recorded offline.

The catalog, bins, users and pick tasks are inserted with SQLAlchemy core (lists of dicts): one ORM
object per row would make seeding the initial-sync warehouse take longer than the measurement.
Stock is the exception: it is received through ``post_moves`` like everywhere else, so the ledger
verifies before and after the replay.

Outboxes are planned in global time order against a simulation of the shelves, so every op is
something a picker could physically have done: a move takes goods that were there, a pick takes
them from the bin its line names, a count reports what the bin held (now and then one unit off).
What the server sees differently is only the order in which the devices' ops arrive.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Device, Role, User, UserWarehouse
from server.auth.passwords import hash_password
from server.auth.tokens import issue_token
from server.catalog.models import Barcode, BarcodeKind, Product, Sku
from server.db.engine import create_engine, create_session_factory
from server.db.transaction import run_in_transaction
from server.tasks.models import LineStatus, Task, TaskKind, TaskLine, TaskStatus
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import Location, LocationType
from sync.hlc import Clock
from tests.factories import make_warehouse

Factory = async_sessionmaker[AsyncSession]
Level = tuple[int, int]
"""(bin id, SKU id); the benchmark uses no lots."""

CHUNK = 5_000
RECORDING_SPAN = timedelta(hours=2)
REGISTERED_AGO = timedelta(days=1)
"""Well before the first op: the server flags stamps older than the device's registration."""
LINES_PER_TASK = 5
OP_MIX = (("warehouse.item_moved", 0.50), ("fulfilment.item_picked", 0.45), ("warehouse.bin_counted", 0.05))


_BRANDS = (
    ("小米", "Xiaomi"),
    ("安踏", "Anta"),
    ("李宁", "Li-Ning"),
    ("南极人", "Nanjiren"),
    ("三只松鼠", "Three Squirrels"),
    ("蓝月亮", "Bluemoon"),
    ("维达", "Vinda"),
    ("美的", "Midea"),
    ("苏泊尔", "Supor"),
    ("九阳", "Joyoung"),
)
_KINDS = (
    ("纯棉短袖T恤", "cotton T-shirt"),
    ("速干运动裤", "quick-dry track pants"),
    ("不锈钢保温杯", "steel vacuum flask"),
    ("坚果礼盒", "nut gift box"),
    ("浓缩洗衣液", "laundry liquid"),
    ("三层抽纸", "3-ply tissues"),
    ("充电宝", "power bank"),
    ("蓝牙耳机", "bluetooth earbuds"),
    ("加厚毛巾", "thick towel"),
    ("双肩背包", "backpack"),
)
_COLOURS = (("黑色", "black"), ("白色", "white"), ("藏青", "navy"), ("浅灰", "light grey"), ("墨绿", "dark green"))
_SIZES = ("S", "M", "L", "XL", "500ml", "1L", "2kg", "120抽x6", "10000mAh", "均码")


def _sku_names(rng: random.Random) -> dict[str, str]:
    """Catalog-like names (brand, kind, colour, size): their length decides much of the snapshot's bytes."""
    (bz, be), (kz, ke), (cz, ce) = rng.choice(_BRANDS), rng.choice(_KINDS), rng.choice(_COLOURS)
    size = rng.choice(_SIZES)
    return {"name_zh": f"{bz} {kz} {cz} {size}", "name_en": f"{be} {ke}, {ce}, {size}"}


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


async def insert_ids(session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk INSERT ``rows`` (multi-row VALUES, chunked) and answer their new ids in row order."""
    table = _table(model)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        result = await session.execute(statement, list(rows[start : start + CHUNK]))
        ids.extend(result.scalars().all())
    return ids


@dataclass
class Site:
    warehouse_id: int
    supplier_id: int
    bins: list[int]
    staging: list[int]
    skus: list[int]


async def build_site(factory: Factory, *, code: str, bins: int, skus: int, barcodes_per_sku: int = 0) -> Site:
    """A warehouse with ``bins`` storage bins, 20 staging bins (pack stations) and a catalog."""
    async with factory() as s, s.begin():
        wh = await make_warehouse(s, code=code)
        warehouse_id, zone_id = wh.warehouse.id, wh.zone.id

        def location(code_: str, kind: LocationType, n: int) -> dict[str, Any]:
            return {
                "warehouse_id": warehouse_id,
                "zone_id": zone_id,
                "code": code_,
                "barcode": f"{code}-{code_}",
                "type": kind,
                "walking_sequence": n,
            }

        bin_ids = await insert_ids(
            s,
            Location,
            [location(f"A-{n // 400:02d}-{n // 8 % 50:02d}-{n % 8}", LocationType.storage, n) for n in range(bins)],
        )
        staging_ids = await insert_ids(
            s, Location, [location(f"PACK-{n:02d}", LocationType.staging, bins + n) for n in range(20)]
        )
        names = random.Random(code)
        products = [{"code": f"P{n}", "name_zh": f"商品{n}", "name_en": f"Product {n}"} for n in range(skus // 5 + 1)]
        product_ids = await insert_ids(s, Product, products)
        sku_ids = await insert_ids(
            s,
            Sku,
            [
                {"product_id": product_ids[n // 5], "code": f"SKU{n:06d}", "standard_cost_minor": 1200}
                | _sku_names(names)
                for n in range(skus)
            ],
        )
        gtins = names.sample(range(10**11), len(sku_ids) * barcodes_per_sku)
        barcodes = [
            {"sku_id": sku_id, "code": f"0069{gtins[n * barcodes_per_sku + k]:011d}", "kind": BarcodeKind.gtin}
            | {"pack_qty": 12 if k else 1}
            for n, sku_id in enumerate(sku_ids)
            for k in range(barcodes_per_sku)
        ]
        await insert_ids(s, Barcode, barcodes)
    return Site(warehouse_id, wh.supplier.id, bin_ids, staging_ids, sku_ids)


async def receive_stock(factory: Factory, site: Site, levels: dict[Level, int], *, batch: int = 2_000) -> None:
    """Receive each level's quantity from the supplier through the ledger (the only writer of stock)."""
    requests = [
        MoveRequest(
            sku_id=sku,
            from_location_id=site.supplier_id,
            to_location_id=bin_,
            qty=qty,
            reason=MoveReason.receipt,
            idempotency_key=f"seed-{bin_}-{sku}",
            reference="BENCH-SEED",
        )
        for (bin_, sku), qty in levels.items()
    ]
    for start in range(0, len(requests), batch):
        chunk = requests[start : start + batch]

        async def post(session: AsyncSession, c: list[MoveRequest] = chunk) -> None:
            await post_moves(session, c)

        await run_in_transaction(factory, post)


def random_levels(site: Site, count: int, rng: random.Random, *, lo: int = 50, hi: int = 400) -> dict[Level, int]:
    """``count`` distinct (bin, SKU) pairs with a quantity each: every SKU in a few bins."""
    levels: dict[Level, int] = {}
    skus = site.skus
    n = 0
    while len(levels) < count:
        levels.setdefault((rng.choice(site.bins), skus[n % len(skus)]), rng.randint(lo, hi))
        n += 1
    return levels


@dataclass
class BenchDevice:
    device_id: str
    user_id: int
    token: str
    ops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


async def register_devices(factory: Factory, warehouse_id: int, count: int, now: datetime) -> list[BenchDevice]:
    """``count`` pickers, each with a phone registered in the warehouse a day ago and a token for it."""
    password_hash = hash_password(uuid.uuid4().hex)  # argon2 is slow on purpose: one hash for all
    devices: list[BenchDevice] = []
    async with factory() as s, s.begin():
        tag = uuid.uuid4().hex[:6]
        user_ids = await insert_ids(
            s,
            User,
            [
                {"username": f"bench-{tag}-{n}", "password_hash": password_hash, "roles": [Role.picker.value]}
                for n in range(count)
            ],
        )
        await s.execute(insert(_table(UserWarehouse)), [{"user_id": u, "warehouse_id": warehouse_id} for u in user_ids])
        registered = now - REGISTERED_AGO
        for n, user_id in enumerate(user_ids):
            device_id = str(uuid.uuid4())
            await s.execute(
                insert(_table(Device)),
                [
                    {
                        "id": device_id,
                        "user_id": user_id,
                        "warehouse_id": warehouse_id,
                        "name": f"bench phone {n}",
                        "platform": "bench",
                        "created_at": registered,
                        "updated_at": registered,
                    }
                ],
            )
            token, _ = await issue_token(s, user_id=user_id, ttl_seconds=24 * 3600, device_id=device_id)
            devices.append(BenchDevice(device_id, user_id, token))
    return devices


@dataclass
class _PlannedPick:
    device: int
    op: dict[str, Any]
    bin_id: int
    sku_id: int
    qty: int


class _Shelves:
    """What is physically in each storage bin while the outboxes are planned."""

    def __init__(self, levels: dict[Level, int], bins: list[int], rng: random.Random) -> None:
        self.qty = dict(levels)
        self.keys = list(levels)
        self.bins = bins
        self.rng = rng

    def stocked(self) -> Level:
        for _ in range(50):
            key = self.rng.choice(self.keys)
            if self.qty[key] > 0:
                return key
        return next(k for k, q in self.qty.items() if q > 0)

    def add(self, key: Level, qty: int) -> None:
        if key not in self.qty:
            self.qty[key] = 0
            self.keys.append(key)
        self.qty[key] += qty


def _timeline(devices: int, ops_per_device: int, start: datetime, rng: random.Random) -> Iterator[tuple[int, datetime]]:
    """(device, wall time) of every op in global time order; each device records at a steady pace."""
    step = RECORDING_SPAN.total_seconds() / ops_per_device
    events = [(step * (i + rng.uniform(0.05, 0.95)), d) for d in range(devices) for i in range(ops_per_device)]
    events.sort()
    for offset, d in events:
        yield d, start + timedelta(seconds=offset)


def plan_outboxes(
    devices: list[BenchDevice], site: Site, levels: dict[Level, int], ops_per_device: int, now: datetime, seed: int
) -> list[_PlannedPick]:
    """Fill each device's ``ops`` (recorded over the last two hours); answer the picks, whose task
    lines do not exist yet (``assign_pick_lines`` creates them and fills in ``task_line_id``)."""
    rng = random.Random(seed)
    shelves = _Shelves(levels, site.bins, rng)
    clocks = [Clock(d.device_id[:8]) for d in devices]
    names = [name for name, _ in OP_MIX]
    weights = [w for _, w in OP_MIX]
    picks: list[_PlannedPick] = []
    for d, wall in _timeline(len(devices), ops_per_device, now - RECORDING_SPAN, rng):
        name = rng.choices(names, weights)[0]
        bin_, sku = shelves.stocked()
        on_shelf = shelves.qty[(bin_, sku)]
        payload: dict[str, Any]
        if name == "warehouse.item_moved":
            to = rng.choice(site.bins)
            while to == bin_:
                to = rng.choice(site.bins)
            qty = rng.randint(1, min(on_shelf, 20))
            shelves.add((bin_, sku), -qty)
            shelves.add((to, sku), qty)
            reason = "replenishment" if rng.random() < 0.2 else "transfer"
            payload = {"sku_id": sku, "from_location_id": bin_, "to_location_id": to, "qty": qty, "reason": reason}
        elif name == "fulfilment.item_picked":
            qty = rng.randint(1, min(on_shelf, 3))
            shelves.add((bin_, sku), -qty)
            payload = {"task_line_id": 0, "location_id": bin_, "sku_id": sku, "qty": qty}
        else:
            bin_, sku = rng.choice(shelves.keys)
            found = shelves.qty[(bin_, sku)]
            if rng.random() < 0.1:  # the books were wrong: a unit lost or found
                found = max(0, found + rng.choice((-2, -1, 1)))
            shelves.qty[(bin_, sku)] = found
            payload = {"location_id": bin_, "sku_id": sku, "counted_qty": found}
        device = devices[d]
        op = {
            "op_id": str(uuid.uuid4()),
            "seq": len(device.ops) + 1,
            "name": name,
            "version": 1,
            "payload": payload,
            "hlc": clocks[d].now(wall).format(),
            "wall_time": wall.isoformat(),
        }
        device.ops.append(op)
        if name == "fulfilment.item_picked":
            picks.append(_PlannedPick(d, op, bin_, sku, payload["qty"]))
    return picks


async def assign_pick_lines(
    factory: Factory, devices: list[BenchDevice], site: Site, picks: list[_PlannedPick], now: datetime
) -> int:
    """Create the pick tasks the devices worked on (claimed by their picker, five lines each, one pack
    station per task) and point each pick op at its line; answers the number of tasks."""
    by_device: dict[int, list[_PlannedPick]] = {}
    for pick in picks:
        by_device.setdefault(pick.device, []).append(pick)
    groups = [
        (d, planned[i : i + LINES_PER_TASK])
        for d, planned in sorted(by_device.items())
        for i in range(0, len(planned), LINES_PER_TASK)
    ]
    claimed_at = now - RECORDING_SPAN - timedelta(minutes=10)
    async with factory() as s, s.begin():
        task_ids = await insert_ids(
            s,
            Task,
            [
                {
                    "warehouse_id": site.warehouse_id,
                    "kind": TaskKind.pick,
                    "status": TaskStatus.claimed,
                    "reference": f"SO-BENCH-{n:06d}",
                    "to_location_id": site.staging[n % len(site.staging)],
                    "assignee_user_id": devices[d].user_id,
                    "claimed_at": claimed_at,
                }
                for n, (d, _) in enumerate(groups)
            ],
        )
        lines = [
            (
                pick,
                {
                    "task_id": task_id,
                    "warehouse_id": site.warehouse_id,
                    "line_no": no,
                    "location_id": pick.bin_id,
                    "sku_id": pick.sku_id,
                    "qty": pick.qty,
                    "status": LineStatus.open,
                },
            )
            for task_id, (_, planned) in zip(task_ids, groups, strict=True)
            for no, pick in enumerate(planned, start=1)
        ]
        line_ids = await insert_ids(s, TaskLine, [row for _, row in lines])
    for (pick, _), line_id in zip(lines, line_ids, strict=True):
        pick.op["payload"]["task_line_id"] = line_id
    return len(task_ids)


def push_bodies(device: BenchDevice, warehouse_id: int, batch: int) -> list[bytes]:
    """The device's outbox as encoded push requests of ``batch`` ops (encoded before the clock starts:
    JSON encoding is the phone's work, not the server's)."""
    return [
        msgspec.json.encode(
            {
                "protocol": 1,
                "device_id": device.device_id,
                "warehouse_id": warehouse_id,
                "client_version": "bench",
                "ops": device.ops[i : i + batch],
            }
        )
        for i in range(0, len(device.ops), batch)
    ]


@dataclass(frozen=True)
class Sizes:
    devices: int
    ops_per_device: int
    replay_bins: int
    replay_skus: int
    replay_levels: int
    catalog_skus: int
    barcodes_per_sku: int
    catalog_bins: int
    catalog_levels: int


FULL = Sizes(200, 1_500, 2_000, 5_000, 12_500, 50_000, 2, 20_000, 50_000)
QUICK = Sizes(10, 100, 1_000, 3_000, 6_000, 5_000, 2, 2_000, 5_000)


@dataclass
class ReplayWorld:
    site: Site
    levels: int
    tasks: int
    picks: int
    devices: list[BenchDevice]


async def seed_replay(url: str, sizes: Sizes) -> ReplayWorld:
    """The replay's warehouse with its stock, the devices, their outboxes and their pick tasks."""
    engine = create_engine(url, pool_size=2)
    factory = create_session_factory(engine)
    try:
        now = datetime.now(UTC)
        site = await build_site(factory, code="RPL", bins=sizes.replay_bins, skus=sizes.replay_skus)
        levels = random_levels(site, sizes.replay_levels, random.Random(3))
        await receive_stock(factory, site, levels)
        devices = await register_devices(factory, site.warehouse_id, sizes.devices, now)
        picks = plan_outboxes(devices, site, levels, sizes.ops_per_device, now, seed=7)
        tasks = await assign_pick_lines(factory, devices, site, picks, now)
    finally:
        await engine.dispose()
    return ReplayWorld(site, len(levels), tasks, len(picks), devices)


async def seed_big_warehouse(url: str, sizes: Sizes) -> tuple[Site, BenchDevice]:
    """The initial sync's warehouse (catalog, bins, stock) and one new phone registered in it."""
    engine = create_engine(url, pool_size=2)
    factory = create_session_factory(engine)
    try:
        site = await build_site(
            factory,
            code="BIG",
            bins=sizes.catalog_bins,
            skus=sizes.catalog_skus,
            barcodes_per_sku=sizes.barcodes_per_sku,
        )
        await receive_stock(factory, site, random_levels(site, sizes.catalog_levels, random.Random(5)))
        (device,) = await register_devices(factory, site.warehouse_id, 1, datetime.now(UTC))
    finally:
        await engine.dispose()
    return site, device

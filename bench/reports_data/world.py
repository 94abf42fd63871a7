"""The small tables: warehouses with zones and bins, the catalog, people, shops, count thresholds.

Each SKU stocked in a warehouse has a *slot* there: one pick face (zone A, or C for dated goods) and
two reserve bins (zone B, shared by a few SKUs) that receipts are put away into and pick faces are
replenished from. Popularity follows a long tail: the best seller takes about 2 % of the units, most
SKUs sell a few a week. Stock figures (face size, receipt batch) follow each slot's expected sales.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.reports_data.shape import (
    CATEGORIES,
    COLOURS,
    FIRST_DAY,
    LINES_PER_ORDER,
    PICKERS_PER_SHARE,
    QTY,
    ROLES_PER_SITE,
    SHELF_LIFE_DAYS,
    SHOPS,
    SITES,
    SIZES,
    ZONES,
    Shop,
    Site,
    Sizes,
    local_midnight,
)
from bench.reports_data.sink import Sink, template
from server.auth.models import Role, User, UserWarehouse
from server.catalog.models import Product, Sku
from server.orders.models import Channel
from server.warehouse.count_models import CountSettings
from server.warehouse.models import Location, LocationType, Warehouse, Zone

NO_LOGIN = "$argon2id$v=19$m=65536,t=3,p=4$DvdbENjBQvRkGzVqAy2dBw$ZfUK8HJeHdRhEjdm1H1q//WS3QPhCoTXivL9ZgXYuEg"
"""Every bench user's password hash: of a random password nobody kept (the bench uses tokens), and
fixed, so the data stays the same and no run waits on argon2."""
STAGING_BINS = 6
RECEIVING_BINS = 3
UNITS_PER_ORDER = sum(n * w for n, w in LINES_PER_ORDER) * sum(q * w for q, w in QTY)


@dataclass(slots=True)
class Slot:
    sku: int
    """SKU index (its id is ``sku + 1``)."""
    face: int
    reserves: tuple[int, int]
    face_cap: int
    batch: int
    zone: str


@dataclass(slots=True)
class SiteIds:
    index: int
    spec: Site
    warehouse_id: int
    supplier: int
    customer: int
    loss: int
    receiving: list[int]
    staging: list[int]
    quarantine: int
    returns: int
    reserves: list[int]
    slots: dict[int, Slot]
    """SKU index → its slot here."""
    skus: list[int]
    cum_weights: list[float]
    """Cumulative popularity of ``skus``, for ``random.choices``."""
    people: dict[str, list[int]]
    """Role → user ids working here."""


@dataclass(slots=True)
class Catalog:
    codes: list[str]
    names: list[str]
    cost: list[int]
    price: list[int]
    dated: list[bool]
    shelf_life: list[int]
    weight_g: list[int]
    popularity: list[float]


@dataclass(slots=True)
class World:
    sites: list[SiteIds]
    catalog: Catalog
    shops: list[tuple[Shop, int]]
    """Each shop with its channel id."""
    managers: list[int]
    devices: dict[int, str] = field(default_factory=dict)
    """User id → the phone id its moves carry."""


def build_world(sink: Sink, sizes: Sizes, rng: random.Random) -> World:
    at = local_midnight(FIRST_DAY) - timedelta(days=30)
    catalog = _catalog(sink, sizes, rng, at)
    devices: dict[int, str] = {}
    password = NO_LOGIN
    stocked = _assortments(sizes, rng, catalog)
    sites = [
        _site(sink, sizes, rng, at, i, spec, stocked[i], catalog, devices, password) for i, spec in enumerate(SITES)
    ]
    managers = []
    for role in (Role.manager, Role.finance, Role.admin):
        managers.append(_user(sink, at, f"bench-{role.value}", role, password, devices, all_warehouses=True))
    shops = []
    for shop in SHOPS:
        channel_id = sink.next_id(Channel)
        sink.add(
            Channel,
            template(Channel, at)
            | {
                "id": channel_id,
                "code": shop.code,
                "name": shop.name,
                "platform": shop.platform,
                "stock_warehouses": {},
            },
        )
        shops.append((shop, channel_id))
    for site in sites:
        sink.add(
            CountSettings,
            template(CountSettings, at)
            | {"warehouse_id": site.warehouse_id, "max_variance_units": 10, "max_variance_value_minor": 50_000},
        )
    return World(sites=sites, catalog=catalog, shops=shops, managers=managers, devices=devices)


def _catalog(sink: Sink, sizes: Sizes, rng: random.Random, at: datetime) -> Catalog:
    n = sizes.skus
    ranks = list(range(n))
    rng.shuffle(ranks)
    catalog = Catalog([], [], [], [], [], [], [], [1.0 / (rank + 5) for rank in ranks])
    product_id = 0
    for k in range(n):
        if k % 4 == 0:
            category, code, kinds, dated = CATEGORIES[rng.randrange(len(CATEGORIES))]
            kind = rng.choice(kinds)
            product_id = sink.next_id(Product)
            sink.add(
                Product,
                template(Product, at)
                | {
                    "id": product_id,
                    "code": f"P{product_id:06d}",
                    "name_zh": f"{kind} {product_id}",
                    "name_en": f"{code} {product_id}",
                    "category": category,
                },
            )
        name = f"{kind} {rng.choice(COLOURS)} {rng.choice(SIZES)}"
        cost = 0 if rng.random() < 0.01 else round(math.exp(rng.uniform(math.log(200), math.log(15_000))))
        price = max(990, (round(cost * rng.uniform(1.6, 3.2)) // 100) * 100 + 90)
        life = rng.choice(SHELF_LIFE_DAYS) if dated else 0
        weight = rng.randint(50, 3_000)
        sku_id = sink.next_id(Sku)
        sink.add(
            Sku,
            template(Sku, at)
            | {
                "id": sku_id,
                "product_id": product_id,
                "code": f"SKU{sku_id:06d}",
                "name_zh": name,
                "name_en": f"{code} item {sku_id}",
                "attributes": {},
                "unit": "件",
                "weight_g": weight,
                "standard_cost_minor": cost,
                "lot_controlled": dated,
                "expiry_controlled": dated,
                "shelf_life_days": life or None,
            },
        )
        catalog.codes.append(f"SKU{sku_id:06d}")
        catalog.names.append(name)
        catalog.cost.append(cost)
        catalog.price.append(price)
        catalog.dated.append(dated)
        catalog.shelf_life.append(life)
        catalog.weight_g.append(weight)
    return catalog


def _assortments(sizes: Sizes, rng: random.Random, catalog: Catalog) -> list[list[int]]:
    """Which SKUs each warehouse stocks: the best fifth everywhere, the rest in one or two."""
    top = sorted(range(sizes.skus), key=lambda k: -catalog.popularity[k])[: max(10, sizes.skus // 5)]
    everywhere = set(top)
    stocked: list[list[int]] = [[] for _ in SITES]
    shares = [s.share for s in SITES]
    for k in range(sizes.skus):
        if k in everywhere:
            chosen = set(range(len(SITES)))
        else:
            chosen = set(rng.choices(range(len(SITES)), weights=shares, k=1 + (rng.random() < 0.5)))
        for i in sorted(chosen):
            stocked[i].append(k)
    return stocked


def _site(
    sink: Sink,
    sizes: Sizes,
    rng: random.Random,
    at: datetime,
    index: int,
    spec: Site,
    skus: list[int],
    catalog: Catalog,
    devices: dict[int, str],
    password: str,
) -> SiteIds:
    warehouse_id = sink.next_id(Warehouse)
    sink.add(
        Warehouse,
        template(Warehouse, at)
        | {
            "id": warehouse_id,
            "code": spec.code,
            "name_zh": spec.name_zh,
            "name_en": spec.name_en,
            "province": spec.province,
            "city": spec.city,
            "region": spec.region,
            "timezone": "Asia/Shanghai",
        },
    )
    zones: dict[str, int] = {}
    for code, zh, en in ZONES:
        zones[code] = sink.next_id(Zone)
        sink.add(Zone, {"id": zones[code], "warehouse_id": warehouse_id, "code": code, "name_zh": zh, "name_en": en})

    def location(code: str, kind: LocationType, zone: str | None, n: int, **extra: object) -> int:
        location_id = sink.next_id(Location)
        sink.add(
            Location,
            template(Location, at)
            | {
                "id": location_id,
                "warehouse_id": warehouse_id,
                "zone_id": zones[zone] if zone else None,
                "code": code,
                "barcode": f"{spec.code}-{code}",
                "type": kind,
                "walking_sequence": n,
                "capacity_units": None,
                "frozen": False,
            }
            | extra,
        )
        return location_id

    virtual = {kind: location(f"@{kind.value.upper()}", kind, None, 0) for kind in sorted(LocationType) if kind in (
        LocationType.supplier, LocationType.customer, LocationType.loss, LocationType.transit)}  # fmt: skip
    receiving = [location(f"RCV-{n:02d}", LocationType.receiving, "R", n) for n in range(1, RECEIVING_BINS + 1)]
    staging = [location(f"PACK-{n:02d}", LocationType.staging, "R", 100 + n) for n in range(1, STAGING_BINS + 1)]
    quarantine = location("QC-01", LocationType.quarantine, "R", 200)
    returns = location("RET-01", LocationType.returns, "R", 201)
    location("SHIP-01", LocationType.shipping, "R", 202)
    reserves = [
        location(f"B-{n // 200:03d}-{n // 10 % 20:02d}-{n % 10}", LocationType.storage, "B", 10_000 + n)
        for n in range(max(4, math.ceil(len(skus) / 3)))
    ]
    weights = [catalog.popularity[k] for k in skus]
    total = sum(weights)
    daily_units = sizes.orders * UNITS_PER_ORDER * spec.share / 365
    slots: dict[int, Slot] = {}
    cum: list[float] = []
    running = 0.0
    faces = {"A": 0, "C": 0}
    for i, k in enumerate(skus):
        running += weights[i]
        cum.append(running)
        zone = "C" if catalog.dated[k] else "A"
        n = faces[zone]
        faces[zone] += 1
        per_day = daily_units * weights[i] / total
        face_cap = max(2, min(60, math.ceil(1.5 * per_day)))
        case = 6 if per_day < 1 else 12 if per_day < 5 else 24 if per_day < 20 else 48
        batch = max(case, math.ceil(30 * per_day / case) * case)
        face = location(
            f"{zone}-{n // 200:03d}-{n // 10 % 20:02d}-{n % 10}",
            LocationType.pick,
            zone,
            n,
            capacity_units=face_cap * 3,
            frozen=rng.random() < 0.002,
        )
        pair = (reserves[i // 3 % len(reserves)], reserves[(i * 7 + 3) % len(reserves)])
        slots[k] = Slot(k, face, pair, face_cap, batch, zone)
    people: dict[str, list[int]] = {}
    roles = (("picker", max(2, round(PICKERS_PER_SHARE * spec.share))), *ROLES_PER_SITE)
    for role, count in roles:
        people[role] = [
            _user(sink, at, f"{spec.code.lower()}-{role}{n:02d}", Role(role), password, devices, site=warehouse_id)
            for n in range(1, count + 1)
        ]
    return SiteIds(
        index=index,
        spec=spec,
        warehouse_id=warehouse_id,
        supplier=virtual[LocationType.supplier],
        customer=virtual[LocationType.customer],
        loss=virtual[LocationType.loss],
        receiving=receiving,
        staging=staging,
        quarantine=quarantine,
        returns=returns,
        reserves=reserves,
        slots=slots,
        skus=skus,
        cum_weights=cum,
        people=people,
    )


def _user(
    sink: Sink,
    at: datetime,
    username: str,
    role: Role,
    password: str,
    devices: dict[int, str],
    *,
    site: int | None = None,
    all_warehouses: bool = False,
) -> int:
    user_id = sink.next_id(User)
    sink.add(
        User,
        template(User, at)
        | {
            "id": user_id,
            "username": username,
            "display_name": username,
            "password_hash": password,
            "roles": [role.value],
            "all_warehouses": all_warehouses,
        },
    )
    if site is not None:
        sink.add(UserWarehouse, {"user_id": user_id, "warehouse_id": site})
    devices[user_id] = f"phone-{username}"
    return user_id

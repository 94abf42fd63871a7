"""The two demo warehouses as plain data: zones, racked bins in walking order, and dock bins.

Rack codes are ``<zone>-<aisle>-<rack>-<level>`` (``A-01-02-03``) made by the same serpentine
pattern expansion the bin API uses, so a demo pick path walks up one aisle and down the next the way
a real one does. The lowest levels of a rack are the pick face (拣货位); the levels above hold
overstock (存储位) that replenishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from server.warehouse.models import LocationType
from server.warehouse.services.bin_pattern import expand_pattern


@dataclass(frozen=True, slots=True)
class BinSpec:
    code: str
    zone: str
    type: LocationType
    walking_sequence: int
    capacity_units: int | None


@dataclass(frozen=True, slots=True)
class RackBlock:
    """A block of parallel aisles in one zone: ``aisles`` × ``racks`` × ``levels`` bins."""

    zone: str
    aisles: int
    racks: int
    levels: int
    pick_levels: int
    """Levels 1..pick_levels are the pick face; the rest are overstock."""
    capacity: int


@dataclass(frozen=True, slots=True)
class WarehouseSpec:
    code: str
    name_zh: str
    name_en: str
    address: str
    province: str
    city: str
    region: str
    latitude: Decimal
    longitude: Decimal
    blocks: tuple[RackBlock, ...]
    timezone: str = "Asia/Shanghai"

    def bins(self) -> list[BinSpec]:
        return _bins(self.blocks)


ZONES: tuple[tuple[str, str, str], ...] = (
    ("V", "贵品区", "High-value"),
    ("A", "常温区", "Ambient"),
    ("C", "冷藏区", "Cold room"),
    ("B", "大件区", "Bulk"),
    ("D", "收发区", "Dock"),
    ("Q", "待检区", "Quarantine"),
    ("R", "退货区", "Returns"),
)
"""Zone code, Chinese and English name; the order is the walking order of the racked zones."""

DOCK_BINS: tuple[tuple[str, str, LocationType, int], ...] = (
    ("RCV", "D", LocationType.receiving, 4),
    ("QC", "Q", LocationType.quarantine, 3),
    ("RET", "R", LocationType.returns, 3),
    ("STG", "D", LocationType.staging, 4),
    ("SHP", "D", LocationType.shipping, 4),
)
"""(code prefix, zone, type, how many): receiving doors, QC cages, returns shelves, pack-out lanes."""

# fmt: off
WAREHOUSES: tuple[WarehouseSpec, ...] = (
    WarehouseSpec(
        code="HZ01", name_zh="杭州主仓", name_en="Hangzhou main warehouse",
        address="浙江省杭州市余杭区仁和街道仓兴路 88 号", province="浙江省", city="杭州市", region="华东",
        latitude=Decimal("30.421800"), longitude=Decimal("120.196500"),
        blocks=(
            RackBlock("V", aisles=3, racks=12, levels=5, pick_levels=5, capacity=300),
            RackBlock("A", aisles=12, racks=20, levels=5, pick_levels=2, capacity=600),
            RackBlock("C", aisles=4, racks=15, levels=4, pick_levels=2, capacity=400),
            RackBlock("B", aisles=6, racks=10, levels=3, pick_levels=1, capacity=120),
        ),
    ),
    WarehouseSpec(
        code="GZ01", name_zh="广州仓", name_en="Guangzhou warehouse",
        address="广东省广州市白云区太和镇物流园北路 16 号", province="广东省", city="广州市", region="华南",
        latitude=Decimal("23.329100"), longitude=Decimal("113.345600"),
        blocks=(
            RackBlock("V", aisles=2, racks=10, levels=5, pick_levels=5, capacity=300),
            RackBlock("A", aisles=8, racks=20, levels=5, pick_levels=2, capacity=600),
            RackBlock("C", aisles=3, racks=10, levels=4, pick_levels=2, capacity=400),
            RackBlock("B", aisles=5, racks=12, levels=3, pick_levels=1, capacity=120),
        ),
    ),
)
# fmt: on


def _bins(blocks: tuple[RackBlock, ...]) -> list[BinSpec]:
    bins: list[BinSpec] = []
    for block in blocks:
        specs = expand_pattern(
            [f"{block.zone}-{aisle:02d}" for aisle in range(1, block.aisles + 1)],
            rack_from=1,
            rack_to=block.racks,
            level_from=1,
            level_to=block.levels,
            first_sequence=len(bins) + 1,
        )
        for spec in specs:
            level = int(spec.code.rsplit("-", 1)[1])
            kind = LocationType.pick if level <= block.pick_levels else LocationType.storage
            bins.append(BinSpec(spec.code, block.zone, kind, spec.walking_sequence, block.capacity))
    for prefix, zone, kind, count in DOCK_BINS:
        first = len(bins)
        bins.extend(BinSpec(f"{prefix}-{n:02d}", zone, kind, first + n, None) for n in range(1, count + 1))
    return bins

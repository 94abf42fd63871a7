"""Put-away suggestions (上架建议): where received goods should go, best first, each with its reason.

The order is the one a warehouse lead would give: the SKU's fixed pick face if it has room (pickers
look there first); then bins already holding the SKU — the same lot first — so one SKU is not
spread over the building; then empty storage bins in the SKU's zone (a cold-room SKU stays in the
cold room), nearest on the walking path first. A bin "has room" when it has no capacity set, or
its capacity less everything in it (all SKUs) is at least the quantity. Frozen and inactive bins,
and bins that are another SKU's pick face, are never suggested.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.identity import AuthUser
from server.catalog.models import Lot, Sku
from server.inbound.models import BinAssignmentKind, SkuBinAssignment
from server.inbound.schemas import PutawayNoteOut, PutawaySuggestionOut, PutawaySuggestionsOut, SuggestionRule
from server.lib.errors import NotFound
from server.warehouse.ledger.models import StockLevel
from server.warehouse.models import Location, LocationType, Zone
from server.warehouse.services.warehouses import get_warehouse

HOLDING_TYPES = (LocationType.storage, LocationType.pick)
"""Where stock is kept: receiving, quarantine, staging and the like are on the way, not a home."""


async def _fill(session: AsyncSession, location_ids: Iterable[int]) -> dict[int, int]:
    """Units of every SKU in each bin (the capacity counts them all)."""
    ids = sorted(set(location_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(StockLevel.location_id, func.sum(StockLevel.on_hand))
        .where(StockLevel.location_id.in_(ids))
        .group_by(StockLevel.location_id)
    )
    return {loc: int(total or 0) for loc, total in rows}


def _room(location: Location, fill: dict[int, int]) -> int | None:
    if location.capacity_units is None:
        return None
    return location.capacity_units - fill.get(location.id, 0)


def _room_text(room: int | None) -> tuple[str, str]:
    return ("no capacity limit", "未设容量上限") if room is None else (f"room for {room}", f"剩余容量 {room}")


class _Builder:
    """Collects suggestions in rank order, never the same bin twice, at most ``limit``."""

    def __init__(self, qty: int, limit: int) -> None:
        self.qty = qty
        self.limit = limit
        self.items: list[PutawaySuggestionOut] = []
        self.seen: set[int] = set()

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def add(
        self, location: Location, rule: SuggestionRule, sku_on_hand: int, room: int | None, why: tuple[str, str]
    ) -> None:
        if self.full or location.id in self.seen:
            return
        self.seen.add(location.id)
        room_en, room_zh = _room_text(room)
        self.items.append(
            PutawaySuggestionOut(
                rank=len(self.items) + 1,
                rule=rule,
                location_id=location.id,
                location_code=location.code,
                location_type=location.type,
                zone_id=location.zone_id,
                walking_sequence=location.walking_sequence,
                sku_on_hand=sku_on_hand,
                room=room,
                reason=f"{why[0]}; {room_en}",
                reason_zh=f"{why[1]}；{room_zh}",
            )
        )


async def suggest(
    session: AsyncSession,
    user: AuthUser,
    *,
    warehouse_id: int,
    sku_id: int,
    qty: int,
    lot_id: int | None = None,
    zone_id: int | None = None,
    limit: int = 10,
) -> PutawaySuggestionsOut:
    await get_warehouse(session, user, warehouse_id)
    sku = await session.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"SKU {sku_id} not found", message_zh="SKU 不存在", field="sku_id", code="sku_not_found")
    lot = await session.get(Lot, lot_id) if lot_id is not None else None
    if lot_id is not None and (lot is None or lot.sku_id != sku_id):
        raise NotFound(
            f"lot {lot_id} is not a lot of SKU {sku_id}",
            message_zh="批次与 SKU 不匹配",
            field="lot_id",
            code="lot_not_found",
        )
    face_rows = await session.execute(
        select(SkuBinAssignment.location_id, SkuBinAssignment.sku_id).where(
            SkuBinAssignment.warehouse_id == warehouse_id, SkuBinAssignment.kind == BinAssignmentKind.pick_face
        )
    )
    faces = {location_id: owner for location_id, owner in face_rows}
    own_face_id = next((loc for loc, owner in faces.items() if owner == sku_id), None)
    held = await _holding(session, warehouse_id, sku_id)
    on_hand = {loc: sum(by_lot.values()) for loc, by_lot in held.items()}
    locations = {
        loc.id: loc
        for loc in await session.scalars(
            select(Location).where(Location.id.in_(sorted({*held, *([own_face_id] if own_face_id else [])})))
        )
    }
    fill = await _fill(session, locations)
    out = _Builder(qty, limit)
    notes: list[PutawayNoteOut] = []

    face = locations.get(own_face_id) if own_face_id is not None else None
    if face is not None:
        room = _room(face, fill)
        if not face.active or face.frozen:
            state = ("inactive", "已停用") if not face.active else ("frozen", "已冻结")
            notes.append(_note(face, f"pick face {face.code} is {state[0]}", f"固定拣货位 {face.code} {state[1]}"))
        elif room is not None and room < qty:
            notes.append(
                _note(
                    face,
                    f"pick face {face.code} has room for {room}, fewer than {qty}",
                    f"固定拣货位 {face.code} 剩余容量 {room}，不足 {qty}",
                )
            )
        else:
            why = (f"fixed pick face of SKU {sku.code}", f"商品 {sku.code} 的固定拣货位")
            out.add(face, "pick_face", on_hand.get(face.id, 0), room, why)

    candidates = sorted(
        (
            loc
            for loc in locations.values()
            if loc.id in held
            and loc.type in HOLDING_TYPES
            and loc.active
            and not loc.frozen
            and faces.get(loc.id, sku_id) == sku_id
        ),
        key=lambda loc: (0 if lot_id is not None and held[loc.id].get(lot_id) else 1, loc.walking_sequence, loc.id),
    )
    for loc in candidates:
        room = _room(loc, fill)
        if room is not None and room < qty:
            continue
        if lot is not None and held[loc.id].get(lot.id):
            n = held[loc.id][lot.id]
            why = (
                f"already holds {n} of lot {lot.lot_number}: keeps the lot together",
                f"已存放同批次 {lot.lot_number} 共 {n} 件，同批次集中存放",
            )
            out.add(loc, "same_lot", on_hand[loc.id], room, why)
        else:
            why = (
                f"already holds {on_hand[loc.id]} of SKU {sku.code}: keeps the SKU in one place",
                f"已存放该商品 {on_hand[loc.id]} 件，同品集中存放",
            )
            out.add(loc, "same_sku", on_hand[loc.id], room, why)

    if not out.full:
        zones = await _right_zones(session, zone_id, face, [locations[loc] for loc in held if loc in locations])
        await _empty_bins(session, out, warehouse_id, qty, zones)
    return PutawaySuggestionsOut(
        warehouse_id=warehouse_id, sku_id=sku_id, lot_id=lot_id, qty=qty, suggestions=out.items, notes=notes
    )


async def _holding(session: AsyncSession, warehouse_id: int, sku_id: int) -> dict[int, dict[int, int]]:
    """{location: {lot_key: on_hand}} of the SKU in the warehouse's bins, positive levels only
    (``lot_key`` is the lot id, 0 for stock without a lot)."""
    rows = await session.execute(
        select(StockLevel.location_id, StockLevel.lot_key, StockLevel.on_hand)
        .join(Location, Location.id == StockLevel.location_id)
        .where(StockLevel.sku_id == sku_id, StockLevel.on_hand > 0, Location.warehouse_id == warehouse_id)
    )
    held: dict[int, dict[int, int]] = {}
    for loc, lot_key, qty in rows:
        held.setdefault(loc, {})[lot_key] = qty
    return held


async def _right_zones(
    session: AsyncSession, zone_id: int | None, face: Location | None, holding: list[Location]
) -> dict[int, str] | None:
    """The zones empty bins may come from, with their codes: the one asked for, else where the SKU
    already lives (its pick face, the bins holding it); ``None`` (any zone) for a SKU new here."""
    if zone_id is not None:
        ids = {zone_id}
    else:
        homes = ([face] if face else []) + [h for h in holding if h.type in HOLDING_TYPES]
        ids = {loc.zone_id for loc in homes if loc.zone_id is not None}
    if not ids:
        return None
    rows = await session.execute(select(Zone.id, Zone.code).where(Zone.id.in_(sorted(ids))))
    return {zone: code for zone, code in rows}


async def _empty_bins(
    session: AsyncSession, out: _Builder, warehouse_id: int, qty: int, zones: dict[int, str] | None
) -> None:
    occupied = select(StockLevel.id).where(StockLevel.location_id == Location.id, StockLevel.on_hand != 0).exists()
    assigned = select(SkuBinAssignment.id).where(SkuBinAssignment.location_id == Location.id).exists()
    statement = (
        select(Location)
        .where(
            Location.warehouse_id == warehouse_id,
            Location.type == LocationType.storage,
            Location.active.is_(True),
            Location.frozen.is_(False),
            ~occupied,
            ~assigned,
            Location.capacity_units.is_(None) | (Location.capacity_units >= qty),
        )
        .order_by(Location.walking_sequence, Location.id)
        .limit(out.limit - len(out.items))
    )
    if zones is not None:
        statement = statement.where(Location.zone_id.in_(sorted(zones)))
    for loc in await session.scalars(statement):
        if zones is None:
            where = ("any zone (the SKU has no home in this warehouse yet)", "该商品在本仓尚无存放区，任意区")
        else:
            code = zones.get(loc.zone_id or 0, "?")
            where = (f"zone {code}, where this SKU is kept", f"{code} 区（该商品的存放区）")
        why = (
            f"empty storage bin in {where[0]}, walking sequence {loc.walking_sequence}",
            f"空储位，位于{where[1]}，行走顺序 {loc.walking_sequence}",
        )
        out.add(loc, "empty_bin", 0, loc.capacity_units, why)


def _note(location: Location, message: str, message_zh: str) -> PutawayNoteOut:
    return PutawayNoteOut(location_id=location.id, message=message, message_zh=message_zh)

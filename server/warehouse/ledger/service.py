"""Posting moves: the single choke point through which stock changes.

One call posts a batch of moves atomically inside the caller's transaction:

1. validate every request and load the SKUs, lots and locations it names;
2. make sure a level row exists for every (location, SKU, lot) touched, then lock them all with
   ``SELECT … FOR UPDATE`` in one fixed order (location, SKU, lot) — the same order in every
   transaction, so two batches can wait for each other but never deadlock;
3. only now, under the locks, look up idempotency keys: a key already posted with the same content
   is answered with the original move (``replayed=True``), with other content it is refused;
4. apply the deltas in memory, collect *every* shortfall and refuse once (the Saleor habit);
5. insert the moves and update the levels with deltas, in the same transaction.

On SQLite there are no row locks; the engine opens every transaction with ``BEGIN IMMEDIATE``,
which serialises writers and gives the same guarantee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import msgspec
from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.db.types import utcnow
from server.warehouse.ledger.errors import IdempotencyKeyReused, InsufficientStock, InvalidMove, LocationFrozen
from server.warehouse.ledger.models import NO_LOT, MoveReason, StockLevel, StockMove
from server.warehouse.models import UNBOUNDED_TYPES, Location, LocationType

LevelKey = tuple[int, int, int]
"""(location_id, sku_id, lot_key): the identity of a stock level and the lock order."""


class NegativePolicy(StrEnum):
    """What to do when a move would take a location below zero.

    The API refuses (a person can fix the request); the sync engine replays physical facts and
    allows it, opening a count task instead (the goods *were* taken).
    """

    refuse = "refuse"
    allow = "allow"


class MoveRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A move someone wants recorded; ``idempotency_key`` makes retrying it safe."""

    sku_id: int
    from_location_id: int
    to_location_id: int
    qty: int
    reason: MoveReason
    idempotency_key: str
    lot_id: int | None = None
    reference: str = ""
    actor_user_id: int | None = None
    device_id: str | None = None
    occurred_at: datetime | None = None


class PostedMove(msgspec.Struct, frozen=True, kw_only=True):
    """The ledger's answer for one request; ``replayed`` when the key had been posted before."""

    move_id: int
    sku_id: int
    lot_id: int | None
    from_location_id: int
    to_location_id: int
    qty: int
    reason: MoveReason
    reference: str
    idempotency_key: str
    occurred_at: datetime
    recorded_at: datetime
    replayed: bool


@dataclass(slots=True)
class _Level:
    id: int
    on_hand: int
    delta: int = 0


@dataclass(frozen=True, slots=True)
class _LocationInfo:
    id: int
    type: LocationType
    frozen: bool
    active: bool

    @property
    def tracks_level(self) -> bool:
        return self.type not in UNBOUNDED_TYPES


async def post_move(
    session: AsyncSession,
    request: MoveRequest,
    *,
    negative: NegativePolicy = NegativePolicy.refuse,
    allow_frozen: bool = False,
) -> PostedMove:
    """Post one move; see ``post_moves``."""
    (posted,) = await post_moves(session, [request], negative=negative, allow_frozen=allow_frozen)
    return posted


async def post_moves(
    session: AsyncSession,
    requests: Sequence[MoveRequest],
    *,
    negative: NegativePolicy = NegativePolicy.refuse,
    allow_frozen: bool = False,
) -> list[PostedMove]:
    """Post ``requests`` atomically in the caller's transaction and answer each, in order.

    Raises ``InvalidMove``, ``LocationFrozen``, ``IdempotencyKeyReused`` or ``InsufficientStock``;
    on any of them nothing of the batch is written (the caller's transaction must roll back).
    """
    if not requests:
        return []
    _check_shapes(requests)
    locations = await _load_locations(session, requests)
    await _check_references(session, requests, locations, allow_frozen=allow_frozen)

    levels = await _lock_levels(session, _level_keys(requests, locations))
    existing = await _existing_moves(session, {r.idempotency_key for r in requests})

    answers: list[PostedMove | None] = []
    fresh: list[tuple[int, MoveRequest]] = []
    first_by_key: dict[str, MoveRequest] = {}
    for index, request in enumerate(requests):
        earlier = existing.get(request.idempotency_key)
        if earlier is not None:
            _require_same_content(request, earlier)
            answers.append(_answer(earlier, replayed=True))
            continue
        twin = first_by_key.get(request.idempotency_key)
        if twin is not None:  # the same key twice in one batch: one move, answered twice
            _require_same_content(request, twin)
            answers.append(None)
            continue
        first_by_key[request.idempotency_key] = request
        fresh.append((index, request))
        answers.append(None)

    _apply_deltas([r for _, r in fresh], locations, levels, negative=negative)
    inserted = await _insert_moves(session, [r for _, r in fresh])
    await _write_levels(session, levels)

    by_key = {move.idempotency_key: move for move in inserted}
    return [
        answer if answer is not None else _answer(by_key[request.idempotency_key], replayed=False)
        for answer, request in zip(answers, requests, strict=True)
    ]


def _check_shapes(requests: Sequence[MoveRequest]) -> None:
    for index, r in enumerate(requests):
        where = f"moves[{index}]" if len(requests) > 1 else ""
        if r.qty <= 0:
            raise InvalidMove("qty must be a positive integer", message_zh="数量必须为正整数", field=_f(where, "qty"))
        if r.from_location_id == r.to_location_id:
            raise InvalidMove(
                "from and to location are the same",
                message_zh="来源与目标库位相同",
                field=_f(where, "to_location_id"),
            )
        if not r.idempotency_key or len(r.idempotency_key) > 128:
            raise InvalidMove(
                "idempotency_key must be 1–128 characters",
                message_zh="幂等键必须为 1–128 个字符",
                field=_f(where, "idempotency_key"),
            )
        if r.occurred_at is not None and r.occurred_at.tzinfo is None:
            raise InvalidMove(
                "occurred_at needs a time zone", message_zh="发生时间需带时区", field=_f(where, "occurred_at")
            )


def _f(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


async def _load_locations(session: AsyncSession, requests: Sequence[MoveRequest]) -> dict[int, _LocationInfo]:
    ids = {r.from_location_id for r in requests} | {r.to_location_id for r in requests}
    rows = await session.execute(
        select(Location.id, Location.type, Location.frozen, Location.active).where(Location.id.in_(ids))
    )
    return {row.id: _LocationInfo(row.id, row.type, row.frozen, row.active) for row in rows}


async def _check_references(
    session: AsyncSession,
    requests: Sequence[MoveRequest],
    locations: dict[int, _LocationInfo],
    *,
    allow_frozen: bool,
) -> None:
    sku_ids = {r.sku_id for r in requests}
    skus = {row.id: row for row in await session.execute(
        select(Sku.id, Sku.lot_controlled, Sku.is_kit, Sku.active).where(Sku.id.in_(sku_ids))
    )}
    lot_ids = {r.lot_id for r in requests if r.lot_id is not None}
    lots = (
        {row.id: row.sku_id for row in await session.execute(select(Lot.id, Lot.sku_id).where(Lot.id.in_(lot_ids)))}
        if lot_ids
        else {}
    )
    for index, r in enumerate(requests):
        where = f"moves[{index}]" if len(requests) > 1 else ""
        for name, location_id in (("from_location_id", r.from_location_id), ("to_location_id", r.to_location_id)):
            location = locations.get(location_id)
            if location is None:
                raise InvalidMove(f"location {location_id} does not exist", message_zh="库位不存在",
                                  field=_f(where, name))
            if not location.active:
                raise InvalidMove(f"location {location_id} is inactive", message_zh="库位已停用",
                                  field=_f(where, name))
            if location.frozen and not allow_frozen:
                raise LocationFrozen(f"location {location_id} is frozen", message_zh="库位已冻结",
                                     field=_f(where, name))
        sku = skus.get(r.sku_id)
        if sku is None:
            raise InvalidMove(f"SKU {r.sku_id} does not exist", message_zh="SKU 不存在", field=_f(where, "sku_id"))
        if sku.is_kit:
            raise InvalidMove("a kit has no stock of its own; move its components", message_zh="组合装无独立库存，请移动其子件",
                              field=_f(where, "sku_id"))
        if r.lot_id is None and sku.lot_controlled:
            raise InvalidMove(f"SKU {r.sku_id} is lot-controlled: give lot_id", message_zh="该 SKU 需批次管理，请指定批次",
                              field=_f(where, "lot_id"))
        if r.lot_id is not None and lots.get(r.lot_id) != r.sku_id:
            raise InvalidMove(f"lot {r.lot_id} is not a lot of SKU {r.sku_id}", message_zh="批次与 SKU 不匹配",
                              field=_f(where, "lot_id"))


def _level_keys(requests: Iterable[MoveRequest], locations: dict[int, _LocationInfo]) -> list[LevelKey]:
    keys: set[LevelKey] = set()
    for r in requests:
        lot_key = r.lot_id if r.lot_id is not None else NO_LOT
        for location_id in (r.from_location_id, r.to_location_id):
            if locations[location_id].tracks_level:
                keys.add((location_id, r.sku_id, lot_key))
    return sorted(keys)


async def _lock_levels(session: AsyncSession, keys: list[LevelKey]) -> dict[LevelKey, _Level]:
    """Create missing level rows, then lock all of them in key order."""
    if not keys:
        return {}
    values = [
        {"location_id": loc, "sku_id": sku, "lot_id": None if lot == NO_LOT else lot, "lot_key": lot,
         "on_hand": 0, "reserved": 0, "updated_at": utcnow()}
        for loc, sku, lot in keys
    ]
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        upsert(StockLevel).values(values).on_conflict_do_nothing(index_elements=["location_id", "sku_id", "lot_key"])
    )
    rows = await session.execute(
        select(StockLevel.id, StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key, StockLevel.on_hand)
        .where(tuple_(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key).in_(keys))
        .order_by(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_key)
        .with_for_update()
    )
    return {(row.location_id, row.sku_id, row.lot_key): _Level(row.id, row.on_hand) for row in rows}


async def _existing_moves(session: AsyncSession, keys: set[str]) -> dict[str, StockMove]:
    rows = await session.scalars(select(StockMove).where(StockMove.idempotency_key.in_(keys)))
    return {move.idempotency_key: move for move in rows}


def _require_same_content(request: MoveRequest, earlier: StockMove | MoveRequest) -> None:
    same = (
        request.sku_id == earlier.sku_id
        and request.lot_id == earlier.lot_id
        and request.from_location_id == earlier.from_location_id
        and request.to_location_id == earlier.to_location_id
        and request.qty == earlier.qty
        and request.reason == earlier.reason
    )
    if not same:
        raise IdempotencyKeyReused(
            f"idempotency key {request.idempotency_key!r} was already used for a different move",
            message_zh="该幂等键已用于另一笔移动",
            field="idempotency_key",
        )


def _apply_deltas(
    requests: Sequence[MoveRequest],
    locations: dict[int, _LocationInfo],
    levels: dict[LevelKey, _Level],
    *,
    negative: NegativePolicy,
) -> None:
    shortfalls: list[dict[str, int | None]] = []
    for r in requests:
        lot_key = r.lot_id if r.lot_id is not None else NO_LOT
        if locations[r.from_location_id].tracks_level:
            source = levels[(r.from_location_id, r.sku_id, lot_key)]
            available = source.on_hand + source.delta
            if available < r.qty and negative is NegativePolicy.refuse:
                shortfalls.append({"sku_id": r.sku_id, "lot_id": r.lot_id, "location_id": r.from_location_id,
                                   "on_hand": available, "requested": r.qty})
            source.delta -= r.qty
        if locations[r.to_location_id].tracks_level:
            levels[(r.to_location_id, r.sku_id, lot_key)].delta += r.qty
    if shortfalls:
        first = shortfalls[0]
        raise InsufficientStock(
            f"not enough stock: location {first['location_id']} has {first['on_hand']} of SKU {first['sku_id']}, "
            f"{first['requested']} requested",
            message_zh="库存不足",
            field="qty",
            detail={"shortfalls": shortfalls},
        )


async def _insert_moves(session: AsyncSession, requests: Sequence[MoveRequest]) -> list[StockMove]:
    if not requests:
        return []
    now = utcnow()
    rows = [
        {"sku_id": r.sku_id, "lot_id": r.lot_id, "from_location_id": r.from_location_id,
         "to_location_id": r.to_location_id, "qty": r.qty, "reason": r.reason, "reference": r.reference,
         "actor_user_id": r.actor_user_id, "device_id": r.device_id, "occurred_at": r.occurred_at or now,
         "recorded_at": now, "idempotency_key": r.idempotency_key}
        for r in requests
    ]
    table = StockMove.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = (await session.scalars(statement, rows)).all()
    return [StockMove(id=move_id, **row) for move_id, row in zip(ids, rows, strict=True)]


async def _write_levels(session: AsyncSession, levels: dict[LevelKey, _Level]) -> None:
    changed = [level for level in levels.values() if level.delta != 0]
    if not changed:
        return
    now = utcnow()
    table = StockLevel.__table__
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("level_id"))
        .values(on_hand=table.c.on_hand + bindparam("delta"), updated_at=bindparam("now")),
        [{"level_id": level.id, "delta": level.delta, "now": now} for level in changed],
    )
    for level in changed:
        level.on_hand += level.delta
        level.delta = 0


def _answer(move: StockMove, *, replayed: bool) -> PostedMove:
    return PostedMove(
        move_id=move.id,
        sku_id=move.sku_id,
        lot_id=move.lot_id,
        from_location_id=move.from_location_id,
        to_location_id=move.to_location_id,
        qty=move.qty,
        reason=MoveReason(move.reason),
        reference=move.reference,
        idempotency_key=move.idempotency_key,
        occurred_at=move.occurred_at,
        recorded_at=move.recorded_at,
        replayed=replayed,
    )

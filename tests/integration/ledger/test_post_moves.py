"""The ledger service on both backends: posting, idempotency, refusals, atomicity, verify."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.transaction import run_in_transaction
from server.warehouse.ledger.errors import IdempotencyKeyReused, InsufficientStock, InvalidMove, LocationFrozen
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.reservations import release, reserve
from server.warehouse.ledger.service import MoveRequest, NegativePolicy, post_moves
from server.warehouse.ledger.stock_states import stock_states
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import LocationType
from tests.factories import make_bin, make_lot, make_sku, make_warehouse

Factory = async_sessionmaker[AsyncSession]


def move(sku: int, src: int, dst: int, qty: int, key: str, **extra: object) -> MoveRequest:
    return MoveRequest(
        sku_id=sku,
        from_location_id=src,
        to_location_id=dst,
        qty=qty,
        reason=extra.pop("reason", MoveReason.receipt),
        idempotency_key=key,
        **extra,
    )  # type: ignore[arg-type]


async def post(factory: Factory, *requests: MoveRequest, negative: NegativePolicy = NegativePolicy.refuse) -> list:
    return await run_in_transaction(factory, lambda s: post_moves(s, list(requests), negative=negative))


async def on_hand(factory: Factory, location_id: int, sku_id: int) -> int:
    async with factory() as s:
        value = await s.scalar(
            select(func.sum(StockLevel.on_hand)).where(
                StockLevel.location_id == location_id, StockLevel.sku_id == sku_id
            )
        )
    return int(value or 0)


async def move_count(factory: Factory) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.count()).select_from(StockMove)) or 0)


@pytest.fixture
async def world(session_factory: Factory) -> dict[str, int]:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        a = await make_bin(s, wh, code="A-01-01")
        b = await make_bin(s, wh, code="A-01-02")
        q = await make_bin(s, wh, code="Q-01", type=LocationType.quarantine)
        sku = await make_sku(s)
        lot_sku = await make_sku(s, lot_controlled=True)
        lot = await make_lot(s, lot_sku, "20260301A")
        return {
            "wh": wh.warehouse.id,
            "sup": wh.supplier.id,
            "cust": wh.customer.id,
            "transit": wh.transit.id,
            "a": a.id,
            "b": b.id,
            "q": q.id,
            "sku": sku.id,
            "lot_sku": lot_sku.id,
            "lot": lot.id,
        }


async def test_receipt_then_transfer_keeps_levels_equal_to_moves(
    session_factory: Factory, world: dict[str, int]
) -> None:
    await post(session_factory, move(world["sku"], world["sup"], world["a"], 10, "r1"))
    await post(session_factory, move(world["sku"], world["a"], world["b"], 4, "t1", reason=MoveReason.transfer))
    assert await on_hand(session_factory, world["a"], world["sku"]) == 6
    assert await on_hand(session_factory, world["b"], world["sku"]) == 4
    async with session_factory() as s:
        report = await verify_ledger(s)
    assert report.ok and report.moves_counted == 2


async def test_move_replayed_with_same_key_is_answered_with_original(
    session_factory: Factory, world: dict[str, int]
) -> None:
    first = await post(session_factory, move(world["sku"], world["sup"], world["a"], 5, "same-key"))
    again = await post(session_factory, move(world["sku"], world["sup"], world["a"], 5, "same-key"))
    assert again[0].replayed and not first[0].replayed
    assert again[0].move_id == first[0].move_id
    assert await move_count(session_factory) == 1
    assert await on_hand(session_factory, world["a"], world["sku"]) == 5


async def test_same_key_with_other_content_is_refused(session_factory: Factory, world: dict[str, int]) -> None:
    await post(session_factory, move(world["sku"], world["sup"], world["a"], 5, "k"))
    with pytest.raises(IdempotencyKeyReused):
        await post(session_factory, move(world["sku"], world["sup"], world["a"], 6, "k"))
    assert await on_hand(session_factory, world["a"], world["sku"]) == 5


async def test_same_key_twice_in_one_batch_posts_once(session_factory: Factory, world: dict[str, int]) -> None:
    m = move(world["sku"], world["sup"], world["a"], 3, "dup")
    answers = await post(session_factory, m, m)
    assert answers[0].move_id == answers[1].move_id
    assert await move_count(session_factory) == 1


async def test_overdraw_is_refused_listing_every_shortfall_and_writes_nothing(
    session_factory: Factory, world: dict[str, int]
) -> None:
    await post(session_factory, move(world["sku"], world["sup"], world["a"], 2, "r"))
    with pytest.raises(InsufficientStock) as refused:
        await post(
            session_factory,
            move(world["sku"], world["sup"], world["b"], 1, "ok-part"),  # valid on its own
            move(world["sku"], world["a"], world["cust"], 3, "short-1", reason=MoveReason.shipment),
            move(world["sku"], world["b"], world["cust"], 5, "short-2", reason=MoveReason.shipment),
        )
    shortfalls = refused.value.detail["shortfalls"]  # type: ignore[index]
    # "requested" is the batch's net outflow from the level: b received 1 and shipped 5 in the batch
    assert {(s["location_id"], s["requested"]) for s in shortfalls} == {(world["a"], 3), (world["b"], 4)}
    assert await move_count(session_factory) == 1  # the valid part of the batch was not written
    assert await on_hand(session_factory, world["b"], world["sku"]) == 0


async def test_negative_allowed_for_replayed_facts(session_factory: Factory, world: dict[str, int]) -> None:
    await post(
        session_factory,
        move(world["sku"], world["a"], world["cust"], 2, "pick-offline", reason=MoveReason.pick),
        negative=NegativePolicy.allow,
    )
    assert await on_hand(session_factory, world["a"], world["sku"]) == -2
    async with session_factory() as s:
        assert (await verify_ledger(s)).ok


async def test_lot_controlled_sku_needs_its_own_lot(session_factory: Factory, world: dict[str, int]) -> None:
    with pytest.raises(InvalidMove) as no_lot:
        await post(session_factory, move(world["lot_sku"], world["sup"], world["a"], 1, "x"))
    assert no_lot.value.field == "lot_id"
    with pytest.raises(InvalidMove):
        await post(session_factory, move(world["sku"], world["sup"], world["a"], 1, "y", lot_id=world["lot"]))
    await post(session_factory, move(world["lot_sku"], world["sup"], world["a"], 4, "z", lot_id=world["lot"]))
    async with session_factory() as s:
        level = await s.scalar(select(StockLevel).where(StockLevel.sku_id == world["lot_sku"]))
    assert level is not None and level.lot_id == world["lot"] and level.on_hand == 4


async def test_frozen_bin_refuses_moves(session_factory: Factory, world: dict[str, int]) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        frozen = await make_bin(s, wh, frozen=True)
    with pytest.raises(LocationFrozen):
        await post(session_factory, move(world["sku"], wh.supplier.id, frozen.id, 1, "f"))


@pytest.mark.parametrize(("qty", "same"), [(0, False), (-3, False), (1, True)])
async def test_malformed_moves_are_refused(
    session_factory: Factory, world: dict[str, int], qty: int, same: bool
) -> None:
    with pytest.raises(InvalidMove):
        await post(session_factory, move(world["sku"], world["a"] if same else world["sup"], world["a"], qty, "bad"))
    assert await move_count(session_factory) == 0


async def test_unknown_references_are_refused(session_factory: Factory, world: dict[str, int]) -> None:
    with pytest.raises(InvalidMove) as unknown_sku:
        await post(session_factory, move(999_999, world["sup"], world["a"], 1, "u1"))
    assert unknown_sku.value.field == "sku_id"
    with pytest.raises(InvalidMove) as unknown_location:
        await post(session_factory, move(world["sku"], world["sup"], 999_999, 1, "u2"))
    assert unknown_location.value.field == "to_location_id"


async def test_occurred_at_is_kept_and_recorded_at_is_server_time(
    session_factory: Factory, world: dict[str, int]
) -> None:
    when = datetime(2026, 11, 11, 0, 5, tzinfo=UTC)
    (answer,) = await post(session_factory, move(world["sku"], world["sup"], world["a"], 1, "t", occurred_at=when))
    assert answer.occurred_at == when
    assert answer.recorded_at > when


async def test_stock_states_split_quarantine_transit_and_reserved(
    session_factory: Factory, world: dict[str, int]
) -> None:
    sku = world["sku"]
    await post(
        session_factory,
        move(sku, world["sup"], world["a"], 10, "s1"),
        move(sku, world["sup"], world["q"], 3, "s2"),
        move(sku, world["sup"], world["transit"], 7, "s3"),
    )
    async with session_factory() as s, s.begin():
        await reserve(s, location_id=world["a"], sku_id=sku, lot_id=None, qty=4)
    async with session_factory() as s:
        (state,) = await stock_states(s, sku_id=sku)
    assert (state.on_hand, state.pending_inspection, state.reserved, state.in_transit, state.available) == (
        13,
        3,
        4,
        7,
        6,
    )


async def test_reserve_beyond_unreserved_is_refused_and_release_restores(
    session_factory: Factory, world: dict[str, int]
) -> None:
    await post(session_factory, move(world["sku"], world["sup"], world["a"], 5, "r"))
    async with session_factory() as s, s.begin():
        assert await reserve(s, location_id=world["a"], sku_id=world["sku"], lot_id=None, qty=5) == 5
    with pytest.raises(InsufficientStock):
        async with session_factory() as s, s.begin():
            await reserve(s, location_id=world["a"], sku_id=world["sku"], lot_id=None, qty=1)
    async with session_factory() as s, s.begin():
        assert await release(s, location_id=world["a"], sku_id=world["sku"], lot_id=None, qty=2) == 3

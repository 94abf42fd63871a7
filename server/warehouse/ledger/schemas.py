"""Wire shapes of the stock endpoints: posting moves, levels, states, reservations, verify, valuation.

``POST /api/stock/moves`` takes either one move or ``{"moves": [...]}``; msgspec cannot tell two
untagged objects apart, so the body arrives as a JSON object and ``decode_moves`` picks the shape
(with the same error messages, naming the field, as every other body).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar.exceptions import ValidationException

from server.lib.pagination import Page
from server.lib.schema import Input, Schema
from server.warehouse.ledger.models import MoveReason

DbId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Qty = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
"""Positive, and far below the 32-bit level columns' limit so that no sum overflows in practice."""
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
MAX_BATCH = 500


class MoveInput(Input):
    """One move. ``idempotency_key`` may come from the ``Idempotency-Key`` header instead."""

    sku_id: DbId
    from_location_id: DbId
    to_location_id: DbId
    qty: Qty
    reason: MoveReason
    lot_id: DbId | None = None
    reference: Annotated[str, msgspec.Meta(max_length=128)] = ""
    occurred_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    idempotency_key: IdempotencyKey | None = None


class MoveBatchInput(Input):
    """Several moves posted atomically: all of them or none."""

    moves: Annotated[list[MoveInput], msgspec.Meta(min_length=1, max_length=MAX_BATCH)]


def decode_moves(body: dict[str, Any]) -> tuple[list[MoveInput], bool]:
    """The moves of a request body and whether it was the batch form; 400 naming the field otherwise."""
    try:
        if "moves" in body:
            return msgspec.convert(body, type=MoveBatchInput).moves, True
        return [msgspec.convert(body, type=MoveInput)], False
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc)) from exc


class PostedMoveOut(Schema):
    """The ledger's answer for one move; ``replayed`` when its key had been posted before."""

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
    from_on_hand: int | None = None
    """The source bin's on-hand after this request (absent when replayed or from a virtual location)."""


class StockMoveOut(Schema):
    id: int
    sku_id: int
    lot_id: int | None
    from_location_id: int
    to_location_id: int
    qty: int
    reason: MoveReason
    reference: str
    actor_user_id: int | None
    device_id: str | None
    occurred_at: datetime
    recorded_at: datetime
    idempotency_key: str


class StockLevelOut(Schema):
    """``available`` is 0 where stock cannot be sold (quarantine, returns, frozen bins, transit)."""

    location_id: int
    location_code: str
    warehouse_id: int
    sku_id: int
    sku_code: str
    lot_id: int | None
    on_hand: int
    reserved: int
    available: int


class StockStateOut(Schema):
    sku_id: int
    warehouse_id: int
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    pending_inspection: int
    frozen: int


class ReservationInput(Input):
    location_id: DbId
    sku_id: DbId
    qty: Qty
    lot_id: DbId | None = None


class ReservationOut(Schema):
    location_id: int
    sku_id: int
    lot_id: int | None
    on_hand: int
    reserved: int
    available: int


class LevelDifferenceOut(Schema):
    location_id: int
    sku_id: int
    lot_key: int
    recorded_on_hand: int
    expected_on_hand: int


class VerifyReportOut(Schema):
    ok: bool
    levels_checked: int
    moves_counted: int
    differences: list[LevelDifferenceOut]


class ValuationLineOut(Schema):
    warehouse_id: int
    sku_id: int
    sku_code: str
    units: int
    unit_cost_minor: int
    value_minor: int
    currency: str


class WarehouseValuationOut(Schema):
    warehouse_id: int
    warehouse_code: str
    currency: str
    units: int
    value_minor: int


class CurrencyTotalOut(Schema):
    currency: str
    units: int
    value_minor: int


class StockValuationOut(Schema):
    """Units on hand in bins × each SKU's standard cost, in minor units (分) per currency."""

    warehouses: list[WarehouseValuationOut]
    totals: list[CurrencyTotalOut]
    lines: Page[ValuationLineOut]

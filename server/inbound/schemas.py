"""Wire shapes of purchasing and receiving (snake_case, ADR-0002). Money is integer 分 (``_fen``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.inbound.models import BinAssignmentKind, PurchaseOrderStatus, QcResult
from server.lib.schema import Input, Schema
from server.warehouse.models import LocationType

DbId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
PoCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Contact = Annotated[str, msgspec.Meta(max_length=100)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Qty = Annotated[int, msgspec.Meta(gt=0, le=10_000_000)]
"""The phone op's bound, so a desk receipt and a scan accept the same quantities."""
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
TolerancePct = Annotated[int, msgspec.Meta(ge=0, le=1000)]
LotNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^(?!@)")]
"""``@`` starts only placeholder lots (``server/catalog/services/lot_lookup.py``)."""
IdempotencyKey = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
"""Shorter than the ledger's 128: the moves' keys add a prefix and a line suffix to it."""
Note = Annotated[str, msgspec.Meta(max_length=500)]


# --- suppliers -----------------------------------------------------------------------------------


class SupplierCreate(Input):
    code: Code
    name: Name
    contact: Contact = ""
    phone: Phone = ""
    active: bool = True


class SupplierUpdate(Input):
    """Every field optional; the code is fixed (purchase orders and exports name it)."""

    name: Name | None = None
    contact: Contact | None = None
    phone: Phone | None = None
    active: bool | None = None


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    contact: str
    phone: str
    active: bool
    created_at: datetime
    updated_at: datetime


# --- purchase orders -----------------------------------------------------------------------------


class PurchaseOrderLineIn(Input):
    sku_id: DbId
    qty: Qty
    unit_cost_fen: Fen = 0


class PurchaseOrderCreate(Input):
    code: PoCode
    warehouse_id: DbId
    lines: Annotated[list[PurchaseOrderLineIn], msgspec.Meta(min_length=1, max_length=500)]
    supplier_id: DbId | None = None
    supplier_name: Annotated[str, msgspec.Meta(max_length=128)] = ""
    """Defaults to the supplier's name; free text for a one-off supplier without a record."""
    over_receipt_tolerance_pct: TolerancePct = 0
    currency: Currency = "CNY"
    expected_on: date | None = None


class PurchaseOrderOut(Schema):
    id: int
    code: str
    warehouse_id: int
    supplier_id: int | None
    supplier_name: str
    status: PurchaseOrderStatus
    over_receipt_tolerance_pct: int
    currency: str
    expected_on: date | None
    created_by_user_id: int | None
    created_at: datetime
    updated_at: datetime


class PurchaseOrderLineOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    qty_ordered: int
    qty_received: int
    qty_outstanding: int
    """Still expected: ordered less received, never below zero."""
    qty_allowed: int
    """The most that may be received before the excess goes to quarantine (ordered plus tolerance)."""
    unit_cost_fen: int
    line_total_fen: int


class PurchaseOrderDetailOut(PurchaseOrderOut, kw_only=True):
    lines: list[PurchaseOrderLineOut]
    total_fen: int
    qty_ordered: int
    qty_received: int


# --- receipts ------------------------------------------------------------------------------------


class ReceiptLineIn(Input):
    sku_id: DbId
    qty: Qty
    lot_number: LotNumber | None = None
    manufactured_on: date | None = None
    expires_on: date | None = None
    to_location_id: DbId | None = None
    """A receiving or quarantine bin of the order's warehouse; default its receiving bin (its
    quarantine bin when ``qc_required``)."""
    qc_required: bool = False


class ReceiptCreate(Input):
    lines: Annotated[list[ReceiptLineIn], msgspec.Meta(min_length=1, max_length=200)]
    idempotency_key: IdempotencyKey | None = None
    """Or the ``Idempotency-Key`` header; one of them is required."""
    note: Note = ""


class RaisedOut(Schema):
    """An exception opened for a supervisor (over-receipt held in quarantine pending approval)."""

    exception_id: int
    kind: str
    message: str
    message_zh: str


class ReceiptLineOut(Schema):
    line_no: int
    sku_id: int
    lot_id: int | None
    qty: int
    qty_accepted: int
    """Booked into ``to_location_id``: the whole line less the excess."""
    qty_over: int
    to_location_id: int
    over_location_id: int | None
    qc_required: bool
    exception_id: int | None


class ReceiptOut(Schema):
    id: int
    purchase_order_id: int
    purchase_order_code: str
    purchase_order_status: PurchaseOrderStatus
    idempotency_key: str
    replayed: bool
    """True when this answers a retry: nothing was posted again."""
    note: str
    received_by_user_id: int | None
    created_at: datetime
    lines: list[ReceiptLineOut]
    exceptions: list[RaisedOut]


# --- QC ------------------------------------------------------------------------------------------


class QcReleaseIn(Input):
    location_id: DbId
    """The quarantine bin the inspected goods are in."""
    sku_id: DbId
    qty: Qty
    result: QcResult
    lot_id: DbId | None = None
    to_location_id: DbId | None = None
    """Passed: a storage, pick or receiving bin (default the receiving bin). Failed: a returns bin
    or the warehouse's @LOSS location (default @LOSS, i.e. scrapped)."""
    reference: Annotated[str, msgspec.Meta(max_length=128)] = ""
    note: Note = ""
    idempotency_key: IdempotencyKey | None = None


class QcInspectionOut(Schema):
    id: int
    warehouse_id: int
    sku_id: int
    lot_id: int | None
    qty: int
    result: QcResult
    from_location_id: int
    to_location_id: int
    move_id: int | None
    reference: str
    note: str
    inspected_by_user_id: int | None
    idempotency_key: str
    replayed: bool
    created_at: datetime


# --- put-away ------------------------------------------------------------------------------------

SuggestionRule = Literal["pick_face", "same_lot", "same_sku", "empty_bin"]


class PutawaySuggestionOut(Schema):
    rank: int
    rule: SuggestionRule
    location_id: int
    location_code: str
    location_type: LocationType
    zone_id: int | None
    walking_sequence: int
    sku_on_hand: int
    """Of this SKU, every lot, already in the bin."""
    room: int | None
    """Units the bin can still take (capacity less everything in it); ``None``: no capacity set."""
    reason: str
    reason_zh: str


class PutawayNoteOut(Schema):
    """Why an obvious candidate is missing (a full or frozen pick face)."""

    location_id: int
    message: str
    message_zh: str


class PutawaySuggestionsOut(Schema):
    warehouse_id: int
    sku_id: int
    lot_id: int | None
    qty: int
    suggestions: list[PutawaySuggestionOut]
    notes: list[PutawayNoteOut]


class SkuBinAssignmentIn(Input):
    sku_id: DbId
    location_id: DbId
    kind: BinAssignmentKind = BinAssignmentKind.pick_face


class SkuBinAssignmentOut(Schema):
    id: int
    sku_id: int
    warehouse_id: int
    location_id: int
    kind: BinAssignmentKind
    created_at: datetime

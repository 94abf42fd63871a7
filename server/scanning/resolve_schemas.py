"""Wire shapes of scan resolution: what a scanned string turned out to be.

``Resolution.kind`` says what to do next; for a single hit ``match`` carries it (a tagged union on
``kind``, the same word), for ``ambiguous`` ``candidates`` lists every hit, for ``unknown``
``reason``, the format hint and ``suggestions`` say why and what might have been meant.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from server.catalog.models import BarcodeKind
from server.fulfilment.shipping.models import ShipmentStatus
from server.inbound.models import PurchaseOrderStatus
from server.lib.schema import Input, Schema
from server.orders.models import OrderStatus
from server.scanning.gs1 import Gs1Data
from server.scanning.resolve_text import MAX_SCAN_LENGTH
from server.warehouse.models import LocationType

MatchKind = Literal["sku", "bin", "lot", "tote", "order", "waybill", "purchase_order"]
ResolutionKind = Literal["sku", "bin", "lot", "tote", "order", "waybill", "purchase_order", "unknown", "ambiguous"]
UnknownReason = Literal["not_found", "check_digit_wrong", "malformed_gs1", "other_warehouse", "sscc"]
SuggestionWhy = Literal["one_edit", "same_prefix", "check_digit", "case_of_item", "other_warehouse", "sku_code"]

ALL_KINDS: frozenset[MatchKind] = frozenset({"sku", "bin", "lot", "tote", "order", "waybill", "purchase_order"})


class ScanResolveIn(Input):
    text: Annotated[str, msgspec.Meta(max_length=MAX_SCAN_LENGTH, description="the string exactly as scanned")]
    warehouse_id: Annotated[int, msgspec.Meta(gt=0, le=2**63 - 1)] | None = None


class LotOnScan(Schema):
    """The lot a GS1 scan names (AI 10) for the SKU it resolved to: an existing lot, or a new one."""

    lot_number: str
    lot_id: int | None
    """``None``: the SKU has no lot of this number yet (receiving will create it)."""
    is_new: bool
    expires_on: date | None
    """The lot's expiry, or for a new lot the one the scan carries (AI 17)."""
    manufactured_on: date | None
    scanned_expiry: date | None
    expiry_differs: bool
    """The label's expiry is not the one on record for this lot: a relabel or a mix-up to look at."""


class SkuMatch(Schema, tag="sku", tag_field="kind"):
    sku_id: int
    sku_code: str
    name_zh: str
    name_en: str
    unit: str
    pack_qty: int
    """Base units one scan of this code stands for (a case code counts its pack)."""
    barcode_id: int
    barcode: str
    """The code as stored (GTINs as 14 digits)."""
    barcode_kind: BarcodeKind
    lot_controlled: bool
    expiry_controlled: bool
    is_kit: bool
    active: bool
    lot: LotOnScan | None = None


class BinMatch(Schema, tag="bin", tag_field="kind"):
    location_id: int
    code: str
    barcode: str
    type: LocationType
    warehouse_id: int
    warehouse_code: str
    zone_id: int | None
    zone_code: str | None
    frozen: bool
    active: bool


class LotMatch(Schema, tag="lot", tag_field="kind"):
    lot_id: int
    lot_number: str
    sku_id: int
    sku_code: str
    name_zh: str
    expires_on: date | None
    manufactured_on: date | None


class ToteMatch(Schema, tag="tote", tag_field="kind"):
    code: str
    """Upper-cased, as printed."""
    location_id: int | None = None
    """The location standing for the tote, when one has this code."""
    warehouse_id: int | None = None


class OrderMatch(Schema, tag="order", tag_field="kind"):
    order_id: int
    platform_order_no: str
    status: OrderStatus
    channel_id: int
    channel_code: str
    channel_name: str
    platform: str
    warehouse_id: int | None


class WaybillMatch(Schema, tag="waybill", tag_field="kind"):
    shipment_id: int
    waybill_no: str
    carrier_code: str
    status: ShipmentStatus
    parcel_no: int
    warehouse_id: int
    order_id: int
    platform_order_no: str
    order_status: OrderStatus


class PurchaseOrderMatch(Schema, tag="purchase_order", tag_field="kind"):
    purchase_order_id: int
    code: str
    status: PurchaseOrderStatus
    warehouse_id: int
    supplier_id: int | None
    supplier_code: str | None
    supplier_name: str
    expected_on: date | None


Match = SkuMatch | BinMatch | LotMatch | ToteMatch | OrderMatch | WaybillMatch | PurchaseOrderMatch


class Suggestion(Schema):
    """Something the scan may have been meant as."""

    kind: MatchKind
    id: int
    code: str
    label: str
    """A name or a status to tell suggestions apart on a small screen."""
    warehouse_id: int | None
    why: SuggestionWhy


class Resolution(Schema):
    kind: ResolutionKind
    text: str
    """The input as received."""
    normalized: str
    """What was looked up (trimmed, folded, AIM identifier stripped)."""
    symbology: str | None = None
    """The AIM symbology identifier the scanner sent (``]E0`` EAN/UPC, ``]d2`` GS1 DataMatrix …)."""
    match: Match | None = None
    candidates: list[Match] = msgspec.field(default_factory=list)
    gs1: Gs1Data | None = None
    reason: UnknownReason | None = None
    message: str = ""
    message_zh: str = ""
    looks_like: str | None = None
    """For ``unknown``: the format the text has (``ean13``, ``upca``, ``gtin14``, ``sscc``, ``waybill`` …)."""
    expected_check_digit: str | None = None
    suggestions: list[Suggestion] = msgspec.field(default_factory=list)


def kind_of(match: Match) -> MatchKind:
    kind: MatchKind = match.__struct_config__.tag  # type: ignore[assignment]
    return kind

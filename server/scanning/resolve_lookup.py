"""The two queries behind a resolution: which rows carry the code (one UNION), then their details.

The first query asks every kind at once — barcodes, bin barcodes and codes, lots, order numbers,
waybills, purchase orders — each branch an index lookup of at most a handful of codes (the text as
scanned and upper-cased, or a GTIN's stored forms), bounded by ``LIMIT``. It answers only ids, so
the common case (one hit) costs one more query for the display data of that one kind.

Every branch is served by an index: ``barcodes.code``, ``locations.barcode`` (unique),
``locations (warehouse_id, code)``, ``lots.lot_number``, ``orders (channel_id, platform_order_no)``
(probed once per channel: shops are few), ``shipments.waybill_no``, ``purchase_orders.code``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Executable,
    Select,
    String,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from server.catalog.models import Barcode, Lot, Sku
from server.fulfilment.shipping.models import Shipment
from server.inbound.models import PurchaseOrder, Supplier
from server.orders.models import Channel, Order
from server.scanning.resolve_schemas import (
    ALL_KINDS,
    BinMatch,
    LotMatch,
    LotOnScan,
    Match,
    MatchKind,
    OrderMatch,
    PurchaseOrderMatch,
    SkuMatch,
    WaybillMatch,
)
from server.warehouse.models import PHYSICAL_TYPES, Location, Warehouse, Zone

HitSelect = Select[str, int, str, int | None]
"""A UNION branch: (kind, id, code, warehouse_id)."""

BRANCH_LIMIT = 20
"""Rows per kind: a lot number shared by many SKUs is still one bounded answer (then ambiguous)."""


@dataclass(frozen=True, slots=True)
class Hit:
    kind: MatchKind
    id: int
    code: str
    warehouse_id: int | None
    exact: bool
    """Matched the text as scanned (not only its upper-cased form)."""
    order: int = 0
    """For barcodes: the place of the matched form in the likely-first list (EAN-8 before UPC-E)."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """What to look for: ``codes`` for every text-keyed kind, ``barcodes`` for the barcode table."""

    codes: tuple[str, ...]
    exact_codes: frozenset[str]
    barcodes: tuple[str, ...]
    exact_barcodes: int
    kinds: frozenset[MatchKind]
    warehouse_id: int | None


def cast_kind(value: str) -> MatchKind:
    if value not in ALL_KINDS:
        msg = f"not a match kind: {value!r}"
        raise ValueError(msg)
    return value


def _kind(value: str) -> ColumnElement[str]:
    return literal_column(f"'{value}'", String)


def _no_warehouse() -> ColumnElement[int]:
    return cast(null(), BigInteger)


def _bounded(statement: HitSelect) -> HitSelect:
    """A branch of the UNION with its own LIMIT (SQLite allows one only inside a subquery)."""
    sub = statement.limit(BRANCH_LIMIT).subquery()
    return select(sub.c.kind, sub.c.id, sub.c.code, sub.c.warehouse_id)


def location_code_scope(scoped: bool) -> ColumnElement[bool]:
    """Bin codes are unique per warehouse: the (warehouse_id, code) index is probed per warehouse
    (the ``warehouse_id`` parameter when scoped, else each warehouse in turn: there are few)."""
    if scoped:
        return Location.warehouse_id == bindparam("warehouse_id")
    return Location.warehouse_id.in_(select(Warehouse.id).scalar_subquery())


def order_channel_scope() -> ColumnElement[bool]:
    """Order numbers are unique per channel: the (channel_id, platform_order_no) index, per channel."""
    return Order.channel_id.in_(select(Channel.id).scalar_subquery())


def _branches(kinds: frozenset[MatchKind], *, barcodes: bool, codes: bool, scoped: bool) -> list[HitSelect]:
    branches: list[HitSelect] = []
    texts: BindParameter[Any] = bindparam("codes", expanding=True)

    def branch(
        kind: str,
        id_: InstrumentedAttribute[int],
        code: InstrumentedAttribute[str],
        warehouse: ColumnElement[int] | InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
    ) -> HitSelect:
        return select(_kind(kind).label("kind"), id_.label("id"), code.label("code"), warehouse.label("warehouse_id"))

    if "sku" in kinds and barcodes:
        branches.append(
            branch("sku", Barcode.id, Barcode.code, _no_warehouse()).where(
                Barcode.code.in_(bindparam("barcodes", expanding=True))
            )
        )
    if not codes:
        return branches
    if kinds & {"bin", "tote"}:
        physical = Location.type.in_(sorted(PHYSICAL_TYPES))
        branches.append(
            branch("bin", Location.id, Location.barcode, Location.warehouse_id).where(
                Location.barcode.in_(texts), physical
            )
        )
        branches.append(
            branch("bin", Location.id, Location.code, Location.warehouse_id).where(
                location_code_scope(scoped), Location.code.in_(texts), physical
            )
        )
    if "lot" in kinds:
        branches.append(branch("lot", Lot.id, Lot.lot_number, _no_warehouse()).where(Lot.lot_number.in_(texts)))
    if "order" in kinds:
        branches.append(
            branch("order", Order.id, Order.platform_order_no, Order.warehouse_id).where(
                order_channel_scope(), Order.platform_order_no.in_(texts)
            )
        )
    if "waybill" in kinds:
        branches.append(
            branch("waybill", Shipment.id, Shipment.waybill_no, Shipment.warehouse_id).where(
                Shipment.waybill_no.in_(texts)
            )
        )
    if "purchase_order" in kinds:
        branches.append(
            branch("purchase_order", PurchaseOrder.id, PurchaseOrder.code, PurchaseOrder.warehouse_id).where(
                PurchaseOrder.code.in_(texts)
            )
        )
    return branches


@functools.cache
def _hits_statement(kinds: frozenset[MatchKind], *, barcodes: bool, codes: bool, scoped: bool) -> Executable | None:
    """Built once per shape and reused: building and compiling a seven-branch UNION costs more
    Python time than running it (the parameters are expanding ``IN`` lists)."""
    branches = [_bounded(b) for b in _branches(kinds, barcodes=barcodes, codes=codes, scoped=scoped)]
    if not branches:
        return None
    return union_all(*branches) if len(branches) > 1 else branches[0]


async def find_hits(session: AsyncSession, lookup: Lookup) -> list[Hit]:
    """Every row carrying one of the codes (one query), bins once even if both code and barcode match."""
    scoped = lookup.warehouse_id is not None
    statement = _hits_statement(lookup.kinds, barcodes=bool(lookup.barcodes), codes=bool(lookup.codes), scoped=scoped)
    if statement is None:
        return []
    params: dict[str, object] = {"codes": list(lookup.codes), "barcodes": list(lookup.barcodes)}
    if scoped:
        params["warehouse_id"] = lookup.warehouse_id
    rows = (await session.execute(statement, params)).all()
    barcode_order = {form: i for i, form in enumerate(lookup.barcodes)}
    hits: dict[tuple[str, int], Hit] = {}
    for row in rows:
        kind, id_, code, warehouse_id = row[0], row[1], row[2], row[3]
        if kind == "sku":
            order = barcode_order.get(code, len(barcode_order))
            hit = Hit("sku", id_, code, None, exact=order < lookup.exact_barcodes, order=order)
        else:
            hit = Hit(cast_kind(kind), id_, code, warehouse_id, exact=code in lookup.exact_codes)
        known = hits.get((kind, id_))
        if known is None or (hit.exact, -hit.order) > (known.exact, -known.order):
            hits[(kind, id_)] = hit
    return list(hits.values())


# --- display data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScannedLot:
    """A GS1 scan's lot (AI 10) and expiry (AI 17), to be named on the SKU it resolves to."""

    number: str
    expiry: date | None


def _lot_on_scan(scanned: ScannedLot, lot: Lot | None) -> LotOnScan:
    if lot is None:
        return LotOnScan(
            lot_number=scanned.number,
            lot_id=None,
            is_new=True,
            expires_on=scanned.expiry,
            manufactured_on=None,
            scanned_expiry=scanned.expiry,
            expiry_differs=False,
        )
    return LotOnScan(
        lot_number=lot.lot_number,
        lot_id=lot.id,
        is_new=False,
        expires_on=lot.expires_on,
        manufactured_on=lot.manufactured_on,
        scanned_expiry=scanned.expiry,
        expiry_differs=scanned.expiry is not None and lot.expires_on is not None and scanned.expiry != lot.expires_on,
    )


_IDS = "ids"


@functools.cache
def _detail_statement(kind: MatchKind) -> Executable:
    """The display data of ``kind`` for the ids in the expanding ``ids`` parameter; built once."""
    ids: BindParameter[Any] = bindparam(_IDS, expanding=True)
    if kind == "sku":
        # Without a scanned lot the parameter is NULL and ``lot_number = NULL`` joins no lot.
        return (
            select(Barcode, Sku, Lot)
            .join(Sku, Sku.id == Barcode.sku_id)
            .outerjoin(Lot, and_(Lot.sku_id == Sku.id, Lot.lot_number == bindparam("lot_number")))
            .where(Barcode.id.in_(ids))
        )
    if kind == "bin":
        return (
            select(Location, Warehouse.code, Zone.code)
            .join(Warehouse, Warehouse.id == Location.warehouse_id)
            .outerjoin(Zone, Zone.id == Location.zone_id)
            .where(Location.id.in_(ids))
        )
    if kind == "lot":
        return select(Lot, Sku.code, Sku.name_zh).join(Sku, Sku.id == Lot.sku_id).where(Lot.id.in_(ids))
    if kind == "order":
        return (
            select(Order.id, Order.platform_order_no, Order.status, Order.warehouse_id)
            .add_columns(Channel.id, Channel.code, Channel.name, Channel.platform)
            .join(Channel, Channel.id == Order.channel_id)
            .where(Order.id.in_(ids))
        )
    if kind == "waybill":
        return (
            select(Shipment.id, Shipment.waybill_no, Shipment.carrier_code, Shipment.status, Shipment.parcel_no)
            .add_columns(Shipment.warehouse_id, Order.id, Order.platform_order_no, Order.status)
            .join(Order, Order.id == Shipment.order_id)
            .where(Shipment.id.in_(ids))
        )
    if kind == "purchase_order":
        return (
            select(PurchaseOrder.id, PurchaseOrder.code, PurchaseOrder.status, PurchaseOrder.warehouse_id)
            .add_columns(PurchaseOrder.supplier_id, Supplier.code, PurchaseOrder.supplier_name, Supplier.name)
            .add_columns(PurchaseOrder.expected_on)
            .outerjoin(Supplier, Supplier.id == PurchaseOrder.supplier_id)
            .where(PurchaseOrder.id.in_(ids))
        )
    msg = f"no display data for {kind}"
    raise ValueError(msg)


def _sku_match(row: Any, scanned_lot: ScannedLot | None) -> SkuMatch:
    barcode, sku, lot = row
    return SkuMatch(
        sku_id=sku.id,
        sku_code=sku.code,
        name_zh=sku.name_zh,
        name_en=sku.name_en,
        unit=sku.unit,
        pack_qty=barcode.pack_qty,
        barcode_id=barcode.id,
        barcode=barcode.code,
        barcode_kind=barcode.kind,
        lot_controlled=sku.lot_controlled,
        expiry_controlled=sku.expiry_controlled,
        is_kit=sku.is_kit,
        active=sku.active,
        lot=None if scanned_lot is None else _lot_on_scan(scanned_lot, lot),
    )


def _bin_match(row: Any) -> BinMatch:
    loc, warehouse_code, zone_code = row
    return BinMatch(
        location_id=loc.id,
        code=loc.code,
        barcode=loc.barcode,
        type=loc.type,
        warehouse_id=loc.warehouse_id,
        warehouse_code=warehouse_code,
        zone_id=loc.zone_id,
        zone_code=zone_code,
        frozen=loc.frozen,
        active=loc.active,
    )


def _lot_match(row: Any) -> LotMatch:
    lot, sku_code, name_zh = row
    return LotMatch(
        lot_id=lot.id,
        lot_number=lot.lot_number,
        sku_id=lot.sku_id,
        sku_code=sku_code,
        name_zh=name_zh,
        expires_on=lot.expires_on,
        manufactured_on=lot.manufactured_on,
    )


def _order_match(row: Any) -> OrderMatch:
    order_id, number, status, warehouse_id, channel_id, channel_code, channel_name, platform = row
    return OrderMatch(
        order_id=order_id,
        platform_order_no=number,
        status=status,
        warehouse_id=warehouse_id,
        channel_id=channel_id,
        channel_code=channel_code,
        channel_name=channel_name,
        platform=platform,
    )


def _waybill_match(row: Any) -> WaybillMatch:
    shipment_id, waybill_no, carrier, status, parcel_no, warehouse_id, order_id, order_no, order_status = row
    return WaybillMatch(
        shipment_id=shipment_id,
        waybill_no=waybill_no,
        carrier_code=carrier,
        status=status,
        parcel_no=parcel_no,
        warehouse_id=warehouse_id,
        order_id=order_id,
        platform_order_no=order_no,
        order_status=order_status,
    )


def _purchase_order_match(row: Any) -> PurchaseOrderMatch:
    po_id, code, status, warehouse_id, supplier_id, supplier_code, supplier_name, supplier_record_name, expected = row
    return PurchaseOrderMatch(
        purchase_order_id=po_id,
        code=code,
        status=status,
        warehouse_id=warehouse_id,
        supplier_id=supplier_id,
        supplier_code=supplier_code,
        supplier_name=supplier_record_name or supplier_name,
        expected_on=expected,
    )


_TO_MATCH: dict[MatchKind, Callable[[Any], Match]] = {
    "bin": _bin_match,
    "lot": _lot_match,
    "order": _order_match,
    "waybill": _waybill_match,
    "purchase_order": _purchase_order_match,
}


async def load_matches(
    session: AsyncSession, hits: Sequence[Hit], scanned_lot: ScannedLot | None = None
) -> dict[tuple[MatchKind, int], Match]:
    """Display data of the hits, one query per kind present (a tote's location loads as a bin)."""
    by_kind: dict[MatchKind, list[int]] = defaultdict(list)
    for hit in hits:
        by_kind["bin" if hit.kind == "tote" else hit.kind].append(hit.id)
    out: dict[tuple[MatchKind, int], Match] = {}
    for kind, ids in by_kind.items():
        params = {_IDS: ids, "lot_number": scanned_lot.number if scanned_lot is not None else None}
        if kind != "sku":
            params.pop("lot_number")
        rows = (await session.execute(_detail_statement(kind), params)).all()
        for row in rows:
            match = _sku_match(row, scanned_lot) if kind == "sku" else _TO_MATCH[kind](row)
            out[(kind, _row_id(match))] = match
    return out


def _row_id(match: Match) -> int:
    """The id a hit carries for this match (a barcode's id for a SKU found by barcode)."""
    if isinstance(match, SkuMatch):
        return match.barcode_id
    if isinstance(match, BinMatch):
        return match.location_id
    if isinstance(match, LotMatch):
        return match.lot_id
    if isinstance(match, OrderMatch):
        return match.order_id
    if isinstance(match, WaybillMatch):
        return match.shipment_id
    if isinstance(match, PurchaseOrderMatch):
        return match.purchase_order_id
    return 0

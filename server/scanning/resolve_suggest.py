"""Suggestions for a scan that resolved to nothing: what it may have been meant as.

Only ever index lookups, in one UNION with a ``LIMIT`` per branch — never a scan of all SKUs:

* codes one slip away (``resolve_text.one_edit_variants``: a swap, a character too many, a misread
  or missing digit/letter; for a GTIN only the variants whose check digit holds), looked up with
  ``IN`` in each kind's code index;
* codes that start with the scan (a truncated read, a half-typed code), by a range on the same
  index (``code >= text AND code < next(text)``);
* a SKU whose *code* is the scan (printed on a label but never registered as a barcode);
* for a case code (GTIN-14, indicator 1–9) that is not registered, the SKU of the item inside.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Executable,
    Select,
    String,
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
from server.inbound.models import PurchaseOrder
from server.orders.models import Order
from server.scanning.resolve_lookup import location_code_scope, order_channel_scope
from server.scanning.resolve_schemas import MatchKind, Suggestion, SuggestionWhy
from server.scanning.resolve_text import edit_distance
from server.warehouse.models import PHYSICAL_TYPES, Location

SUGGESTION_LIMIT = 8
_PER_BRANCH = 5
_MIN_PREFIX = 3
_WHY_ORDER: dict[SuggestionWhy, int] = {
    "case_of_item": 0,
    "sku_code": 1,
    "check_digit": 2,
    "one_edit": 3,
    "same_prefix": 4,
    "other_warehouse": 5,
}

Row = Select[str, str, int, str, str, int | None]
"""(source, kind, id, code, label, warehouse_id)"""


@dataclass(frozen=True, slots=True)
class SuggestRequest:
    texts: tuple[str, ...]
    """The scan as looked up (and upper-cased): what prefixes and distances are measured from."""
    variants: tuple[str, ...]
    """Text codes one slip away (bins, lots, orders, waybills, purchase orders, internal barcodes)."""
    barcode_variants: tuple[str, ...]
    """Stored barcode forms one slip away (for a GTIN: the valid ones)."""
    item_form: str | None
    """A case code's item GTIN (14 digits)."""
    gtin: bool
    """The scan is GTIN-shaped: near misses are check-digit corrections."""
    kinds: frozenset[MatchKind]
    warehouse_id: int | None


def padded(values: Sequence[str], step: int = 32) -> list[str]:
    """``values`` repeated at the end up to a multiple of ``step``: the SQL text of an ``IN`` list
    depends on its length, and few lengths let PostgreSQL reuse prepared plans (psycopg prepares a
    statement after five runs) instead of planning the thirty-branch UNION every time."""
    out = list(values)
    if out and len(out) % step:
        out.extend([out[-1]] * (step - len(out) % step))
    return out


def _next_prefix(text: str) -> str:
    """The smallest string greater than every string starting with ``text`` (byte order)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def _select(
    source: str,
    kind: str,
    id_: ColumnElement[int] | InstrumentedAttribute[int],
    code: InstrumentedAttribute[str],
    label: ColumnElement[str] | InstrumentedAttribute[str],
    warehouse: ColumnElement[int] | InstrumentedAttribute[int] | InstrumentedAttribute[int | None] | None,
) -> Row:
    return select(
        literal_column(f"'{source}'", String).label("source"),
        literal_column(f"'{kind}'", String).label("kind"),
        id_.label("id"),
        code.label("code"),
        cast(label, String).label("label"),
        (cast(null(), BigInteger) if warehouse is None else warehouse).label("warehouse_id"),
    )


@dataclass(frozen=True, slots=True)
class _Shape:
    """What decides the statement's form (the values are bound parameters)."""

    kinds: frozenset[MatchKind]
    gtin: bool
    item_form: bool
    barcode_variants: bool
    variants: bool
    prefixes: int
    scoped: bool


def _branches(shape: _Shape) -> list[Row]:
    kinds = shape.kinds
    out: list[Row] = []
    variants: BindParameter[Any] = bindparam("variants", expanding=True)
    ranges: list[tuple[BindParameter[Any], BindParameter[Any]]] = [
        (bindparam(f"p{i}"), bindparam(f"e{i}")) for i in range(shape.prefixes)
    ]

    def near(make: Row, column: InstrumentedAttribute[str], *extra: ColumnElement[bool]) -> None:
        if shape.variants:
            out.append(make.where(column.in_(variants), *extra))
        for start, stop in ranges:
            out.append(make.where(column >= start, column < stop, column != start, *extra))

    if "sku" in kinds:
        barcode = _select("barcode", "sku", Sku.id, Barcode.code, Sku.name_zh, None).join(Sku, Sku.id == Barcode.sku_id)
        if shape.barcode_variants:
            out.append(barcode.where(Barcode.code.in_(bindparam("barcode_variants", expanding=True))))
        if not shape.gtin:
            for start, stop in ranges:
                out.append(barcode.where(Barcode.code >= start, Barcode.code < stop, Barcode.code != start))
        if shape.item_form:
            item = _select("case_of_item", "sku", Sku.id, Barcode.code, Sku.name_zh, None)
            out.append(item.join(Sku, Sku.id == Barcode.sku_id).where(Barcode.code == bindparam("item_form")))
        sku_code = _select("sku_code", "sku", Sku.id, Sku.code, Sku.name_zh, None)
        out.append(sku_code.where(Sku.code.in_(bindparam("texts", expanding=True))))
    if kinds & {"bin", "tote"}:
        physical = Location.type.in_(sorted(PHYSICAL_TYPES))
        near(
            _select("near", "bin", Location.id, Location.barcode, Location.code, Location.warehouse_id),
            Location.barcode,
            physical,
        )
        by_code = _select("near", "bin", Location.id, Location.code, Location.barcode, Location.warehouse_id)
        near(by_code, Location.code, physical, location_code_scope(shape.scoped))
    if "lot" in kinds:
        near(
            _select("near", "lot", Lot.id, Lot.lot_number, Sku.code, None).join(Sku, Sku.id == Lot.sku_id),
            Lot.lot_number,
        )
    if "order" in kinds:
        orders = _select("near", "order", Order.id, Order.platform_order_no, Order.status, Order.warehouse_id)
        near(orders, Order.platform_order_no, order_channel_scope())
    if "waybill" in kinds:
        waybill_label = Shipment.carrier_code
        near(
            _select("near", "waybill", Shipment.id, Shipment.waybill_no, waybill_label, Shipment.warehouse_id),
            Shipment.waybill_no,
        )
    if "purchase_order" in kinds:
        pos = _select(
            "near",
            "purchase_order",
            PurchaseOrder.id,
            PurchaseOrder.code,
            PurchaseOrder.status,
            PurchaseOrder.warehouse_id,
        )
        near(pos, PurchaseOrder.code)
    return out


@functools.cache
def _statement(shape: _Shape) -> Executable | None:
    """Built once per shape and reused (see ``resolve_lookup._hits_statement``)."""
    bounded = [select(*b.limit(_PER_BRANCH).subquery().c) for b in _branches(shape)]
    if not bounded:
        return None
    return union_all(*bounded) if len(bounded) > 1 else bounded[0]


def _why(source: str, code: str, texts: Sequence[str], *, gtin: bool) -> tuple[SuggestionWhy, int]:
    """Why a row is suggested and how far it is from the scan (for ranking)."""
    if source == "case_of_item":
        return "case_of_item", 0
    if source == "sku_code":
        return "sku_code", 0
    if gtin and source == "barcode":
        # Stored GTINs are 14 digits; the scan may have been 8, 12 or 13: compare without padding.
        return "check_digit", min(edit_distance(text.lstrip("0"), code.lstrip("0")) for text in texts)
    prefixed = [len(code) - len(text) for text in texts if code.startswith(text)]
    if prefixed:
        return "same_prefix", min(prefixed)
    return "one_edit", min(edit_distance(text, code) for text in texts)


async def suggest(session: AsyncSession, request: SuggestRequest, visible: Collection[int] | None) -> list[Suggestion]:
    """Up to ``SUGGESTION_LIMIT`` suggestions, likeliest first; rows of warehouses the caller cannot see
    are left out, and rows of another warehouse than the one scanned in are marked ``other_warehouse``."""
    prefixes = [text for text in request.texts if len(text) >= _MIN_PREFIX]
    shape = _Shape(
        kinds=request.kinds,
        gtin=request.gtin,
        item_form=request.item_form is not None,
        barcode_variants=bool(request.barcode_variants),
        variants=bool(request.variants),
        prefixes=len(prefixes),
        scoped=request.warehouse_id is not None,
    )
    statement = _statement(shape)
    if statement is None:
        return []
    params: dict[str, object] = {
        "variants": padded(request.variants),
        "barcode_variants": padded(request.barcode_variants),
        "texts": list(request.texts),
        "item_form": request.item_form,
    }
    for i, text in enumerate(prefixes):
        params[f"p{i}"], params[f"e{i}"] = text, _next_prefix(text)
    if request.warehouse_id is not None:
        params["warehouse_id"] = request.warehouse_id
    rows = (await session.execute(statement, params)).all()
    ranked: dict[tuple[str, int], tuple[tuple[int, int, str], Suggestion]] = {}
    for source, kind, id_, code, label, warehouse_id in rows:
        if warehouse_id is not None and visible is not None and warehouse_id not in visible:
            continue
        why, distance = _why(source, code, request.texts, gtin=request.gtin)
        if request.warehouse_id is not None and warehouse_id is not None and warehouse_id != request.warehouse_id:
            why = "other_warehouse"
        suggestion = Suggestion(kind=kind, id=id_, code=code, label=label or "", warehouse_id=warehouse_id, why=why)
        key = (_WHY_ORDER[why], distance, code)
        known = ranked.get((kind, id_))
        if known is None or key < known[0]:
            ranked[(kind, id_)] = (key, suggestion)
    return [s for _, s in sorted(ranked.values(), key=lambda pair: pair[0])][:SUGGESTION_LIMIT]

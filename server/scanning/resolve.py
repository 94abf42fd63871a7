"""Scan resolution: turn any scanned string into what it is, or say why it is nothing known.

One service for the whole server: ``POST /api/scan/resolve``, the catalog's barcode lookup
(``GET /api/barcodes/{code}``, ``?barcode=`` on the SKU list) and the pack-verification op's
order lookup all come here, and the PWA's offline resolution follows the same rules against its
synced copy (see docs/adr/0016-scan-resolution.md).

The order of work:

1. Refuse empty or oversized text (400). Clean it (``resolve_text.clean_scan``).
2. A GS1 symbol (AIM ``]d2`` …, a leading FNC1, ``(01)…``) is parsed: AI 01/02 finds the SKU by GTIN
   and AI 10 names the lot of that SKU (existing, or new with the label's AI 17 expiry).
3. Otherwise one UNION query asks every kind for the code — as scanned and upper-cased, a GTIN in
   its stored 14-digit forms — then one query per kind found loads the display data.
4. Rows of warehouses the caller cannot see are dropped; with ``warehouse_id`` given, rows of other
   warehouses do not count (SKUs, lots and unrouted orders belong to every warehouse).
5. An exact match beats an upper-cased one; for an 8-digit code EAN-8 beats UPC-E.
6. One hit answers its kind; several answer ``ambiguous`` with all of them; none answers
   ``unknown`` with the reason (check digit wrong, malformed GS1, only in another warehouse, not
   found), what the text looks like, and suggestions from bounded index lookups.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.services.barcode_forms import CheckDigitError
from server.lib.errors import DomainError
from server.scanning.gs1 import Gs1Data, Gs1Error, parse_gs1
from server.scanning.resolve_lookup import Hit, Lookup, ScannedLot, find_hits, load_matches
from server.scanning.resolve_schemas import (
    ALL_KINDS,
    BinMatch,
    LotMatch,
    Match,
    MatchKind,
    OrderMatch,
    Resolution,
    SkuMatch,
    Suggestion,
    ToteMatch,
    UnknownReason,
    WaybillMatch,
    kind_of,
)
from server.scanning.resolve_suggest import SuggestRequest, suggest
from server.scanning.resolve_text import (
    MAX_SCAN_LENGTH,
    CleanScan,
    barcode_forms,
    clean_scan,
    format_hint,
    gtin_variants,
    is_tote_code,
    one_edit_variants,
    read_gtin,
    text_forms,
)

KIND_ORDER: tuple[MatchKind, ...] = ("sku", "bin", "tote", "lot", "order", "waybill", "purchase_order")
KIND_NAMES: dict[MatchKind, tuple[str, str]] = {
    "sku": ("a SKU", "商品"),
    "bin": ("a bin", "库位"),
    "tote": ("a tote", "周转箱"),
    "lot": ("a lot", "批次"),
    "order": ("an order", "订单"),
    "waybill": ("a waybill", "运单"),
    "purchase_order": ("a purchase order", "采购单"),
}


def _bad_text(message: str, message_zh: str, code: str) -> DomainError:
    return DomainError(message, message_zh=message_zh, field="text", code=code, status=400)


@dataclass(slots=True)
class _Plan:
    """What to look up for one cleaned scan."""

    codes: tuple[str, ...] = ()
    exact_codes: set[str] = field(default_factory=set)
    barcodes: tuple[str, ...] = ()
    exact_barcodes: int = 0
    check_digit_error: CheckDigitError | None = None
    item_form: str | None = None
    gtin_shaped: bool = False
    gs1: Gs1Data | None = None
    gs1_error: Gs1Error | None = None
    scanned_lot: ScannedLot | None = None
    kinds: set[MatchKind] = field(default_factory=set)


def _plan(scan: CleanScan, kinds: frozenset[MatchKind]) -> _Plan:
    plan = _Plan(kinds=set(kinds))
    if scan.gs1 is not None:
        try:
            plan.gs1 = parse_gs1(scan.text)
        except Gs1Error as exc:
            plan.gs1_error = exc
            if scan.gs1 == "strong":
                plan.kinds = set()
                return plan
    data = plan.gs1
    if data is not None:
        if data.gtin is not None:
            plan.barcodes, plan.exact_barcodes = (data.gtin,), 1
            reading = read_gtin(data.gtin)
            plan.item_form = reading.item_form if reading is not None else None
            if data.lot is not None:
                plan.scanned_lot = ScannedLot(data.lot, data.expiry)
            plan.kinds &= {"sku"}
        elif data.lot is not None:
            plan.codes = (data.lot,)
            plan.exact_codes.add(data.lot)
            plan.kinds &= {"lot"}
        else:
            plan.kinds = set()
        if scan.gs1 == "strong":
            return plan
    # Plain text (or a "weak" GS1 look-alike, which is also looked up as it stands).
    plan.kinds |= set(kinds) if data is None or scan.gs1 == "weak" else set()
    plan.codes = tuple(dict.fromkeys((*plan.codes, *text_forms(scan.text))))
    plan.exact_codes.add(scan.text)
    forms = barcode_forms(scan.text)
    plan.barcodes = tuple(dict.fromkeys((*plan.barcodes, *forms.forms)))
    plan.exact_barcodes = plan.exact_barcodes or forms.exact
    plan.check_digit_error = forms.check_digit_error
    reading = read_gtin(scan.text)
    plan.gtin_shaped = reading is not None
    if reading is not None and reading.item_form is not None:
        plan.item_form = reading.item_form
    return plan


def _tote_hits(scan: CleanScan, hits: list[Hit], kinds: Collection[MatchKind]) -> list[Hit]:
    """A tote label names the location standing for it if one has that code; else it is just a tote.
    Bins are dropped when the caller did not ask for bins."""
    tote = "tote" in kinds and scan.gs1 is None and is_tote_code(scan.text)
    out: list[Hit] = []
    for hit in hits:
        if hit.kind == "bin" and tote and hit.code.upper() == scan.text.upper():
            out.append(Hit("tote", hit.id, hit.code, hit.warehouse_id, exact=hit.exact))
        elif hit.kind != "bin" or "bin" in kinds:
            out.append(hit)
    if tote and not any(hit.kind == "tote" for hit in out):
        out.append(Hit("tote", 0, scan.text.upper(), None, exact=True))
    return out


def _best(hits: Sequence[Hit]) -> list[Hit]:
    """Exact matches beat upper-cased ones; of a SKU's barcode forms the likeliest wins."""
    if any(hit.exact for hit in hits):
        hits = [hit for hit in hits if hit.exact]
    skus = [hit for hit in hits if hit.kind == "sku"]
    if len(skus) > 1:
        first = min(hit.order for hit in skus)
        hits = [hit for hit in hits if hit.kind != "sku" or hit.order == first]
    return sorted(hits, key=lambda hit: (KIND_ORDER.index(hit.kind), hit.id))


def _match(hit: Hit, loaded: dict[tuple[MatchKind, int], Match]) -> Match | None:
    if hit.kind != "tote":
        return loaded.get((hit.kind, hit.id))
    if hit.id == 0:
        return ToteMatch(code=hit.code)
    location = loaded.get(("bin", hit.id))
    if not isinstance(location, BinMatch):
        return None
    return ToteMatch(code=location.code.upper(), location_id=location.location_id, warehouse_id=location.warehouse_id)


def _elsewhere(match: Match, warehouse_id: int | None) -> Suggestion:
    """A row found only in another warehouse, as a suggestion naming it."""
    kind = kind_of(match)
    if isinstance(match, SkuMatch):
        id_, code, label = match.sku_id, match.barcode, match.name_zh
    elif isinstance(match, BinMatch):
        id_, code, label = match.location_id, match.barcode, match.warehouse_code
    elif isinstance(match, LotMatch):
        id_, code, label = match.lot_id, match.lot_number, match.sku_code
    elif isinstance(match, ToteMatch):
        id_, code, label = match.location_id or 0, match.code, ""
    elif isinstance(match, OrderMatch):
        id_, code, label = match.order_id, match.platform_order_no, match.status.value
    elif isinstance(match, WaybillMatch):
        id_, code, label = match.shipment_id, match.waybill_no, match.carrier_code
    else:
        id_, code, label = match.purchase_order_id, match.code, match.status.value
    return Suggestion(kind=kind, id=id_, code=code, label=label, warehouse_id=warehouse_id, why="other_warehouse")


async def resolve_scan(
    session: AsyncSession,
    text: str,
    *,
    warehouse_id: int | None,
    visible: Collection[int] | None = None,
    kinds: Collection[MatchKind] = ALL_KINDS,
    suggestions: bool = True,
) -> Resolution:
    """What ``text`` is. ``visible`` is the caller's warehouse scope (``None``: all); ``kinds`` limits
    what is looked for (the catalog asks for SKUs only); ``suggestions=False`` skips the near-miss
    query of an unknown answer (for callers that only need the hit)."""
    if len(text) > MAX_SCAN_LENGTH:
        raise _bad_text(
            f"a scan has at most {MAX_SCAN_LENGTH} characters",
            f"扫描内容最多 {MAX_SCAN_LENGTH} 个字符",
            "scan_too_long",
        )
    scan = clean_scan(text)
    if not scan.text:
        raise _bad_text("nothing was scanned", "扫描内容为空", "scan_empty")
    wanted = frozenset(kinds)
    plan = _plan(scan, wanted)
    lookup = Lookup(
        codes=plan.codes,
        exact_codes=frozenset(plan.exact_codes),
        barcodes=plan.barcodes,
        exact_barcodes=plan.exact_barcodes,
        kinds=frozenset(plan.kinds),
        warehouse_id=warehouse_id,
    )
    found = await find_hits(session, lookup) if plan.kinds else []
    hits = _tote_hits(scan, found, plan.kinds)
    hits = [h for h in hits if h.warehouse_id is None or visible is None or h.warehouse_id in visible]
    in_scope = [h for h in hits if warehouse_id is None or h.warehouse_id is None or h.warehouse_id == warehouse_id]
    elsewhere = [h for h in hits if h not in in_scope]

    def answer(**fields: Any) -> Resolution:
        return Resolution(text=text, normalized=scan.text, symbology=scan.symbology, gs1=plan.gs1, **fields)

    if in_scope:
        best = _best(in_scope)
        loaded = await load_matches(session, [h for h in best if h.id], plan.scanned_lot)
        matches = [m for m in (_match(hit, loaded) for hit in best) if m is not None]
        if len(matches) == 1:
            return answer(kind=kind_of(matches[0]), match=matches[0])
        if matches:
            names = sorted({kind_of(m) for m in matches}, key=KIND_ORDER.index)
            return answer(
                kind="ambiguous",
                candidates=matches,
                message=f"{len(matches)} things carry this code: " + ", ".join(KIND_NAMES[k][0] for k in names),
                message_zh=f"该条码对应 {len(matches)} 个对象：" + "、".join(KIND_NAMES[k][1] for k in names),
            )
    unknown = await _unknown(session, scan, plan, elsewhere, warehouse_id, visible, want_suggestions=suggestions)
    return answer(kind="unknown", **unknown)


async def _unknown(
    session: AsyncSession,
    scan: CleanScan,
    plan: _Plan,
    hits: list[Hit],
    warehouse_id: int | None,
    visible: Collection[int] | None,
    *,
    want_suggestions: bool,
) -> dict[str, Any]:
    """The fields of an ``unknown`` answer; ``hits`` are the rows found in other warehouses only."""
    reason: UnknownReason = "not_found"
    message = "nothing here has this code"
    message_zh = "未找到该条码对应的商品、库位、批次、订单、运单或采购单"
    looks_like = None
    expected = None
    elsewhere: list[Suggestion] = []
    if hits:  # only rows of another warehouse matched
        loaded = await load_matches(session, [h for h in hits if h.id], plan.scanned_lot)
        for hit in _best(hits):
            match = _match(hit, loaded)
            if match is not None:
                elsewhere.append(_elsewhere(match, hit.warehouse_id))
        reason = "other_warehouse"
        message = f"this code belongs to warehouse {elsewhere[0].warehouse_id if elsewhere else '?'}, not this one"
        message_zh = "该条码属于其他仓库"
    elif plan.gs1_error is not None and (scan.gs1 == "strong" or not plan.gs1):
        error = plan.gs1_error
        reason, looks_like = "malformed_gs1", "gs1"
        message = f"a GS1 code that cannot be read: {error.message} (position {error.position})"
        message_zh = f"GS1 条码无法解析：{error.message_zh}（第 {error.position + 1} 个字符）"
    elif plan.check_digit_error is not None and plan.gs1 is None:
        reason, looks_like = "check_digit_wrong", _shape(scan.text)
        expected = plan.check_digit_error.expected
        message = f"check digit wrong: {scan.text} looks like a GTIN but should end in {expected}"
        message_zh = f"校验位错误：{scan.text} 像是商品条码，校验位应为 {expected}"
    elif plan.gs1 is not None and plan.gs1.gtin is not None:
        looks_like = "gs1"
        message = f"a GS1 code with GTIN {plan.gs1.gtin}, which no SKU has"
        message_zh = f"GS1 条码中的商品编码 {plan.gs1.gtin} 没有对应的商品"
    elif plan.gs1 is not None and plan.gs1.sscc is not None:
        reason, looks_like = "sscc", "sscc"
        message = "an SSCC (pallet or carton serial number): Cangku does not track SSCCs"
        message_zh = "SSCC 物流单元码：系统不追踪 SSCC"
    else:
        hint = format_hint(scan.text)
        if hint is not None:
            looks_like, message, message_zh = hint.looks_like, hint.message, hint.message_zh
    found: list[Suggestion] = list(elsewhere)
    worth_suggesting = reason in ("not_found", "check_digit_wrong") or (
        reason == "malformed_gs1" and scan.gs1 == "weak"
    )
    if want_suggestions and worth_suggesting:
        found = await suggest(session, _suggest_request(scan, plan, warehouse_id), visible)
    return {
        "reason": reason,
        "message": message,
        "message_zh": message_zh,
        "looks_like": looks_like,
        "expected_check_digit": expected,
        "suggestions": found,
    }


def _shape(text: str) -> str | None:
    reading = read_gtin(text)
    return reading.shape if reading is not None else None


def _suggest_request(scan: CleanScan, plan: _Plan, warehouse_id: int | None) -> SuggestRequest:
    gtin = plan.gs1.gtin if plan.gs1 is not None else None
    texts = (gtin,) if gtin is not None and scan.gs1 == "strong" else text_forms(scan.text)
    gtin_shaped = gtin is not None or plan.gtin_shaped
    if gtin_shaped:
        barcode_variants = tuple(gtin_variants(gtin or scan.text))
    else:
        barcode_variants = tuple(dict.fromkeys(v for t in texts for v in one_edit_variants(t)))
    text_variants: tuple[str, ...] = ()
    if gtin is None or scan.gs1 == "weak":
        text_variants = tuple(dict.fromkeys(v for t in text_forms(scan.text) for v in one_edit_variants(t)))
    return SuggestRequest(
        texts=texts,
        variants=text_variants,
        barcode_variants=barcode_variants,
        item_form=plan.item_form,
        gtin=gtin_shaped,
        kinds=frozenset(plan.kinds | ({"sku"} if gtin is not None else set())),
        warehouse_id=warehouse_id,
    )

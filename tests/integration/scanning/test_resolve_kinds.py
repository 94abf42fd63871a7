"""Scan resolution against real rows on both backends: every kind, every EAN/UPC form, case codes,
GS1 DataMatrix with lots, ambiguity, warehouse scope, unknown codes and their suggestions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from server.catalog.gtin import gtin_check_digit
from server.lib.errors import DomainError
from server.orders.models import Channel, Order, OrderStatus
from server.orders.normalized import PlatformStatus
from server.scanning.resolve import resolve_scan
from server.scanning.resolve_schemas import (
    BinMatch,
    LotMatch,
    MatchKind,
    OrderMatch,
    PurchaseOrderMatch,
    Resolution,
    SkuMatch,
    ToteMatch,
    WaybillMatch,
)
from server.warehouse.models import Location, LocationType
from tests.integration.scanning.resolve_support import (
    MILK_EXPIRY,
    ORDER_NO,
    PO_CODE,
    WAYBILL,
    Factory,
    World,
    make_world,
)


@pytest.fixture
async def world(session_factory: Factory) -> World:
    return await make_world(session_factory)


async def scan(
    factory: Factory,
    text: str,
    warehouse_id: int | None = None,
    *,
    visible: Collection[int] | None = None,
) -> Resolution:
    async with factory() as s:
        return await resolve_scan(s, text, warehouse_id=warehouse_id, visible=visible)


# --- every kind ----------------------------------------------------------------------------------


async def test_a_barcode_resolves_to_its_sku_with_the_pack_quantity(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "036000291452")
    assert found.kind == "sku"
    assert isinstance(found.match, SkuMatch)
    assert (found.match.sku_id, found.match.sku_code, found.match.pack_qty) == (world.cola, "COLA-330", 1)
    assert (found.match.barcode, found.match.barcode_kind) == ("00036000291452", "gtin")
    inner = await scan(session_factory, "INNER-6")
    assert isinstance(inner.match, SkuMatch)
    assert (inner.match.sku_id, inner.match.pack_qty, inner.match.barcode_kind) == (world.cola, 6, "internal")


async def test_a_bin_resolves_by_its_barcode_and_by_its_code_in_the_warehouse(
    session_factory: Factory, world: World
) -> None:
    by_barcode = await scan(session_factory, "HZ-A-01-03")
    assert by_barcode.kind == "bin"
    assert isinstance(by_barcode.match, BinMatch)
    assert (by_barcode.match.location_id, by_barcode.match.warehouse_code) == (world.hz_bin, "HZ")
    assert (by_barcode.match.zone_code, by_barcode.match.type) == ("A", LocationType.storage)
    by_code = await scan(session_factory, "A-01-03", world.gz)
    assert isinstance(by_code.match, BinMatch)
    assert (by_code.match.location_id, by_code.match.barcode) == (world.gz_bin, "GZ-A-01-03")


async def test_a_lot_number_resolves_to_the_lot_and_its_sku(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "L2406A")
    assert found.kind == "lot"
    assert isinstance(found.match, LotMatch)
    assert (found.match.lot_id, found.match.sku_id, found.match.sku_code) == (world.milk_lot, world.milk, "MILK-1L")
    assert found.match.expires_on == MILK_EXPIRY


async def test_a_tote_label_is_a_tote_and_names_its_location_when_one_stands_for_it(
    session_factory: Factory, world: World
) -> None:
    with_location = await scan(session_factory, "tote-0042", world.hz)
    assert with_location.kind == "tote"
    assert with_location.match == ToteMatch(code="TOTE-0042", location_id=world.tote_bin, warehouse_id=world.hz)
    free = await scan(session_factory, "TOTE-7")
    assert free.kind == "tote"
    assert free.match == ToteMatch(code="TOTE-7")


async def test_an_order_number_resolves_to_the_order_and_its_channel(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, ORDER_NO, world.hz)
    assert found.kind == "order"
    assert isinstance(found.match, OrderMatch)
    assert (found.match.order_id, found.match.status, found.match.channel_code) == (
        world.order,
        OrderStatus.picked,
        "TMALL1",
    )
    assert (found.match.platform, found.match.warehouse_id) == ("taobao", world.hz)


async def test_a_waybill_resolves_to_its_shipment_and_order(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, WAYBILL.lower())  # typed on a phone keyboard
    assert found.kind == "waybill"
    assert isinstance(found.match, WaybillMatch)
    assert (found.match.shipment_id, found.match.carrier_code, found.match.order_id) == (
        world.shipment,
        "SF",
        world.order,
    )
    assert (found.match.platform_order_no, found.match.order_status) == (ORDER_NO, OrderStatus.picked)


async def test_a_purchase_order_resolves_with_its_supplier(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, PO_CODE)
    assert found.kind == "purchase_order"
    assert isinstance(found.match, PurchaseOrderMatch)
    assert (found.match.purchase_order_id, found.match.supplier_code, found.match.supplier_name) == (
        world.purchase_order,
        "SUP1",
        "杭州饮料批发",
    )
    assert (found.match.status, found.match.warehouse_id) == ("open", world.gz)


# --- EAN/UPC forms and case codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "036000291452",  # UPC-A
        "0036000291452",  # the same as EAN-13
        "00036000291452",  # GTIN-14, indicator 0
        "]E00036000291452",  # with the scanner's AIM identifier
        " 0 36000 29145 2\r\n",  # typed from the printed groups
    ],
)
async def test_every_form_of_a_gtin_resolves_to_the_same_sku(session_factory: Factory, world: World, text: str) -> None:
    found = await scan(session_factory, text)
    assert isinstance(found.match, SkuMatch), found
    assert (found.match.sku_id, found.match.barcode_id, found.match.pack_qty) == (
        world.cola,
        world.cola_unit_barcode,
        1,
    )


async def test_upc_e_and_its_expanded_upc_a_resolve_to_the_same_sku(session_factory: Factory, world: World) -> None:
    for text in ("04252614", "042100005264", "0042100005264"):
        found = await scan(session_factory, text)
        assert isinstance(found.match, SkuMatch), (text, found)
        assert found.match.sku_id == world.gum


async def test_a_case_gtin_gives_the_case_barcodes_pack_quantity(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "10036000291459")
    assert isinstance(found.match, SkuMatch)
    assert (found.match.sku_id, found.match.barcode_id, found.match.pack_qty) == (
        world.cola,
        world.cola_case_barcode,
        24,
    )


async def test_an_unregistered_case_gtin_is_unknown_and_suggests_the_item_inside(
    session_factory: Factory, world: World
) -> None:
    body = "2003600029145"  # indicator 2: another packaging level of the cola
    found = await scan(session_factory, body + gtin_check_digit(body))
    assert (found.kind, found.reason, found.looks_like) == ("unknown", "not_found", "gtin14")
    assert [(s.why, s.kind, s.id) for s in found.suggestions][:1] == [("case_of_item", "sku", world.cola)]


# --- GS1 --------------------------------------------------------------------------------------------


async def test_gs1_datamatrix_names_the_sku_and_its_existing_lot(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "]d2" + "0106901234567892" + "17270630" + "10L2406A")
    assert found.kind == "sku"
    assert isinstance(found.match, SkuMatch)
    assert found.match.sku_id == world.milk
    lot = found.match.lot
    assert lot is not None
    assert (lot.lot_id, lot.is_new, lot.expires_on, lot.expiry_differs) == (world.milk_lot, False, MILK_EXPIRY, False)
    assert found.gs1 is not None
    assert (found.gs1.gtin, found.gs1.lot, found.gs1.expiry) == ("06901234567892", "L2406A", MILK_EXPIRY)


async def test_gs1_datamatrix_with_a_new_lot_says_so_with_the_labels_expiry(
    session_factory: Factory, world: World
) -> None:
    found = await scan(session_factory, "]d2" + "0106901234567892" + "17280131" + "10L2501B")
    assert isinstance(found.match, SkuMatch)
    lot = found.match.lot
    assert lot is not None
    assert (lot.lot_number, lot.lot_id, lot.is_new, lot.expires_on) == ("L2501B", None, True, date(2028, 1, 31))


async def test_gs1_label_whose_expiry_differs_from_the_lot_on_record_is_flagged(
    session_factory: Factory, world: World
) -> None:
    found = await scan(session_factory, "(01)06901234567892(17)270701(10)L2406A")  # the human-readable form
    assert isinstance(found.match, SkuMatch)
    assert found.match.lot is not None
    assert (found.match.lot.lot_id, found.match.lot.expiry_differs) == (world.milk_lot, True)
    assert found.match.lot.scanned_expiry == date(2027, 7, 1)


async def test_gs1_case_code_gives_the_pack_quantity(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "\x1d" + "0110036000291459" + "3724")
    assert isinstance(found.match, SkuMatch)
    assert (found.match.sku_id, found.match.pack_qty, found.match.lot) == (world.cola, 24, None)


async def test_gs1_with_an_unknown_gtin_is_unknown_with_the_parsed_fields(
    session_factory: Factory, world: World
) -> None:
    found = await scan(session_factory, "]d2" + "0109501101530003" + "10ABC")
    assert (found.kind, found.reason, found.looks_like) == ("unknown", "not_found", "gs1")
    assert found.gs1 is not None
    assert (found.gs1.gtin, found.gs1.lot) == ("09501101530003", "ABC")


async def test_a_malformed_gs1_symbol_is_unknown_naming_where_it_broke(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "]d2" + "0106901234567893")  # AI 01 with a wrong check digit
    assert (found.kind, found.reason, found.looks_like) == ("unknown", "malformed_gs1", "gs1")
    assert "position" in found.message
    assert found.message_zh


async def test_raw_gs1_digits_without_an_identifier_are_still_read(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "0106901234567892" + "10L2406A")  # a scanner with AIM sending off
    assert isinstance(found.match, SkuMatch)
    assert (found.match.sku_id, found.match.lot.lot_id if found.match.lot else None) == (world.milk, world.milk_lot)


async def test_an_sscc_alone_is_unknown_and_says_it_is_not_tracked(session_factory: Factory, world: World) -> None:
    body = "00614141123456789"
    found = await scan(session_factory, "]C1" + "00" + body + gtin_check_digit(body))
    assert (found.kind, found.reason, found.looks_like) == ("unknown", "sscc", "sscc")
    assert found.gs1 is not None
    assert found.gs1.sscc == body + gtin_check_digit(body)


# --- check digits, unknown codes, suggestions ---------------------------------------------------


async def test_a_wrong_check_digit_is_unknown_with_the_right_digit_and_the_sku_meant(
    session_factory: Factory, world: World
) -> None:
    found = await scan(session_factory, "6901234567893")
    assert (found.kind, found.reason, found.looks_like, found.expected_check_digit) == (
        "unknown",
        "check_digit_wrong",
        "ean13",
        "2",
    )
    assert "check digit" in found.message
    first = found.suggestions[0]
    assert (first.kind, first.id, first.code, first.why) == ("sku", world.milk, "06901234567892", "check_digit")


async def test_digits_failing_the_gtin_check_may_still_be_an_order_number(
    session_factory: Factory, world: World
) -> None:
    number = "123456789013"  # a JD-style 12-digit order number; as a UPC-A its check digit would be 2
    async with session_factory() as s, s.begin():
        s.add(
            Order(
                channel_id=world.channel,
                platform_order_no=number,
                status=OrderStatus.paid,
                platform_status=PlatformStatus.paid,
                ordered_at=datetime(2026, 11, 11, tzinfo=UTC),
            )
        )
    found = await scan(session_factory, number, world.hz)
    assert found.kind == "order"
    assert isinstance(found.match, OrderMatch)
    assert found.match.warehouse_id is None  # not routed yet: in every warehouse's scope


async def test_a_valid_ean_that_no_sku_has_says_what_it_looks_like(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "9501101530003")
    assert (found.kind, found.reason, found.looks_like) == ("unknown", "not_found", "ean13")
    assert found.message == "looks like an EAN-13 but no SKU has it"


async def test_near_misses_are_suggested(session_factory: Factory, world: World) -> None:
    swapped = await scan(session_factory, "HZ-A-01-30")
    assert swapped.kind == "unknown"
    assert [(s.kind, s.id, s.why) for s in swapped.suggestions][:1] == [("bin", world.hz_bin, "one_edit")]
    truncated = await scan(session_factory, "PO-2026-004")
    assert [(s.kind, s.code, s.why) for s in truncated.suggestions][:1] == [("purchase_order", PO_CODE, "same_prefix")]
    neighbour_key = await scan(session_factory, "L2406S")  # S is next to A
    assert [(s.kind, s.id) for s in neighbour_key.suggestions][:1] == [("lot", world.milk_lot)]


async def test_a_sku_code_that_is_no_barcode_is_suggested_as_such(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "COLA-330")
    assert found.kind == "unknown"
    assert [(s.kind, s.id, s.why) for s in found.suggestions][:1] == [("sku", world.cola, "sku_code")]


async def test_nothing_like_it_is_unknown_without_suggestions(session_factory: Factory, world: World) -> None:
    found = await scan(session_factory, "QQQQ-ZZZZ-9")
    assert (found.kind, found.reason, found.suggestions) == ("unknown", "not_found", [])
    assert found.message_zh


# --- case, ambiguity, scope -------------------------------------------------------------------------


async def test_lower_case_finds_an_upper_case_code_but_an_exact_match_wins(
    session_factory: Factory, world: World
) -> None:
    lower = await scan(session_factory, "hz-a-01-03")
    assert (lower.kind, lower.normalized) == ("bin", "hz-a-01-03")
    async with session_factory() as s, s.begin():
        s.add(Location(warehouse_id=world.hz, code="B-9", barcode="inner-6", type=LocationType.storage))
    assert (await scan(session_factory, "inner-6")).kind == "bin"  # exact: the bin's barcode
    assert (await scan(session_factory, "INNER-6")).kind == "sku"  # exact: the SKU's barcode


async def test_a_code_of_two_kinds_is_ambiguous_with_every_candidate(session_factory: Factory, world: World) -> None:
    async with session_factory() as s, s.begin():
        s.add(Location(warehouse_id=world.hz, code=ORDER_NO, barcode="HZ-X", type=LocationType.storage))
    found = await scan(session_factory, ORDER_NO, world.hz)
    assert found.kind == "ambiguous"
    assert found.match is None
    assert sorted(type(c).__name__ for c in found.candidates) == ["BinMatch", "OrderMatch"]
    assert "a bin" in found.message
    assert found.message_zh


async def test_warehouse_scope_decides_between_bins_of_the_same_code(session_factory: Factory, world: World) -> None:
    unscoped = await scan(session_factory, "A-01-03")
    assert unscoped.kind == "ambiguous"
    assert {c.location_id for c in unscoped.candidates if isinstance(c, BinMatch)} == {world.hz_bin, world.gz_bin}
    hz = await scan(session_factory, "A-01-03", world.hz)
    assert isinstance(hz.match, BinMatch)
    assert hz.match.location_id == world.hz_bin


async def test_a_row_of_another_warehouse_is_unknown_here_and_says_where_it_is(
    session_factory: Factory, world: World
) -> None:
    found = await scan(session_factory, PO_CODE, world.hz)  # the PO is Guangzhou's
    assert (found.kind, found.reason) == ("unknown", "other_warehouse")
    assert [(s.kind, s.id, s.warehouse_id, s.why) for s in found.suggestions] == [
        ("purchase_order", world.purchase_order, world.gz, "other_warehouse")
    ]
    bin_elsewhere = await scan(session_factory, "GZ-A-01-03", world.hz)
    assert bin_elsewhere.reason == "other_warehouse"
    assert bin_elsewhere.suggestions[0].label == "GZ"
    waybill = await scan(session_factory, WAYBILL, world.gz)  # Hangzhou's parcel
    assert [(s.kind, s.id, s.code, s.label) for s in waybill.suggestions] == [
        ("waybill", world.shipment, WAYBILL, "SF")
    ]


async def test_rows_of_warehouses_the_caller_cannot_see_are_never_shown(session_factory: Factory, world: World) -> None:
    hidden = await scan(session_factory, PO_CODE, visible={world.hz})
    assert (hidden.kind, hidden.reason, hidden.suggestions) == ("unknown", "not_found", [])
    near = await scan(session_factory, "GZ-A-01-30", visible={world.hz})
    assert all(s.warehouse_id != world.gz for s in near.suggestions)
    only_hz = await scan(session_factory, "A-01-03", visible={world.hz})
    assert isinstance(only_hz.match, BinMatch)
    assert only_hz.match.location_id == world.hz_bin


async def test_order_numbers_repeat_across_shops_and_are_then_ambiguous(session_factory: Factory, world: World) -> None:
    async with session_factory() as s, s.begin():
        other = Channel(code="JD1", name="京东店", platform="jd")
        s.add(other)
        await s.flush()
        s.add(
            Order(
                channel_id=other.id,
                platform_order_no=ORDER_NO,
                status=OrderStatus.paid,
                platform_status=PlatformStatus.paid,
                ordered_at=datetime(2026, 11, 11, tzinfo=UTC),
            )
        )
    found = await scan(session_factory, ORDER_NO)
    assert found.kind == "ambiguous"
    assert sorted(c.channel_code for c in found.candidates if isinstance(c, OrderMatch)) == ["JD1", "TMALL1"]


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "x" * 513])
async def test_empty_or_oversized_text_is_refused(session_factory: Factory, text: str) -> None:
    async with session_factory() as s:
        with pytest.raises(DomainError) as refused:
            await resolve_scan(s, text, warehouse_id=None)
    assert refused.value.status == 400
    assert refused.value.field == "text"


# --- cost -----------------------------------------------------------------------------------------


async def test_a_hit_costs_two_queries_and_an_unknown_two(
    session_factory: Factory, world: World, engine: AsyncEngine
) -> None:
    """One UNION over every kind, then the display data of the kind found (or the suggestions)."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    kinds: list[MatchKind] = []
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for text in ("HZ-A-01-03", "036000291452", ORDER_NO, "HZ-A-01-30"):
            statements.clear()
            found = await scan(session_factory, text, world.hz)
            kinds.append(found.match.__struct_config__.tag if found.match else found.kind)  # type: ignore[arg-type]
            assert len(statements) == 2, (text, statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert kinds == ["bin", "sku", "order", "unknown"]

"""The pure half of scan resolution: cleaning, GTIN readings, shapes, near-miss variants (no database)."""

from __future__ import annotations

import pytest

from server.catalog.gtin import gtin_check_digit
from server.catalog.services.barcode_forms import CheckDigitError
from server.scanning.resolve_text import (
    KEYBOARD_NEIGHBOURS,
    MAX_VARIANTS,
    barcode_forms,
    clean_scan,
    edit_distance,
    format_hint,
    gtin_variants,
    is_tote_code,
    one_edit_variants,
    read_gtin,
    scan_barcode_forms,
    text_forms,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "text", "symbology"),
    [
        (" 6901234567892\r\n", "6901234567892", None),  # a wedge scanner's Enter
        ("６９０１２３４５６７８９２", "6901234567892", None),  # typed in a full-width IME
        ("]E06901234567892", "6901234567892", "]E0"),  # EAN-13 with its AIM identifier
        ("]C0HZ01-A-01-03\t", "HZ01-A-01-03", "]C0"),  # plain Code 128
        ("]Q1https://example.cn/p?id=42", "https://example.cn/p?id=42", "]Q1"),
        ("6 901234 567892", "6901234567892", None),  # the printed groups of an EAN, typed
        ("Box 12", "Box 12", None),  # inner spaces of other codes are part of them
    ],
)
def test_clean_scan_trims_folds_and_strips_aim(raw: str, text: str, symbology: str | None) -> None:
    scan = clean_scan(raw)
    assert (scan.text, scan.symbology, scan.gs1) == (text, symbology, None)


@pytest.mark.parametrize(
    ("raw", "strength"),
    [
        ("]d20109501101530003172512311OABC", "strong"),  # GS1 DataMatrix identifier
        ("]C10109501101530003", "strong"),  # GS1-128
        ("\x1d0109501101530003", "strong"),  # a leading FNC1 sent as GS
        ("{GS}0109501101530003", "strong"),  # the wedge's text for FNC1
        ("(01)09501101530003(10)ABC", "weak"),  # the human-readable form
        ("010950110153000310ABC", "weak"),  # raw, no identifier: AI 01 + a valid GTIN + more
    ],
)
def test_gs1_is_recognised_strongly_or_weakly(raw: str, strength: str) -> None:
    scan = clean_scan(raw)
    assert scan.gs1 == strength
    if strength == "strong" and raw.startswith("]"):
        assert scan.text == raw  # the parser reads the identifier itself


def test_digits_with_a_wrong_gtin_after_ai_01_are_not_taken_for_gs1() -> None:
    assert clean_scan("010950110153000410ABC").gs1 is None  # 09501101530004 fails its check digit


def test_text_forms_are_exact_first_then_upper_case() -> None:
    assert text_forms("hz-a-01") == ("hz-a-01", "HZ-A-01")
    assert text_forms("HZ-A-01") == ("HZ-A-01",)
    assert text_forms("6901234567892") == ("6901234567892",)


def test_barcode_forms_of_upca_ean13_and_gtin14_are_the_same_stored_code() -> None:
    assert barcode_forms("036000291452").forms == ("00036000291452",)
    assert barcode_forms("0036000291452").forms == ("00036000291452",)
    assert barcode_forms("00036000291452").forms == ("00036000291452",)
    upce = barcode_forms("04252614")  # UPC-E, expanded to UPC-A 042100005264
    assert upce.forms == ("00042100005264",)
    assert barcode_forms("042100005264").forms == upce.forms


def test_barcode_forms_mark_the_exact_ones_and_a_wrong_check_digit() -> None:
    forms = barcode_forms("inner-6")
    assert (forms.forms, forms.exact) == (("inner-6", "INNER-6"), 1)
    wrong = barcode_forms("6901234567893")
    assert wrong.forms == ()
    assert wrong.check_digit_error is not None
    assert wrong.check_digit_error.expected == "2"


@pytest.mark.parametrize(
    ("code", "shape", "valid", "indicator"),
    [
        ("96385074", "ean8", True, None),
        ("04252614", "upce", True, None),
        ("036000291452", "upca", True, None),
        ("6901234567892", "ean13", True, None),
        ("6901234567893", "ean13", False, None),
        ("00036000291452", "gtin14", True, 0),
        ("10036000291459", "gtin14", True, 1),
    ],
)
def test_read_gtin_names_the_shape(code: str, shape: str, valid: bool, indicator: int | None) -> None:
    reading = read_gtin(code)
    assert reading is not None
    assert (reading.shape, reading.valid, reading.indicator) == (shape, valid, indicator)


def test_a_case_gtin_names_the_item_inside() -> None:
    reading = read_gtin("10036000291459")
    assert reading is not None
    assert reading.item_form == "00036000291452"
    assert read_gtin("HZ-01") is None
    assert read_gtin("123456789") is None  # 9 digits is no GTIN length


@pytest.mark.parametrize(
    ("code", "tote"), [("TOTE-0042", True), ("tote_7", True), ("TOTE42", True), ("TOTES-1", False)]
)
def test_tote_codes(code: str, tote: bool) -> None:
    assert is_tote_code(code) is tote


@pytest.mark.parametrize(
    ("code", "looks_like"),
    [
        ("6901234567892", "ean13"),
        ("036000291452", "upca"),
        ("10036000291459", "gtin14"),
        ("SF1234567890123", "waybill"),
        ("3000000000000001234", "order"),
        ("PO-2026-0042", "purchase_order"),
        ("https://example.cn/x", "url"),
        ("HZ-A-01", None),
    ],
)
def test_format_hint_says_what_the_code_looks_like(code: str, looks_like: str | None) -> None:
    hint = format_hint(code)
    assert (hint.looks_like if hint else None) == looks_like
    if hint is not None:
        assert hint.message
        assert hint.message_zh


def test_sscc_is_recognised() -> None:
    body = "00614141123456789"
    hint = format_hint(body + gtin_check_digit(body))
    assert hint is not None
    assert hint.looks_like == "sscc"


def test_one_edit_variants_cover_the_usual_slips_and_stay_bounded() -> None:
    variants = one_edit_variants("HZ-A-01-03")
    assert "HZ-A-01-30" in variants  # two characters swapped
    assert "HZ-A-0-03" in variants  # one too many
    assert "HZ-A-01-04" in variants  # a neighbouring key
    assert "HZ-A-01-003" in variants  # a doubled character typed once
    assert "HZ-A-01-03" not in variants
    assert len(variants) == len(set(variants)) <= MAX_VARIANTS
    assert len(one_edit_variants("X" * 64)) <= MAX_VARIANTS


def test_keyboard_neighbours_are_symmetric() -> None:
    for key, neighbours in KEYBOARD_NEIGHBOURS.items():
        for other in neighbours:
            assert key in KEYBOARD_NEIGHBOURS[other], (key, other)
    assert set(KEYBOARD_NEIGHBOURS["5"]) >= {"4", "6", "2", "8"}  # number row and keypad


def test_gtin_variants_are_the_valid_codes_one_slip_away() -> None:
    variants = gtin_variants("6901234567893")
    assert "06901234567892" in variants  # the check digit itself mistyped
    assert all(len(v) == 14 for v in variants)
    assert len(variants) < 40


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("HZ-A-01-03", "HZ-A-01-30") == 1
    assert edit_distance("ABC", "ABC") == 0
    assert edit_distance("ABC", "ABCD") == 1
    assert edit_distance("ABC", "XYZ") == 3


def test_scan_barcode_forms_reads_aim_and_gs1_and_refuses_a_wrong_check_digit() -> None:
    assert scan_barcode_forms("]E00036000291452") == ("00036000291452",)
    assert scan_barcode_forms("]d20100036000291452" + "10LOT7") == ("00036000291452",)
    assert scan_barcode_forms("(01)00036000291452(10)LOT7")[0] == "00036000291452"
    with pytest.raises(CheckDigitError):
        scan_barcode_forms("036000291453")

"""How barcodes are stored and which stored forms a scan may match (no database)."""

from __future__ import annotations

import pytest

from server.catalog.models import BarcodeKind
from server.catalog.services.barcode_forms import CheckDigitError, StoredForm, lookup_forms, stored_form

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("036000291452", "00036000291452"),  # UPC-A
        ("0036000291452", "00036000291452"),  # the same item as EAN-13
        (" 6901234567892\r\n", "06901234567892"),  # a wedge scanner's trailing CR/LF
        ("６９０１２３４５６７８９２", "06901234567892"),  # typed in a full-width IME
        ("96385074", "00000096385074"),  # EAN-8
        ("10036000291459", "10036000291459"),  # GTIN-14 case code
    ],
)
def test_gtin_shaped_codes_are_stored_as_fourteen_digits(raw: str, code: str) -> None:
    assert stored_form(raw) == StoredForm(code, BarcodeKind.gtin)


def test_upca_and_ean13_scans_look_up_the_same_stored_code() -> None:
    assert lookup_forms("036000291452") == lookup_forms("0036000291452") == ("00036000291452",)


@pytest.mark.parametrize(("raw", "expected"), [("6901234567893", "2"), ("036000291453", "2"), ("10036000291458", "9")])
def test_wrong_check_digit_is_refused_naming_the_right_one(raw: str, expected: str) -> None:
    with pytest.raises(CheckDigitError) as caught:
        stored_form(raw)
    assert caught.value.expected == expected
    with pytest.raises(CheckDigitError):
        lookup_forms(raw)


def test_upce_code_invalid_as_ean8_is_stored_as_its_upca() -> None:
    # 04252614 is UPC-E for UPC-A 042100005264; as EAN-8 its check digit is wrong.
    form = stored_form("04252614")
    assert form.code == "00042100005264"
    assert form.kind is BarcodeKind.gtin
    assert lookup_forms("04252614") == ("00042100005264",)
    assert lookup_forms("042100005264") == ("00042100005264",)


def test_eight_digits_valid_both_ways_look_up_ean8_first() -> None:
    # 96385074 is a valid EAN-8; it does not start with 0/1 so it is never UPC-E.
    assert lookup_forms("96385074") == ("00000096385074",)
    # 01234565 is valid as EAN-8 and as UPC-E (→ 012345000065); EAN-8 comes first, UPC-E second.
    assert lookup_forms("01234565") == ("00000001234565", "00012345000065")


@pytest.mark.parametrize("raw", ["SKU-RED-42", "  BOX 12  ", "12345", "123456789012345", "6901234567892A"])
def test_other_codes_are_internal_and_kept_as_given_trimmed(raw: str) -> None:
    form = stored_form(raw)
    assert form.kind is BarcodeKind.internal
    assert form.code == raw.strip()
    assert lookup_forms(raw) == (raw.strip(),)


def test_non_ascii_digits_are_not_taken_for_a_gtin() -> None:
    arabic_indic = "٦٩٠١٢٣٤٥٦٧٨٩٢"  # NFKC keeps these; they are not GTIN digits
    assert stored_form(arabic_indic).kind is BarcodeKind.internal

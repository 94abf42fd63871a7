"""GTIN check digits and normalisation, on real printed codes."""

from __future__ import annotations

import pytest

from server.catalog.gtin import InvalidGtin, expand_upce, gtin_check_digit, is_valid_gtin, normalize_gtin

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("code", "normalized"),
    [
        ("036000291452", "00036000291452"),  # UPC-A (Wrigley's)
        ("0036000291452", "00036000291452"),  # the same as EAN-13
        ("6901234567892", "06901234567892"),  # EAN-13, China prefix 690
        ("96385074", "00000096385074"),  # EAN-8
        ("10036000291459", "10036000291459"),  # GTIN-14 case of the UPC-A above
    ],
)
def test_normalize_gtin_gives_fourteen_digits(code: str, normalized: str) -> None:
    assert normalize_gtin(code) == normalized


def test_upca_and_ean13_forms_normalize_equal() -> None:
    assert normalize_gtin("036000291452") == normalize_gtin("0036000291452")


@pytest.mark.parametrize("code", ["6901234567893", "036000291453", "96385075", "12345", "69012345678a"])
def test_normalize_gtin_refuses_bad_check_digit_or_length(code: str) -> None:
    with pytest.raises(InvalidGtin):
        normalize_gtin(code)


def test_check_digit_matches_gs1_example() -> None:
    assert gtin_check_digit("629104150021") == "3"
    assert is_valid_gtin("6291041500213")


def test_upce_expands_to_upca() -> None:
    assert expand_upce("04252614") == "042100005264"
    assert normalize_gtin("04252614", upce=True) == "00042100005264"

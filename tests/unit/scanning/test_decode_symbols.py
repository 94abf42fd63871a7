"""One result shape from two decoders: names, GTINs, GS1 detection, corner order, weak reads."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from server.scanning.decode_zbar import _corners, read_zbar
from server.scanning.pipeline import _plausible
from server.scanning.symbols import Read, gtin_of, probably_gs1, to_symbol, zbar_format, zxing_format
from tests.unit.scanning.decode_images import placed, symbol

pytestmark = pytest.mark.unit


def _read(fmt: str, text: str, *, decoder: str = "zxing-cpp", aim: str | None = None, gs1: bool = False) -> Read:
    return Read(format=fmt, text=text, aim=aim, gs1=gs1, corners=np.zeros((4, 2)), decoder=decoder)


@pytest.mark.parametrize(
    ("zxing", "zbar", "ours"),
    [
        ("EAN13", "EAN13", "ean13"),
        ("UPCA", "UPCA", "upca"),
        ("QRCode", "QRCODE", "qr"),
        ("ITF", "I25", "itf"),
        ("Code128", "CODE128", "code128"),
        ("DataBarExp", "DATABAR_EXP", "databar_expanded"),
    ],
)
def test_both_decoders_format_names_meet(zxing: str, zbar: str, ours: str) -> None:
    assert zxing_format(zxing) == zbar_format(zbar) == ours


def test_every_zxing_format_gets_a_lower_case_name() -> None:
    for fmt in zxingcpp.BarcodeFormat.__members__.values():
        assert zxing_format(fmt.name) == zxing_format(fmt.name).lower()


@pytest.mark.parametrize(
    ("fmt", "text", "gtin"),
    [
        ("ean13", "6901234567892", "06901234567892"),
        ("upca", "036000291452", "00036000291452"),
        ("upce", "05096893", "00050968000093"),  # ZBar's 8 digits
        ("upce", "0050968000093", "00050968000093"),  # zxing-cpp's expanded 13
        ("ean8", "96385074", "00000096385074"),
        ("ean13", "6901234567893", None),  # wrong check digit
        ("code128", "6901234567892", None),  # digits, but not a retail symbol
    ],
)
def test_gtin_of(fmt: str, text: str, gtin: str | None) -> None:
    assert gtin_of(fmt, text) == gtin


def test_gs1_detection() -> None:
    assert probably_gs1(_read("code128", "0109501101530003", gs1=True))
    assert probably_gs1(_read("datamatrix", "0109501101530003", aim="]d2"))
    # ZBar hides FNC1: an AI at the start and a GS inside is taken as GS1.
    assert probably_gs1(_read("code128", "10AB-123\x1d21S1", decoder="zbar"))
    assert not probably_gs1(_read("code128", "BIN-A01\x1dX", decoder="zbar"))
    assert not probably_gs1(_read("code128", "0101234"))
    assert not probably_gs1(_read("ean13", "6901234567892", aim="]E0"))


def test_to_symbol_rounds_corners_and_fills_gs1() -> None:
    read = _read("code128", "0109501101530003\x1d", aim="]C1", gs1=True)
    sym = to_symbol(read, np.array([[1.4, 2.6], [10.5, 2.0], [10.0, 8.0], [1.0, 8.0]]))
    assert [(p.x, p.y) for p in sym.position] == [(1, 3), (10, 2), (10, 8), (1, 8)]
    assert sym.gs1 is not None and sym.gs1.gtin == "09501101530003"


@pytest.mark.parametrize(
    ("fmt", "text", "kept"),
    [
        ("code39", "T", False),  # a one-letter "Code 39" in wood grain
        ("codabar", "A1B", False),
        ("itf", "0053611912", True),
        ("code39", "LOC-1", True),
        ("code128", "T", True),  # mandatory check character
        ("ean13", "6901234567893", False),
        ("qr", "", False),
    ],
)
def test_weak_reads_are_dropped(fmt: str, text: str, kept: bool) -> None:
    assert _plausible(_read(fmt, text)) is kept


def test_zbar_corners_are_a_box_from_top_left_clockwise() -> None:
    scan_points = [(100, 50), (100, 90), (300, 91), (301, 49), (200, 70)]
    box = _corners(scan_points)
    top_left, top_right, bottom_right, bottom_left = box
    assert top_left[0] < top_right[0] and top_left[1] < bottom_left[1]
    assert bottom_right[0] > bottom_left[0] and bottom_right[1] > top_right[1]


def test_zbar_reads_retail_codes_only_and_names_upca() -> None:
    upca = placed(symbol("03600029145", zxingcpp.BarcodeFormat.UPCA, scale=2)).image
    code128 = placed(symbol("HELLO-1", zxingcpp.BarcodeFormat.Code128, scale=2)).image
    assert [(r.format, r.text, r.aim) for r in read_zbar(upca)] == [("upca", "036000291452", "]E0")]
    assert read_zbar(code128) == []


def test_zbar_rows_only_still_reads_an_upright_code_and_votes() -> None:
    image = placed(symbol("690123456789", zxingcpp.BarcodeFormat.EAN13, scale=2)).image
    (read,) = read_zbar(image, rows_only=True, min_quality=2)
    assert read.text == "6901234567892"
    assert read_zbar(image, rows_only=True, min_quality=100_000) == []

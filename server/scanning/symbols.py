"""What a decoded frame answers: one ``Symbol`` per barcode found, the same shape from either decoder.

zxing-cpp and ZBar name formats differently (``EAN13`` / ``EAN13``, ``QRCode`` / ``QRCODE``,
``ITF`` / ``I25``) and ZBar reports UPC-A as an EAN-13 unless asked; clients switch on one
lower-case name instead. ``text`` is the payload as the decoder transmitted it — GS1 element
strings keep their ``\\x1d`` (GS) separators, and no parentheses are added — so a client can hand
it to the same GS1 parser a keyboard-wedge scan goes through. EAN/UPC also carry ``gtin``, the
14-digit form the catalog stores (``server.catalog.gtin``), so UPC-A ``036000291452``, its EAN-13
form and an expanded UPC-E all look the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from server.catalog.gtin import InvalidGtin, normalize_gtin
from server.lib.schema import Schema
from server.scanning.gs1 import Gs1Data, Gs1Error, looks_like_gs1, parse_gs1

Corners = npt.NDArray[np.float64]
"""4×2 (x, y): top-left, top-right, bottom-right, bottom-left as the symbol reads."""

RETAIL_FORMATS = frozenset({"ean13", "ean8", "upca", "upce"})
GS1_AIM = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
_AI_START = re.compile(r"^(?:0[0-4]|1[0-7]|2[0-5]|3\d|4[0-2]|7\d|8\d|9\d)")
"""The first two digits of a GS1 Application Identifier."""


class Point(Schema):
    x: int
    y: int


class Gs1Problem(Schema):
    """The symbol says it is GS1 but its element string does not parse."""

    message: str
    message_zh: str
    position: int


class Symbol(Schema, kw_only=True):
    format: str
    """Normalised: ean13, ean8, upca, upce, code128, code39, code93, codabar, itf, databar,
    databar_expanded, databar_limited, qr, micro_qr, rmqr, datamatrix, pdf417, micro_pdf417,
    aztec, maxicode, ..."""
    text: str
    """Raw payload; GS1 separators (GS, 0x1D) kept; no AIM prefix."""
    aim: str | None = None
    """AIM symbology identifier (``]E0``, ``]C1``, ``]d2``, ``]Q3`` …) when the decoder knows it."""
    gtin: str | None = None
    """EAN/UPC only: the GTIN-14 (check digit validated by the decoder and again here)."""
    position: list[Point]
    """Four corners in the sent image's pixels: top-left, top-right, bottom-right, bottom-left of
    the symbol as it reads (a linear code's may be a thin line)."""
    gs1: Gs1Data | None = None
    """Parsed GS1 element strings when the symbol is GS1 (GS1-128, GS1 DataMatrix/QR, DataBar)."""
    gs1_error: Gs1Problem | None = None
    decoder: str
    """``zxing-cpp`` or ``zbar``: which library read it (diagnostics, benchmarks)."""


class DecodeResult(Schema):
    symbols: list[Symbol]
    """Empty when the frame holds no readable barcode (most live frames)."""
    width: int
    """Of the image as sent (after its EXIF orientation), the space ``position`` is in."""
    height: int
    elapsed_ms: float
    """Decoding time on the server, loading included."""


@dataclass(frozen=True, slots=True)
class Read:
    """One decoder hit before it becomes a ``Symbol``: corners still in the decoded image's pixels."""

    format: str
    text: str
    aim: str | None
    gs1: bool
    """The decoder said the payload is GS1 (FNC1 in first position)."""
    corners: Corners
    decoder: str


_ZXING_NAMES = {
    "QRCode": "qr",
    "QRCodeModel1": "qr",
    "QRCodeModel2": "qr",
    "MicroQRCode": "micro_qr",
    "RMQRCode": "rmqr",
    "Code39Std": "code39",
    "Code39Ext": "code39",
    "DataBarOmni": "databar",
    "DataBarStk": "databar",
    "DataBarStkOmni": "databar",
    "DataBarExp": "databar_expanded",
    "DataBarExpStk": "databar_expanded",
    "DataBarLtd": "databar_limited",
    "MicroPDF417": "micro_pdf417",
    "CompactPDF417": "pdf417",
    "AztecCode": "aztec",
    "AztecRune": "aztec_rune",
    "DXFilmEdge": "dx_film_edge",
}
_ZBAR_NAMES = {
    "QRCODE": "qr",
    "I25": "itf",
    "DATABAR": "databar",
    "DATABAR_EXP": "databar_expanded",
    "ISBN10": "isbn10",
    "ISBN13": "ean13",
    "SQCODE": "sqcode",
}
_ZBAR_AIM = {"EAN13": "]E0", "UPCA": "]E0", "UPCE": "]E0", "ISBN13": "]E0", "EAN8": "]E4"}


def zxing_format(name: str) -> str:
    """``BarcodeFormat.name`` of zxing-cpp to our name."""
    return _ZXING_NAMES.get(name, name.lower())


def zbar_format(name: str) -> str:
    """``Decoded.type`` of pyzbar to our name."""
    return _ZBAR_NAMES.get(name, name.lower())


def zbar_aim(name: str) -> str | None:
    return _ZBAR_AIM.get(name)


def gtin_of(format_: str, text: str) -> str | None:
    if format_ not in RETAIL_FORMATS:
        return None
    try:
        return normalize_gtin(text, upce=format_ == "upce" and len(text) == 8)
    except InvalidGtin:
        return None


def probably_gs1(read: Read) -> bool:
    """The decoder said so, or (ZBar, which hides FNC1) digits starting with an AI and a GS inside."""
    if read.gs1 or (read.aim is not None and read.aim in GS1_AIM):
        return True
    if read.format in RETAIL_FORMATS:
        return False
    if read.aim is not None and looks_like_gs1(read.aim + read.text):
        return True
    return read.decoder == "zbar" and "\x1d" in read.text and bool(_AI_START.match(read.text))


def to_symbol(read: Read, corners: Corners) -> Symbol:
    """``corners`` already mapped to the sent image's pixels."""
    gs1: Gs1Data | None = None
    problem: Gs1Problem | None = None
    if probably_gs1(read):
        try:
            gs1 = parse_gs1(read.text)
        except Gs1Error as exc:
            problem = Gs1Problem(message=exc.message, message_zh=exc.message_zh, position=exc.position)
    return Symbol(
        format=read.format,
        text=read.text,
        aim=read.aim,
        gtin=gtin_of(read.format, read.text),
        position=[Point(x=round(float(x)), y=round(float(y))) for x, y in corners],
        gs1=gs1,
        gs1_error=problem,
        decoder=read.decoder,
    )

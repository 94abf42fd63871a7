"""The shipping label (面单) as a 100 × 150 mm PDF, the size thermal label printers in Chinese
warehouses take.

Chinese text uses reportlab's built-in CID font STSong-Light: the PDF names the font and the
viewer or printer supplies the glyphs, so no font file ships with Cangku and labels stay a few KB.
ASCII-only text (the waybill and order numbers) is set in Helvetica, which every printer has and
which keeps those numbers searchable in the PDF. The receiver is printed exactly as stored —
masked by the platform (张**, 138****1234) — and never decrypted here: decrypting is the platform
print component's job at print time.
"""

from __future__ import annotations

import io
from functools import cache

import msgspec
from reportlab.graphics.barcode.code128 import Code128  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

WIDTH_MM = 100
HEIGHT_MM = 150
CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MARGIN = 5 * mm
BARCODE_MAX_WIDTH = 86 * mm
BARCODE_BAR_WIDTH = 0.45 * mm
"""Wider bars scan better from a crumpled parcel; long numbers shrink to fit the label."""


class LabelData(msgspec.Struct, frozen=True, kw_only=True):
    """Everything printed on a label, gathered by ``service.label_data`` (no database here)."""

    waybill_no: str
    carrier_code: str
    carrier_name: str
    sort_code: str = ""
    issued_locally: bool = False
    parcel_no: int = 1
    order_no: str
    item_count: int
    weight_g: int | None = None
    sender_name: str
    sender_address: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    receiver_address: str = ""


@cache
def _cjk_font() -> str:
    """Register the CID font once per process (registration parses its metrics)."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _font_for(text: str, *, bold: bool = False) -> str:
    if text.isascii():
        return LATIN_BOLD if bold else LATIN_FONT
    return _cjk_font()


def _wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break by characters (Chinese has no spaces to break at); the last line ends in … if cut."""
    lines: list[str] = []
    current = ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, font, size) > width and current:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _draw(canvas: Canvas, x: float, y: float, text: str, size: float, *, bold: bool = False) -> None:
    canvas.setFont(_font_for(text, bold=bold), size)
    canvas.drawString(x, y, text)


def _centered(canvas: Canvas, y: float, text: str, size: float, *, bold: bool = False) -> None:
    canvas.setFont(_font_for(text, bold=bold), size)
    canvas.drawCentredString(WIDTH_MM * mm / 2, y, text)


def _rule(canvas: Canvas, y_mm: float) -> None:
    canvas.line(0, y_mm * mm, WIDTH_MM * mm, y_mm * mm)


def _barcode(canvas: Canvas, value: str, y: float, height: float) -> None:
    """Code 128 (what Chinese carriers print), as wide as fits, centred."""
    modules = Code128(value, barWidth=1, barHeight=height, humanReadable=False).width
    bar_width = min(BARCODE_BAR_WIDTH, BARCODE_MAX_WIDTH / modules)
    barcode = Code128(value, barWidth=bar_width, barHeight=height, humanReadable=False)
    barcode.drawOn(canvas, (WIDTH_MM * mm - barcode.width) / 2, y)


def _party(canvas: Canvas, top_mm: float, mark: str, name_line: str, address: str, size: float) -> None:
    """A 收 (receiver) or 寄 (sender) block: the mark, a name line, the address wrapped."""
    _draw(canvas, MARGIN, (top_mm - 9) * mm, mark, 18)
    left = MARGIN + 10 * mm
    _draw(canvas, left, (top_mm - 6) * mm, name_line, size)
    font = _font_for(address)
    for i, line in enumerate(_wrap(address, font, size, WIDTH_MM * mm - left - MARGIN, 4)):
        _draw(canvas, left, (top_mm - 11.5 - i * 4.5) * mm, line, size)


def render_label(data: LabelData, *, compress: bool = True) -> bytes:
    """One page, 100 × 150 mm. ``compress=False`` leaves the content stream readable (tests look for
    the waybill number in it). Output is byte-identical for the same data (no creation time)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH_MM * mm, HEIGHT_MM * mm), pageCompression=1 if compress else 0, invariant=1)
    canvas.setTitle(f"{data.carrier_code} {data.waybill_no}")
    canvas.setLineWidth(0.8)
    canvas.rect(1 * mm, 1 * mm, (WIDTH_MM - 2) * mm, (HEIGHT_MM - 2) * mm)

    _draw(canvas, MARGIN, 141 * mm, data.carrier_name, 15)
    flags = [f"第{data.parcel_no}件"] + (["本地单号"] if data.issued_locally else [])
    canvas.setFont(_cjk_font(), 9)
    canvas.drawRightString(WIDTH_MM * mm - MARGIN, 142 * mm, "  ".join(flags))
    _rule(canvas, 137)

    if data.sort_code:
        _centered(canvas, 124 * mm, data.sort_code, 24, bold=True)
    _rule(canvas, 118)

    _barcode(canvas, data.waybill_no, 97 * mm, 18 * mm)
    _centered(canvas, 92 * mm, data.waybill_no, 13, bold=True)
    _rule(canvas, 89)

    receiver_line = " ".join(part for part in (data.receiver_name, data.receiver_phone) if part)
    _party(canvas, 89, "收", receiver_line, data.receiver_address, 11)
    _rule(canvas, 60)
    _party(canvas, 60, "寄", data.sender_name, data.sender_address, 9)
    _rule(canvas, 37)

    _draw(canvas, MARGIN, 30 * mm, "订单号", 10)
    _draw(canvas, MARGIN + 14 * mm, 30 * mm, data.order_no, 10)
    _draw(canvas, MARGIN, 24 * mm, f"件数 {data.item_count}", 10)
    if data.weight_g is not None:
        _draw(canvas, MARGIN + 30 * mm, 24 * mm, f"重量 {data.weight_g / 1000:.2f} kg", 10)
    _draw(canvas, MARGIN, 8 * mm, "签收前请检查包裹是否完好", 8)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

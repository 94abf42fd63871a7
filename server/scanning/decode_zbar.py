"""ZBar (pyzbar), the second opinion on retail codes.

ZBar reads blurred EAN/UPC that zxing-cpp misses (measured, ADR-0014) and nothing else of ours
better: it has no DataMatrix, an unfinished PDF417, and on other 1D symbologies it adds misreads
(a one-letter "Code 39" on a photo of a wall). So the pipeline asks it for EAN-13, EAN-8, UPC-A
and UPC-E only — each carries a check digit — and asking for UPC-A/UPC-E by name makes ZBar
report them as such instead of as a 13-digit EAN-13.

``quality`` is, for a linear code, the number of scan lines that decoded the same text: a vote.

``pyzbar.decode`` cannot set ZBar's scan density, so this drives the same ctypes calls itself
(pyzbar's helpers, pinned below 0.2): an upright crop only needs horizontal scan lines, which
halves ZBar's time on it.
"""

from __future__ import annotations

from ctypes import c_char_p, c_void_p, cast

import cv2
import numpy as np
from pyzbar import pyzbar  # type: ignore[import-untyped]
from pyzbar.pyzbar import ZBarSymbol  # type: ignore[import-untyped]
from pyzbar.wrapper import (  # type: ignore[import-untyped]
    ZBarConfig,
    zbar_image_scanner_set_config,
    zbar_image_set_data,
    zbar_image_set_format,
    zbar_image_set_size,
    zbar_scan_image,
)

from server.scanning.frame import Grey
from server.scanning.symbols import Corners, Read, zbar_aim, zbar_format

RETAIL = (ZBarSymbol.EAN13, ZBarSymbol.EAN8, ZBarSymbol.UPCA, ZBarSymbol.UPCE)
_GREY_FOURCC = pyzbar._FOURCC["L800"]


def _corners(polygon: list[tuple[int, int]]) -> Corners:
    """ZBar gives the scan-line end points; the rotated box around them, ordered as zxing's."""
    points = np.array(polygon, dtype=np.float32).reshape(-1, 2)
    if len(points) == 1:
        return np.repeat(points.astype(np.float64), 4, axis=0)
    box = cv2.boxPoints(cv2.minAreaRect(points)).astype(np.float64)
    # Start at the corner nearest the top-left, then go clockwise (image y points down).
    centre = box.mean(axis=0)
    box = box[np.argsort(np.arctan2(box[:, 1] - centre[1], box[:, 0] - centre[0]))]
    return np.roll(box, -int(np.argmin(box[:, 0] + box[:, 1])), axis=0)


def _scan(grey: Grey, symbols: tuple[ZBarSymbol, ...], rows_only: bool, density: int) -> list[pyzbar.Decoded]:
    pixels = np.ascontiguousarray(grey).tobytes()
    height, width = grey.shape
    with pyzbar._image_scanner() as scanner:
        for symbol in set(ZBarSymbol) - set(symbols):
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 0)
        for symbol in symbols:
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        # Density is the spacing of scan lines in pixels; X density spaces the vertical ones and
        # 0 turns them off.
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_X_DENSITY, 0 if rows_only else density)
        zbar_image_scanner_set_config(scanner, ZBarSymbol.NONE, ZBarConfig.CFG_Y_DENSITY, density)
        with pyzbar._image() as image:
            zbar_image_set_format(image, _GREY_FOURCC)
            zbar_image_set_size(image, width, height)
            zbar_image_set_data(image, cast(c_char_p(pixels), c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, image) < 0:
                return []
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(image)))


def read_zbar(
    grey: Grey,
    *,
    symbols: tuple[ZBarSymbol, ...] = RETAIL,
    min_quality: int = 1,
    rows_only: bool = False,
    density: int = 1,
) -> list[Read]:
    """``rows_only`` for an image whose bars stand vertical (an upright crop); ``density`` N scans
    every Nth line (an enlarged image loses nothing at 2, and costs half)."""
    reads = []
    for decoded in _scan(grey, symbols, rows_only, density):
        if decoded.quality < min_quality:
            continue
        reads.append(
            Read(
                format=zbar_format(decoded.type),
                text=decoded.data.decode("utf-8", errors="replace"),
                aim=zbar_aim(decoded.type),
                gs1=False,
                corners=_corners(list(decoded.polygon)),
                decoder="zbar",
            )
        )
    return reads

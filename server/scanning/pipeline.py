"""The decode strategy: a fast first pass, then stronger passes only while the frame's budget lasts.

Most live frames hold no barcode, so what a frame costs when nothing is found matters as much as
what is read. Passes run in order and the first that reads anything ends the frame (the camera
sends another frame a moment later; a symbol missed now is read then):

1. ``zxing``     zxing-cpp, every format, on the frame as is (its own rotate/downscale/invert
                 tries). Reads ~81% of the corpus photos by itself, in a few milliseconds.
2. ``regions``   linear-code texture found by the structure tensor (``decode_regions``); each
                 candidate cut out upright, enlarged across the bars and contrast-equalised
                 (CLAHE), then zxing-cpp's linear readers and, if they fail, ZBar's EAN/UPC with at
                 least ``CROP_ZBAR_VOTES`` scan lines agreeing. Blurred, tilted and small codes.
3. ``enhanced``  the whole frame enlarged (≤ 2×, bicubic) and contrast-equalised, for zxing-cpp's
                 linear and PDF417 readers: codes whose crops did not decode. Only when pass 2
                 found linear texture at all — half the no-barcode photos have none and stop here.
4. ``enhanced_zbar`` the same image for ZBar's EAN/UPC, every second scan line, at least
                 ``ENHANCED_ZBAR_VOTES`` agreeing (enhancement also sharpens noise into bars).

ZBar on the plain frame, an obvious second pass, is not one: after ``regions`` it read nothing
more on the corpus and cost as much as the first pass (ADR-0014).

Every pass has a cost in megapixels handed to a decoder; a pass runs only if its estimate fits in
what is left of ``WORK_BUDGET_MP``, and none starts after ``DEADLINE_S``. The work budget keeps the
result the same on a busy and a quiet machine (tests and benchmarks repeat); the deadline bounds a
pathological frame.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from server.scanning import decode_regions
from server.scanning.decode_zbar import read_zbar
from server.scanning.decode_zxing import LINEAR, LINEAR_AND_STACKED, read_zxing
from server.scanning.frame import Frame, Grey, load_frame
from server.scanning.symbols import RETAIL_FORMATS, Corners, DecodeResult, Read, Symbol, gtin_of, to_symbol

WORK_BUDGET_MP = 2.0
"""Megapixels of decoder input per frame, all passes together (the first pass always runs)."""
DEADLINE_S = 0.25
"""No pass starts after this much time on one frame (a backstop; the work budget binds first)."""
ENHANCED_PIXELS = 1_300_000
"""The enlarged frame is at most this big (a 640×480 frame doubles to 1.2 MP)."""
MAX_UPSCALE = 2.0
CROP_ZBAR_VOTES = 2
CROP_ZBAR_DENSITY = 1
ENHANCED_ZBAR_VOTES = 3
ENHANCED_ZBAR_DENSITY = 2
WEAK_LINEAR = frozenset({"code39", "codabar", "itf"})
"""Linear codes without a mandatory check character: short reads of these appear in wood grain."""
MIN_WEAK_LENGTH = 4

Affine = npt.NDArray[np.float64]
"""2×3: maps a stage image's pixel to the frame's grey pixel."""
Stages = Iterator[tuple[list[Read], Affine, float]]
"""A pass yields (reads, stage→grey affine, megapixels decoded) per image it decodes; lazily, so the
budget can stop it between images."""


@dataclass(slots=True)
class Trace:
    """What happened to one frame (for the benchmark and for logs)."""

    passes: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    """Wall time of each pass in ``passes``."""
    work_mp: float = 0.0
    hit: str | None = None
    """The pass that read the symbols, or None."""


class _Work:
    """One frame's grey image and the images derived from it, made at most once."""

    def __init__(self, grey: Grey) -> None:
        self.grey = grey
        self.regions: list[decode_regions.Region] | None = None
        """Set by the regions pass; [] means no linear-code texture anywhere in the frame."""
        self._enhanced: tuple[Grey, Affine] | None = None

    def enhanced(self) -> tuple[Grey, Affine]:
        if self._enhanced is None:
            height, width = self.grey.shape
            factor = min(MAX_UPSCALE, math.sqrt(ENHANCED_PIXELS / (width * height)))
            image, to_grey = _resized(self.grey, factor)
            self._enhanced = (_clahe(image), to_grey)
        return self._enhanced

    def enhanced_mp(self) -> float:
        """What the enhanced passes decode; infinite (never run) on a frame without linear texture:
        what they rescue are blurred linear and PDF417 codes, and those have it."""
        if self.regions == []:
            return math.inf
        return min(self.grey.size * MAX_UPSCALE**2, ENHANCED_PIXELS) / 1e6


def _identity() -> Affine:
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def _resized(grey: Grey, factor: float) -> tuple[Grey, Affine]:
    if abs(factor - 1.0) < 1e-3:
        return grey, _identity()
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    image: Grey = np.asarray(cv2.resize(grey, None, fx=factor, fy=factor, interpolation=interpolation), np.uint8)
    sy, sx = grey.shape[0] / image.shape[0], grey.shape[1] / image.shape[1]
    return image, np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0]])


def _clahe(image: Grey) -> Grey:
    return np.asarray(cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(image), np.uint8)


def _map(corners: Corners, affine: Affine) -> Corners:
    mapped: Corners = np.hstack([corners, np.ones((corners.shape[0], 1))]) @ affine.T
    return mapped


def _plausible(read: Read) -> bool:
    """Drop reads a decoder's own checks cannot vouch for."""
    if not read.text:
        return False
    if read.format in RETAIL_FORMATS:
        return gtin_of(read.format, read.text) is not None
    return not (read.format in WEAK_LINEAR and len(read.text) < MIN_WEAK_LENGTH)


def _pass_zxing(work: _Work) -> Stages:
    yield read_zxing(work.grey), _identity(), work.grey.size / 1e6


def _pass_regions(work: _Work) -> Stages:
    work.regions = decode_regions.find_regions(work.grey)
    for region in work.regions:
        crop, to_grey = decode_regions.upright_crop(work.grey, region)
        crop = _clahe(crop)
        # Upright now: rows cross every bar, so no rotated tries are needed.
        reads = read_zxing(crop, formats=LINEAR, try_rotate=False, try_invert=False, try_downscale=False)
        decoded = crop.size
        if not reads:
            reads = read_zbar(crop, rows_only=True, min_quality=CROP_ZBAR_VOTES, density=CROP_ZBAR_DENSITY)
            decoded += crop.size
        yield reads, to_grey, decoded / 1e6


def _pass_enhanced(work: _Work) -> Stages:
    image, to_grey = work.enhanced()
    reads = read_zxing(image, formats=LINEAR_AND_STACKED, try_invert=False, try_downscale=False)
    yield reads, to_grey, image.size / 1e6


def _pass_enhanced_zbar(work: _Work) -> Stages:
    image, to_grey = work.enhanced()
    reads = read_zbar(image, min_quality=ENHANCED_ZBAR_VOTES, density=ENHANCED_ZBAR_DENSITY)
    yield reads, to_grey, image.size / 1e6 / ENHANCED_ZBAR_DENSITY


PASSES: tuple[tuple[str, Callable[[_Work], Stages], Callable[[_Work], float]], ...] = (
    ("zxing", _pass_zxing, lambda w: 0.0),
    ("regions", _pass_regions, lambda w: 2 * decode_regions.CROP_WIDTH * decode_regions.CROP_HEIGHT / 1e6),
    ("enhanced", _pass_enhanced, _Work.enhanced_mp),
    ("enhanced_zbar", _pass_enhanced_zbar, lambda w: w.enhanced_mp() / ENHANCED_ZBAR_DENSITY),
)
"""(name, pass, megapixels it is expected to decode — checked against the budget before it starts)."""


def _key(read: Read) -> tuple[str, str]:
    gtin = gtin_of(read.format, read.text)
    return ("gtin", gtin) if gtin else (read.format, read.text)


def decode_frame(
    frame: Frame,
    *,
    budget_mp: float = WORK_BUDGET_MP,
    deadline_s: float = DEADLINE_S,
    trace: Trace | None = None,
) -> list[Symbol]:
    """Every symbol the first successful pass reads, positions in the sent image's pixels."""
    trace = trace if trace is not None else Trace()
    started = time.perf_counter()
    work = _Work(frame.grey)
    to_sent = 1.0 / frame.scale
    for name, run, estimate in PASSES:
        if trace.passes and (trace.work_mp + estimate(work) > budget_mp or time.perf_counter() - started > deadline_s):
            break
        trace.passes.append(name)
        pass_started = time.perf_counter()
        found: dict[tuple[str, str], Symbol] = {}
        for reads, to_grey, decoded_mp in run(work):
            trace.work_mp += decoded_mp
            for read in reads:
                if _plausible(read) and _key(read) not in found:
                    found[_key(read)] = to_symbol(read, _map(read.corners, to_grey) * to_sent)
            if found or trace.work_mp >= budget_mp:
                break
        trace.ms.append((time.perf_counter() - pass_started) * 1000)
        if found:
            trace.hit = name
            return list(found.values())
    return []


def decode_image(data: bytes) -> DecodeResult:
    """Sent bytes to the answer: validate and load (4xx ``DomainError`` on bad input), then decode.

    Blocking and CPU-bound (OpenCV, zxing-cpp and ZBar release the GIL): call it in a worker thread.
    """
    started = time.perf_counter()
    frame = load_frame(data)
    symbols = decode_frame(frame)
    return DecodeResult(
        symbols=symbols,
        width=frame.width,
        height=frame.height,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )

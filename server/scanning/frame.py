"""One camera frame from the outside world: sniffed, size-checked, then decoded to 8-bit grey.

A frame is untrusted bytes. Everything that can be refused cheaply is refused before OpenCV
allocates pixels: an empty body, too many bytes, bytes that are not JPEG/PNG/WebP (sniffed from
the magic bytes, never from the declared Content-Type), and dimensions above ``MAX_PIXELS`` read
from the file header — a 100-byte PNG may claim 100000×100000 pixels (a decompression bomb), and
only the header says so before 30 GB are allocated. Truncated files are refused too: libjpeg
would otherwise hand back a half-grey picture with a warning.

Large frames are decoded reduced (``IMREAD_REDUCED_GRAYSCALE_2/4/8``; libjpeg scales while
decoding, so a 48 MP JPEG never exists at full size) to at most ``DECODE_PIXELS``: barcodes in a
phone photo that big are still dozens of pixels per module after reduction.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from server.lib.errors import DomainError

MAX_FRAME_BYTES = 8 * 1024 * 1024
"""A 12 MP phone JPEG is 3–5 MB; live frames the PWA sends are 100–400 KB."""
MAX_PIXELS = 40_000_000
"""Header width × height above this is refused before decoding (a 48 MP sensor writes 8000×6000)."""
MAX_FULL_DECODE_PIXELS = 16_000_000
"""The lower limit for PNG and WebP: OpenCV decodes those at full size (in colour, for WebP) before
reducing, 300+ MB for 40 MP; libjpeg scales while it decodes, so JPEG keeps ``MAX_PIXELS``."""
DECODE_PIXELS = 4_000_000
"""Frames above this are decoded at 1/2, 1/4 or 1/8 scale so the grey image stays below it."""

Grey = npt.NDArray[np.uint8]


class ImageKind(enum.StrEnum):
    jpeg = "jpeg"
    png = "png"
    webp = "webp"


class EmptyFrame(DomainError):
    status = 400
    code = "empty_frame"


class FrameTooLarge(DomainError):
    status = 413
    code = "frame_too_large"


class UnsupportedFrame(DomainError):
    status = 415
    code = "unsupported_media_type"


class CorruptFrame(DomainError):
    status = 422
    code = "corrupt_image"


@dataclass(frozen=True, slots=True)
class Frame:
    """The grey pixels to decode, and how they map back to the sent image."""

    grey: Grey
    kind: ImageKind
    width: int
    """Of the image as sent (header), in pixels."""
    height: int
    scale: float
    """``grey`` pixels per sent pixel (1.0, or 1/2, 1/4, 1/8 for reduced decoding)."""


def sniff(data: bytes) -> ImageKind | None:
    """The format from the magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return ImageKind.jpeg
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageKind.png
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageKind.webp
    return None


def _corrupt(what: str) -> CorruptFrame:
    return CorruptFrame(f"the image is damaged or truncated ({what})", message_zh="图片已损坏或不完整", field="body")


def _png_size(data: bytes) -> tuple[int, int]:
    # Signature (8), then the IHDR chunk: length (4), b"IHDR", width (4), height (4), ...
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise _corrupt("PNG without an IHDR header")
    width, height = struct.unpack(">II", data[16:24])
    if b"IEND" not in data[-256:]:  # some writers append a few bytes after it; libpng ignores them
        raise _corrupt("PNG without its IEND end chunk")
    return width, height


_MAX_JPEG_SEGMENTS = 512
"""A camera JPEG has a dozen or two segments before its scan; a file of thousands is an attack."""
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int]:
    """Walk the marker segments to the frame header (SOFn), then check the image is complete."""
    pos, size, end = 2, None, len(data)
    for _ in range(_MAX_JPEG_SEGMENTS):
        if pos + 4 > end:
            break
        if data[pos] != 0xFF:  # stray bytes between segments: libjpeg skips them, so do we
            pos = data.find(b"\xff", pos)
            if pos < 0:
                break
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, 0xD8, *range(0xD0, 0xD8)):  # stand-alone markers carry no length
            pos += 2
            continue
        if marker == 0xD9:  # end of image before any scan
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            raise _corrupt("JPEG segment length")
        if marker in _SOF_MARKERS:
            if pos + 9 > end:
                raise _corrupt("JPEG frame header cut off")
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            size = (width, height)
        if marker == 0xDA:  # start of scan: entropy-coded data follows up to EOI
            if size is None:
                raise _corrupt("JPEG scan before its frame header")
            # Inside entropy-coded data 0xFF is always followed by 0x00 or RSTn, so FFD9 after the
            # scan header can only be the real end of image (an EXIF thumbnail's EOI comes earlier).
            if data.rfind(b"\xff\xd9") < pos:
                raise _corrupt("JPEG ends before its end-of-image marker")
            return size
        pos += 2 + length
    raise _corrupt("JPEG without image data")


def _webp_size(data: bytes) -> tuple[int, int]:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise _corrupt("WebP shorter than its RIFF header says")
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise _corrupt("WebP without a known image header")


def header_size(kind: ImageKind, data: bytes) -> tuple[int, int]:
    """(width, height) from the file header, without decoding pixels."""
    if kind is ImageKind.png:
        return _png_size(data)
    if kind is ImageKind.jpeg:
        return _jpeg_size(data)
    return _webp_size(data)


def _reduction(pixels: int) -> tuple[int, float]:
    for flag, scale in (
        (cv2.IMREAD_GRAYSCALE, 1.0),
        (cv2.IMREAD_REDUCED_GRAYSCALE_2, 0.5),
        (cv2.IMREAD_REDUCED_GRAYSCALE_4, 0.25),
    ):
        if pixels * scale * scale <= DECODE_PIXELS:
            return flag, scale
    return cv2.IMREAD_REDUCED_GRAYSCALE_8, 0.125


def load_frame(data: bytes, *, max_bytes: int = MAX_FRAME_BYTES, max_pixels: int = MAX_PIXELS) -> Frame:
    """Validate and decode ``data``; raises a 4xx ``DomainError`` naming what is wrong."""
    if not data:
        raise EmptyFrame(
            "the request has no image: send the frame as the body", message_zh="请求中没有图片", field="body"
        )
    if len(data) > max_bytes:
        raise FrameTooLarge(
            f"the image is {len(data)} bytes; at most {max_bytes} are accepted",
            message_zh=f"图片过大：最多 {max_bytes // (1024 * 1024)} MB",
            field="body",
            detail={"max_bytes": max_bytes},
        )
    kind = sniff(data)
    if kind is None:
        raise UnsupportedFrame(
            "the body is not a JPEG, PNG or WebP image", message_zh="不是 JPEG、PNG 或 WebP 图片", field="body"
        )
    width, height = header_size(kind, data)
    if width <= 0 or height <= 0:
        raise _corrupt("zero width or height")
    if kind is not ImageKind.jpeg:
        max_pixels = min(max_pixels, MAX_FULL_DECODE_PIXELS)
    if width * height > max_pixels:
        raise FrameTooLarge(
            f"the image is {width}×{height} pixels; at most {max_pixels} pixels are accepted",
            message_zh=f"图片尺寸过大：最多 {max_pixels // 1_000_000} 百万像素",
            field="body",
            detail={"width": width, "height": height, "max_pixels": max_pixels},
        )
    flag, scale = _reduction(width * height)
    try:
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    except cv2.error as exc:
        raise _corrupt("the decoder refused it") from exc
    if decoded is None or decoded.ndim != 2 or decoded.size == 0:
        raise _corrupt("the decoder refused it")
    grey: Grey = np.asarray(decoded, dtype=np.uint8)
    # The header was read by our own parser and the pixels by OpenCV's: refuse a file whose two
    # disagree (a second, larger frame hidden behind the first header would dodge MAX_PIXELS).
    # OpenCV applies a JPEG's EXIF orientation, as browsers do when they show it: a quarter turn
    # swaps the two, and positions are then in the image as displayed.
    got_h, got_w = grey.shape
    if _fits(got_w, got_h, width, height, scale):
        return Frame(grey=grey, kind=kind, width=width, height=height, scale=scale)
    if _fits(got_w, got_h, height, width, scale):
        return Frame(grey=grey, kind=kind, width=height, height=width, scale=scale)
    raise _corrupt(f"header says {width}×{height}, pixels are {got_w}×{got_h} at scale {scale}")


def _fits(got_w: int, got_h: int, width: int, height: int, scale: float) -> bool:
    return abs(got_w - width * scale) <= 1 and abs(got_h - height * scale) <= 1

"""Images for the decode tests: the real photos in tests/fixtures/barcodes, and synthetic symbols.

Synthetic symbols come from zxing-cpp's writer, pasted on a grey canvas at a known place (and
optionally rotated, blurred or enlarged), so a test knows where the decoder must say it is.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "barcodes"
_ESCAPE = re.compile(r"\\(\\|t|n|r|x[0-9a-fA-F]{2})")

Grey = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Photo:
    file: str
    symbology: str
    expected: str

    @property
    def data(self) -> bytes:
        return (FIXTURES / self.file).read_bytes()


def _unescape(text: str) -> str:
    names = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    return _ESCAPE.sub(lambda m: names.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), text)


def photos() -> list[Photo]:
    rows = []
    for line in (FIXTURES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "file\t")):
            continue
        file, symbology, _kind, expected, *_ = line.split("\t")
        rows.append(Photo(file, symbology, _unescape(expected)))
    return rows


@dataclass(frozen=True)
class Placed:
    image: Grey
    box: tuple[float, float, float, float]
    """(left, top, right, bottom) of the symbol on the canvas, before any rotation."""
    centre: tuple[float, float]


def symbol(content: str, fmt: zxingcpp.BarcodeFormat, *, scale: int = 3, gs1: bool = False) -> Grey:
    barcode = zxingcpp.create_barcode(content, fmt, gs1=True) if gs1 else zxingcpp.create_barcode(content, fmt)
    image: Grey = np.array(zxingcpp.write_barcode_to_image(barcode, scale=scale), dtype=np.uint8)
    return image


def placed(
    sym: Grey,
    *,
    canvas: tuple[int, int] = (640, 480),
    at: tuple[int, int] = (120, 100),
    angle: float = 0.0,
    blur: float = 0.0,
    background: int = 200,
) -> Placed:
    """``sym`` pasted at ``at`` (left, top) on a ``canvas`` (width, height), then rotated about its centre."""
    width, height = canvas
    image = np.full((height, width), background, np.uint8)
    left, top = at
    h, w = sym.shape
    image[top : top + h, left : left + w] = sym
    centre = (left + w / 2, top + h / 2)
    if angle:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        image = cv2.warpAffine(image, matrix, (width, height), borderValue=background)
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return Placed(image, (left, top, left + w, top + h), centre)


def encode(image: Grey, ext: str = ".png") -> bytes:
    ok, buffer = cv2.imencode(ext, image)
    assert ok
    return bytes(buffer.tobytes())


def png_header(width: int, height: int) -> bytes:
    """A PNG that is only a signature and an IHDR chunk claiming ``width`` × ``height`` (plus IEND)."""
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + iend


def with_jpeg_size(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0) rewritten to claim another size."""
    pos = jpeg.index(b"\xff\xc0")
    return jpeg[: pos + 5] + struct.pack(">HH", height, width) + jpeg[pos + 9 :]


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """The JPEG with an EXIF APP1 segment holding only the orientation tag."""
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, orientation)
    app1 = b"Exif\x00\x00" + tiff + struct.pack("<I", 0)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]

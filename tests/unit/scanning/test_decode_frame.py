"""Loading a camera frame: every bad input is refused with its 4xx before pixels are allocated."""

from __future__ import annotations

import struct
import time

import cv2
import numpy as np
import pytest

from server.scanning import frame as frame_module
from server.scanning.frame import (
    DECODE_PIXELS,
    CorruptFrame,
    EmptyFrame,
    FrameTooLarge,
    ImageKind,
    UnsupportedFrame,
    header_size,
    load_frame,
    sniff,
)
from tests.unit.scanning.decode_images import encode, png_header, with_exif_orientation, with_jpeg_size

pytestmark = pytest.mark.unit


def _picture(width: int = 200, height: int = 100) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 255, (height, width), dtype=np.uint8)


@pytest.mark.parametrize(
    ("ext", "kind"), [(".jpg", ImageKind.jpeg), (".png", ImageKind.png), (".webp", ImageKind.webp)]
)
def test_each_format_is_sniffed_and_loaded_grey_at_full_size(ext: str, kind: ImageKind) -> None:
    data = encode(_picture(), ext)
    assert sniff(data) is kind
    loaded = load_frame(data)
    assert (loaded.kind, loaded.width, loaded.height, loaded.scale) == (kind, 200, 100, 1.0)
    assert loaded.grey.shape == (100, 200)
    assert loaded.grey.dtype == np.uint8


@pytest.mark.parametrize(
    ("params", "chunk"),
    [([cv2.IMWRITE_WEBP_QUALITY, 80], b"VP8 "), ([cv2.IMWRITE_WEBP_QUALITY, 101], b"VP8L")],
)
def test_webp_header_size_lossy_and_lossless(params: list[int], chunk: bytes) -> None:
    ok, buffer = cv2.imencode(".webp", _picture(321, 123), params)
    assert ok
    data = buffer.tobytes()
    assert data[12:16] == chunk
    assert header_size(ImageKind.webp, data) == (321, 123)


def test_webp_extended_header_size() -> None:
    vp8x = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (4999).to_bytes(3, "little")
        + (2999).to_bytes(3, "little")
    )
    data = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x
    assert header_size(ImageKind.webp, data) == (5000, 3000)


def test_empty_body_is_400() -> None:
    with pytest.raises(EmptyFrame) as caught:
        load_frame(b"")
    assert caught.value.status == 400
    assert caught.value.message_zh


@pytest.mark.parametrize(
    "data",
    [b"GIF89a" + b"\x00" * 100, b"%PDF-1.7\n", b"hello, this is text", b'{"frame": 1}', b"BM" + b"\x00" * 60],
)
def test_a_non_image_is_415(data: bytes) -> None:
    with pytest.raises(UnsupportedFrame) as caught:
        load_frame(data)
    assert caught.value.status == 415
    assert "JPEG, PNG or WebP" in caught.value.message


def test_too_many_bytes_is_413_before_anything_else() -> None:
    with pytest.raises(FrameTooLarge) as caught:
        load_frame(b"\xff\xd8\xff" + b"\x00" * 2000, max_bytes=1000)
    assert caught.value.status == 413
    assert caught.value.detail == {"max_bytes": 1000}


def test_png_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*_: object) -> None:
        raise AssertionError("the bomb reached the decoder")

    monkeypatch.setattr(frame_module.cv2, "imdecode", never)
    started = time.perf_counter()
    with pytest.raises(FrameTooLarge) as caught:
        load_frame(png_header(100_000, 100_000))
    assert time.perf_counter() - started < 0.05
    assert caught.value.detail == {
        "width": 100_000,
        "height": 100_000,
        "max_pixels": frame_module.MAX_FULL_DECODE_PIXELS,
    }


def test_png_and_webp_have_a_lower_pixel_limit_than_jpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    """30 MP is fine as a JPEG (decoded at 1/4 scale) but refused as a PNG (decoded whole first)."""
    monkeypatch.setattr(frame_module.cv2, "imdecode", lambda *_: pytest.fail("decoded"))
    with pytest.raises(FrameTooLarge):
        load_frame(png_header(6000, 5000))
    monkeypatch.setattr(frame_module.cv2, "imdecode", lambda *_: np.zeros((1250, 1500), np.uint8))
    jpeg = load_frame(with_jpeg_size(encode(_picture(), ".jpg"), 6000, 5000))
    assert (jpeg.width, jpeg.height, jpeg.scale) == (6000, 5000, 0.25)


def test_jpeg_claiming_a_huge_size_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = with_jpeg_size(encode(_picture(), ".jpg"), 65_000, 65_000)
    monkeypatch.setattr(frame_module.cv2, "imdecode", lambda *_: pytest.fail("decoded"))
    with pytest.raises(FrameTooLarge):
        load_frame(bomb)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp"])
def test_truncated_image_is_422(ext: str) -> None:
    data = encode(_picture(400, 300), ext)
    with pytest.raises(CorruptFrame) as caught:
        load_frame(data[: len(data) * 2 // 3])
    assert caught.value.status == 422
    assert caught.value.message_zh == "图片已损坏或不完整"


@pytest.mark.parametrize("cut", [4, 12, 20, 30])
def test_image_cut_inside_its_header_is_422_not_a_crash(cut: int) -> None:
    for ext in (".jpg", ".png", ".webp"):
        data = encode(_picture(), ext)[:cut]
        with pytest.raises((CorruptFrame, UnsupportedFrame)):
            load_frame(data)


def test_png_with_garbage_pixels_is_422() -> None:
    data = bytearray(encode(_picture(300, 200), ".png"))
    idat = data.index(b"IDAT")
    data[idat + 8 : idat + 400] = bytes(range(256)) + bytes(136)
    with pytest.raises(CorruptFrame):
        load_frame(bytes(data))


def test_pixels_larger_than_the_header_said_are_422(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our header parser and OpenCV's decoder must agree, or MAX_PIXELS could be dodged."""
    data = encode(_picture(200, 100), ".png")
    monkeypatch.setattr(frame_module.cv2, "imdecode", lambda *_: np.zeros((5000, 5000), np.uint8))
    with pytest.raises(CorruptFrame):
        load_frame(data)


def test_large_frame_is_decoded_reduced_and_remembers_the_sent_size() -> None:
    big = cv2.resize(_picture(300, 200), (3000, 2000), interpolation=cv2.INTER_NEAREST)  # 6 MP
    loaded = load_frame(encode(big, ".jpg"))
    assert (loaded.width, loaded.height) == (3000, 2000)
    assert loaded.scale == 0.5
    assert loaded.grey.shape == (1000, 1500)
    assert loaded.grey.size <= DECODE_PIXELS


def test_exif_rotation_is_applied_and_reported_in_the_displayed_orientation() -> None:
    rotated = with_exif_orientation(encode(_picture(200, 100), ".jpg"), 6)  # 6: turn 90° clockwise to view
    loaded = load_frame(rotated)
    assert (loaded.width, loaded.height) == (100, 200)
    assert loaded.grey.shape == (200, 100)


def test_a_jpeg_of_endless_tiny_segments_is_refused_quickly() -> None:
    hostile = b"\xff\xd8" + b"\xff\xfe\x00\x02" * 1_000_000  # 4 MB of empty comments, no image
    started = time.perf_counter()
    with pytest.raises(CorruptFrame):
        load_frame(hostile)
    assert time.perf_counter() - started < 0.5

"""Fake camera input for Chromium: real label photos turned into the Y4M file that
``--use-file-for-fake-video-capture`` plays in a loop (TESTING-RECIPES §4: 4:2:0, one frame is
enough), so the PWA's camera path decodes the same photos the decode corpus holds."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

WIDTH, HEIGHT = 640, 480


def _frame(photo: Path) -> Image.Image:
    """The photo centred on white at 640x480, scaled down (never up) to fit."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    with Image.open(photo) as im:
        picture = im.convert("RGB")
        picture.thumbnail((WIDTH, HEIGHT))
        canvas.paste(picture, ((WIDTH - picture.width) // 2, (HEIGHT - picture.height) // 2))
    return canvas


def write_y4m(photos: list[Path], out: Path, *, frames_each: int = 1, fps: int = 30) -> Path:
    """One Y4M holding each photo for ``frames_each`` frames, in order (the browser loops it)."""
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for photo in photos:
            y, cb, cr = _frame(photo).convert("YCbCr").split()
            half = (WIDTH // 2, HEIGHT // 2)
            planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
            for _ in range(frames_each):
                f.write(b"FRAME\n")
                f.write(planes)
    return out

"""Draw the app icons into pwa/public/icons/ (run once; the PNGs are committed).

Why a script and not an image editor: the icons are plain geometry (a warehouse roof over a
rack of boxes), so code keeps them reproducible and reviewable. Drawn at 4x and scaled down
for smooth edges. The maskable icon keeps its drawing inside the central 60 % so every
platform mask (circle, squircle, teardrop: safe zone = circle of 40 % radius) leaves it whole.

    .venv/bin/python pwa/scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
ACCENT = (10, 88, 202)  # --accent in src/styles.css, also the manifest's theme_color
WHITE = (255, 255, 255)
SCALE = 4


def _draw(size: int, *, content: float, rounded: bool) -> Image.Image:
    """``content``: share of the side the drawing may use; ``rounded``: corner radius for `any` icons."""
    big = size * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    radius = int(big * 0.18) if rounded else 0
    d.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=ACCENT)

    box = big * content
    left = (big - box) / 2
    top = (big - box) / 2
    stroke = max(2, int(box * 0.07))
    # Roof: a wide gable over the walls.
    roof_peak = (big / 2, top)
    roof_l = (left, top + box * 0.36)
    roof_r = (left + box, top + box * 0.36)
    d.polygon([roof_peak, roof_r, roof_l], fill=WHITE)
    # Walls: an open front with a 2 x 2 rack of boxes inside.
    wall_top = top + box * 0.36
    wall_l = left + box * 0.1
    wall_r = left + box * 0.9
    bottom = top + box
    d.rectangle((wall_l, wall_top, wall_l + stroke, bottom), fill=WHITE)
    d.rectangle((wall_r - stroke, wall_top, wall_r, bottom), fill=WHITE)
    d.rectangle((wall_l, bottom - stroke, wall_r, bottom), fill=WHITE)
    inner_l = wall_l + stroke * 1.8
    inner_r = wall_r - stroke * 1.8
    inner_t = wall_top + box * 0.12
    inner_b = bottom - stroke * 1.8
    gap = stroke * 0.8
    cw = (inner_r - inner_l - gap) / 2
    ch = (inner_b - inner_t - gap) / 2
    for row in range(2):
        for col in range(2):
            x0 = inner_l + col * (cw + gap)
            y0 = inner_t + row * (ch + gap)
            d.rectangle((x0, y0, x0 + cw, y0 + ch), fill=WHITE)
            # The tape line across each box, in the background colour.
            tape = max(1, stroke // 3)
            mid = x0 + cw / 2
            d.rectangle((mid - tape / 2, y0, mid + tape / 2, y0 + ch * 0.35), fill=ACCENT)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        _draw(size, content=0.72, rounded=True).save(OUT / f"icon-{size}.png", optimize=True)
    _draw(512, content=0.56, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS ignores the manifest's icons and rounds corners itself: full-bleed, no transparency.
    _draw(180, content=0.66, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(OUT.parent.parent), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()

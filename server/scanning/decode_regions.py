"""Candidate regions of linear barcodes, found by their texture, and cut out upright.

The decoders scan rows and columns: a linear code tilted by more than about 20° is crossed by no
single row, and one small in a big frame has too few pixels per bar. A linear code is the one
texture whose gradients are strong and all parallel over a patch, which the structure tensor
measures: *energy* (how strong) and *coherence* (how parallel, 0–1). Patches high in both are
joined into blobs; each blob's rotated rectangle and mean gradient direction give a crop that is
rotated so the bars stand vertical, padded with quiet zone, and scaled so the decoders see a few
pixels per module. Found on a frame shrunk to ``DETECT_SIDE`` so it costs a millisecond or two
and stays cheap on the frames with no barcode at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from server.scanning.frame import Grey

DETECT_SIDE = 320
"""The longer side of the image the texture is measured on."""
MIN_COHERENCE = 0.7
MIN_AREA_FRACTION = 0.01
"""Blobs smaller than this share of the frame are noise, or codes too small to decode anyway."""
MAX_REGIONS = 3
CROP_WIDTH = 800
"""An upright crop is scaled across the bars to this width (at most ``MAX_UPSCALE``): the 113
modules of an EAN-13 with its quiet zones get about 5 px each."""
CROP_HEIGHT = 120
"""…and along the bars to at most this height: bars are the same all along, so a short crop loses
nothing a row scan needs and costs a fraction of a proportional one."""
MAX_UPSCALE = 3.0

Affine = npt.NDArray[np.float64]
"""2×3: maps a crop's pixel to the frame's pixel."""


@dataclass(frozen=True, slots=True)
class Region:
    centre: tuple[float, float]
    """In the frame's pixels."""
    length: float
    """Across the bars (the code's width), frame pixels."""
    thickness: float
    """Along the bars (the code's height)."""
    angle: float
    """Direction across the bars (the mean gradient), degrees from the x axis, y pointing down; the
    crop is rotated by it so the bars stand vertical."""
    score: float


def _structure(small: npt.NDArray[np.float32], window: int) -> tuple[npt.NDArray[np.float32], ...]:
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    box = (window, window)
    return tuple(np.asarray(cv2.boxFilter(a * b, -1, box), dtype=np.float32) for a, b in ((gx, gx), (gy, gy), (gx, gy)))


def find_regions(grey: Grey, *, max_regions: int = MAX_REGIONS) -> list[Region]:
    """The most barcode-like blobs, best first; [] on a frame with no strong parallel texture."""
    height, width = grey.shape
    shrink = min(1.0, DETECT_SIDE / max(height, width))
    small = cv2.resize(grey, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA) if shrink < 1 else grey
    small_f = small.astype(np.float32) / 255.0
    window = max(5, round(max(small.shape) / 40) | 1)
    jxx, jyy, jxy = _structure(small_f, window)
    energy = jxx + jyy
    coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / (energy + 1e-6)
    # "Strong" is relative to the frame (lighting varies) but never below a floor (a blank wall).
    floor = max(float(np.percentile(energy[::4, ::4], 75)), 0.02)
    mask = ((coherence > MIN_COHERENCE) & (energy > floor)).astype(np.uint8)
    # Join a code's pieces (wide spaces and guard bars break the texture) across two windows.
    close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * window + 1, 2 * window + 1))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = MIN_AREA_FRACTION * small.shape[0] * small.shape[1]
    regions = []
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] < min_area:
            continue
        left, top = stats[label, cv2.CC_STAT_LEFT], stats[label, cv2.CC_STAT_TOP]
        box = np.s_[top : top + stats[label, cv2.CC_STAT_HEIGHT], left : left + stats[label, cv2.CC_STAT_WIDTH]]
        inside = labels[box] == label
        bxx, byy, bxy = jxx[box], jyy[box], jxy[box]
        # Mean gradient direction: average the doubled angle (a gradient and its opposite agree).
        sxx, syy, sxy = float(bxx[inside].sum()), float(byy[inside].sum()), float(bxy[inside].sum())
        gradient_deg = 0.5 * math.degrees(math.atan2(2 * sxy, sxx - syy))
        ys, xs = np.nonzero(inside)
        points = np.column_stack([xs + left, ys + top]).astype(np.float32)
        # Extent across the bars (along the gradient) and along them, from the blob's own pixels.
        direction = np.array([math.cos(math.radians(gradient_deg)), math.sin(math.radians(gradient_deg))])
        across = points @ direction
        along = points @ np.array([-direction[1], direction[0]])
        length = float(across.max() - across.min() + 1)
        thickness = float(along.max() - along.min() + 1)
        centre_small = (
            float((across.max() + across.min()) / 2 * direction[0] - (along.max() + along.min()) / 2 * direction[1]),
            float((across.max() + across.min()) / 2 * direction[1] + (along.max() + along.min()) / 2 * direction[0]),
        )
        score = float(coherence[box][inside].mean()) * float(inside.sum())
        regions.append(
            Region(
                centre=(centre_small[0] / shrink, centre_small[1] / shrink),
                length=length / shrink,
                thickness=thickness / shrink,
                angle=gradient_deg,
                score=score,
            )
        )
    regions.sort(key=lambda r: r.score, reverse=True)
    return regions[:max_regions]


def upright_crop(grey: Grey, region: Region) -> tuple[Grey, Affine]:
    """The region rotated so its bars stand vertical, with quiet zone, scaled up; and crop→frame."""
    pad_x = 0.25 * region.length + 8  # quiet zone and a margin for a blob that fell short of the ends
    pad_y = 0.15 * region.thickness + 4
    crop_w = region.length + 2 * pad_x
    crop_h = region.thickness + 2 * pad_y
    sx = min(MAX_UPSCALE, CROP_WIDTH / crop_w)
    sy = min(sx, CROP_HEIGHT / crop_h)
    out_w, out_h = max(8, round(crop_w * sx)), max(8, round(crop_h * sy))
    # Frame→crop: move the centre to the origin, rotate by -angle, scale, move to the crop's centre.
    cx, cy = region.centre
    theta = math.radians(region.angle)
    cos, sin = math.cos(theta), math.sin(theta)
    to_crop = np.array(
        [
            [sx * cos, sx * sin, out_w / 2 - sx * (cos * cx + sin * cy)],
            [-sy * sin, sy * cos, out_h / 2 - sy * (-sin * cx + cos * cy)],
        ],
        dtype=np.float64,
    )
    crop = cv2.warpAffine(grey, to_crop, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(crop, dtype=np.uint8), np.asarray(cv2.invertAffineTransform(to_crop), dtype=np.float64)

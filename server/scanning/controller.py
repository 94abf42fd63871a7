"""HTTP face of scanning: ``POST /api/scan/decode`` reads the barcodes in one camera frame.

The body is the image itself — JPEG, PNG or WebP bytes, ``Content-Type: image/jpeg|png|webp`` (or
``application/octet-stream``) — not multipart: the PWA posts a canvas ``toBlob()`` as is, with no
form encoding to build or parse, and the format is sniffed from the bytes anyway. Any logged-in
role may call it (``warehouse.read``, as ``/api/scan/resolve`` that usually follows): it reads
pixels and writes nothing.

Decoding is CPU work of 2–60 ms per frame: it runs in a worker thread so the event loop keeps
serving, at most ``DECODE_THREADS`` frames at once (one per core of a small server), and at most
``MAX_WAITING`` frames queue behind them — past that a frame is refused with 429 and a
``Retry-After`` instead of piling up bodies in memory (the camera sends another frame anyway).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import anyio
import anyio.to_thread
import cv2
from litestar import Controller, Request, post
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from server.auth.guards import requires
from server.auth.permissions import Permission
from server.lib.errors import TooManyRequests
from server.scanning.frame import MAX_FRAME_BYTES, FrameTooLarge, UnsupportedFrame
from server.scanning.pipeline import decode_image
from server.scanning.symbols import DecodeResult

DECODE_THREADS = 2
MAX_WAITING = 8
MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/octet-stream"})

# Parallelism comes from decoding several frames at once, one thread each; OpenCV's own worker
# pool would make two decodes fight over the same cores.
cv2.setNumThreads(1)

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


def _limiter() -> anyio.CapacityLimiter:
    """One limiter per event loop (a test run may start several)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(DECODE_THREADS)
    return limiter


def _too_large() -> FrameTooLarge:
    return FrameTooLarge(
        f"the image is larger than {MAX_FRAME_BYTES} bytes",
        message_zh=f"图片过大：最多 {MAX_FRAME_BYTES // (1024 * 1024)} MB",
        field="body",
        detail={"max_bytes": MAX_FRAME_BYTES},
    )


class ScanDecodeController(Controller):
    path = "/api/scan/decode"
    tags = ["scanning"]  # noqa: RUF012

    @post(
        "/",
        operation_id="DecodeFrame",
        guards=[requires(Permission.warehouse_read)],
        status_code=200,
        request_max_body_size=MAX_FRAME_BYTES,
        description=(
            "Body: the raw image bytes (JPEG, PNG or WebP; at most 8 MB, 40 megapixels as JPEG, 16 as PNG/WebP) with "
            "Content-Type image/jpeg, image/png, image/webp or application/octet-stream. Answers every "
            "barcode found (format, raw text with GS1 separators, position, parsed GS1 fields); an "
            "empty list when there is none. 400 empty body, 413 too large, 415 not an image, "
            "422 damaged image, 429 server busy (retry)."
        ),
    )
    async def decode(self, request: Request[Any, Any, Any]) -> DecodeResult:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in MEDIA_TYPES:
            raise UnsupportedFrame(
                f"send the frame as the body with Content-Type image/jpeg, image/png or image/webp, "
                f"not {media_type or 'no Content-Type'}",
                message_zh="请以 image/jpeg、image/png 或 image/webp 格式发送图片",
                field="content-type",
            )
        try:
            data = await request.body()
        except RequestEntityTooLarge:
            raise _too_large() from None
        limiter = _limiter()
        if limiter.borrowed_tokens >= limiter.total_tokens and limiter.statistics().tasks_waiting >= MAX_WAITING:
            raise TooManyRequests(
                "the server is decoding too many frames; send the next one in a moment",
                message_zh="服务器繁忙，请稍后再试",
                detail={"retry_after": 1},
            )
        return await anyio.to_thread.run_sync(decode_image, data, limiter=limiter)


CONTROLLERS: list[type] = [ScanDecodeController]

"""``POST /api/scan/decode`` on both backends: the wire shape, bad input, and the event loop kept free."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
import zxingcpp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.scanning import controller as decode_controller
from server.scanning import pipeline
from server.scanning.frame import MAX_FRAME_BYTES
from tests.unit.scanning.decode_images import encode, photos, placed, png_header, symbol
from tests.warehouse_factories import user_headers

Client = AsyncTestClient[Litestar]
URL = "/api/scan/decode"
F = zxingcpp.BarcodeFormat


@pytest.fixture
async def picker(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    async with session_factory() as s, s.begin():
        return await user_headers(s, Role.picker, all_warehouses=True)


def _frame(content: str = "690123456789", fmt: F = F.EAN13, ext: str = ".jpg") -> bytes:
    return encode(placed(symbol(content, fmt, scale=2), at=(100, 120)).image, ext)


def _headers(auth: dict[str, str], content_type: str) -> dict[str, str]:
    return {**auth, "Content-Type": content_type}


async def _still_serving(client: Client, picker: dict[str, str]) -> None:
    assert (await client.get("/api/health")).status_code == 200
    ok = await client.post(URL, content=_frame(), headers=_headers(picker, "image/jpeg"))
    assert ok.status_code == 200
    assert [s["text"] for s in ok.json()["symbols"]] == ["6901234567892"]


async def test_a_frame_answers_every_symbol_with_its_position(client: Client, picker: dict[str, str]) -> None:
    r = await client.post(URL, content=_frame(), headers=_headers(picker, "image/jpeg"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["width"], body["height"]) == (640, 480)
    assert body["elapsed_ms"] > 0
    (sym,) = body["symbols"]
    assert {k: sym[k] for k in ("format", "text", "aim", "gtin", "decoder")} == {
        "format": "ean13",
        "text": "6901234567892",
        "aim": "]E0",
        "gtin": "06901234567892",
        "decoder": "zxing-cpp",
    }
    assert len(sym["position"]) == 4
    assert all(90 <= p["x"] <= 390 and 110 <= p["y"] <= 310 for p in sym["position"])


async def test_gs1_datamatrix_comes_back_raw_and_parsed_in_snake_case(client: Client, picker: dict[str, str]) -> None:
    image = encode(placed(symbol("(01)09501101530003(17)270630(10)LOT-9(21)S1", F.DataMatrix, scale=4, gs1=True)).image)
    r = await client.post(URL, content=image, headers=_headers(picker, "image/png"))
    assert r.status_code == 200, r.text
    (sym,) = r.json()["symbols"]
    assert sym["text"] == "01095011015300031727063010LOT-9\x1d21S1"
    assert sym["gs1"]["gtin"] == "09501101530003"
    assert sym["gs1"]["expiry"] == "2027-06-30"
    assert sym["gs1"]["lot"] == "LOT-9"
    assert [e["ai"] for e in sym["gs1"]["elements"]] == ["01", "17", "10", "21"]


@pytest.mark.parametrize("photo", photos(), ids=lambda p: p.file)
async def test_real_photos_through_the_api(client: Client, picker: dict[str, str], photo: object) -> None:
    from tests.unit.scanning.decode_images import Photo

    assert isinstance(photo, Photo)
    media = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[photo.file.rsplit(".", 1)[1]]
    r = await client.post(URL, content=photo.data, headers=_headers(picker, media))
    assert r.status_code == 200, r.text
    symbols = r.json()["symbols"]
    if not photo.expected:
        assert symbols == []
    else:
        assert symbols, photo.file


async def test_octet_stream_is_sniffed(client: Client, picker: dict[str, str]) -> None:
    r = await client.post(URL, content=_frame(ext=".webp"), headers=_headers(picker, "application/octet-stream"))
    assert r.status_code == 200
    assert len(r.json()["symbols"]) == 1


async def test_anonymous_is_401(client: Client) -> None:
    r = await client.post(URL, content=_frame(), headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 401


def _bad_inputs() -> Iterator[tuple[str, bytes, str, int, str]]:
    jpeg = _frame()
    yield "empty", b"", "image/jpeg", 400, "empty_frame"
    yield "text", b"this is not a picture", "image/png", 415, "unsupported_media_type"
    yield "gif", b"GIF89a" + bytes(200), "image/jpeg", 415, "unsupported_media_type"
    yield "json content type", jpeg, "application/json", 415, "unsupported_media_type"
    yield "multipart", jpeg, "multipart/form-data; boundary=x", 415, "unsupported_media_type"
    yield "truncated jpeg", jpeg[: len(jpeg) // 2], "image/jpeg", 422, "corrupt_image"
    yield "corrupt png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png", 422, "corrupt_image"
    yield "png bomb", png_header(100_000, 100_000), "image/png", 413, "frame_too_large"


@pytest.mark.parametrize(("case", "body", "media", "status", "code"), list(_bad_inputs()), ids=lambda v: str(v)[:20])
async def test_bad_input_is_a_clear_4xx_and_the_server_keeps_serving(
    client: Client, picker: dict[str, str], case: str, body: bytes, media: str, status: int, code: str
) -> None:
    started = time.perf_counter()
    r = await client.post(URL, content=body, headers=_headers(picker, media))
    assert (r.status_code, r.json()["code"]) == (status, code), case
    assert r.json()["message"] and r.json()["message_zh"]
    assert time.perf_counter() - started < 1.0
    await _still_serving(client, picker)


async def test_a_body_over_the_byte_limit_is_413(client: Client, picker: dict[str, str]) -> None:
    body = b"\xff\xd8\xff" + bytes(MAX_FRAME_BYTES)
    r = await client.post(URL, content=body, headers=_headers(picker, "image/jpeg"))
    assert (r.status_code, r.json()["code"]) == (413, "frame_too_large")
    await _still_serving(client, picker)


@pytest.fixture
def live_server(app: Litestar) -> Iterator[str]:
    """The app served by uvicorn on a loopback port in a thread of its own.

    Litestar's test client runs each request to completion through a blocking portal, so two of
    its requests never overlap; concurrency needs a real server.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


async def test_decoding_runs_off_the_event_loop(
    live_server: str, picker: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frame that takes a second to decode must not hold up a cheap request meanwhile."""

    def slow_decode(data: bytes) -> pipeline.DecodeResult:
        time.sleep(1.0)  # blocking, as CPU-bound decoding is
        return pipeline.decode_image(data)

    monkeypatch.setattr(decode_controller, "decode_image", slow_decode)
    finished: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        started = time.perf_counter()

        async def decode() -> None:
            r = await http.post(URL, content=_frame(), headers=_headers(picker, "image/jpeg"))
            assert r.status_code == 200, r.text
            assert [s["text"] for s in r.json()["symbols"]] == ["6901234567892"]
            finished["decode"] = time.perf_counter() - started

        async def health() -> None:
            await asyncio.sleep(0.2)  # let the decode get into its thread first
            r = await http.get("/api/health")
            assert r.status_code == 200
            finished["health"] = time.perf_counter() - started

        await asyncio.gather(decode(), health())
    assert finished["decode"] >= 1.0
    assert finished["health"] < 0.9


async def test_a_full_decode_queue_answers_429_with_retry_after(
    live_server: str, picker: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode_controller, "DECODE_THREADS", 1)
    monkeypatch.setattr(decode_controller, "MAX_WAITING", 0)
    entered, release = threading.Event(), threading.Event()

    def blocked(data: bytes) -> pipeline.DecodeResult:
        entered.set()
        release.wait(timeout=20)
        return pipeline.decode_image(data)

    monkeypatch.setattr(decode_controller, "decode_image", blocked)
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        first = asyncio.ensure_future(http.post(URL, content=_frame(), headers=_headers(picker, "image/jpeg")))
        assert await asyncio.to_thread(entered.wait, 20)
        try:
            busy = await http.post(URL, content=_frame(), headers=_headers(picker, "image/jpeg"))
        finally:
            release.set()
        assert (busy.status_code, busy.json()["code"]) == (429, "too_many_requests")
        assert busy.headers["retry-after"] == "1"
        assert (await first).status_code == 200

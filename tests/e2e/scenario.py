"""The warehouse the phone test works in: two labelled bins with stock, two pick tasks and two
blind count tasks in the demo's Hangzhou warehouse (HZ01), for the demo picker.

Catalog, bins and count tasks go through the API as a supervisor's tools would; the stock and the
pick tasks are written with the server's own services (a pick task normally comes from a wave,
which needs orders, channels and routing the phone test is not about)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import numpy as np
import zxingcpp
from PIL import Image

from server.db.engine import create_engine, create_session_factory
from server.tasks.models import TaskKind
from server.tasks.service import LineSpec, open_task
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import LocationType
from server.warehouse.virtual_locations import virtual_location

PHOTOS = Path(__file__).resolve().parents[1] / "fixtures" / "barcodes"
ITEM_PHOTO = PHOTOS / "upca-2-41.png"  # a real photo of a UPC-A label, shown at its own size
ITEM_PHOTO_TEXT = "012546619592"
WEDGE_ITEM_CODE = "6901234567892"  # typed by the wedge scanner (a valid EAN-13)
DEMO_PASSWORD = "cangku-demo"
T = TypeVar("T")


@dataclass(frozen=True)
class Bin:
    id: int
    code: str
    barcode: str


@dataclass(frozen=True)
class Scenario:
    warehouse_id: int
    camera_bin: Bin
    wedge_bin: Bin
    count_bin: Bin
    """Counted with the wedge; nothing moves there on the day, so the count is trusted at once."""
    camera_sku_id: int
    wedge_sku_id: int
    camera_pick_task: int
    wedge_pick_task: int
    camera_count_task: int
    wedge_count_task: int


def bin_label_png(text: str) -> bytes:
    """A Code 128 bin label as our label printer would print it (zxing-cpp's writer)."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    grey = np.array(zxingcpp.write_barcode_to_image(barcode, scale=3), dtype=np.uint8)
    label = Image.new("L", (grey.shape[1] + 80, grey.shape[0] + 80), 255)
    label.paste(Image.fromarray(grey), (40, 40))
    out = io.BytesIO()
    label.save(out, "PNG")
    return out.getvalue()


def _login(client: httpx.Client, username: str) -> None:
    token = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"


def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code < 300, f"{response.request.url}: {response.status_code} {response.text}"
    body = response.json()
    return body if isinstance(body, dict) else {"items": body}


def _make_sku(client: httpx.Client, code: str, name_zh: str, name_en: str, barcode: str) -> int:
    product = _ok(client.post("/api/products", json={"code": f"P-{code}", "name_zh": name_zh, "name_en": name_en}))
    sku = _ok(
        client.post(
            "/api/skus",
            json={"product_id": product["id"], "code": code, "name_zh": name_zh, "name_en": name_en},
        )
    )
    sku_id = int(str(sku["id"]))
    _ok(client.post(f"/api/skus/{sku_id}/barcodes", json={"code": barcode}))
    return sku_id


def _make_bin(client: httpx.Client, warehouse_id: int, code: str, kind: str = "pick") -> Bin:
    barcode = f"HZ01-{code}"
    body = _ok(
        client.post(
            "/api/locations",
            json={"warehouse_id": warehouse_id, "code": code, "type": kind, "barcode": barcode, "walking_sequence": 1},
        )
    )
    return Bin(id=int(str(body["id"])), code=code, barcode=barcode)


async def _stock_and_pick_tasks(
    database_url: str, warehouse_id: int, staging: Bin, stock: list[tuple[Bin, int, int]]
) -> list[int]:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    try:
        async with factory() as session, session.begin():
            supplier = await virtual_location(session, warehouse_id, LocationType.supplier)
            await post_moves(
                session,
                [
                    MoveRequest(
                        sku_id=sku_id,
                        from_location_id=supplier.id,
                        to_location_id=bin_.id,
                        qty=qty,
                        reason=MoveReason.receipt,
                        idempotency_key=f"e2e-seed-{bin_.code}",
                        # received yesterday: a count within 2 min of a move is a recount (SPEC §7.2)
                        occurred_at=datetime.now(UTC) - timedelta(days=1),
                    )
                    for bin_, sku_id, qty in stock
                ],
            )
            tasks = []
            for number, (bin_, sku_id, _) in enumerate(stock[: len(PICK_QTY)], start=1):
                task = await open_task(
                    session,
                    warehouse_id=warehouse_id,
                    kind=TaskKind.pick,
                    lines=[LineSpec(location_id=bin_.id, sku_id=sku_id, qty=PICK_QTY[number - 1])],
                    reference=f"E2E-PICK-{number}",
                    to_location_id=staging.id,
                )
                tasks.append(task.id)
            return tasks
    finally:
        await engine.dispose()


def run_async(coro: Coroutine[object, object, T]) -> T:
    """Runs a coroutine on its own loop in another thread: Playwright's sync API owns this one's."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


PICK_QTY = (2, 3)
STOCK_QTY = (5, 4, 4)


def build_scenario(base_url: str, database_url: str) -> Scenario:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        _login(client, "admin")
        warehouses = _ok(client.get("/api/warehouses"))
        items = warehouses.get("items", warehouses)
        assert isinstance(items, list)
        warehouse_id = next(int(w["id"]) for w in items if w["code"] == "HZ01")
        camera_sku = _make_sku(client, "E2E-BOOK", "测试图书", "Test book", ITEM_PHOTO_TEXT)
        wedge_sku = _make_sku(client, "E2E-MUG", "测试马克杯", "Test mug", WEDGE_ITEM_CODE)
        camera_bin = _make_bin(client, warehouse_id, "E2E-CAM-01")
        wedge_bin = _make_bin(client, warehouse_id, "E2E-KEY-01")
        count_bin = _make_bin(client, warehouse_id, "E2E-KEY-02")
        picks = run_async(
            _stock_and_pick_tasks(
                database_url,
                warehouse_id,
                _make_bin(client, warehouse_id, "E2E-STAGE", "staging"),
                [
                    (camera_bin, camera_sku, STOCK_QTY[0]),
                    (wedge_bin, wedge_sku, STOCK_QTY[1]),
                    (count_bin, wedge_sku, STOCK_QTY[2]),
                ],
            )
        )
        counts = []
        for bin_ in (camera_bin, count_bin):
            planned = client.post(
                "/api/count-tasks", json={"warehouse_id": warehouse_id, "location_ids": [bin_.id], "blind": True}
            )
            assert planned.status_code == 201, planned.text
            counts.append(int(planned.json()[0]["task_id"]))
    return Scenario(
        warehouse_id=warehouse_id,
        camera_bin=camera_bin,
        wedge_bin=wedge_bin,
        count_bin=count_bin,
        camera_sku_id=camera_sku,
        wedge_sku_id=wedge_sku,
        camera_pick_task=picks[0],
        wedge_pick_task=picks[1],
        camera_count_task=counts[0],
        wedge_count_task=counts[1],
    )

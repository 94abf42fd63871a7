"""Helpers for the catalog API tests: who is calling, an API driver, row counts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Client = AsyncTestClient[Litestar]
Factory = async_sessionmaker[AsyncSession]
Headers = dict[str, str]

_seq = itertools.count(1)


@dataclass(frozen=True)
class Actors:
    """Bearer headers: picker (catalog.read), supervisor (+catalog.write), finance (+finance.read, no write),
    manager (catalog.write and finance.read)."""

    picker: Headers
    supervisor: Headers
    finance: Headers
    manager: Headers


class CatalogApi:
    """Creates catalog data through the API as a manager, asserting each step worked."""

    def __init__(self, client: Client, headers: Headers) -> None:
        self.client = client
        self.headers = headers

    async def product(self, **fields: Any) -> dict[str, Any]:
        n = next(_seq)
        body = {"code": f"P{n}", "name_zh": f"商品{n}", **fields}
        r = await self.client.post("/api/products", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def sku(self, product_id: int | None = None, **fields: Any) -> dict[str, Any]:
        if product_id is None:
            product_id = (await self.product())["id"]
        n = next(_seq)
        body = {"product_id": product_id, "code": f"SKU{n}", "name_zh": f"规格{n}", **fields}
        r = await self.client.post("/api/skus", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def barcode(self, sku_id: int, code: str, pack_qty: int = 1) -> dict[str, Any]:
        r = await self.client.post(
            f"/api/skus/{sku_id}/barcodes", json={"code": code, "pack_qty": pack_qty}, headers=self.headers
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def components(self, kit_id: int, *lines: tuple[int, int]) -> Any:
        body = {"components": [{"component_sku_id": c, "qty": q} for c, q in lines]}
        return await self.client.put(f"/api/skus/{kit_id}/components", json=body, headers=self.headers)


async def count_rows(factory: Factory, model: type[Any]) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)

"""Who may call what: reads need catalog.read, writes catalog.write; refused writes change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from server.catalog.models import Barcode, KitComponent, Lot, Product, Sku
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def _world(catalog: CatalogApi) -> dict[str, Any]:
    sku = await catalog.sku(lot_controlled=True)
    kit = await catalog.sku(is_kit=True)
    barcode = await catalog.barcode(sku["id"], "6901234567892")
    lot = await catalog.client.post(f"/api/skus/{sku['id']}/lots", headers=catalog.headers, json={"lot_number": "L1"})
    return {
        "product": sku["product_id"],
        "sku": sku["id"],
        "kit": kit["id"],
        "barcode": barcode["id"],
        "lot": lot.json()["id"],
    }


def _writes(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("POST", "/api/products", {"code": "NEW", "name_zh": "新"}),
        ("PATCH", f"/api/products/{w['product']}", {"name_zh": "改"}),
        ("POST", f"/api/products/{w['product']}/deactivate", None),
        ("POST", "/api/skus", {"product_id": w["product"], "code": "NEW", "name_zh": "新"}),
        ("PATCH", f"/api/skus/{w['sku']}", {"name_zh": "改"}),
        ("POST", f"/api/skus/{w['sku']}/barcodes", {"code": "036000291452"}),
        ("DELETE", f"/api/skus/{w['sku']}/barcodes/{w['barcode']}", None),
        ("PUT", f"/api/skus/{w['kit']}/components", {"components": [{"component_sku_id": w["sku"], "qty": 1}]}),
        ("POST", f"/api/skus/{w['sku']}/lots", {"lot_number": "L2"}),
    ]


def _reads(w: dict[str, Any]) -> list[str]:
    return [
        "/api/products",
        f"/api/products/{w['product']}",
        "/api/skus",
        f"/api/skus/{w['sku']}",
        f"/api/skus/{w['sku']}/barcodes",
        "/api/barcodes/6901234567892",
        "/api/barcodes?code=6901234567892",
        f"/api/skus/{w['kit']}/components",
        f"/api/skus/{w['sku']}/lots",
        f"/api/lots/{w['lot']}",
    ]


async def _counts(factory: Factory) -> list[int]:
    return [await count_rows(factory, model) for model in (Product, Sku, Barcode, KitComponent, Lot)]


@pytest.mark.parametrize("role", ["picker", "finance"])
async def test_roles_without_catalog_write_get_403_on_every_write_and_nothing_changes(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory, role: str
) -> None:
    world = await _world(catalog)
    before = await _counts(session_factory)
    headers = getattr(actors, role)
    for method, path, body in _writes(world):
        r = await client.request(method, path, headers=headers, json=body)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["code"] == "forbidden"
        assert r.json()["detail"] == {"permission": "catalog.write"}
    assert await _counts(session_factory) == before
    product = (await client.get(f"/api/products/{world['product']}", headers=headers)).json()
    assert product["active"] is True
    assert product["name_zh"] != "改"


async def test_a_picker_may_read_everything(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    world = await _world(catalog)
    for path in _reads(world):
        r = await client.get(path, headers=actors.picker)
        assert r.status_code == 200, (path, r.text)


async def test_no_token_is_401(client: Client, catalog: CatalogApi) -> None:
    world = await _world(catalog)
    for path in _reads(world):
        assert (await client.get(path)).status_code == 401, path
    for method, path, body in _writes(world):
        assert (await client.request(method, path, json=body)).status_code == 401, path

"""Products: create, list with filters, get with SKUs, partial update, deactivate; on both backends."""

from __future__ import annotations

from server.catalog.models import Product, Sku
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def test_create_product_then_get_shows_it_with_its_skus(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    r = await client.post(
        "/api/products",
        headers=actors.manager,
        json={"code": "TEE-01", "name_zh": "纯棉T恤", "name_en": "Cotton tee", "brand": "棉花", "category": "服装"},
    )
    assert r.status_code == 201, r.text
    product = r.json()
    assert product["code"] == "TEE-01"
    assert product["active"] is True
    red = await catalog.sku(product["id"], code="TEE-01-RED-M", attributes={"颜色": "红", "尺码": "M"})
    blue = await catalog.sku(product["id"], code="TEE-01-BLUE-M")

    got = await client.get(f"/api/products/{product['id']}", headers=actors.picker)
    assert got.status_code == 200
    body = got.json()
    assert body["name_en"] == "Cotton tee"
    assert [s["id"] for s in body["skus"]] == [blue["id"], red["id"]]  # by code
    assert body["skus"][1]["attributes"] == {"颜色": "红", "尺码": "M"}


async def test_duplicate_product_code_is_refused_and_nothing_written(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    first = await catalog.product(code="DUP-1")
    r = await client.post("/api/products", headers=actors.manager, json={"code": "DUP-1", "name_zh": "另一个"})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "product_code_taken"
    assert body["field"] == "code"
    assert body["detail"] == {"product_id": first["id"]}
    assert await count_rows(session_factory, Product) == 1


async def test_list_products_filters_by_search_brand_category_and_active(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    tee = await catalog.product(code="TEE-01", name_zh="纯棉T恤", name_en="Cotton Tee", brand="棉花", category="服装")
    await catalog.product(code="MUG-01", name_zh="陶瓷杯", name_en="Mug", brand="瓷", category="家居")
    old = await catalog.product(code="TEE-02", name_zh="旧款T恤", brand="棉花", category="服装")
    assert (await client.post(f"/api/products/{old['id']}/deactivate", headers=actors.manager)).status_code == 200

    async def codes(query: str) -> list[str]:
        r = await client.get(f"/api/products?{query}", headers=actors.picker)
        assert r.status_code == 200, r.text
        return [p["code"] for p in r.json()["items"]]

    assert await codes("q=tee") == ["TEE-01", "TEE-02"]  # code and English name, case-insensitive
    assert await codes("q=陶瓷") == ["MUG-01"]
    assert await codes("brand=棉花&active=true") == ["TEE-01"]
    assert await codes("category=家居") == ["MUG-01"]
    assert await codes("active=false") == ["TEE-02"]
    assert await codes("q=%25") == []  # a literal %, not a wildcard
    page = await client.get("/api/products?limit=1&offset=1", headers=actors.picker)
    assert page.json()["total"] == 3
    assert [p["code"] for p in page.json()["items"]] == ["TEE-01"]
    assert tee["brand"] == "棉花"


async def test_update_product_changes_only_the_fields_sent(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    product = await catalog.product(code="P-OLD", name_zh="旧名", brand="甲", category="乙")
    r = await client.patch(
        f"/api/products/{product['id']}", headers=actors.supervisor, json={"code": "P-NEW", "name_en": "New name"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["code"], body["name_zh"], body["name_en"], body["brand"], body["category"]) == (
        "P-NEW",
        "旧名",
        "New name",
        "甲",
        "乙",
    )


async def test_update_product_to_a_taken_code_is_refused_and_leaves_it_unchanged(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    await catalog.product(code="TAKEN")
    product = await catalog.product(code="MINE", name_zh="我的")
    r = await client.patch(
        f"/api/products/{product['id']}", headers=actors.manager, json={"code": "TAKEN", "name_zh": "改名"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "product_code_taken"
    got = (await client.get(f"/api/products/{product['id']}", headers=actors.manager)).json()
    assert (got["code"], got["name_zh"]) == ("MINE", "我的")


async def test_deactivating_a_product_withdraws_its_skus(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    product = await catalog.product()
    sku = await catalog.sku(product["id"])
    other = await catalog.sku()
    r = await client.post(f"/api/products/{product['id']}/deactivate", headers=actors.supervisor)
    assert r.status_code == 200
    assert r.json()["active"] is False
    assert (await client.get(f"/api/skus/{sku['id']}", headers=actors.picker)).json()["active"] is False
    assert (await client.get(f"/api/skus/{other['id']}", headers=actors.picker)).json()["active"] is True
    # A withdrawn style takes no new variants, and its variants stay off until it is back.
    refused = await client.post(
        "/api/skus", headers=actors.manager, json={"product_id": product["id"], "code": "NEW-1", "name_zh": "新"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "product_inactive"
    back = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json={"active": True})
    assert back.status_code == 409
    reactivated = await client.patch(f"/api/products/{product['id']}", headers=actors.manager, json={"active": True})
    assert reactivated.json()["active"] is True
    assert (await client.get(f"/api/skus/{sku['id']}", headers=actors.picker)).json()["active"] is False


async def test_patch_active_false_deactivates_like_the_endpoint(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    product = await catalog.product()
    sku = await catalog.sku(product["id"])
    r = await client.patch(f"/api/products/{product['id']}", headers=actors.manager, json={"active": False})
    assert r.status_code == 200
    async with session_factory() as s:
        row = await s.get(Sku, sku["id"])
        assert row is not None and row.active is False


async def test_unknown_product_is_404(client: Client, actors: Actors) -> None:
    for method, path in (
        ("GET", "/api/products/999"),
        ("PATCH", "/api/products/999"),
        ("POST", "/api/products/999/deactivate"),
    ):
        r = await client.request(method, path, headers=actors.manager, json={} if method == "PATCH" else None)
        assert r.status_code == 404, (method, r.text)
        assert r.json()["code"] == "product_not_found"


async def test_unknown_field_in_product_body_is_400_naming_it(
    client: Client, actors: Actors, session_factory: Factory
) -> None:
    r = await client.post("/api/products", headers=actors.manager, json={"code": "X", "name_zh": "某", "colour": "red"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_input"
    assert r.json()["field"] == "colour"
    assert await count_rows(session_factory, Product) == 0


async def test_blank_name_or_code_with_spaces_is_400(client: Client, actors: Actors) -> None:
    for body, field in (({"code": "A B", "name_zh": "某"}, "code"), ({"code": "AB", "name_zh": "  "}, "name_zh")):
        r = await client.post("/api/products", headers=actors.manager, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["field"] == field

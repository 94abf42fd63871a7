"""SKUs: create, list with filters, get with barcodes/components, partial update, validation, cost policy."""

from __future__ import annotations

from typing import Any

import pytest

from server.catalog.models import Sku
from server.db.transaction import run_in_transaction
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import make_bin, make_warehouse
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def test_create_sku_round_trips_every_field(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    product = await catalog.product()
    body = {
        "product_id": product["id"],
        "code": "MILK-1L",
        "name_zh": "全脂牛奶1升",
        "name_en": "Whole milk 1 L",
        "attributes": {"容量": "1L", "件数": 1, "进口": True},
        "unit": "盒",
        "weight_g": 1050,
        "length_mm": 70,
        "width_mm": 70,
        "height_mm": 200,
        "standard_cost_minor": 899,
        "currency": "CNY",
        "lot_controlled": True,
        "expiry_controlled": True,
        "shelf_life_days": 21,
        "is_kit": False,
    }
    r = await client.post("/api/skus", headers=actors.manager, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert {k: created[k] for k in body} == body
    assert created["active"] is True
    got = (await client.get(f"/api/skus/{created['id']}", headers=actors.manager)).json()
    assert got["product_code"] == product["code"]
    assert {k: got[k] for k in body} == body
    assert got["barcodes"] == []
    assert got["components"] == []


async def test_sku_defaults_are_one_piece_cny_and_uncontrolled(catalog: CatalogApi) -> None:
    sku = await catalog.sku()
    assert (sku["unit"], sku["currency"], sku["standard_cost_minor"], sku["weight_g"]) == ("pcs", "CNY", 0, 0)
    assert (sku["lot_controlled"], sku["expiry_controlled"], sku["shelf_life_days"], sku["is_kit"]) == (
        False,
        False,
        None,
        False,
    )


async def test_cost_is_hidden_from_a_picker_but_shown_to_finance(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku(standard_cost_minor=1234)
    for headers, expected in (
        (actors.picker, None),
        (actors.supervisor, None),
        (actors.finance, 1234),
        (actors.manager, 1234),
    ):
        one = (await client.get(f"/api/skus/{sku['id']}", headers=headers)).json()
        listed = (await client.get("/api/skus", headers=headers)).json()["items"][0]
        in_product = (await client.get(f"/api/products/{sku['product_id']}", headers=headers)).json()["skus"][0]
        assert one["standard_cost_minor"] == listed["standard_cost_minor"] == expected
        assert in_product["standard_cost_minor"] == expected
        assert one["currency"] == "CNY"


@pytest.mark.parametrize("field_value", [{"standard_cost_minor": 500}, {"currency": "USD"}])
async def test_supervisor_may_not_set_cost_or_currency_and_nothing_is_written(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory, field_value: dict[str, Any]
) -> None:
    product = await catalog.product()
    r = await client.post(
        "/api/skus",
        headers=actors.supervisor,
        json={"product_id": product["id"], "code": "S-1", "name_zh": "某", **field_value},
    )
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == "cost_requires_finance"
    assert body["field"] == next(iter(field_value))
    assert await count_rows(session_factory, Sku) == 0

    sku = await catalog.sku(product["id"], standard_cost_minor=100)
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.supervisor, json={"name_zh": "改", **field_value})
    assert r.status_code == 403
    async with session_factory() as s:
        row = await s.get(Sku, sku["id"])
        assert row is not None
        assert (row.standard_cost_minor, row.currency, row.name_zh) == (100, "CNY", sku["name_zh"])


async def test_supervisor_may_create_and_edit_a_sku_without_touching_cost(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    product = await catalog.product()
    r = await client.post(
        "/api/skus",
        headers=actors.supervisor,
        json={"product_id": product["id"], "code": "S-2", "name_zh": "某", "weight_g": 300},
    )
    assert r.status_code == 201, r.text
    assert r.json()["standard_cost_minor"] is None
    patched = await client.patch(
        f"/api/skus/{r.json()['id']}", headers=actors.manager, json={"standard_cost_minor": 4200, "currency": "USD"}
    )
    assert patched.status_code == 200
    assert (patched.json()["standard_cost_minor"], patched.json()["currency"]) == (4200, "USD")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_g", -1),
        ("length_mm", -5),
        ("width_mm", -1),
        ("height_mm", -1),
        ("standard_cost_minor", -100),
        ("weight_g", 2**31),
        ("shelf_life_days", 0),
    ],
)
async def test_out_of_range_numbers_are_400_naming_the_field(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory, field: str, value: int
) -> None:
    product = await catalog.product()
    r = await client.post(
        "/api/skus",
        headers=actors.manager,
        json={"product_id": product["id"], "code": "S-3", "name_zh": "某", field: value},
    )
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field
    assert await count_rows(session_factory, Sku) == 0


@pytest.mark.parametrize("currency", ["cny", "CN", "CNYY", "C1Y", ""])
async def test_currency_must_be_three_upper_case_letters(
    client: Client, actors: Actors, catalog: CatalogApi, currency: str
) -> None:
    sku = await catalog.sku()
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json={"currency": currency})
    assert r.status_code == 400
    assert r.json()["field"] == "currency"


async def test_expiry_control_without_lot_control_is_refused(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    product = await catalog.product()
    r = await client.post(
        "/api/skus",
        headers=actors.manager,
        json={"product_id": product["id"], "code": "S-4", "name_zh": "某", "expiry_controlled": True},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("expiry_needs_lot", "expiry_controlled")
    assert await count_rows(session_factory, Sku) == 0

    sku = await catalog.sku(product["id"], lot_controlled=True, expiry_controlled=True)
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json={"lot_controlled": False})
    assert r.status_code == 422
    assert r.json()["code"] == "expiry_needs_lot"
    both_off = await client.patch(
        f"/api/skus/{sku['id']}", headers=actors.manager, json={"lot_controlled": False, "expiry_controlled": False}
    )
    assert both_off.status_code == 200


async def test_duplicate_sku_code_is_409(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku(code="SAME")
    r = await client.post(
        "/api/skus", headers=actors.manager, json={"product_id": sku["product_id"], "code": "SAME", "name_zh": "某"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "sku_code_taken"
    assert r.json()["detail"] == {"sku_id": sku["id"]}
    other = await catalog.sku(code="OTHER")
    r = await client.patch(f"/api/skus/{other['id']}", headers=actors.manager, json={"code": "SAME"})
    assert r.status_code == 409
    assert await count_rows(session_factory, Sku) == 2


async def test_sku_under_unknown_product_is_422(client: Client, actors: Actors) -> None:
    r = await client.post("/api/skus", headers=actors.manager, json={"product_id": 999, "code": "S", "name_zh": "某"})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("unknown_product", "product_id")


async def test_list_skus_filters(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    tee = await catalog.product()
    red = await catalog.sku(tee["id"], code="TEE-RED", name_en="Red tee")
    milk = await catalog.sku(code="MILK", name_zh="牛奶", lot_controlled=True)
    kit = await catalog.sku(code="GIFT-SET", name_zh="礼盒", is_kit=True)
    gone = await catalog.sku(tee["id"], code="TEE-OLD")
    await client.patch(f"/api/skus/{gone['id']}", headers=actors.manager, json={"active": False})
    await catalog.barcode(red["id"], "0036000291452")

    async def codes(query: str) -> list[str]:
        r = await client.get(f"/api/skus?{query}", headers=actors.picker)
        assert r.status_code == 200, r.text
        return [s["code"] for s in r.json()["items"]]

    assert await codes(f"product_id={tee['id']}") == ["TEE-OLD", "TEE-RED"]
    assert await codes("q=red") == ["TEE-RED"]
    assert await codes("q=牛") == ["MILK"]
    assert await codes("active=false") == ["TEE-OLD"]
    assert await codes("lot_controlled=true") == [milk["code"]]
    assert await codes("is_kit=true") == [kit["code"]]
    assert await codes("barcode=036000291452") == ["TEE-RED"]  # UPC-A finds the EAN-13
    assert await codes("barcode=NOPE") == []
    bad = await client.get("/api/skus?barcode=036000291453", headers=actors.picker)
    assert bad.status_code == 422
    assert (bad.json()["code"], bad.json()["field"]) == ("invalid_gtin", "barcode")


async def test_patch_changes_only_sent_fields_and_null_clears_shelf_life(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku(name_en="Before", weight_g=10, shelf_life_days=30, attributes={"色": "红"})
    r = await client.patch(
        f"/api/skus/{sku['id']}",
        headers=actors.manager,
        json={"weight_g": 20, "shelf_life_days": None, "attributes": {"色": "蓝"}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["weight_g"], body["shelf_life_days"], body["name_en"], body["attributes"]) == (
        20,
        None,
        "Before",
        {"色": "蓝"},
    )


async def _stock_one(session_factory: Factory, sku_id: int) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        supplier = wh.supplier.id
    request = MoveRequest(
        sku_id=sku_id,
        from_location_id=supplier,
        to_location_id=bin_.id,
        qty=3,
        reason=MoveReason.receipt,
        idempotency_key=f"stock-{sku_id}",
    )
    await run_in_transaction(session_factory, lambda s: post_moves(s, [request]))


@pytest.mark.parametrize("change", [{"lot_controlled": True}, {"is_kit": True}])
async def test_flags_that_would_strand_stock_cannot_change_while_it_has_stock(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory, change: dict[str, bool]
) -> None:
    sku = await catalog.sku()
    await _stock_one(session_factory, sku["id"])
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json=change)
    assert r.status_code == 409
    assert (r.json()["code"], r.json()["field"]) == ("sku_has_stock", next(iter(change)))
    empty = await catalog.sku()
    assert (await client.patch(f"/api/skus/{empty['id']}", headers=actors.manager, json=change)).status_code == 200


async def test_unknown_sku_is_404(client: Client, actors: Actors) -> None:
    for method, path in (("GET", "/api/skus/999"), ("PATCH", "/api/skus/999")):
        r = await client.request(method, path, headers=actors.manager, json={} if method == "PATCH" else None)
        assert r.status_code == 404
        assert r.json()["code"] == "sku_not_found"


async def test_unknown_field_in_sku_body_is_400_naming_it(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku()
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json={"weight_kg": 1})
    assert r.status_code == 400
    assert r.json()["field"] == "weight_kg"
    r = await client.patch(f"/api/skus/{sku['id']}", headers=actors.manager, json={"product_id": 1})
    assert r.status_code == 400
    assert r.json()["field"] == "product_id"

"""Kits (组合装): setting components, refusals (non-kit, unknown, repeated, cycles), and no stock of their own."""

from __future__ import annotations

import pytest

from server.catalog.models import KitComponent
from server.db.transaction import run_in_transaction
from server.warehouse.ledger.errors import InvalidMove
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from tests.factories import make_bin, make_warehouse
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def test_setting_components_replaces_the_old_list(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    kit = await catalog.sku(code="GIFT", is_kit=True)
    cup = await catalog.sku(code="CUP")
    tea = await catalog.sku(code="TEA")
    box = await catalog.sku(code="BOX")
    first = await catalog.components(kit["id"], (cup["id"], 2), (tea["id"], 1))
    assert first.status_code == 200, first.text
    assert [(c["code"], c["qty"]) for c in first.json()["components"]] == [("CUP", 2), ("TEA", 1)]

    second = await catalog.components(kit["id"], (tea["id"], 3), (box["id"], 1))
    assert second.status_code == 200
    got = await client.get(f"/api/skus/{kit['id']}/components", headers=actors.picker)
    assert got.status_code == 200
    assert got.json()["kit_sku_id"] == kit["id"]
    assert [(c["component_sku_id"], c["qty"]) for c in got.json()["components"]] == [(tea["id"], 3), (box["id"], 1)]
    detail = (await client.get(f"/api/skus/{kit['id']}", headers=actors.picker)).json()
    assert [c["code"] for c in detail["components"]] == ["TEA", "BOX"]

    emptied = await catalog.components(kit["id"])
    assert emptied.json()["components"] == []


async def test_components_of_a_sku_that_is_not_a_kit_are_refused(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    plain = await catalog.sku()
    part = await catalog.sku()
    r = await catalog.components(plain["id"], (part["id"], 1))
    assert r.status_code == 422
    assert r.json()["code"] == "not_a_kit"
    assert await count_rows(session_factory, KitComponent) == 0
    got = await client.get(f"/api/skus/{plain['id']}/components", headers=actors.picker)
    assert got.json() == {"kit_sku_id": plain["id"], "is_kit": False, "components": []}


async def test_a_kit_cannot_contain_itself(catalog: CatalogApi) -> None:
    kit = await catalog.sku(is_kit=True)
    part = await catalog.sku()
    r = await catalog.components(kit["id"], (part["id"], 1), (kit["id"], 1))
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("kit_cycle", "components[1].component_sku_id")


async def test_a_cycle_through_another_kit_is_refused_and_the_old_components_stay(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    outer = await catalog.sku(code="OUTER", is_kit=True)
    middle = await catalog.sku(code="MIDDLE", is_kit=True)
    inner = await catalog.sku(code="INNER", is_kit=True)
    leaf = await catalog.sku(code="LEAF")
    assert (await catalog.components(outer["id"], (middle["id"], 1))).status_code == 200
    assert (await catalog.components(middle["id"], (inner["id"], 2))).status_code == 200
    assert (await catalog.components(inner["id"], (leaf["id"], 1))).status_code == 200

    r = await catalog.components(inner["id"], (leaf["id"], 5), (outer["id"], 1))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "kit_cycle"
    assert body["field"] == "components[1].component_sku_id"
    assert body["detail"] == {"cycle": [inner["id"], outer["id"], middle["id"], inner["id"]]}
    assert "INNER → OUTER → MIDDLE → INNER" in body["message"]
    kept = (await client.get(f"/api/skus/{inner['id']}/components", headers=actors.picker)).json()
    assert [(c["code"], c["qty"]) for c in kept["components"]] == [("LEAF", 1)]


async def test_nested_kits_without_a_loop_are_allowed(catalog: CatalogApi) -> None:
    outer = await catalog.sku(is_kit=True)
    inner = await catalog.sku(is_kit=True)
    leaf = await catalog.sku()
    assert (await catalog.components(inner["id"], (leaf["id"], 2))).status_code == 200
    r = await catalog.components(outer["id"], (inner["id"], 1), (leaf["id"], 1))
    assert r.status_code == 200
    assert [c["is_kit"] for c in r.json()["components"]] == [True, False]


async def test_unknown_component_is_422_naming_its_line(catalog: CatalogApi, session_factory: Factory) -> None:
    kit = await catalog.sku(is_kit=True)
    part = await catalog.sku()
    r = await catalog.components(kit["id"], (part["id"], 1), (9999, 1))
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("unknown_component", "components[1].component_sku_id")
    assert await count_rows(session_factory, KitComponent) == 0


async def test_a_component_listed_twice_is_refused(catalog: CatalogApi) -> None:
    kit = await catalog.sku(is_kit=True)
    part = await catalog.sku()
    r = await catalog.components(kit["id"], (part["id"], 1), (part["id"], 2))
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("duplicate_component", "components[1].component_sku_id")


async def test_component_qty_below_one_is_400(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    kit = await catalog.sku(is_kit=True)
    part = await catalog.sku()
    r = await client.put(
        f"/api/skus/{kit['id']}/components",
        headers=actors.manager,
        json={"components": [{"component_sku_id": part["id"], "qty": 0}]},
    )
    assert r.status_code == 400
    assert r.json()["field"] == "components[0].qty"


async def test_unknown_kit_is_404(client: Client, actors: Actors) -> None:
    assert (await client.get("/api/skus/999/components", headers=actors.picker)).status_code == 404
    r = await client.put("/api/skus/999/components", headers=actors.manager, json={"components": []})
    assert r.status_code == 404
    assert r.json()["code"] == "sku_not_found"


async def test_a_kit_with_components_cannot_stop_being_a_kit(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    kit = await catalog.sku(is_kit=True)
    part = await catalog.sku()
    await catalog.components(kit["id"], (part["id"], 1))
    r = await client.patch(f"/api/skus/{kit['id']}", headers=actors.manager, json={"is_kit": False})
    assert r.status_code == 409
    assert r.json()["code"] == "kit_has_components"
    await catalog.components(kit["id"])
    assert (
        await client.patch(f"/api/skus/{kit['id']}", headers=actors.manager, json={"is_kit": False})
    ).status_code == 200


async def test_a_kit_has_no_stock_of_its_own(catalog: CatalogApi, session_factory: Factory) -> None:
    kit = await catalog.sku(is_kit=True)
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s)
        bin_ = await make_bin(s, wh)
        supplier = wh.supplier.id
    request = MoveRequest(
        sku_id=kit["id"],
        from_location_id=supplier,
        to_location_id=bin_.id,
        qty=1,
        reason=MoveReason.receipt,
        idempotency_key="kit-receipt",
    )
    with pytest.raises(InvalidMove):
        await run_in_transaction(session_factory, lambda s: post_moves(s, [request]))

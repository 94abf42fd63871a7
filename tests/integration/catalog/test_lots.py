"""Lots (批次): numbers unique per SKU, date rules, expiry from shelf life, FEFO-ordered lists."""

from __future__ import annotations

from server.catalog.models import Lot
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def test_create_lot_then_get_it(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku(lot_controlled=True, expiry_controlled=True)
    r = await client.post(
        f"/api/skus/{sku['id']}/lots",
        headers=actors.supervisor,
        json={"lot_number": "20260301A", "manufactured_on": "2026-03-01", "expires_on": "2027-03-01"},
    )
    assert r.status_code == 201, r.text
    lot = r.json()
    assert (lot["sku_id"], lot["lot_number"], lot["manufactured_on"], lot["expires_on"]) == (
        sku["id"],
        "20260301A",
        "2026-03-01",
        "2027-03-01",
    )
    got = await client.get(f"/api/lots/{lot['id']}", headers=actors.picker)
    assert got.status_code == 200
    assert got.json() == lot


async def test_lot_number_is_unique_per_sku_only(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    milk = await catalog.sku(lot_controlled=True)
    yogurt = await catalog.sku(lot_controlled=True)
    first = await client.post(f"/api/skus/{milk['id']}/lots", headers=actors.manager, json={"lot_number": "B01"})
    again = await client.post(f"/api/skus/{milk['id']}/lots", headers=actors.manager, json={"lot_number": "B01"})
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("lot_exists", "lot_number")
    assert again.json()["detail"] == {"lot_id": first.json()["id"]}
    other_sku = await client.post(f"/api/skus/{yogurt['id']}/lots", headers=actors.manager, json={"lot_number": "B01"})
    assert other_sku.status_code == 201
    assert await count_rows(session_factory, Lot) == 2


async def test_expiry_before_manufacture_is_refused_and_nothing_written(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku(lot_controlled=True)
    r = await client.post(
        f"/api/skus/{sku['id']}/lots",
        headers=actors.manager,
        json={"lot_number": "L1", "manufactured_on": "2026-03-02", "expires_on": "2026-03-01"},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("lot_dates_out_of_order", "expires_on")
    assert await count_rows(session_factory, Lot) == 0


async def test_expiry_is_computed_from_the_skus_shelf_life(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku(lot_controlled=True, expiry_controlled=True, shelf_life_days=180)
    r = await client.post(
        f"/api/skus/{sku['id']}/lots",
        headers=actors.manager,
        json={"lot_number": "L1", "manufactured_on": "2026-01-01"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["expires_on"] == "2026-06-30"
    given = await client.post(
        f"/api/skus/{sku['id']}/lots",
        headers=actors.manager,
        json={"lot_number": "L2", "manufactured_on": "2026-01-01", "expires_on": "2026-05-01"},
    )
    assert given.json()["expires_on"] == "2026-05-01"


async def test_expiry_controlled_lot_needs_an_expiry(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku(lot_controlled=True, expiry_controlled=True)
    r = await client.post(
        f"/api/skus/{sku['id']}/lots",
        headers=actors.manager,
        json={"lot_number": "L1", "manufactured_on": "2026-01-01"},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("expiry_required", "expires_on")
    plain = await catalog.sku(lot_controlled=True)
    ok = await client.post(f"/api/skus/{plain['id']}/lots", headers=actors.manager, json={"lot_number": "L1"})
    assert ok.status_code == 201
    assert ok.json()["expires_on"] is None
    assert await count_rows(session_factory, Lot) == 1


async def test_lots_only_for_lot_controlled_skus(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku()
    r = await client.post(f"/api/skus/{sku['id']}/lots", headers=actors.manager, json={"lot_number": "L1"})
    assert r.status_code == 422
    assert r.json()["code"] == "sku_not_lot_controlled"
    assert await count_rows(session_factory, Lot) == 0


async def test_list_lots_is_fefo_ordered_and_filters(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku(lot_controlled=True)
    other = await catalog.sku(lot_controlled=True)
    for number, expires in (("LATE", "2027-01-01"), ("NONE", None), ("SOON", "2026-04-01"), ("MID", "2026-09-01")):
        body = {"lot_number": number, **({"expires_on": expires} if expires else {})}
        assert (await client.post(f"/api/skus/{sku['id']}/lots", headers=actors.manager, json=body)).status_code == 201
    await client.post(f"/api/skus/{other['id']}/lots", headers=actors.manager, json={"lot_number": "SOON"})

    async def numbers(query: str = "") -> list[str]:
        r = await client.get(f"/api/skus/{sku['id']}/lots?{query}", headers=actors.picker)
        assert r.status_code == 200, r.text
        return [lot["lot_number"] for lot in r.json()["items"]]

    assert await numbers() == ["SOON", "MID", "LATE", "NONE"]
    assert await numbers("expiring_before=2026-10-01") == ["SOON", "MID"]
    assert await numbers("lot_number=MID") == ["MID"]
    page = (await client.get(f"/api/skus/{sku['id']}/lots?limit=1&offset=1", headers=actors.picker)).json()
    assert (page["total"], [lot["lot_number"] for lot in page["items"]]) == (4, ["MID"])


async def test_lot_dates_must_be_dates(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku(lot_controlled=True)
    r = await client.post(
        f"/api/skus/{sku['id']}/lots", headers=actors.manager, json={"lot_number": "L1", "expires_on": "next spring"}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "expires_on"
    unknown = await client.post(
        f"/api/skus/{sku['id']}/lots", headers=actors.manager, json={"lot_number": "L1", "best_before": "2026-01-01"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "best_before"


async def test_unknown_lot_or_sku_is_404(client: Client, actors: Actors) -> None:
    r = await client.get("/api/lots/999", headers=actors.picker)
    assert (r.status_code, r.json()["code"]) == (404, "lot_not_found")
    for method in ("GET", "POST"):
        r = await client.request(
            method,
            "/api/skus/999/lots",
            headers=actors.manager,
            json={"lot_number": "L1"} if method == "POST" else None,
        )
        assert (r.status_code, r.json()["code"]) == (404, "sku_not_found")


async def test_a_typed_lot_number_cannot_pose_as_a_placeholder_lot(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    """``@NOLOT-…`` marks goods received without a lot (server/catalog/services/lot_lookup.py)."""
    sku = await catalog.sku(lot_controlled=True)
    r = await client.post(f"/api/skus/{sku['id']}/lots", headers=actors.manager, json={"lot_number": "@NOLOT-1"})
    assert r.status_code == 400, r.text
    assert r.json()["field"] == "lot_number"
    assert await count_rows(session_factory, Lot) == 0

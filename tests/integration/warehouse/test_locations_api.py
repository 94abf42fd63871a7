"""Bins over HTTP: one and many, walking order, barcodes, reserved codes, virtual locations, freeze."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.auth.models import Role
from server.warehouse.models import Location
from server.warehouse.services.bin_pattern import MAX_BINS_PER_REQUEST
from tests.warehouse_factories import Client, Factory, Site, make_site, move, move_count, on_hand, post_move


async def location_count(factory: Factory, warehouse_id: int) -> int:
    async with factory() as s:
        return int(
            await s.scalar(select(func.count()).select_from(Location).where(Location.warehouse_id == warehouse_id)) or 0
        )


def pattern(site: Site, **overrides: Any) -> dict[str, Any]:
    return {
        "warehouse_id": site.warehouse,
        "zone_id": site.zone,
        "aisles": ["C"],
        "rack_from": 1,
        "rack_to": 20,
        "level_from": 1,
        "level_to": 5,
        **overrides,
    }


async def test_pattern_makes_every_bin_in_walking_order_with_warehouse_barcodes(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory, code="HZ2")
    headers = site.headers[Role.supervisor]
    r = await client.post("/api/locations/bulk", json=pattern(site, first_sequence=1000), headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == 100 and (body["first_code"], body["last_code"]) == ("C-01-01", "C-20-05")
    items = body["items"]
    assert [i["code"] for i in items[:6]] == ["C-01-01", "C-01-02", "C-01-03", "C-01-04", "C-01-05", "C-02-01"]
    assert [i["walking_sequence"] for i in items] == list(range(1000, 1100))
    assert all(i["barcode"] == f"HZ2-{i['code']}" for i in items)
    assert {(i["zone_id"], i["type"], i["frozen"], i["active"]) for i in items} == {(site.zone, "storage", False, True)}
    listed = await client.get(
        "/api/locations",
        params={"warehouse_id": site.warehouse, "q": "C-", "limit": 500},
        headers=site.headers[Role.picker],
    )
    assert [i["code"] for i in listed.json()["items"]] == [i["code"] for i in items]


async def test_pattern_over_several_aisles_snakes_racks_up_then_down(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.post(
        "/api/locations/bulk",
        headers=site.headers[Role.supervisor],
        json=pattern(site, aisles=["D", "E", "F"], rack_from=1, rack_to=3, level_from=1, level_to=2),
    )
    assert r.status_code == 201, r.text
    codes = [i["code"] for i in sorted(r.json()["items"], key=lambda i: i["walking_sequence"])]
    assert codes == [
        "D-01-01",
        "D-01-02",
        "D-02-01",
        "D-02-02",
        "D-03-01",
        "D-03-02",
        "E-03-01",
        "E-03-02",
        "E-02-01",
        "E-02-02",
        "E-01-01",
        "E-01-02",
        "F-01-01",
        "F-01-02",
        "F-02-01",
        "F-02-02",
        "F-03-01",
        "F-03-02",
    ]
    # Default sequence: after the bins that already exist (the factory's bins have small numbers).
    first = min(i["walking_sequence"] for i in r.json()["items"])
    async with session_factory() as s:
        before = await s.scalar(
            select(func.max(Location.walking_sequence)).where(
                Location.warehouse_id == site.warehouse,
                Location.code.not_like("D-%"),
                Location.code.not_like("E-%"),
                Location.code.not_like("F-%"),
            )
        )
    assert first == int(before or 0) + 1


async def test_pattern_of_exactly_the_cap_is_created(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    before = await location_count(session_factory, site.warehouse)
    r = await client.post(
        "/api/locations/bulk",
        headers=site.headers[Role.supervisor],
        json=pattern(site, aisles=["G", "H", "J", "K", "L"], rack_to=100, level_to=10),
    )
    assert r.status_code == 201, r.text
    assert r.json()["created"] == MAX_BINS_PER_REQUEST == 5000
    assert (r.json()["first_code"], r.json()["last_code"]) == ("G-001-01", "L-100-10")  # widths follow the largest
    assert await location_count(session_factory, site.warehouse) == before + 5000


async def test_pattern_over_the_cap_is_refused_and_creates_nothing(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    before = await location_count(session_factory, site.warehouse)
    r = await client.post(
        "/api/locations/bulk",
        headers=site.headers[Role.supervisor],
        json=pattern(site, aisles=["A", "B", "C"], rack_to=1000, level_to=2),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "too_many_locations"
    assert r.json()["detail"] == {"requested": 6000, "limit": 5000}
    assert await location_count(session_factory, site.warehouse) == before


async def test_pattern_clashing_with_one_existing_bin_creates_none(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)  # already has A-01-01 and A-01-02
    before = await location_count(session_factory, site.warehouse)
    r = await client.post(
        "/api/locations/bulk",
        headers=site.headers[Role.supervisor],
        json=pattern(site, aisles=["A"], rack_to=2, level_to=3),
    )
    assert r.status_code == 409 and r.json()["code"] == "location_code_taken"
    assert r.json()["detail"]["codes"] == ["A-01-01", "A-01-02"]
    assert await location_count(session_factory, site.warehouse) == before


async def test_pattern_with_reversed_range_is_refused(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.post(
        "/api/locations/bulk", headers=site.headers[Role.supervisor], json=pattern(site, rack_from=5, rack_to=1)
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("invalid_range", "rack_to")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("@SUPPLIER", "reserved_location_code"),
        ("A@1", "reserved_location_code"),
        ("A 01", "invalid_location_code"),
        ("A/01", "invalid_location_code"),
    ],
)
async def test_bad_or_reserved_bin_codes_are_refused(
    client: Client, session_factory: Factory, code: str, error: str
) -> None:
    site = await make_site(session_factory)
    r = await client.post(
        "/api/locations", json={"warehouse_id": site.warehouse, "code": code}, headers=site.headers[Role.supervisor]
    )
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["field"]) == (error, "code")


async def test_single_bin_gets_default_barcode_and_resolves_by_scan(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory, code="SZ9")
    r = await client.post(
        "/api/locations",
        headers=site.headers[Role.supervisor],
        json={
            "warehouse_id": site.warehouse,
            "code": "R-01",
            "type": "returns",
            "zone_id": site.zone,
            "capacity_units": 40,
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["barcode"] == "SZ9-R-01" and created["type"] == "returns" and not created["is_virtual"]
    scanned = await client.get("/api/locations/by-barcode/SZ9-R-01", headers=site.headers[Role.picker])
    assert scanned.status_code == 200 and scanned.json()["id"] == created["id"]
    missing = await client.get("/api/locations/by-barcode/SZ9-NOPE", headers=site.headers[Role.picker])
    assert missing.status_code == 404 and missing.json()["code"] == "location_not_found"
    virtual = await client.get("/api/locations/by-barcode/@SZ9@SUPPLIER", headers=site.headers[Role.picker])
    assert virtual.status_code == 404
    dup = await client.post(
        "/api/locations",
        headers=site.headers[Role.supervisor],
        json={"warehouse_id": site.warehouse, "code": "R-02", "barcode": "SZ9-R-01"},
    )
    assert dup.status_code == 409 and dup.json()["code"] == "location_barcode_taken"


async def test_bin_of_another_warehouse_is_out_of_scope(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory, code="N1")
    other = await make_site(session_factory, code="N2")
    picker = site.headers[Role.picker]
    assert (await client.get(f"/api/locations/{other.a}", headers=picker)).status_code == 403
    assert (await client.get("/api/locations/by-barcode/N2-A-01-01", headers=picker)).status_code == 403
    r = await client.get("/api/locations", params={"warehouse_id": other.warehouse}, headers=picker)
    assert r.status_code == 403 and r.json()["code"] == "warehouse_out_of_scope"
    everything = await client.get("/api/locations", params={"limit": 500}, headers=picker)
    assert {i["warehouse_id"] for i in everything.json()["items"]} == {site.warehouse}
    r = await client.post(
        "/api/locations", json={"warehouse_id": other.warehouse, "code": "X-1"}, headers=site.headers[Role.supervisor]
    )
    assert r.status_code == 403


async def test_picker_cannot_create_or_freeze_bins(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    assert (
        await client.post("/api/locations", json={"warehouse_id": site.warehouse, "code": "Z-1"}, headers=picker)
    ).status_code == 403
    assert (await client.post(f"/api/locations/{site.a}/freeze", headers=picker)).status_code == 403


async def test_virtual_locations_cannot_be_created_edited_or_frozen(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    headers = site.headers[Role.supervisor]
    r = await client.post(
        "/api/locations", json={"warehouse_id": site.warehouse, "code": "SUP2", "type": "supplier"}, headers=headers
    )
    assert r.status_code == 422 and (r.json()["code"], r.json()["field"]) == ("virtual_location_readonly", "type")
    r = await client.post("/api/locations/bulk", json=pattern(site, type="transit"), headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "virtual_location_readonly"
    for call in (
        client.patch(f"/api/locations/{site.supplier}", json={"walking_sequence": 5}, headers=headers),
        client.post(f"/api/locations/{site.transit}/freeze", headers=headers),
        client.patch(f"/api/locations/{site.a}", json={"type": "customer"}, headers=headers),
    ):
        r = await call
        assert r.status_code == 422 and r.json()["code"] == "virtual_location_readonly"


async def test_frozen_bin_refuses_moves_until_unfrozen(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    headers = site.headers[Role.supervisor]
    await post_move(client, headers, move(site.sku, site.supplier, site.a, 10))
    frozen = await client.post(f"/api/locations/{site.a}/freeze", headers=headers)
    assert frozen.status_code == 200 and frozen.json()["frozen"] is True
    r = await client.post(
        "/api/stock/moves", json=move(site.sku, site.a, site.b, 2, reason="transfer"), headers=headers
    )
    assert r.status_code == 409 and (r.json()["code"], r.json()["field"]) == ("location_frozen", "from_location_id")
    listed = await client.get(
        "/api/locations", params={"warehouse_id": site.warehouse, "frozen": "true"}, headers=headers
    )
    assert [i["id"] for i in listed.json()["items"]] == [site.a]
    assert (await client.post(f"/api/locations/{site.a}/unfreeze", headers=headers)).json()["frozen"] is False
    await post_move(client, headers, move(site.sku, site.a, site.b, 2, reason="transfer"))
    assert await on_hand(session_factory, site.b, site.sku) == 2


async def test_bin_with_stock_cannot_be_deactivated(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    headers = site.headers[Role.supervisor]
    await post_move(client, headers, move(site.sku, site.supplier, site.a, 4))
    r = await client.patch(f"/api/locations/{site.a}", json={"active": False}, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "location_not_empty"
    assert r.json()["detail"]["stock"] == [{"sku_id": site.sku, "lot_id": None, "on_hand": 4, "reserved": 0}]
    await post_move(client, headers, move(site.sku, site.a, site.customer, 4, reason="shipment"))
    r = await client.patch(f"/api/locations/{site.a}", json={"active": False}, headers=headers)
    assert r.status_code == 200 and r.json()["active"] is False
    assert await move_count(session_factory) == 2


async def test_update_sets_and_clears_zone_and_capacity(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    other = await make_site(session_factory)
    headers = site.headers[Role.supervisor]
    url = f"/api/locations/{site.b}"
    r = await client.patch(url, json={"capacity_units": 12, "walking_sequence": 7, "type": "pick"}, headers=headers)
    assert (r.json()["capacity_units"], r.json()["walking_sequence"], r.json()["type"]) == (12, 7, "pick")
    r = await client.patch(url, json={"zone_id": None, "capacity_units": None}, headers=headers)
    assert r.status_code == 200 and (r.json()["zone_id"], r.json()["capacity_units"]) == (None, None)
    r = await client.patch(url, json={"zone_id": other.zone}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "zone_not_in_warehouse"
    r = await client.patch(url, json={"capacity_units": -1}, headers=headers)
    assert r.status_code == 400 and r.json()["field"] == "capacity_units"
    by_type = await client.get(
        "/api/locations", params={"warehouse_id": site.warehouse, "type": "pick"}, headers=headers
    )
    assert [i["id"] for i in by_type.json()["items"]] == [site.b]

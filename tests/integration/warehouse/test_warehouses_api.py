"""Warehouses and zones over HTTP: creation with virtual locations, validation, scope, updates."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from server.auth.models import Role
from server.warehouse.models import Location, LocationType, Warehouse
from tests.warehouse_factories import Client, Factory, admin_headers, make_site, move, post_move


def new_warehouse(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "HZ01",
        "name_zh": "杭州一仓",
        "name_en": "Hangzhou 1",
        "province": "浙江省",
        "city": "杭州市",
        "timezone": "Asia/Shanghai",
        "latitude": "30.274085",
        "longitude": "120.155070",
        **overrides,
    }


async def warehouse_count(factory: Factory) -> int:
    async with factory() as s:
        return int(await s.scalar(select(func.count()).select_from(Warehouse)) or 0)


async def test_creating_a_warehouse_makes_its_four_virtual_locations(client: Client, session_factory: Factory) -> None:
    headers = await admin_headers(session_factory)
    r = await client.post("/api/warehouses", json=new_warehouse(), headers=headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["code"] == "HZ01" and body["timezone"] == "Asia/Shanghai"
    assert body["latitude"] == "30.274085" and body["longitude"] == "120.155070"
    async with session_factory() as s:
        virtual = {
            (loc.type, loc.code) for loc in await s.scalars(select(Location).where(Location.warehouse_id == body["id"]))
        }
    assert virtual == {
        (LocationType.supplier, "@SUPPLIER"),
        (LocationType.customer, "@CUSTOMER"),
        (LocationType.loss, "@LOSS"),
        (LocationType.transit, "@TRANSIT"),
    }
    listed = await client.get("/api/locations", params={"warehouse_id": body["id"]}, headers=headers)
    assert listed.json()["total"] == 4
    assert all(item["is_virtual"] for item in listed.json()["items"])


@pytest.mark.parametrize("zone", ["Mars/Olympus", "CST", "asia/shanghai", "../../etc/passwd", ""])
async def test_unknown_timezone_is_refused(client: Client, session_factory: Factory, zone: str) -> None:
    headers = await admin_headers(session_factory)
    r = await client.post("/api/warehouses", json=new_warehouse(timezone=zone), headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_timezone" and r.json()["field"] == "timezone"
    assert await warehouse_count(session_factory) == 0


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        ("90.5", "120", "latitude"),
        ("-91", "0", "latitude"),
        ("30", "180.000001", "longitude"),
        ("30", "-181", "longitude"),
        ("NaN", "120", "latitude"),
        ("30", None, "longitude"),
    ],
)
async def test_coordinates_out_of_range_or_unpaired_are_refused(
    client: Client, session_factory: Factory, latitude: str | None, longitude: str | None, field: str
) -> None:
    headers = await admin_headers(session_factory)
    r = await client.post(
        "/api/warehouses", json=new_warehouse(latitude=latitude, longitude=longitude), headers=headers
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_coordinates" and r.json()["field"] == field
    assert await warehouse_count(session_factory) == 0


async def test_coordinates_given_as_numbers_keep_six_places_without_float_error(
    client: Client, session_factory: Factory
) -> None:
    headers = await admin_headers(session_factory)
    r = await client.post(
        "/api/warehouses", json=new_warehouse(latitude=-33.8688197, longitude=151.2092955), headers=headers
    )
    assert r.status_code == 201, r.text
    assert (r.json()["latitude"], r.json()["longitude"]) == ("-33.868820", "151.209296")


async def test_duplicate_warehouse_code_is_a_conflict_whatever_the_case(
    client: Client, session_factory: Factory
) -> None:
    headers = await admin_headers(session_factory)
    assert (await client.post("/api/warehouses", json=new_warehouse(), headers=headers)).status_code == 201
    r = await client.post("/api/warehouses", json=new_warehouse(code="hz01"), headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "warehouse_code_taken"


async def test_scoped_supervisor_cannot_create_a_warehouse(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.post("/api/warehouses", json=new_warehouse(), headers=site.headers[Role.supervisor])
    assert r.status_code == 403 and r.json()["code"] == "warehouse_create_forbidden"
    r = await client.post("/api/warehouses", json=new_warehouse(), headers=site.headers[Role.picker])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert await warehouse_count(session_factory) == 1


async def test_scoped_admin_sees_the_warehouse_they_created(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.post("/api/warehouses", json=new_warehouse(), headers=site.headers[Role.admin])
    assert r.status_code == 201, r.text
    got = await client.get(f"/api/warehouses/{r.json()['id']}", headers=site.headers[Role.admin])
    assert got.status_code == 200 and got.json()["code"] == "HZ01"


async def test_warehouse_list_shows_only_the_users_warehouses_and_filters(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory, code="SH01")
    other = await make_site(session_factory, code="BJ01")
    mine = await client.get("/api/warehouses", headers=site.headers[Role.picker])
    assert [w["code"] for w in mine.json()["items"]] == ["SH01"] and mine.json()["total"] == 1
    headers = await admin_headers(session_factory)
    everything = await client.get("/api/warehouses", headers=headers)
    assert [w["code"] for w in everything.json()["items"]] == ["BJ01", "SH01"]
    assert (await client.get("/api/warehouses", params={"q": "bj"}, headers=headers)).json()["total"] == 1
    await client.patch(f"/api/warehouses/{other.warehouse}", json={"active": False}, headers=headers)
    active = await client.get("/api/warehouses", params={"active": "true"}, headers=headers)
    assert [w["code"] for w in active.json()["items"]] == ["SH01"]
    zhejiang = await client.get("/api/warehouses", params={"province": "浙江省"}, headers=headers)
    assert zhejiang.json()["total"] == 2
    r = await client.get(f"/api/warehouses/{other.warehouse}", headers=site.headers[Role.picker])
    assert r.status_code == 403 and r.json()["code"] == "warehouse_out_of_scope"


async def test_update_changes_fields_and_validates_like_create(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    url = f"/api/warehouses/{site.warehouse}"
    headers = site.headers[Role.supervisor]
    r = await client.patch(
        url,
        json={"name_en": "Renamed", "timezone": "Asia/Urumqi", "latitude": 43.8, "longitude": 87.6},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["name_en"], r.json()["timezone"], r.json()["latitude"]) == ("Renamed", "Asia/Urumqi", "43.800000")
    r = await client.patch(url, json={"timezone": "Asia/Beijing"}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_timezone"
    r = await client.patch(url, json={"latitude": None}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_coordinates"
    r = await client.patch(url, json={"latitude": None, "longitude": None}, headers=headers)
    assert r.status_code == 200 and r.json()["latitude"] is None
    r = await client.patch(url, json={"code": "NEW"}, headers=headers)
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = await client.patch(url, json={"name_en": "x"}, headers=site.headers[Role.picker])
    assert r.status_code == 403


async def test_warehouse_holding_stock_cannot_be_deactivated(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    await post_move(client, site.headers[Role.supervisor], move(site.sku, site.supplier, site.a, 3))
    r = await client.patch(
        f"/api/warehouses/{site.warehouse}", json={"active": False}, headers=site.headers[Role.supervisor]
    )
    assert r.status_code == 409 and r.json()["code"] == "warehouse_not_empty"


async def test_zone_codes_are_unique_per_warehouse_only(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    other = await make_site(session_factory)
    headers = await admin_headers(session_factory)
    r = await client.post(
        f"/api/warehouses/{site.warehouse}/zones", json={"code": "COLD", "name_zh": "冷库"}, headers=headers
    )
    assert r.status_code == 201, r.text
    zone = r.json()
    again = await client.post(
        f"/api/warehouses/{site.warehouse}/zones", json={"code": "COLD", "name_zh": "冷库2"}, headers=headers
    )
    assert again.status_code == 409 and again.json()["code"] == "zone_code_taken"
    elsewhere = await client.post(
        f"/api/warehouses/{other.warehouse}/zones", json={"code": "COLD", "name_zh": "冷库"}, headers=headers
    )
    assert elsewhere.status_code == 201
    listed = await client.get(f"/api/warehouses/{site.warehouse}/zones", headers=site.headers[Role.picker])
    assert [z["code"] for z in listed.json()["items"]] == ["A", "COLD"]
    clash = await client.patch(
        f"/api/warehouses/{site.warehouse}/zones/{zone['id']}", json={"code": "A"}, headers=headers
    )
    assert clash.status_code == 409 and clash.json()["code"] == "zone_code_taken"
    renamed = await client.patch(
        f"/api/warehouses/{site.warehouse}/zones/{zone['id']}", json={"name_en": "Cold room"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["name_en"] == "Cold room"
    wrong_site = await client.patch(
        f"/api/warehouses/{other.warehouse}/zones/{zone['id']}", json={"name_en": "x"}, headers=headers
    )
    assert wrong_site.status_code == 404 and wrong_site.json()["code"] == "zone_not_found"
    out_of_scope = await client.get(f"/api/warehouses/{other.warehouse}/zones", headers=site.headers[Role.picker])
    assert out_of_scope.status_code == 403

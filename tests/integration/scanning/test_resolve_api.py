"""``POST /api/scan/resolve`` on both backends: the wire shape, who may call it, bad input, scope; and
the catalog's barcode lookups going through the same service."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.auth.models import Role
from tests.integration.scanning.resolve_support import ORDER_NO, PO_CODE, Factory, World, make_world
from tests.warehouse_factories import user_headers

Client = AsyncTestClient[Litestar]
URL = "/api/scan/resolve"


@pytest.fixture
async def world(session_factory: Factory) -> World:
    return await make_world(session_factory)


@pytest.fixture
async def picker(session_factory: Factory, world: World) -> dict[str, str]:
    """A picker of the Hangzhou warehouse only."""
    async with session_factory() as s, s.begin():
        return await user_headers(s, Role.picker, warehouse_ids=[world.hz])


async def test_a_gs1_scan_answers_the_sku_its_lot_and_the_parsed_fields(
    client: Client, picker: dict[str, str], world: World
) -> None:
    r = await client.post(
        URL,
        headers=picker,
        json={"text": "]d2" + "0106901234567892" + "17270630" + "10L2406A", "warehouse_id": world.hz},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["kind"], body["symbology"], body["match"]["kind"]) == ("sku", "]d2", "sku")
    assert (body["match"]["sku_id"], body["match"]["sku_code"], body["match"]["pack_qty"]) == (world.milk, "MILK-1L", 1)
    assert body["match"]["lot"] == {
        "lot_number": "L2406A",
        "lot_id": world.milk_lot,
        "is_new": False,
        "expires_on": "2027-06-30",
        "manufactured_on": None,
        "scanned_expiry": "2027-06-30",
        "expiry_differs": False,
    }
    assert (body["gs1"]["gtin"], body["gs1"]["lot"], body["gs1"]["expiry"]) == (
        "06901234567892",
        "L2406A",
        "2027-06-30",
    )
    assert [e["ai"] for e in body["gs1"]["elements"]] == ["01", "17", "10"]


async def test_an_order_scan_answers_the_order_on_the_wire(
    client: Client, picker: dict[str, str], world: World
) -> None:
    r = await client.post(URL, headers=picker, json={"text": ORDER_NO, "warehouse_id": world.hz})
    assert r.status_code == 200, r.text
    match = r.json()["match"]
    assert (match["kind"], match["order_id"], match["status"], match["channel_name"]) == (
        "order",
        world.order,
        "picked",
        "天猫旗舰店",
    )


async def test_unknown_answers_reason_hint_and_suggestions(
    client: Client, picker: dict[str, str], world: World
) -> None:
    r = await client.post(URL, headers=picker, json={"text": "6901234567893"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["kind"], body["reason"], body["expected_check_digit"], body["match"]) == (
        "unknown",
        "check_digit_wrong",
        "2",
        None,
    )
    assert body["message_zh"]
    assert body["suggestions"][0] == {
        "kind": "sku",
        "id": world.milk,
        "code": "06901234567892",
        "label": body["suggestions"][0]["label"],
        "warehouse_id": None,
        "why": "check_digit",
    }


@pytest.mark.parametrize(("text", "code"), [("", "scan_empty"), ("  \r\n", "scan_empty")])
async def test_empty_text_is_400(client: Client, picker: dict[str, str], world: World, text: str, code: str) -> None:
    r = await client.post(URL, headers=picker, json={"text": text})
    assert r.status_code == 400, r.text
    assert (r.json()["code"], r.json()["field"]) == (code, "text")
    assert r.json()["message_zh"]


async def test_oversized_or_missing_text_is_400_naming_the_field(
    client: Client, picker: dict[str, str], world: World
) -> None:
    long = await client.post(URL, headers=picker, json={"text": "7" * 513})
    assert (long.status_code, long.json()["field"]) == (400, "text")
    missing = await client.post(URL, headers=picker, json={"warehouse_id": world.hz})
    assert (missing.status_code, missing.json()["field"]) == (400, "text")
    unknown_field = await client.post(URL, headers=picker, json={"text": "X", "warehouse": 1})
    assert (unknown_field.status_code, unknown_field.json()["field"]) == (400, "warehouse")
    just_fits = await client.post(URL, headers=picker, json={"text": "7" * 512})
    assert (just_fits.status_code, just_fits.json()["kind"]) == (200, "unknown")


async def test_login_is_required(client: Client, world: World) -> None:
    r = await client.post(URL, json={"text": ORDER_NO})
    assert r.status_code == 401


async def test_a_warehouse_outside_the_callers_scope_is_403(
    client: Client, picker: dict[str, str], world: World
) -> None:
    r = await client.post(URL, headers=picker, json={"text": PO_CODE, "warehouse_id": world.gz})
    assert r.status_code == 403
    assert r.json()["code"] == "warehouse_out_of_scope"


async def test_rows_of_other_warehouses_never_reach_a_scoped_caller(
    client: Client, picker: dict[str, str], world: World
) -> None:
    r = await client.post(URL, headers=picker, json={"text": PO_CODE})  # Guangzhou's purchase order
    assert r.status_code == 200
    assert (r.json()["kind"], r.json()["reason"], r.json()["suggestions"]) == ("unknown", "not_found", [])
    bins = await client.post(URL, headers=picker, json={"text": "A-01-03"})  # both warehouses have one
    assert (bins.json()["kind"], bins.json()["match"]["location_id"]) == ("bin", world.hz_bin)


async def test_every_warehouse_role_may_resolve(client: Client, session_factory: Factory, world: World) -> None:
    for role in (Role.receiver, Role.counter, Role.packer, Role.supervisor, Role.manager, Role.finance):
        async with session_factory() as s, s.begin():
            headers = await user_headers(s, role, all_warehouses=True)
        r = await client.post(URL, headers=headers, json={"text": "036000291452"})
        assert (r.status_code, r.json()["kind"]) == (200, "sku"), role


async def test_the_catalogs_barcode_lookups_read_scans_the_same_way(
    client: Client, picker: dict[str, str], world: World
) -> None:
    aim = await client.get("/api/barcodes", params={"code": "]E00036000291452"}, headers=picker)
    assert (aim.status_code, aim.json()["sku_id"], aim.json()["code"]) == (200, world.cola, "00036000291452")
    gs1 = await client.get("/api/barcodes", params={"code": "(01)10036000291459(37)24"}, headers=picker)
    assert (gs1.json()["sku_id"], gs1.json()["pack_qty"]) == (world.cola, 24)
    not_a_sku = await client.get(f"/api/barcodes/{ORDER_NO}", headers=picker)  # an order is no barcode
    assert (not_a_sku.status_code, not_a_sku.json()["code"]) == (404, "unknown_barcode")
    listed = await client.get("/api/skus", params={"barcode": "]d20106901234567892" + "10L2406A"}, headers=picker)
    assert [s["id"] for s in listed.json()["items"]] == [world.milk]

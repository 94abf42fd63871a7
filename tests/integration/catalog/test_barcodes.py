"""Barcodes: GTIN check digits and 14-digit storage, scan resolution, case codes, removal, races."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Barcode
from server.catalog.services import barcodes
from tests.factories import make_bin, make_warehouse
from tests.integration.catalog.helpers import Actors, CatalogApi, Client, Factory, count_rows


async def test_gtin_is_stored_as_fourteen_digits_and_resolves_to_its_sku(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku(code="COLA-330", name_zh="可乐330ml", name_en="Cola 330 ml", unit="罐")
    r = await client.post(f"/api/skus/{sku['id']}/barcodes", headers=actors.supervisor, json={"code": "6901234567892"})
    assert r.status_code == 201, r.text
    assert (r.json()["code"], r.json()["kind"], r.json()["pack_qty"]) == ("06901234567892", "gtin", 1)

    scan = await client.get("/api/barcodes/6901234567892", headers=actors.picker)
    assert scan.status_code == 200, scan.text
    assert scan.json() == {
        "code": "06901234567892",
        "kind": "gtin",
        "pack_qty": 1,
        "sku_id": sku["id"],
        "sku_code": "COLA-330",
        "name_zh": "可乐330ml",
        "name_en": "Cola 330 ml",
        "unit": "罐",
        "is_kit": False,
        "lot_controlled": False,
        "expiry_controlled": False,
        "active": True,
    }


async def test_upca_scan_finds_a_barcode_stored_from_ean13_and_back(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    gum = await catalog.sku()
    await catalog.barcode(gum["id"], "0036000291452")  # registered as EAN-13
    upca = await client.get("/api/barcodes/036000291452", headers=actors.picker)  # scanned as UPC-A
    assert upca.status_code == 200
    assert upca.json()["sku_id"] == gum["id"]

    other = await catalog.sku()
    await catalog.barcode(other["id"], "012345678905")  # registered as UPC-A
    ean = await client.get("/api/barcodes/0012345678905", headers=actors.picker)
    assert ean.json()["sku_id"] == other["id"]
    gtin14 = await client.get("/api/barcodes/00012345678905", headers=actors.picker)
    assert gtin14.json()["sku_id"] == other["id"]


async def test_case_barcode_resolves_with_its_pack_quantity(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku()
    await catalog.barcode(sku["id"], "036000291452")
    await catalog.barcode(sku["id"], "10036000291459", pack_qty=24)  # the ITF-14 on the carton
    await catalog.barcode(sku["id"], "INNER-6", pack_qty=6)
    unit = (await client.get("/api/barcodes/036000291452", headers=actors.picker)).json()
    case = (await client.get("/api/barcodes/10036000291459", headers=actors.picker)).json()
    inner = (await client.get("/api/barcodes/INNER-6", headers=actors.picker)).json()
    assert (unit["sku_id"], unit["pack_qty"]) == (sku["id"], 1)
    assert (case["sku_id"], case["pack_qty"]) == (sku["id"], 24)
    assert (inner["sku_id"], inner["kind"], inner["pack_qty"]) == (sku["id"], "internal", 6)
    detail = (await client.get(f"/api/skus/{sku['id']}", headers=actors.picker)).json()
    assert [(b["code"], b["pack_qty"]) for b in detail["barcodes"]] == [
        ("00036000291452", 1),
        ("10036000291459", 24),
        ("INNER-6", 6),
    ]


async def test_wrong_check_digit_is_422_naming_the_expected_digit_and_nothing_is_stored(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku()
    r = await client.post(f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "6901234567893"})
    assert r.status_code == 422
    body = r.json()
    assert (body["code"], body["field"]) == ("invalid_gtin", "code")
    assert "expected 2" in body["message"]
    assert body["detail"] == {"expected_check_digit": "2"}
    assert await count_rows(session_factory, Barcode) == 0


async def test_scanning_a_gtin_with_a_wrong_check_digit_is_422_not_unknown(client: Client, actors: Actors) -> None:
    r = await client.get("/api/barcodes/036000291453", headers=actors.picker)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_gtin"
    assert r.json()["detail"] == {"expected_check_digit": "2"}


async def test_other_codes_are_stored_as_given_trimmed(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku()
    r = await client.post(f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "  Box-12/A \n"})
    assert r.status_code == 201
    assert (r.json()["code"], r.json()["kind"]) == ("Box-12/A", "internal")
    short = await client.post(f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "12345"})
    assert (short.json()["code"], short.json()["kind"]) == ("12345", "internal")
    assert (await client.get("/api/barcodes/12345", headers=actors.picker)).json()["sku_id"] == sku["id"]


async def test_duplicate_barcode_is_409_naming_the_sku_that_has_it(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    owner = await catalog.sku(code="OWNER")
    await catalog.barcode(owner["id"], "0036000291452")
    other = await catalog.sku()
    # The same GTIN in its UPC-A form is the same barcode.
    r = await client.post(f"/api/skus/{other['id']}/barcodes", headers=actors.manager, json={"code": "036000291452"})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "barcode_taken"
    assert "OWNER" in body["message"]
    assert body["detail"] == {"sku_id": owner["id"], "sku_code": "OWNER"}
    assert await count_rows(session_factory, Barcode) == 1


async def test_a_bins_barcode_cannot_also_be_an_items(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    async with session_factory() as s, s.begin():
        wh = await make_warehouse(s, code="HZ")
        await make_bin(s, wh, code="A-01-01")  # barcode HZ-A-01-01
    sku = await catalog.sku()
    r = await client.post(f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "HZ-A-01-01"})
    assert r.status_code == 409
    assert r.json()["code"] == "barcode_is_location"
    assert await count_rows(session_factory, Barcode) == 0


async def test_pack_qty_below_one_is_400(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku()
    r = await client.post(
        f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "CASE-0", "pack_qty": 0}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "pack_qty"


async def test_unknown_barcode_is_404(client: Client, actors: Actors) -> None:
    for code in ("NOT-A-CODE", "6901234567892"):
        r = await client.get(f"/api/barcodes/{code}", headers=actors.picker)
        assert r.status_code == 404
        assert r.json()["code"] == "unknown_barcode"


async def test_removed_barcode_no_longer_resolves(client: Client, actors: Actors, catalog: CatalogApi) -> None:
    sku = await catalog.sku()
    other = await catalog.sku()
    barcode = await catalog.barcode(sku["id"], "6901234567892")
    wrong_sku = await client.delete(f"/api/skus/{other['id']}/barcodes/{barcode['id']}", headers=actors.manager)
    assert wrong_sku.status_code == 404
    assert wrong_sku.json()["code"] == "barcode_not_found"
    assert (
        await client.delete(f"/api/skus/{sku['id']}/barcodes/{barcode['id']}", headers=actors.manager)
    ).status_code == 204
    assert (await client.get("/api/barcodes/6901234567892", headers=actors.picker)).status_code == 404
    # Once free, the code may go to another SKU.
    await catalog.barcode(other["id"], "6901234567892")


async def test_list_barcodes_is_paged_and_404s_for_unknown_sku(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku()
    for code in ("A-1", "A-2", "A-3"):
        await catalog.barcode(sku["id"], code)
    page = await client.get(f"/api/skus/{sku['id']}/barcodes?limit=2", headers=actors.picker)
    assert page.status_code == 200
    assert page.json()["total"] == 3
    assert [b["code"] for b in page.json()["items"]] == ["A-1", "A-2"]
    for method, path in (
        ("GET", "/api/skus/999/barcodes"),
        ("POST", "/api/skus/999/barcodes"),
        ("DELETE", "/api/skus/999/barcodes/1"),
    ):
        r = await client.request(method, path, headers=actors.manager, json={"code": "X"} if method == "POST" else None)
        assert r.status_code == 404, (method, r.text)
        assert r.json()["code"] == "sku_not_found"


async def test_unknown_field_in_barcode_body_is_400_naming_it(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    sku = await catalog.sku()
    r = await client.post(
        f"/api/skus/{sku['id']}/barcodes", headers=actors.manager, json={"code": "X-1", "quantity": 6}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "quantity"
    assert await count_rows(session_factory, Barcode) == 0


async def test_concurrent_adds_of_one_code_give_one_winner_and_named_refusals(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory
) -> None:
    skus = [await catalog.sku() for _ in range(6)]
    responses = await asyncio.gather(
        *(
            client.post(f"/api/skus/{s['id']}/barcodes", headers=actors.manager, json={"code": "6901234567892"})
            for s in skus
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
    winner = next(r.json()["sku_id"] for r in responses if r.status_code == 201)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "barcode_taken"
            assert r.json()["detail"]["sku_id"] == winner
    assert await count_rows(session_factory, Barcode) == 1


async def test_a_duplicate_that_slips_past_the_check_still_gets_barcode_taken(
    client: Client, actors: Actors, catalog: CatalogApi, session_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests racing past the pre-check meet at the unique index; the loser must still hear who won."""
    owner = await catalog.sku(code="WINNER")
    await catalog.barcode(owner["id"], "6901234567892")
    other = await catalog.sku()
    real_check = barcodes._ensure_code_free
    calls = 0

    async def check_skipping_first_call(session: AsyncSession, code: str) -> None:
        nonlocal calls
        calls += 1
        if calls > 1:  # the pre-check "misses" (as in a race); the check after the index refusal is real
            await real_check(session, code)

    monkeypatch.setattr(barcodes, "_ensure_code_free", check_skipping_first_call)
    r = await client.post(f"/api/skus/{other['id']}/barcodes", headers=actors.manager, json={"code": "6901234567892"})
    assert calls == 2
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "barcode_taken"
    assert r.json()["detail"] == {"sku_id": owner["id"], "sku_code": "WINNER"}
    assert await count_rows(session_factory, Barcode) == 1


async def test_codes_with_slashes_resolve_through_the_query_form(
    client: Client, actors: Actors, catalog: CatalogApi
) -> None:
    sku = await catalog.sku()
    await catalog.barcode(sku["id"], "https://example.cn/p?id=42")
    r = await client.get("/api/barcodes", params={"code": "https://example.cn/p?id=42"}, headers=actors.picker)
    assert r.status_code == 200, r.text
    assert r.json()["sku_id"] == sku["id"]
    await catalog.barcode(sku["id"], "0036000291452")
    upca = await client.get("/api/barcodes", params={"code": "036000291452"}, headers=actors.picker)
    assert upca.json()["code"] == "00036000291452"
    missing = await client.get("/api/barcodes", params={"code": "nope/nope"}, headers=actors.picker)
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_barcode")

"""Stock states, levels, reservations, ledger verification and valuation over HTTP."""

from __future__ import annotations

from server.auth.models import Role
from tests.factories import make_sku
from tests.warehouse_factories import Client, Factory, Site, admin_headers, make_site, move, post_move


async def stock_a_site(client: Client, site: Site) -> None:
    """10 in A, 6 in B (to be frozen), 3 in quarantine, 5 on the road (transit)."""
    headers = site.headers[Role.supervisor]
    await post_move(
        client,
        headers,
        {
            "moves": [
                move(site.sku, site.supplier, site.a, 10),
                move(site.sku, site.supplier, site.b, 6),
                move(site.sku, site.supplier, site.quarantine, 3),
                move(site.sku, site.supplier, site.transit, 5),
            ]
        },
    )


async def test_stock_states_split_quarantine_frozen_transit_and_reserved(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    await stock_a_site(client, site)
    manager = site.headers[Role.manager]
    r = await client.post(
        "/api/stock/reservations", json={"location_id": site.a, "sku_id": site.sku, "qty": 2}, headers=manager
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "location_id": site.a,
        "sku_id": site.sku,
        "lot_id": None,
        "on_hand": 10,
        "reserved": 2,
        "available": 8,
    }
    assert (await client.post(f"/api/locations/{site.b}/freeze", headers=site.headers[Role.supervisor])).is_success

    r = await client.get("/api/stock/states", params={"sku_id": site.sku}, headers=site.headers[Role.picker])
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [
        {
            "sku_id": site.sku,
            "warehouse_id": site.warehouse,
            "on_hand": 19,
            "reserved": 2,
            "available": 8,
            "in_transit": 5,
            "pending_inspection": 3,
            "frozen": 6,
        }
    ]
    levels = await client.get(
        "/api/stock/levels", params={"warehouse_id": site.warehouse}, headers=site.headers[Role.picker]
    )
    by_location = {lv["location_id"]: (lv["on_hand"], lv["reserved"], lv["available"]) for lv in levels.json()["items"]}
    assert by_location == {site.a: (10, 2, 8), site.b: (6, 0, 0), site.quarantine: (3, 0, 0), site.transit: (5, 0, 0)}


async def test_levels_hide_empty_rows_unless_asked(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    await post_move(client, picker, move(site.sku, site.supplier, site.a, 3))
    await post_move(client, picker, move(site.sku, site.a, site.customer, 3, reason="shipment"))
    assert (await client.get("/api/stock/levels", headers=picker)).json()["total"] == 0
    everything = await client.get("/api/stock/levels", params={"nonzero": "false", "sku_id": site.sku}, headers=picker)
    assert [(lv["location_code"], lv["sku_code"], lv["on_hand"]) for lv in everything.json()["items"]] == [
        ("A-01-01", site.sku_code, 0)
    ]


async def test_reservation_beyond_available_is_refused_and_changes_nothing(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    await stock_a_site(client, site)
    manager = site.headers[Role.manager]
    url = "/api/stock/reservations"
    assert (
        await client.post(url, json={"location_id": site.a, "sku_id": site.sku, "qty": 7}, headers=manager)
    ).is_success
    r = await client.post(url, json={"location_id": site.a, "sku_id": site.sku, "qty": 4}, headers=manager)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    assert r.json()["detail"]["shortfalls"][0]["available"] == 3
    r = await client.post(url, json={"location_id": site.quarantine, "sku_id": site.sku, "qty": 1}, headers=manager)
    assert r.status_code == 422 and r.json()["code"] == "location_not_sellable"
    await client.post(f"/api/locations/{site.b}/freeze", headers=site.headers[Role.supervisor])
    r = await client.post(url, json={"location_id": site.b, "sku_id": site.sku, "qty": 1}, headers=manager)
    assert r.status_code == 409 and r.json()["code"] == "location_frozen"
    r = await client.post(f"{url}/release", json={"location_id": site.a, "sku_id": site.sku, "qty": 8}, headers=manager)
    assert r.status_code == 422 and r.json()["code"] == "invalid_move"
    r = await client.post(f"{url}/release", json={"location_id": site.a, "sku_id": site.sku, "qty": 5}, headers=manager)
    assert r.status_code == 200 and (r.json()["reserved"], r.json()["available"]) == (2, 8)
    r = await client.post(
        url, json={"location_id": site.a, "sku_id": site.sku, "qty": 1}, headers=site.headers[Role.picker]
    )
    assert r.status_code == 403


async def test_reservation_in_another_warehouse_is_out_of_scope(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    other = await make_site(session_factory)
    await stock_a_site(client, other)
    r = await client.post(
        "/api/stock/reservations",
        json={"location_id": other.a, "sku_id": other.sku, "qty": 1},
        headers=site.headers[Role.manager],
    )
    assert r.status_code == 403 and r.json()["code"] == "warehouse_out_of_scope"


async def test_ledger_verify_finds_no_difference_after_a_series_of_moves(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    await stock_a_site(client, site)
    supervisor = site.headers[Role.supervisor]
    await post_move(client, supervisor, move(site.sku, site.a, site.b, 4, reason="transfer"))
    await post_move(client, supervisor, move(site.sku, site.transit, site.a, 5, reason="transfer"))
    await post_move(client, supervisor, move(site.sku, site.quarantine, site.loss, 3, reason="scrap"))
    await post_move(client, supervisor, move(site.sku, site.b, site.customer, 9, reason="shipment"))
    r = await client.post("/api/ledger/verify", headers=supervisor)
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True and r.json()["differences"] == [] and r.json()["moves_counted"] == 8
    assert r.json()["levels_checked"] == 4
    assert (await client.post("/api/ledger/verify", headers=site.headers[Role.picker])).status_code == 403


async def test_valuation_multiplies_bin_units_by_standard_cost_per_warehouse(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory, code="V1", cost_minor=1200)
    other = await make_site(session_factory, code="V2", cost_minor=2_000_000)
    async with session_factory() as s, s.begin():
        cheap = (await make_sku(s, cost_minor=99)).id
    await stock_a_site(client, site)  # 19 units in bins + 5 in transit (not valued)
    await post_move(client, site.headers[Role.supervisor], move(cheap, site.supplier, site.a, 3))
    # 200,000 units at ¥20,000: 4×10^11 分 overflows a 32-bit product, not our total.
    await post_move(client, other.headers[Role.supervisor], move(other.sku, other.supplier, other.a, 200_000))

    scoped = await client.get("/api/finance/stock-valuation", headers=site.headers[Role.finance])
    assert scoped.status_code == 200, scoped.text
    body = scoped.json()
    assert body["warehouses"] == [
        {
            "warehouse_id": site.warehouse,
            "warehouse_code": "V1",
            "currency": "CNY",
            "units": 22,
            "value_minor": 19 * 1200 + 3 * 99,
        }
    ]
    assert body["totals"] == [{"currency": "CNY", "units": 22, "value_minor": 23_097}]
    lines = body["lines"]["items"]
    assert sorted((line["sku_id"], line["units"], line["unit_cost_minor"], line["value_minor"]) for line in lines) == [
        (site.sku, 19, 1200, 22_800),
        (cheap, 3, 99, 297),
    ]
    assert [line["sku_code"] for line in lines] == sorted(line["sku_code"] for line in lines)
    assert body["lines"]["total"] == 2

    everything = (await client.get("/api/finance/stock-valuation", headers=await admin_headers(session_factory))).json()
    assert everything["totals"] == [{"currency": "CNY", "units": 200_022, "value_minor": 23_097 + 400_000_000_000}]
    assert [w["warehouse_code"] for w in everything["warehouses"]] == ["V1", "V2"]
    paged = await client.get(
        "/api/finance/stock-valuation",
        params={"warehouse_id": site.warehouse, "limit": 1},
        headers=site.headers[Role.finance],
    )
    assert paged.json()["lines"]["total"] == 2 and len(paged.json()["lines"]["items"]) == 1
    r = await client.get(
        "/api/finance/stock-valuation", params={"warehouse_id": other.warehouse}, headers=site.headers[Role.finance]
    )
    assert r.status_code == 403


async def test_picker_cannot_read_finance(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.get("/api/finance/stock-valuation", headers=site.headers[Role.picker])
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert r.json()["detail"] == {"permission": "finance.read"}

"""Posting and listing moves over HTTP: the ledger's rules as a client sees them, scope, idempotency."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.auth.models import Role
from server.warehouse.ledger.models import StockMove
from tests.warehouse_factories import Client, Factory, make_site, move, move_count, on_hand, post_move


async def test_receipt_then_transfer_then_overdraw_is_refused_listing_the_shortfall(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    (receipt,) = await post_move(client, picker, move(site.sku, site.supplier, site.a, 10, reference="PO-1"))
    assert receipt["replayed"] is False and receipt["qty"] == 10 and receipt["reference"] == "PO-1"
    await post_move(client, picker, move(site.sku, site.a, site.b, 4, reason="transfer"))
    assert (await on_hand(session_factory, site.a, site.sku), await on_hand(session_factory, site.b, site.sku)) == (
        6,
        4,
    )

    r = await client.post(
        "/api/stock/moves",
        headers=picker,
        json={
            "moves": [
                move(site.sku, site.a, site.customer, 5, reason="shipment"),
                move(site.sku, site.b, site.customer, 7, reason="shipment"),
            ]
        },
    )
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "insufficient_stock"
    assert body["detail"]["shortfalls"] == [
        {"sku_id": site.sku, "lot_id": None, "location_id": site.b, "on_hand": 4, "requested": 7}
    ]
    assert await move_count(session_factory) == 2  # the good first line was not written either
    assert (await on_hand(session_factory, site.a, site.sku), await on_hand(session_factory, site.b, site.sku)) == (
        6,
        4,
    )


async def test_same_idempotency_key_header_posts_once_and_answers_replayed(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    headers = {**site.headers[Role.picker], "Idempotency-Key": "phone-7:op-42"}
    body = move(site.sku, site.supplier, site.a, 3, key="")
    first = await client.post("/api/stock/moves", json=body, headers=headers)
    again = await client.post("/api/stock/moves", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["replayed"] is False and again.json()[0]["replayed"] is True
    assert again.json()[0]["move_id"] == first.json()[0]["move_id"]
    assert again.json()[0]["idempotency_key"] == "phone-7:op-42"
    assert await move_count(session_factory) == 1
    assert await on_hand(session_factory, site.a, site.sku) == 3


async def test_same_key_with_different_content_is_refused(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    await post_move(client, picker, move(site.sku, site.supplier, site.a, 3, key="k-1"))
    r = await client.post("/api/stock/moves", json=move(site.sku, site.supplier, site.a, 4, key="k-1"), headers=picker)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused"
    assert await move_count(session_factory) == 1


async def test_move_without_any_idempotency_key_is_refused(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    r = await client.post("/api/stock/moves", json=move(site.sku, site.supplier, site.a, 1, key=""), headers=picker)
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("idempotency_key_required", "idempotency_key")
    r = await client.post(
        "/api/stock/moves",
        headers=picker,
        json={"moves": [move(site.sku, site.supplier, site.a, 1), move(site.sku, site.supplier, site.b, 1, key="")]},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("idempotency_key_required", "moves.1.idempotency_key")
    assert await move_count(session_factory) == 0


async def test_batch_under_one_header_key_numbers_its_moves_and_replays_whole(
    client: Client, session_factory: Factory
) -> None:
    site = await make_site(session_factory)
    headers = {**site.headers[Role.picker], "Idempotency-Key": "B1"}
    batch = {
        "moves": [
            move(site.sku, site.supplier, site.a, 2, key=""),
            move(site.sku, site.supplier, site.b, 5, key=""),
            move(site.sku, site.supplier, site.quarantine, 1, key="own-key"),
        ]
    }
    r = await client.post("/api/stock/moves", json=batch, headers=headers)
    assert r.status_code == 201, r.text
    assert [m["idempotency_key"] for m in r.json()] == ["B1:0", "B1:1", "own-key"]
    again = await client.post("/api/stock/moves", json=batch, headers=headers)
    assert again.status_code == 200 and all(m["replayed"] for m in again.json())
    assert await move_count(session_factory) == 3


async def test_actor_and_device_come_from_the_login_not_the_body(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    r = await client.post(
        "/api/stock/moves", headers=picker, json=move(site.sku, site.supplier, site.a, 1, actor_user_id=1)
    )
    assert r.status_code == 400 and r.json()["field"] == "actor_user_id"
    await post_move(client, picker, move(site.sku, site.supplier, site.a, 1))
    me = (await client.get("/api/auth/me", headers=picker)).json()
    async with session_factory() as s:
        (stored,) = await s.scalars(select(StockMove))
    assert stored.actor_user_id == me["id"] and stored.device_id is None


@pytest.mark.parametrize(
    "raw",
    [
        b'{"sku_id": 1, "qty": 3,}',
        b"{sku_id: 1}",
        b'{"sku_id": 1} {"qty": 3}',
        b'{"sku_id": 1, "qty": 3,',  # regression: truncated input was reported as http_error
    ],
)
async def test_malformed_json_is_refused_and_writes_nothing(
    client: Client, session_factory: Factory, raw: bytes
) -> None:
    site = await make_site(session_factory)
    headers = {**site.headers[Role.picker], "Content-Type": "application/json"}
    r = await client.post("/api/stock/moves", content=raw, headers=headers)
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    assert await move_count(session_factory) == 0


async def test_batch_with_one_bad_field_is_refused_whole_naming_it(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    r = await client.post(
        "/api/stock/moves",
        headers=site.headers[Role.picker],
        json={
            "moves": [
                move(site.sku, site.supplier, site.a, 1),
                {**move(site.sku, site.supplier, site.a, 1), "qty": "two"},
            ]
        },
    )
    assert r.status_code == 400 and (r.json()["code"], r.json()["field"]) == ("invalid_input", "moves.1.qty")
    r = await client.post(
        "/api/stock/moves",
        headers=site.headers[Role.picker],
        json=move(site.sku, site.supplier, site.a, 1, occurred_at="2026-11-01T09:00:00"),
    )
    assert r.status_code == 400 and r.json()["field"] == "occurred_at"  # a time without a zone is ambiguous
    assert await move_count(session_factory) == 0


async def test_picker_cannot_move_or_read_stock_of_another_warehouse(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory, code="SH")
    other = await make_site(session_factory, code="BJ")
    await post_move(client, other.headers[Role.picker], move(other.sku, other.supplier, other.a, 9))
    await post_move(client, site.headers[Role.picker], move(site.sku, site.supplier, site.a, 2))
    picker = site.headers[Role.picker]

    r = await client.post(
        "/api/stock/moves", json=move(other.sku, other.a, other.b, 1, reason="transfer"), headers=picker
    )
    assert r.status_code == 403 and r.json()["code"] == "warehouse_out_of_scope"
    r = await client.post(
        "/api/stock/moves", json=move(site.sku, site.a, other.b, 1, reason="transfer"), headers=picker
    )
    assert r.status_code == 403  # one side in scope is not enough
    assert await move_count(session_factory) == 2

    for url, params in (
        ("/api/stock/levels", {"warehouse_id": other.warehouse}),
        ("/api/stock/levels", {"location_id": other.a}),
        ("/api/stock/moves", {"warehouse_id": other.warehouse}),
        ("/api/stock/moves", {"location_id": other.a}),
        ("/api/stock/states", {"warehouse_id": other.warehouse}),
    ):
        r = await client.get(url, params=params, headers=picker)
        assert r.status_code == 403, (url, params, r.text)

    levels = (await client.get("/api/stock/levels", headers=picker)).json()
    assert [(lv["location_id"], lv["on_hand"]) for lv in levels["items"]] == [(site.a, 2)]
    moves = (await client.get("/api/stock/moves", headers=picker)).json()
    assert moves["total"] == 1 and moves["items"][0]["to_location_id"] == site.a
    states = (await client.get("/api/stock/states", headers=picker)).json()
    assert [(st["warehouse_id"], st["on_hand"]) for st in states["items"]] == [(site.warehouse, 2)]


async def test_move_list_filters_and_orders_newest_first(client: Client, session_factory: Factory) -> None:
    site = await make_site(session_factory)
    picker = site.headers[Role.picker]
    await post_move(
        client,
        picker,
        move(site.sku, site.supplier, site.a, 5, occurred_at="2026-11-01T09:00:00+08:00", reference="PO-9"),
    )
    await post_move(
        client, picker, move(site.sku, site.a, site.b, 2, reason="transfer", occurred_at="2026-11-02T09:00:00+08:00")
    )
    await post_move(
        client,
        picker,
        move(
            site.sku,
            site.b,
            site.customer,
            1,
            reason="shipment",
            occurred_at="2026-11-03T09:00:00+08:00",
            reference="SO-1",
        ),
    )

    async def reasons(**params: object) -> list[str]:
        r = await client.get("/api/stock/moves", params=params, headers=picker)
        assert r.status_code == 200, r.text
        return [m["reason"] for m in r.json()["items"]]

    assert await reasons() == ["shipment", "transfer", "receipt"]
    assert await reasons(location_id=site.b) == ["shipment", "transfer"]
    assert await reasons(reason="receipt") == ["receipt"]
    assert await reasons(reference="SO-1") == ["shipment"]
    assert await reasons(occurred_after="2026-11-02T01:00:00Z", occurred_before="2026-11-03T01:00:00Z") == ["transfer"]
    assert await reasons(sku_id=site.sku, warehouse_id=site.warehouse, limit=1) == ["shipment"]
    assert await reasons(sku_id=site.sku + 1000) == []

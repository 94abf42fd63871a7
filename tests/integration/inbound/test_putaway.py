"""Put-away suggestions: pick face first, then bins holding the SKU (same lot first), then empty
storage bins of the SKU's zone by walking sequence, each with a reason in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.auth.models import Role
from server.catalog.models import Lot
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import Location, LocationType, Zone
from tests.factories import make_lot, make_sku
from tests.integration.inbound.helpers import Client, Dock, Factory, key, make_dock


@dataclass
class Shelf:
    dock: Dock
    sku: int
    lot_a: int
    lot_b: int
    bins: dict[str, int]


async def _bin(s: Any, dock: Dock, code: str, seq: int, **extra: Any) -> Location:
    location = Location(
        warehouse_id=dock.warehouse,
        zone_id=extra.pop("zone_id", dock.zone),
        code=code,
        barcode=f"{dock.warehouse}-{code}",
        type=extra.pop("type", LocationType.storage),
        walking_sequence=seq,
        **extra,
    )
    s.add(location)
    await s.flush()
    return location


def _receipt(sku: int, lot: int | None, to: int, qty: int, supplier: int) -> MoveRequest:
    return MoveRequest(
        sku_id=sku,
        lot_id=lot,
        from_location_id=supplier,
        to_location_id=to,
        qty=qty,
        reason=MoveReason.receipt,
        idempotency_key=key(),
    )


async def make_shelf(factory: Factory) -> Shelf:
    """Bins named by what they are; their walking sequence is deliberately not their creation order."""
    dock = await make_dock(factory)
    async with factory() as s, s.begin():
        sku = await make_sku(s, lot_controlled=True)
        lot_a: Lot = await make_lot(s, sku, "A")
        lot_b: Lot = await make_lot(s, sku, "B")
        other_sku = await make_sku(s)
        cold = Zone(warehouse_id=dock.warehouse, code="C", name_zh="冷库", name_en="Cold room")
        s.add(cold)
        await s.flush()
        bins = {
            "face": await _bin(s, dock, "P-01", 50, type=LocationType.pick, capacity_units=100),
            "holds_a": await _bin(s, dock, "S-HA", 40, capacity_units=100),
            "holds_b": await _bin(s, dock, "S-HB", 30),
            "holds_a_full": await _bin(s, dock, "S-HAF", 5, capacity_units=12),
            "empty_far": await _bin(s, dock, "S-E9", 90),
            "empty_near": await _bin(s, dock, "S-E2", 20, capacity_units=10),
            "empty_small": await _bin(s, dock, "S-E1", 11, capacity_units=9),
            "empty_frozen": await _bin(s, dock, "S-EF", 12, frozen=True),
            "empty_cold": await _bin(s, dock, "C-E1", 1, zone_id=cold.id),
            "other_sku": await _bin(s, dock, "S-O", 2),
        }
        dock_storage = await s.get(Location, dock.storage)
        assert dock_storage is not None
        dock_storage.walking_sequence = 60
        bins["dock_storage"] = dock_storage
        await post_moves(
            s,
            [
                _receipt(sku.id, lot_a.id, bins["holds_a"].id, 5, dock.supplier),
                _receipt(sku.id, lot_b.id, bins["holds_b"].id, 7, dock.supplier),
                _receipt(sku.id, lot_a.id, bins["holds_a_full"].id, 8, dock.supplier),
                _receipt(other_sku.id, None, bins["other_sku"].id, 1, dock.supplier),
            ],
        )
        return Shelf(dock, sku.id, lot_a.id, lot_b.id, {name: b.id for name, b in bins.items()})


async def _suggest(client: Client, shelf: Shelf, qty: int, **params: Any) -> dict[str, Any]:
    r = await client.get(
        "/api/putaway/suggest",
        params={"warehouse_id": shelf.dock.warehouse, "sku_id": shelf.sku, "qty": qty, **params},
        headers=shelf.dock.headers[Role.receiver],
    )
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def _named(shelf: Shelf, body: dict[str, Any]) -> list[tuple[str, str]]:
    names = {v: k for k, v in shelf.bins.items()}
    return [(names.get(x["location_id"], str(x["location_id"])), x["rule"]) for x in body["suggestions"]]


async def test_pick_face_first_then_same_lot_then_same_sku_then_empty_bins_by_walking_sequence(
    client: Client, session_factory: Factory
) -> None:
    shelf = await make_shelf(session_factory)
    boss = shelf.dock.headers[Role.supervisor]
    r = await client.post(
        "/api/putaway/assignments", json={"sku_id": shelf.sku, "location_id": shelf.bins["face"]}, headers=boss
    )
    assert r.status_code == 201 and r.json()["kind"] == "pick_face"

    body = await _suggest(client, shelf, 10, lot_id=shelf.lot_a)
    assert _named(shelf, body) == [
        ("face", "pick_face"),
        ("holds_a", "same_lot"),
        ("holds_b", "same_sku"),
        ("empty_near", "empty_bin"),
        ("dock_storage", "empty_bin"),
        ("empty_far", "empty_bin"),
    ]
    # not suggested: holds_a_full (room 4 < 10), empty_small (capacity 9), empty_frozen, empty_cold (another
    # zone), other_sku (occupied), and the receiving/quarantine/returns bins (not storage)
    face, holds_a, holds_b, near, _, far = body["suggestions"]
    assert [x["rank"] for x in body["suggestions"]] == [1, 2, 3, 4, 5, 6]
    assert (face["room"], face["sku_on_hand"]) == (100, 0)
    assert (holds_a["room"], holds_a["sku_on_hand"], holds_b["room"]) == (95, 5, None)
    assert (near["room"], near["walking_sequence"], far["walking_sequence"]) == (10, 20, 90)
    assert face["reason"].startswith("fixed pick face of SKU") and face["reason_zh"].startswith("商品")
    assert holds_a["reason"] == "already holds 5 of lot A: keeps the lot together; room for 95"
    assert holds_a["reason_zh"] == "已存放同批次 A 共 5 件，同批次集中存放；剩余容量 95"
    assert near["reason"] == "empty storage bin in zone A, where this SKU is kept, walking sequence 20; room for 10"
    assert near["reason_zh"] == "空储位，位于A 区（该商品的存放区），行走顺序 20；剩余容量 10"
    assert body["notes"] == []

    without_lot = await _suggest(client, shelf, 10)
    assert [rule for _, rule in _named(shelf, without_lot)][:3] == ["pick_face", "same_sku", "same_sku"]
    assert [name for name, _ in _named(shelf, without_lot)][1:3] == ["holds_b", "holds_a"]  # walking order


async def test_a_full_pick_face_is_skipped_with_a_note(client: Client, session_factory: Factory) -> None:
    shelf = await make_shelf(session_factory)
    boss = shelf.dock.headers[Role.supervisor]
    await client.post(
        "/api/putaway/assignments", json={"sku_id": shelf.sku, "location_id": shelf.bins["face"]}, headers=boss
    )
    body = await _suggest(client, shelf, 101, limit=2)
    assert _named(shelf, body) == [("holds_b", "same_sku"), ("dock_storage", "empty_bin")]
    assert body["notes"] == [
        {
            "location_id": shelf.bins["face"],
            "message": "pick face P-01 has room for 100, fewer than 101",
            "message_zh": "固定拣货位 P-01 剩余容量 100，不足 101",
        }
    ]


async def test_a_sku_new_to_the_warehouse_gets_empty_bins_of_any_zone_in_walking_order(
    client: Client, session_factory: Factory
) -> None:
    shelf = await make_shelf(session_factory)
    async with session_factory() as s, s.begin():
        newcomer = (await make_sku(s)).id
    r = await client.get(
        "/api/putaway/suggest",
        params={"warehouse_id": shelf.dock.warehouse, "sku_id": newcomer, "qty": 5},
        headers=shelf.dock.headers[Role.receiver],
    )
    assert r.status_code == 200, r.text
    names = {v: k for k, v in shelf.bins.items()}
    got = [names.get(x["location_id"], x["location_id"]) for x in r.json()["suggestions"]]
    assert got == ["empty_cold", "empty_small", "empty_near", "dock_storage", "empty_far"]
    assert {x["rule"] for x in r.json()["suggestions"]} == {"empty_bin"}


async def test_pick_face_assignments_are_one_per_sku_and_one_per_bin(client: Client, session_factory: Factory) -> None:
    shelf = await make_shelf(session_factory)
    boss = shelf.dock.headers[Role.supervisor]
    first = await client.post(
        "/api/putaway/assignments", json={"sku_id": shelf.sku, "location_id": shelf.bins["face"]}, headers=boss
    )
    assert first.status_code == 201
    second = await client.post(
        "/api/putaway/assignments", json={"sku_id": shelf.sku, "location_id": shelf.bins["empty_far"]}, headers=boss
    )
    assert second.status_code == 409 and second.json()["code"] == "pick_face_taken"
    shared = await client.post(
        "/api/putaway/assignments",
        json={"sku_id": shelf.dock.sku, "location_id": shelf.bins["face"]},
        headers=boss,
    )
    assert shared.status_code == 409 and shared.json()["code"] == "bin_already_assigned"
    listed = (await client.get("/api/putaway/assignments", params={"sku_id": shelf.sku}, headers=boss)).json()
    assert [(a["location_id"], a["warehouse_id"]) for a in listed["items"]] == [
        (shelf.bins["face"], shelf.dock.warehouse)
    ]
    gone = await client.delete(f"/api/putaway/assignments/{first.json()['id']}", headers=boss)
    assert gone.status_code == 204
    body = await _suggest(client, shelf, 1)
    assert body["suggestions"][0]["rule"] == "same_sku"

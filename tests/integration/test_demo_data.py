"""The demo data set: realistic, consistent with the ledger, loginable, and never loaded twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import Role
from server.catalog.gtin import is_valid_gtin
from server.catalog.models import Barcode, KitComponent, Lot, Product, Sku
from server.demo import LOGINS, DemoDataRefused, build_demo, has_any_users, load_demo_data
from server.settings import Settings
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.verify import verify_ledger
from server.warehouse.models import VIRTUAL_TYPES, Location, LocationType, Warehouse
from tests.factories import bearer

pytestmark = pytest.mark.slow

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _count(session: AsyncSession, model: type[object], *where: object) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


async def _stock_in(session: AsyncSession, *where: object) -> int:
    """On hand summed over the locations matching ``where``."""
    query = select(func.sum(StockLevel.on_hand)).join(Location, Location.id == StockLevel.location_id)
    return int(await session.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]


async def _counts(session: AsyncSession) -> dict[str, int]:
    models = (Warehouse, Location, Product, Sku, Barcode, Lot, KitComponent, StockMove, StockLevel)
    counts = {model.__name__: await _count(session, model) for model in models}
    counts["reserved"] = int(await session.scalar(select(func.sum(StockLevel.reserved))) or 0)
    return counts


def test_demo_spec_is_the_same_on_every_build_and_its_gtins_are_valid() -> None:
    first_catalog, first_plan = build_demo(TODAY)
    second_catalog, second_plan = build_demo(TODAY)
    assert first_catalog == second_catalog
    assert first_plan == second_plan
    # The structure does not depend on the day: only the lot dates move with the calendar.
    later_catalog, later_plan = build_demo(TODAY + timedelta(days=40))
    assert [s.code for s in later_catalog.skus()] == [s.code for s in first_catalog.skus()]
    assert later_plan == first_plan
    skus = first_catalog.skus()
    assert all(is_valid_gtin(s.ean13) and len(s.ean13) == 13 and "690" <= s.ean13[:3] <= "699" for s in skus)
    cases = [s for s in skus if s.case_gtin is not None]
    assert all(is_valid_gtin(s.case_gtin or "") and (s.case_gtin or "")[0] == "1" for s in cases)
    assert all(s.case_qty in {6, 12, 24} for s in cases)


async def test_demo_load_gives_a_realistic_set_that_matches_the_ledger_and_logs_every_role_in(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    messages: list[str] = []
    summary = await load_demo_data(session_factory, settings, progress=messages.append, today=TODAY)

    async with session_factory() as s:
        counts = await _counts(s)
        codes = set(await s.scalars(select(Warehouse.code)))
        bins = await _count(s, Location, Location.type.not_in(list(VIRTUAL_TYPES)))
        kits = await _count(s, Sku, Sku.is_kit.is_(True))
        lot_skus = await _count(s, Sku, Sku.lot_controlled.is_(True))
        case_codes = await _count(s, Barcode, Barcode.pack_qty > 1)
        pack_sizes = set(await s.scalars(select(Barcode.pack_qty).distinct()))
        stored = list(await s.scalars(select(Barcode.code)))
        skus_without_item_code = await _count(s, Sku, ~Sku.id.in_(select(Barcode.sku_id).where(Barcode.pack_qty == 1)))
        expired = await _count(s, Lot, Lot.expires_on < TODAY)
        expiring_soon = await _count(s, Lot, Lot.expires_on >= TODAY, Lot.expires_on <= TODAY + timedelta(days=30))
        report = await verify_ledger(s)
        negative = await _count(s, StockLevel, StockLevel.on_hand < 0)
        over_reserved = await _count(s, StockLevel, StockLevel.reserved > StockLevel.on_hand)
        kit_stock = await _count(s, StockLevel, StockLevel.sku_id.in_(select(Sku.id).where(Sku.is_kit.is_(True))))
        reasons = set(await s.scalars(select(StockMove.reason).distinct()))

        quarantined = await _stock_in(s, Location.type == LocationType.quarantine)
        in_transit = await _stock_in(s, Location.type == LocationType.transit)
        frozen_stock = await _stock_in(s, Location.frozen.is_(True))
        frozen_bins = await _count(s, Location, Location.frozen.is_(True))

    assert codes == {"HZ01", "GZ01"}
    assert 2_800 <= bins <= 3_200
    assert 1_900 <= counts["Sku"] <= 2_100
    assert 500 <= counts["Product"] <= 700
    assert 5 <= kits <= 20 and counts["KitComponent"] >= 2 * kits
    assert 0.20 <= lot_skus / counts["Sku"] <= 0.35
    assert 0.10 <= case_codes / counts["Sku"] <= 0.20 and pack_sizes <= {1, 6, 12, 24}
    assert all(len(code) == 14 and is_valid_gtin(code) for code in stored)
    assert skus_without_item_code == 0
    assert counts["Lot"] > 500 and 1 <= expired <= 3 and expiring_soon >= 3
    assert report.ok, report.differences[:5]
    assert report.moves_counted == counts["StockMove"] == summary.moves
    assert negative == 0 and over_reserved == 0 and kit_stock == 0
    assert counts["reserved"] > 0
    assert reasons == {MoveReason.receipt, MoveReason.return_receipt}
    assert quarantined > 0 and in_transit > 0 and frozen_stock > 0 and 1 <= frozen_bins <= 2
    assert (summary.warehouses, summary.bins, summary.skus, summary.barcodes, summary.lots) == (
        2,
        bins,
        counts["Sku"],
        counts["Barcode"],
        counts["Lot"],
    )
    assert summary.users == len(LOGINS) == 9
    assert any(m.startswith("SKUs ") for m in messages) and any(m.startswith("stock moves ") for m in messages)

    assert {role for login in LOGINS for role in login.roles} == {role.value for role in Role}
    warehouse_ids = await _warehouse_ids(session_factory)
    for login in LOGINS:
        response = await client.post(
            "/api/auth/login", json={"username": login.username, "password": settings.demo_password}
        )
        assert response.status_code == 200, (login.username, response.text)
        me = (await client.get("/api/auth/me", headers=bearer(response.json()["token"]))).json()
        assert me["roles"] == list(login.roles)
        assert me["all_warehouses"] is login.all_warehouses
        assert sorted(me["warehouse_ids"]) == sorted(warehouse_ids[c] for c in login.warehouse_codes)


async def _warehouse_ids(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with session_factory() as s:
        return {code: id_ for code, id_ in (await s.execute(select(Warehouse.code, Warehouse.id))).all()}


class _Interrupt(Exception):
    pass


async def test_interrupted_demo_load_resumes_once_and_a_finished_one_is_refused(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    def die_after_two_batches(message: str) -> None:
        if message.startswith("stock moves 1000/"):
            raise _Interrupt

    with pytest.raises(_Interrupt):
        await load_demo_data(session_factory, settings, progress=die_after_two_batches, today=TODAY)
    async with session_factory() as s:
        assert not await has_any_users(s)  # the load is not finished, so the next start resumes it
        assert await _count(s, StockMove) == 1000

    summary = await load_demo_data(session_factory, settings, today=TODAY)
    _, plan = build_demo(TODAY)
    assert summary.moves == len(plan.placements)  # the first 1000 were replayed, not posted again
    async with session_factory() as s:
        assert (await verify_ledger(s)).ok
        before = await _counts(s)

    with pytest.raises(DemoDataRefused) as refused:
        await load_demo_data(session_factory, settings, today=TODAY)
    assert refused.value.code == "demo_data_refused"
    async with session_factory() as s:
        assert await _counts(s) == before

"""Deactivating a bin while a move into it is in flight (PostgreSQL: real concurrent transactions).

``update_location`` locks the bin's row and checks it holds nothing. If the ledger read a location's
``active``/``frozen`` flags without a lock, a move could pass its check on the old row while the
deactivation commits and an inactive bin would hold stock (write skew). The ledger therefore
share-locks the location rows a batch names (``SELECT … FOR SHARE``, id order) before checking.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import select

from server.auth.identity import AuthUser
from server.auth.permissions import Permission
from server.db.transaction import run_in_transaction
from server.lib.errors import DomainError
from server.warehouse.ledger.models import MoveReason
from server.warehouse.ledger.service import MoveRequest, post_moves
from server.warehouse.models import Location
from server.warehouse.schemas import LocationUpdate
from server.warehouse.services.locations import update_location
from tests.conftest import Backend
from tests.warehouse_factories import Factory, make_site, on_hand

HEAD_OFFICE = AuthUser(
    id=0,
    username="system",
    roles=("admin",),
    permissions=frozenset(Permission),
    all_warehouses=True,
    warehouse_ids=frozenset(),
    device_id=None,
    token_id=0,
)


async def test_bin_deactivated_while_a_move_into_it_is_in_flight_never_holds_stock(
    session_factory: Factory, backend: Backend
) -> None:
    if not backend.is_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): the race cannot happen there")
    site = await make_site(session_factory)
    receipt = MoveRequest(
        sku_id=site.sku,
        from_location_id=site.supplier,
        to_location_id=site.a,
        qty=5,
        reason=MoveReason.receipt,
        idempotency_key="race-1",
    )

    async with session_factory() as session, session.begin():
        await update_location(session, HEAD_OFFICE, site.a, LocationUpdate(active=False))  # checked empty, row locked
        move = asyncio.create_task(run_in_transaction(session_factory, lambda s: post_moves(s, [receipt])))
        await asyncio.wait({move}, timeout=1.0)  # a correct ledger waits here for the deactivation to commit
    with contextlib.suppress(DomainError):  # refused because the bin is inactive: the right outcome
        await move
    async with session_factory() as s:
        active = await s.scalar(select(Location.active).where(Location.id == site.a))
    held = await on_hand(session_factory, site.a, site.sku)
    assert active or held == 0, f"inactive bin holds {held}"

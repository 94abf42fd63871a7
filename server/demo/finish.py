"""The last step of a demo load, in one transaction: reservations, frozen bins, the logins, and the
purchase order one of them raised.

Users go in last and together with the rest of this step, so "the database has users" means "the
demo load finished": a load that died half way leaves no users, and the next start resumes it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User, UserWarehouse
from server.demo.first_start import refuse_unless_empty
from server.demo.logins import LOGINS
from server.demo.purchase import BUYER, PurchaseSpec, write_purchase
from server.demo.stock_plan import StockPlan
from server.demo.write_stock import DemoIds
from server.warehouse.ledger.reservations import reserve
from server.warehouse.models import Location


async def finish(
    session: AsyncSession, plan: StockPlan, ids: DemoIds, password_hash: str, purchase: PurchaseSpec
) -> None:
    await refuse_unless_empty(session)  # another process may have finished a load meanwhile
    for r in plan.reservations:
        lot_id, _ = ids.lot(r.sku, r.lot)
        await reserve(
            session, location_id=ids.locations[(r.warehouse, r.bin)], sku_id=ids.skus[r.sku], lot_id=lot_id, qty=r.qty
        )
    frozen = [ids.locations[key] for key in plan.frozen_bins]
    await session.execute(update(Location).where(Location.id.in_(frozen)).values(frozen=True))

    users = [
        User(
            username=login.username,
            display_name=login.display_name,
            password_hash=password_hash,
            roles=list(login.roles),
            all_warehouses=login.all_warehouses,
            locale="zh-CN",
        )
        for login in LOGINS
    ]
    session.add_all(users)
    await session.flush()
    session.add_all(
        UserWarehouse(user_id=user.id, warehouse_id=ids.warehouses[code])
        for user, login in zip(users, LOGINS, strict=True)
        for code in login.warehouse_codes
    )
    await session.flush()
    buyer, login = next((u, login) for u, login in zip(users, LOGINS, strict=True) if login.username == BUYER)
    scope = frozenset(ids.warehouses[code] for code in login.warehouse_codes)
    await write_purchase(session, purchase, ids, buyer, scope)

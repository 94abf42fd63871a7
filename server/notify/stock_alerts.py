"""Stock rules for the manager: low stock and lots about to expire, checked by the rules worker.

Both read the stock levels (the ledger's projection), never the moves' whole history: low stock is
``available`` per SKU and warehouse as ``ledger.stock_states`` defines it, narrowed in SQL to rows
below the largest minimum when no warehouse asks for days of cover; the shipping rate for days of
cover sums only the last ``lookback_days`` of shipment moves (the ``reason, occurred_at`` index).
Each SKU (or lot) and warehouse notifies at most once a local day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Lot, Sku
from server.notify.dedupe import queue_new
from server.notify.outbox import Audience
from server.notify.rule_kinds import LowStockParams, RuleKind
from server.notify.rules import Rule, rule_book
from server.notify.urgent_orders import Site
from server.warehouse.ledger.models import MoveReason, StockLevel, StockMove
from server.warehouse.ledger.stock_states import stock_state_query, to_stock_state
from server.warehouse.models import PHYSICAL_TYPES, Location

LOW_STOCK = "low_stock"
EXPIRING_LOT = "expiring_lot"
TTL = 12 * 3600
URL = "/#/reports/stock"


async def _wanted(session: AsyncSession, kind: RuleKind, sites: Mapping[int, Site]) -> dict[int, Rule]:
    book = await rule_book(session)
    rules = {w: book.rule(kind, w) for w in sites}
    return {w: rule for w, rule in rules.items() if rule.enabled and rule.roles}


def _day(now: datetime, site: Site) -> str:
    return now.astimezone(ZoneInfo(site.zone)).strftime("%Y%m%d")


async def _shipped(session: AsyncSession, now: datetime, lookbacks: Mapping[int, int]) -> dict[tuple[int, int], int]:
    """Units shipped per (SKU, warehouse) over each warehouse's own window: one query per distinct window."""
    shipped: dict[tuple[int, int], int] = {}
    for days in sorted(set(lookbacks.values())):
        warehouses = sorted(w for w, d in lookbacks.items() if d == days)
        rows = await session.execute(
            select(StockMove.sku_id, Location.warehouse_id, func.sum(StockMove.qty))
            .join(Location, Location.id == StockMove.from_location_id)
            .where(
                StockMove.reason == MoveReason.shipment,
                StockMove.occurred_at >= now - timedelta(days=days),
                StockMove.occurred_at <= now,
                Location.warehouse_id.in_(warehouses),
            )
            .group_by(StockMove.sku_id, Location.warehouse_id)
        )
        shipped.update({(sku_id, warehouse_id): int(qty or 0) for sku_id, warehouse_id, qty in rows})
    return shipped


async def check_low_stock(session: AsyncSession, now: datetime, sites: Mapping[int, Site]) -> int:
    """A SKU's available below the rule's ``min_units``, or fewer than ``days_of_cover`` days of it
    at the shipping rate of the last ``lookback_days``."""
    wanted = await _wanted(session, RuleKind.low_stock, sites)
    if not wanted:
        return 0
    params: dict[int, LowStockParams] = {w: rule.params for w, rule in wanted.items()}
    query = stock_state_query().join(Sku, Sku.id == StockLevel.sku_id)
    query = query.where(Location.warehouse_id.in_(sorted(wanted)), Sku.active.is_(True), Sku.is_kit.is_(False))
    if all(p.days_of_cover is None for p in params.values()):
        _, _, on_hand, reserved, _, quarantine, frozen = query.selected_columns
        query = query.having(on_hand - quarantine - frozen - reserved < max(p.min_units for p in params.values()))
    states = [to_stock_state(row) for row in await session.execute(query)]
    covers = {w: p.lookback_days for w, p in params.items() if p.days_of_cover is not None}
    shipped = await _shipped(session, now, covers) if covers else {}
    low: list[tuple[int, int, int, int | None]] = []  # (available, sku, warehouse, days left)
    for state in states:
        p = params[state.warehouse_id]
        sold = shipped.get((state.sku_id, state.warehouse_id), 0)
        days_left = state.available * p.lookback_days // sold if sold else None
        short = p.days_of_cover is not None and days_left is not None and days_left < p.days_of_cover
        if state.available < p.min_units or short:
            low.append((state.available, state.sku_id, state.warehouse_id, days_left))
    if not low:
        return 0
    low.sort()
    skus = {
        s.id: s
        for s in await session.scalars(select(Sku).where(Sku.id.in_(sorted({sku_id for _, sku_id, _, _ in low}))))
    }
    candidates: list[dict[str, Any]] = []
    for available, sku_id, warehouse_id, days_left in low:
        sku, site, rule = skus[sku_id], sites[warehouse_id], wanted[warehouse_id]
        minimum = params[warehouse_id].min_units
        cover_en = f", about {days_left} days of sales left" if days_left is not None else ""
        cover_zh = f"，约可售 {days_left} 天" if days_left is not None else ""
        candidates.append(
            {
                "kind": LOW_STOCK,
                "audience": Audience(roles=rule.roles, warehouse_id=warehouse_id),
                "title_en": f"Low stock: {sku.code} {sku.name_en or sku.name_zh}"[:100],
                "title_zh": f"库存不足：{sku.code} {sku.name_zh}"[:100],
                "body_en": f"{site.code}: {available} available (minimum {minimum}){cover_en}",
                "body_zh": f"{site.code}：可用 {available}（下限 {minimum}）{cover_zh}",
                "url": URL,
                "urgency": rule.urgency,
                "critical": rule.critical,
                "ttl": TTL,
                "dedupe_key": f"{LOW_STOCK}:{sku_id}:{warehouse_id}:{_day(now, site)}",
            }
        )
    return await queue_new(session, candidates, now=now)


async def check_expiring_lots(session: AsyncSession, now: datetime, sites: Mapping[int, Site]) -> int:
    """Lots with stock in a warehouse's bins that expire within the rule's ``within_days`` of the
    warehouse's today (or have expired)."""
    wanted = await _wanted(session, RuleKind.expiring_lot, sites)
    if not wanted:
        return 0
    within: dict[int, int] = {w: rule.params.within_days for w, rule in wanted.items()}
    horizon = now.date() + timedelta(days=max(within.values()) + 1)  # every zone's today is within a day
    on_hand = func.sum(StockLevel.on_hand)
    rows = (
        await session.execute(
            select(Lot.id, Lot.lot_number, Lot.expires_on, Sku.code, Location.warehouse_id, on_hand)
            .join(StockLevel, and_(StockLevel.sku_id == Lot.sku_id, StockLevel.lot_id == Lot.id))  # the SKU index
            .join(Location, Location.id == StockLevel.location_id)
            .join(Sku, Sku.id == Lot.sku_id)
            .where(
                Lot.expires_on.is_not(None),
                Lot.expires_on <= horizon,
                Location.type.in_(sorted(PHYSICAL_TYPES)),
                Location.warehouse_id.in_(sorted(wanted)),
            )
            .group_by(Lot.id, Lot.lot_number, Lot.expires_on, Sku.code, Location.warehouse_id)
            .having(on_hand > 0)
            .order_by(Lot.expires_on, Lot.id, Location.warehouse_id)
        )
    ).all()
    candidates: list[dict[str, Any]] = []
    for lot_id, lot_number, expires_on, sku_code, warehouse_id, qty in rows:
        site, rule = sites[warehouse_id], wanted[warehouse_id]
        today = now.astimezone(ZoneInfo(site.zone)).date()
        days_left = (expires_on - today).days if expires_on is not None else None  # never None: see the query
        if days_left is None or days_left > within[warehouse_id]:
            continue
        expired = days_left < 0
        candidates.append(
            {
                "kind": EXPIRING_LOT,
                "audience": Audience(roles=rule.roles, warehouse_id=warehouse_id),
                "title_en": f"Lot {lot_number} of {sku_code} {'expired' if expired else 'expires'} {expires_on}"[:100],
                "title_zh": f"批次 {lot_number}（{sku_code}）{'已于' if expired else '将于'} {expires_on} 过期"[:100],
                "body_en": f"{site.code}: {qty} on hand, "
                + (f"expired {-days_left} days ago" if expired else f"{days_left} days left"),
                "body_zh": f"{site.code}：库存 {qty}，"
                + (f"已过期 {-days_left} 天" if expired else f"剩 {days_left} 天"),
                "url": URL,
                "urgency": rule.urgency,
                "critical": rule.critical,
                "ttl": TTL,
                "dedupe_key": f"{EXPIRING_LOT}:{lot_id}:{warehouse_id}:{_day(now, site)}",
            }
        )
    return await queue_new(session, candidates, now=now)


__all__ = ("check_expiring_lots", "check_low_stock")

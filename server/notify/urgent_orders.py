"""Urgent orders (``server.orders.urgency``) as push notifications, as the push rules say.

Each flag has its rule kind (``urgent_vip``, ``urgent_ship_by_today``, ``urgent_late_risk``,
``urgent_stock_out``); a flag whose rule is off in the order's warehouse is dropped, and an order
with flags left becomes one ``urgent_order`` notification to the union of those rules' roles. The
dedupe key (order, local day, set of flags) means checking again every minute queues nothing new
until a new reason appears — and the burst rules turn a flood of them into one "N urgent orders"
push per phone.

The carrier cut-off is not a property of an order but a moment of the warehouse's day (every
unshipped order "has" it at 16:05): it is one ``urgent_cut_off`` notification per warehouse and
pickup, counting the orders still unshipped, instead of one per order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from server.db.types import utcnow
from server.notify.dedupe import queue_new
from server.notify.models import Urgency
from server.notify.outbox import BODY_MAX, Audience
from server.notify.rule_kinds import FLAG_KINDS, CutOffParams, LateRiskParams, RuleKind
from server.notify.rules import Rule, RuleBook, rule_book
from server.orders.models import Order, OrderStatus
from server.orders.urgency import (
    PROMOTION_SHIP_WITHIN,
    SHIP_WITHIN,
    UNSHIPPED,
    Flag,
    UrgencySettings,
    deadline,
    flags,
    next_cut_off,
)

KIND = "urgent_order"
CUT_OFF_KIND = "urgent_cut_off"
TTL = 3600
"""An urgent order an hour later is either shipped or on the supervisor's list anyway."""
DEFAULT_ZONE = "Asia/Shanghai"
"""Days of orders not yet routed to a warehouse."""
MAX_ORDERS = 20_000
"""Open orders read per pass at most, nearest deadline first."""
STOCK_OUT_HOLD = "no warehouse can ship"
URGENCY_ORDER = [Urgency.very_low, Urgency.low, Urgency.normal, Urgency.high]
PER_ORDER_KINDS = (
    RuleKind.urgent_vip,
    RuleKind.urgent_ship_by_today,
    RuleKind.urgent_late_risk,
    RuleKind.urgent_stock_out,
)


@dataclass(frozen=True, slots=True)
class Site:
    code: str
    zone: str


def urgency_settings(book: RuleBook, warehouse_id: int | None, zone: str) -> UrgencySettings:
    """The order flags' settings from the warehouse's rules; no cut-offs (those are per warehouse)."""
    late: LateRiskParams = book.rule(RuleKind.urgent_late_risk, warehouse_id).params
    return UrgencySettings(
        timezone=zone,
        promotion=late.promotion,
        late_margin_minutes=late.late_margin_minutes,
        cut_offs=[],
        cut_off_minutes=0,
    )


def _candidate(order: Order, found: list[Flag], rules: list[Rule], day: str) -> dict[str, Any]:
    kinds = "+".join(sorted({f.kind for f in found}))
    return {
        "kind": KIND,
        "audience": Audience(
            roles=tuple(dict.fromkeys(r for rule in rules for r in rule.roles)), warehouse_id=order.warehouse_id
        ),
        "title_en": f"Urgent order {order.platform_order_no}"[:100],
        "title_zh": f"加急订单 {order.platform_order_no}"[:100],
        "body_en": "; ".join(f.reason for f in found)[:BODY_MAX],
        "body_zh": "；".join(f.reason_zh for f in found)[:BODY_MAX],
        "url": f"/#/order/{order.id}",
        "urgency": max((rule.urgency for rule in rules), key=URGENCY_ORDER.index),
        "critical": any(rule.critical for rule in rules),
        "ttl": TTL,
        "dedupe_key": f"{KIND}:{order.id}:{day}:{kinds}",
    }


def urgent_candidates(
    book: RuleBook, orders: Sequence[Order], now: datetime, sites: Mapping[int, Site]
) -> list[dict[str, Any]]:
    """One notification per order with flags whose rule is on, nearest deadline first."""
    far = now + timedelta(days=365)
    found_all: list[tuple[datetime, int, dict[str, Any]]] = []
    for order in orders:
        site = sites.get(order.warehouse_id) if order.warehouse_id is not None else None
        zone = site.zone if site is not None else DEFAULT_ZONE
        settings = urgency_settings(book, order.warehouse_id, zone)
        kept: list[Flag] = []
        rules: list[Rule] = []
        for flag in flags(order, now, settings):
            rule = book.rule(FLAG_KINDS[flag.kind], order.warehouse_id)
            if rule.enabled and rule.roles:
                kept.append(flag)
                rules.append(rule)
        if kept:
            day = now.astimezone(ZoneInfo(zone)).strftime("%Y%m%d")
            found_all.append((deadline(order, settings) or far, order.id, _candidate(order, kept, rules, day)))
    found_all.sort(key=lambda item: (item[0], item[1]))
    return [candidate for _, _, candidate in found_all]


async def notify_urgent_orders(
    session: AsyncSession, orders: Sequence[Order], sites: Mapping[int, Site], *, now: datetime | None = None
) -> int:
    """Queue what the rules say about ``orders``; answers how many notifications are new."""
    now = now or utcnow()
    candidates = urgent_candidates(await rule_book(session), orders, now, sites)
    return await queue_new(session, candidates, now=now)


def _prefilter(book: RuleBook, now: datetime) -> list[ColumnElement[bool]]:
    """SQL that every order a wanted flag could fire for meets (``flags`` decides exactly)."""
    on = {kind for kind in PER_ORDER_KINDS if book.enabled_anywhere(kind)}
    conditions: list[ColumnElement[bool]] = []
    if RuleKind.urgent_vip in on:
        conditions.append(func.lower(cast(Order.tags, String)).like('%"vip"%'))
    if RuleKind.urgent_ship_by_today in on:
        conditions.append(Order.ship_by < now + timedelta(days=1))  # local end of today is < 24 h away
    if RuleKind.urgent_late_risk in on:
        margins = [book.rule(RuleKind.urgent_late_risk, None).params]
        margins += [
            book.rule(RuleKind.urgent_late_risk, w).params for w in book.overridden_in(RuleKind.urgent_late_risk)
        ]
        widest = max(p.late_margin_minutes for p in margins)
        within = PROMOTION_SHIP_WITHIN if any(p.promotion for p in margins) else SHIP_WITHIN
        conditions.append(Order.paid_at <= now + timedelta(minutes=widest) - within)
    if RuleKind.urgent_stock_out in on:
        conditions.append(and_(Order.status == OrderStatus.review, Order.hold_reason.like(f"%{STOCK_OUT_HOLD}%")))
    return conditions


async def check_urgent_orders(session: AsyncSession, now: datetime, sites: Mapping[int, Site]) -> int:
    """Open orders only (the ``status, paid_at`` index), narrowed in SQL to those a rule could flag."""
    book = await rule_book(session)
    conditions = _prefilter(book, now)
    if not conditions:
        return 0
    orders = list(
        await session.scalars(
            select(Order)
            .options(
                load_only(
                    Order.id,
                    Order.platform_order_no,
                    Order.status,
                    Order.tags,
                    Order.paid_at,
                    Order.ship_by,
                    Order.hold_reason,
                    Order.warehouse_id,
                )
            )
            .where(Order.status.in_(sorted(UNSHIPPED)), or_(*conditions))
            .order_by(Order.paid_at.is_(None), Order.paid_at, Order.id)
            .limit(MAX_ORDERS)
        )
    )
    return await notify_urgent_orders(session, orders, sites, now=now)


async def check_cut_offs(session: AsyncSession, now: datetime, sites: Mapping[int, Site]) -> int:
    """One notification per warehouse whose next pickup is within its rule's minutes and which
    still has unshipped orders."""
    book = await rule_book(session)
    due: dict[int, datetime] = {}
    for warehouse_id, site in sites.items():
        rule = book.rule(RuleKind.urgent_cut_off, warehouse_id)
        if not rule.enabled or not rule.roles:
            continue
        params: CutOffParams = rule.params
        pickup = next_cut_off(now, UrgencySettings(timezone=site.zone, cut_offs=params.cut_offs))
        if pickup is not None and pickup - now <= timedelta(minutes=params.cut_off_minutes):
            due[warehouse_id] = pickup
    if not due:
        return 0
    open_orders = dict(
        (
            await session.execute(
                select(Order.warehouse_id, func.count())
                .where(Order.status.in_(sorted(UNSHIPPED)), Order.warehouse_id.in_(sorted(due)))
                .group_by(Order.warehouse_id)
            )
        ).all()
    )
    candidates = []
    for warehouse_id, pickup in sorted(due.items(), key=lambda item: item[1]):
        count = int(open_orders.get(warehouse_id) or 0)
        if count == 0:
            continue
        rule = book.rule(RuleKind.urgent_cut_off, warehouse_id)
        minutes = int((pickup - now).total_seconds() // 60)
        code = sites[warehouse_id].code
        candidates.append(
            {
                "kind": CUT_OFF_KIND,
                "audience": Audience(roles=rule.roles, warehouse_id=warehouse_id),
                "title_en": f"Carrier pickup at {pickup:%H:%M}, in {minutes} min",
                "title_zh": f"快递 {pickup:%H:%M} 揽收，还剩 {minutes} 分钟",
                "body_en": f"{code}: {count} orders not shipped yet",
                "body_zh": f"{code}：仍有 {count} 个订单未发货",
                "url": "/#/urgent",
                "urgency": rule.urgency,
                "critical": rule.critical,
                "ttl": max(60, int((pickup - now).total_seconds())),
                "dedupe_key": f"{CUT_OFF_KIND}:{warehouse_id}:{pickup:%Y%m%d%H%M}",
            }
        )
    return await queue_new(session, candidates, now=now)

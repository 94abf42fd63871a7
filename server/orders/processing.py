"""Paid orders through 审单 → 策略分仓 → 锁库存 → 快递, each decision explained on the order.

The rules are data (``OrderRuleSet``); the engine (``server.orders.rules``) is pure. This module
reads the facts, runs the engine, and writes what it decided: a hold for a person with the reason,
or a warehouse with its stock reserved and a carrier. The what-if runs the same engine over the
same facts and writes nothing, so a manager can try new rules before a promotion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.orders.lifecycle import change_status
from server.orders.models import Channel, Order, OrderLine, OrderRuleSet, OrderStatus, vip_tagged
from server.orders.normalized import RefundState
from server.orders.reserving import available_to_promise, holdings, wanted_units
from server.orders.rules import (
    CarrierDecision,
    CarrierRate,
    CarrierRule,
    LineFacts,
    OrderFacts,
    ReviewDecision,
    ReviewRule,
    RoutingDecision,
    RoutingRule,
    WarehouseFacts,
    choose_carrier,
    priority_key,
    review,
    route,
    route_many,
)
from server.warehouse.ledger.reservations import Allocation, Shortfall, reserve_batch
from server.warehouse.models import Warehouse

RULE_TYPES: dict[str, Any] = {
    "review": list[ReviewRule],
    "routing": list[RoutingRule],
    "carrier": list[CarrierRule],
    "rates": list[CarrierRate],
}


@dataclass
class RuleBook:
    review: list[ReviewRule] = field(default_factory=list)
    routing: list[RoutingRule] = field(default_factory=list)
    carrier: list[CarrierRule] = field(default_factory=list)
    rates: list[CarrierRate] = field(default_factory=list)


async def load_rules(session: AsyncSession) -> RuleBook:
    book = RuleBook()
    for row in await session.scalars(select(OrderRuleSet)):
        if row.kind in RULE_TYPES:
            setattr(book, row.kind, msgspec.convert(row.document.get("items", []), RULE_TYPES[row.kind]))
    return book


@dataclass
class Loaded:
    orders: list[Order]
    facts: dict[int, OrderFacts]
    lines: dict[int, list[OrderLine]]
    warehouses: list[WarehouseFacts]


async def load(session: AsyncSession, orders: Sequence[Order]) -> Loaded:
    """The orders' lines, facts and every active warehouse with what it can promise of their SKUs."""
    ids = [o.id for o in orders]
    lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
    for line in await session.scalars(select(OrderLine).where(OrderLine.order_id.in_(ids)).order_by(OrderLine.id)):
        lines[line.order_id].append(line)
    sku_ids = sorted({line.sku_id for group in lines.values() for line in group if line.sku_id is not None})
    weights = {row[0]: row[1] for row in await session.execute(select(Sku.id, Sku.weight_g).where(Sku.id.in_(sku_ids)))}
    channel_ids = sorted({o.channel_id for o in orders})
    platforms = {
        row[0]: row[1]
        for row in await session.execute(select(Channel.id, Channel.platform).where(Channel.id.in_(channel_ids)))
    }
    facts = {o.id: _facts(o, lines[o.id], weights, platforms.get(o.channel_id, "")) for o in orders}
    available = await available_to_promise(session, sku_ids)
    warehouses = [
        WarehouseFacts(
            warehouse_id=w.id,
            code=w.code,
            name=w.name_zh,
            province=w.province,
            active=w.active,
            available={sku: qty for (wh, sku), qty in available.items() if wh == w.id},
        )
        for w in await session.scalars(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.id))
    ]
    ordered = sorted(orders, key=lambda o: priority_key(facts[o.id]))
    return Loaded(ordered, facts, lines, warehouses)


def _facts(order: Order, lines: list[OrderLine], weights: dict[int, int], platform: str) -> OrderFacts:
    tags = [str(t) for t in order.tags.get("tags", [])]
    receiver = order.receiver
    return OrderFacts(
        order_id=order.id,
        channel_id=order.channel_id,
        platform=platform,
        province=order.receiver_province,
        city=order.receiver_city,
        district=order.receiver_district,
        address=str(receiver.get("address", "")),
        buyer_id=order.buyer_id,
        buyer_message=order.buyer_message,
        seller_memo=order.seller_memo,
        seller_flag=order.seller_flag,
        paid_minor=order.paid_minor,
        currency=order.currency,
        tags=tags,
        presale=order.presale,
        ship_by=order.ship_by,
        paid_at=order.paid_at,
        vip=vip_tagged(order.tags),
        lines=[
            LineFacts(
                sku_id=line.sku_id,
                sku_code=line.sku_code,
                qty=line.qty,
                weight_g=weights.get(line.sku_id, 0) if line.sku_id else 0,
            )
            for line in live_lines_or_unmapped(lines)
        ],
    )


def live_lines_or_unmapped(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """The lines that ship, unknown SKUs included (so the engine can hold the order for them)."""
    return [line for line in lines if line.sku_id is None or line.refund is not RefundState.refunded]


@dataclass
class ProcessReport:
    routed: int = 0
    held: int = 0
    orders: list[int] = field(default_factory=list)


async def process_paid(
    session: AsyncSession, *, order_ids: Sequence[int] | None = None, actor: int | None, limit: int = 5000
) -> ProcessReport:
    """Review, route, reserve and pick a carrier for paid orders (``order_ids``, or the oldest
    ``limit``), most urgent first; each outcome is an event on the order.

    Decisions are made in memory against the figures read at the start (each routed order using
    up what it takes), then every reservation is made at once (``reserve_batch``: one locking
    read, one write). An order whose stock went meanwhile — another process took it — is held
    with that reason rather than routed on stale figures."""
    statement = select(Order).where(Order.status == OrderStatus.paid).order_by(Order.id).limit(limit)
    if order_ids is not None:
        statement = statement.where(Order.id.in_(sorted(order_ids)))
    orders = list(await session.scalars(statement.with_for_update()))
    report = ProcessReport()
    if not orders:
        return report
    rules = await load_rules(session)
    loaded = await load(session, orders)
    warehouses = {w.warehouse_id: w for w in loaded.warehouses}
    chosen: list[tuple[Order, ReviewDecision, RoutingDecision]] = []
    for order in loaded.orders:
        report.orders.append(order.id)
        decided = _decide(session, order, loaded, warehouses, rules, actor)
        if decided is None:
            report.held += 1
            continue
        chosen.append((order, *decided))
    answers = await reserve_batch(
        session,
        [(d.assignments[0].warehouse_id, wanted_units(loaded.lines[o.id])) for o, _, d in chosen],
    )
    for (order, verdict, decision), answer in zip(chosen, answers, strict=True):
        warehouse_id = decision.assignments[0].warehouse_id
        if answer and isinstance(answer[0], Shortfall):
            reason = "stock at the chosen warehouse was taken while routing: " + ", ".join(
                f"SKU {s['sku_id']} {s['available']} of {s['requested']}" for s in answer if isinstance(s, Shortfall)
            )
            _hold(session, order, actor, reason, reason, kind="held")
            report.held += 1
            continue
        allocations = [a for a in answer if isinstance(a, Allocation)]
        session.add_all(holdings(order, loaded.lines[order.id], warehouse_id, allocations))
        carrier = choose_carrier(loaded.facts[order.id], warehouses[warehouse_id], rules.rates, rules.carrier)
        order.warehouse_id = warehouse_id
        order.carrier_code = carrier.carrier_code or ""
        order.shipping_cost_minor = carrier.cost_minor
        change_status(
            session,
            order,
            OrderStatus.routed,
            actor=actor,
            reason=f"{verdict.explanation}; {decision.explanation}; {carrier.explanation}",
            kind="routed",
            review=verdict.explanation_zh,
            routing=decision.explanation_zh,
            carrier=carrier.explanation_zh,
        )
        report.routed += 1
    await session.flush()
    return report


def _decide(
    session: AsyncSession,
    order: Order,
    loaded: Loaded,
    warehouses: dict[int, WarehouseFacts],
    rules: RuleBook,
    actor: int | None,
) -> tuple[ReviewDecision, RoutingDecision] | None:
    """Review and route one order in memory; a hold is written at once, a route is answered."""
    facts = loaded.facts[order.id]
    verdict = review(facts, rules.review)
    if not verdict.approved:
        _hold(session, order, actor, verdict.reason_en or verdict.explanation, verdict.explanation, kind="held")
        return None
    decision = route(facts, list(warehouses.values()), rules.routing)
    if decision.held:
        _hold(session, order, actor, decision.explanation, decision.explanation, kind="held")
        return None
    if len(decision.assignments) != 1:
        reason = f"needs a split across warehouses: {decision.explanation}"
        _hold(session, order, actor, reason, reason, kind="held")
        return None
    available = warehouses[decision.assignments[0].warehouse_id].available
    for line in facts.lines:  # the next order routes against what this one leaves
        if line.sku_id is not None:
            available[line.sku_id] = available.get(line.sku_id, 0) - line.qty
    return verdict, decision


def _hold(session: AsyncSession, order: Order, actor: int | None, reason: str, explanation: str, *, kind: str) -> None:
    change_status(session, order, OrderStatus.review, actor=actor, reason=explanation, kind=kind, hold_reason=reason)


class WhatIf(msgspec.Struct, kw_only=True):
    order_id: int
    platform_order_no: str
    review: ReviewDecision
    routing: RoutingDecision | None
    carrier: CarrierDecision | None


async def what_if(session: AsyncSession, orders: Sequence[Order], rules: RuleBook) -> list[WhatIf]:
    """What the rules would decide for ``orders`` now, most urgent first, consuming stock across
    the batch as routing would — without changing anything."""
    if not orders:
        return []
    loaded = await load(session, orders)
    verdicts = {o.id: review(loaded.facts[o.id], rules.review) for o in loaded.orders}
    approved = [loaded.facts[o.id] for o in loaded.orders if verdicts[o.id].approved]
    decisions = {d.order_id: d for d in route_many(approved, loaded.warehouses, rules.routing)}
    warehouses = {w.warehouse_id: w for w in loaded.warehouses}
    answers = []
    for order in loaded.orders:
        decision = decisions.get(order.id)
        carrier = None
        if decision is not None and not decision.held and len(decision.assignments) == 1:
            warehouse = warehouses[decision.assignments[0].warehouse_id]
            carrier = choose_carrier(loaded.facts[order.id], warehouse, rules.rates, rules.carrier)
        answers.append(
            WhatIf(
                order_id=order.id,
                platform_order_no=order.platform_order_no,
                review=verdicts[order.id],
                routing=decision,
                carrier=carrier,
            )
        )
    return answers

"""Paid orders through 审单 → 策略分仓 → 锁库存 → 快递, each decision explained on the order.

The rules are data (``OrderRuleSet``); the engine (``server.orders.rules``) is pure. This module
reads the facts, runs the engine, and writes what it decided: a hold for a person with the reason,
or a warehouse with its stock reserved and a carrier. The what-if runs the same engine over the
same facts and writes nothing, so a manager can try new rules before a promotion.

合单 and 拆单 happen here too: asked to (``merge``), the batch's orders of one buyer and address
become one parcel before routing; an order the routing rules send to several warehouses (or ship
partly now, the rest awaiting stock) is split into parts, each reserved in its own warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.catalog.models import Sku
from server.db.bulk import insert_rows
from server.orders import merging
from server.orders.lifecycle import change_status, transition
from server.orders.models import (
    Channel,
    Order,
    OrderEvent,
    OrderLine,
    OrderReservation,
    OrderRuleSet,
    OrderStatus,
    vip_tagged,
)
from server.orders.normalized import RefundState
from server.orders.reserving import available_to_promise, holding_rows, wanted_units
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
from server.orders.splitting import NotSplittable, split_off
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
    weights: dict[int, int] = field(default_factory=dict)
    platforms: dict[int, str] = field(default_factory=dict)


async def load(session: AsyncSession, orders: Sequence[Order]) -> Loaded:
    """The orders' lines, facts and every active warehouse with what it can promise of their SKUs.
    A host's facts include its merged orders' messages and memos (one more query, only when the
    batch holds a host), so review rules read what every buyer wrote."""
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
    members = await merging.members_of(session, [o.id for o in orders if o.own_values])
    facts = {
        o.id: _facts(o, lines[o.id], weights, platforms.get(o.channel_id, ""), members.get(o.id, ())) for o in orders
    }
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
    return Loaded(ordered, facts, lines, warehouses, weights, platforms)


def _facts(
    order: Order, lines: list[OrderLine], weights: dict[int, int], platform: str, members: Sequence[Order] = ()
) -> OrderFacts:
    tags = [str(t) for t in order.tags.get("tags", [])]
    receiver = order.receiver
    everyone = [order, *members]
    flags = [o.seller_flag for o in everyone if o.seller_flag is not None]
    return OrderFacts(
        order_id=order.id,
        channel_id=order.channel_id,
        platform=platform,
        province=order.receiver_province,
        city=order.receiver_city,
        district=order.receiver_district,
        address=str(receiver.get("address", "")),
        buyer_id=order.buyer_id,
        buyer_message="\n".join(o.buyer_message for o in everyone if o.buyer_message),
        seller_memo="\n".join(o.seller_memo for o in everyone if o.seller_memo),
        seller_flag=flags[0] if flags else None,
        paid_minor=sum(o.paid_minor for o in everyone),
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
    """Orders (and parts) routed, with stock reserved."""
    held: int = 0
    merged: int = 0
    """Orders merged into another of the batch (合单)."""
    split: int = 0
    """Parts split off (拆单): by warehouse, or awaiting stock."""
    orders: list[int] = field(default_factory=list)


@dataclass
class _Part:
    """What one reservation is made for: an order, or a part split off it, at one warehouse
    (``None``: it waits for stock)."""

    order: Order
    verdict: ReviewDecision
    decision: RoutingDecision
    warehouse_id: int | None
    lines: list[OrderLine]
    facts: OrderFacts
    note: str = ""


async def process_paid(
    session: AsyncSession,
    *,
    order_ids: Sequence[int] | None = None,
    actor: int | None,
    limit: int = 5000,
    merge: bool = False,
) -> ProcessReport:
    """Review, route, reserve and pick a carrier for paid orders (``order_ids``, or the oldest
    ``limit``), most urgent first; each outcome is an event on the order. With ``merge``, the
    batch's orders of one buyer, address and shop are merged first (合单), one parcel each.

    Decisions are made in memory against the figures read at the start (each routed order using
    up what it takes), then every reservation is made at once (``reserve_batch``: one locking
    read, one write) — parts split off by warehouse or stock included. An order whose stock went
    meanwhile — another process took it — is held with that reason rather than routed on stale
    figures."""
    statement = select(Order).where(Order.status == OrderStatus.paid).order_by(Order.id).limit(limit)
    if order_ids is not None:
        statement = statement.where(Order.id.in_(sorted(order_ids)))
    orders = list(await session.scalars(statement.with_for_update()))
    report = ProcessReport()
    if not orders:
        return report
    if merge:
        remaining = await merging.merge_batch(session, orders, actor=actor)
        report.merged = len(orders) - len(remaining)
        report.orders.extend(o.id for o in orders if o.status is OrderStatus.merged)
        orders = remaining
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
    parts = await _parts(session, chosen, loaded, actor, report)
    shipping = [(part, part.warehouse_id) for part in parts if part.warehouse_id is not None]
    answers = await reserve_batch(
        session, [(warehouse_id, wanted_units(part.lines)) for part, warehouse_id in shipping]
    )
    for part in parts:
        if part.warehouse_id is None:
            waiting = ", ".join(f"SKU {line.sku_code} ×{line.qty}" for line in part.lines)
            reason = f"awaiting stock (缺货拆单): no warehouse can ship {waiting} yet"
            _hold(session, part.order, actor, reason, f"{reason}; {part.note}", kind="held")
            report.held += 1
    reservations: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for (part, warehouse_id), answer in zip(shipping, answers, strict=True):
        order = part.order
        if answer and isinstance(answer[0], Shortfall):
            reason = "stock at the chosen warehouse was taken while routing: " + ", ".join(
                f"SKU {s['sku_id']} {s['available']} of {s['requested']}" for s in answer if isinstance(s, Shortfall)
            )
            _hold(session, order, actor, reason, reason, kind="held")
            report.held += 1
            continue
        allocations = [a for a in answer if isinstance(a, Allocation)]
        reservations.extend(holding_rows(order, part.lines, warehouse_id, allocations))
        carrier = choose_carrier(part.facts, warehouses[warehouse_id], rules.rates, rules.carrier)
        order.warehouse_id = warehouse_id
        order.carrier_code = carrier.carrier_code or ""
        order.shipping_cost_minor = carrier.cost_minor
        verdict, decision = part.verdict, part.decision
        note = f"; {part.note}" if part.note else ""
        events.append(
            transition(
                order,
                OrderStatus.routed,
                actor=actor,
                reason=f"{verdict.explanation}; {decision.explanation}; {carrier.explanation}{note}",
                kind="routed",
                review=verdict.explanation_zh,
                routing=decision.explanation_zh,
                carrier=carrier.explanation_zh,
            )
        )
        report.routed += 1
    await session.flush()  # first what the ORM holds (a part's split events come before its routing)
    # One statement each (one array per column on PostgreSQL): thousands of ORM objects, or an
    # executemany's per-row round of Python, would cost more than the rows themselves.
    await insert_rows(session, OrderReservation, reservations)
    await insert_rows(session, OrderEvent, events)
    return report


def _split_plan(
    lines: list[OrderLine], decision: RoutingDecision
) -> list[tuple[int | None, list[tuple[OrderLine, int]]]]:
    """The parts beyond the first assignment: one per further warehouse, and one for the units no
    warehouse has (a ``backorder`` split), each as (warehouse or ``None``, [(line, units)])."""
    live = live_lines_or_unmapped(lines)  # what ``OrderFacts.lines`` (and so the assignments) index
    assigned: dict[int, int] = {}
    for assignment in decision.assignments:
        for index, units in assignment.lines:
            assigned[index] = assigned.get(index, 0) + units
    plan: list[tuple[int | None, list[tuple[OrderLine, int]]]] = [
        (a.warehouse_id, [(live[index], units) for index, units in a.lines]) for a in decision.assignments[1:]
    ]
    waiting = [
        (line, line.qty - assigned.get(index, 0))
        for index, line in enumerate(live)
        if line.sku_id is not None and line.qty > assigned.get(index, 0)
    ]
    if waiting:
        plan.append((None, waiting))
    return plan


async def _parts(
    session: AsyncSession,
    chosen: list[tuple[Order, ReviewDecision, RoutingDecision]],
    loaded: Loaded,
    actor: int | None,
    report: ProcessReport,
) -> list[_Part]:
    """Each chosen order as it will be reserved; one the rules route to several warehouses (or
    partly to none) is split first (拆单), each part to reserve on its own."""
    parts: list[_Part] = []
    for order, verdict, decision in chosen:
        first = decision.assignments[0].warehouse_id
        lines = loaded.lines[order.id]
        plan = _split_plan(lines, decision)
        if not plan:
            parts.append(_Part(order, verdict, decision, first, lines, loaded.facts[order.id]))
            continue
        why = "by warehouse" if any(w is not None for w, _ in plan) else "by stock"
        try:
            made = await split_off(
                session,
                order,
                lines,
                [moves for _, moves in plan],
                actor=actor,
                reason=f"split {why}: {decision.explanation}",
            )
        except NotSplittable as refused:  # refused before anything was written: a person decides
            reason = f"needs a split ({decision.explanation}), but {refused.message}"
            _hold(session, order, actor, reason, reason, kind="held")
            report.held += 1
            continue
        report.split += len(made)
        report.orders.extend(part.order.id for part in made)
        platform = loaded.platforms.get(order.channel_id, "")
        count = len(made) + 1
        parts.append(
            _Part(
                order,
                verdict,
                decision,
                first,
                lines,
                _facts(order, lines, loaded.weights, platform),
                f"part 1 of {count}",
            )
        )
        for n, ((warehouse_id, _), part) in enumerate(zip(plan, made, strict=True), start=2):
            facts = _facts(part.order, part.lines, loaded.weights, platform)
            parts.append(_Part(part.order, verdict, decision, warehouse_id, part.lines, facts, f"part {n} of {count}"))
    return parts


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
    wanted = sum(line.qty for line in facts.lines if line.sku_id is not None and line.qty > 0)
    given = sum(units for a in decision.assignments for _, units in a.lines)
    if order.own_values and (len(decision.assignments) != 1 or given < wanted):
        reason = f"merged orders ship as one parcel, and this one would need a split: {decision.explanation}"
        _hold(session, order, actor, reason, reason, kind="held")
        return None
    for assignment in decision.assignments:  # the next order routes against what this one leaves
        available = warehouses[assignment.warehouse_id].available
        for index, units in assignment.lines:
            sku = facts.lines[index].sku_id
            if sku is not None:
                available[sku] = available.get(sku, 0) - units
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

"""合单/拆单 rules without a database: which orders may merge, what a host shows, how a person's
parts are checked, that dividing a line keeps every fen, and how a routing decision becomes parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.lib.errors import DomainError
from server.orders.merging import groups_of, merge_key, refresh_host
from server.orders.models import Order, OrderLine, OrderReservation, OrderStatus
from server.orders.normalized import PlatformStatus, RefundState
from server.orders.processing import _split_plan
from server.orders.rules import Assignment, RoutingDecision, RoutingRule, Shortage, SplitAllowed, route
from server.orders.splitting import PartInput, _divide, _take_reservations, plan_parts
from tests.unit.orders.rules.build import line, order, warehouse

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 11, 2, 0, tzinfo=UTC)


def _order(order_id: int, **overrides: Any) -> Order:
    values: dict[str, Any] = {
        "id": order_id,
        "channel_id": 1,
        "platform_order_no": f"N{order_id}",
        "status": OrderStatus.paid,
        "platform_status": PlatformStatus.paid,
        "ordered_at": T0,
        "paid_at": T0 + timedelta(minutes=order_id),
        "buyer_id": "tb_buyer",
        "receiver_province": "浙江省",
        "receiver_city": "杭州市",
        "receiver_district": "西湖区",
        "receiver": {"name": "王**", "phone": "138****1234", "address": "文三路***号"},
        "presale": False,
        "ship_by": None,
        "priority": 0,
        "tags": {"tags": []},
        "own_values": {},
        "split_parts": 0,
        "split_from_id": None,
    }
    values.update(overrides)
    return Order(**values)


def test_the_same_buyer_and_receiver_spelled_differently_merge() -> None:
    plain = _order(1)
    spelled = _order(2, receiver_province="浙江", receiver_city=" 杭州 ", receiver=dict(plain.receiver))
    assert merge_key(plain) == merge_key(spelled)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"receiver": {"name": "王**", "phone": "139****0000", "address": "文三路***号"}}, "another phone"),
        ({"buyer_id": "tb_other"}, "another buyer"),
        ({"channel_id": 2}, "another shop"),
        ({"receiver_district": "上城区"}, "another district"),
        ({"presale": True, "ship_by": T0 + timedelta(days=3)}, "presale with spot"),
    ],
)
def test_orders_that_differ_do_not_merge(change: dict[str, Any], why: str) -> None:
    assert merge_key(_order(1)) != merge_key(_order(2, **change)), why


def test_presale_orders_merge_only_for_the_same_ship_by_day() -> None:
    day = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    morning = _order(1, presale=True, ship_by=day)
    evening = _order(2, presale=True, ship_by=day + timedelta(hours=14))  # 23:00, the same Shanghai day
    next_day = _order(3, presale=True, ship_by=day + timedelta(hours=15))  # 00:00 the next Shanghai day
    assert merge_key(morning) == merge_key(evening) != merge_key(next_day)


@pytest.mark.parametrize(
    "change",
    [
        {"buyer_id": ""},
        {"status": OrderStatus.in_wave},
        {"status": OrderStatus.merged},
        {"split_from_id": 9},
        {"split_parts": 1},
    ],
)
def test_some_orders_merge_with_nothing(change: dict[str, Any]) -> None:
    assert merge_key(_order(1, **change)) is None


def test_groups_are_hosted_by_the_earliest_paid_and_singletons_are_left_alone() -> None:
    late, early, other = _order(1, paid_at=T0 + timedelta(hours=2)), _order(2), _order(3, buyer_id="tb_other")
    assert [[o.id for o in g] for g in groups_of([late, early, other])] == [[2, 1]]


def test_a_host_shows_the_earliest_ship_by_the_highest_priority_and_every_tag_then_its_own_again() -> None:
    host = _order(1, tags={"tags": ["gift"]}, priority=1)
    soon = _order(2, ship_by=T0 + timedelta(days=1), tags={"tags": ["VIP", "gift"]}, priority=5)
    later = _order(3, ship_by=T0 + timedelta(days=4))

    refresh_host(host, [soon, later])
    assert (host.ship_by, host.priority, host.tags) == (T0 + timedelta(days=1), 5, {"tags": ["gift", "VIP"]})
    assert host.own_values == {"ship_by": None, "priority": 1, "tags": ["gift"]}

    refresh_host(host, [])
    assert (host.ship_by, host.priority, host.tags, host.own_values) == (None, 1, {"tags": ["gift"]}, {})


def _line(line_id: int, qty: int, *, paid: int | None = None, refund: RefundState = RefundState.none) -> OrderLine:
    return OrderLine(
        id=line_id,
        order_id=1,
        origin_order_id=1,
        line_no=line_id,
        platform_line_id=str(line_id),
        sku_code="TEE",
        sku_id=7,
        qty=qty,
        unit_price_minor=5_000,
        discount_minor=100 * qty,
        paid_minor=4_900 * qty if paid is None else paid,
        refund=refund,
    )


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([[(1, 4)]], "parts.0.lines.0.qty"),
        ([[(1, 2)], [(1, 2)]], "parts.1.lines.0.qty"),
        ([[(9, 1)]], "parts.0.lines.0.line_id"),
        ([[(3, 1)]], "parts.0.lines.0.line_id"),  # refunded
        ([[(1, 3), (2, 1)]], "parts"),  # nothing left in the order
    ],
)
def test_a_persons_parts_are_checked_field_by_field(parts: list[list[tuple[int, int]]], field: str) -> None:
    lines = [_line(1, 3), _line(2, 1), _line(3, 1, refund=RefundState.refunded)]
    with pytest.raises(DomainError) as refused:
        plan_parts(_order(1), lines, [PartInput(lines=p) for p in parts])
    assert (refused.value.status, refused.value.field) == (400, field)


def test_duplicate_lines_in_a_part_add_up() -> None:
    lines = [_line(1, 3), _line(2, 1)]
    (part,) = plan_parts(_order(1), lines, [PartInput(lines=[(1, 1), (1, 1)])])
    assert [(x.id, units) for x, units in part] == [(1, 2)]


@pytest.mark.parametrize(("qty", "paid", "moved"), [(3, 14_699, 1), (3, 14_699, 2), (7, 1, 3), (2, 0, 1), (5, 999, 4)])
def test_dividing_a_line_keeps_every_fen(qty: int, paid: int, moved: int) -> None:
    original = _line(1, qty, paid=paid)
    discount = original.discount_minor
    part = _order(2)
    new = _divide(original, moved, part)
    assert (original.qty, new.qty) == (qty - moved, moved)
    assert original.paid_minor + new.paid_minor == paid
    assert original.discount_minor + new.discount_minor == discount
    assert (new.platform_line_id, new.origin_order_id, new.order_id) == ("1", 1, 2)


def test_a_divided_lines_reservations_are_shared_from_the_back() -> None:
    rows = [
        OrderReservation(order_id=1, order_line_id=1, warehouse_id=1, location_id=10, sku_id=7, qty=2),
        OrderReservation(order_id=1, order_line_id=1, warehouse_id=1, location_id=11, sku_id=7, qty=2),
    ]
    new = _line(5, 3)
    new.order_id = 2
    added = _take_reservations(rows, new, _order(2))
    assert [(r.location_id, r.qty, r.order_id) for r in rows] == [(10, 1, 1)]  # left holding the rest
    assert [(r.location_id, r.qty, r.order_id, r.order_line_id) for r in added] == [(10, 1, 2, 5)]


def test_a_backorder_split_ships_what_is_in_stock_and_names_what_waits() -> None:
    facts = order(lines=[line(1, 3, code="TEE"), line(2, 1, code="MUG")])
    rule = RoutingRule(id=1, position=1, name="缺货拆单", action=SplitAllowed(split_lines=True, backorder=True))
    decision = route(facts, [warehouse(1, "WH-A", "浙江省", {1: 2, 2: 5})], [rule])
    assert (decision.held, decision.assignments) == (False, [Assignment(warehouse_id=1, lines=[(0, 2), (1, 1)])])
    assert decision.shortages == [Shortage(sku_id=1, sku_code="TEE", needed=1, available=2)]
    assert decision.explanation.endswith("in stock now: WH-A 3 units; waits for stock: SKU TEE ×1")
    plain = RoutingRule(id=1, position=1, name="拆单", action=SplitAllowed(split_lines=True))
    assert route(facts, [warehouse(1, "WH-A", "浙江省", {1: 2, 2: 5})], [plain]).held  # only when asked for


def test_a_routing_decision_becomes_parts_beyond_the_first_warehouse() -> None:
    lines = [_line(1, 3), _line(2, 1), _line(3, 1, refund=RefundState.refunded), _line(4, 2)]
    decision = RoutingDecision(
        order_id=1,
        held=False,
        assignments=[
            Assignment(warehouse_id=1, lines=[(0, 2), (1, 1)]),
            Assignment(warehouse_id=2, lines=[(0, 1)]),
        ],
        rule_id=1,
        explanation="",
        explanation_zh="",
    )
    plan = _split_plan(lines, decision)
    assert [(w, [(x.id, n) for x, n in moves]) for w, moves in plan] == [(2, [(1, 1)]), (None, [(4, 2)])]

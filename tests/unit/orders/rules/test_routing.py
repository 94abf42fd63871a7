"""策略分仓: fall-through with its explanation, nearest warehouse, greedy splits, stock consumed over a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from server.orders.rules.common import Hold
from server.orders.rules.conditions import Condition, RegionIn, Vip
from server.orders.rules.facts import WarehouseFacts, priority_key
from server.orders.rules.routing import (
    Assignment,
    NearestWithStock,
    RouteTo,
    RoutingAction,
    RoutingDecision,
    RoutingRule,
    Shortage,
    SplitAllowed,
    route,
    route_many,
)
from tests.unit.orders.rules.build import line, order, warehouse

pytestmark = pytest.mark.unit

SH, BJ, GZ = 1, 2, 3
A, B, C = 12, 13, 14


def stock(
    sh: dict[int, int], bj: dict[int, int], gz: dict[int, int], *, gz_active: bool = True
) -> list[WarehouseFacts]:
    return [
        warehouse(SH, "WH-SH", "上海市", sh),
        warehouse(BJ, "WH-BJ", "北京市", bj),
        warehouse(GZ, "WH-GZ", "广东省", gz, active=gz_active),
    ]


def rule(
    rule_id: int, name: str, action: RoutingAction, *conditions: Condition, position: int | None = None
) -> RoutingRule:
    return RoutingRule(
        id=rule_id,
        position=rule_id if position is None else position,
        name=name,
        conditions=list(conditions),
        action=action,
    )


EAST_FROM_SH = rule(1, "ship 华东 from WH-SH", RouteTo(warehouse_ids=[SH]), RegionIn(regions=["华东"]))
HOLD_NORTHWEST = rule(2, "西北人工", Hold(reason_en="remote", reason_zh="偏远"), RegionIn(regions=["西北"]))
NEAREST = rule(3, "nearest", NearestWithStock())


def test_a_rule_that_cannot_act_falls_through_and_the_explanation_says_so() -> None:
    warehouses = stock({A: 2}, {A: 10}, {})
    decision = route(order(lines=[line(A, 5, code="TEE-RED")]), warehouses, [NEAREST, HOLD_NORTHWEST, EAST_FROM_SH])
    assert decision == RoutingDecision(
        order_id=1,
        held=False,
        assignments=[Assignment(warehouse_id=BJ, lines=[(0, 5)])],
        rule_id=3,
        explanation=(
            "rule 1 'ship 华东 from WH-SH' matched but WH-SH lacks SKU TEE-RED ×3; "
            "routed to WH-BJ by rule 3 'nearest': nearest with full stock (1,123 km to 浙江); "
            "skipped: WH-SH lacks SKU TEE-RED ×3; WH-GZ lacks SKU TEE-RED ×5"
        ),
        explanation_zh=(
            "规则 1「ship 华东 from WH-SH」命中，但 WH-SH 缺 TEE-RED ×3；"
            "按规则 3「nearest」分到 WH-BJ：最近且库存充足（距浙江 1,123 公里）；"
            "跳过：WH-SH 缺 TEE-RED ×3；WH-GZ 缺 TEE-RED ×5"
        ),
    )
    assert warehouses[0].available == {A: 2}  # the caller's facts are never touched


def test_a_satisfied_rule_names_its_conditions() -> None:
    decision = route(order(lines=[line(A, 2)]), stock({A: 2}, {}, {}), [EAST_FROM_SH, NEAREST])
    assert decision == RoutingDecision(
        order_id=1,
        held=False,
        assignments=[Assignment(warehouse_id=SH, lines=[(0, 2)])],
        rule_id=1,
        explanation=(
            "routed to WH-SH by rule 1 'ship 华东 from WH-SH' (ships to 浙江, in region 华东): "
            "first choice, with full stock"
        ),
        explanation_zh="按规则 1「ship 华东 from WH-SH」（收货省份为 浙江，属华东）分到 WH-SH：首选仓库存充足",
    )


def test_route_to_takes_the_first_listed_warehouse_with_everything() -> None:
    rules = [rule(1, "south", RouteTo(warehouse_ids=[GZ, 99, SH, BJ]))]
    decision = route(order(lines=[line(A, 1)]), stock({A: 1}, {A: 1}, {}, gz_active=False), rules)
    assert decision.assignments == [Assignment(warehouse_id=SH, lines=[(0, 1)])]
    assert decision.explanation == (
        "routed to WH-SH by rule 1 'south': WH-GZ is inactive; warehouse 99 is unknown; WH-SH has full stock"
    )
    assert decision.explanation_zh == "按规则 1「south」分到 WH-SH：WH-GZ 已停用；仓库 99 不存在；WH-SH 库存充足"


def test_route_to_without_full_stock_sends_the_order_short() -> None:
    rules = [rule(1, "supplier", RouteTo(warehouse_ids=[SH, BJ], require_full_stock=False))]
    decision = route(order(lines=[line(A, 5), line(B, 1)]), stock({A: 2, B: 1}, {}, {}), rules)
    assert decision == RoutingDecision(
        order_id=1,
        held=False,
        assignments=[Assignment(warehouse_id=SH, lines=[(0, 5), (1, 1)])],
        rule_id=1,
        explanation=(
            "routed to WH-SH by rule 1 'supplier': WH-SH lacks SKU SKU-12 ×3; "
            "WH-BJ lacks SKU SKU-12 ×5, SKU SKU-13 ×1; sent to WH-SH anyway, to ship when stock arrives"
        ),
        explanation_zh=(
            "按规则 1「supplier」分到 WH-SH：WH-SH 缺 SKU-12 ×3；WH-BJ 缺 SKU-12 ×5、SKU-13 ×1；"
            "仍分到 WH-SH，到货后发出"
        ),
        shortages=[Shortage(sku_id=A, sku_code="SKU-12", needed=5, available=2)],
    )


def test_an_order_to_guangdong_goes_to_guangzhou() -> None:
    decision = route(order(province="广东省", lines=[line(A, 1)]), stock({A: 9}, {A: 9}, {A: 9}), [NEAREST])
    assert decision.assignments == [Assignment(warehouse_id=GZ, lines=[(0, 1)])]
    assert decision.explanation == "routed to WH-GZ by rule 3 'nearest': nearest with full stock (0 km to 广东)"
    assert decision.explanation_zh == "按规则 3「nearest」分到 WH-GZ：最近且库存充足（距广东 0 公里）"


def test_nearest_skips_inactive_and_non_candidate_warehouses() -> None:
    facts = order(province="广东省", lines=[line(A, 1)])
    assert route(facts, stock({A: 9}, {A: 9}, {A: 9}, gz_active=False), [NEAREST]).assignments == [
        Assignment(warehouse_id=SH, lines=[(0, 1)])
    ]
    north_only = [rule(1, "north", NearestWithStock(candidate_ids=[BJ]))]
    assert route(facts, stock({A: 9}, {A: 9}, {A: 9}), north_only).assignments == [
        Assignment(warehouse_id=BJ, lines=[(0, 1)])
    ]


def test_lines_of_the_same_sku_are_summed_against_stock() -> None:
    facts = order(province="上海", lines=[line(A, 2), line(B, 1), line(A, 3)])
    decision = route(facts, stock({A: 4, B: 1}, {A: 5, B: 1}, {}), [NEAREST])
    assert decision.assignments == [Assignment(warehouse_id=BJ, lines=[(0, 2), (1, 1), (2, 3)])]
    assert decision.explanation.endswith("skipped: WH-SH lacks SKU SKU-12 ×1")


def test_split_assigns_the_warehouse_covering_most_units_first() -> None:
    facts = order(lines=[line(A, 4), line(B, 3), line(C, 2)])
    warehouses = stock({A: 4, C: 2}, {B: 3, C: 2}, {C: 2})
    decision = route(facts, warehouses, [rule(1, "拆单", SplitAllowed())])
    assert decision == RoutingDecision(
        order_id=1,
        held=False,
        assignments=[
            Assignment(warehouse_id=SH, lines=[(0, 4), (2, 2)]),
            Assignment(warehouse_id=BJ, lines=[(1, 3)]),
        ],
        rule_id=1,
        explanation=(
            "routed to WH-SH, WH-BJ by rule 1 '拆单': split over 2 warehouses, none has everything: "
            "WH-SH 6 units, WH-BJ 3 units"
        ),
        explanation_zh=(
            "按规则 1「拆单」分到 WH-SH、WH-BJ：拆到 2 个仓库（没有一个仓库有全部库存）：WH-SH 6 件，WH-BJ 3 件"
        ),
    )


def test_split_breaks_a_tie_by_distance() -> None:
    facts = order(province="广东", lines=[line(A, 2), line(B, 2)])
    decision = route(facts, stock({A: 2}, {A: 2}, {B: 2}), [rule(1, "拆单", SplitAllowed())])
    assert decision.assignments == [
        Assignment(warehouse_id=GZ, lines=[(1, 2)]),
        Assignment(warehouse_id=SH, lines=[(0, 2)]),
    ]


def test_split_prefers_one_warehouse_with_everything() -> None:
    facts = order(province="北京", lines=[line(A, 2), line(B, 2)])
    decision = route(facts, stock({A: 2, B: 2}, {A: 2}, {B: 2}), [rule(1, "拆单", SplitAllowed())])
    assert decision.assignments == [Assignment(warehouse_id=SH, lines=[(0, 2), (1, 2)])]
    assert decision.explanation == (
        "routed to WH-SH by rule 1 '拆单': no split needed, nearest with full stock (1,067 km to 北京)"
    )


def test_a_line_is_split_only_when_the_rule_allows_it() -> None:
    facts = order(lines=[line(A, 5)])
    warehouses = stock({A: 3}, {A: 2}, {})
    whole_lines = route(facts, warehouses, [rule(1, "拆单", SplitAllowed())])
    assert whole_lines == RoutingDecision(
        order_id=1,
        held=True,
        assignments=[],
        rule_id=None,
        explanation=(
            "rule 1 '拆单' matched but no split ships every line whole: line 1 (SKU SKU-12 ×5); "
            "held: no warehouse can ship this order: "
            "stock is spread over several warehouses and no matching rule could split it"
        ),
        explanation_zh=(
            "规则 1「拆单」命中，但无法整行拆分：第 1 行（SKU-12 ×5）；"
            "拦截：没有仓库能发这个订单：库存分散在多个仓库，命中的规则无法拆单"
        ),
    )
    split_lines = route(facts, warehouses, [rule(1, "拆单", SplitAllowed(split_lines=True))])
    assert split_lines.assignments == [
        Assignment(warehouse_id=SH, lines=[(0, 3)]),
        Assignment(warehouse_id=BJ, lines=[(0, 2)]),
    ]


def test_a_split_short_overall_says_what_is_missing() -> None:
    decision = route(
        order(lines=[line(A, 6)]), stock({A: 3}, {A: 2}, {}), [rule(1, "拆单", SplitAllowed(split_lines=True))]
    )
    assert decision == RoutingDecision(
        order_id=1,
        held=True,
        assignments=[],
        rule_id=None,
        explanation=(
            "rule 1 '拆单' matched but all candidates together lack SKU SKU-12 ×1; "
            "held: no warehouse can ship this order: SKU SKU-12 6 needed, 5 available"
        ),
        explanation_zh=(
            "规则 1「拆单」命中，但所有候选仓合计仍缺 SKU-12 ×1；拦截：没有仓库能发这个订单：SKU-12 需 6 件，可用 5 件"
        ),
        shortages=[Shortage(sku_id=A, sku_code="SKU-12", needed=6, available=5)],
    )


def test_stock_the_rules_cannot_reach_is_named() -> None:
    decision = route(order(lines=[line(A, 3)]), stock({A: 2}, {A: 3}, {}), [EAST_FROM_SH])
    assert decision.held
    assert decision.explanation == (
        "rule 1 'ship 华东 from WH-SH' matched but WH-SH lacks SKU SKU-12 ×1; "
        "held: no warehouse can ship this order: WH-BJ has full stock but no matching rule may use it"
    )
    assert decision.explanation_zh == (
        "规则 1「ship 华东 from WH-SH」命中，但 WH-SH 缺 SKU-12 ×1；"
        "拦截：没有仓库能发这个订单：WH-BJ 库存充足，但命中的规则都不能用它"
    )


def test_a_hold_rule_after_a_fall_through_keeps_both() -> None:
    hold_vip = rule(5, "VIP 人工", Hold(reason_en="call the buyer", reason_zh="致电买家"), Vip(), position=2)
    decision = route(order(vip=True, lines=[line(A, 3)]), stock({A: 2}, {}, {}), [EAST_FROM_SH, hold_vip, NEAREST])
    assert decision == RoutingDecision(
        order_id=1,
        held=True,
        assignments=[],
        rule_id=5,
        explanation=(
            "rule 1 'ship 华东 from WH-SH' matched but WH-SH lacks SKU SKU-12 ×1; "
            "held by rule 5 'VIP 人工': VIP buyer — call the buyer"
        ),
        explanation_zh=(
            "规则 1「ship 华东 from WH-SH」命中，但 WH-SH 缺 SKU-12 ×1；被规则 5「VIP 人工」拦截：VIP 买家——致电买家"
        ),
    )


def test_unknown_skus_and_unmatched_orders_are_held() -> None:
    unknown = route(order(lines=[line(A, 1), line(None, 1, code="NEW-1")]), stock({A: 9}, {}, {}), [NEAREST])
    assert (unknown.held, unknown.rule_id, unknown.explanation, unknown.explanation_zh) == (
        True,
        None,
        "held: unknown SKU NEW-1",
        "拦截：未知商品编码 NEW-1",
    )
    unmatched = route(order(province="广东", lines=[line(A, 1)]), stock({A: 9}, {}, {}), [EAST_FROM_SH])
    assert (unmatched.held, unmatched.explanation, unmatched.explanation_zh) == (
        True,
        "held: no routing rule matched this order",
        "拦截：没有分仓规则命中此订单",
    )


def test_route_many_consumes_stock_so_the_last_order_goes_short() -> None:
    orders = [order(order_id=n, lines=[line(A, 2)]) for n in (101, 102, 103)]
    warehouses = stock({A: 3}, {A: 2}, {})
    decisions = route_many(orders, warehouses, [NEAREST])
    assert [d.assignments for d in decisions] == [
        [Assignment(warehouse_id=SH, lines=[(0, 2)])],
        [Assignment(warehouse_id=BJ, lines=[(0, 2)])],
        [],
    ]
    assert decisions[1].explanation == (
        "routed to WH-BJ by rule 3 'nearest': nearest with full stock (1,123 km to 浙江); "
        "skipped: WH-SH lacks SKU SKU-12 ×1; WH-GZ lacks SKU SKU-12 ×2"
    )
    assert decisions[2] == RoutingDecision(
        order_id=103,
        held=True,
        assignments=[],
        rule_id=None,
        explanation=(
            "rule 3 'nearest' matched but no candidate has full stock: "
            "WH-SH lacks SKU SKU-12 ×1; WH-GZ lacks SKU SKU-12 ×2; WH-BJ lacks SKU SKU-12 ×2; "
            "held: no warehouse can ship this order: SKU SKU-12 2 needed, 1 available"
        ),
        explanation_zh=(
            "规则 3「nearest」命中，但没有候选仓库存充足：WH-SH 缺 SKU-12 ×1；WH-GZ 缺 SKU-12 ×2；WH-BJ 缺 SKU-12 ×2；"
            "拦截：没有仓库能发这个订单：SKU-12 需 2 件，可用 1 件"
        ),
        shortages=[Shortage(sku_id=A, sku_code="SKU-12", needed=2, available=1)],
    )
    assert [route(o, warehouses, [NEAREST]).held for o in orders] == [False, False, False]


def test_priority_key_puts_vip_then_promised_presale_then_oldest_payment_first() -> None:
    t0 = datetime(2026, 11, 11, tzinfo=UTC)
    batch = [
        order(order_id=1, paid_at=t0),
        order(order_id=2, paid_at=t0 - timedelta(hours=1)),
        order(order_id=3, presale=True, ship_by=t0 + timedelta(days=3), paid_at=t0 - timedelta(days=9)),
        order(order_id=4, presale=True, ship_by=t0 + timedelta(days=1)),
        order(order_id=5, vip=True, paid_at=t0 + timedelta(hours=5)),
        order(order_id=6),
    ]
    assert [f.order_id for f in sorted(batch, key=priority_key)] == [5, 4, 3, 2, 1, 6]


def test_routing_rules_round_trip_as_json() -> None:
    text = (
        '[{"id":1,"position":1,"name":"ship 华东 from WH-SH","enabled":true,'
        '"conditions":[{"type":"region_in","regions":["华东"]}],'
        '"action":{"type":"route_to","warehouse_ids":[1,4],"require_full_stock":true}},'
        '{"id":2,"position":2,"name":"西北人工","enabled":true,"conditions":[{"type":"region_in","regions":["西北"]}],'
        '"action":{"type":"hold","reason_en":"remote","reason_zh":"偏远"}},'
        '{"id":3,"position":3,"name":"nearest","enabled":true,"conditions":[],'
        '"action":{"type":"nearest_with_stock","candidate_ids":null}},'
        '{"id":4,"position":4,"name":"拆单","enabled":false,"conditions":[],'
        '"action":{"type":"split_allowed","candidate_ids":[1,2],"split_lines":true}}]'
    )
    rules = msgspec.json.decode(text, type=list[RoutingRule])
    assert [r.action for r in rules] == [
        RouteTo(warehouse_ids=[1, 4]),
        Hold(reason_en="remote", reason_zh="偏远"),
        NearestWithStock(),
        SplitAllowed(candidate_ids=[1, 2], split_lines=True),
    ]
    assert msgspec.json.encode(rules).decode() == text

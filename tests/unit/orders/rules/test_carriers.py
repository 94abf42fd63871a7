"""快递: first weight plus started kilograms; rates limited by province, warehouse and weight; rules first."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from server.orders.rules.carriers import (
    CarrierDecision,
    CarrierRate,
    CarrierRule,
    Cheapest,
    UseCarrier,
    choose_carrier,
    rate_cost,
)
from server.orders.rules.conditions import BuyerMessageContains, RegionIn, WeightAtLeastG
from server.orders.rules.facts import OrderFacts
from tests.unit.orders.rules.build import line, order, warehouse

pytestmark = pytest.mark.unit

ZTO = CarrierRate(
    carrier_code="ZTO",
    name="中通",
    first_weight_g=1000,
    first_fee_minor=500,
    extra_per_kg_minor=200,
    max_weight_g=30000,
)
ZTO_REMOTE = CarrierRate(
    carrier_code="ZTO",
    name="中通",
    provinces=["新疆维吾尔自治区", "西藏"],
    first_weight_g=1000,
    first_fee_minor=1500,
    extra_per_kg_minor=1000,
    max_weight_g=20000,
)
SF = CarrierRate(carrier_code="SF", name="顺丰", first_weight_g=1000, first_fee_minor=1800, extra_per_kg_minor=500)
YTO = CarrierRate(
    carrier_code="YTO",
    name="圆通",
    provinces=["浙江", "江苏", "上海市"],
    first_weight_g=1000,
    first_fee_minor=350,
    extra_per_kg_minor=150,
    max_weight_g=10000,
)
JD = CarrierRate(carrier_code="JD", warehouse_ids=[2], first_weight_g=1000, first_fee_minor=100, extra_per_kg_minor=100)
RATES = [ZTO, ZTO_REMOTE, SF, YTO, JD]
HANGZHOU = warehouse(1, "WH-SH", "上海", {})


def parcel(grams: int, **overrides: Any) -> OrderFacts:
    return order(lines=[line(1, 1, weight_g=grams)], **overrides)


@pytest.mark.parametrize(
    ("grams", "cost"),
    [(0, 500), (999, 500), (1000, 500), (1001, 700), (2000, 700), (2001, 900), (3500, 1100), (30000, 6300)],
)
def test_cost_is_first_fee_plus_each_started_kilogram(grams: int, cost: int) -> None:
    assert rate_cost(ZTO, grams) == cost


def test_default_is_the_cheapest_carrier_that_serves_the_province() -> None:
    decision = choose_carrier(order(lines=[line(1, 2, weight_g=1150)]), HANGZHOU, RATES, [])
    assert decision == CarrierDecision(
        carrier_code="YTO",
        cost_minor=650,
        rule_id=None,
        explanation=(
            "YTO: no carrier rule applied; cheapest for 2,300 g to 浙江 of YTO 6.50, ZTO 9.00, SF 28.00; "
            "left out: JD has no rate at WH-SH"
        ),
        explanation_zh=(
            "YTO：无快递规则适用；2,300 克到浙江最便宜（YTO 6.50，ZTO 9.00，SF 28.00；排除：JD 在 WH-SH 没有价格）"
        ),
    )


def test_a_rate_for_the_province_overrides_the_carriers_everywhere_rate() -> None:
    decision = choose_carrier(parcel(2300, province="新疆"), HANGZHOU, RATES, [])
    assert (decision.carrier_code, decision.cost_minor) == ("SF", 2800)
    assert decision.explanation == (
        "SF: no carrier rule applied; cheapest for 2,300 g to 新疆 of SF 28.00, ZTO 35.00; "
        "left out: YTO does not serve 新疆; JD has no rate at WH-SH"
    )


def test_a_parcel_over_a_rates_limit_excludes_the_carrier() -> None:
    decision = choose_carrier(parcel(25000, province="新疆维吾尔自治区"), HANGZHOU, RATES, [])
    assert (decision.carrier_code, decision.cost_minor) == ("SF", 13800)
    assert decision.explanation == (
        "SF: no carrier rule applied; cheapest for 25,000 g to 新疆 of SF 138.00; "
        "left out: ZTO takes at most 20,000 g; YTO does not serve 新疆; JD has no rate at WH-SH"
    )


def test_a_rate_limited_to_a_warehouse_applies_there() -> None:
    beijing = warehouse(2, "WH-BJ", "北京", {})
    assert choose_carrier(parcel(2300), beijing, RATES, []).carrier_code == "JD"


def test_no_carrier_at_all() -> None:
    decision = choose_carrier(parcel(40000, province="西藏自治区"), HANGZHOU, [ZTO, ZTO_REMOTE, YTO], [])
    assert decision == CarrierDecision(
        carrier_code=None,
        cost_minor=None,
        rule_id=None,
        explanation="no carrier can take 40,000 g to 西藏: ZTO takes at most 20,000 g; YTO does not serve 西藏",
        explanation_zh="没有快递能承运40,000 克到西藏的包裹：ZTO 限重 20,000 克；YTO 不配送西藏",
    )


SF_ON_REQUEST = CarrierRule(
    id=1,
    position=1,
    name="留言要顺丰",
    conditions=[BuyerMessageContains(keywords=["顺丰"])],
    action=UseCarrier(carrier_code="SF"),
)
HEAVY = CarrierRule(
    id=2,
    position=2,
    name="重货",
    conditions=[WeightAtLeastG(grams=5000)],
    action=Cheapest(carrier_codes=["ZTO", "SF"]),
)
NORTHWEST_YTO = CarrierRule(
    id=3, position=0, name="西北圆通", conditions=[RegionIn(regions=["西北"])], action=UseCarrier(carrier_code="YTO")
)


def test_use_carrier_rule() -> None:
    decision = choose_carrier(parcel(1200, buyer_message="请发顺丰，谢谢"), HANGZHOU, RATES, [HEAVY, SF_ON_REQUEST])
    assert decision == CarrierDecision(
        carrier_code="SF",
        cost_minor=2300,
        rule_id=1,
        explanation="SF by rule 1 '留言要顺丰' (buyer message contains 顺丰): 23.00 for 1,200 g to 浙江",
        explanation_zh="按规则 1「留言要顺丰」（买家留言含「顺丰」）选 SF：1,200 克到浙江运费 23.00",
    )


def test_cheapest_among_listed_carriers() -> None:
    decision = choose_carrier(parcel(6000), HANGZHOU, RATES, [SF_ON_REQUEST, HEAVY])
    assert decision == CarrierDecision(
        carrier_code="ZTO",
        cost_minor=1500,
        rule_id=2,
        explanation=(
            "ZTO by rule 2 '重货' (weighs 6,000 g ≥ 5,000 g): cheapest for 6,000 g to 浙江 of ZTO 15.00, SF 43.00"
        ),
        explanation_zh="按规则 2「重货」（重 6,000 克 ≥ 5,000 克）选 ZTO：6,000 克到浙江最便宜（ZTO 15.00，SF 43.00）",
    )


def test_a_rule_whose_carrier_cannot_serve_falls_through() -> None:
    decision = choose_carrier(parcel(6000, province="新疆"), HANGZHOU, RATES, [NORTHWEST_YTO, HEAVY])
    assert decision == CarrierDecision(
        carrier_code="SF",
        cost_minor=4300,
        rule_id=2,
        explanation=(
            "rule 3 '西北圆通' matched but YTO does not serve 新疆; "
            "SF by rule 2 '重货' (weighs 6,000 g ≥ 5,000 g): cheapest for 6,000 g to 新疆 of SF 43.00, ZTO 65.00"
        ),
        explanation_zh=(
            "规则 3「西北圆通」命中，但 YTO 不配送新疆；"
            "按规则 2「重货」（重 6,000 克 ≥ 5,000 克）选 SF：6,000 克到新疆最便宜（SF 43.00，ZTO 65.00）"
        ),
    )


def test_carrier_rules_and_rates_round_trip_as_json() -> None:
    text = (
        '[{"id":1,"position":1,"name":"留言要顺丰","enabled":true,'
        '"conditions":[{"type":"buyer_message_contains","keywords":["顺丰"]}],'
        '"action":{"type":"use_carrier","carrier_code":"SF"}},'
        '{"id":2,"position":2,"name":"重货","enabled":true,"conditions":[{"type":"weight_at_least_g","grams":5000}],'
        '"action":{"type":"cheapest","carrier_codes":["ZTO","SF"]}}]'
    )
    rules = msgspec.json.decode(text, type=list[CarrierRule])
    assert rules == [SF_ON_REQUEST, HEAVY]
    assert msgspec.json.encode(rules).decode() == text
    assert msgspec.json.decode(msgspec.json.encode(RATES), type=list[CarrierRate]) == RATES

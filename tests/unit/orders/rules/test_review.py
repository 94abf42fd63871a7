"""审单: first matching rule by position decides, disabled rules sleep, no match approves."""

from __future__ import annotations

import msgspec
import pytest

from server.orders.rules.common import Hold
from server.orders.rules.conditions import AddressContains, BuyerMessagePresent, PaidBelow, Vip
from server.orders.rules.review import Approve, ReviewDecision, ReviewRule, review
from tests.unit.orders.rules.build import order

pytestmark = pytest.mark.unit

RULES_JSON = """[
  {"id": 2, "position": 20, "name": "有留言的订单", "enabled": true,
   "conditions": [{"type": "buyer_message_present"}],
   "action": {"type": "hold", "reason_en": "read the message", "reason_zh": "查看留言"}},
  {"id": 1, "position": 10, "name": "VIP 免审", "enabled": true,
   "conditions": [{"type": "vip", "value": true}, {"type": "paid_below", "minor": 100000}],
   "action": {"type": "approve"}},
  {"id": 3, "position": 5, "name": "可疑地址", "enabled": false,
   "conditions": [{"type": "address_contains", "keywords": ["学校", "部队", "转运", "集运"]}],
   "action": {"type": "hold", "reason_en": "", "reason_zh": ""}}
]"""

RULES = msgspec.json.decode(RULES_JSON, type=list[ReviewRule])


def test_rules_decode_from_and_encode_to_json() -> None:
    assert [
        ReviewRule(
            id=2,
            position=20,
            name="有留言的订单",
            conditions=[BuyerMessagePresent()],
            action=Hold(reason_en="read the message", reason_zh="查看留言"),
        ),
        ReviewRule(id=1, position=10, name="VIP 免审", conditions=[Vip(), PaidBelow(minor=100000)], action=Approve()),
        ReviewRule(
            id=3,
            position=5,
            name="可疑地址",
            enabled=False,
            conditions=[AddressContains(keywords=["学校", "部队", "转运", "集运"])],
            action=Hold(),
        ),
    ] == RULES
    assert msgspec.json.decode(msgspec.json.encode(RULES), type=list[ReviewRule]) == RULES
    assert msgspec.json.encode(RULES[1]).decode() == (
        '{"id":1,"position":10,"name":"VIP 免审","enabled":true,'
        '"conditions":[{"type":"vip","value":true},{"type":"paid_below","minor":100000}],'
        '"action":{"type":"approve"}}'
    )


def test_no_rule_matching_approves() -> None:
    assert review(order(), RULES) == ReviewDecision(
        approved=True,
        rule_id=None,
        explanation="no review rule matched: approved automatically",
        explanation_zh="无审单规则命中，自动审核通过",
    )


def test_a_hold_names_the_rule_what_matched_and_the_reason() -> None:
    assert review(order(buyer_message="周末送"), RULES) == ReviewDecision(
        approved=False,
        rule_id=2,
        explanation="held by rule 2 '有留言的订单': buyer left a message — read the message",
        explanation_zh="被规则 2「有留言的订单」拦截：买家有留言——查看留言",
        reason_en="read the message",
        reason_zh="查看留言",
    )


def test_the_lower_position_decides_whatever_the_list_order() -> None:
    decision = review(order(buyer_message="周末送", vip=True, paid_minor=50000), RULES)
    assert decision == ReviewDecision(
        approved=True,
        rule_id=1,
        explanation="approved by rule 1 'VIP 免审': VIP buyer and paid 500.00 < 1,000.00",
        explanation_zh="规则 1「VIP 免审」命中，自动审核通过：VIP 买家，且实付 500.00 < 1,000.00",
    )


def test_all_conditions_must_match() -> None:
    decision = review(order(buyer_message="周末送", vip=True, paid_minor=100000), RULES)
    assert (decision.approved, decision.rule_id) == (False, 2)


def test_a_disabled_rule_is_skipped() -> None:
    assert review(order(address="某大学学校 3 号楼"), RULES).rule_id is None
    enabled = [msgspec.structs.replace(rule, enabled=True) for rule in RULES]
    assert review(order(address="某大学学校 3 号楼"), enabled) == ReviewDecision(
        approved=False,
        rule_id=3,
        explanation="held by rule 3 '可疑地址': address contains 学校",
        explanation_zh="被规则 3「可疑地址」拦截：地址含「学校」",
    )


def test_equal_positions_fall_back_to_id() -> None:
    rules = [
        ReviewRule(id=9, position=1, name="hold all", action=Hold()),
        ReviewRule(id=4, position=1, name="approve all", action=Approve()),
    ]
    assert review(order(), rules) == ReviewDecision(
        approved=True,
        rule_id=4,
        explanation="approved by rule 4 'approve all': every order",
        explanation_zh="规则 4「approve all」命中，自动审核通过：所有订单",
    )

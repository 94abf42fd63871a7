"""审单: which paid orders go straight to routing and which wait for a person, and why.

Rules are tried in position order and the first whose conditions all match decides, like the
auto-review lists of 旺店通 and 聚水潭: a manager puts narrow "approve" exceptions above broad "hold"
rules. An order no rule matches is approved — holding is the exception a merchant opts into.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from server.orders.rules.common import Hold, applies, because, in_order, label, with_reason
from server.orders.rules.conditions import Condition
from server.orders.rules.facts import OrderFacts


class Approve(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="approve", tag_field="type"):
    pass


ReviewAction = Hold | Approve


class ReviewRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: int
    position: int
    name: str
    enabled: bool = True
    conditions: list[Condition] = msgspec.field(default_factory=list)
    """ANDed; none means every order."""
    action: ReviewAction


class ReviewDecision(msgspec.Struct, frozen=True, kw_only=True):
    approved: bool
    rule_id: int | None
    explanation: str
    explanation_zh: str
    reason_en: str = ""
    """The hold's own reason as the rule states it, for a short label in the review queue."""
    reason_zh: str = ""


def review(facts: OrderFacts, rules: Sequence[ReviewRule]) -> ReviewDecision:
    for rule in in_order(rules):
        if not applies(rule, facts):
            continue
        (name, name_zh), (why, why_zh) = label(rule), because(rule, facts)
        match rule.action:
            case Hold() as hold:
                en, zh = with_reason((f"held by {name}: {why}", f"被{name_zh}拦截：{why_zh}"), hold)
                return ReviewDecision(
                    approved=False,
                    rule_id=rule.id,
                    explanation=en,
                    explanation_zh=zh,
                    reason_en=hold.reason_en,
                    reason_zh=hold.reason_zh,
                )
            case Approve():
                return ReviewDecision(
                    approved=True,
                    rule_id=rule.id,
                    explanation=f"approved by {name}: {why}",
                    explanation_zh=f"{name_zh}命中，自动审核通过：{why_zh}",
                )
    return ReviewDecision(
        approved=True,
        rule_id=None,
        explanation="no review rule matched: approved automatically",
        explanation_zh="无审单规则命中，自动审核通过",
    )

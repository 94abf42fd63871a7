"""What review, routing and carrier rules share: the hold action, the order rules run in, how a rule is named.

Keeping these in one place means the three rule lists behave alike for the manager editing them —
same ordering, same JSON for "hold", same wording in explanations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

import msgspec

from server.orders.rules.conditions import Condition, describe_all, matches
from server.orders.rules.facts import OrderFacts


class Hold(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="hold", tag_field="type"):
    """Stop the order for a person; the reason is what the person sees in the review queue."""

    reason_en: str = ""
    reason_zh: str = ""


class Rule(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def position(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def conditions(self) -> Sequence[Condition]: ...


R = TypeVar("R", bound=Rule)


def in_order(rules: Iterable[R]) -> list[R]:
    """Enabled rules by position; equal positions (two rules dragged to the same slot) fall back to id,
    so the same list always decides the same way."""
    return sorted((rule for rule in rules if rule.enabled), key=lambda rule: (rule.position, rule.id))


def applies(rule: Rule, facts: OrderFacts) -> bool:
    return all(matches(condition, facts) for condition in rule.conditions)


def label(rule: Rule) -> tuple[str, str]:
    return f"rule {rule.id} '{rule.name}'", f"规则 {rule.id}「{rule.name}」"


def because(rule: Rule, facts: OrderFacts) -> tuple[str, str]:
    """The rule's conditions as they matched this order."""
    return describe_all(rule.conditions, facts)


def with_reason(text: tuple[str, str], hold: Hold) -> tuple[str, str]:
    en, zh = text
    return (f"{en} — {hold.reason_en}" if hold.reason_en else en, f"{zh}——{hold.reason_zh}" if hold.reason_zh else zh)

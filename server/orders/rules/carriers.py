"""快递: which carrier takes a parcel, from the merchant's own price list (首重 + 续重) and rules.

Chinese merchants negotiate per-warehouse, per-province prices with each 网点 (ZTO ¥3 江浙沪, ¥12
新疆), so a rate may be limited to warehouses and provinces; a carrier's province-specific rate wins
over its everywhere rate. Rules let the buyer's "请发顺丰" or a heavy parcel override the default,
which is the cheapest carrier that serves the address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import msgspec
from msgspec import Meta

from server.orders.rules.common import applies, because, in_order, label
from server.orders.rules.conditions import Condition, amount
from server.orders.rules.facts import OrderFacts, WarehouseFacts
from server.orders.rules.geography import province_key

NonNegative = Annotated[int, Meta(ge=0)]


class CarrierRate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    carrier_code: Annotated[str, Meta(min_length=1)]
    name: str = ""
    provinces: list[str] | None = None
    """Any spelling ("新疆", "新疆维吾尔自治区"); ``None``: everywhere this carrier has no specific rate for."""
    warehouse_ids: list[int] | None = None
    """The warehouses whose 网点 contract this is; ``None``: all."""
    first_weight_g: NonNegative
    first_fee_minor: NonNegative
    extra_per_kg_minor: NonNegative
    """Per started kilogram over the first weight (续重)."""
    max_weight_g: NonNegative | None = None


class UseCarrier(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="use_carrier", tag_field="type"
):
    carrier_code: Annotated[str, Meta(min_length=1)]


class Cheapest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="cheapest", tag_field="type"):
    carrier_codes: Annotated[list[str], Meta(min_length=1)] | None = None
    """``None``: all carriers with a rate."""


CarrierAction = UseCarrier | Cheapest


class CarrierRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: int
    position: int
    name: str
    enabled: bool = True
    conditions: list[Condition] = msgspec.field(default_factory=list)
    action: CarrierAction


class CarrierDecision(msgspec.Struct, frozen=True, kw_only=True):
    carrier_code: str | None
    """``None``: no carrier serves this parcel (address or weight); the order waits for a person."""
    cost_minor: int | None
    rule_id: int | None
    explanation: str
    explanation_zh: str


def rate_cost(rate: CarrierRate, weight_g: int) -> int:
    """First fee, plus the per-kg fee for every started kilogram above the first weight."""
    extra_g = max(0, weight_g - rate.first_weight_g)
    return rate.first_fee_minor + -(-extra_g // 1000) * rate.extra_per_kg_minor


@dataclass(frozen=True)
class _Options:
    costs: dict[str, int]
    """Carrier code → cost, for the carriers that can take the parcel, in the rates' order."""
    excluded: dict[str, tuple[str, str]]
    """Carrier code → why not (English, Chinese)."""


def choose_carrier(
    facts: OrderFacts, warehouse: WarehouseFacts, rates: Sequence[CarrierRate], rules: Sequence[CarrierRule]
) -> CarrierDecision:
    options = _options(facts, warehouse, rates)
    parcel_en, parcel_zh = _parcel(facts)
    passed: list[tuple[str, str]] = []
    for rule in in_order(rules):
        if not applies(rule, facts):
            continue
        (name, name_zh), (why, why_zh) = label(rule), because(rule, facts)
        how, how_zh = (f" ({why})", f"（{why_zh}）") if rule.conditions else ("", "")
        match rule.action:
            case UseCarrier(carrier_code=code):
                if code in options.costs:
                    cost = options.costs[code]
                    return _decision(
                        passed,
                        code,
                        cost,
                        rule.id,
                        f"{code} by {name}{how}: {amount(cost)} for {parcel_en}",
                        f"按{name_zh}{how_zh}选 {code}：{parcel_zh}运费 {amount(cost)}",
                    )
                no_en, no_zh = options.excluded.get(code, ("has no rate", "没有价格"))
                passed.append((f"{name} matched but {code} {no_en}", f"{name_zh}命中，但 {code} {no_zh}"))
            case Cheapest(carrier_codes=codes):
                allowed = [c for c in options.costs if codes is None or c in codes]
                if allowed:
                    code = min(allowed, key=lambda c: options.costs[c])
                    compared_en, compared_zh = _compared(options, allowed, codes)
                    return _decision(
                        passed,
                        code,
                        options.costs[code],
                        rule.id,
                        f"{code} by {name}{how}: cheapest for {parcel_en} of {compared_en}",
                        f"按{name_zh}{how_zh}选 {code}：{parcel_zh}最便宜（{compared_zh}）",
                    )
                wanted = codes if codes is not None else list(options.excluded)
                excluded_en, excluded_zh = _excluded(options, wanted)
                passed.append(
                    (
                        f"{name} matched but none can take it: {excluded_en}",
                        f"{name_zh}命中，但都不能承运：{excluded_zh}",
                    )
                )
    if options.costs:
        code = min(options.costs, key=lambda c: options.costs[c])
        compared_en, compared_zh = _compared(options, list(options.costs), None)
        return _decision(
            passed,
            code,
            options.costs[code],
            None,
            f"{code}: no carrier rule applied; cheapest for {parcel_en} of {compared_en}",
            f"{code}：无快递规则适用；{parcel_zh}最便宜（{compared_zh}）",
        )
    excluded_en, excluded_zh = _excluded(options, list(options.excluded))
    return _decision(
        passed,
        None,
        None,
        None,
        f"no carrier can take {parcel_en}: {excluded_en or 'no rates'}",
        f"没有快递能承运{parcel_zh}的包裹：{excluded_zh or '没有价格'}",
    )


def _options(facts: OrderFacts, warehouse: WarehouseFacts, rates: Sequence[CarrierRate]) -> _Options:
    weight = facts.weight_g
    province = province_key(facts.province)
    by_code: dict[str, list[CarrierRate]] = {}
    for rate in rates:
        by_code.setdefault(rate.carrier_code, []).append(rate)
    costs: dict[str, int] = {}
    excluded: dict[str, tuple[str, str]] = {}
    for code, own in by_code.items():
        here = [r for r in own if r.warehouse_ids is None or warehouse.warehouse_id in r.warehouse_ids]
        if not here:
            excluded[code] = (f"has no rate at {warehouse.code}", f"在 {warehouse.code} 没有价格")
            continue
        specific = [r for r in here if r.provinces is not None and province in {province_key(p) for p in r.provinces}]
        serving = specific or [r for r in here if r.provinces is None]
        if not serving:
            excluded[code] = (f"does not serve {province or 'an unknown province'}", f"不配送{province or '未知省份'}")
            continue
        light = [r for r in serving if r.max_weight_g is None or weight <= r.max_weight_g]
        if not light:
            limit = max(r.max_weight_g or 0 for r in serving)
            excluded[code] = (f"takes at most {limit:,} g", f"限重 {limit:,} 克")
            continue
        costs[code] = min(rate_cost(r, weight) for r in light)
    return _Options(costs=costs, excluded=excluded)


def _parcel(facts: OrderFacts) -> tuple[str, str]:
    province = province_key(facts.province)
    to_en, to_zh = (f" to {province}", f"到{province}") if province else ("", "")
    return f"{facts.weight_g:,} g{to_en}", f"{facts.weight_g:,} 克{to_zh}"


def _compared(options: _Options, allowed: list[str], wanted: list[str] | None) -> tuple[str, str]:
    """The prices compared, cheapest first, then the carriers that could not take part and why."""
    ranked = sorted(allowed, key=lambda c: options.costs[c])  # stable: a tie keeps the rates' order
    en = ", ".join(f"{c} {amount(options.costs[c])}" for c in ranked)
    zh = "，".join(f"{c} {amount(options.costs[c])}" for c in ranked)
    out = [c for c in (wanted if wanted is not None else options.excluded) if c not in options.costs]
    if out:
        out_en, out_zh = _excluded(options, out)
        en, zh = f"{en}; left out: {out_en}", f"{zh}；排除：{out_zh}"
    return en, zh


def _excluded(options: _Options, codes: list[str]) -> tuple[str, str]:
    reasons = [(c, options.excluded.get(c, ("has no rate", "没有价格"))) for c in codes]
    return "; ".join(f"{c} {en}" for c, (en, _) in reasons), "；".join(f"{c} {zh}" for c, (_, zh) in reasons)


def _decision(
    passed: list[tuple[str, str]], code: str | None, cost: int | None, rule_id: int | None, en: str, zh: str
) -> CarrierDecision:
    if passed:
        en = "; ".join(p[0] for p in passed) + f"; {en}"
        zh = "；".join(p[1] for p in passed) + f"；{zh}"
    return CarrierDecision(carrier_code=code, cost_minor=cost, rule_id=rule_id, explanation=en, explanation_zh=zh)

"""策略分仓: which warehouse ships an order (or which ship its parts), and a sentence saying why.

Rules run in position order. A rule whose conditions match but whose action cannot be carried out
(its warehouse lacks stock) does not stop the order: the next rule is tried and the explanation keeps
what was passed over, so "why not Shanghai?" has an answer. When nothing works the order is held with
the shortages named — a person decides, never a silent default warehouse.

Stock is counted as the engine assigns: within one ``route`` call and across a ``route_many`` batch,
so a what-if over tomorrow's orders shows which would go short once the earlier ones took the stock.
Nothing here writes anything; the caller reserves what the decision says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, assert_never

import msgspec
from msgspec import Meta

from server.orders.rules.common import Hold, applies, because, in_order, label, with_reason
from server.orders.rules.conditions import Condition
from server.orders.rules.facts import OrderFacts, WarehouseFacts
from server.orders.rules.geography import distance_km, province_key


class RouteTo(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="route_to", tag_field="type"):
    """These warehouses in preference order: the first with everything in stock ships it."""

    warehouse_ids: Annotated[list[int], Meta(min_length=1)]
    require_full_stock: bool = True
    """``False``: if none has everything, the first listed still gets the order and ships when stock
    arrives (a warehouse about to be replenished, a supplier that always delivers)."""


class NearestWithStock(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="nearest_with_stock", tag_field="type"
):
    """The nearest active warehouse that can ship every line in full, by distance between provincial capitals."""

    candidate_ids: list[int] | None = None
    """``None``: every active warehouse."""


class SplitAllowed(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    tag="split_allowed",
    tag_field="type",
    omit_defaults=True,
):
    """拆单: one warehouse if one has everything (the nearest such), else parts from several, greedily —
    the warehouse covering the most units first, the nearer on a tie — so the parcels are few.
    (Options left at their defaults stay out of its JSON, so rule sets saved before ``backorder``
    existed read back exactly as saved.)"""

    candidate_ids: list[int] | None = None
    split_lines: bool = False
    """``True``: one line's units may come from two warehouses (two parcels for "3 × the same mug")."""
    backorder: bool = False
    """缺货拆单: when the candidates together lack units, ship what they have now and let the rest wait
    for stock as an order of its own (the decision's ``shortages`` name what waits)."""


RoutingAction = RouteTo | NearestWithStock | SplitAllowed | Hold


class RoutingRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: int
    position: int
    name: str
    enabled: bool = True
    conditions: list[Condition] = msgspec.field(default_factory=list)
    action: RoutingAction


class Assignment(msgspec.Struct, frozen=True, kw_only=True):
    warehouse_id: int
    lines: list[tuple[int, int]]
    """(index into ``OrderFacts.lines``, units) this warehouse ships, by index."""


class Shortage(msgspec.Struct, frozen=True, kw_only=True):
    sku_id: int
    sku_code: str
    needed: int
    available: int


class RoutingDecision(msgspec.Struct, frozen=True, kw_only=True):
    order_id: int
    held: bool
    assignments: list[Assignment]
    rule_id: int | None
    explanation: str
    explanation_zh: str
    shortages: list[Shortage] = msgspec.field(default_factory=list)
    """Held for stock: what all active warehouses together lack. Routed with ``require_full_stock=False``:
    what the chosen warehouse lacks. Routed by a ``backorder`` split: what waits for stock (``needed``)
    beside what ships now (``available``)."""


def route(facts: OrderFacts, warehouses: Sequence[WarehouseFacts], rules: Sequence[RoutingRule]) -> RoutingDecision:
    return _Router(warehouses, rules).route(facts)


def route_many(
    facts_list: Sequence[OrderFacts], warehouses: Sequence[WarehouseFacts], rules: Sequence[RoutingRule]
) -> list[RoutingDecision]:
    """Route a batch in the order given (sort it with ``priority_key``), each order consuming the stock
    it was given before the next is routed."""
    router = _Router(warehouses, rules)
    return [router.route(facts) for facts in facts_list]


@dataclass(frozen=True)
class _Order:
    facts: OrderFacts
    lines: list[tuple[int, int, int]]
    """(line index, sku id, units) for every line with units to ship."""
    need: dict[int, int]
    """SKU id → units over all lines: two lines of the same SKU draw on the same stock."""
    codes: dict[int, str]


@dataclass(frozen=True)
class _Tried:
    assignments: list[Assignment] | None
    """``None``: the action could not be carried out; the texts say why."""
    en: str
    zh: str
    shortages: list[Shortage] = field(default_factory=list)


class _Router:
    def __init__(self, warehouses: Sequence[WarehouseFacts], rules: Sequence[RoutingRule]) -> None:
        self.warehouses = list(warehouses)
        self.by_id = {w.warehouse_id: w for w in self.warehouses}
        self.rules = in_order(rules)
        self.stock: dict[int, dict[int, int]] = {w.warehouse_id: dict(w.available) for w in self.warehouses}

    def route(self, facts: OrderFacts) -> RoutingDecision:
        unknown = [
            line.sku_code or f"line {index + 1}" for index, line in enumerate(facts.lines) if line.sku_id is None
        ]
        if unknown:
            return _held(
                facts, None, f"held: unknown SKU {', '.join(unknown)}", f"拦截：未知商品编码 {'、'.join(unknown)}"
            )
        order = _order(facts)
        if not order.lines:
            return _held(facts, None, "held: nothing to ship", "拦截：没有需要发货的商品")
        passed: list[tuple[str, str]] = []
        for rule in self.rules:
            if not applies(rule, facts):
                continue
            (name, name_zh), (why, why_zh) = label(rule), because(rule, facts)
            if isinstance(rule.action, Hold):
                en, zh = with_reason((f"held by {name}: {why}", f"被{name_zh}拦截：{why_zh}"), rule.action)
                return _held(facts, rule.id, *_after(passed, en, zh))
            tried = self._try(order, rule.action)
            if tried.assignments is None:
                passed.append((f"{name} matched but {tried.en}", f"{name_zh}命中，但{_spaced(tried.zh)}"))
                continue
            self._take(order, tried.assignments)
            where = [self._code(a.warehouse_id) for a in tried.assignments]
            how, how_zh = (f" ({why})", f"（{why_zh}）") if rule.conditions else ("", "")
            en, zh = _after(
                passed,
                f"routed to {', '.join(where)} by {name}{how}: {tried.en}",
                f"按{name_zh}{how_zh}分到 {'、'.join(where)}：{tried.zh}",
            )
            return RoutingDecision(
                order_id=facts.order_id,
                held=False,
                assignments=tried.assignments,
                rule_id=rule.id,
                explanation=en,
                explanation_zh=zh,
                shortages=tried.shortages,
            )
        if not passed:
            return _held(facts, None, "held: no routing rule matched this order", "拦截：没有分仓规则命中此订单")
        short_en, short_zh, shortages = self._shortfall(order)
        en, zh = _after(
            passed, f"held: no warehouse can ship this order: {short_en}", f"拦截：没有仓库能发这个订单：{short_zh}"
        )
        return _held(facts, None, en, zh, shortages)

    def _try(self, order: _Order, action: RouteTo | NearestWithStock | SplitAllowed) -> _Tried:
        match action:
            case RouteTo():
                return self._route_to(order, action)
            case NearestWithStock():
                return self._nearest(order, action)
            case SplitAllowed():
                return self._split(order, action)
            case _:
                assert_never(action)

    def _route_to(self, order: _Order, action: RouteTo) -> _Tried:
        notes: list[tuple[str, str]] = []
        short: list[WarehouseFacts] = []
        for warehouse_id in dict.fromkeys(action.warehouse_ids):
            warehouse = self.by_id.get(warehouse_id)
            if warehouse is None:
                notes.append((f"warehouse {warehouse_id} is unknown", f"仓库 {warehouse_id} 不存在"))
                continue
            code = self._code(warehouse_id)
            if not warehouse.active:
                notes.append((f"{code} is inactive", f"{code} 已停用"))
                continue
            lacks = self._lacks(order, warehouse_id)
            if not lacks:
                if not notes:
                    return _Tried([_whole(order, warehouse_id)], "first choice, with full stock", "首选仓库存充足")
                en, zh = _join(notes)
                return _Tried([_whole(order, warehouse_id)], f"{en}; {code} has full stock", f"{zh}；{code} 库存充足")
            short.append(warehouse)
            notes.append(self._lacks_text(order, warehouse_id, lacks))
        en, zh = _join(notes) if notes else ("no warehouse listed", "未指定仓库")
        if action.require_full_stock or not short:
            return _Tried(None, en, zh)
        first = short[0]
        code = self._code(first.warehouse_id)
        have = self.stock[first.warehouse_id]
        shortages = [
            Shortage(sku_id=sku, sku_code=order.codes[sku], needed=need, available=have.get(sku, 0))
            for sku, need in order.need.items()
            if have.get(sku, 0) < need
        ]
        return _Tried(
            [_whole(order, first.warehouse_id)],
            f"{en}; sent to {code} anyway, to ship when stock arrives",
            f"{zh}；仍分到 {code}，到货后发出",
            shortages,
        )

    def _nearest(self, order: _Order, action: NearestWithStock) -> _Tried:
        candidates = self._candidates(action.candidate_ids)
        if not candidates:
            return _Tried(None, "no active candidate warehouse", "没有可用的候选仓库")
        skipped: list[tuple[str, str]] = []
        for warehouse in self._nearest_first(order, candidates):
            lacks = self._lacks(order, warehouse.warehouse_id)
            if lacks:
                skipped.append(self._lacks_text(order, warehouse.warehouse_id, lacks))
                continue
            en, zh = self._nearness(order, warehouse)
            if skipped:
                skipped_en, skipped_zh = _join(skipped)
                en, zh = f"{en}; skipped: {skipped_en}", f"{zh}；跳过：{skipped_zh}"
            return _Tried([_whole(order, warehouse.warehouse_id)], en, zh)
        en, zh = _join(skipped)
        return _Tried(None, f"no candidate has full stock: {en}", f"没有候选仓库存充足：{zh}")

    def _split(self, order: _Order, action: SplitAllowed) -> _Tried:
        candidates = self._nearest_first(order, self._candidates(action.candidate_ids))
        if not candidates:
            return _Tried(None, "no active candidate warehouse", "没有可用的候选仓库")
        for warehouse in candidates:
            if not self._lacks(order, warehouse.warehouse_id):
                en, zh = self._nearness(order, warehouse)
                return _Tried([_whole(order, warehouse.warehouse_id)], f"no split needed, {en}", f"无需拆单，{zh}")
        sku_of = {index: sku for index, sku, _ in order.lines}
        left = {index: units for index, _, units in order.lines}
        stock = {w.warehouse_id: dict(self.stock[w.warehouse_id]) for w in candidates}
        unused = list(candidates)
        plan: list[Assignment] = []
        while left and unused:
            best: WarehouseFacts | None = None
            best_take: list[tuple[int, int]] = []
            for warehouse in unused:  # nearest first, so a tie keeps the nearer
                take = _coverage(left, sku_of, stock[warehouse.warehouse_id], action.split_lines)
                if sum(units for _, units in take) > sum(units for _, units in best_take):
                    best, best_take = warehouse, take
            if best is None:
                break
            unused.remove(best)
            for index, units in best_take:
                stock[best.warehouse_id][sku_of[index]] -= units
                left[index] -= units
                if not left[index]:
                    del left[index]
            plan.append(Assignment(warehouse_id=best.warehouse_id, lines=sorted(best_take)))
        if not left:
            parts = [(self._code(a.warehouse_id), sum(units for _, units in a.lines)) for a in plan]
            return _Tried(
                plan,
                f"split over {len(plan)} warehouses, none has everything: "
                + ", ".join(f"{code} {units} units" for code, units in parts),
                f"拆到 {len(plan)} 个仓库（没有一个仓库有全部库存）："
                + "，".join(f"{code} {units} 件" for code, units in parts),
            )
        totals = {sku: sum(self.stock[w.warehouse_id].get(sku, 0) for w in candidates) for sku in order.need}
        short = [(sku, order.need[sku] - totals[sku]) for sku in order.need if totals[sku] < order.need[sku]]
        if short and action.backorder and plan:
            return self._backorder(order, plan, left, sku_of)
        if short:
            return _Tried(
                None,
                "all candidates together lack " + ", ".join(f"SKU {order.codes[sku]} ×{n}" for sku, n in short),
                "所有候选仓合计仍缺 " + "、".join(f"{order.codes[sku]} ×{n}" for sku, n in short),
            )
        rest = sorted(left.items())
        return _Tried(
            None,
            "no split ships every line whole: "
            + ", ".join(f"line {i + 1} (SKU {order.codes[sku_of[i]]} ×{n})" for i, n in rest),
            "无法整行拆分：" + "、".join(f"第 {i + 1} 行（{order.codes[sku_of[i]]} ×{n}）" for i, n in rest),
        )

    def _backorder(self, order: _Order, plan: list[Assignment], left: dict[int, int], sku_of: dict[int, int]) -> _Tried:
        """What the candidates have ships now; ``left`` (line index → units) waits for stock."""
        waiting: dict[int, int] = {}
        for index, units in left.items():
            waiting[sku_of[index]] = waiting.get(sku_of[index], 0) + units
        shortages = [
            Shortage(sku_id=sku, sku_code=order.codes[sku], needed=units, available=order.need[sku] - units)
            for sku, units in sorted(waiting.items())
        ]
        parts = [(self._code(a.warehouse_id), sum(units for _, units in a.lines)) for a in plan]
        wait_en = ", ".join(f"SKU {order.codes[s.sku_id]} ×{s.needed}" for s in shortages)
        wait_zh = "、".join(f"{order.codes[s.sku_id]} ×{s.needed}" for s in shortages)
        return _Tried(
            plan,
            "in stock now: "
            + ", ".join(f"{code} {units} units" for code, units in parts)
            + f"; waits for stock: {wait_en}",
            "现有库存先发：" + "，".join(f"{code} {units} 件" for code, units in parts) + f"；缺货待发：{wait_zh}",
            shortages,
        )

    def _shortfall(self, order: _Order) -> tuple[str, str, list[Shortage]]:
        """Why nothing could ship, in terms of stock: short overall, or present but out of the rules' reach."""
        active = [w for w in self.warehouses if w.active]
        totals = {sku: sum(self.stock[w.warehouse_id].get(sku, 0) for w in active) for sku in order.need}
        shortages = [
            Shortage(sku_id=sku, sku_code=order.codes[sku], needed=need, available=totals[sku])
            for sku, need in order.need.items()
            if totals[sku] < need
        ]
        if shortages:
            return (
                ", ".join(f"SKU {s.sku_code} {s.needed} needed, {s.available} available" for s in shortages),
                "、".join(f"{s.sku_code} 需 {s.needed} 件，可用 {s.available} 件" for s in shortages),
                shortages,
            )
        full = [self._code(w.warehouse_id) for w in active if not self._lacks(order, w.warehouse_id)]
        if full:
            return (
                f"{', '.join(full)} {'has' if len(full) == 1 else 'have'} full stock but no matching rule may use it",
                f"{'、'.join(full)} 库存充足，但命中的规则都不能用它",
                [],
            )
        return (
            "stock is spread over several warehouses and no matching rule could split it",
            "库存分散在多个仓库，命中的规则无法拆单",
            [],
        )

    def _take(self, order: _Order, assignments: list[Assignment]) -> None:
        sku_of = {index: sku for index, sku, _ in order.lines}
        for assignment in assignments:
            have = self.stock[assignment.warehouse_id]
            for index, units in assignment.lines:
                sku = sku_of[index]
                have[sku] = max(0, have.get(sku, 0) - units)

    def _lacks(self, order: _Order, warehouse_id: int) -> list[tuple[int, int]]:
        have = self.stock[warehouse_id]
        return [(sku, need - have.get(sku, 0)) for sku, need in order.need.items() if have.get(sku, 0) < need]

    def _lacks_text(self, order: _Order, warehouse_id: int, lacks: list[tuple[int, int]]) -> tuple[str, str]:
        code = self._code(warehouse_id)
        return (
            f"{code} lacks " + ", ".join(f"SKU {order.codes[sku]} ×{n}" for sku, n in lacks),
            f"{code} 缺 " + "、".join(f"{order.codes[sku]} ×{n}" for sku, n in lacks),
        )

    def _candidates(self, ids: list[int] | None) -> list[WarehouseFacts]:
        if ids is None:
            return [w for w in self.warehouses if w.active]
        chosen = (self.by_id.get(i) for i in dict.fromkeys(ids))
        return [w for w in chosen if w is not None and w.active]

    def _nearest_first(self, order: _Order, warehouses: list[WarehouseFacts]) -> list[WarehouseFacts]:
        """By distance to the receiver; unknown distances last, and equal ones keep the candidates' order."""

        def key(warehouse: WarehouseFacts) -> tuple[bool, float]:
            km = distance_km(warehouse.province, order.facts.province)
            return (km is None, km or 0.0)

        return sorted(warehouses, key=key)

    def _nearness(self, order: _Order, warehouse: WarehouseFacts) -> tuple[str, str]:
        km = distance_km(warehouse.province, order.facts.province)
        if km is None:
            return "first candidate with full stock (distance unknown)", "第一个库存充足的候选仓（距离未知）"
        to = province_key(order.facts.province)
        return (
            f"nearest with full stock ({round(km):,} km to {to})",
            f"最近且库存充足（距{to} {round(km):,} 公里）",
        )

    def _code(self, warehouse_id: int) -> str:
        warehouse = self.by_id.get(warehouse_id)
        return warehouse.code if warehouse is not None and warehouse.code else f"#{warehouse_id}"


def _order(facts: OrderFacts) -> _Order:
    lines: list[tuple[int, int, int]] = []
    need: dict[int, int] = {}
    codes: dict[int, str] = {}
    for index, line in enumerate(facts.lines):
        if line.sku_id is None or line.qty <= 0:
            continue
        lines.append((index, line.sku_id, line.qty))
        need[line.sku_id] = need.get(line.sku_id, 0) + line.qty
        codes.setdefault(line.sku_id, line.sku_code or str(line.sku_id))
    return _Order(facts=facts, lines=lines, need=need, codes=codes)


def _whole(order: _Order, warehouse_id: int) -> Assignment:
    return Assignment(warehouse_id=warehouse_id, lines=[(index, units) for index, _, units in order.lines])


def _coverage(
    left: dict[int, int], sku_of: dict[int, int], stock: dict[int, int], split_lines: bool
) -> list[tuple[int, int]]:
    """What one warehouse could ship of the lines still open: biggest lines first, as whole lines
    unless lines may be split."""
    pool = dict(stock)
    take: list[tuple[int, int]] = []
    for index in sorted(left, key=lambda i: (-left[i], i)):
        sku = sku_of[index]
        have = pool.get(sku, 0)
        units = min(left[index], have) if split_lines else (left[index] if have >= left[index] else 0)
        if units > 0:
            take.append((index, units))
            pool[sku] = have - units
    return take


def _join(notes: list[tuple[str, str]]) -> tuple[str, str]:
    return "; ".join(en for en, _ in notes), "；".join(zh for _, zh in notes)


def _spaced(zh: str) -> str:
    """Chinese text sets Latin words (a warehouse code) off with a space; Chinese words run on."""
    return f" {zh}" if zh[:1].isascii() else zh


def _after(passed: list[tuple[str, str]], en: str, zh: str) -> tuple[str, str]:
    """The final word, preceded by the rules that matched but could not act."""
    if not passed:
        return en, zh
    before_en, before_zh = _join(passed)
    return f"{before_en}; {en}", f"{before_zh}；{zh}"


def _held(
    facts: OrderFacts, rule_id: int | None, en: str, zh: str, shortages: list[Shortage] | None = None
) -> RoutingDecision:
    return RoutingDecision(
        order_id=facts.order_id,
        held=True,
        assignments=[],
        rule_id=rule_id,
        explanation=en,
        explanation_zh=zh,
        shortages=shortages or [],
    )

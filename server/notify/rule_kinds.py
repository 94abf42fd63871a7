"""The push rules a manager can edit: each kind's meaning, parameters and built-in defaults.

A fresh installation has no ``push_rules`` rows and must still notify sensibly, so every kind
carries its defaults here; a row (the installation's default, or one warehouse's override) only
ever replaces them. Parameters are msgspec Structs: what a manager saves is checked against the
same type the rules worker reads, and the API shows the JSON schema made from it (ADR-0020).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

from server.lib.schema import Input
from server.notify.models import Urgency

HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, local time")]


class RuleKind(StrEnum):
    urgent_vip = "urgent_vip"
    urgent_ship_by_today = "urgent_ship_by_today"
    urgent_cut_off = "urgent_cut_off"
    urgent_late_risk = "urgent_late_risk"
    urgent_stock_out = "urgent_stock_out"
    sync_exception = "sync_exception"
    count_variance = "count_variance"
    low_stock = "low_stock"
    expiring_lot = "expiring_lot"


class NoParams(Input):
    """This rule has nothing to tune."""


class CutOffParams(Input):
    cut_off_minutes: Annotated[int, msgspec.Meta(ge=1, le=720)] = 60
    cut_offs: Annotated[list[HHMM], msgspec.Meta(min_length=1, max_length=12)] = msgspec.field(
        default_factory=lambda: ["17:00"]
    )


class LateRiskParams(Input):
    late_margin_minutes: Annotated[int, msgspec.Meta(ge=0, le=2880)] = 240
    promotion: bool = False


OpOutcome = Literal["rejected", "applied_with_exception", "held"]


class SyncExceptionParams(Input):
    statuses: Annotated[list[OpOutcome], msgspec.Meta(min_length=1, max_length=3)] = msgspec.field(
        default_factory=lambda: ["rejected", "applied_with_exception", "held"]
    )


class LowStockParams(Input):
    min_units: Annotated[int, msgspec.Meta(ge=0, le=10**9)] = 5
    days_of_cover: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    lookback_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 14


class ExpiringLotParams(Input):
    within_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30


@dataclass(frozen=True, slots=True)
class ParamHelp:
    name: str
    label_en: str
    label_zh: str
    help_en: str
    help_zh: str


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One rule kind: what it watches, who hears by default, and its parameters."""

    kind: RuleKind
    group: Literal["urgent_orders", "supervisor", "stock"]
    label_en: str
    label_zh: str
    description_en: str
    description_zh: str
    roles: tuple[str, ...]
    urgency: Urgency = Urgency.normal
    critical: bool = False
    enabled: bool = True
    params: type[Input] = NoParams
    params_help: tuple[ParamHelp, ...] = field(default_factory=tuple)

    def default_params(self) -> Input:
        return self.params()

    def parse_params(self, raw: dict[str, Any]) -> Input:
        """Raises ``msgspec.ValidationError`` naming the bad field (``$.within_days``)."""
        return msgspec.convert(raw, self.params)

    def params_schema(self) -> dict[str, Any]:
        return msgspec.json.schema(self.params)


URGENT_ROLES = ("supervisor", "manager")
SPECS: dict[RuleKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            RuleKind.urgent_vip,
            "urgent_orders",
            "Urgent order: VIP buyer",
            "加急订单：VIP 买家",
            "An unshipped order of a buyer tagged VIP.",
            "VIP 买家的订单尚未发货。",
            URGENT_ROLES,
            urgency=Urgency.high,
        ),
        KindSpec(
            RuleKind.urgent_ship_by_today,
            "urgent_orders",
            "Urgent order: must ship today",
            "加急订单：今日须发货",
            "A presale or promised ship-by date that falls today (or has passed) in the warehouse's time zone.",
            "预售或承诺的发货日期为今天（或已过），按仓库时区计算。",
            URGENT_ROLES,
            urgency=Urgency.high,
        ),
        KindSpec(
            RuleKind.urgent_cut_off,
            "urgent_orders",
            "Carrier pickup soon",
            "快递即将揽收",
            "Once per pickup: the carrier's next pickup is near and orders of the warehouse are still unshipped.",
            "每次揽收提醒一次：快递即将揽收，仓库仍有未发货订单。",
            URGENT_ROLES,
            urgency=Urgency.high,
            params=CutOffParams,
            params_help=(
                ParamHelp(
                    "cut_off_minutes",
                    "Minutes before pickup",
                    "揽收前分钟数",
                    "Notify this many minutes before a pickup.",
                    "在揽收前多少分钟提醒。",
                ),
                ParamHelp(
                    "cut_offs",
                    "Pickup times",
                    "揽收时间",
                    "The carriers' daily pickup times, HH:MM local time.",
                    "快递每日揽收时间（HH:MM，当地时间）。",
                ),
            ),
        ),
        KindSpec(
            RuleKind.urgent_late_risk,
            "urgent_orders",
            "Urgent order: late-shipment risk",
            "加急订单：即将超时发货",
            "The platform's late-shipment deadline (paid + 48 h, 24 h in a promotion) is near or has passed.",
            "平台发货时限（付款后 48 小时，大促 24 小时）将到或已过。",
            URGENT_ROLES,
            urgency=Urgency.high,
            params=LateRiskParams,
            params_help=(
                ParamHelp(
                    "late_margin_minutes",
                    "Warning margin (minutes)",
                    "提前提醒（分钟）",
                    "Notify when the deadline is less than this far away.",
                    "距发货时限少于此分钟数时提醒。",
                ),
                ParamHelp(
                    "promotion",
                    "Promotion (24 h rule)",
                    "大促（24 小时规则）",
                    "618, Double 11: platforms shorten the shipping promise to 24 h.",
                    "618、双十一等大促期间平台发货时限缩短为 24 小时。",
                ),
            ),
        ),
        KindSpec(
            RuleKind.urgent_stock_out,
            "urgent_orders",
            "Urgent order: paid but out of stock",
            "加急订单：已付款但缺货",
            "A paid order held because no warehouse can ship it.",
            "已付款订单因没有仓库能发货而被拦截。",
            URGENT_ROLES,
            urgency=Urgency.high,
        ),
        KindSpec(
            RuleKind.sync_exception,
            "supervisor",
            "Sync exception",
            "同步异常",
            "A phone's operation the server rejected, applied with an exception, or held for review.",
            "手机上传的操作被服务器拒绝、带异常执行或暂挂待审。",
            ("supervisor",),
            params=SyncExceptionParams,
            params_help=(
                ParamHelp(
                    "statuses",
                    "Outcomes",
                    "结果",
                    "Which outcomes notify: rejected, applied_with_exception, held.",
                    "哪些结果需要提醒：rejected（拒绝）、applied_with_exception（带异常执行）、held（暂挂）。",
                ),
            ),
        ),
        KindSpec(
            RuleKind.count_variance,
            "supervisor",
            "Count awaiting approval",
            "盘点差异待审批",
            "A count whose variance is above the warehouse's threshold waits for a supervisor.",
            "盘点差异超过仓库阈值，等待主管审批。",
            ("supervisor",),
        ),
        KindSpec(
            RuleKind.low_stock,
            "stock",
            "Low stock",
            "库存不足",
            "A SKU's available stock in a warehouse is below the minimum, or covers fewer days of sales than set.",
            "某仓库 SKU 可用库存低于下限，或可售天数少于设定值。",
            ("manager",),
            params=LowStockParams,
            params_help=(
                ParamHelp(
                    "min_units",
                    "Minimum available",
                    "最低可用量",
                    "Notify when available stock is below this many base units (0: off).",
                    "可用库存低于此数量（基本单位）时提醒（0 为关闭）。",
                ),
                ParamHelp(
                    "days_of_cover",
                    "Days of cover",
                    "可售天数",
                    "Also notify when available stock lasts fewer days than this at the recent shipping rate "
                    "(empty: off).",
                    "按近期发货速度，可用库存可售天数少于此值时也提醒（留空为关闭）。",
                ),
                ParamHelp(
                    "lookback_days",
                    "Sales window (days)",
                    "统计天数",
                    "How many past days of shipments give the shipping rate.",
                    "按过去多少天的发货量计算发货速度。",
                ),
            ),
        ),
        KindSpec(
            RuleKind.expiring_lot,
            "stock",
            "Lot expiring soon",
            "批次即将过期",
            "A lot still in stock expires within the set number of days (or has expired).",
            "仍有库存的批次将在设定天数内过期（或已过期）。",
            ("manager",),
            urgency=Urgency.low,
            params=ExpiringLotParams,
            params_help=(
                ParamHelp(
                    "within_days",
                    "Days before expiry",
                    "过期前天数",
                    "Notify when a lot expires within this many days.",
                    "批次在此天数内过期时提醒。",
                ),
            ),
        ),
    )
}

FLAG_KINDS: dict[str, RuleKind] = {
    "vip": RuleKind.urgent_vip,
    "ship_by_today": RuleKind.urgent_ship_by_today,
    "cut_off": RuleKind.urgent_cut_off,
    "late_risk": RuleKind.urgent_late_risk,
    "stock_out": RuleKind.urgent_stock_out,
}
"""``server.orders.urgency`` flag kind → the rule that governs it."""

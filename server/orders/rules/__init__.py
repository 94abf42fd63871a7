"""The pure rule engine behind 审单 (review), 策略分仓 (routing) and 快递 (carrier choice).

The caller reads facts from the database and rules from their JSON documents, calls ``review``,
``route`` / ``route_many`` and ``choose_carrier``, and stores what they decide; every decision carries
an English and a Chinese sentence saying which rule decided and why.
"""

from server.orders.rules.carriers import (
    CarrierAction,
    CarrierDecision,
    CarrierRate,
    CarrierRule,
    Cheapest,
    UseCarrier,
    choose_carrier,
    rate_cost,
)
from server.orders.rules.common import Hold
from server.orders.rules.conditions import Condition, describe, describe_all, matches
from server.orders.rules.facts import LineFacts, OrderFacts, WarehouseFacts, priority_key
from server.orders.rules.geography import REGIONS, distance_km, province_key, region_of
from server.orders.rules.review import Approve, ReviewAction, ReviewDecision, ReviewRule, review
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

__all__ = [
    "REGIONS",
    "Approve",
    "Assignment",
    "CarrierAction",
    "CarrierDecision",
    "CarrierRate",
    "CarrierRule",
    "Cheapest",
    "Condition",
    "Hold",
    "LineFacts",
    "NearestWithStock",
    "OrderFacts",
    "ReviewAction",
    "ReviewDecision",
    "ReviewRule",
    "RouteTo",
    "RoutingAction",
    "RoutingDecision",
    "RoutingRule",
    "Shortage",
    "SplitAllowed",
    "UseCarrier",
    "WarehouseFacts",
    "choose_carrier",
    "describe",
    "describe_all",
    "distance_km",
    "matches",
    "priority_key",
    "province_key",
    "rate_cost",
    "region_of",
    "review",
    "route",
    "route_many",
]

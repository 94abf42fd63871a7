"""Shopify orders: the ``orders/create`` / ``orders/updated`` webhook body and REST list pages.

Webhook bodies keep the REST snake_case Order shape whatever the app's Admin API flavour (FORMATS.md
§1), so one reader serves both. Money is read in the shop currency (``currency``, the plain string
fields), never the presentment currency the buyer saw: stock and accounts are kept in the shop's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from server.orders.adapters.base import OutboundCall
from server.orders.adapters.payload import (
    AmountReader,
    header_value,
    hmac_sha256_base64_matches,
    json_id,
    json_int,
    json_list,
    json_object,
    json_text,
    read_payload,
)
from server.orders.normalized import (
    NormalizedLine,
    NormalizedOrder,
    ParseResult,
    PlatformStatus,
    Receiver,
    RefundState,
)
from server.orders.values import BadValue, iso_time, quantity

API_VERSION = "2025-01"
"""The Admin REST version outbound calls name; Shopify supports each for a year, so it moves with releases."""

_UNPAID = frozenset({"pending", "authorized", "partially_paid"})
_PAID = frozenset({"paid", "partially_refunded"})
_CLOSED = frozenset({"refunded", "voided", "expired"})
_CAPTURED = frozenset({"paid", "partially_paid", "partially_refunded", "refunded"})
"""Financial states in which money was taken, so ``processed_at`` is when the buyer paid."""


class ShopifyAdapter:
    platform: ClassVar[str] = "shopify"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        return hmac_sha256_base64_matches(body, secret, header_value(headers, "X-Shopify-Hmac-Sha256"))

    def parse(self, body: bytes) -> ParseResult:
        return read_payload(body, _orders_in, _order, order_no=lambda raw: json_text(raw.get("id")))

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """A fulfillment with tracking. Shopify fulfils fulfillment-order lines, not order lines, so the
        delivering worker first reads ``orders/{id}/fulfillment_orders.json`` and maps ``line_item_ids``
        (all open lines when empty) onto them; the order and line ids are all this pure adapter knows."""
        return OutboundCall(
            platform=self.platform,
            method=f"POST /admin/api/{API_VERSION}/fulfillments.json",
            params={
                "order_id": platform_order_no,
                "line_item_ids": list(platform_line_ids),
                "fulfillment": {
                    "tracking_info": {"company": carrier_code, "number": waybill_no},
                    "notify_customer": True,
                },
            },
        )

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """Set the variant's available quantity. Shopify keys stock by inventory item and location,
        which the worker resolves from the variant id (``platform_sku_id``) and the channel's location."""
        return OutboundCall(
            platform=self.platform,
            method=f"POST /admin/api/{API_VERSION}/inventory_levels/set.json",
            params={"variant_id": platform_sku_id, "sku": sku_code, "available": available},
        )


def _orders_in(payload: Any) -> list[Any]:
    """A webhook body is one order; ``GET orders.json`` wraps a page in ``orders``, ``GET orders/{id}.json``
    one in ``order``."""
    if isinstance(payload, list):
        return payload
    page = json_object(payload, field="body")
    if "orders" in page:
        return json_list(page["orders"], field="orders")
    if "order" in page:
        return [page["order"]]
    if "id" in page:
        return [page]
    raise BadValue("body: no order in the payload", "body：数据中没有订单")


def _status(raw: dict[str, Any]) -> PlatformStatus:
    financial = json_text(raw.get("financial_status"), field="financial_status").lower()
    if raw.get("cancelled_at") or financial in _CLOSED:
        return PlatformStatus.cancelled
    if financial in _UNPAID:
        return PlatformStatus.pending_payment
    if financial in _PAID:
        fulfilled = json_text(raw.get("fulfillment_status"), field="fulfillment_status").lower() == "fulfilled"
        return PlatformStatus.shipped if fulfilled else PlatformStatus.paid
    raise BadValue(f"financial_status: unknown status {financial!r}", f"financial_status：未知的付款状态 {financial!r}")


def _order(value: Any) -> NormalizedOrder:
    raw = json_object(value, field="order")
    money = AmountReader()
    order_no = json_id(raw.get("id"), field="id")
    status = _status(raw)
    created_at = iso_time(json_text(raw.get("created_at"), field="created_at"), field="created_at")
    if created_at is None:
        raise BadValue("created_at: missing", "created_at：缺失")
    refunded = _refunded_quantities(raw)
    lines = [
        _line(json_object(item, field=f"line_items[{i}]"), f"line_items[{i}]", refunded, money)
        for i, item in enumerate(json_list(raw.get("line_items"), field="line_items"))
    ]
    if not lines:
        raise BadValue("line_items: the order has no lines", "line_items：订单没有商品行")
    shipping = sum(
        money(json_object(ship, field=f"shipping_lines[{i}]").get("price"), f"shipping_lines[{i}].price")
        for i, ship in enumerate(json_list(raw.get("shipping_lines"), field="shipping_lines"))
    )
    discount = money(raw.get("total_discounts"), "total_discounts")
    paid = money(raw.get("total_price"), "total_price")
    for key in ("subtotal_price", "total_line_items_price", "total_tax"):
        money.keep(raw.get(key), key)
    financial = json_text(raw.get("financial_status")).lower()
    processed_at = iso_time(json_text(raw.get("processed_at"), field="processed_at"), field="processed_at")
    customer = json_object(raw.get("customer"), field="customer")
    return NormalizedOrder(
        platform="shopify",
        platform_order_no=order_no,
        status=status,
        created_at=created_at,
        paid_at=processed_at if financial in _CAPTURED else None,
        updated_at=iso_time(json_text(raw.get("updated_at"), field="updated_at"), field="updated_at"),
        currency=json_text(raw.get("currency"), field="currency").upper() or "USD",
        goods_minor=sum(line.unit_price_minor * line.qty for line in lines),
        shipping_minor=shipping,
        discount_minor=discount,
        paid_minor=paid,
        buyer_id=json_text(customer.get("id"), field="customer.id") or json_text(raw.get("email"), field="email"),
        buyer_message=json_text(raw.get("note"), field="note"),
        tags=[tag.strip() for tag in json_text(raw.get("tags"), field="tags").split(",") if tag.strip()],
        receiver=_receiver(json_object(raw.get("shipping_address"), field="shipping_address")),
        lines=lines,
        raw_amounts=money.raw,
    )


def _line(item: dict[str, Any], path: str, refunded: dict[str, int], money: AmountReader) -> NormalizedLine:
    """Line discounts come from ``discount_allocations`` (one per discount applied to the line); the
    older ``total_discount`` carries the same total when present, so it counts only when there are no
    allocations — adding both would take the discount twice."""
    line_id = json_id(item.get("id"), field=f"{path}.id")
    qty = quantity(json_text(item.get("quantity"), field=f"{path}.quantity"), field=f"{path}.quantity")
    unit = money(item.get("price"), f"{path}.price")
    allocations = json_list(item.get("discount_allocations"), field=f"{path}.discount_allocations")
    if allocations:
        discount = sum(
            money(
                json_object(share, field=f"{path}.discount_allocations[{i}]").get("amount"),
                f"{path}.discount_allocations[{i}].amount",
            )
            for i, share in enumerate(allocations)
        )
    else:
        discount = money(item.get("total_discount"), f"{path}.total_discount")
    return NormalizedLine(
        platform_line_id=line_id,
        sku_code=json_text(item.get("sku"), field=f"{path}.sku"),
        title=json_text(item.get("title"), field=f"{path}.title"),
        spec=json_text(item.get("variant_title"), field=f"{path}.variant_title"),
        platform_sku_id=json_text(item.get("variant_id"), field=f"{path}.variant_id"),
        qty=qty,
        unit_price_minor=unit,
        discount_minor=discount,
        paid_minor=unit * qty - discount,
        refund=RefundState.refunded if refunded.get(line_id, 0) >= qty else RefundState.none,
    )


def _refunded_quantities(raw: dict[str, Any]) -> dict[str, int]:
    """Units refunded per line id, summed over ``refunds[].refund_line_items``: a line refunded in full
    is cancelled; a partly refunded one still ships its remaining units."""
    totals: dict[str, int] = {}
    for i, refund in enumerate(json_list(raw.get("refunds"), field="refunds")):
        refund_items = json_object(refund, field=f"refunds[{i}]").get("refund_line_items")
        for j, entry in enumerate(json_list(refund_items, field=f"refunds[{i}].refund_line_items")):
            path = f"refunds[{i}].refund_line_items[{j}]"
            refunded_line = json_object(entry, field=path)
            line_id = json_text(refunded_line.get("line_item_id"), field=f"{path}.line_item_id")
            units = json_int(refunded_line.get("quantity"), field=f"{path}.quantity") or 0
            totals[line_id] = totals.get(line_id, 0) + units
    return totals


def _receiver(address: dict[str, Any]) -> Receiver:
    """No shipping address (digital goods, pickup) gives an empty receiver with no country, not China."""
    if not address:
        return Receiver(country="")

    def text(key: str) -> str:
        return json_text(address.get(key), field=f"shipping_address.{key}")

    name = text("name") or f"{text('first_name')} {text('last_name')}".strip()
    return Receiver(
        name=name,
        phone=text("phone"),
        country=text("country_code").upper(),
        province=text("province"),
        city=text("city"),
        address=" ".join(part for part in (text("address1"), text("address2")) if part),
        zip=text("zip"),
    )

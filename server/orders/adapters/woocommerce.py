"""WooCommerce REST v3 orders: webhook bodies (``order.created`` / ``order.updated``) and list pages.

Times come from the ``*_gmt`` fields: the plain ``date_*`` are the site's wall clock with no offset
(FORMATS.md §2). Line ``price`` is ``total / quantity`` after discounts, sent as a JSON number; the
list price is ``subtotal / quantity``, so ``price`` is only the fallback for lines without a subtotal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

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
from server.orders.normalized import NormalizedLine, NormalizedOrder, ParseResult, PlatformStatus, Receiver
from server.orders.values import BadValue, iso_time, quantity

_STATUSES = {
    "pending": PlatformStatus.pending_payment,
    "on-hold": PlatformStatus.pending_payment,
    "checkout-draft": PlatformStatus.pending_payment,
    "processing": PlatformStatus.paid,
    "completed": PlatformStatus.completed,
    "cancelled": PlatformStatus.cancelled,
    "refunded": PlatformStatus.cancelled,
    "failed": PlatformStatus.cancelled,
    "trash": PlatformStatus.cancelled,
}
_PING_FORM = re.compile(rb"^\s*webhook_id=\d+\s*$")
"""WooCommerce's ping on webhook creation is a form body, ``webhook_id=12``, not JSON."""


class WooCommerceAdapter:
    platform: ClassVar[str] = "woocommerce"

    def __init__(self, site_zone: timezone | ZoneInfo = UTC) -> None:
        """``site_zone`` reads the site-local ``date_*`` of an order that lacks the ``*_gmt`` twin
        (very old stores); with both present it is never used."""
        self.site_zone = site_zone

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        return hmac_sha256_base64_matches(body, secret, header_value(headers, "X-WC-Webhook-Signature"))

    def parse(self, body: bytes) -> ParseResult:
        if _PING_FORM.match(body):
            return ParseResult(orders=[])
        return read_payload(body, _orders_in, self._order, order_no=lambda raw: json_text(raw.get("id")))

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """Core WooCommerce has no shipment object: a whole shipment completes the order (which mails
        the buyer) and records the tracking in order meta; a partial one records tracking only, since
        completing would close lines still waiting."""
        meta = [
            {"key": "_cangku_carrier", "value": carrier_code},
            {"key": "_cangku_waybill", "value": waybill_no},
        ]
        params: dict[str, Any] = {"meta_data": meta}
        if platform_line_ids:
            meta.append({"key": "_cangku_shipped_line_ids", "value": ",".join(platform_line_ids)})
        else:
            params["status"] = "completed"
        return OutboundCall(
            platform=self.platform, method=f"PUT /wp-json/wc/v3/orders/{platform_order_no}", params=params
        )

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """``platform_sku_id`` is ``product`` or ``product/variation`` (as lines record it), because a
        variation's stock lives under its parent product's path."""
        product, _, variation = platform_sku_id.partition("/")
        path = f"products/{product}/variations/{variation}" if variation else f"products/{product}"
        return OutboundCall(
            platform=self.platform,
            method=f"PUT /wp-json/wc/v3/{path}",
            params={"manage_stock": True, "stock_quantity": available, "sku": sku_code},
        )

    def _time(self, raw: dict[str, Any], name: str) -> datetime | None:
        gmt = json_text(raw.get(f"{name}_gmt"), field=f"{name}_gmt")
        if gmt:
            return iso_time(gmt, field=f"{name}_gmt", naive_zone=UTC)
        return iso_time(json_text(raw.get(name), field=name), field=name, naive_zone=self.site_zone)

    def _order(self, value: Any) -> NormalizedOrder:
        raw = json_object(value, field="order")
        money = AmountReader()
        order_no = json_id(raw.get("id"), field="id")
        status_text = json_text(raw.get("status"), field="status").lower()
        if status_text not in _STATUSES:
            raise BadValue(f"status: unknown status {status_text!r}", f"status：未知的订单状态 {status_text!r}")
        created_at = self._time(raw, "date_created")
        if created_at is None:
            raise BadValue("date_created_gmt: missing", "date_created_gmt：缺失")
        lines = [
            _line(json_object(item, field=f"line_items[{i}]"), f"line_items[{i}]", money)
            for i, item in enumerate(json_list(raw.get("line_items"), field="line_items"))
        ]
        if not lines:
            raise BadValue("line_items: the order has no lines", "line_items：订单没有商品行")
        goods = sum(gross for _, gross in lines)
        customer_id = json_int(raw.get("customer_id"), field="customer_id")
        billing = json_object(raw.get("billing"), field="billing")
        for key in ("total_tax", "shipping_tax", "discount_tax", "cart_tax"):
            money.keep(raw.get(key), key)
        return NormalizedOrder(
            platform=self.platform,
            platform_order_no=order_no,
            status=_STATUSES[status_text],
            created_at=created_at,
            paid_at=self._time(raw, "date_paid"),
            updated_at=self._time(raw, "date_modified"),
            currency=json_text(raw.get("currency"), field="currency").upper() or "USD",
            goods_minor=goods,
            shipping_minor=money(raw.get("shipping_total"), "shipping_total"),
            discount_minor=money(raw.get("discount_total"), "discount_total"),
            paid_minor=money(raw.get("total"), "total"),
            # A guest (customer_id 0) has no account: the billing e-mail is how the shop knows them.
            buyer_id=str(customer_id) if customer_id else json_text(billing.get("email"), field="billing.email"),
            buyer_message=json_text(raw.get("customer_note"), field="customer_note"),
            receiver=_receiver(json_object(raw.get("shipping"), field="shipping"), billing),
            lines=[line for line, _ in lines],
            raw_amounts=money.raw,
        )


def _orders_in(payload: Any) -> list[Any]:
    """One order (webhook), a list (``GET orders``), or a ping (``{"webhook_id": 3}``) with none."""
    if isinstance(payload, list):
        return payload
    body = json_object(payload, field="body")
    if "id" in body:
        return [body]
    if "webhook_id" in body:
        return []
    raise BadValue("body: no order in the payload", "body：数据中没有订单")


def _line(item: dict[str, Any], path: str, money: AmountReader) -> tuple[NormalizedLine, int]:
    """The line and its list-price total (``subtotal``), which is what the order's goods add up from;
    ``subtotal / quantity`` need not come out in whole fen, so the sum is kept rather than recomputed."""
    qty = quantity(json_text(item.get("quantity"), field=f"{path}.quantity"), field=f"{path}.quantity")
    price = money(item.get("price"), f"{path}.price")
    if item.get("subtotal") not in (None, ""):
        gross = money(item.get("subtotal"), f"{path}.subtotal")
        unit = int((Decimal(gross) / qty).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        unit = price
        gross = price * qty
    total = money(item.get("total"), f"{path}.total") if item.get("total") not in (None, "") else gross
    tax = money(item.get("total_tax"), f"{path}.total_tax")
    product = json_text(item.get("product_id"), field=f"{path}.product_id")
    variation = json_int(item.get("variation_id"), field=f"{path}.variation_id")
    line = NormalizedLine(
        platform_line_id=json_id(item.get("id"), field=f"{path}.id"),
        sku_code=json_text(item.get("sku"), field=f"{path}.sku"),
        title=json_text(item.get("name"), field=f"{path}.name"),
        spec=_spec(json_list(item.get("meta_data"), field=f"{path}.meta_data")),
        platform_sku_id=f"{product}/{variation}" if variation else product,
        qty=qty,
        unit_price_minor=unit,
        discount_minor=gross - total,
        paid_minor=total + tax,
    )
    return line, gross


def _spec(meta: list[Any]) -> str:
    """The variation as the buyer saw it, from the line's visible meta (``Color: Black``); keys starting
    with ``_`` are WooCommerce's hidden bookkeeping."""
    parts = []
    for entry in meta:
        if not isinstance(entry, dict):
            continue
        key = entry.get("display_key") or entry.get("key")
        shown = entry.get("display_value", entry.get("value"))
        if isinstance(key, str) and key and not key.startswith("_") and isinstance(shown, str | int | Decimal):
            parts.append(f"{key}:{shown}")
    return ";".join(parts)


def _receiver(shipping: dict[str, Any], billing: dict[str, Any]) -> Receiver:
    """The shipping address, or the billing one when the order has none filled in (WooCommerce leaves
    shipping empty for virtual goods and some checkout plugins)."""
    address = shipping if json_text(shipping.get("address_1"), field="shipping.address_1") else billing
    section = "shipping" if address is shipping else "billing"

    def text(key: str) -> str:
        return json_text(address.get(key), field=f"{section}.{key}")

    phone = text("phone") or json_text(billing.get("phone"), field="billing.phone")
    if not any(text(key) for key in ("address_1", "city", "country")):
        return Receiver(country="", phone=phone)
    return Receiver(
        name=f"{text('first_name')} {text('last_name')}".strip() or text("company"),
        phone=phone,
        country=text("country").upper(),
        province=text("state"),
        city=text("city"),
        address=" ".join(part for part in (text("address_1"), text("address_2")) if part),
        zip=text("postcode"),
    )

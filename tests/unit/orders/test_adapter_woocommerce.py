"""WooCommerce order webhooks and list pages → NormalizedOrder, signatures, outbound calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.orders.adapters.woocommerce import WooCommerceAdapter
from server.orders.normalized import NormalizedOrder, PlatformStatus

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "woocommerce_order.json"
SECRET = "wc-webhook-secret"


def order_dict() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return loaded


def parse_one(raw: dict[str, Any], adapter: WooCommerceAdapter | None = None) -> NormalizedOrder:
    result = (adapter or WooCommerceAdapter()).parse(json.dumps(raw).encode())
    assert result.errors == []
    [order] = result.orders
    return order


def test_guest_order_totals_and_buyer() -> None:
    result = WooCommerceAdapter().parse(FIXTURE.read_bytes())
    assert result.errors == []
    [order] = result.orders
    assert order.platform == "woocommerce"
    assert order.platform_order_no == "727"
    assert order.status is PlatformStatus.paid
    assert order.currency == "CNY"
    assert (order.goods_minor, order.discount_minor, order.shipping_minor, order.paid_minor) == (7990, 1000, 800, 7790)
    assert order.buyer_id == "guest@example.com"  # customer_id 0: a guest
    assert order.buyer_message == "请工作日送货"
    assert order.raw_amounts["total"] == "77.90"
    assert order.raw_amounts["line_items[0].price"] == "19.9"


def test_registered_customer_is_their_id() -> None:
    raw = order_dict()
    raw["customer_id"] = 42
    assert parse_one(raw).buyer_id == "42"


def test_gmt_dates_win_over_site_local() -> None:
    order = parse_one(order_dict())
    assert order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)  # not 18:15, the site's clock
    assert order.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert order.updated_at == datetime(2024, 3, 1, 10, 16, 2, tzinfo=UTC)


def test_without_gmt_the_site_zone_reads_local_dates() -> None:
    raw = order_dict()
    for key in ("date_created_gmt", "date_paid_gmt", "date_modified_gmt"):
        del raw[key]
    order = parse_one(raw, WooCommerceAdapter(site_zone=ZoneInfo("Asia/Shanghai")))
    assert order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)


def test_lines_list_price_from_subtotal_and_discount_from_total() -> None:
    notebook, tee = parse_one(order_dict()).lines
    assert (notebook.platform_line_id, notebook.sku_code, notebook.platform_sku_id) == ("315", "NB-A5", "93")
    assert (notebook.qty, notebook.unit_price_minor, notebook.discount_minor, notebook.paid_minor) == (1, 1990, 0, 1990)
    assert (tee.platform_sku_id, tee.spec, tee.title) == ("22/23", "Color:Black", "Tee - Black")
    # price 25 is after the coupon (total / quantity); the list price is subtotal / quantity.
    assert (tee.qty, tee.unit_price_minor, tee.discount_minor, tee.paid_minor) == (2, 3000, 1000, 5000)


@pytest.mark.parametrize("price", [19.9, 0.1 + 19.8])
def test_float_price_is_read_through_its_text_when_no_subtotal(price: float) -> None:
    raw = order_dict()
    line = raw["line_items"][0]
    del line["subtotal"], line["total"]
    line["price"] = price
    order = parse_one(raw)
    assert order.lines[0].unit_price_minor == 1990
    assert order.raw_amounts["line_items[0].price"] == repr(price)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", PlatformStatus.pending_payment),
        ("on-hold", PlatformStatus.pending_payment),
        ("processing", PlatformStatus.paid),
        ("completed", PlatformStatus.completed),
        ("cancelled", PlatformStatus.cancelled),
        ("refunded", PlatformStatus.cancelled),
        ("failed", PlatformStatus.cancelled),
    ],
)
def test_status_mapping(status: str, expected: PlatformStatus) -> None:
    raw = order_dict()
    raw["status"] = status
    assert parse_one(raw).status is expected


def test_receiver_from_shipping_with_billing_phone() -> None:
    receiver = parse_one(order_dict()).receiver
    assert (receiver.name, receiver.phone, receiver.country) == ("测试 用户", "13900000000", "CN")
    assert (receiver.province, receiver.city, receiver.zip) == ("CN2", "杭州市", "310000")
    assert receiver.address == "示例路 1 号 3 楼"


def test_empty_shipping_falls_back_to_billing() -> None:
    raw = order_dict()
    raw["shipping"] = {key: "" for key in raw["shipping"]}
    assert parse_one(raw).receiver.address == "示例路 1 号"


@pytest.mark.parametrize("ping", [b'{"webhook_id": 3}', b"webhook_id=3"])
def test_ping_has_no_orders_and_no_error(ping: bytes) -> None:
    result = WooCommerceAdapter().parse(ping)
    assert (result.orders, result.errors) == ([], [])


def test_list_keeps_good_orders_when_one_is_malformed() -> None:
    bad = order_dict()
    bad["id"] = 728
    bad["status"] = "wc-custom-thing"
    result = WooCommerceAdapter().parse(json.dumps([order_dict(), bad]).encode())
    assert [order.platform_order_no for order in result.orders] == ["727"]
    [error] = result.errors
    assert (error.row, error.field) == (0, "status")
    assert "728" in error.message and "728" in error.message_zh


def test_bad_line_amount_names_the_field() -> None:
    raw = order_dict()
    raw["line_items"][1]["total"] = "fifty"
    [error] = WooCommerceAdapter().parse(json.dumps(raw).encode()).errors
    assert error.field == "line_items[1].total"


def test_malformed_json_is_one_error() -> None:
    result = WooCommerceAdapter().parse(b'{"id": 727, ')
    assert result.orders == []
    [error] = result.errors
    assert (error.row, error.field) == (0, "body")


def test_verify_signature() -> None:
    body = FIXTURE.read_bytes()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    adapter = WooCommerceAdapter()
    assert adapter.verify(body, {"X-WC-Webhook-Signature": signature}, SECRET)
    assert adapter.verify(body, {"x-wc-webhook-signature": signature}, SECRET)
    assert not adapter.verify(body, {"X-WC-Webhook-Signature": signature}, "wrong")
    assert not adapter.verify(body.replace(b"77.90", b"7.90"), {"X-WC-Webhook-Signature": signature}, SECRET)
    assert not adapter.verify(body, {}, SECRET)


def test_whole_shipment_completes_the_order() -> None:
    call = WooCommerceAdapter().shipment_confirmation("727", "SF", "SF1234567890", [])
    assert call.method == "PUT /wp-json/wc/v3/orders/727"
    assert call.params == {
        "status": "completed",
        "meta_data": [{"key": "_cangku_carrier", "value": "SF"}, {"key": "_cangku_waybill", "value": "SF1234567890"}],
    }


def test_partial_shipment_records_tracking_without_completing() -> None:
    call = WooCommerceAdapter().shipment_confirmation("727", "SF", "SF1234567890", ["315"])
    assert "status" not in call.params
    assert {"key": "_cangku_shipped_line_ids", "value": "315"} in call.params["meta_data"]


def test_stock_update_for_simple_product_and_variation() -> None:
    adapter = WooCommerceAdapter()
    simple = adapter.stock_update("NB-A5", "93", 5)
    assert simple.method == "PUT /wp-json/wc/v3/products/93"
    assert simple.params == {"manage_stock": True, "stock_quantity": 5, "sku": "NB-A5"}
    variation = adapter.stock_update("TEE-BLK", "22/23", 0)
    assert variation.method == "PUT /wp-json/wc/v3/products/22/variations/23"
    assert variation.params["stock_quantity"] == 0

"""Shopify webhook bodies and list pages → NormalizedOrder, signatures, outbound calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.orders.adapters.shopify import API_VERSION, ShopifyAdapter
from server.orders.normalized import PlatformStatus, RefundState

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "shopify_order.json"
SECRET = "shpss_test_secret"


def body() -> bytes:
    return FIXTURE.read_bytes()


def order_dict() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(body())
    return loaded


def parse_one(raw: dict[str, Any]) -> Any:
    result = ShopifyAdapter().parse(json.dumps(raw).encode())
    assert result.errors == []
    assert len(result.orders) == 1
    return result.orders[0]


def sign(payload: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode()


def test_webhook_body_reads_ids_exactly_and_money_in_shop_currency() -> None:
    result = ShopifyAdapter().parse(body())
    assert result.errors == []
    assert result.rows == 1
    order = result.orders[0]
    assert order.platform == "shopify"
    assert order.platform_order_no == "5678901234567890123"  # > 2^53: a float would have changed it
    assert order.status is PlatformStatus.paid
    assert order.currency == "USD"  # shop currency, not the EUR presentment
    assert order.goods_minor == 14498
    assert order.discount_minor == 1000
    assert order.shipping_minor == 500
    assert order.paid_minor == 13998
    assert order.raw_amounts["total_price"] == "139.98"
    assert order.raw_amounts["subtotal_price"] == "134.98"
    assert order.raw_amounts["line_items[0].price"] == "59.99"
    assert order.raw_amounts["shipping_lines[0].price"] == "5.00"


def test_times_are_utc() -> None:
    order = ShopifyAdapter().parse(body()).orders[0]
    assert order.created_at == datetime(2024, 3, 1, 15, 15, 30, tzinfo=UTC)
    assert order.paid_at == datetime(2024, 3, 1, 15, 15, 31, tzinfo=UTC)
    assert order.updated_at == datetime(2024, 3, 1, 15, 20, tzinfo=UTC)


def test_tags_note_buyer_and_receiver() -> None:
    order = ShopifyAdapter().parse(body()).orders[0]
    assert order.tags == ["a", "b"]
    assert order.buyer_message == "Leave at the door"
    assert order.buyer_id == "6234567890123456789"
    receiver = order.receiver
    assert (receiver.name, receiver.phone, receiver.country) == ("Test Buyer", "+1 555 0100", "US")
    assert (receiver.province, receiver.city, receiver.zip) == ("Oregon", "Springfield", "97477")
    assert receiver.address == "1 Example Street Apt 2"


def test_lines_keep_ids_skus_and_allocated_discounts() -> None:
    first, second = ShopifyAdapter().parse(body()).orders[0].lines
    assert first.platform_line_id == "13044722139874321"
    assert first.platform_sku_id == "40123456789012345"
    assert (first.sku_code, first.title, first.spec) == ("TEE-BLK-M", "Logo tee", "Black / M")
    assert (first.qty, first.unit_price_minor, first.discount_minor, first.paid_minor) == (2, 5999, 828, 11170)
    assert (second.sku_code, second.spec) == ("MUG-01", "")
    assert (second.qty, second.unit_price_minor, second.discount_minor, second.paid_minor) == (1, 2500, 172, 2328)
    assert first.refund is RefundState.none


def test_total_discount_counts_only_without_allocations() -> None:
    raw = order_dict()
    raw["line_items"][1]["discount_allocations"] = []
    raw["line_items"][1]["total_discount"] = "1.72"
    assert parse_one(raw).lines[1].discount_minor == 172


@pytest.mark.parametrize(
    ("financial", "fulfillment", "cancelled_at", "status"),
    [
        ("pending", None, None, PlatformStatus.pending_payment),
        ("authorized", None, None, PlatformStatus.pending_payment),
        ("paid", None, None, PlatformStatus.paid),
        ("paid", "partial", None, PlatformStatus.paid),
        ("paid", "fulfilled", None, PlatformStatus.shipped),
        ("partially_refunded", None, None, PlatformStatus.paid),
        ("partially_refunded", "fulfilled", None, PlatformStatus.shipped),
        ("refunded", None, None, PlatformStatus.cancelled),
        ("voided", None, None, PlatformStatus.cancelled),
        ("paid", None, "2024-03-02T08:00:00-05:00", PlatformStatus.cancelled),
    ],
)
def test_status_mapping(
    financial: str, fulfillment: str | None, cancelled_at: str | None, status: PlatformStatus
) -> None:
    raw = order_dict()
    raw.update(financial_status=financial, fulfillment_status=fulfillment, cancelled_at=cancelled_at)
    assert parse_one(raw).status is status


def test_unpaid_order_has_no_paid_time() -> None:
    raw = order_dict()
    raw["financial_status"] = "pending"
    assert parse_one(raw).paid_at is None


def test_line_refunded_in_full_is_marked() -> None:
    raw = order_dict()
    raw["financial_status"] = "partially_refunded"
    raw["refunds"] = [{"id": 1, "refund_line_items": [{"line_item_id": 13044722139874322, "quantity": 1}]}]
    first, second = parse_one(raw).lines
    assert (first.refund, second.refund) == (RefundState.none, RefundState.refunded)


def test_list_page_keeps_good_orders_when_one_is_malformed() -> None:
    good = order_dict()
    bad = order_dict()
    bad["id"] = 5678901234567890124
    bad["total_price"] = "12,3x"
    page = json.dumps({"orders": [bad, good]}).encode()
    result = ShopifyAdapter().parse(page)
    assert [order.platform_order_no for order in result.orders] == ["5678901234567890123"]
    assert result.rows == 2
    [error] = result.errors
    assert (error.row, error.field) == (0, "total_price")
    assert "5678901234567890124" in error.message
    assert error.message_zh


def test_missing_id_is_a_row_error() -> None:
    raw = order_dict()
    del raw["id"]
    [error] = ShopifyAdapter().parse(json.dumps({"orders": [raw]}).encode()).errors
    assert error.field == "id"


@pytest.mark.parametrize("payload", [b"{not json", b"", b'"just a string"', b'{"shop": "x"}'])
def test_malformed_body_is_one_error_not_an_exception(payload: bytes) -> None:
    result = ShopifyAdapter().parse(payload)
    assert result.orders == []
    [error] = result.errors
    assert (error.row, error.field) == (0, "body")


@pytest.mark.parametrize("name", ["X-Shopify-Hmac-Sha256", "x-shopify-hmac-sha256", "X-SHOPIFY-HMAC-SHA256"])
def test_verify_accepts_the_platform_signature_in_any_header_case(name: str) -> None:
    assert ShopifyAdapter().verify(body(), {name: sign(body())}, SECRET)


def test_verify_rejects_wrong_secret_tampered_body_and_missing_header() -> None:
    adapter = ShopifyAdapter()
    signature = sign(body())
    assert not adapter.verify(body(), {"X-Shopify-Hmac-Sha256": signature}, "other-secret")
    assert not adapter.verify(body() + b" ", {"X-Shopify-Hmac-Sha256": signature}, SECRET)
    assert not adapter.verify(body(), {}, SECRET)
    assert not adapter.verify(body(), {"X-Shopify-Hmac-Sha256": "ü"}, SECRET)
    assert not adapter.verify(body(), {"X-Shopify-Hmac-Sha256": sign(body(), "")}, "")


def test_shipment_confirmation_names_order_lines_and_tracking() -> None:
    call = ShopifyAdapter().shipment_confirmation("5678901234567890123", "UPS", "1Z999", ["13044722139874321"])
    assert call.platform == "shopify"
    assert call.method == f"POST /admin/api/{API_VERSION}/fulfillments.json"
    assert call.params == {
        "order_id": "5678901234567890123",
        "line_item_ids": ["13044722139874321"],
        "fulfillment": {"tracking_info": {"company": "UPS", "number": "1Z999"}, "notify_customer": True},
    }


def test_stock_update_sets_the_variant_level() -> None:
    call = ShopifyAdapter().stock_update("MUG-01", "40123456789012346", 7)
    assert call.method == f"POST /admin/api/{API_VERSION}/inventory_levels/set.json"
    assert call.params == {"variant_id": "40123456789012346", "sku": "MUG-01", "available": 7}

"""Douyin (抖店) order pages → NormalizedOrder (fen, Unix seconds, ciphertexts) and Douyin calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.orders.adapters.douyin import DouyinAdapter
from server.orders.normalized import NormalizedOrder, PlatformStatus, RefundState

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "douyin_order_search.json"


def page() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return loaded


def first() -> dict[str, Any]:
    order: dict[str, Any] = page()["data"]["shop_order_list"][0]
    return order


def parse_detail(order: dict[str, Any]) -> NormalizedOrder:
    body = {"code": 10000, "msg": "success", "data": {"shop_order_detail": order}}
    result = DouyinAdapter().parse(json.dumps(body).encode())
    assert result.errors == []
    [parsed] = result.orders
    return parsed


def test_page_reads_fen_and_string_ids() -> None:
    result = DouyinAdapter().parse(FIXTURE.read_bytes())
    assert result.errors == []
    assert result.rows == 2
    order = result.orders[0]
    assert (order.platform, order.platform_order_no, order.status) == (
        "douyin",
        "6919123456789012345",
        PlatformStatus.paid,
    )
    assert (order.goods_minor, order.discount_minor, order.shipping_minor, order.paid_minor) == (6970, 1000, 600, 6570)
    assert order.raw_amounts["pay_amount"] == "6570"
    assert order.raw_amounts["promotion_amount"] == "1000"
    assert (order.buyer_id, order.buyer_message, order.seller_flag) == ("FixtureDoudianOpenId001", "轻放", 3)


def test_unix_seconds_are_utc() -> None:
    first_order, second_order = DouyinAdapter().parse(FIXTURE.read_bytes()).orders
    assert first_order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert first_order.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert first_order.updated_at == datetime(2024, 3, 1, 10, 20, tzinfo=UTC)
    assert first_order.ship_by == datetime(2024, 3, 3, 10, 16, tzinfo=UTC)
    assert second_order.paid_at is None  # pay_time 0


def test_sku_orders_become_lines() -> None:
    notebook, pen = DouyinAdapter().parse(FIXTURE.read_bytes()).orders[0].lines
    assert (notebook.platform_line_id, notebook.sku_code) == ("6919123456789012346", "NB-A5-BLK")
    assert notebook.platform_sku_id == "3600000000000000001/1760000000000001"
    assert (notebook.title, notebook.spec) == ("笔记本", "颜色:黑色;尺寸:A5")
    # sku pay_amount 3680 carries its 300 postage share: the line paid 3380 for goods.
    assert (notebook.qty, notebook.unit_price_minor, notebook.discount_minor, notebook.paid_minor) == (
        2,
        1990,
        600,
        3380,
    )
    assert notebook.refund is RefundState.none
    assert (pen.platform_line_id, pen.sku_code) == ("6919123456789012347", "PEN-01")  # no code: out_sku_id
    assert (pen.qty, pen.unit_price_minor, pen.discount_minor, pen.paid_minor) == (1, 2990, 400, 2590)
    assert pen.refund is RefundState.requested


def test_sku_pay_without_postage_is_taken_as_is() -> None:
    order = first()
    order["sku_order_list"][0]["pay_amount"] = 3380
    order["sku_order_list"][1]["pay_amount"] = 2590
    assert [line.paid_minor for line in parse_detail(order).lines] == [3380, 2590]


def test_sku_pay_that_adds_up_to_nothing_falls_back_to_sharing() -> None:
    order = first()
    for sku in order["sku_order_list"]:
        del sku["pay_amount"], sku["post_amount"]
    lines = parse_detail(order).lines
    assert [line.paid_minor for line in lines] == [3409, 2561]  # 1000 fen shared 571 : 429 by list value
    assert sum(line.paid_minor for line in lines) == 5970


def test_masked_receiver_with_ciphertexts() -> None:
    receiver = DouyinAdapter().parse(FIXTURE.read_bytes()).orders[0].receiver
    assert (receiver.name, receiver.phone, receiver.country) == ("刘*", "138****0000", "CN")
    assert (receiver.province, receiver.city, receiver.district, receiver.town) == (
        "广东省",
        "深圳市",
        "南山区",
        "粤海街道",
    )
    assert receiver.address == "科技园****"
    assert receiver.encrypted == {
        "encrypt_post_receiver": "#FixtureNameIdx#FixtureNameCipher0001==#1#",
        "encrypt_post_tel": "$FixturePhoneIdx$FixturePhoneCipher0001==$1$",
        "encrypt_detail": "#FixtureAddrIdx#FixtureAddrCipher0001==#1#",
        "open_address_id": "FixtureOpenAddressId001",
    }


def test_unpaid_presale_order() -> None:
    second = DouyinAdapter().parse(FIXTURE.read_bytes()).orders[1]
    assert second.status is PlatformStatus.pending_payment
    assert second.presale is True
    assert second.seller_flag is None
    assert second.receiver.address == "**路**号"
    assert second.receiver.encrypted == {}
    [line] = second.lines
    assert (line.platform_sku_id, line.paid_minor) == ("3600000000000000003/1760000000000003", 5000)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, PlatformStatus.pending_payment),
        (105, PlatformStatus.paid),
        (2, PlatformStatus.paid),
        (101, PlatformStatus.shipped),
        (3, PlatformStatus.shipped),
        (5, PlatformStatus.completed),
        (4, PlatformStatus.cancelled),
    ],
)
def test_status_mapping(code: int, expected: PlatformStatus) -> None:
    order = first()
    order["order_status"] = code
    assert parse_detail(order).status is expected


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({}, RefundState.none),
        ({"after_sale_status": 0, "refund_status": 0}, RefundState.none),
        ({"after_sale_status": 6, "refund_status": 1}, RefundState.requested),
        ({"after_sale_status": 7, "refund_status": 0}, RefundState.requested),
        ({"after_sale_status": 12, "refund_status": 3}, RefundState.refunded),
        ({"after_sale_status": 0, "refund_status": 3}, RefundState.refunded),
        ({"after_sale_status": 27, "refund_status": 4}, RefundState.none),
        ({"after_sale_status": 28, "refund_status": 4}, RefundState.none),
    ],
)
def test_after_sale_mapping(info: dict[str, int], expected: RefundState) -> None:
    order = first()
    order["sku_order_list"][0]["after_sale_info"] = info
    assert parse_detail(order).lines[0].refund is expected


def test_one_bad_order_does_not_stop_the_page() -> None:
    data = page()
    data["data"]["shop_order_list"][0]["sku_order_list"][0]["origin_amount"] = "19.90"
    result = DouyinAdapter().parse(json.dumps(data).encode())
    assert [o.platform_order_no for o in result.orders] == ["6919123456789012355"]
    [error] = result.errors
    assert (error.row, error.field) == (0, "sku_order_list[0].origin_amount")
    assert "6919123456789012345" in error.message


def test_refused_call_and_malformed_json() -> None:
    refused = {"code": 40004, "msg": "access_token过期", "sub_code": "isv.access-token-expired", "data": {}}
    [error] = DouyinAdapter().parse(json.dumps(refused).encode()).errors
    assert error.field == "code" and "40004" in error.message
    result = DouyinAdapter().parse(b"{'single': 'quotes'}")
    assert result.orders == [] and [(e.row, e.field) for e in result.errors] == [(0, "body")]


def test_verify_accepts_our_own_fetches() -> None:
    assert DouyinAdapter().verify(b"{}", {}, "")


def test_shipment_whole_and_by_sub_order() -> None:
    whole = DouyinAdapter().shipment_confirmation("6919123456789012345", "zhongtong", "ZT0000000000001", [])
    assert whole.method == "order.logisticsAdd"
    assert whole.params == {
        "order_id": "6919123456789012345",
        "company_code": "zhongtong",
        "logistics_code": "ZT0000000000001",
    }
    part = DouyinAdapter().shipment_confirmation(
        "6919123456789012345", "zhongtong", "ZT0000000000001", ["6919123456789012346"]
    )
    assert part.method == "order.logisticsAddSinglePack"
    assert part.params == {
        "order_id_list": ["6919123456789012345"],
        "shipped_order_info": [{"shipped_order_id": "6919123456789012346"}],
        "company_code": "zhongtong",
        "logistics_code": "ZT0000000000001",
    }


def test_stock_update() -> None:
    call = DouyinAdapter().stock_update("NB-A5-BLK", "3600000000000000001/1760000000000001", 6)
    assert call.method == "sku.syncStock"
    assert call.params == {
        "product_id": "3600000000000000001",
        "sku_id": "1760000000000001",
        "stock_num": 6,
        "incremental": False,
    }
    by_code = DouyinAdapter().stock_update("NB-A5-BLK", "", 6)
    assert by_code.params == {"code": "NB-A5-BLK", "stock_num": 6, "incremental": False}

"""Pinduoduo order pages → NormalizedOrder (doubles, ciphertexts, both time forms) and PDD calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.orders.adapters.pdd import PddAdapter
from server.orders.normalized import NormalizedOrder, PlatformStatus, RefundState

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "pdd_order_list.json"


def page() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return loaded


def first() -> dict[str, Any]:
    order: dict[str, Any] = page()["order_list_get_response"]["order_list"][0]
    return order


def parse_info(order: dict[str, Any]) -> NormalizedOrder:
    result = PddAdapter().parse(json.dumps({"order_info_get_response": {"order_info": order}}).encode())
    assert result.errors == []
    [parsed] = result.orders
    return parsed


def test_page_reads_doubles_exactly() -> None:
    result = PddAdapter().parse(FIXTURE.read_bytes())
    assert result.errors == []
    assert result.rows == 2
    order = result.orders[0]
    assert (order.platform, order.platform_order_no, order.status) == (
        "pdd",
        "240301-123456789012345",
        PlatformStatus.paid,
    )
    assert (order.goods_minor, order.discount_minor, order.shipping_minor, order.paid_minor) == (5970, 580, 600, 5990)
    assert order.raw_amounts["pay_amount"] == "59.9"
    assert order.raw_amounts["item_list[0].goods_price"] == "19.9"
    assert result.orders[1].paid_minor == 1990  # 19.9 yuan → 1990 fen, not 1989


def test_string_and_unix_times() -> None:
    first_order, second_order = PddAdapter().parse(FIXTURE.read_bytes()).orders
    assert first_order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert first_order.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert first_order.updated_at == datetime(2024, 3, 1, 10, 20, tzinfo=UTC)
    assert first_order.ship_by == datetime(2024, 3, 3, 10, 16, tzinfo=UTC)
    assert second_order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert second_order.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert second_order.updated_at == datetime(2024, 3, 2, 10, 15, 30, tzinfo=UTC)


def test_memo_flag_tags() -> None:
    order = PddAdapter().parse(FIXTURE.read_bytes()).orders[0]
    assert (order.buyer_message, order.seller_memo, order.seller_flag) == ("不要放快递柜", "送小礼物", 2)
    assert order.tags == ["gift_order"]
    assert order.presale is False


def test_lines_share_discount_and_gift_is_free() -> None:
    notebook, pen, gift = PddAdapter().parse(FIXTURE.read_bytes()).orders[0].lines
    assert (notebook.platform_line_id, notebook.sku_code, notebook.platform_sku_id) == (
        "1",
        "NB-A5-BLK",
        "300000001/1200000001",
    )
    assert (notebook.qty, notebook.unit_price_minor, notebook.discount_minor, notebook.paid_minor) == (
        2,
        1990,
        387,
        3593,
    )
    assert (pen.sku_code, pen.spec) == ("PEN-01", "黑色")  # no outer_id: the goods code
    assert (pen.qty, pen.unit_price_minor, pen.discount_minor, pen.paid_minor) == (2, 995, 193, 1797)
    assert (gift.platform_line_id, gift.sku_code, gift.title) == ("3", "GIFT-STICKER", "赠品贴纸")
    assert (gift.unit_price_minor, gift.discount_minor, gift.paid_minor) == (0, 0, 0)


def test_ciphertext_kept_and_masks_shown_while_waiting_to_ship() -> None:
    receiver = PddAdapter().parse(FIXTURE.read_bytes()).orders[0].receiver
    assert (receiver.name, receiver.phone, receiver.address) == ("李*", "*******0000", "粤海街道****")
    assert (receiver.country, receiver.province, receiver.city, receiver.district) == (
        "CN",
        "广东省",
        "深圳市",
        "南山区",
    )
    assert receiver.encrypted == {
        "receiver_name": "~AgAAAAFixtureName0001~Sig1~1~",
        "receiver_phone": "~AgAAAAFixturePhone001~Sig2~1~",
        "receiver_address": "~AgAAAAFixtureFullAddr1~Sig3~1~",
        "address": "~AgAAAAFixtureAddr0001~Sig4~1~",
    }


def test_after_shipping_the_receiver_is_empty() -> None:
    second = PddAdapter().parse(FIXTURE.read_bytes()).orders[1]
    assert second.status is PlatformStatus.shipped
    assert (second.receiver.name, second.receiver.phone, second.receiver.encrypted) == ("", "", {})
    assert second.receiver.city == "杭州市"


def test_encrypted_prefixed_fields_and_bare_ciphertext() -> None:
    order = first()
    for key in ("receiver_name", "receiver_name_mask", "receiver_phone_mask"):
        del order[key]
    order["encrypted_receiver_name"] = "~AgAAAAFixtureName0002~Sig~1~"
    receiver = parse_info(order).receiver
    assert receiver.encrypted["receiver_name"] == "~AgAAAAFixtureName0002~Sig~1~"
    assert receiver.phone == ""  # a bare ciphertext is never shown as a phone number
    assert receiver.encrypted["receiver_phone"] == "~AgAAAAFixturePhone001~Sig2~1~"


@pytest.mark.parametrize(
    ("order_status", "refund_status", "status", "refund"),
    [
        (1, 1, PlatformStatus.paid, RefundState.none),
        (2, 1, PlatformStatus.shipped, RefundState.none),
        (3, 1, PlatformStatus.completed, RefundState.none),
        (1, 2, PlatformStatus.paid, RefundState.requested),
        (1, 3, PlatformStatus.paid, RefundState.requested),
        (1, 4, PlatformStatus.cancelled, RefundState.refunded),
        (3, 4, PlatformStatus.cancelled, RefundState.refunded),
    ],
)
def test_status_and_refund_mapping(
    order_status: int, refund_status: int, status: PlatformStatus, refund: RefundState
) -> None:
    order = first()
    order.update(order_status=order_status, refund_status=refund_status)
    parsed = parse_info(order)
    assert parsed.status is status
    assert {line.refund for line in parsed.lines} == {refund}


def test_presale() -> None:
    order = first()
    order["is_pre_sale"] = 1
    assert parse_info(order).presale is True


def test_one_bad_order_does_not_stop_the_page() -> None:
    data = page()
    data["order_list_get_response"]["order_list"][0]["pay_amount"] = "abc"
    result = PddAdapter().parse(json.dumps(data).encode())
    assert [o.platform_order_no for o in result.orders] == ["240301-123456789012346"]
    [error] = result.errors
    assert (error.row, error.field) == (0, "pay_amount")
    assert "240301-123456789012345" in error.message


def test_unknown_status_error_response_and_malformed_json() -> None:
    data = page()
    data["order_list_get_response"]["order_list"][1]["order_status"] = 9
    assert [e.field for e in PddAdapter().parse(json.dumps(data).encode()).errors] == ["order_status"]
    refused = {"error_response": {"error_code": 10019, "error_msg": "access_token已过期"}}
    [error] = PddAdapter().parse(json.dumps(refused).encode()).errors
    assert error.field == "error_response" and "10019" in error.message
    result = PddAdapter().parse(b"[1, 2")
    assert result.orders == [] and [(e.row, e.field) for e in result.errors] == [(0, "body")]


def test_increment_page_and_empty_page() -> None:
    orders = page()["order_list_get_response"]["order_list"]
    increment = {"order_sn_increment_get_response": {"total_count": 2, "has_next": False, "order_sn_list": orders}}
    assert len(PddAdapter().parse(json.dumps(increment).encode()).orders) == 2
    empty = PddAdapter().parse(b'{"order_list_get_response": {"total_count": 0, "has_next": false}}')
    assert (empty.orders, empty.errors) == ([], [])


def test_verify_accepts_our_own_fetches() -> None:
    assert PddAdapter().verify(b"{}", {}, "")


def test_outbound_calls() -> None:
    ship = PddAdapter().shipment_confirmation("240301-123456789012345", "85", "YT0000000000001", [])
    assert ship.method == "pdd.logistics.online.send"
    assert ship.params == {
        "order_sn": "240301-123456789012345",
        "logistics_id": "85",
        "tracking_number": "YT0000000000001",
    }
    stock = PddAdapter().stock_update("NB-A5-BLK", "300000001/1200000001", 4)
    assert stock.method == "pdd.goods.quantity.update"
    assert stock.params == {"goods_id": "300000001", "sku_id": "1200000001", "quantity": 4, "update_type": 1}
    with pytest.raises(ValueError, match="goods_id"):
        PddAdapter().stock_update("NB-A5-BLK", "", 4)

"""Taobao TOP trade pages → NormalizedOrder, and the TOP calls for shipping and stock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.orders.adapters.taobao_top import TaobaoTopAdapter
from server.orders.normalized import NormalizedOrder, PlatformStatus, RefundState

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "taobao_trades_sold_get.json"


def page() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return loaded


def first_trade() -> dict[str, Any]:
    trade: dict[str, Any] = page()["trades_sold_get_response"]["trades"]["trade"][0]
    return trade


def fullinfo(trade: dict[str, Any]) -> NormalizedOrder:
    result = TaobaoTopAdapter().parse(json.dumps({"trade_fullinfo_get_response": {"trade": trade}}).encode())
    assert result.errors == []
    [order] = result.orders
    return order


def test_sold_page_reads_every_trade_with_tid_as_string() -> None:
    result = TaobaoTopAdapter().parse(FIXTURE.read_bytes())
    assert result.errors == []
    assert result.rows == 2
    assert [order.platform_order_no for order in result.orders] == ["3456789012345678901", "3456789012345678911"]
    assert [order.status for order in result.orders] == [PlatformStatus.paid, PlatformStatus.pending_payment]


def test_trade_money_in_fen_and_beijing_times_in_utc() -> None:
    order = TaobaoTopAdapter().parse(FIXTURE.read_bytes()).orders[0]
    assert order.platform == "taobao"
    assert order.currency == "CNY"
    assert (order.goods_minor, order.shipping_minor, order.discount_minor, order.paid_minor) == (
        18980,
        1000,
        2000,
        17980,
    )
    assert order.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert order.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert order.updated_at == datetime(2024, 3, 2, 1, 0, tzinfo=UTC)
    assert order.raw_amounts["payment"] == "179.80"
    assert order.raw_amounts["discount_fee"] == "20.00"
    assert order.raw_amounts["orders.order[0].divide_order_fee"] == "89.80"


def test_buyer_memo_flag_and_masked_receiver_with_oaid() -> None:
    order = TaobaoTopAdapter().parse(FIXTURE.read_bytes()).orders[0]
    assert order.buyer_id == "AAHfixtureOpenUid0001"
    assert (order.buyer_message, order.seller_memo, order.seller_flag) == ("周末送货", "加急", 1)
    assert order.presale is False
    receiver = order.receiver
    assert (receiver.name, receiver.phone, receiver.country) == ("张**", "138****0000", "CN")
    assert (receiver.province, receiver.city, receiver.district, receiver.town) == (
        "湖北省",
        "仙桃市",
        "仙桃市",
        "干河街道",
    )
    assert (receiver.address, receiver.zip) == ("**路**号", "433000")
    assert receiver.encrypted == {"oaid": "1fixtureOaid0a1b2c3d4e5f6a7b8c9d0e1f2a3b"}


def test_sub_orders_become_lines_with_paid_share_and_refund_state() -> None:
    notebook, pen = TaobaoTopAdapter().parse(FIXTURE.read_bytes()).orders[0].lines
    assert notebook.platform_line_id == "3456789012345678902"
    assert (notebook.sku_code, notebook.platform_sku_id) == ("NB-A5-BLK", "600000000001/4900000000001")
    assert (notebook.title, notebook.spec) == ("笔记本", "颜色:黑色;尺寸:A5")
    assert (notebook.qty, notebook.unit_price_minor, notebook.discount_minor, notebook.paid_minor) == (
        2,
        4990,
        1000,
        8980,
    )
    assert notebook.refund is RefundState.none
    # No SKU: the merchant code is the item's outer_iid.
    assert (pen.sku_code, pen.platform_sku_id) == ("PEN-01", "600000000002")
    assert (pen.qty, pen.unit_price_minor, pen.paid_minor) == (1, 9000, 8000)
    assert pen.refund is RefundState.refunded


def test_unflagged_trade_and_payment_fallback() -> None:
    order = TaobaoTopAdapter().parse(FIXTURE.read_bytes()).orders[1]
    assert order.seller_flag is None
    assert order.receiver.city == "杭州市"
    assert order.receiver.encrypted == {}
    [line] = order.lines
    assert (line.platform_line_id, line.sku_code, line.paid_minor, line.discount_minor) == (
        "3456789012345678912",
        "CARD-01",
        1500,
        0,
    )


def test_fullinfo_envelope_and_presale() -> None:
    trade = first_trade()
    trade["step_trade_status"] = "FRONT_PAID_FINAL_NOPAID"
    order = fullinfo(trade)
    assert order.platform_order_no == "3456789012345678901"
    assert order.presale is True


def test_tid_without_tid_str_keeps_every_digit() -> None:
    trade = first_trade()
    del trade["tid_str"]
    assert fullinfo(trade).platform_order_no == "3456789012345678901"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("WAIT_BUYER_PAY", PlatformStatus.pending_payment),
        ("TRADE_NO_CREATE_PAY", PlatformStatus.pending_payment),
        ("PAY_PENDING", PlatformStatus.pending_payment),
        ("WAIT_PRE_AUTH_CONFIRM", PlatformStatus.pending_payment),
        ("WAIT_SELLER_SEND_GOODS", PlatformStatus.paid),
        ("SELLER_CONSIGNED_PART", PlatformStatus.paid),
        ("PAID_FORBID_CONSIGN", PlatformStatus.paid),
        ("WAIT_BUYER_CONFIRM_GOODS", PlatformStatus.shipped),
        ("TRADE_BUYER_SIGNED", PlatformStatus.shipped),
        ("TRADE_FINISHED", PlatformStatus.completed),
        ("TRADE_CLOSED", PlatformStatus.cancelled),
        ("TRADE_CLOSED_BY_TAOBAO", PlatformStatus.cancelled),
    ],
)
def test_status_mapping(status: str, expected: PlatformStatus) -> None:
    trade = first_trade()
    trade["status"] = status
    assert fullinfo(trade).status is expected


@pytest.mark.parametrize(
    ("refund_status", "expected"),
    [
        ("SUCCESS", RefundState.refunded),
        ("WAIT_SELLER_AGREE", RefundState.requested),
        ("WAIT_BUYER_RETURN_GOODS", RefundState.requested),
        ("WAIT_SELLER_CONFIRM_GOODS", RefundState.requested),
        ("CLOSED", RefundState.none),
        ("NO_REFUND", RefundState.none),
        ("SELLER_REFUSE_BUYER", RefundState.none),
    ],
)
def test_refund_status_mapping(refund_status: str, expected: RefundState) -> None:
    trade = first_trade()
    trade["orders"]["order"][0]["refund_status"] = refund_status
    assert fullinfo(trade).lines[0].refund is expected


def test_one_bad_trade_does_not_stop_the_page() -> None:
    data = page()
    data["trades_sold_get_response"]["trades"]["trade"][0]["orders"]["order"][1]["price"] = "九十"
    result = TaobaoTopAdapter().parse(json.dumps(data).encode())
    assert [order.platform_order_no for order in result.orders] == ["3456789012345678911"]
    [error] = result.errors
    assert (error.row, error.field) == (0, "orders.order[1].price")
    assert "3456789012345678901" in error.message


def test_unknown_status_is_a_row_error() -> None:
    data = page()
    data["trades_sold_get_response"]["trades"]["trade"][1]["status"] = "SOMETHING_NEW"
    result = TaobaoTopAdapter().parse(json.dumps(data).encode())
    assert len(result.orders) == 1
    assert result.errors[0].field == "status"


def test_empty_page_and_error_response() -> None:
    empty = TaobaoTopAdapter().parse(b'{"trades_sold_get_response": {"total_results": 0, "has_next": false}}')
    assert (empty.orders, empty.errors) == ([], [])
    refused = TaobaoTopAdapter().parse(
        json.dumps(
            {"error_response": {"code": 27, "msg": "Invalid session", "sub_code": "invalid-sessionkey"}}
        ).encode()
    )
    [error] = refused.errors
    assert error.field == "error_response"
    assert "Invalid session" in error.message


def test_malformed_json_is_one_error() -> None:
    result = TaobaoTopAdapter().parse(b"<xml>not json</xml>")
    assert result.orders == []
    assert [(e.row, e.field) for e in result.errors] == [(0, "body")]


def test_verify_accepts_our_own_fetches() -> None:
    assert TaobaoTopAdapter().verify(b"{}", {}, "")


def test_shipment_confirmation_whole_and_split() -> None:
    adapter = TaobaoTopAdapter()
    whole = adapter.shipment_confirmation("3456789012345678901", "YTO", "YT0000000000001", [])
    assert whole.method == "taobao.logistics.offline.send"
    assert whole.params == {"tid": "3456789012345678901", "out_sid": "YT0000000000001", "company_code": "YTO"}
    split = adapter.shipment_confirmation("3456789012345678901", "YTO", "YT0000000000001", ["3456789012345678902"])
    assert split.params["sub_tid"] == "3456789012345678902"
    assert split.params["is_split"] == 1


def test_stock_update_for_sku_and_plain_item() -> None:
    adapter = TaobaoTopAdapter()
    sku = adapter.stock_update("NB-A5-BLK", "600000000001/4900000000001", 12)
    assert sku.method == "taobao.item.quantity.update"
    assert sku.params == {"num_iid": "600000000001", "sku_id": "4900000000001", "quantity": 12, "type": 1}
    item = adapter.stock_update("PEN-01", "600000000002", 0)
    assert item.params == {"num_iid": "600000000002", "quantity": 0, "type": 1}
    with pytest.raises(ValueError, match="num_iid"):
        adapter.stock_update("PEN-01", "", 1)

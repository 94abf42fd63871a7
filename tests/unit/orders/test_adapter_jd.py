"""JD POP order search pages → NormalizedOrder, and the JOS calls for shipping and stock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.orders.adapters.jd import JdAdapter
from server.orders.normalized import NormalizedOrder, PlatformStatus

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "orders" / "jd_order_search.json"


def page() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return loaded


def orders_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderInfoList"]
    return found


def parse_first(change: dict[str, Any]) -> NormalizedOrder:
    data = page()
    orders_of(data)[0].update(change)
    result = JdAdapter().parse(json.dumps(data).encode())
    assert result.errors == []
    return result.orders[0]


def test_search_page_reads_each_order() -> None:
    result = JdAdapter().parse(FIXTURE.read_bytes())
    assert result.errors == []
    assert result.rows == 2
    first, second = result.orders
    assert (first.platform, first.platform_order_no, first.status) == ("jd", "290000000001", PlatformStatus.paid)
    assert (first.goods_minor, first.shipping_minor, first.discount_minor, first.paid_minor) == (
        15970,
        500,
        2000,
        14470,
    )
    assert first.raw_amounts["orderPayment"] == "144.70"
    assert first.raw_amounts["sellerDiscount"] == "10.00"
    assert (first.buyer_id, first.buyer_message, first.seller_memo) == ("jd_****fixture", "请尽快发货", "老客户")
    assert first.tags == []
    assert second.platform_order_no == "290000000002"


def test_times_in_utc_and_unset_sentinel() -> None:
    first, second = JdAdapter().parse(FIXTURE.read_bytes()).orders
    assert first.created_at == datetime(2024, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert first.paid_at == datetime(2024, 3, 1, 10, 16, tzinfo=UTC)
    assert first.updated_at == datetime(2024, 3, 1, 10, 20, tzinfo=UTC)
    assert second.paid_at is None  # 0001-01-01 00:00:00


def test_lines_share_the_order_discount_to_the_fen() -> None:
    notebook, pen = JdAdapter().parse(FIXTURE.read_bytes()).orders[0].lines
    assert (notebook.platform_line_id, notebook.sku_code, notebook.platform_sku_id) == (
        "1",
        "NB-A5-BLK",
        "100012345678",
    )
    assert (notebook.qty, notebook.unit_price_minor, notebook.discount_minor, notebook.paid_minor) == (
        2,
        4990,
        1250,
        8730,
    )
    assert (pen.platform_line_id, pen.sku_code, pen.title) == ("2", "PEN-01", "中性笔")
    assert (pen.qty, pen.unit_price_minor, pen.discount_minor, pen.paid_minor) == (1, 5990, 750, 5240)


def test_receiver_street_without_repeated_levels() -> None:
    first, second = JdAdapter().parse(FIXTURE.read_bytes()).orders
    receiver = first.receiver
    assert (receiver.name, receiver.phone, receiver.country) == ("王**", "137****0000", "CN")
    assert (receiver.province, receiver.city, receiver.district, receiver.town) == (
        "江苏",
        "南京市",
        "玄武区",
        "梅园新村街道",
    )
    assert receiver.address == "**路**号"
    assert second.receiver.phone == "010-****0000"  # no mobile: the landline


def test_paused_order_is_paid_and_tagged() -> None:
    second = JdAdapter().parse(FIXTURE.read_bytes()).orders[1]
    assert second.status is PlatformStatus.paid
    assert second.tags == ["jd_paused"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("WAIT_SELLER_STOCK_OUT", PlatformStatus.paid),
        ("WAIT_GOODS_RECEIVE_CONFIRM", PlatformStatus.shipped),
        ("FINISHED_L", PlatformStatus.completed),
        ("TRADE_CANCELED", PlatformStatus.cancelled),
        ("LOCKED", PlatformStatus.cancelled),
        ("PAUSE", PlatformStatus.paid),
    ],
)
def test_state_mapping(state: str, expected: PlatformStatus) -> None:
    assert parse_first({"orderState": state}).status is expected


def test_single_order_answer() -> None:
    order = orders_of(page())[0]
    body = {"jingdong_pop_order_get_responce": {"orderDetailInfo": {"orderInfo": order}}}
    result = JdAdapter().parse(json.dumps(body).encode())
    assert [o.platform_order_no for o in result.orders] == ["290000000001"]


def test_one_bad_order_does_not_stop_the_page() -> None:
    data = page()
    orders_of(data)[0]["itemInfoList"][1]["itemTotal"] = "one"
    result = JdAdapter().parse(json.dumps(data).encode())
    assert [o.platform_order_no for o in result.orders] == ["290000000002"]
    [error] = result.errors
    assert (error.row, error.field) == (0, "itemInfoList[1].itemTotal")
    assert "290000000001" in error.message


def test_refused_call_and_malformed_json_are_one_error_each() -> None:
    refused = {
        "jingdong_pop_order_search_responce": {
            "searchorderinfo_result": {
                "apiResult": {"success": False, "englishErrCode": "no auth", "chineseErrCode": "无权限"}
            }
        }
    }
    [error] = JdAdapter().parse(json.dumps(refused).encode()).errors
    assert error.field == "apiResult" and "no auth" in error.message
    [error] = (
        JdAdapter()
        .parse(
            json.dumps({"error_response": {"code": "19", "zh_desc": "token过期", "en_desc": "token expired"}}).encode()
        )
        .errors
    )
    assert error.field == "error_response" and "token expired" in error.message
    result = JdAdapter().parse(b"\xff\xfe")
    assert result.orders == [] and [(e.row, e.field) for e in result.errors] == [(0, "body")]


def test_empty_page() -> None:
    empty = {"jingdong_pop_order_search_responce": {"searchorderinfo_result": {"orderTotal": 0}}}
    result = JdAdapter().parse(json.dumps(empty).encode())
    assert (result.orders, result.errors) == ([], [])


def test_verify_accepts_our_own_fetches() -> None:
    assert JdAdapter().verify(b"{}", {}, "")


def test_outbound_calls() -> None:
    ship = JdAdapter().shipment_confirmation("290000000001", "467", "JDV000000000001", ["1"])
    assert ship.method == "jingdong.pop.order.shipment"
    assert ship.params == {"orderId": "290000000001", "logiCoprId": "467", "logiNo": "JDV000000000001"}
    stock = JdAdapter().stock_update("PEN-01", "100012345679", 9)
    assert stock.method == "jingdong.stock.write.updateSkuStock"
    assert stock.params == {"skuId": "100012345679", "stockNum": 9}

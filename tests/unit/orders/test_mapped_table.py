"""Generic CSV/XLSX imports read through a saved field mapping (字段映射)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import msgspec
import pytest
from openpyxl import Workbook

from server.orders.adapters.mapped_table import FieldMapping, MoneyUnit, parse_mapped_table
from server.orders.adapters.text_files import FileError
from server.orders.normalized import PlatformStatus, Receiver, RefundState

pytestmark = pytest.mark.unit

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# One row per order line. A-1's second row (row 4) contradicts its first on shipping, total and
# status: the first row wins. A-3 has a bad quantity on row 5, so its good row 6 stays out too.
# A-4's status is not in the mapping.
SHOP_CSV = """\
Order No,SKU,Qty,Unit Price,Line Total,Shipping,Order Total,Status,Created,Paid,Buyer,Name,Phone,Address,Memo
A-1,SKU-1,2,10.00,18.00,5.00,33.00,待发货,2024-03-01 09:00:00,2024/3/1 9:01,b**1,张**,138****1234,浙江省 杭州市 西湖区 某路1号(310012),加急
A-2,SKU-9,1,5.00,5.00,0,5.00,已完成,2024-03-02 10:00:00,2024-03-02 10:00:30,b**2,李**,'139****5678,北京 北京市 朝阳区 某街2号,
A-1,SKU-2,1,10.00,10.00,9.99,99.00,已发货,2024-03-09 10:00:00,,b**1,张**,138****1234,,
A-3,SKU-3,x,1.00,1.00,0,1.00,待发货,2024-03-03 10:00:00,,b**3,王**,137****0000,,
A-3,SKU-4,1,1.00,1.00,0,1.00,待发货,2024-03-03 10:00:00,,b**3,王**,137****0000,,
A-4,SKU-5,1,1.00,1.00,0,1.00,挂起,2024-03-04 10:00:00,,b**4,赵**,136****1111,,
"""  # noqa: E501 (rows as the file has them)

SHOP_MAPPING = FieldMapping(
    platform_order_no="Order No",
    sku_code="SKU",
    qty="Qty",
    unit_price="Unit Price",
    line_paid="Line Total",
    shipping="Shipping",
    order_paid="Order Total",
    status="Status",
    created_at="Created",
    paid_at="Paid",
    buyer_id="Buyer",
    receiver_name="Name",
    receiver_phone="Phone",
    receiver_full_address="Address",
    seller_memo="Memo",
    status_values={
        "待发货": PlatformStatus.paid,
        "已完成": PlatformStatus.completed,
        "已发货": PlatformStatus.shipped,
    },
)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_rows_group_into_orders_and_the_first_row_wins() -> None:
    result = parse_mapped_table(SHOP_CSV.encode("gb18030"), "shop.csv", SHOP_MAPPING, "youzan", now=NOW)
    assert result.rows == 6
    assert [o.platform_order_no for o in result.orders] == ["A-1", "A-2"]
    a1, a2 = result.orders
    assert a1.platform == "youzan"
    assert a1.status is PlatformStatus.paid
    assert a1.created_at == datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
    assert a1.paid_at == datetime(2024, 3, 1, 1, 1, tzinfo=UTC)
    assert (a1.goods_minor, a1.shipping_minor, a1.discount_minor, a1.paid_minor) == (3000, 500, 200, 3300)
    assert a1.raw_amounts == {"Shipping": "5.00", "Order Total": "33.00"}
    assert [
        (ln.platform_line_id, ln.sku_code, ln.qty, ln.unit_price_minor, ln.paid_minor, ln.discount_minor)
        for ln in a1.lines
    ] == [
        ("1", "SKU-1", 2, 1000, 1800, 200),
        ("2", "SKU-2", 1, 1000, 1000, 0),
    ]
    assert (a1.buyer_id, a1.seller_memo, a1.currency) == ("b**1", "加急", "CNY")
    assert a1.receiver == Receiver(
        name="张**",
        phone="138****1234",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        address="某路1号",
        zip="310012",
    )
    assert a2.status is PlatformStatus.completed
    assert a2.receiver.phone == "139****5678"
    assert (a2.receiver.city, a2.receiver.district, a2.receiver.zip) == ("北京市", "朝阳区", "")


def test_a_bad_row_keeps_its_whole_order_out() -> None:
    result = parse_mapped_table(SHOP_CSV.encode(), "shop.csv", SHOP_MAPPING, now=NOW)
    assert [(e.row, e.field) for e in result.errors] == [(5, "Qty"), (7, "Status")]
    bad_qty, bad_status = result.errors
    assert bad_qty.message == "File: Qty: not a whole quantity: 'x' (order A-3 not imported)"
    assert bad_qty.message_zh.endswith("（订单 A-3 未导入）")
    assert "'挂起' is not in the mapping (known: 待发货, 已完成, 已发货)" in bad_status.message


def test_xlsx_in_fen_shares_the_order_paid_amount_over_lines() -> None:
    data = xlsx(
        [
            ["订单号", "商品编码", "数量", "单价（分）", "实付（分）", "运费（分）", "行号", "币种"],
            ["B-1", "SKU-A", 1, 1000, 3600, 400, "L1", "usd"],
            ["B-1", "SKU-B", 1, 3000, None, None, "L2", None],
        ]
    )
    mapping = FieldMapping(
        platform_order_no="订单号",
        sku_code="商品编码",
        qty="数量",
        unit_price="单价（分）",
        order_paid="实付（分）",
        shipping="运费（分）",
        line_id="行号",
        currency="币种",
        money_unit=MoneyUnit.fen,
    )
    result = parse_mapped_table(data, "export.xlsx", mapping, now=NOW)
    assert result.errors == []
    (order,) = result.orders
    assert order.status is PlatformStatus.paid  # no status column: the default
    assert order.created_at == NOW  # no time column: the import time
    assert order.currency == "USD"
    assert (order.goods_minor, order.shipping_minor, order.discount_minor, order.paid_minor) == (4000, 400, 800, 3600)
    assert [(ln.platform_line_id, ln.paid_minor, ln.discount_minor) for ln in order.lines] == [
        ("L1", 800, 200),
        ("L2", 2400, 600),
    ]


def test_time_zone_option_and_offsets() -> None:
    data = "单号,编码,数量,时间\nC-1,S,1,2024-03-01 09:00\nC-2,S,1,2024-03-01T09:00:00+08:00\n".encode()
    mapping = FieldMapping(platform_order_no="单号", sku_code="编码", qty="数量", created_at="时间", time_zone="UTC")
    c1, c2 = parse_mapped_table(data, "t.csv", mapping).orders
    assert c1.created_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert c2.created_at == datetime(2024, 3, 1, 1, 0, tzinfo=UTC)


def test_empty_or_bad_time_is_a_row_error() -> None:
    data = "单号,编码,数量,时间\nD-1,S,1,\nD-2,S,1,yesterday\nD-3,S,1,2024-03-01 08:00:00\n".encode()
    mapping = FieldMapping(platform_order_no="单号", sku_code="编码", qty="数量", created_at="时间")
    result = parse_mapped_table(data, "t.csv", mapping)
    assert [o.platform_order_no for o in result.orders] == ["D-3"]
    assert result.orders[0].created_at == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert [(e.row, e.field) for e in result.errors] == [(2, "时间"), (3, "时间")]


def test_line_totals_only_give_the_unit_price_and_our_own_status_names_need_no_map() -> None:
    data = "no,sku,qty,total,state,refund\nE-1,S-1,3,10.00,SHIPPED,退款成功\nE-1,S-2,1,2.00,shipped,\n".encode()
    mapping = FieldMapping(
        platform_order_no="no",
        sku_code="sku",
        qty="qty",
        line_paid="total",
        status="state",
        refund="refund",
        refund_values={"退款成功": RefundState.refunded},
    )
    (order,) = parse_mapped_table(data, "t.csv", mapping, now=NOW).orders
    assert order.status is PlatformStatus.shipped
    first, second = order.lines
    assert (first.unit_price_minor, first.paid_minor, first.discount_minor, first.refund) == (
        333,
        1000,
        0,
        RefundState.refunded,
    )
    assert (second.unit_price_minor, second.refund) == (200, RefundState.none)
    assert (order.goods_minor, order.paid_minor) == (1199, 1200)


def test_missing_mapped_columns_are_listed_with_the_columns_found() -> None:
    mapping = FieldMapping(platform_order_no="订单号", sku_code="商家编码", qty="数量", buyer_message="买家留言")
    with pytest.raises(FileError) as caught:
        parse_mapped_table("订单号,数量,备注\nF-1,1,x\n".encode(), "f.csv", mapping)
    assert (
        caught.value.message == "Columns missing from the file: 商家编码, 买家留言. Columns found: 订单号, 数量, 备注"
    )
    assert "商家编码" in caught.value.message_zh


def test_mapped_header_matches_despite_spaces_and_case() -> None:
    data = b"ORDER NO ,Sku,qty\nG-1,S-1,2\n"
    mapping = FieldMapping(platform_order_no="Order No", sku_code="SKU", qty="Qty")
    (order,) = parse_mapped_table(data, "g.csv", mapping, now=NOW).orders
    assert (order.platform_order_no, order.lines[0].sku_code, order.lines[0].qty) == ("G-1", "S-1", 2)


def test_saved_mapping_is_checked_when_decoded() -> None:
    good = msgspec.json.decode(
        b'{"platform_order_no": "a", "sku_code": "b", "qty": "c", "status_values": {"x": "completed"}}',
        type=FieldMapping,
    )
    assert good.status_values == {"x": PlatformStatus.completed}
    assert good.columns() == {"platform_order_no": "a", "sku_code": "b", "qty": "c"}
    for bad in (
        b'{"platform_order_no": "a", "sku_code": "b", "qty": "c", "status_values": {"x": "done"}}',
        b'{"platform_order_no": "a", "sku_code": "", "qty": "c"}',
        b'{"platform_order_no": "a", "sku_code": "b", "qty": "c", "time_zone": "Mars/Base"}',
        b'{"platform_order_no": "a", "sku_code": "b", "qty": "c", "money_unit": "jiao"}',
        b'{"platform_order_no": "a", "sku_code": "b", "qty": "c", "colour": "d"}',
    ):
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(bad, type=FieldMapping)

"""Taobao/Tmall seller-centre exports (FORMATS.md §3.2) on hand-written fixtures with masked data."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook

from server.orders.adapters.taobao_csv import order_status, parse_taobao_export, refund_state
from server.orders.adapters.text_files import FileError
from server.orders.normalized import NormalizedOrder, ParseResult, PlatformStatus, Receiver, RefundState

pytestmark = pytest.mark.unit

# Classic GBK export. Headers carry trailing spaces as real ones do; ids are Excel-guarded, phones
# apostrophe-guarded, statuses use the full-width comma (one uses a half-width one, as after an
# Excel re-save). Row 4 has a bad amount; order …018 has no items in the item file.
ORDER_CSV = """\
订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系电话 ,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类,订单备注,宝贝总数量,店铺名称,退款金额
="2016123456789012",t**1,,190.00,10.00,200.00,195.50,买家已付款，等待卖家发货,请发顺丰,张**,浙江省 杭州市 西湖区 文三路100号 某小区1幢(310012),快递,,'138****1234,2024-03-01 09:05:00,2024-03-01 09:06:30,纯棉T恤,2,送小样,3,某某旗舰店,0.00
="2016123456789013",l**2,,59.90,0.00,59.90,59.90元,交易成功,,李**,湖北省  仙桃市 郑场镇 某路8号(433000),快递,'0728****5678,,2024-02-28 23:59:59,2024-03-01 00:00:10,马克杯,1,,1,某某旗舰店,
="2016123456789014",w**3,,12.3x,0.00,12.30,12.30,交易成功,,王**,北京 北京市 朝阳区 某街1号(100000),快递,,'137****0000,2024-03-01 10:00:00,2024-03-01 10:00:05,笔,1,,1,某某旗舰店,
="2016123456789015",z**4,,30.00,0.00,30.00,30.00,交易关闭,,赵**,上海 上海市 浦东新区 某路2号(200120),快递,,'136****1111,2024-03-02 12:00:00,2024-03-02 12:01:00,围巾,1,,1,某某旗舰店,30.00
="2016123456789016",q**5,,25.00,0.00,25.00,25.00,"卖家已发货,等待买家确认",,钱**,广东省 深圳市 南山区 某路3号(518000),快递,,'135****2222,2024-03-03 08:00:00,2024-03-03 08:00:30,帽子,1,,1,某某旗舰店,
="2016123456789017",s**6,,29.70,0.00,29.70,0.00,等待买家付款,,孙**,江苏省 南京市 玄武区 某路4号(210000),快递,,'134****3333,2024-03-04 20:00:00,,袜子,1,,3,某某旗舰店,
="2016123456789018",c**7,,10.00,0.00,10.00,10.00,交易成功,,陈**,四川省 成都市 武侯区 某路5号(610000),快递,,'133****4444,2024-03-05 07:00:00,2024-03-05 07:00:01,杯垫,1,,1,某某旗舰店,
"""  # noqa: E501 (rows as the file has them)

# Item export: order …012 has two items (the second with only 外部系统编号), …099 is in no order
# row, …014 belongs to the bad order row, …015's item was refunded and …016's refund is pending.
ITEM_CSV = """\
订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码,退款状态
="2016123456789012",纯棉T恤,80.00,2,,颜色分类:黑色;尺码:M,,,买家已付款，等待卖家发货,TS-BLK-M,没有申请退款
="2016123456789012",帆布袋,40.00,1,BAG-01,,,,买家已付款，等待卖家发货,,
="2016123456789013",马克杯,59.90,1,,,,,交易成功,MUG-1,
="2016123456789099",手机壳,19.90,1,,,,,交易成功,CASE-1,
="2016123456789014",笔,12.30,1,,,,,交易成功,PEN-1,
="2016123456789015",围巾,30.00,1,,,,,交易关闭,SC-1,退款成功
="2016123456789016",帽子,25.00,1,,,,,卖家已发货，等待买家确认,HAT-1,买家已经申请退款，等待卖家同意
="2016123456789017",袜子,9.90,3,,,,,等待买家付款,SOCK-1,
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def classic() -> ParseResult:
    return parse_taobao_export(ORDER_CSV.encode("gb18030"), ITEM_CSV.encode("gb18030"))


def by_no(result: ParseResult) -> dict[str, NormalizedOrder]:
    return {order.platform_order_no: order for order in result.orders}


def test_good_orders_parse_and_bad_ones_are_reported_by_row(classic: ParseResult) -> None:
    assert [o.platform_order_no for o in classic.orders] == [
        "2016123456789012",
        "2016123456789013",
        "2016123456789015",
        "2016123456789016",
        "2016123456789017",
    ]
    assert classic.rows == 7 + 8
    assert [(e.row, e.field) for e in classic.errors] == [(4, "买家应付货款"), (5, "订单编号"), (8, "订单编号")]
    bad_amount, no_order, no_items = classic.errors
    assert bad_amount.message.startswith("Order file: 买家应付货款: not an amount")
    assert bad_amount.message_zh.startswith("订单文件：")
    assert "2016123456789099 is not in the order file" in no_order.message
    assert no_order.message.startswith("Item file:")
    assert "2016123456789018 has no items" in no_items.message


def test_order_with_two_items_gets_amounts_in_fen(classic: ParseResult) -> None:
    order = by_no(classic)["2016123456789012"]
    assert order.platform == "taobao"
    assert order.status is PlatformStatus.paid
    assert order.created_at == utc(2024, 3, 1, 1, 5)
    assert order.paid_at == utc(2024, 3, 1, 1, 6, 30)
    assert (order.goods_minor, order.shipping_minor, order.discount_minor, order.paid_minor) == (
        20000,
        1000,
        1000,
        19550,
    )
    assert order.raw_amounts == {
        "买家应付货款": "190.00",
        "买家应付邮费": "10.00",
        "总金额": "200.00",
        "买家实际支付金额": "195.50",
        "退款金额": "0.00",
    }
    assert (order.buyer_id, order.buyer_message, order.seller_memo) == ("t**1", "请发顺丰", "送小样")
    shirt, bag = order.lines
    assert (shirt.platform_line_id, shirt.sku_code, shirt.title, shirt.spec) == (
        "1",
        "TS-BLK-M",
        "纯棉T恤",
        "颜色分类:黑色;尺码:M",
    )
    assert (shirt.qty, shirt.unit_price_minor, shirt.paid_minor, shirt.discount_minor) == (2, 8000, 15200, 800)
    assert (bag.platform_line_id, bag.sku_code, bag.qty, bag.unit_price_minor) == ("2", "BAG-01", 1, 4000)
    assert (bag.paid_minor, bag.discount_minor) == (3800, 200)
    assert shirt.paid_minor + bag.paid_minor + order.shipping_minor == 200_00
    assert shirt.refund is bag.refund is RefundState.none


def test_receiver_address_is_split_and_phone_unguarded(classic: ParseResult) -> None:
    assert by_no(classic)["2016123456789012"].receiver == Receiver(
        name="张**",
        phone="138****1234",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        address="文三路100号 某小区1幢",
        zip="310012",
    )


def test_province_administered_county_and_landline_only(classic: ParseResult) -> None:
    order = by_no(classic)["2016123456789013"]
    assert order.receiver == Receiver(
        name="李**",
        phone="0728****5678",
        province="湖北省",
        city="仙桃市",
        district="仙桃市",
        address="郑场镇 某路8号",
        zip="433000",
    )
    assert order.status is PlatformStatus.completed
    assert order.created_at == utc(2024, 2, 28, 15, 59, 59)
    assert order.paid_at == utc(2024, 2, 29, 16, 0, 10)  # Beijing midnight on 1 March 2024 is 29 Feb in UTC
    assert order.paid_minor == 5990  # "59.90元"
    assert order.lines[0].paid_minor == 5990


def test_statuses_and_refunds(classic: ParseResult) -> None:
    orders = by_no(classic)
    closed = orders["2016123456789015"]
    assert closed.status is PlatformStatus.cancelled
    assert closed.lines[0].refund is RefundState.refunded
    assert closed.raw_amounts["退款金额"] == "30.00"
    shipped = orders["2016123456789016"]
    assert shipped.status is PlatformStatus.shipped  # half-width comma accepted
    assert shipped.lines[0].refund is RefundState.requested
    unpaid = orders["2016123456789017"]
    assert unpaid.status is PlatformStatus.pending_payment
    assert unpaid.paid_at is None
    assert unpaid.paid_minor == 0
    assert (unpaid.lines[0].qty, unpaid.lines[0].unit_price_minor, unpaid.goods_minor) == (3, 990, 2970)


def test_utf8_with_bom_reads_the_same_as_gbk(classic: ParseResult) -> None:
    result = parse_taobao_export(ORDER_CSV.encode("utf-8-sig"), ITEM_CSV.encode("utf-8-sig"))
    assert result.orders == classic.orders
    assert result.errors == classic.errors


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_newer_xlsx_variant_with_renamed_headers_and_sub_orders() -> None:
    orders = xlsx(
        [
            [
                *["订单编号", "买家会员名", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额", "订单状态"],
                *["收货人姓名", "收货地址", "联系手机", "买家下单时间", "订单付款时间", "运单号"],
            ],
            [
                *["3900000000000000020", "k**8", "185.00", "0.00", "185.00", "185.00", "买家已付款，等待卖家发货"],
                *["周**", "福建省 厦门市 思明区 某路6号(361000)", "132****5555", datetime(2024, 6, 18, 0, 30)],
                *[datetime(2024, 6, 18, 0, 31), ""],
            ],
        ]
    )
    items = xlsx(
        [
            [
                "主订单编号",
                "子订单编号",
                "标题",
                "价格",
                "购买数量",
                "商家编码",
                "宝贝规格",
                "买家实际支付金额",
                "退款状态",
            ],
            ["3900000000000000020", "3900000000000000021", "外套", "100.00", 1, "COAT-L", "尺码:L", "90.00", ""],
            ["3900000000000000020", "3900000000000000022", "围巾", "50.00", 2, "SC-2", "", "95.00", "退款中"],
        ]
    )
    result = parse_taobao_export(orders, items)
    assert result.errors == []
    (order,) = result.orders
    assert order.created_at == utc(2024, 6, 17, 16, 30)
    assert order.paid_at == utc(2024, 6, 17, 16, 31)
    assert (order.goods_minor, order.discount_minor, order.paid_minor) == (20000, 1500, 18500)
    coat, scarf = order.lines
    assert (coat.platform_line_id, coat.sku_code, coat.spec, coat.paid_minor, coat.discount_minor) == (
        "3900000000000000021",
        "COAT-L",
        "尺码:L",
        9000,
        1000,
    )
    assert (scarf.platform_line_id, scarf.qty, scarf.paid_minor, scarf.discount_minor) == (
        "3900000000000000022",
        2,
        9500,
        500,
    )
    assert (coat.refund, scarf.refund) == (RefundState.none, RefundState.requested)


def test_without_item_file_or_merchant_code_asks_for_the_item_file() -> None:
    result = parse_taobao_export(ORDER_CSV.encode("gb18030"))
    assert result.orders == []
    assert [(e.row, e.field) for e in result.errors] == [(4, "买家应付货款"), (1, "商家编码")]
    assert "upload the item file" in result.errors[-1].message
    assert "宝贝报表" in result.errors[-1].message_zh


SINGLE_CSV = """\
订单编号,买家应付货款,买家应付邮费,总金额,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝种类,宝贝总数量,商家编码
="2016000000000101",100.00,5.00,105.00,105.00,买家已付款，等待卖家发货,2024-03-01 12:00:00,茶叶,1,3,TEA-1
="2016000000000102",20.00,0.00,20.00,20.00,买家已付款，等待卖家发货,2024-03-01 12:00:00,杂货,2,2,MIX
="2016000000000103",20.00,0.00,20.00,20.00,买家已付款，等待卖家发货,2024-03-01 12:00:00,无码,1,1,
"""


def test_without_item_file_one_line_per_order_from_the_merchant_code() -> None:
    result = parse_taobao_export(SINGLE_CSV.encode("gb18030"))
    (order,) = result.orders
    (line,) = order.lines
    assert (line.platform_line_id, line.sku_code, line.title, line.qty) == ("1", "TEA-1", "茶叶", 3)
    assert line.unit_price_minor == 3333  # 100.00 / 3, rounded half up
    assert (order.goods_minor, order.shipping_minor, order.discount_minor, order.paid_minor) == (10000, 500, 0, 10500)
    assert line.paid_minor == 10000
    assert [(e.row, e.field) for e in result.errors] == [(3, "宝贝种类"), (4, "商家编码")]


def test_files_in_the_wrong_slots_are_named() -> None:
    with pytest.raises(FileError) as caught:
        parse_taobao_export(ITEM_CSV.encode("gb18030"))
    assert caught.value.message.startswith("This is the item file")
    with pytest.raises(FileError) as caught:
        parse_taobao_export(ORDER_CSV.encode("gb18030"), ORDER_CSV.encode("gb18030"))
    assert caught.value.message.startswith("This is the order file")
    newer_items = (
        "主订单编号,子订单编号,订单状态,订单创建时间,价格,购买数量,商家编码\n"
        "1,2,交易成功,2024-03-01 12:00:00,1.00,1,A\n"
    )
    with pytest.raises(FileError) as caught:  # it has every column the order file needs, yet is no order file
        parse_taobao_export(newer_items.encode("gb18030"))
    assert caught.value.message_zh.startswith("这是宝贝报表")


def test_order_file_without_required_columns_is_a_file_error() -> None:
    with pytest.raises(FileError) as caught:
        parse_taobao_export("订单编号,收货地址\n1,x\n".encode("gb18030"))
    assert "订单状态" in caught.value.message and "订单创建时间/买家下单时间" in caught.value.message


def test_bad_item_row_drops_its_whole_order() -> None:
    orders = (
        "订单编号,买家应付货款,总金额,订单状态,订单创建时间\n"
        '="2016000000000201",30.00,30.00,交易成功,2024-03-01 12:00:00\n'
        '="2016000000000202",10.00,10.00,交易成功,2024-03-01 12:00:00\n'
    )
    items = (
        "订单编号,标题,价格,购买数量,商家编码\n"
        '="2016000000000201",甲,10.00,1,A-1\n'
        '="2016000000000201",乙,20.00,0,B-1\n'
        '="2016000000000202",丙,10.00,1,C-1\n'
    )
    result = parse_taobao_export(orders.encode("gb18030"), items.encode("gb18030"))
    assert [o.platform_order_no for o in result.orders] == ["2016000000000202"]
    assert [(e.row, e.field) for e in result.errors] == [(3, "购买数量"), (2, "订单编号")]
    assert "not imported" in result.errors[1].message and "item file row 3" in result.errors[1].message


def test_row_level_order_problems() -> None:
    orders = (
        "订单编号,买家应付货款,总金额,订单状态,订单创建时间,商家编码,宝贝总数量\n"
        "2.01612E+15,10.00,10.00,交易成功,2024-03-01 12:00:00,A,1\n"
        '="2016000000000302",10.00,10.00,已发货,2024-03-01 12:00:00,A,1\n'
        '="2016000000000303",10.00,10.00,交易成功,,A,1\n'
        '="2016000000000304",10.00,10.00,交易成功,2024-03-01 12:00:00,A,1\n'
        '="2016000000000304",10.00,10.00,交易成功,2024-03-01 12:00:00,A,1\n'
    )
    result = parse_taobao_export(orders.encode("gb18030"))
    assert [o.platform_order_no for o in result.orders] == ["2016000000000304"]
    assert [(e.row, e.field) for e in result.errors] == [
        (2, "订单编号"),
        (3, "订单状态"),
        (4, "订单创建时间"),
        (6, "订单编号"),
    ]
    excel, status, _, duplicate = result.errors
    assert "shortened by Excel" in excel.message
    assert "买家已付款，等待卖家发货" in status.message_zh
    assert "also on row 5" in duplicate.message


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("等待买家付款", PlatformStatus.pending_payment),
        ("买家已付款，等待卖家发货", PlatformStatus.paid),
        ("买家已付款,等待卖家发货", PlatformStatus.paid),
        ("卖家已发货，等待买家确认", PlatformStatus.shipped),
        ("交易成功", PlatformStatus.completed),
        ("交易关闭", PlatformStatus.cancelled),
    ],
)
def test_order_status_texts(text: str, status: PlatformStatus) -> None:
    assert order_status(text) is status


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("", RefundState.none),
        ("没有申请退款", RefundState.none),
        ("退款关闭", RefundState.none),
        ("退款成功", RefundState.refunded),
        ("退款中", RefundState.requested),
        ("买家已经申请退款，等待卖家同意", RefundState.requested),
        ("卖家已经同意退款，等待买家退货", RefundState.requested),
        ("卖家拒绝退款", RefundState.requested),
    ],
)
def test_refund_state_texts(text: str, state: RefundState) -> None:
    assert refund_state(text) is state

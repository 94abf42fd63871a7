"""Taobao/Tmall seller-centre exports ("已卖出的宝贝" → 批量导出) as normalized orders (FORMATS.md §3.2).

The seller centre exports two files: one row per order (``ExportOrderList….csv``) and one row per
item (``ExportOrderDetailList….csv``). Orders come from the first, their lines from the second
joined on the order number. Columns change between export versions, so everything is found by
header name and each field accepts its known spellings; a missing optional column reads as empty.

An order is imported whole or not at all: if one of its item rows is bad, shipping the others would
send a partial parcel, so the order is reported and skipped while every other order still goes in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import msgspec

from server.orders.adapters.text_files import (
    FileError,
    RowReader,
    Table,
    TableRow,
    find_header,
    find_table,
    header_key,
    read_rows,
)
from server.orders.normalized import (
    NormalizedLine,
    NormalizedOrder,
    ParseResult,
    PlatformStatus,
    Receiver,
    RefundState,
    RowError,
)
from server.orders.values import BadValue, allocate, china_time, money_minor, quantity, split_address

PLATFORM = "taobao"

# Each field's header spellings across export versions, the classic one first.
ORDER_NO = ("订单编号",)
ITEM_ORDER_NO = ("主订单编号", "订单编号")
SUB_ORDER_NO = ("子订单编号",)
BUYER = ("买家会员名", "买家昵称")
GOODS = ("买家应付货款",)
SHIPPING = ("买家应付邮费",)
TOTAL = ("总金额",)
PAID = ("买家实际支付金额", "买家实付金额")
STATUS = ("订单状态",)
BUYER_MESSAGE = ("买家留言",)
SELLER_MEMO = ("订单备注", "商家备注")
RECEIVER_NAME = ("收货人姓名",)
ADDRESS = ("收货地址",)
MOBILE = ("联系手机",)
PHONE = ("联系电话",)
CREATED = ("订单创建时间", "买家下单时间")
PAID_AT = ("订单付款时间", "付款时间")
ITEM_COUNT = ("宝贝总数量",)
ITEM_KINDS = ("宝贝种类",)
ORDER_TITLE = ("宝贝标题",)
ORDER_SPEC = ("宝贝规格",)
MERCHANT_CODE = ("商家编码",)
OUTER_ID = ("外部系统编号",)
TITLE = ("标题", "宝贝标题")
PRICE = ("价格",)
QTY = ("购买数量",)
SPEC = ("商品属性", "宝贝规格")
REFUND = ("退款状态",)
RAW_MONEY = ("买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "买家实付金额", "退款金额", "打款商家金额")
"""Order-level amounts kept as written, for reconciliation."""

_STATUSES = {
    "等待买家付款": PlatformStatus.pending_payment,
    "买家已付款,等待卖家发货": PlatformStatus.paid,
    "卖家已发货,等待买家确认": PlatformStatus.shipped,
    "交易成功": PlatformStatus.completed,
    "交易关闭": PlatformStatus.cancelled,
}
_NO_REFUND = frozenset({"", "无", "没有申请退款", "无退款"})
_EXCEL_NUMBER = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")

_ORDER_FILE = ("Order file", "订单文件")
_ITEM_FILE = ("Item file", "宝贝文件")


def order_status(value: str) -> PlatformStatus:
    """The export's Chinese status text; exports and Excel re-saves differ on the comma's width."""
    key = value.replace("，", ",").replace(" ", "")
    if key in _STATUSES:
        return _STATUSES[key]
    expected = "、".join(_STATUSES).replace(",", "，")
    raise BadValue(f"订单状态: unknown order status {value!r}", f"订单状态：无法识别「{value}」，应为 {expected} 之一")


def refund_state(value: str) -> RefundState:
    """退款状态 text → refund state. Any refund text that is neither "none", "closed" nor "succeeded" —
    requested, agreed, goods returned, refused and disputed — holds the line: shipping a line the
    buyer wants refunded costs more than waiting for the dispute to end."""
    text = value.replace(" ", "")
    if text in _NO_REFUND or "关闭" in text:
        return RefundState.none
    if "退款成功" in text or text == "已退款":
        return RefundState.refunded
    return RefundState.requested


def order_number(value: str) -> str:
    """A Taobao order number: digits only, and never in the scientific notation Excel turns long
    numbers into (re-export rather than guess the lost digits)."""
    if not value:
        raise BadValue("订单编号: the order number is empty", "订单编号：为空")
    if _EXCEL_NUMBER.match(value):
        raise BadValue(
            f"订单编号: {value!r} was shortened by Excel; export again and import the file without opening it",
            f"订单编号：{value} 已被 Excel 改成科学计数法，请重新导出后直接导入，不要用 Excel 打开保存",
        )
    if not value.isdigit():
        raise BadValue(f"订单编号: not a Taobao order number: {value!r}", f"订单编号：{value} 不是淘宝订单号")
    return value


class _Columns:
    """The header names this file uses for each field (``None`` when it lacks the column), looked up
    once per file rather than once per row."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.found: dict[tuple[str, ...], str | None] = {}

    def __getitem__(self, names: tuple[str, ...]) -> str | None:
        if names not in self.found:
            self.found[names] = self.table.has(*names)
        return self.found[names]


@dataclass
class _Pending:
    """An order read from the order file, waiting for its lines from the item file."""

    row: int
    order: NormalizedOrder
    payable_minor: int
    """总金额 (goods after the seller's discounts, plus shipping): the base for discounts and line shares."""
    lines: list[NormalizedLine] = field(default_factory=list)
    line_paid_known: bool = True
    """False when the item file has no per-line paid column: the lines get shares of the order's."""
    goods_from_order: bool = False
    """The one line was built from the order file: keep 买家应付货款 rather than a rounded unit × qty."""


def parse_taobao_export(order_file: bytes, item_file: bytes | None = None) -> ParseResult:
    """Orders from a seller-centre order export and, when given, its item export.

    Without the item file, each order becomes one line only if the order file carries a merchant
    code (商家编码) and a quantity — otherwise there is no SKU to reserve and the whole upload is
    refused with one error asking for the item file. Raises ``FileError`` when a file cannot be read
    or lacks the columns every export has."""
    orders = _read_file(order_file, items=False)
    items = _read_file(item_file, items=True) if item_file is not None else None
    errors: list[RowError] = []
    pending: dict[str, _Pending] = {}
    numbers: dict[str, int] = {}  # every order number the order file names, good row or bad → its first row
    order_cols = _Columns(orders)
    for row in orders:
        _read_order_row(row, order_cols, pending, numbers, errors)
    rows = len(orders.rows)
    if items is not None:
        rows += len(items.rows)
        _attach_items(items, pending, numbers, errors)
    else:
        single = _single_line_orders(orders, pending, errors)
        if single is not None:
            errors.append(single)
            return ParseResult(orders=[], errors=errors, rows=rows)
    return ParseResult(orders=[_finish(p) for p in pending.values()], errors=errors, rows=rows)


_ORDER_REQUIRED = (ORDER_NO, STATUS, CREATED)
_ITEM_REQUIRED = (ITEM_ORDER_NO, PRICE, QTY)
_RECEIVER_COLUMNS = (ADDRESS, RECEIVER_NAME, MOBILE, PHONE)
"""Only the order file has these; only the item file has 购买数量: together they tell the files apart."""


def _read_file(data: bytes, *, items: bool) -> Table:
    """The order or item table. Both files have 订单编号, 订单状态 and (newer ones) the order times,
    and their names look alike, so a file chosen in the wrong slot is named as such rather than
    reported as missing columns or read as rows of nonsense."""
    rows = read_rows(data)
    kind = _export_kind(rows)
    if items and kind == "orders":
        raise FileError(
            "This is the order file (ExportOrderList); choose the item file (ExportOrderDetailList) for items",
            "这是订单报表（ExportOrderList），请在「宝贝报表」处选择宝贝报表（ExportOrderDetailList）",
        )
    if not items and kind == "items":
        raise FileError(
            "This is the item file (ExportOrderDetailList); choose the order file (ExportOrderList) for orders",
            "这是宝贝报表（ExportOrderDetailList），请在「订单报表」处选择订单报表（ExportOrderList）",
        )
    return find_table(rows, _ITEM_REQUIRED if items else _ORDER_REQUIRED)


def _export_kind(rows: list[list[str]]) -> str | None:
    """``orders`` or ``items`` by the header's columns; ``None`` when it is neither clearly."""
    try:
        _, names = find_header(rows, [ITEM_ORDER_NO])
    except FileError:
        return None
    keys = {header_key(name) for name in names}
    receiver = any(header_key(name) in keys for names in _RECEIVER_COLUMNS for name in names)
    qty = any(header_key(name) in keys for name in QTY)
    return "orders" if receiver and not qty else "items" if qty and not receiver else None


def _read_order_row(
    row: TableRow, cols: _Columns, pending: dict[str, _Pending], numbers: dict[str, int], errors: list[RowError]
) -> None:
    r = RowReader(row, *_ORDER_FILE)
    number = r.read(cols[ORDER_NO], order_number, "")
    if number in numbers:
        r.fail(
            cols[ORDER_NO] or "订单编号",
            f"order {number} is also on row {numbers[number]}",
            f"订单 {number} 与第 {numbers[number]} 行重复",
        )
        errors.extend(r.errors)
        return
    if number:
        numbers[number] = row.number
    status = r.read(cols[STATUS], order_status, PlatformStatus.paid)
    before = len(r.errors)
    created = r.read(cols[CREATED], china_time, None)
    if created is None and len(r.errors) == before:
        r.fail(cols[CREATED] or "订单创建时间", "the order time is empty", "下单时间为空")
    paid_at = r.read(cols[PAID_AT], china_time, None)
    goods = r.read(cols[GOODS], lambda v: money_minor(v, field=cols[GOODS] or ""), 0)
    shipping = r.read(cols[SHIPPING], lambda v: money_minor(v, field=cols[SHIPPING] or ""), 0)
    total = r.read(cols[TOTAL], lambda v: money_minor(v, field=cols[TOTAL] or "") if v else None, None)
    paid = r.read(cols[PAID], lambda v: money_minor(v, field=cols[PAID] or "") if v else None, None)
    if r.errors or created is None:
        errors.extend(r.errors)
        return
    payable = total if total is not None else paid if paid is not None else goods + shipping
    address = split_address(r.text(cols[ADDRESS]))
    order = NormalizedOrder(
        platform=PLATFORM,
        platform_order_no=number,
        status=status,
        created_at=created,
        paid_at=paid_at,
        goods_minor=goods,
        shipping_minor=shipping,
        paid_minor=paid if paid is not None else payable,
        buyer_id=r.text(cols[BUYER]),
        buyer_message=r.text(cols[BUYER_MESSAGE]),
        seller_memo=r.text(cols[SELLER_MEMO]),
        receiver=Receiver(
            name=r.text(cols[RECEIVER_NAME]),
            phone=r.text(cols[MOBILE]) or r.text(cols[PHONE]),
            province=address.province,
            city=address.city,
            district=address.district,
            town=address.town,
            address=address.address,
            zip=address.zip,
        ),
        lines=[],
        raw_amounts={name: row.get(name) for name in RAW_MONEY if row.get(name)},
    )
    pending[number] = _Pending(row=row.number, order=order, payable_minor=payable)


def _attach_items(items: Table, pending: dict[str, _Pending], numbers: dict[str, int], errors: list[RowError]) -> None:
    cols = _Columns(items)
    broken: dict[str, int] = {}  # order dropped for a bad item row → that row (reported once, on the order row)
    line_ids: dict[tuple[str, str], int] = {}
    line_paid_col = cols[PAID]
    for row in items:
        r = RowReader(row, *_ITEM_FILE)
        number = r.read(cols[ITEM_ORDER_NO], order_number, "")
        if r.errors:
            errors.extend(r.errors)
            continue
        if number not in numbers:
            r.fail(
                cols[ITEM_ORDER_NO] or "订单编号",
                f"order {number} is not in the order file; export both files for the same period",
                f"订单 {number} 不在订单报表中，请导出同一时间段的订单报表和宝贝报表",
            )
            errors.extend(r.errors)
            continue
        target = pending.get(number)
        if target is None:  # the order row itself was bad and is already reported
            continue
        sku = r.text(cols[MERCHANT_CODE]) or r.text(cols[OUTER_ID])
        if not sku:
            r.fail(
                cols[MERCHANT_CODE] or cols[OUTER_ID] or "商家编码",
                "the item has no merchant code (商家编码); set it in the seller centre so the SKU can be found",
                "宝贝没有商家编码，无法匹配商品，请在卖家中心填写商家编码",
            )
        qty = r.read(cols[QTY], lambda v: quantity(v, field=cols[QTY] or ""), 1)
        price = r.read(cols[PRICE], lambda v: money_minor(v, field=cols[PRICE] or ""), 0)
        paid = r.read(line_paid_col, lambda v: money_minor(v, field=line_paid_col or ""), 0)
        line_id = r.text(cols[SUB_ORDER_NO]) or str(len(target.lines) + 1)
        if (number, line_id) in line_ids:
            r.fail(
                cols[SUB_ORDER_NO] or "子订单编号",
                f"sub-order {line_id} is also on row {line_ids[number, line_id]}",
                f"子订单 {line_id} 与第 {line_ids[number, line_id]} 行重复",
            )
        if r.errors:
            errors.extend(r.errors)
            broken.setdefault(number, row.number)
            continue
        line_ids[number, line_id] = row.number
        target.line_paid_known = line_paid_col is not None
        target.lines.append(
            NormalizedLine(
                platform_line_id=line_id,
                sku_code=sku,
                title=r.text(cols[TITLE]),
                spec=r.text(cols[SPEC]),
                qty=qty,
                unit_price_minor=price,
                discount_minor=max(0, price * qty - paid),
                paid_minor=paid,
                refund=refund_state(r.text(cols[REFUND])),
            )
        )
    for number, item_row in broken.items():
        dropped = pending.pop(number)
        errors.append(
            RowError(
                row=dropped.row,
                field="订单编号",
                message=f"Order file: order {number} not imported: its item on item file row {item_row} has errors",
                message_zh=f"订单文件：订单 {number} 未导入：宝贝文件第 {item_row} 行有错误",
            )
        )
    for number in [n for n, p in pending.items() if not p.lines]:
        dropped = pending.pop(number)
        errors.append(
            RowError(
                row=dropped.row,
                field="订单编号",
                message=f"Order file: order {number} has no items in the item file; "
                "export both files for the same period",
                message_zh=f"订单文件：订单 {number} 在宝贝报表中没有宝贝，请导出同一时间段的两个报表",
            )
        )


def _single_line_orders(orders: Table, pending: dict[str, _Pending], errors: list[RowError]) -> RowError | None:
    """One line per order from the order file alone, when it names the SKU; else the one error that
    asks for the item file."""
    cols = _Columns(orders)
    code_col = cols[MERCHANT_CODE] or cols[OUTER_ID]
    count_col = cols[ITEM_COUNT]
    if code_col is None or count_col is None:
        return RowError(
            row=1,
            field="商家编码",
            message="The order file does not say which SKUs were bought (商家编码, 宝贝总数量); upload the item "
            "file (ExportOrderDetailList….csv) exported with it",
            message_zh="订单报表中没有商家编码或宝贝总数量，无法确定商品，请同时上传宝贝报表（ExportOrderDetailList….csv）",
        )
    by_row = {row.number: row for row in orders}
    for number, target in list(pending.items()):
        row = by_row[target.row]
        r = RowReader(row, *_ORDER_FILE)
        kinds = r.read(cols[ITEM_KINDS], lambda v: quantity(v, field="宝贝种类") if v else 1, 1)
        if kinds > 1:
            r.fail(
                cols[ITEM_KINDS] or "宝贝种类",
                f"order {number} has {kinds} different items; upload the item file to import it",
                f"订单 {number} 含 {kinds} 种宝贝，请同时上传宝贝报表",
            )
        sku = r.required(code_col, "merchant code", "商家编码")
        qty = r.read(count_col, lambda v: quantity(v, field=count_col), 1)
        if r.errors:
            errors.extend(r.errors)
            del pending[number]
            continue
        goods = target.order.goods_minor
        unit = int((Decimal(goods) / qty).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        paid = max(0, target.payable_minor - target.order.shipping_minor)
        target.goods_from_order = True
        target.lines.append(
            NormalizedLine(
                platform_line_id="1",
                sku_code=sku,
                title=r.text(cols[ORDER_TITLE]),
                spec=r.text(cols[ORDER_SPEC]),
                qty=qty,
                unit_price_minor=unit,
                discount_minor=max(0, goods - paid),
                paid_minor=paid,
            )
        )
    return None


def _finish(p: _Pending) -> NormalizedOrder:
    """The order with its lines and the amounts that depend on them.

    Item prices are list prices, so goods = Σ price × qty and the seller's discounts are what
    separates that from 总金额. Platform-funded deductions (coupons, 集分宝) that make 买家实际支付金额
    lower still are not the seller's discount; they stay visible in ``raw_amounts``. When the item
    file has no per-line paid amount, the order's goods payable is shared over the lines."""
    lines = p.lines
    goods = p.order.goods_minor if p.goods_from_order else sum(line.unit_price_minor * line.qty for line in lines)
    if not p.line_paid_known:
        shares = allocate(
            max(0, p.payable_minor - p.order.shipping_minor), [line.unit_price_minor * line.qty for line in lines]
        )
        lines = [
            msgspec.structs.replace(
                line, paid_minor=share, discount_minor=max(0, line.unit_price_minor * line.qty - share)
            )
            for line, share in zip(lines, shares, strict=True)
        ]
    discount = max(0, goods + p.order.shipping_minor - p.payable_minor)
    return msgspec.structs.replace(p.order, goods_minor=goods, discount_minor=discount, lines=lines)

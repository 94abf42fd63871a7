"""Orders from any platform's spreadsheet, read through a field mapping the merchant saved (字段映射).

Platforms without an adapter (or a merchant's own sales sheet) still export a table with one row
per order line. The merchant says once which column holds which field; every later upload of that
platform's export is read with the same mapping. Rows sharing an order number form one order, in
file order, whether or not they are adjacent; the order's own values come from its first row, so a
file that repeats them on every line and one that fills them only once both read the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from server.orders.adapters.text_files import RowReader, read_table
from server.orders.normalized import (
    NormalizedLine,
    NormalizedOrder,
    ParseResult,
    PlatformStatus,
    Receiver,
    RefundState,
    RowError,
)
from server.orders.values import BadValue, allocate, local_time, money_minor, quantity, split_address


class MoneyUnit(StrEnum):
    yuan = "yuan"
    """Major units with decimals ("19.90"), as most exports write."""
    fen = "fen"
    """Whole minor units (1990), as Douyin-style exports write."""


class FieldMapping(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """For each normalized field, the header of the column that holds it ("" = the file has none),
    plus how to read the values. Saved per channel and decoded with msgspec, which checks the
    status values and unit; ``__post_init__`` checks the rest so a bad mapping fails when saved."""

    # Required: without these there is no order, no SKU to reserve and nothing to pick.
    platform_order_no: str
    sku_code: str
    qty: str
    # Line columns.
    line_id: str = ""
    """The platform's line id; the row's position within its order when empty."""
    title: str = ""
    spec: str = ""
    platform_sku_id: str = ""
    unit_price: str = ""
    """List price of one unit."""
    line_discount: str = ""
    """Discount on the whole line (all units)."""
    line_paid: str = ""
    """What the buyer paid for the whole line; shares of the order's paid amount when unmapped."""
    refund: str = ""
    # Order columns, read from the order's first row.
    status: str = ""
    created_at: str = ""
    """Order time; the import time when unmapped."""
    paid_at: str = ""
    currency: str = ""
    shipping: str = ""
    order_paid: str = ""
    """What the buyer paid for the whole order, shipping included."""
    buyer_id: str = ""
    buyer_message: str = ""
    seller_memo: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    receiver_country: str = ""
    receiver_province: str = ""
    receiver_city: str = ""
    receiver_district: str = ""
    receiver_town: str = ""
    receiver_address: str = ""
    receiver_zip: str = ""
    receiver_full_address: str = ""
    """One cell "省 市 区 detail(zip)", split as Taobao's is; the separate receiver columns win where set."""
    # How to read the values.
    money_unit: MoneyUnit = MoneyUnit.yuan
    time_zone: str = "Asia/Shanghai"
    """The zone of times written without an offset."""
    status_values: dict[str, PlatformStatus] = msgspec.field(default_factory=dict)
    """The platform's status text → status; matched ignoring case and surrounding spaces."""
    default_status: PlatformStatus = PlatformStatus.paid
    """For files without a status column (or an empty cell): most uploads are orders waiting to ship."""
    refund_values: dict[str, RefundState] = msgspec.field(default_factory=dict)
    default_currency: str = "CNY"

    def __post_init__(self) -> None:
        for name in ("platform_order_no", "sku_code", "qty"):
            if not getattr(self, name).strip():
                raise ValueError(f"the column for {name} is required")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc

    def columns(self) -> dict[str, str]:
        """Mapped field → column header, for the fields that name a column."""
        return {name: getattr(self, name) for name in COLUMN_FIELDS if getattr(self, name).strip()}


COLUMN_FIELDS = tuple(
    name
    for name in FieldMapping.__struct_fields__
    if name not in {"money_unit", "time_zone", "status_values", "default_status", "refund_values", "default_currency"}
)


E = TypeVar("E", PlatformStatus, RefundState)


def _lookup(values: Mapping[str, E], enum: type[E], text: str) -> E | None:
    """The mapped value for ``text``, or the state itself when the file already writes our names."""
    key = text.strip().casefold()
    found = next((value for name, value in values.items() if name.strip().casefold() == key), None)
    if found is None and key in {member.value for member in enum}:
        found = enum(key)
    return found


@dataclass
class _Group:
    order: NormalizedOrder | None
    """The order-level values read from the first row; ``None`` when that row was bad."""
    order_paid: int | None = None
    lines: list[NormalizedLine] = field(default_factory=list)
    line_paid: list[int | None] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)


class _Reader:
    """Reads rows with one mapping: the column names, unit and zone resolved once per file."""

    def __init__(self, mapping: FieldMapping, platform: str, now: datetime) -> None:
        self.m = mapping
        self.platform = platform
        self.now = now
        self.zone = ZoneInfo(mapping.time_zone)

    def money(self, r: RowReader, column: str) -> int:
        return r.read(column, lambda v: money_minor(v, unit=self.m.money_unit, field=column), 0)

    def optional_money(self, r: RowReader, column: str) -> int | None:
        return r.read(column, lambda v: money_minor(v, unit=self.m.money_unit, field=column) if v else None, None)

    def status(self, text: str) -> PlatformStatus:
        if not text:
            return self.m.default_status
        found = _lookup(self.m.status_values, PlatformStatus, text)
        if found is None:
            known = ", ".join(self.m.status_values) or "-"
            raise BadValue(
                f"{self.m.status}: status {text!r} is not in the mapping (known: {known})",
                f"{self.m.status}：状态「{text}」未在字段映射中设置（已设置：{known}）",
            )
        return found

    def refund(self, text: str) -> RefundState:
        if not text:
            return RefundState.none
        found = _lookup(self.m.refund_values, RefundState, text)
        if found is None:
            known = ", ".join(self.m.refund_values) or "-"
            raise BadValue(
                f"{self.m.refund}: refund state {text!r} is not in the mapping (known: {known})",
                f"{self.m.refund}：退款状态「{text}」未在字段映射中设置（已设置：{known}）",
            )
        return found

    def order(self, r: RowReader, number: str) -> tuple[NormalizedOrder, int | None] | None:
        """The order-level values of an order's first row, with the order's paid amount when the file
        gives one (lines, goods and discount are filled in once all its rows are read)."""
        m = self.m
        status = r.read(m.status, self.status, m.default_status)
        before = len(r.errors)
        created = r.read(m.created_at, lambda v: local_time(v, self.zone, field=m.created_at), None)
        if created is None and m.created_at and len(r.errors) == before:
            r.fail(m.created_at, f"{m.created_at}: the order time is empty", f"{m.created_at}：下单时间为空")
        paid_at = r.read(m.paid_at, lambda v: local_time(v, self.zone, field=m.paid_at), None)
        shipping = self.money(r, m.shipping)
        paid = self.optional_money(r, m.order_paid)
        if r.errors:
            return None
        address = split_address(r.text(m.receiver_full_address))
        raw = {column: r.text(column) for column in (m.shipping, m.order_paid) if r.text(column)}
        order = NormalizedOrder(
            platform=self.platform,
            platform_order_no=number,
            status=status,
            created_at=created or self.now,
            paid_at=paid_at,
            currency=(r.text(m.currency) or m.default_currency).upper(),
            goods_minor=0,
            shipping_minor=shipping,
            paid_minor=0,
            buyer_id=r.text(m.buyer_id),
            buyer_message=r.text(m.buyer_message),
            seller_memo=r.text(m.seller_memo),
            receiver=Receiver(
                name=r.text(m.receiver_name),
                phone=r.text(m.receiver_phone),
                country=r.text(m.receiver_country) or "CN",
                province=r.text(m.receiver_province) or address.province,
                city=r.text(m.receiver_city) or address.city,
                district=r.text(m.receiver_district) or address.district,
                town=r.text(m.receiver_town) or address.town,
                address=r.text(m.receiver_address) or address.address,
                zip=r.text(m.receiver_zip) or address.zip,
            ),
            lines=[],
            raw_amounts=raw,
        )
        return order, paid

    def line(self, r: RowReader, position: int) -> tuple[NormalizedLine, int | None] | None:
        """One row's line, with its paid amount when the file gives one (directly or as list − discount);
        ``None`` there lets the order's paid amount be shared over the line."""
        m = self.m
        sku = r.required(m.sku_code, "SKU code", "商品编码")
        qty = r.read(m.qty, lambda v: quantity(v, field=m.qty), 1)
        price = self.money(r, m.unit_price)
        discount = self.optional_money(r, m.line_discount)
        paid = self.optional_money(r, m.line_paid)
        refund = r.read(m.refund, self.refund, RefundState.none)
        if r.errors:
            return None
        if not m.unit_price and paid is not None:  # a file with only line totals: the unit price follows
            price = int((Decimal(paid) / qty).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if discount is None:
            discount = max(0, price * qty - paid) if paid is not None else 0
        elif paid is None:
            paid = price * qty - discount  # a stated discount fixes the line's paid amount
        line = NormalizedLine(
            platform_line_id=r.text(m.line_id) or str(position),
            sku_code=sku,
            title=r.text(m.title),
            spec=r.text(m.spec),
            platform_sku_id=r.text(m.platform_sku_id),
            qty=qty,
            unit_price_minor=price,
            discount_minor=discount,
            paid_minor=price * qty - discount if paid is None else paid,
            refund=refund,
        )
        return line, paid


def parse_mapped_table(
    data: bytes, filename: str, mapping: FieldMapping, platform: str = "csv", *, now: datetime | None = None
) -> ParseResult:
    """Orders from a CSV/XLSX upload read with ``mapping``.

    Raises ``FileError`` when the file cannot be read or lacks a mapped column (the message lists
    the missing columns and those found). A bad row drops its whole order, reported on each bad row,
    since importing the rest of an order would ship it short. ``now`` stands in for the order time
    when the mapping has no time column."""
    columns = mapping.columns()
    table = read_table(data, [(header,) for header in dict.fromkeys(columns.values())], filename)
    reader = _Reader(mapping, platform, now or datetime.now(UTC))
    groups: dict[str, _Group] = {}
    errors: list[RowError] = []
    for row in table:
        r = RowReader(row, "File", "文件")
        number = r.required(mapping.platform_order_no, "order number", "订单号")
        if not number:
            errors.extend(r.errors)
            continue
        group = groups.get(number)
        if group is None:
            head = reader.order(r, number)
            group = groups[number] = _Group(order=head[0] if head else None, order_paid=head[1] if head else None)
        read = reader.line(r, len(group.lines) + len(group.bad_rows) + 1)
        if read is None:
            group.bad_rows.append(row.number)
            errors.extend(_not_imported(r.errors, number))
            continue
        group.lines.append(read[0])
        group.line_paid.append(read[1])
    orders = [_finish(group) for group in groups.values() if group.order is not None and not group.bad_rows]
    return ParseResult(orders=orders, errors=errors, rows=len(table.rows))


def _not_imported(errors: list[RowError], number: str) -> list[RowError]:
    """Row errors that also say the row's whole order stays out, so nobody looks for a half order."""
    return [
        msgspec.structs.replace(
            error,
            message=f"{error.message} (order {number} not imported)",
            message_zh=f"{error.message_zh}（订单 {number} 未导入）",
        )
        for error in errors
    ]


def _finish(group: _Group) -> NormalizedOrder:
    """Goods, discount and paid amounts from the lines; without an order total, the order's paid amount
    is its lines' plus shipping (not goods − discount, which a rounded unit price would knock off by a fen).

    When the file gives the order's paid amount but not each line's, the lines get shares of it (in
    proportion to their list amounts) and their discounts follow, so the lines add up to what the
    buyer paid and the books balance."""
    order = group.order
    assert order is not None
    lines = list(group.lines)
    unknown = [i for i, paid in enumerate(group.line_paid) if paid is None]
    if group.order_paid is not None and unknown:
        known = sum(paid for paid in group.line_paid if paid is not None)
        goods_paid = max(0, group.order_paid - order.shipping_minor - known)
        shares = allocate(goods_paid, [_list_minor(lines[i]) for i in unknown])
        for i, share in zip(unknown, shares, strict=True):
            lines[i] = msgspec.structs.replace(
                lines[i], paid_minor=share, discount_minor=max(0, _list_minor(lines[i]) - share)
            )
    goods = sum(_list_minor(line) for line in lines)
    discount = sum(line.discount_minor for line in lines)
    paid = (
        group.order_paid if group.order_paid is not None else sum(ln.paid_minor for ln in lines) + order.shipping_minor
    )
    return msgspec.structs.replace(order, goods_minor=goods, discount_minor=discount, paid_minor=paid, lines=lines)


def _list_minor(line: NormalizedLine) -> int:
    return line.unit_price_minor * line.qty

"""Pinduoduo orders: ``pdd.order.list.get``, ``pdd.order.number.list.increment.get`` pages and
``pdd.order.information.get`` answers.

Our own client fetches these, so nothing inbound is signed. Money is yuan as JSON doubles (``19.9``),
read from the number's text, never through binary floats; times are Beijing strings or Unix seconds
depending on the API. Lines have no sub-order id (a line is its position) and no paid amount, so the
order's discount is spread over them by list value (FORMATS.md §4.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from server.orders.adapters.base import OutboundCall
from server.orders.adapters.payload import (
    AmountReader,
    json_id,
    json_int,
    json_list,
    json_object,
    json_text,
    read_payload,
)
from server.orders.normalized import (
    NormalizedLine,
    NormalizedOrder,
    ParseResult,
    PlatformStatus,
    Receiver,
    RefundState,
)
from server.orders.values import BadValue, allocate, china_time, quantity, unix_time

_STATUSES = {1: PlatformStatus.paid, 2: PlatformStatus.shipped, 3: PlatformStatus.completed}
"""``order_status``: 1 待发货, 2 已发货待签收, 3 已签收. Unpaid orders never reach the open API."""
_REFUNDED = 4
"""``refund_status`` 4 退款成功: the order is cancelled. 2 售后处理中 and 3 退款中 hold its lines."""
_REFUNDING = frozenset({2, 3})
_LISTS = ("order_list", "order_sn_list")
_PROTECTED = ("receiver_name", "receiver_phone", "receiver_address", "address")
"""Receiver fields that hold ciphertext while the order waits to ship, each with a ``*_mask`` twin."""


class PddAdapter:
    platform: ClassVar[str] = "pdd"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Pages our client fetched: there is no inbound signature to check."""
        return True

    def parse(self, body: bytes) -> ParseResult:
        return read_payload(body, _orders_in, _order, order_no=lambda raw: json_text(raw.get("order_sn")))

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """``pdd.logistics.online.send`` ships the whole order (PDD orders are not split by line), so
        ``platform_line_ids`` is not sent; ``logistics_id`` is PDD's numeric carrier id."""
        return OutboundCall(
            platform=self.platform,
            method="pdd.logistics.online.send",
            params={"order_sn": platform_order_no, "logistics_id": carrier_code, "tracking_number": waybill_no},
        )

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """``pdd.goods.quantity.update`` with ``update_type`` 1 (set, not add). ``platform_sku_id`` is
        ``goods_id/sku_id`` as lines record it: the API needs the goods id even for a SKU."""
        goods_id, _, sku_id = platform_sku_id.partition("/")
        if not goods_id:
            raise ValueError(f"pdd stock update for {sku_code!r} needs the goods_id")
        params: dict[str, Any] = {"goods_id": goods_id, "quantity": available, "update_type": 1}
        if sku_id:
            params["sku_id"] = sku_id
        return OutboundCall(platform=self.platform, method="pdd.goods.quantity.update", params=params)


def _orders_in(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    body = json_object(payload, field="body")
    if "error_response" in body:
        error = json_object(body["error_response"], field="error_response")
        detail = " ".join(
            json_text(error.get(key)) for key in ("error_code", "error_msg", "sub_code", "sub_msg") if error.get(key)
        )
        raise BadValue(
            f"error_response: PDD refused the call: {detail}", f"error_response：拼多多接口返回错误：{detail}"
        )
    if "order_sn" in body:
        return [body]
    for key, value in body.items():
        if not key.endswith("_response"):
            continue
        response = json_object(value, field=key)
        if "order_info" in response:
            return [response["order_info"]]
        for name in _LISTS:
            if name in response:
                return json_list(response[name], field=f"{key}.{name}")
        return []
    raise BadValue("body: no order in the payload", "body：数据中没有订单")


def _time(raw: dict[str, Any], key: str) -> datetime | None:
    """List and detail APIs write ``yyyy-MM-dd HH:mm:ss`` Beijing time; increment and push payloads
    Unix seconds. Digits alone are the latter."""
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return unix_time(value, field=key)
    text = json_text(value, field=key)
    if text.isdigit():
        return unix_time(text, field=key)
    return china_time(text, field=key)


def _order(value: Any) -> NormalizedOrder:
    raw = json_object(value, field="order")
    money = AmountReader()
    order_sn = json_id(raw.get("order_sn"), field="order_sn")
    status_code = json_int(raw.get("order_status"), field="order_status")
    if status_code not in _STATUSES:
        raise BadValue(f"order_status: unknown status {status_code!r}", f"order_status：未知的订单状态 {status_code!r}")
    refund_code = json_int(raw.get("refund_status"), field="refund_status")
    created_at = _time(raw, "created_time")
    if created_at is None:
        raise BadValue("created_time: missing", "created_time：缺失")
    refund = (
        RefundState.refunded
        if refund_code == _REFUNDED
        else (RefundState.requested if refund_code in _REFUNDING else RefundState.none)
    )
    shipping = money(raw.get("postage"), "postage")
    paid = money(raw.get("pay_amount"), "pay_amount")
    lines = _lines(raw, money, refund, shipping=shipping, paid=paid)
    goods = sum(line.unit_price_minor * line.qty for line in lines)
    for key in ("goods_amount", "discount_amount", "platform_discount", "seller_discount", "capital_free_discount"):
        money.keep(raw.get(key), key)
    money.keep(raw.get("order_change_amount"), "order_change_amount")
    flag = json_int(raw.get("remark_tag"), field="remark_tag")
    return NormalizedOrder(
        platform="pdd",
        platform_order_no=order_sn,
        status=PlatformStatus.cancelled if refund_code == _REFUNDED else _STATUSES[status_code],
        created_at=created_at,
        paid_at=_time(raw, "pay_time") or _time(raw, "confirm_time"),
        updated_at=_time(raw, "updated_at"),
        goods_minor=goods,
        shipping_minor=shipping,
        discount_minor=goods + shipping - paid,
        paid_minor=paid,
        buyer_message=json_text(raw.get("buyer_memo"), field="buyer_memo"),
        seller_memo=json_text(raw.get("remark"), field="remark"),
        seller_flag=flag or None,
        ship_by=_time(raw, "last_ship_time"),
        presale=json_int(raw.get("is_pre_sale"), field="is_pre_sale") == 1
        or json_int(raw.get("trade_type"), field="trade_type") == 1,
        tags=_tags(json_list(raw.get("order_tag_list"), field="order_tag_list")),
        receiver=_receiver(raw),
        lines=lines,
        raw_amounts=money.raw,
    )


def _lines(
    raw: dict[str, Any], money: AmountReader, refund: RefundState, *, shipping: int, paid: int
) -> list[NormalizedLine]:
    """Bought items then gifts (``gift_list``, same shape): a gift is a line at price 0, since the buyer
    paid nothing for it, so the discount is shared among the bought lines only."""
    entries: list[tuple[str, dict[str, Any], bool]] = []
    for name, gift in (("item_list", False), ("gift_list", True)):
        for i, item in enumerate(json_list(raw.get(name), field=name)):
            entries.append((f"{name}[{i}]", json_object(item, field=f"{name}[{i}]"), gift))
    if not any(not gift for _, _, gift in entries):
        raise BadValue("item_list: the order has no items", "item_list：订单没有商品")
    qtys = [
        quantity(json_text(item.get("goods_count"), field=f"{path}.goods_count"), field=f"{path}.goods_count")
        for path, item, _ in entries
    ]
    prices = [money(item.get("goods_price"), f"{path}.goods_price") for path, item, _ in entries]
    units = [0 if gift else price for (_, _, gift), price in zip(entries, prices, strict=True)]
    gross = [unit * qty for unit, qty in zip(units, qtys, strict=True)]
    shares = allocate(sum(gross) + shipping - paid, gross)
    lines = []
    for i, (path, item, _) in enumerate(entries):
        goods_id = json_text(item.get("goods_id"), field=f"{path}.goods_id")
        sku_id = json_text(item.get("sku_id"), field=f"{path}.sku_id")
        lines.append(
            NormalizedLine(
                platform_line_id=str(i + 1),
                sku_code=json_text(item.get("outer_id"), field=f"{path}.outer_id")
                or json_text(item.get("outer_goods_id"), field=f"{path}.outer_goods_id"),
                title=json_text(item.get("goods_name"), field=f"{path}.goods_name"),
                spec=json_text(item.get("goods_spec"), field=f"{path}.goods_spec"),
                platform_sku_id=f"{goods_id}/{sku_id}" if sku_id else goods_id,
                qty=qtys[i],
                unit_price_minor=units[i],
                discount_minor=shares[i],
                paid_minor=gross[i] - shares[i],
                refund=refund,
            )
        )
    return lines


def _tags(entries: list[Any]) -> list[str]:
    """``order_tag_list`` names every tag with ``value`` 1 for set and 0 for not: only the set ones count."""
    return [
        json_text(entry.get("name"))
        for entry in entries
        if isinstance(entry, dict) and json_text(entry.get("value")) == "1" and json_text(entry.get("name"))
    ]


def _receiver(raw: dict[str, Any]) -> Receiver:
    """While an order waits to ship, ``receiver_name``/``receiver_phone``/``receiver_address``/``address``
    hold ciphertext and their ``*_mask`` twins the display value; after shipping (or on risk-flagged
    orders) both are empty. With a mask present the plain field is ciphertext whatever it looks like."""
    shown: dict[str, str] = {}
    encrypted: dict[str, str] = {}
    for key in _PROTECTED:
        value = json_text(raw.get(key), field=key)
        mask = json_text(raw.get(f"{key}_mask"), field=f"{key}_mask")
        cipher = json_text(raw.get(f"encrypted_{key}"), field=f"encrypted_{key}")
        if not cipher and value and (mask or _looks_encrypted(value)):
            cipher = value
        if cipher:
            encrypted[key] = cipher
        shown[key] = mask or ("" if value == cipher else value)
    country = json_text(raw.get("country"), field="country")
    return Receiver(
        name=shown["receiver_name"],
        phone=shown["receiver_phone"],
        country="CN" if country in ("", "中国", "中国大陆") else country,
        province=json_text(raw.get("province"), field="province"),
        city=json_text(raw.get("city"), field="city"),
        district=json_text(raw.get("town"), field="town"),  # PDD's "town" is the county level (区/县)
        address=shown["address"] or shown["receiver_address"],
        encrypted=encrypted,
    )


def _looks_encrypted(value: str) -> bool:
    """PDD ciphertexts are ``~``-delimited base64 segments; a bare field without its mask that looks
    like one is kept as ciphertext rather than printed on a label."""
    return len(value) > 2 and value.startswith("~") and value.endswith("~")

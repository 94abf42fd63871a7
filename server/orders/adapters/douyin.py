"""Douyin shop (抖店) orders: ``order.searchList`` pages and ``order.orderDetail`` answers.

Our own client fetches these, so nothing inbound is signed. Every amount is integer fen, every time
Unix seconds, and order ids are 19-digit strings (FORMATS.md §4.3). Receiver data comes as masked
display values plus searchable ciphertexts (``$…$`` phones, ``#…#`` names and addresses) that only
``order.batchDecrypt`` opens, so the ciphertexts travel in ``receiver.encrypted``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from server.orders.values import BadValue, allocate, quantity, unix_time

_STATUSES = {
    1: PlatformStatus.pending_payment,
    105: PlatformStatus.paid,
    2: PlatformStatus.paid,
    101: PlatformStatus.shipped,
    3: PlatformStatus.shipped,
    5: PlatformStatus.completed,
    4: PlatformStatus.cancelled,
}
"""``order_status``: 1 待支付, 105 已支付, 2 备货中, 101 部分发货, 3 已发货, 5 已完成, 4 已取消."""
_OK = 10000
_AFTER_SALE_DONE = 12
_AFTER_SALE_NONE = frozenset({0, 27, 28, 29})
"""No after-sale, or one refused (27, 29) or failed (28): the line ships as normal."""
_REFUND_PENDING, _REFUND_DONE = 1, 3
_PRESALE_TRADE = 2
"""``sku_order_list[].trade_type`` 2 定金预售 (deposit presale)."""


class DouyinAdapter:
    platform: ClassVar[str] = "douyin"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Pages our client fetched: there is no inbound signature to check."""
        return True

    def parse(self, body: bytes) -> ParseResult:
        return read_payload(body, _orders_in, _order, order_no=lambda raw: json_text(raw.get("order_id")))

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """``order.logisticsAdd`` ships the whole order; naming sub-orders uses
        ``order.logisticsAddSinglePack``, which ships just those (each in full) in one parcel."""
        if not platform_line_ids:
            return OutboundCall(
                platform=self.platform,
                method="order.logisticsAdd",
                params={"order_id": platform_order_no, "company_code": carrier_code, "logistics_code": waybill_no},
            )
        return OutboundCall(
            platform=self.platform,
            method="order.logisticsAddSinglePack",
            params={
                "order_id_list": [platform_order_no],
                "shipped_order_info": [{"shipped_order_id": line_id} for line_id in platform_line_ids],
                "company_code": carrier_code,
                "logistics_code": waybill_no,
            },
        )

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """``sku.syncStock`` with ``incremental`` false sets the stock. ``platform_sku_id`` is
        ``product_id/sku_id`` as lines record it; with no sku id the merchant code finds the SKU."""
        product_id, _, sku_id = platform_sku_id.rpartition("/")
        params: dict[str, Any] = {"stock_num": available, "incremental": False}
        if product_id:
            params["product_id"] = product_id
        if sku_id:
            params["sku_id"] = sku_id
        else:
            params["code"] = sku_code
        return OutboundCall(platform=self.platform, method="sku.syncStock", params=params)


def _orders_in(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    body = json_object(payload, field="body")
    if "order_id" in body:
        return [body]
    code = json_int(body.get("code", body.get("err_no")), field="code")
    if code not in (None, 0, _OK):
        detail = " ".join(
            json_text(body.get(key)) for key in ("code", "msg", "sub_code", "sub_msg", "message") if body.get(key)
        )
        raise BadValue(f"code: Douyin refused the call: {detail}", f"code：抖店接口返回错误：{detail}")
    data = json_object(body.get("data"), field="data")
    if "shop_order_detail" in data:
        return [data["shop_order_detail"]]
    if "shop_order_list" in data or "total" in data:
        return json_list(data.get("shop_order_list"), field="data.shop_order_list")
    raise BadValue("body: no order in the payload", "body：数据中没有订单")


def _order(value: Any) -> NormalizedOrder:
    raw = json_object(value, field="order")
    money = AmountReader(unit="fen")
    order_id = json_id(raw.get("order_id"), field="order_id")
    status_code = json_int(raw.get("order_status"), field="order_status")
    if status_code not in _STATUSES:
        raise BadValue(f"order_status: unknown status {status_code!r}", f"order_status：未知的订单状态 {status_code!r}")
    created_at = unix_time(raw.get("create_time"), field="create_time")
    if created_at is None:
        raise BadValue("create_time: missing", "create_time：缺失")
    skus = [
        json_object(sku, field=f"sku_order_list[{i}]")
        for i, sku in enumerate(json_list(raw.get("sku_order_list"), field="sku_order_list"))
    ]
    if not skus:
        raise BadValue("sku_order_list: the order has no lines", "sku_order_list：订单没有商品行")
    shipping = money(raw.get("post_amount"), "post_amount")
    paid = money(raw.get("pay_amount"), "pay_amount")
    for key in ("order_amount", "promotion_amount", "modify_amount", "post_insurance_amount", "tax_amount"):
        money.keep(raw.get(key), key)
    lines = _lines(skus, money, goods_paid=paid - shipping)
    goods = sum(line.unit_price_minor * line.qty for line in lines)
    stars = json_int(raw.get("seller_remark_stars"), field="seller_remark_stars")
    return NormalizedOrder(
        platform="douyin",
        platform_order_no=order_id,
        status=_STATUSES[status_code],
        created_at=created_at,
        paid_at=unix_time(raw.get("pay_time"), field="pay_time"),
        updated_at=unix_time(raw.get("update_time"), field="update_time"),
        goods_minor=goods,
        shipping_minor=shipping,
        discount_minor=goods + shipping - paid,
        paid_minor=paid,
        buyer_id=json_text(raw.get("doudian_open_id"), field="doudian_open_id"),
        buyer_message=json_text(raw.get("buyer_words"), field="buyer_words"),
        seller_memo=json_text(raw.get("seller_words"), field="seller_words"),
        seller_flag=stars or None,
        ship_by=unix_time(raw.get("exp_ship_time"), field="exp_ship_time"),
        presale=any(json_int(sku.get("trade_type"), field="trade_type") == _PRESALE_TRADE for sku in skus),
        receiver=_receiver(raw),
        lines=lines,
        raw_amounts=money.raw,
    )


def _lines(skus: list[dict[str, Any]], money: AmountReader, *, goods_paid: int) -> list[NormalizedLine]:
    """What each line paid: Douyin's sku-level ``pay_amount`` is documented loosely as to whether it
    includes the line's share of postage (``post_amount``), so the reading that adds up to the order's
    paid goods is taken; if neither does, the order's discount is spread by list value instead."""
    units = [money(sku.get("origin_amount"), f"sku_order_list[{i}].origin_amount") for i, sku in enumerate(skus)]
    qtys = [
        quantity(
            json_text(sku.get("item_num"), field=f"sku_order_list[{i}].item_num"), field=f"sku_order_list[{i}].item_num"
        )
        for i, sku in enumerate(skus)
    ]
    pays = [money(sku.get("pay_amount"), f"sku_order_list[{i}].pay_amount") for i, sku in enumerate(skus)]
    posts = [money(sku.get("post_amount"), f"sku_order_list[{i}].post_amount") for i, sku in enumerate(skus)]
    gross = [unit * qty for unit, qty in zip(units, qtys, strict=True)]
    if sum(pays) == goods_paid:
        paid = pays
    elif sum(pays) - sum(posts) == goods_paid:
        paid = [pay - post for pay, post in zip(pays, posts, strict=True)]
    else:
        shares = allocate(sum(gross) - goods_paid, gross)
        paid = [line - share for line, share in zip(gross, shares, strict=True)]
    lines = []
    for i, sku in enumerate(skus):
        path = f"sku_order_list[{i}]"
        product_id = json_text(sku.get("product_id"), field=f"{path}.product_id")
        sku_id = json_text(sku.get("sku_id"), field=f"{path}.sku_id")
        lines.append(
            NormalizedLine(
                platform_line_id=json_id(sku.get("order_id"), field=f"{path}.order_id"),
                sku_code=json_text(sku.get("code"), field=f"{path}.code")
                or json_text(sku.get("out_sku_id"), field=f"{path}.out_sku_id"),
                title=json_text(sku.get("product_name"), field=f"{path}.product_name"),
                spec=_spec(json_list(sku.get("spec"), field=f"{path}.spec")),
                platform_sku_id=f"{product_id}/{sku_id}" if product_id and sku_id else sku_id,
                qty=qtys[i],
                unit_price_minor=units[i],
                discount_minor=gross[i] - paid[i],
                paid_minor=paid[i],
                refund=_refund(json_object(sku.get("after_sale_info"), field=f"{path}.after_sale_info"), path),
            )
        )
    return lines


def _spec(entries: list[Any]) -> str:
    return ";".join(
        f"{json_text(entry.get('name'))}:{json_text(entry.get('value'))}"
        for entry in entries
        if isinstance(entry, dict)
    )


def _refund(info: dict[str, Any], path: str) -> RefundState:
    """An after-sale in any state but none, refused or failed holds the line: shipping it while the
    buyer asks for their money back is what the hold is for."""
    refund = json_int(info.get("refund_status"), field=f"{path}.after_sale_info.refund_status")
    after_sale = json_int(info.get("after_sale_status"), field=f"{path}.after_sale_info.after_sale_status") or 0
    if refund == _REFUND_DONE or after_sale == _AFTER_SALE_DONE:
        return RefundState.refunded
    if refund == _REFUND_PENDING or after_sale not in _AFTER_SALE_NONE:
        return RefundState.requested
    return RefundState.none


def _receiver(raw: dict[str, Any]) -> Receiver:
    """``post_addr`` levels are ``{name, id}`` objects: Douyin's ``town`` is the county level (区/县)
    and ``street`` the township; the masked detail (``mask_post_addr``) is what a person may see."""
    addr = json_object(raw.get("post_addr"), field="post_addr")
    mask_addr = json_object(raw.get("mask_post_addr"), field="mask_post_addr")

    def level(key: str) -> str:
        return json_text(
            json_object(addr.get(key), field=f"post_addr.{key}").get("name"), field=f"post_addr.{key}.name"
        )

    encrypted = {
        key: cipher
        for key, cipher in (
            ("encrypt_post_receiver", json_text(raw.get("encrypt_post_receiver"), field="encrypt_post_receiver")),
            ("encrypt_post_tel", json_text(raw.get("encrypt_post_tel"), field="encrypt_post_tel")),
            ("encrypt_detail", json_text(addr.get("encrypt_detail"), field="post_addr.encrypt_detail")),
            ("open_address_id", json_text(raw.get("open_address_id"), field="open_address_id")),
        )
        if cipher
    }
    return Receiver(
        name=json_text(raw.get("mask_post_receiver"), field="mask_post_receiver")
        or json_text(raw.get("post_receiver"), field="post_receiver"),
        phone=json_text(raw.get("mask_post_tel"), field="mask_post_tel")
        or json_text(raw.get("post_tel"), field="post_tel"),
        province=level("province"),
        city=level("city"),
        district=level("town"),
        town=level("street"),
        address=json_text(mask_addr.get("detail"), field="mask_post_addr.detail")
        or json_text(addr.get("detail"), field="post_addr.detail"),
        encrypted=encrypted,
    )

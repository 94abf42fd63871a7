"""JD POP orders: ``jingdong.pop.order.search`` pages and ``jingdong.pop.order.get`` answers.

Our own client fetches these (signed on the way out), so nothing inbound is signed. Money and
quantities are strings, times Beijing wall clock with ``0001-01-01 00:00:00`` for "not set", and
lines carry no sub-order id, so a line is known by its position (FORMATS.md §4.1). JD gives no
per-line paid amount either: the order's discount is spread over the lines by their list value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from server.orders.adapters.base import OutboundCall
from server.orders.adapters.payload import AmountReader, json_id, json_list, json_object, json_text, read_payload
from server.orders.normalized import NormalizedLine, NormalizedOrder, ParseResult, PlatformStatus, Receiver
from server.orders.values import BadValue, allocate, china_time, quantity

_STATUSES = {
    "WAIT_SELLER_STOCK_OUT": PlatformStatus.paid,
    "WAIT_SELLER_DELIVERY": PlatformStatus.paid,
    "WAIT_SEND_CODE": PlatformStatus.paid,
    "POP_ORDER_PAUSE": PlatformStatus.paid,
    "PAUSE": PlatformStatus.paid,
    "WAIT_GOODS_RECEIVE_CONFIRM": PlatformStatus.shipped,
    "SEND_TO_DISTRIBUTION_CENER": PlatformStatus.shipped,
    "DISTRIBUTION_CENTER_RECEIVED": PlatformStatus.shipped,
    "RECEIPTS_CONFIRM": PlatformStatus.completed,
    "FINISHED_L": PlatformStatus.completed,
    "TRADE_CANCELED": PlatformStatus.cancelled,
    "LOCKED": PlatformStatus.cancelled,
}
_PAUSED = frozenset({"POP_ORDER_PAUSE", "PAUSE"})
"""Paid but held by JD: shown as paid, tagged so nobody ships it until JD releases it."""
_MAX_DEPTH = 4


class JdAdapter:
    platform: ClassVar[str] = "jd"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Pages our client fetched: there is no inbound signature to check."""
        return True

    def parse(self, body: bytes) -> ParseResult:
        return read_payload(body, _orders_in, _order, order_no=lambda raw: json_text(raw.get("orderId")))

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """``jingdong.pop.order.shipment`` ships the whole order: POP has no per-line shipment (JD splits
        orders itself, each split being an order of its own), so ``platform_line_ids`` is not sent.
        ``logiCoprId`` is JD's numeric carrier id."""
        return OutboundCall(
            platform=self.platform,
            method="jingdong.pop.order.shipment",
            params={"orderId": platform_order_no, "logiCoprId": carrier_code, "logiNo": waybill_no},
        )

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """``jingdong.stock.write.updateSkuStock`` sets (not adds to) the JD sku's stock."""
        if not platform_sku_id:
            raise ValueError(f"jd stock update for {sku_code!r} needs the JD skuId")
        return OutboundCall(
            platform=self.platform,
            method="jingdong.stock.write.updateSkuStock",
            params={"skuId": platform_sku_id, "stockNum": available},
        )


def _orders_in(payload: Any) -> list[Any]:
    """JD wraps results in ``jingdong_pop_order_search_responce`` (sic) → ``searchorderinfo_result`` →
    ``orderInfoList``, the single-order API in ``orderDetailInfo`` → ``orderInfo``; the wrapper names
    differ between API versions, so the list is looked for by its own name a few levels down."""
    if isinstance(payload, list):
        return payload
    body = json_object(payload, field="body")
    if "error_response" in body:
        error = json_object(body["error_response"], field="error_response")
        detail = " ".join(json_text(error.get(key)) for key in ("code", "en_desc", "zh_desc") if error.get(key))
        raise BadValue(f"error_response: JD refused the call: {detail}", f"error_response：京东接口返回错误：{detail}")
    if "orderId" in body:
        return [body]
    found = _find_orders(body, 0)
    if found is None:
        raise BadValue("body: no orderInfoList in the payload", "body：数据中没有订单列表")
    return found


def _find_orders(node: Any, depth: int) -> list[Any] | None:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return None
    result = node.get("apiResult")
    if isinstance(result, dict) and result.get("success") is False:
        detail = " ".join(json_text(result.get(key)) for key in ("englishErrCode", "chineseErrCode") if result.get(key))
        raise BadValue(f"apiResult: JD refused the call: {detail}", f"apiResult：京东接口返回错误：{detail}")
    if "orderInfoList" in node or "orderTotal" in node:
        return json_list(node.get("orderInfoList"), field="orderInfoList")
    if "orderInfo" in node:
        return [node["orderInfo"]]
    for value in node.values():
        found = _find_orders(value, depth + 1)
        if found is not None:
            return found
    return None


def _order(value: Any) -> NormalizedOrder:
    raw = json_object(value, field="order")
    money = AmountReader()
    order_no = json_id(raw.get("orderId"), field="orderId")
    state = json_text(raw.get("orderState"), field="orderState")
    if state not in _STATUSES:
        raise BadValue(f"orderState: unknown state {state!r}", f"orderState：未知的订单状态 {state!r}")
    created_at = china_time(json_text(raw.get("orderStartTime"), field="orderStartTime"), field="orderStartTime")
    if created_at is None:
        raise BadValue("orderStartTime: missing", "orderStartTime：缺失")
    items = [
        json_object(item, field=f"itemInfoList[{i}]")
        for i, item in enumerate(json_list(raw.get("itemInfoList"), field="itemInfoList"))
    ]
    if not items:
        raise BadValue("itemInfoList: the order has no lines", "itemInfoList：订单没有商品行")
    units = [money(item.get("jdPrice"), f"itemInfoList[{i}].jdPrice") for i, item in enumerate(items)]
    qtys = [
        quantity(
            json_text(item.get("itemTotal"), field=f"itemInfoList[{i}].itemTotal"), field=f"itemInfoList[{i}].itemTotal"
        )
        for i, item in enumerate(items)
    ]
    gross = [unit * qty for unit, qty in zip(units, qtys, strict=True)]
    shipping = money(raw.get("freightPrice"), "freightPrice")
    paid = money(raw.get("orderPayment"), "orderPayment")
    for key in ("orderTotalPrice", "orderSellerPrice", "sellerDiscount"):
        money.keep(raw.get(key), key)
    # sellerDiscount misses JD's own coupons; what the buyer did not pay is the discount that applied.
    discount = sum(gross) + shipping - paid
    shares = allocate(discount, gross)
    lines = [
        NormalizedLine(
            platform_line_id=str(i + 1),
            sku_code=json_text(item.get("outerSkuId"), field=f"itemInfoList[{i}].outerSkuId"),
            title=json_text(item.get("skuName"), field=f"itemInfoList[{i}].skuName"),
            platform_sku_id=json_text(item.get("skuId"), field=f"itemInfoList[{i}].skuId"),
            qty=qtys[i],
            unit_price_minor=units[i],
            discount_minor=shares[i],
            paid_minor=gross[i] - shares[i],
        )
        for i, item in enumerate(items)
    ]
    return NormalizedOrder(
        platform="jd",
        platform_order_no=order_no,
        status=_STATUSES[state],
        created_at=created_at,
        paid_at=china_time(
            json_text(raw.get("paymentConfirmTime"), field="paymentConfirmTime"), field="paymentConfirmTime"
        ),
        updated_at=china_time(json_text(raw.get("modified"), field="modified"), field="modified"),
        goods_minor=sum(gross),
        shipping_minor=shipping,
        discount_minor=discount,
        paid_minor=paid,
        buyer_id=json_text(raw.get("open_id_buyer"), field="open_id_buyer") or json_text(raw.get("pin"), field="pin"),
        buyer_message=json_text(raw.get("orderRemark"), field="orderRemark"),
        seller_memo=json_text(raw.get("venderRemark"), field="venderRemark"),
        tags=["jd_paused"] if state in _PAUSED else [],
        receiver=_receiver(json_object(raw.get("consigneeInfo"), field="consigneeInfo"), raw),
        lines=lines,
        raw_amounts=money.raw,
    )


def _receiver(info: dict[str, Any], raw: dict[str, Any]) -> Receiver:
    """``fullAddress`` repeats province, city, county and town before the street; the street part alone
    is kept so a label printing every level does not print them twice."""

    def text(key: str) -> str:
        return json_text(info.get(key), field=f"consigneeInfo.{key}")

    levels = [text("province"), text("city"), text("county"), text("town")]
    street = text("fullAddress")
    for level in levels:
        if level and street.startswith(level):
            street = street[len(level) :].lstrip()
    oaid = json_text(raw.get("oaid"), field="oaid") or text("oaid")
    return Receiver(
        name=text("fullname"),
        phone=text("mobile") or text("telephone"),
        province=levels[0],
        city=levels[1],
        district=levels[2],
        town=levels[3],
        address=street,
        encrypted={"oaid": oaid} if oaid else {},
    )

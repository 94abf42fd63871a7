"""Taobao/Tmall Open Platform trades: ``taobao.trades.sold.get`` (and its increment twin) pages and
``taobao.trade.fullinfo.get`` answers.

Our own client fetches these, so nothing is signed. Lists arrive XML-style, wrapped in a singular key
(``trades.trade[]``, ``orders.order[]``); money is yuan strings; times are Beijing wall clock. Receiver
fields come masked; the ``oaid`` beside them is what ``taobao.top.oaid.decrypt`` and Cainiao waybill
requests take instead of plaintext, so it travels in ``receiver.encrypted`` (FORMATS.md §3.1).
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
from server.orders.values import BadValue, china_time, quantity

_STATUSES = {
    "TRADE_NO_CREATE_PAY": PlatformStatus.pending_payment,
    "WAIT_BUYER_PAY": PlatformStatus.pending_payment,
    "PAY_PENDING": PlatformStatus.pending_payment,
    "WAIT_PRE_AUTH_CONFIRM": PlatformStatus.pending_payment,
    "WAIT_SELLER_SEND_GOODS": PlatformStatus.paid,
    "SELLER_CONSIGNED_PART": PlatformStatus.paid,
    "PAID_FORBID_CONSIGN": PlatformStatus.paid,
    "WAIT_BUYER_CONFIRM_GOODS": PlatformStatus.shipped,
    "TRADE_BUYER_SIGNED": PlatformStatus.shipped,
    "TRADE_FINISHED": PlatformStatus.completed,
    "TRADE_CLOSED": PlatformStatus.cancelled,
    "TRADE_CLOSED_BY_TAOBAO": PlatformStatus.cancelled,
}
_NO_REFUND = frozenset({"", "NO_REFUND", "CLOSED", "SELLER_REFUSE_BUYER"})
"""Refund states that leave the line to ship; any other but ``SUCCESS`` is a refund in progress."""


class TaobaoTopAdapter:
    platform: ClassVar[str] = "taobao"

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Pages our client fetched over TOP's signed request: there is no inbound signature to check."""
        return True

    def parse(self, body: bytes) -> ParseResult:
        return read_payload(body, _trades_in, _trade, order_no=_trade_no)

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall:
        """``taobao.logistics.offline.send``: ``company_code`` is Taobao's carrier code (``SF``, ``YTO``…);
        naming sub-orders (``sub_tid``) with ``is_split`` ships only those, the rest stay to ship."""
        params: dict[str, Any] = {"tid": platform_order_no, "out_sid": waybill_no, "company_code": carrier_code}
        if platform_line_ids:
            params["sub_tid"] = ",".join(platform_line_ids)
            params["is_split"] = 1
        return OutboundCall(platform=self.platform, method="taobao.logistics.offline.send", params=params)

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall:
        """``taobao.item.quantity.update`` with ``type`` 1 (set, not add). ``platform_sku_id`` is
        ``num_iid`` or ``num_iid/sku_id`` as lines record it: the API needs the item even for a SKU."""
        num_iid, _, sku_id = platform_sku_id.partition("/")
        if not num_iid:
            raise ValueError(f"taobao stock update for {sku_code!r} needs the item's num_iid")
        params: dict[str, Any] = {"num_iid": num_iid, "quantity": available, "type": 1}
        if sku_id:
            params["sku_id"] = sku_id
        return OutboundCall(platform=self.platform, method="taobao.item.quantity.update", params=params)


def _trades_in(payload: Any) -> list[Any]:
    body = json_object(payload, field="body")
    if "error_response" in body:
        error = json_object(body["error_response"], field="error_response")
        detail = " ".join(json_text(error.get(key)) for key in ("code", "msg", "sub_code", "sub_msg") if error.get(key))
        raise BadValue(
            f"error_response: Taobao refused the call: {detail}", f"error_response：淘宝接口返回错误：{detail}"
        )
    for key, value in body.items():
        if not key.endswith("_response"):
            continue
        response = json_object(value, field=key)
        if "trade" in response:
            return [response["trade"]]
        trades = json_object(response.get("trades"), field=f"{key}.trades")
        return json_list(trades.get("trade"), field=f"{key}.trades.trade")
    if "tid" in body or "tid_str" in body:
        return [body]
    raise BadValue("body: no trade in the payload", "body：数据中没有交易")


def _trade_no(raw: Any) -> str:
    return json_text(raw.get("tid_str")) or json_text(raw.get("tid"))


def _trade(value: Any) -> NormalizedOrder:
    raw = json_object(value, field="trade")
    money = AmountReader()
    tid = json_id(raw.get("tid_str") or raw.get("tid"), field="tid")
    status_text = json_text(raw.get("status"), field="status")
    if status_text not in _STATUSES:
        raise BadValue(f"status: unknown status {status_text!r}", f"status：未知的交易状态 {status_text!r}")
    created_at = china_time(json_text(raw.get("created"), field="created"), field="created")
    if created_at is None:
        raise BadValue("created: missing", "created：缺失")
    sub_orders = json_list(json_object(raw.get("orders"), field="orders").get("order"), field="orders.order")
    lines = [_line(json_object(sub, field=f"orders.order[{i}]"), i, money) for i, sub in enumerate(sub_orders)]
    if not lines:
        raise BadValue("orders.order: the trade has no sub-orders", "orders.order：交易没有子订单")
    goods = sum(line.unit_price_minor * line.qty for line in lines)
    shipping = money(raw.get("post_fee"), "post_fee")
    paid = money(raw.get("payment"), "payment")
    for key in ("total_fee", "discount_fee", "adjust_fee", "received_payment", "step_paid_fee"):
        money.keep(raw.get(key), key)
    flag = json_int(raw.get("seller_flag"), field="seller_flag")
    return NormalizedOrder(
        platform="taobao",
        platform_order_no=tid,
        status=_STATUSES[status_text],
        created_at=created_at,
        paid_at=china_time(json_text(raw.get("pay_time"), field="pay_time"), field="pay_time"),
        updated_at=china_time(json_text(raw.get("modified"), field="modified"), field="modified"),
        goods_minor=goods,
        shipping_minor=shipping,
        # discount_fee leaves out the seller's manual price change (adjust_fee) and some platform
        # coupons; what the buyer did not pay of goods + postage is the discount that actually applied.
        discount_minor=goods + shipping - paid,
        paid_minor=paid,
        buyer_id=json_text(raw.get("buyer_open_uid"), field="buyer_open_uid")
        or json_text(raw.get("buyer_nick"), field="buyer_nick"),
        buyer_message=json_text(raw.get("buyer_message"), field="buyer_message"),
        seller_memo=json_text(raw.get("seller_memo"), field="seller_memo"),
        seller_flag=flag or None,
        presale=bool(json_text(raw.get("step_trade_status"), field="step_trade_status")),
        receiver=_receiver(raw),
        lines=lines,
        raw_amounts=money.raw,
    )


def _line(sub: dict[str, Any], index: int, money: AmountReader) -> NormalizedLine:
    """``divide_order_fee`` is the sub-order's share of what the buyer paid after order-level
    discounts; ``payment`` is the fallback, and on a one-line trade it also holds the postage."""
    path = f"orders.order[{index}]"
    qty = quantity(json_text(sub.get("num"), field=f"{path}.num"), field=f"{path}.num")
    unit = money(sub.get("price"), f"{path}.price")
    paid_key = "divide_order_fee" if sub.get("divide_order_fee") not in (None, "") else "payment"
    paid = money(sub.get(paid_key), f"{path}.{paid_key}")
    for key in ("total_fee", "discount_fee", "adjust_fee", "part_mjz_discount"):
        money.keep(sub.get(key), f"{path}.{key}")
    num_iid = json_text(sub.get("num_iid"), field=f"{path}.num_iid")
    sku_id = json_text(sub.get("sku_id"), field=f"{path}.sku_id")
    refund = json_text(sub.get("refund_status"), field=f"{path}.refund_status")
    return NormalizedLine(
        platform_line_id=json_id(sub.get("oid_str") or sub.get("oid"), field=f"{path}.oid"),
        sku_code=json_text(sub.get("outer_sku_id"), field=f"{path}.outer_sku_id")
        or json_text(sub.get("outer_iid"), field=f"{path}.outer_iid"),
        title=json_text(sub.get("title"), field=f"{path}.title"),
        spec=json_text(sub.get("sku_properties_name"), field=f"{path}.sku_properties_name"),
        platform_sku_id=f"{num_iid}/{sku_id}" if sku_id else num_iid,
        qty=qty,
        unit_price_minor=unit,
        discount_minor=unit * qty - paid,
        paid_minor=paid,
        refund=RefundState.refunded
        if refund == "SUCCESS"
        else (RefundState.none if refund in _NO_REFUND else RefundState.requested),
    )


def _receiver(raw: dict[str, Any]) -> Receiver:
    """County-level units a province runs directly (仙桃市…) come with an empty ``receiver_city`` and
    the unit in ``receiver_district``; Taobao's advice is to use the district as the city."""

    def text(key: str) -> str:
        return json_text(raw.get(key), field=key)

    oaid = text("oaid")
    return Receiver(
        name=text("receiver_name"),
        phone=text("receiver_mobile") or text("receiver_phone"),
        country="CN" if text("receiver_country") in ("", "中国", "中国大陆") else text("receiver_country"),
        province=text("receiver_state"),
        city=text("receiver_city") or text("receiver_district"),
        district=text("receiver_district"),
        town=text("receiver_town"),
        address=text("receiver_address"),
        zip=text("receiver_zip"),
        encrypted={"oaid": oaid} if oaid else {},
    )

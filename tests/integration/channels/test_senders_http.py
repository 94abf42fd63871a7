"""Each platform sender against a fake platform on 127.0.0.1: the request as the platform sees it
(endpoint, every system parameter, time format) and a signature recomputed here, independently, from
the documented algorithm; then how answers are judged (done, retry later, refused for good).

No database: these run once, not per backend."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from server.channels.credentials import Credentials, CredentialsMissing
from server.channels.senders.base import RetryableFailure
from server.channels.senders.douyin import DouyinSender
from server.channels.senders.jd import JdSender
from server.channels.senders.pdd import PddSender
from server.channels.senders.shopify import ShopifySender
from server.channels.senders.taobao_top import TaobaoTopSender
from server.channels.senders.woocommerce import WooCommerceSender
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall
from server.orders.adapters.douyin import DouyinAdapter
from server.orders.adapters.jd import JdAdapter
from server.orders.adapters.pdd import PddAdapter
from server.orders.adapters.shopify import API_VERSION, ShopifyAdapter
from server.orders.adapters.taobao_top import TaobaoTopAdapter
from server.orders.adapters.woocommerce import WooCommerceAdapter
from tests.integration.channels.platform_server import Platform, platform_server

NOW = datetime(2026, 11, 11, 2, 0, 5, tzinfo=UTC)
BEIJING = "2026-11-11 10:00:05"
"""``NOW`` as Taobao and JD want it: Beijing time, no offset."""
UNIX = "1794362405"
SECRET = "s3cr3t-APP-SECRET-0042"
TOKEN = "tok-ACCESS-TOKEN-9f8e7d"


def clock() -> datetime:
    return NOW


@pytest.fixture
def platform() -> Iterator[Platform]:
    with platform_server() as p:
        yield p


@pytest.fixture
async def http() -> Any:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


def creds(platform: str, **values: Any) -> Credentials:
    return Credentials(7, platform, values)


# --- signatures as each platform documents them, written again here ---------------------------


def concat(params: dict[str, str]) -> str:
    return "".join(k + v for k, v in sorted(params.items()) if k != "sign" and v != "")


def taobao_sign(params: dict[str, str], secret: str, method: str) -> str:
    text = concat(params)
    if method == "md5":
        return hashlib.md5((secret + text + secret).encode()).hexdigest().upper()
    digest = {"hmac": hashlib.md5, "hmac-sha256": hashlib.sha256}[method]
    return hmac.new(secret.encode(), text.encode(), digest).hexdigest().upper()


def md5_wrapped(params: dict[str, str], secret: str) -> str:
    """JD and PDD: MD5 of secret + sorted name/value pairs + secret, upper-case hex."""
    return hashlib.md5((secret + concat(params) + secret).encode()).hexdigest().upper()


def douyin_sign(query: dict[str, str], body: str, secret: str) -> str:
    text = (
        f"{secret}app_key{query['app_key']}method{query['method']}param_json{body}"
        f"timestamp{query['timestamp']}v{query['v']}{secret}"
    )
    if query["sign_method"] == "md5":
        return hashlib.md5(text.encode()).hexdigest()
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


# --- one end-to-end request per platform -----------------------------------------------------


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
async def test_taobao_shipment_is_a_signed_form_post_to_the_router(
    platform: Platform, http: httpx.AsyncClient, sign_method: str
) -> None:
    platform.answers((200, {"logistics_offline_send_response": {"shipping": {"is_success": True}}}))
    call = TaobaoTopAdapter().shipment_confirmation("4012345678901234567", "YTO", "YT7788990011", ["71", "72"])
    credentials = creds(
        "taobao",
        app_key="23456789",
        app_secret=SECRET,
        session=TOKEN,
        sign_method=sign_method,
        base_url=platform.url + "/router/rest",
        carrier_codes={"YTO": "YTO"},
    )

    await TaobaoTopSender(clock).send(http, call, credentials, shipment=True)

    [seen] = platform.seen
    assert (seen.method, seen.path, seen.query) == ("POST", "/router/rest", {})
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = seen.form
    assert form == {
        "method": "taobao.logistics.offline.send",
        "app_key": "23456789",
        "session": TOKEN,
        "timestamp": BEIJING,
        "format": "json",
        "v": "2.0",
        "sign_method": sign_method,
        "tid": "4012345678901234567",
        "out_sid": "YT7788990011",
        "company_code": "YTO",
        "sub_tid": "71,72",
        "is_split": "1",
        "sign": form["sign"],
    }
    assert form["sign"] == taobao_sign(form, SECRET, sign_method)
    assert len(form["sign"]) == (64 if sign_method == "hmac-sha256" else 32)


async def test_jd_carries_the_call_as_json_and_maps_the_carrier(platform: Platform, http: httpx.AsyncClient) -> None:
    platform.answers(
        (200, {"jingdong_pop_order_shipment_responce": {"code": "0", "sopjosshipment_result": {"success": True}}})
    )
    call = JdAdapter().shipment_confirmation("301234567890", "YTO", "YT1", [])
    credentials = creds(
        "jd", app_key="JDKEY", app_secret=SECRET, access_token=TOKEN, base_url=platform.url + "/routerjson",
        carrier_codes={"YTO": "463"},
    )  # fmt: skip

    await JdSender(clock).send(http, call, credentials, shipment=True)

    [seen] = platform.seen
    assert (seen.method, seen.path) == ("POST", "/routerjson")
    form = seen.form
    assert json.loads(form.pop("360buy_param_json")) == {
        "orderId": "301234567890",
        "logiCoprId": "463",
        "logiNo": "YT1",
    }
    assert {k: v for k, v in form.items() if k != "sign"} == {
        "method": "jingdong.pop.order.shipment",
        "app_key": "JDKEY",
        "access_token": TOKEN,
        "timestamp": BEIJING,
        "v": "2.0",
        "format": "json",
        "sign_method": "md5",
    }
    assert seen.form["sign"] == md5_wrapped(seen.form, SECRET)


async def test_pdd_stock_update_signs_unix_seconds_and_flat_parameters(
    platform: Platform, http: httpx.AsyncClient
) -> None:
    platform.answers((200, {"goods_quantity_update_response": {"is_success": True}}))
    call = PddAdapter().stock_update("SKU-RED-M", "80012345/90012345", 7)
    credentials = creds(
        "pdd", client_id="pddclient", client_secret=SECRET, access_token=TOKEN, base_url=platform.url + "/api/router"
    )

    await PddSender(clock).send(http, call, credentials, shipment=False)

    [seen] = platform.seen
    assert (seen.method, seen.path) == ("POST", "/api/router")
    form = seen.form
    assert form == {
        "type": "pdd.goods.quantity.update",
        "client_id": "pddclient",
        "access_token": TOKEN,
        "timestamp": UNIX,
        "data_type": "JSON",
        "version": "V1",
        "goods_id": "80012345",
        "sku_id": "90012345",
        "quantity": "7",
        "update_type": "1",
        "sign": form["sign"],
    }
    assert form["sign"] == md5_wrapped(form, SECRET)


@pytest.mark.parametrize("sign_method", ["hmac-sha256", "md5"])
async def test_douyin_posts_sorted_param_json_to_the_method_path(
    platform: Platform, http: httpx.AsyncClient, sign_method: str
) -> None:
    platform.answers((200, {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "data": {}}))
    call = DouyinAdapter().shipment_confirmation("6912345678901234567", "yuantong", "YT2", ["69123", "69124"])
    credentials = creds(
        "douyin", app_key="7000001", app_secret=SECRET, access_token=TOKEN, base_url=platform.url,
        **({"sign_method": sign_method} if sign_method != "hmac-sha256" else {}),
    )  # fmt: skip

    await DouyinSender(clock).send(http, call, credentials, shipment=True)

    [seen] = platform.seen
    assert (seen.method, seen.path) == ("POST", "/order/logisticsAddSinglePack")
    body = seen.body.decode()
    assert body == (
        '{"company_code":"yuantong","logistics_code":"YT2","order_id_list":["6912345678901234567"],'
        '"shipped_order_info":[{"shipped_order_id":"69123"},{"shipped_order_id":"69124"}]}'
    )
    assert seen.query == {
        "app_key": "7000001",
        "method": "order.logisticsAddSinglePack",
        "access_token": TOKEN,
        "timestamp": UNIX,
        "v": "2",
        "sign_method": sign_method,
        "sign": seen.query["sign"],
    }
    assert seen.query["sign"] == douyin_sign(seen.query, body, SECRET)


async def test_shopify_fulfils_the_open_fulfillment_order_lines_of_the_shipped_lines(
    platform: Platform, http: httpx.AsyncClient
) -> None:
    fulfillment_orders = {
        "fulfillment_orders": [
            {
                "id": 5001,
                "status": "open",
                "line_items": [
                    {"id": 9001, "line_item_id": 111, "fulfillable_quantity": 2},
                    {"id": 9002, "line_item_id": 222, "fulfillable_quantity": 1},
                ],
            },
            {
                "id": 5002,
                "status": "closed",
                "line_items": [{"id": 9003, "line_item_id": 111, "fulfillable_quantity": 0}],
            },
        ]
    }
    platform.answers((200, fulfillment_orders), (201, {"fulfillment": {"id": 1}}))
    call = ShopifyAdapter().shipment_confirmation("820982911946154508", "SF", "SF1234", ["111"])
    credentials = creds("shopify", access_token=TOKEN, base_url=platform.url, carrier_codes={"SF": "SF Express"})

    await ShopifySender().send(http, call, credentials, shipment=True)

    lookup, fulfil = platform.seen
    prefix = f"/admin/api/{API_VERSION}"
    assert (lookup.method, lookup.path) == ("GET", f"{prefix}/orders/820982911946154508/fulfillment_orders.json")
    assert (fulfil.method, fulfil.path) == ("POST", f"{prefix}/fulfillments.json")
    assert lookup.headers["x-shopify-access-token"] == fulfil.headers["x-shopify-access-token"] == TOKEN
    assert fulfil.json == {
        "fulfillment": {
            "tracking_info": {"company": "SF Express", "number": "SF1234"},
            "notify_customer": True,
            "line_items_by_fulfillment_order": [
                {"fulfillment_order_id": 5001, "fulfillment_order_line_items": [{"id": 9001, "quantity": 2}]}
            ],
        }
    }


async def test_shopify_stock_sets_the_inventory_item_at_the_channels_location(
    platform: Platform, http: httpx.AsyncClient
) -> None:
    platform.answers((200, {"variant": {"id": 808950810, "inventory_item_id": 39072856}}), (200, {}))
    call = ShopifyAdapter().stock_update("SKU-1", "808950810", 5)
    credentials = creds("shopify", access_token=TOKEN, base_url=platform.url, location_id="655441491")

    await ShopifySender().send(http, call, credentials, shipment=False)

    variant, level = platform.seen
    assert (variant.method, variant.path) == ("GET", f"/admin/api/{API_VERSION}/variants/808950810.json")
    assert (level.method, level.path) == ("POST", f"/admin/api/{API_VERSION}/inventory_levels/set.json")
    assert level.json == {"location_id": 655441491, "inventory_item_id": 39072856, "available": 5}


async def test_woocommerce_puts_json_with_basic_auth_and_never_the_sku(
    platform: Platform, http: httpx.AsyncClient
) -> None:
    platform.answers((200, {"id": 1}))
    credentials = creds("woocommerce", base_url=platform.url, consumer_key="ck_abc123", consumer_secret="cs_def456")
    sender = WooCommerceSender()

    await sender.send(
        http, WooCommerceAdapter().shipment_confirmation("727", "SF", "SF9", []), credentials, shipment=True
    )
    await sender.send(http, WooCommerceAdapter().stock_update("SKU-1", "10/11", 3), credentials, shipment=False)

    order, stock = platform.seen
    basic = "Basic " + base64.b64encode(b"ck_abc123:cs_def456").decode()
    assert order.headers["authorization"] == stock.headers["authorization"] == basic
    assert (order.method, order.path) == ("PUT", "/wp-json/wc/v3/orders/727")
    assert order.json == {
        "meta_data": [{"key": "_cangku_carrier", "value": "SF"}, {"key": "_cangku_waybill", "value": "SF9"}],
        "status": "completed",
    }
    assert (stock.method, stock.path) == ("PUT", "/wp-json/wc/v3/products/10/variations/11")
    assert stock.json == {"manage_stock": True, "stock_quantity": 3}


# --- judging the answers ---------------------------------------------------------------------

TAOBAO = creds("taobao", app_key="k", app_secret=SECRET, session=TOKEN)
SHIP = TaobaoTopAdapter().shipment_confirmation("4012", "YTO", "YT1", [])
STOCK = TaobaoTopAdapter().stock_update("SKU-1", "5001/6001", 3)


def _error(code: int, msg: str, sub_code: str = "", sub_msg: str = "") -> dict[str, Any]:
    return {"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}}


@pytest.mark.parametrize(
    ("call", "answer", "outcome"),
    [
        (SHIP, (200, _error(7, "App Call Limited")), RetryableFailure),
        (SHIP, (200, _error(15, "Remote service error", "isp.logistics-service-unavailable")), RetryableFailure),
        (SHIP, (200, _error(27, "Invalid session", "invalid-sessionkey")), PermanentFailure),
        (
            SHIP,
            (200, _error(15, "Remote service error", "isv.logistics-offline-service-error:B04", "订单已关闭")),
            PermanentFailure,
        ),
        (
            SHIP,
            (200, _error(15, "Remote service error", "isv.logistics-offline-service-error:B27", "该订单已发货")),
            None,
        ),
        (STOCK, (200, _error(15, "Remote service error", "isv.item-not-exist", "该订单已发货")), PermanentFailure),
        (SHIP, (200, {"logistics_offline_send_response": {"shipping": {"is_success": False}}}), PermanentFailure),
        (SHIP, (503, b"<html>Service Unavailable</html>"), RetryableFailure),
        (SHIP, (429, {"message": "slow down"}), RetryableFailure),
        (SHIP, (200, b"<html>gateway hiccup</html>"), RetryableFailure),
        (SHIP, (403, b"forbidden"), PermanentFailure),
        (SHIP, (302, b""), PermanentFailure),
    ],
)
async def test_taobao_answers_are_done_retryable_or_refused(
    platform: Platform, http: httpx.AsyncClient, call: OutboundCall, answer: Any, outcome: type[Exception] | None
) -> None:
    platform.answers(answer)
    credentials = creds("taobao", app_key="k", app_secret=SECRET, session=TOKEN, base_url=platform.url)
    send = TaobaoTopSender(clock).send(http, call, credentials, shipment=call is SHIP)
    if outcome is None:
        await send
    else:
        with pytest.raises(outcome):
            await send


@pytest.mark.parametrize(
    ("sender", "platform_name", "keys", "answer", "outcome"),
    [
        (JdSender, "jd", {}, {"error_response": {"code": "19", "zh_desc": "token已过期"}}, PermanentFailure),
        (JdSender, "jd", {}, {"error_response": {"code": "66", "zh_desc": "平台连接后端服务超时"}}, RetryableFailure),
        (
            JdSender,
            "jd",
            {},
            {"x_responce": {"code": "0", "r": {"success": False, "chinese_err_code": "该订单已出库"}}},
            None,
        ),
        (
            PddSender,
            "pdd",
            {},
            {"error_response": {"error_code": 70031, "error_msg": "调用过于频繁"}},
            RetryableFailure,
        ),
        (
            PddSender,
            "pdd",
            {},
            {"error_response": {"error_code": 10019, "error_msg": "access_token已过期"}},
            PermanentFailure,
        ),
        (
            PddSender,
            "pdd",
            {},
            {"error_response": {"error_code": 52101, "error_msg": "系统繁忙，请稍后再试"}},
            RetryableFailure,
        ),
        (DouyinSender, "douyin", {}, {"code": 90000, "msg": "流量限制"}, RetryableFailure),
        (DouyinSender, "douyin", {}, {"code": 30002, "msg": "access_token已过期"}, PermanentFailure),
        (DouyinSender, "douyin", {}, {"code": 50002, "msg": "业务处理失败", "sub_msg": "订单已发货"}, None),
        (DouyinSender, "douyin", {}, {"err_no": 0, "message": "success"}, None),
    ],
)
async def test_chinese_platform_refusals(
    platform: Platform,
    http: httpx.AsyncClient,
    sender: Any,
    platform_name: str,
    keys: dict[str, str],
    answer: Any,
    outcome: type[Exception] | None,
) -> None:
    platform.answers((200, answer))
    credentials = creds(
        platform_name, app_key="k", app_secret=SECRET, client_id="c", client_secret=SECRET, access_token=TOKEN,
        base_url=platform.url, **keys,
    )  # fmt: skip
    adapter = {"jd": JdAdapter(), "pdd": PddAdapter(), "douyin": DouyinAdapter()}[platform_name]
    send = sender(clock).send(http, adapter.shipment_confirmation("1", "YTO", "W1", []), credentials, shipment=True)
    if outcome is None:
        await send
    else:
        with pytest.raises(outcome):
            await send


def _fulfillment_orders(status: str, fulfillable: int | None = 1) -> dict[str, Any]:
    line: dict[str, Any] = {"id": 2, "line_item_id": 3}
    if fulfillable is not None:
        line["fulfillable_quantity"] = fulfillable
    return {"fulfillment_orders": [{"id": 1, "status": status, "line_items": [line]}]}


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ([(401, {"errors": "[API] Invalid API key or access token"})], PermanentFailure),
        ([(429, {"errors": "Exceeded 2 calls per second"})], RetryableFailure),
        ([(200, {"fulfillment_orders": []})], PermanentFailure),
        ([(200, _fulfillment_orders("closed", None))], None),
        ([(200, _fulfillment_orders("on_hold"))], RetryableFailure),
        ([(200, _fulfillment_orders("open")), (422, {"errors": ["Line items are already fulfilled"]})], None),
    ],
)
async def test_shopify_answers(
    platform: Platform, http: httpx.AsyncClient, answers: list[Any], outcome: type[Exception] | None
) -> None:
    platform.answers(*answers)
    credentials = creds("shopify", access_token=TOKEN, base_url=platform.url)
    send = ShopifySender().send(
        http, ShopifyAdapter().shipment_confirmation("1", "SF", "S1", []), credentials, shipment=True
    )
    if outcome is None:
        await send
    else:
        with pytest.raises(outcome):
            await send


@pytest.mark.parametrize(
    ("status", "outcome"), [(404, PermanentFailure), (400, PermanentFailure), (500, RetryableFailure)]
)
async def test_woocommerce_answers(
    platform: Platform, http: httpx.AsyncClient, status: int, outcome: type[Exception]
) -> None:
    platform.answers((status, {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID."}))
    credentials = creds("woocommerce", base_url=platform.url, consumer_key="ck_1234", consumer_secret="cs_5678")
    with pytest.raises(outcome):
        await WooCommerceSender().send(
            http, WooCommerceAdapter().stock_update("S", "10", 1), credentials, shipment=False
        )


async def test_an_unreachable_or_silent_platform_is_retried(http: httpx.AsyncClient) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    credentials = creds("taobao", app_key="k", app_secret=SECRET, session=TOKEN, base_url=closed)
    with pytest.raises(RetryableFailure, match=r"cannot reach 127\.0\.0\.1"):
        await TaobaoTopSender(clock).send(http, SHIP, credentials, shipment=True)

    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        silent = f"http://127.0.0.1:{listener.getsockname()[1]}"
        async with httpx.AsyncClient(timeout=0.3) as impatient:
            credentials = creds("taobao", app_key="k", app_secret=SECRET, session=TOKEN, base_url=silent)
            with pytest.raises(RetryableFailure, match="no answer in time"):
                await TaobaoTopSender(clock).send(impatient, SHIP, credentials, shipment=True)


async def test_missing_keys_wait_rather_than_fail(http: httpx.AsyncClient) -> None:
    with pytest.raises(CredentialsMissing, match="session"):
        await TaobaoTopSender(clock).send(http, SHIP, creds("taobao", app_key="k", app_secret=SECRET), shipment=True)


async def test_secrets_never_reach_errors_or_logs(
    platform: Platform, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The platform echoes our token back in its refusal; httpx logs every URL (Douyin's carries the
    token); Shopify and WooCommerce send theirs in headers. None of it may reach a log or an error."""
    caplog.set_level(logging.DEBUG)
    platform.answers((200, {"code": 30002, "msg": f"access_token {TOKEN} 已过期", "sub_msg": f"secret {SECRET}"}))
    douyin = creds("douyin", app_key="7000001", app_secret=SECRET, access_token=TOKEN, base_url=platform.url)
    with pytest.raises(PermanentFailure) as refused:
        await DouyinSender(clock).send(http, DouyinAdapter().stock_update("S", "1/2", 1), douyin, shipment=False)
    assert TOKEN not in str(refused.value)
    assert SECRET not in str(refused.value)
    assert "***" in str(refused.value)

    platform.answers((401, {"errors": f"bad token {TOKEN}"}))
    with pytest.raises(PermanentFailure) as shopify_refused:
        await ShopifySender().send(
            http,
            ShopifyAdapter().stock_update("S", "1", 1),
            creds("shopify", access_token=TOKEN, base_url=platform.url, location_id="1"),
            shipment=False,
        )
    assert TOKEN not in str(shopify_refused.value)
    platform.answers((500, {"message": "ck_secretkey:cs_secretsecret"}))
    with pytest.raises(RetryableFailure) as woo_failed:
        await WooCommerceSender().send(
            http,
            WooCommerceAdapter().stock_update("S", "10", 1),
            creds("woocommerce", base_url=platform.url, consumer_key="ck_secretkey", consumer_secret="cs_secretsecret"),
            shipment=False,
        )
    assert "cs_secretsecret" not in str(woo_failed.value)

    assert "HTTP Request: POST" in caplog.text  # httpx did log the requests…
    basic = base64.b64encode(b"ck_secretkey:cs_secretsecret").decode()
    for secret in (TOKEN, SECRET, "cs_secretsecret", basic):
        assert secret not in caplog.text  # …without a secret
    assert TOKEN in platform.seen[0].query["access_token"]  # it did travel, to the platform only

"""Douyin shop (抖店) open platform: one path per API, the parameters as sorted JSON in the body.

Request [3P SDKs and the platform's signing guide as they quote it]: ``POST
https://openapi-fxg.jinritemai.com/<method with dots as slashes>`` (``order.logisticsAdd`` →
``/order/logisticsAdd``), body ``param_json`` — the API's parameters as JSON with keys sorted at
every level and no spaces — and in the query ``app_key``, ``method``, ``access_token``,
``timestamp`` (Unix seconds, within ±300 s of the platform's clock), ``v=2``, ``sign_method`` and
``sign``. Signature text: ``secret + "app_key" + app_key + "method" + method + "param_json" +
param_json + "timestamp" + timestamp + "v" + v + secret``; ``hmac-sha256`` is HMAC-SHA256 of it keyed
with the secret (recommended), ``md5`` its MD5, both lower-case hex. The answer is ``{"code": 10000,
"msg": "success", "sub_code", "sub_msg", "data"}`` (older gateways: ``{"err_no": 0, "message"}``).
Codes [UNV, 3P]: 10000 success; 20000 service unavailable and 90000 flow limit are passing;
30001/30002 (authorisation), 40000s (parameters) and 50000s (business) are refusals.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import (
    ClockedSender,
    Scrubber,
    compact_json,
    exchange,
    hmac_hex,
    json_body,
    judge_refusal,
    refuse_4xx,
)
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

OK = 10000
RETRY_CODES = frozenset({20000, 90000})
VERSION = "2"


def douyin_sign(app_key: str, method: str, param_json: str, timestamp: str, secret: str, sign_method: str) -> str:
    text = f"{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{VERSION}{secret}"
    if sign_method == "hmac-sha256":
        return hmac_hex(secret, text, "sha256")
    if sign_method == "md5":
        return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - the platform's documented signature
    raise PermanentFailure(f"unknown Douyin sign_method {sign_method!r}")


class DouyinSender(ClockedSender):
    platform: ClassVar[str] = "douyin"
    default_base_url: ClassVar[str] = "https://openapi-fxg.jinritemai.com"

    def request(self, call: OutboundCall, credentials: Credentials) -> httpx.Request:
        business = dict(call.params)
        if "company_code" in business:
            business["company_code"] = credentials.carrier(str(business["company_code"]))
        param_json = compact_json(business, sort_keys=True)
        app_key = credentials.require("app_key")
        sign_method = credentials.get("sign_method", "hmac-sha256")
        timestamp = str(int(self.clock().timestamp()))
        query = {
            "app_key": app_key,
            "method": call.method,
            "access_token": credentials.require("access_token"),
            "timestamp": timestamp,
            "v": VERSION,
            "sign_method": sign_method,
            "sign": douyin_sign(
                app_key, call.method, param_json, timestamp, credentials.require("app_secret"), sign_method
            ),
        }
        url = credentials.base_url(self.default_base_url) + "/" + call.method.replace(".", "/")
        return httpx.Request(
            "POST",
            url,
            params=query,
            content=param_json.encode(),
            headers={"Content-Type": "application/json;charset=UTF-8"},
        )

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        scrub = Scrubber(credentials.secrets())
        response = await exchange(http, self.request(call, credentials), scrub)
        refuse_4xx(response, scrub)
        body = json_body(response, scrub)
        code = _code(body)
        if code in (OK, 0):
            return
        keys = ("code", "err_no", "msg", "message", "sub_code", "sub_msg")
        text = scrub(" ".join(str(body[k]) for k in keys if body.get(k) not in (None, "")))
        judge_refusal(shipment, f"douyin {call.method}: {text}", retryable=code in RETRY_CODES)


def _code(body: dict[str, Any]) -> int | None:
    raw = body.get("code", body.get("err_no"))
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None

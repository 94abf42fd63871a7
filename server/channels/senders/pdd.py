"""Pinduoduo open platform (``gw-api.pinduoduo.com/api/router``): one router, MD5 signature.

Request [3P SDKs; PDD's own pages are login-gated, FORMATS.md §4.2]: ``POST
https://gw-api.pinduoduo.com/api/router`` (form-urlencoded) with ``type`` (the API name),
``client_id``, ``access_token``, ``timestamp`` (Unix **seconds**), ``data_type=JSON``,
``version=V1`` and ``sign``, beside the API's own parameters (lists and objects as JSON text).
Signature: MD5 of ``client_secret + name value name value… + client_secret`` over every other
parameter sorted by name, upper-case hex. An answer is ``{"<api>_response": {"is_success": true…}}``
or ``{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg"}}``.
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import (
    ClockedSender,
    Scrubber,
    exchange,
    form_params,
    json_body,
    judge_refusal,
    refuse_4xx,
    wrapped_md5_sign,
)
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

RETRY_CODES = frozenset({"70031", "70032", "70033", "70034"})
"""[UNV] The 700xx family answers rate limits (调用过于频繁); the busy phrases catch the rest."""


def pdd_sign(params: dict[str, str], secret: str) -> str:
    return wrapped_md5_sign(params, secret)


class PddSender(ClockedSender):
    platform: ClassVar[str] = "pdd"
    default_base_url: ClassVar[str] = "https://gw-api.pinduoduo.com/api/router"

    def request(self, call: OutboundCall, credentials: Credentials) -> httpx.Request:
        business = dict(call.params)
        if "logistics_id" in business:
            business["logistics_id"] = credentials.carrier(str(business["logistics_id"]))
        params = form_params(business)
        params.update(
            type=call.method,
            client_id=credentials.require("client_id"),
            access_token=credentials.require("access_token"),
            timestamp=str(int(self.clock().timestamp())),
            data_type="JSON",
            version="V1",
        )
        params["sign"] = pdd_sign(params, credentials.require("client_secret"))
        return httpx.Request("POST", credentials.base_url(self.default_base_url), data=params)

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        scrub = Scrubber(credentials.secrets())
        response = await exchange(http, self.request(call, credentials), scrub)
        refuse_4xx(response, scrub)
        body = json_body(response, scrub)
        error = body.get("error_response")
        if isinstance(error, dict):
            keys = ("error_code", "error_msg", "sub_code", "sub_msg")
            text = scrub(" ".join(str(error[k]) for k in keys if error.get(k)))
            code = str(error.get("error_code", ""))
            judge_refusal(shipment, f"pdd {call.method}: {text}", retryable=code in RETRY_CODES)
            return
        answer = next((v for k, v in body.items() if k.endswith("_response") and isinstance(v, dict)), None)
        if answer is None:
            raise PermanentFailure(scrub(f"pdd {call.method}: unexpected answer {str(body)[:300]}"))
        if answer.get("is_success") is False:
            judge_refusal(shipment, scrub(f"pdd {call.method}: is_success false {str(answer)[:300]}"))

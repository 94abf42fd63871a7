"""JD 宙斯/JOS (``api.jd.com/routerjson``): system parameters plus the call's own as one JSON text.

Request [FORMATS.md §4.1 for the signature; 3P SDKs for the rest]: ``POST
https://api.jd.com/routerjson`` (form-urlencoded) with ``method``, ``app_key``, ``access_token``,
``timestamp`` (``yyyy-MM-dd HH:mm:ss``, Beijing time), ``v=2.0``, ``format=json``,
``sign_method=md5``, ``360buy_param_json`` (the API's parameters as JSON) and ``sign``: MD5 of
``secret + name value name value… + secret`` over the other parameters sorted by name, upper-case
hex. An answer is ``{"<api>_responce": {"code": "0", ...}}`` (JD's spelling, sometimes
``_response``) or ``{"error_response": {"code", "zh_desc", "en_desc"}}``; a business refusal is
a nested result with ``success: false`` and a ``chinese_err_code``/``errorMessage`` [3P].
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import (
    ClockedSender,
    Scrubber,
    beijing_time,
    compact_json,
    exchange,
    json_body,
    judge_refusal,
    refuse_4xx,
    wrapped_md5_sign,
)
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

_MESSAGE_KEYS = ("chinese_err_code", "english_err_code", "errorMessage", "resultMessage", "message", "msg")


def jd_sign(params: dict[str, str], secret: str) -> str:
    return wrapped_md5_sign(params, secret)


class JdSender(ClockedSender):
    platform: ClassVar[str] = "jd"
    default_base_url: ClassVar[str] = "https://api.jd.com/routerjson"

    def request(self, call: OutboundCall, credentials: Credentials) -> httpx.Request:
        business = dict(call.params)
        if "logiCoprId" in business:
            business["logiCoprId"] = credentials.carrier(str(business["logiCoprId"]))
        params = {
            "method": call.method,
            "app_key": credentials.require("app_key"),
            "access_token": credentials.require("access_token"),
            "timestamp": beijing_time(self.clock()),
            "v": "2.0",
            "format": "json",
            "sign_method": "md5",
            "360buy_param_json": compact_json(business),
        }
        params["sign"] = jd_sign(params, credentials.require("app_secret"))
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
            text = " ".join(str(error[k]) for k in ("code", "zh_desc", "en_desc") if error.get(k))
            judge_refusal(shipment, scrub(f"jd {call.method}: {text}"))
            return
        answer = next(
            (v for k, v in body.items() if k.endswith(("_responce", "_response")) and isinstance(v, dict)), None
        )
        if answer is None:
            raise PermanentFailure(scrub(f"jd {call.method}: unexpected answer {str(body)[:300]}"))
        if str(answer.get("code", "0")) != "0":
            judge_refusal(shipment, scrub(f"jd {call.method}: code {answer.get('code')} {str(answer)[:300]}"))
            return
        for result in (v for v in answer.values() if isinstance(v, dict)):
            if _failed(result):
                detail = " ".join(str(result[k]) for k in _MESSAGE_KEYS if result.get(k))
                judge_refusal(shipment, scrub(f"jd {call.method}: {detail or 'success false'}"))
                return


def _failed(result: dict[str, Any]) -> bool:
    return result.get("success") is False or result.get("isSuccess") is False

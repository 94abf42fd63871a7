"""Taobao/Tmall Open Platform (TOP): one router URL, every call a signed form POST.

Request [3P SDKs and TOP's published signing guide, as mirrored by them]: ``POST
https://eco.taobao.com/router/rest`` (form-urlencoded, UTF-8) with the system parameters ``method``,
``app_key``, ``session`` (the seller's authorisation), ``timestamp`` (``yyyy-MM-dd HH:mm:ss``,
Beijing time), ``format=json``, ``v=2.0``, ``sign_method`` and ``sign``, beside the API's own
parameters. Signature: every parameter but ``sign`` with a non-empty value, sorted by name in ASCII
order, concatenated as ``name value name value…``; then

- ``md5``: MD5 of ``secret + text + secret``,
- ``hmac``: HMAC-MD5 of ``text`` keyed with the secret,
- ``hmac-sha256``: HMAC-SHA256 of ``text`` keyed with the secret,

as upper-case hex. An answer is ``{"<api>_response": {...}}`` or ``{"error_response": {"code",
"msg", "sub_code", "sub_msg"}}``. ``sub_code`` ``isp.*`` is the platform's own trouble (retry),
``isv.*`` a refusal of our call; top-level codes 7 (App Call Limited) and 10 (Service Currently
Unavailable) are passing; 25–27 (signature, session) and the rest are refusals.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import (
    ClockedSender,
    Scrubber,
    beijing_time,
    concat_sorted,
    exchange,
    form_params,
    hmac_hex,
    json_body,
    judge_refusal,
    refuse_4xx,
    wrapped_md5_sign,
)
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

RETRY_CODES = frozenset({"7", "10"})


def top_sign(params: dict[str, str], secret: str, sign_method: str) -> str:
    text = concat_sorted(params)
    if sign_method == "md5":
        return wrapped_md5_sign(params, secret)
    if sign_method == "hmac":
        return hmac_hex(secret, text, "md5").upper()
    if sign_method == "hmac-sha256":
        return hmac_hex(secret, text, "sha256").upper()
    raise PermanentFailure(f"unknown Taobao sign_method {sign_method!r}")


class TaobaoTopSender(ClockedSender):
    platform: ClassVar[str] = "taobao"
    default_base_url: ClassVar[str] = "https://eco.taobao.com/router/rest"

    def request(self, call: OutboundCall, credentials: Credentials) -> httpx.Request:
        sign_method = credentials.get("sign_method", "md5")
        params = form_params(self._business(call, credentials))
        params.update(
            method=call.method,
            app_key=credentials.require("app_key"),
            session=credentials.require("session"),
            timestamp=beijing_time(self.clock()),
            format="json",
            v="2.0",
            sign_method=sign_method,
        )
        params["sign"] = top_sign(params, credentials.require("app_secret"), sign_method)
        return httpx.Request("POST", credentials.base_url(self.default_base_url), data=params)

    def _business(self, call: OutboundCall, credentials: Credentials) -> dict[str, Any]:
        params = dict(call.params)
        if "company_code" in params:
            params["company_code"] = credentials.carrier(str(params["company_code"]))
        return params

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        scrub = Scrubber(credentials.secrets())
        response = await exchange(http, self.request(call, credentials), scrub)
        refuse_4xx(response, scrub)
        body = json_body(response, scrub)
        error = body.get("error_response")
        if isinstance(error, dict):
            code, sub_code = str(error.get("code", "")), str(error.get("sub_code", ""))
            text = scrub(" ".join(str(error[k]) for k in ("code", "msg", "sub_code", "sub_msg") if error.get(k)))
            judge_refusal(
                shipment, f"taobao {call.method}: {text}", retryable=code in RETRY_CODES or sub_code.startswith("isp.")
            )
            return
        answer = next((v for k, v in body.items() if k.endswith("_response") and isinstance(v, dict)), None)
        if answer is None:
            raise PermanentFailure(scrub(f"taobao {call.method}: unexpected answer {str(body)[:300]}"))
        _check_success_flag(answer, shipment, call.method, scrub)


def _check_success_flag(answer: dict[str, Any], shipment: bool, method: str, scrub: Scrubber) -> None:
    """Some APIs answer 200 with ``{"shipping": {"is_success": false}}``: a refusal all the same."""
    for value in (answer, *(v for v in answer.values() if isinstance(v, dict))):
        if value.get("is_success") is False:
            judge_refusal(shipment, scrub(f"taobao {method}: is_success false {str(value)[:300]}"))
            return

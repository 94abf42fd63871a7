"""WooCommerce REST API v3: JSON to the shop's own site, HTTP Basic auth with the consumer key/secret.

Requests [OFF, woocommerce.github.io/woocommerce-rest-api-docs]: ``PUT {site}/wp-json/wc/v3/orders/{id}``
and ``PUT …/products/{id}[/variations/{id}]``, authenticated with Basic auth (``consumer_key`` as the
user, ``consumer_secret`` as the password) — the documented way over HTTPS. (Over plain HTTP
WooCommerce wants OAuth 1.0a instead; shops are HTTPS, and an ``http://`` base URL here is for tests
or a proxy on the same machine.) Answers: 2xx done; 401/403 (keys), 404 (order, product) and 400
(refused values) are refusals; 429 and 5xx are retried.
"""

from __future__ import annotations

import base64
from typing import Any, ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import Scrubber, exchange, judge_refusal, snippet
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

_STOCK_FIELDS = ("manage_stock", "stock_quantity")
"""A stock update sends only these: the adapter's ``sku`` is for people reading the outbox, and
sending it would overwrite the product's own SKU field in the shop."""


class WooCommerceSender:
    platform: ClassVar[str] = "woocommerce"
    default_base_url: ClassVar[str] = ""
    """None: every shop is its own site (``base_url``)."""

    def request(self, call: OutboundCall, credentials: Credentials) -> httpx.Request:
        verb, _, path = call.method.partition(" ")
        if verb not in ("PUT", "POST") or not path.startswith("/wp-json/wc/"):
            raise PermanentFailure(f"woocommerce: cannot send {call.method!r}")
        body: dict[str, Any] = dict(call.params)
        if "/products/" in path:
            body = {k: v for k, v in body.items() if k in _STOCK_FIELDS}
        else:
            body = _with_carrier(body, credentials)
        base = credentials.base_url("") or credentials.require("base_url")
        headers = {"Accept": "application/json", "Authorization": f"Basic {_basic_token(credentials)}"}
        return httpx.Request(verb, base + path, json=body, headers=headers)

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        scrub = Scrubber([*credentials.secrets(), _basic_token(credentials)])
        response = await exchange(http, self.request(call, credentials), scrub)
        if response.status_code < 400:
            return
        text = scrub(f"woocommerce {call.method}: HTTP {response.status_code} {snippet(response)}")
        if response.status_code == 400:
            judge_refusal(shipment, text)
            return
        raise PermanentFailure(text)


def _with_carrier(body: dict[str, Any], credentials: Credentials) -> dict[str, Any]:
    meta = [dict(m) for m in body.get("meta_data") or []]
    for entry in meta:
        if entry.get("key") == "_cangku_carrier":
            entry["value"] = credentials.carrier(str(entry.get("value", "")))
    return {**body, "meta_data": meta} if meta else body


def _basic_token(credentials: Credentials) -> str:
    pair = f"{credentials.require('consumer_key')}:{credentials.require('consumer_secret')}"
    return base64.b64encode(pair.encode()).decode()

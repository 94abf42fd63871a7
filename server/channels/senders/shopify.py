"""Shopify Admin REST API: JSON over HTTPS with the app's access token in a header.

Requests [OFF, shopify.dev Admin REST reference]: ``https://{shop}.myshopify.com/admin/api/{version}/…``
with ``X-Shopify-Access-Token``. The adapter's calls need one lookup each before the write:

- a shipment: ``GET orders/{id}/fulfillment_orders.json``, then ``POST fulfillments.json`` with
  ``line_items_by_fulfillment_order`` — the open fulfillment-order lines of the order lines shipped
  (all open lines when none are named) — and the tracking info;
- a stock figure: ``GET variants/{id}.json`` for its ``inventory_item_id``, then ``POST
  inventory_levels/set.json`` with the channel's ``location_id``.

Answers: 2xx done; 401/403 (token), 404 (order, variant), 422 (refused) are refusals; 429 and 5xx
are retried. An order whose fulfillment orders for these lines are all ``closed`` is already
fulfilled: counted as delivered, like the Chinese platforms' "already shipped".
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from server.channels.credentials import Credentials
from server.channels.senders.base import RetryableFailure, Scrubber, exchange, json_body, judge_refusal, log, snippet
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

OPEN = frozenset({"open", "in_progress"})
WAITING = frozenset({"on_hold", "scheduled"})


class ShopifySender:
    platform: ClassVar[str] = "shopify"
    default_base_url: ClassVar[str] = ""
    """None: every shop has its own domain (``shop_domain``)."""

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        verb, _, path = call.method.partition(" ")
        if verb != "POST" or not path.startswith("/admin/api/"):
            raise PermanentFailure(f"shopify: cannot send {call.method!r}")
        api = _Api(http, credentials, "/".join(path.split("/")[:4]))  # /admin/api/{version}
        if path.endswith("/fulfillments.json"):
            await self._fulfil(api, call.params, credentials, shipment=shipment)
        elif path.endswith("/inventory_levels/set.json"):
            await self._set_stock(api, call.params, credentials)
        else:
            await api.call("POST", path.removeprefix(api.prefix), call.params, shipment=shipment)

    async def _fulfil(self, api: _Api, params: dict[str, Any], credentials: Credentials, *, shipment: bool) -> None:
        order_id = str(params.get("order_id", ""))
        found = await api.call("GET", f"/orders/{order_id}/fulfillment_orders.json")
        wanted = {str(i) for i in params.get("line_item_ids") or []}
        groups: list[dict[str, Any]] = []
        statuses: set[str] = set()
        for fo in found.get("fulfillment_orders") or []:
            items = [li for li in fo.get("line_items") or [] if not wanted or str(li.get("line_item_id")) in wanted]
            if not items:
                continue
            statuses.add(str(fo.get("status")))
            lines = [
                {"id": li["id"], "quantity": li["fulfillable_quantity"]}
                for li in items
                if int(li.get("fulfillable_quantity") or 0) > 0
            ]
            if fo.get("status") in OPEN and lines:
                groups.append({"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": lines})
        if not groups:
            if statuses and statuses <= {"closed"}:
                log.info("shopify order %s: its lines are already fulfilled; counted as delivered", order_id)
                return
            if statuses & WAITING:
                raise RetryableFailure(f"shopify order {order_id}: fulfillment orders are {sorted(statuses)}")
            raise PermanentFailure(
                f"shopify order {order_id}: nothing to fulfil (fulfillment orders: {sorted(statuses)})"
            )
        fulfillment = dict(params.get("fulfillment") or {})
        tracking = dict(fulfillment.get("tracking_info") or {})
        if tracking.get("company"):
            tracking["company"] = credentials.carrier(str(tracking["company"]))
        fulfillment.update(tracking_info=tracking, line_items_by_fulfillment_order=groups)
        await api.call("POST", "/fulfillments.json", {"fulfillment": fulfillment}, shipment=shipment)

    async def _set_stock(self, api: _Api, params: dict[str, Any], credentials: Credentials) -> None:
        location = credentials.require("location_id")
        variant = (await api.call("GET", f"/variants/{params.get('variant_id', '')}.json")).get("variant") or {}
        item = variant.get("inventory_item_id")
        if item is None:
            raise PermanentFailure(f"shopify variant {params.get('variant_id')}: no inventory_item_id")
        body = {
            "location_id": int(location) if location.isdigit() else location,
            "inventory_item_id": item,
            "available": params.get("available"),
        }
        await api.call("POST", "/inventory_levels/set.json", body)


class _Api:
    def __init__(self, http: httpx.AsyncClient, credentials: Credentials, prefix: str) -> None:
        domain = credentials.get("shop_domain")
        self.base = credentials.base_url(f"https://{domain}" if domain else "")
        if not self.base:
            raise PermanentFailure("shopify: the channel has neither shop_domain nor base_url")
        self.http = http
        self.prefix = prefix
        self.headers = {"X-Shopify-Access-Token": credentials.require("access_token"), "Accept": "application/json"}
        self.scrub = Scrubber(credentials.secrets())

    async def call(
        self, verb: str, path: str, body: dict[str, Any] | None = None, *, shipment: bool = False
    ) -> dict[str, Any]:
        request = self.http.build_request(verb, self.base + self.prefix + path, json=body, headers=self.headers)
        response = await exchange(self.http, request, self.scrub)
        if response.status_code >= 400:
            text = self.scrub(f"shopify {verb} {self.prefix}{path}: HTTP {response.status_code} {snippet(response)}")
            if response.status_code == 422:
                judge_refusal(shipment, text)
                return {}
            raise PermanentFailure(text)
        if not response.content:
            return {}
        return json_body(response, self.scrub)

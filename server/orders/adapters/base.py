"""The one interface every channel adapter offers (issue 4 §1).

Inbound, an adapter turns the platform's payload (a webhook body, one page of a list API) into
``NormalizedOrder``s, after checking the platform's signature where it signs. Outbound, it says
which platform call confirms a shipment or publishes available stock, as an ``OutboundCall`` the
channel outbox stores in the same transaction as the change and a worker later delivers — so a
crash never loses a confirmation, and adapters stay pure functions that tests can check field
by field against FORMATS.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import msgspec

from server.orders.normalized import ParseResult


class OutboundCall(msgspec.Struct, kw_only=True, frozen=True):
    """A request to a platform, in that platform's documented shape."""

    platform: str
    method: str
    """The API name (``taobao.logistics.offline.send``) or HTTP method and path (``POST /admin/api/…``)."""
    params: dict[str, Any]


class ChannelAdapter(Protocol):
    platform: ClassVar[str]

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Whether ``body`` really comes from the platform (HMAC over the raw bytes, constant-time);
        ``True`` for payloads the platform does not sign (pages our own client fetched)."""
        ...

    def parse(self, body: bytes) -> ParseResult:
        """Every order in ``body``; a malformed order is a ``RowError`` (row 0) and the rest still parse."""
        ...

    def shipment_confirmation(
        self, platform_order_no: str, carrier_code: str, waybill_no: str, platform_line_ids: list[str]
    ) -> OutboundCall: ...

    def stock_update(self, sku_code: str, platform_sku_id: str, available: int) -> OutboundCall: ...

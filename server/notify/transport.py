"""One encrypted, VAPID-signed POST to a push service, through pywebpush.

The transport only reports what the push service said; judging the answer (retry, give up, forget
the subscription) is ``server.notify.delivery``'s business. No answer at all (refused connection,
DNS, timeout) raises, and is retried like a 5xx.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    import aiohttp

    from server.notify.vapid import ServerKey

TIMEOUT = 15.0
"""Seconds for one push, connection included: push services answer in milliseconds or not at all."""
TEXT_LIMIT = 500


class Outgoing(msgspec.Struct, kw_only=True, frozen=True):
    """A claimed message as the transport sees it."""

    message_id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: str
    urgency: str
    topic: str
    ttl: int


class Answer(msgspec.Struct, kw_only=True, frozen=True):
    status: int
    retry_after: str | None = None
    text: str = ""


Transport = Callable[[Outgoing], Awaitable[Answer]]


class WebPushTransport:
    """Sends with ``webpush_async`` over one shared aiohttp session."""

    def __init__(self, key: ServerKey, contact: str, http: aiohttp.ClientSession, timeout: float = TIMEOUT) -> None:
        self.key = key
        self.contact = contact
        self.http = http
        self.timeout = timeout

    async def __call__(self, out: Outgoing) -> Answer:
        from pywebpush import WebPushException, webpush_async  # pulls in requests too: only where pushes go out

        subscription: dict[str, Any] = {"endpoint": out.endpoint, "keys": {"p256dh": out.p256dh, "auth": out.auth}}
        # A fresh dict every call: pywebpush writes ``aud`` and ``exp`` into it, and a shared one would
        # carry the first push service's audience to every other.
        claims: dict[str, str | int] = {"sub": self.contact}
        try:
            response = await webpush_async(
                subscription,
                data=out.payload,
                vapid_private_key=self.key.vapid,
                vapid_claims=claims,
                ttl=out.ttl,
                headers={"Urgency": out.urgency, "Topic": out.topic},
                aiohttp_session=self.http,
                timeout=self.timeout,
            )
        except WebPushException as exc:
            if exc.response is None:
                raise
            return Answer(status=int(exc.status_code), retry_after=exc.retry_after, text=str(exc)[:TEXT_LIMIT])
        return Answer(status=int(response.status))

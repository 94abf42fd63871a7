"""What every platform sender shares: the interface, the HTTP exchange and how answers are judged.

An outbox row ends one of three ways, and a sender's whole job is to say which:

- it returns: the platform did it (or had already done it — see ``ALREADY_SHIPPED``);
- it raises ``RetryableFailure`` (or any exception but the next): the network, a 5xx, a 429, a
  platform that says it is busy or rate-limited — a later try may well succeed;
- it raises ``PermanentFailure``: the platform refused for good (bad signature, expired token,
  order closed, unknown item). The row is dead at once, for a person to look at; retrying a refusal
  only delays that, and a stale stock figure sent hours later would do harm.

Secrets never leave through here: request URLs are logged without their query string (Douyin puts
the access token there), error texts are scrubbed of every secret value before they are raised
(they end up in ``channel_outbox.last_error``), and response bodies are quoted only in part.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

import httpx

from server.channels.credentials import Credentials
from server.fulfilment.shipping.outbox import PermanentFailure
from server.orders.adapters.base import OutboundCall

log = logging.getLogger("cangku.channels")

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
"""A platform call that has not answered in 20 s is retried later rather than holding the worker."""
CHINA = ZoneInfo("Asia/Shanghai")
"""Taobao and JD want their ``timestamp`` in Beijing time, without an offset (FORMATS.md §0)."""
SNIPPET = 300

Clock = Callable[[], datetime]


class RetryableFailure(Exception):
    """The call may succeed later: network trouble, a 5xx or 429, a platform saying it is busy."""


class PlatformSender(Protocol):
    """Turns one ``OutboundCall`` into the platform's signed HTTP request(s) and judges the answer."""

    platform: ClassVar[str]
    default_base_url: ClassVar[str]

    async def send(
        self, http: httpx.AsyncClient, call: OutboundCall, credentials: Credentials, *, shipment: bool
    ) -> None:
        """``shipment``: the call confirms a shipment (where "already shipped" counts as done)."""
        ...


class Scrubber:
    """Replaces every secret value (and the forms it travels in) in a text with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


# --- request building -------------------------------------------------------------------------


def param_text(value: Any) -> str:
    """A business parameter as the gateways' form encodings carry it: JSON for lists, objects and
    booleans (``true``), the plain text for strings and numbers."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | list | dict):
        return compact_json(value)
    return str(value)


def compact_json(value: Any, *, sort_keys: bool = False) -> str:
    """JSON without spaces and with Chinese kept as is — the exact text that is both signed and sent."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def form_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Business parameters as form fields; ``None`` and empty values are left out (and so unsigned)."""
    return {k: param_text(v) for k, v in params.items() if v is not None and param_text(v) != ""}


def beijing_time(now: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in Asia/Shanghai."""
    return now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def concat_sorted(params: Mapping[str, str]) -> str:
    """``k1v1k2v2…`` by parameter name in ASCII order, ``sign`` and empty values left out: the text
    Taobao, JD and PDD sign."""
    return "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and k and v != "")


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()  # noqa: S324 - the platforms' documented signature


def wrapped_md5_sign(params: Mapping[str, str], secret: str) -> str:
    """``MD5(secret + k1v1k2v2… + secret)`` in upper case: the md5 signature of Taobao, JD and PDD alike."""
    return md5_upper(secret + concat_sorted(params) + secret)


def hmac_hex(secret: str, text: str, digest: str) -> str:
    return hmac.new(secret.encode(), text.encode(), digest).hexdigest()


# --- the exchange -----------------------------------------------------------------------------


async def exchange(http: httpx.AsyncClient, request: httpx.Request, scrub: Scrubber) -> httpx.Response:
    """Send ``request``; network trouble, 429, 408 and 5xx are ``RetryableFailure``, a redirect or
    another 4xx a ``PermanentFailure`` unless the caller reads 4xx bodies itself (``keep_4xx``)."""
    try:
        response = await http.send(request)
    except httpx.TimeoutException as exc:
        raise RetryableFailure(f"no answer in time from {request.url.host} ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise RetryableFailure(scrub(f"cannot reach {request.url.host}: {type(exc).__name__}: {exc}")) from None
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise RetryableFailure(scrub(f"HTTP {status} from {request.url.host}: {snippet(response)}"))
    if 300 <= status < 400:
        raise PermanentFailure(f"HTTP {status}: unexpected redirect from {request.url.host}; check base_url")
    return response


def snippet(response: httpx.Response) -> str:
    return " ".join(response.text[:SNIPPET].split())


def json_body(response: httpx.Response, scrub: Scrubber) -> dict[str, Any]:
    """The answer as a JSON object; anything else is a gateway hiccup (an HTML error page): retry."""
    try:
        body = response.json()
    except ValueError:
        raise RetryableFailure(scrub(f"HTTP {response.status_code}, not JSON: {snippet(response)}")) from None
    if not isinstance(body, dict):
        raise RetryableFailure(f"HTTP {response.status_code}: answer is JSON but not an object")
    return body


def refuse_4xx(response: httpx.Response, scrub: Scrubber) -> None:
    """For gateways that answer errors inside a 200: any other 4xx (401, 403, 404…) is a refusal of
    our request as such (wrong base URL, credentials) and will not heal by itself."""
    if response.status_code >= 400:
        raise PermanentFailure(scrub(f"HTTP {response.status_code}: {snippet(response)}"))


# --- judging refusals ------------------------------------------------------------------------

ALREADY_SHIPPED = (
    "已发货",
    "已经发货",
    "重复发货",
    "已出库",
    "already shipped",
    "already fulfilled",
    "already consigned",
)
"""Phrases in a refusal of a shipment confirmation that mean the platform already has the order as
shipped (by an earlier try whose answer was lost, or by hand in the seller centre). We count that
as delivered: the outbox's job — the platform knowing the parcel left — is done, and a dead row
would send a person to fix something that is not broken. The sender logs it at INFO. [UNV] The
exact texts differ per platform and API version; they are matched as phrases, not codes."""

BUSY = ("繁忙", "频繁", "稍后", "超时", "限流", "不可用", "busy", "timeout", "timed out", "limit", "unavailable")
"""Phrases that mark a platform-side, passing trouble (系统繁忙, 调用过于频繁, 服务不可用)."""


def mentions(text: str, phrases: Iterable[str]) -> bool:
    folded = text.casefold()
    return any(p.casefold() in folded for p in phrases)


def judge_refusal(shipment: bool, text: str, *, retryable: bool = False) -> None:
    """A platform-level refusal described by ``text``: returns when it means "already shipped" for a
    shipment confirmation, raises ``RetryableFailure`` when it is passing trouble, and otherwise
    ``PermanentFailure``."""
    if shipment and mentions(text, ALREADY_SHIPPED):
        log.info("platform says already shipped; counted as delivered: %s", text)
        return
    if retryable or mentions(text, BUSY):
        raise RetryableFailure(text)
    raise PermanentFailure(text)


def utc_now() -> datetime:
    return datetime.now(UTC)


class ClockedSender:
    """A sender whose requests carry the time (every platform but Shopify and WooCommerce signs it);
    the clock is injected so tests can recompute a signature."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock


class _NoQueryInUrls(logging.Filter):
    """httpx logs each request's full URL at INFO; a query string may hold an access token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx.URL) for a in record.args):
            record.args = tuple(a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_NoQueryInUrls())

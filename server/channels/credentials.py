"""Which API keys each platform needs, and the write-only way they are stored and shown.

Each platform names its keys differently (Taobao's ``session``, PDD's ``client_id``, WooCommerce's
``consumer_key``); the merchant copies them from the platform's console, so we keep the platform's
names. A key is *secret* when knowing it lets someone act as the shop: secrets are stored, used by
the senders, and otherwise only reported as set or not — never returned, never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

SHIP = "shipment_confirmation"
STOCK = "stock_update"
BOTH = frozenset({SHIP, STOCK})


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    secret: bool = False
    needed_for: frozenset[str] = BOTH
    """The outbox kinds that cannot be sent without it; empty for optional keys."""
    choices: tuple[str, ...] = ()
    doc: str = ""


_BASE_URL = Key("base_url", needed_for=frozenset(), doc="overrides the platform's endpoint (sandbox, proxy, tests)")
_CARRIERS = Key(
    "carrier_codes",
    needed_for=frozenset(),
    doc="our carrier code → the platform's (JD logiCoprId, PDD logistics_id are numbers)",
)

PLATFORM_KEYS: dict[str, tuple[Key, ...]] = {
    "taobao": (
        Key("app_key"),
        Key("app_secret", secret=True),
        Key("session", secret=True, doc="the seller's session key (授权 SessionKey)"),
        Key("sign_method", needed_for=frozenset(), choices=("md5", "hmac", "hmac-sha256"), doc="default md5"),
        _BASE_URL,
        _CARRIERS,
    ),
    "jd": (Key("app_key"), Key("app_secret", secret=True), Key("access_token", secret=True), _BASE_URL, _CARRIERS),
    "pdd": (
        Key("client_id"),
        Key("client_secret", secret=True),
        Key("access_token", secret=True),
        _BASE_URL,
        _CARRIERS,
    ),
    "douyin": (
        Key("app_key"),
        Key("app_secret", secret=True),
        Key("access_token", secret=True),
        Key("sign_method", needed_for=frozenset(), choices=("hmac-sha256", "md5"), doc="default hmac-sha256"),
        _BASE_URL,
        _CARRIERS,
    ),
    "shopify": (
        Key("shop_domain", needed_for=frozenset(), doc="example.myshopify.com (or set base_url)"),
        Key("access_token", secret=True, doc="Admin API access token (shpat_…)"),
        Key("location_id", needed_for=frozenset({STOCK}), doc="the Shopify location whose stock we set"),
        _BASE_URL,
        _CARRIERS,
    ),
    "woocommerce": (
        Key("base_url", needed_for=BOTH, doc="the shop's site URL, https://shop.example.com"),
        Key("consumer_key", secret=True),
        Key("consumer_secret", secret=True),
        _CARRIERS,
    ),
}


def keys_of(platform: str) -> tuple[Key, ...]:
    return PLATFORM_KEYS.get(platform, ())


def missing(platform: str, document: Mapping[str, Any], kind: str | None = None) -> list[str]:
    """Keys needed for ``kind`` (any kind when ``None``) that are not set; Shopify needs a shop
    domain or a base URL."""
    absent = [
        key.name
        for key in keys_of(platform)
        if key.needed_for and (kind is None or kind in key.needed_for) and not document.get(key.name)
    ]
    if platform == "shopify" and not (document.get("shop_domain") or document.get("base_url")):
        absent.insert(0, "shop_domain")
    return absent


def check_base_url(value: str) -> str | None:
    """Why ``value`` is not a usable base URL, or ``None``: http(s), a host, no query, no password."""
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "is not a URL"
    if url.scheme not in ("http", "https") or not url.host:
        return "must be an http(s) URL with a host"
    if url.query or url.fragment or url.userinfo:
        return "must not carry a query, fragment or user name"
    return None


class Credentials:
    """A channel's keys as the senders use them. ``repr`` and ``str`` name no value, so an exception
    or a log line that mentions one cannot leak a secret."""

    __slots__ = ("_values", "channel_id", "platform")

    def __init__(self, channel_id: int, platform: str, document: Mapping[str, Any]) -> None:
        self.channel_id = channel_id
        self.platform = platform
        self._values = dict(document)

    def __repr__(self) -> str:
        return f"Credentials(channel={self.channel_id}, platform={self.platform}, keys={sorted(self._values)})"

    __str__ = __repr__

    def get(self, name: str, default: str = "") -> str:
        value = self._values.get(name)
        return str(value) if value not in (None, "") else default

    def require(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise CredentialsMissing(self.channel_id, [name])
        return value

    def base_url(self, default: str) -> str:
        return (self.get("base_url") or default).rstrip("/")

    def carrier(self, code: str) -> str:
        """The platform's code for our carrier ``code`` (itself when not mapped)."""
        mapping = self._values.get("carrier_codes")
        if isinstance(mapping, dict):
            return str(mapping.get(code) or code)
        return code

    def secrets(self) -> list[str]:
        """Every secret value, for scrubbing text that might echo one."""
        names = {key.name for key in keys_of(self.platform) if key.secret}
        return [str(v) for k, v in self._values.items() if k in names and v]

    def check(self, kind: str | None = None) -> None:
        """Raise ``CredentialsMissing`` unless every key ``kind`` needs is set."""
        absent = missing(self.platform, self._values, kind)
        if absent:
            raise CredentialsMissing(self.channel_id, absent)


class CredentialsMissing(Exception):
    """Not a permanent failure: once the merchant enters the keys, the waiting rows go out (saving
    credentials makes them due at once)."""

    def __init__(self, channel_id: int, names: list[str]) -> None:
        super().__init__(
            f"channel {channel_id} has no {', '.join(names)} set: enter them under the channel's credentials"
        )
        self.names = names

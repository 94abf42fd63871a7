"""Reading JSON payloads (API pages, webhook bodies) the same careful way for every platform.

Integers stay exact (ids beyond 2^53), decimals stay decimal (``19.9`` is not 19.899999…), every
failure becomes a ``RowError`` naming the field, and signatures are compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import msgspec

from server.orders.normalized import NormalizedOrder, ParseResult, RowError
from server.orders.values import BadValue, money_minor

_JSON = msgspec.json.Decoder(float_hook=Decimal)


def json_body(body: bytes) -> Any:
    """A JSON payload with its integers exact and its decimals as ``Decimal`` from their literal text.

    Shopify and Taobao ids pass 2^53 and would corrupt as floats; PDD and WooCommerce send money as
    JSON numbers, and ``19.9`` must stay 19.9 rather than become 19.899999…"""
    try:
        return _JSON.decode(body)
    except msgspec.DecodeError as exc:
        raise BadValue(f"body: not valid JSON ({exc})", "body：不是有效的 JSON") from exc


def json_object(value: Any, *, field: str) -> dict[str, Any]:
    """A nested object; absent (``null``) reads as empty, since platforms drop empty sections that way."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadValue(f"{field}: expected an object, got {type(value).__name__}", f"{field}：应为对象")
    return value


def json_list(value: Any, *, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadValue(f"{field}: expected a list, got {type(value).__name__}", f"{field}：应为列表")
    return value


def json_text(value: Any, *, field: str = "text") -> str:
    """An optional text or id field as text; numbers keep their exact digits (ids, ``seller_flag``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise BadValue(f"{field}: expected text, got {type(value).__name__}", f"{field}：应为文本")


def json_id(value: Any, *, field: str) -> str:
    """A required identifier as a string, never through float (Taobao ``tid`` and Shopify ``id`` pass 2^53)."""
    if isinstance(value, Decimal):
        raise BadValue(f"{field}: an id must be whole, got {value}", f"{field}：编号不能是小数")
    text = json_text(value, field=field)
    if not text:
        raise BadValue(f"{field}: missing", f"{field}：缺失")
    return text


def json_int(value: Any, *, field: str) -> int | None:
    """A small integer enum or flag written as a number or a numeric string; empty → ``None``."""
    text = json_text(value, field=field)
    if not text:
        return None
    if not text.lstrip("-").isdigit():
        raise BadValue(f"{field}: not a whole number: {value!r}", f"{field}：应为整数")
    return int(text)


def amount_text(value: Any) -> str:
    """A money value exactly as the platform wrote it, for ``raw_amounts`` (``"200.07"``, ``19.90``, ``1990``)."""
    return "" if value is None else str(value)


def header_value(headers: Mapping[str, str], name: str) -> str:
    """A header whatever its case: proxies and frameworks lower-case names, platforms document them capitalised."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def hmac_sha256_base64_matches(body: bytes, secret: str, signature: str) -> bool:
    """Whether ``signature`` is the base64 HMAC-SHA256 of the raw body (Shopify, WooCommerce webhooks).

    Compared in constant time so response timing leaks nothing about the expected value; an empty
    secret never matches, so an unconfigured channel cannot be fed by anyone who guesses that."""
    if not secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode())


def error_field(error: BadValue) -> str:
    """The field a ``BadValue`` names: every reader here starts its message with ``field:``."""
    field, sep, _ = error.message.partition(":")
    return field.strip() if sep and field.strip() else "order"


def read_payload(
    body: bytes,
    orders_in: Callable[[Any], list[Any]],
    build: Callable[[Any], NormalizedOrder],
    *,
    order_no: Callable[[Any], str],
) -> ParseResult:
    """Every order of a JSON payload, each bad one a ``RowError`` (row 0) while the rest still parse.

    ``orders_in`` takes the decoded body to its order objects (unwrapping the platform's envelope);
    ``build`` reads one; ``order_no`` names one in an error message. Nothing escapes as an exception:
    a webhook handler must answer the platform, and one odd order must not block a page of good ones."""
    try:
        found = orders_in(json_body(body))
    except BadValue as error:
        return ParseResult(
            orders=[],
            errors=[RowError(row=0, field=error_field(error), message=error.message, message_zh=error.message_zh)],
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        message = f"body: unexpected shape ({type(exc).__name__}: {exc})"
        return ParseResult(
            orders=[], errors=[RowError(row=0, field="body", message=message, message_zh="body：数据结构异常")]
        )
    orders: list[NormalizedOrder] = []
    errors: list[RowError] = []
    for raw in found:
        try:
            orders.append(build(raw))
        except BadValue as error:
            label = _order_label(raw, order_no)
            errors.append(
                RowError(
                    row=0,
                    field=error_field(error),
                    message=f"order {label}: {error.message}",
                    message_zh=f"订单 {label}：{error.message_zh}",
                )
            )
        except (KeyError, TypeError, AttributeError, ArithmeticError, ValueError) as exc:
            label = _order_label(raw, order_no)
            errors.append(
                RowError(
                    row=0,
                    field="order",
                    message=f"order {label}: unexpected shape ({type(exc).__name__}: {exc})",
                    message_zh=f"订单 {label}：数据结构异常",
                )
            )
    return ParseResult(orders=orders, errors=errors, rows=len(found))


def _order_label(raw: Any, order_no: Callable[[Any], str]) -> str:
    try:
        return order_no(raw) or "?"
    except (KeyError, TypeError, AttributeError, ValueError):
        return "?"


class AmountReader:
    """Reads an order's money fields in the platform's unit and keeps each one's text for ``raw_amounts``."""

    def __init__(self, unit: str = "yuan") -> None:
        self.unit = unit
        self.raw: dict[str, str] = {}

    def __call__(self, value: Any, path: str) -> int:
        self.raw[path] = amount_text(value)
        return money_minor(value, unit=self.unit, field=path)

    def keep(self, value: Any, path: str) -> None:
        """Record a total the order is not built from (``subtotal_price``), for the audit trail only."""
        if value is not None:
            self.raw[path] = amount_text(value)

"""Reading the values platforms write: money in their units, times in their zones, decorated cells.

Every function raises ``BadValue`` with an English and a Chinese message; adapters turn it into a
``RowError`` naming the row and field, so one bad cell never stops a file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNSET_TIMES = frozenset({"0001-01-01 00:00:00", "1970-01-01 00:00:00", "0000-00-00 00:00:00"})
"""JD and others write these for "not set"."""


class BadValue(ValueError):
    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def clean_cell(value: str | None) -> str:
    """A spreadsheet cell without the guards exports add: ``="…"``, a leading ``'`` or backtick, a
    trailing tab, surrounding spaces."""
    if value is None:
        return ""
    text = value.strip().strip("\t").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    if text[:1] in ("'", "`"):
        text = text[1:]
    return text.strip()


_MONEY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def money_minor(value: str | int | float | Decimal | None, *, unit: str = "yuan", field: str = "amount") -> int:
    """An amount in fen. ``unit``: ``yuan`` (strings "200.07", PDD doubles 19.9 — read through their
    shortest repr, never binary float arithmetic) or ``fen`` (Douyin integers)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise BadValue(f"{field}: not an amount: {value!r}", f"{field}：金额无效")
    if unit == "fen":
        if isinstance(value, int):
            return value
        text = clean_cell(str(value))
        if not text.lstrip("+-").isdigit():
            raise BadValue(f"{field}: expected whole fen, got {value!r}", f"{field}：金额应为整数（分）")
        return int(text)
    if isinstance(value, Decimal):
        amount = value
    else:
        text = clean_cell(str(value)).replace(",", "").removesuffix("元").replace("¥", "").replace("￥", "").strip()
        if not _MONEY.match(text):
            raise BadValue(f"{field}: not an amount: {value!r}", f"{field}：金额格式错误")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise BadValue(f"{field}: not an amount: {value!r}", f"{field}：金额格式错误") from exc
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quantity(value: str | int | None, *, field: str = "qty") -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = clean_cell(str(value) if value is not None else "")
        if not text.isdigit():
            raise BadValue(f"{field}: not a whole quantity: {value!r}", f"{field}：数量必须为正整数")
        number = int(text)
    if number <= 0:
        raise BadValue(f"{field}: quantity must be positive, got {number}", f"{field}：数量必须大于 0")
    return number


def china_time(value: str | None, *, field: str = "time") -> datetime | None:
    """``yyyy-MM-dd HH:mm:ss`` (also with ``/`` or without seconds) in Beijing time → UTC; empty or
    a platform's "not set" sentinel → ``None``."""
    text = clean_cell(value)
    if not text or text in UNSET_TIMES:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SHANGHAI).astimezone(UTC)
        except ValueError:
            continue
    raise BadValue(f"{field}: not a time: {value!r}", f"{field}：时间格式错误")


def unix_time(value: int | str | None, *, unit: str = "s", field: str = "time") -> datetime | None:
    """Unix seconds (``unit="s"``) or milliseconds (``"ms"``) → UTC; 0 or empty → ``None``."""
    if value in (None, "", 0, "0"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise BadValue(f"{field}: not a Unix time: {value!r}", f"{field}：时间戳无效") from exc
    seconds = number / 1000 if unit == "ms" else number
    return datetime.fromtimestamp(seconds, tz=UTC)


def iso_time(value: str | None, *, field: str = "time", naive_zone: timezone | ZoneInfo = UTC) -> datetime | None:
    """ISO 8601; a value without an offset is read in ``naive_zone`` (WooCommerce ``*_gmt`` is UTC)."""
    text = clean_cell(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadValue(f"{field}: not an ISO time: {value!r}", f"{field}：时间格式错误") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed.astimezone(UTC)

"""Reading the values platforms write: money in their units, times in their zones, decorated cells.

Every function raises ``BadValue`` with an English and a Chinese message; adapters turn it into a
``RowError`` naming the row and field, so one bad cell never stops a file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple
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


_LOCAL_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


def local_time(value: str | None, zone: ZoneInfo, *, field: str = "time") -> datetime | None:
    """A wall-clock time in ``zone`` → UTC, for files whose zone the merchant states (mapped imports).

    Takes what spreadsheets write (``2024/3/1 9:05`` from Excel, ``2024-03-01 09:05:00``) and ISO 8601;
    an explicit offset wins over ``zone``, since a file that says it is UTC means it. Empty or a
    "not set" sentinel → ``None``."""
    text = clean_cell(value)
    if not text or text in UNSET_TIMES:
        return None
    for pattern in _LOCAL_TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadValue(f"{field}: not a time: {value!r}", f"{field}：时间格式错误") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


class AddressParts(NamedTuple):
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    address: str = ""
    zip: str = ""


# fmt: off
_PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
PROVINCE_ADMINISTERED = frozenset({
    "仙桃市", "潜江市", "天门市", "神农架林区", "济源市",
    "五指山市", "琼海市", "文昌市", "万宁市", "东方市", "定安县", "屯昌县", "澄迈县", "临高县",
    "白沙黎族自治县", "昌江黎族自治县", "乐东黎族自治县", "陵水黎族自治县",
    "保亭黎族苗族自治县", "琼中黎族苗族自治县",
    "石河子市", "阿拉尔市", "图木舒克市", "五家渠市", "北屯市", "铁门关市", "双河市", "可克达拉市", "昆玉市",
    "胡杨河市", "新星市", "白杨市",
})
# fmt: on
"""County-level units a province administers directly: they have no prefecture city above them."""
_NO_CITY = frozenset({"", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"})
_DISTRICT_ENDINGS = ("区", "县", "市", "旗")
_TOWN_ENDINGS = ("镇", "乡", "街道", "苏木")
_ZIP_SUFFIX = re.compile(r"\s*[(（]\s*(\d{6})?\s*[)）]\s*$")


def _looks_like_district(token: str) -> bool:
    return 0 < len(token) <= 10 and token.endswith(_DISTRICT_ENDINGS) and not any(ch.isdigit() for ch in token)


def split_address(value: str | None) -> AddressParts:
    """A one-cell address as Taobao exports it, ``省 市 区 detail(zip)``, split into its levels.

    Exports separate the three levels by single spaces (an empty level leaves two spaces) and put the
    zip in parentheses at the end. Anything that does not start with a province is kept whole in
    ``address``: a wrong split would route a parcel to the wrong region, a whole one only looks untidy.
    County-level units under a province (仙桃市, 济源市…) are both city and district: Taobao's API
    leaves the city empty and advises falling back to the district, and the API adapter does so,
    so the same order reads the same from a file and from the API."""
    text = clean_cell(value).replace("\u3000", " ").strip()
    zip_code = ""
    found = _ZIP_SUFFIX.search(text)
    if found:
        zip_code = "" if found.group(1) in (None, "000000") else found.group(1)
        text = text[: found.start()].strip()
    parts = text.split(" ", 3)
    if len(parts) < 2 or not parts[0].startswith(_PROVINCES) or len(parts[0]) > 12:
        return AddressParts(address=text, zip=zip_code)
    province, rest = parts[0], parts[1:]
    if len(rest) == 1:
        return AddressParts(province=province, address=rest[0].strip(), zip=zip_code)
    city = rest[0]
    district = rest[1] if len(rest) == 3 or _looks_like_district(rest[1]) else ""
    address = rest[2] if len(rest) == 3 else ("" if district else rest[1])
    town = ""
    if city in PROVINCE_ADMINISTERED:
        if district and district != city and district.endswith(_TOWN_ENDINGS):
            town = district
        elif district and district != city:
            address = f"{district} {address}".strip()
        district = city
    elif city in _NO_CITY:
        city = ""
    if not city and district in PROVINCE_ADMINISTERED:
        city = district
    return AddressParts(province, city, district, town, address.strip(), zip_code)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` fen split in proportion to ``weights``, the parts summing to ``total`` exactly.

    For platforms that give an order-level discount but no per-line figure (JD, PDD): the largest
    remainders get the odd fen, so no fen is lost or invented; all-zero weights split evenly."""
    if not weights:
        return []
    if total < 0:
        return [-part for part in allocate(-total, weights)]
    basis = list(weights) if any(weights) else [1] * len(weights)
    whole = sum(basis)
    parts = [total * weight // whole for weight in basis]
    order = sorted(range(len(basis)), key=lambda i: (-(total * basis[i] % whole), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts

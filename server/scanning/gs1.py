"""GS1 element strings from GS1-128, GS1 DataMatrix, GS1 QR (and DataBar, DotCode).

Two written forms reach us. Decoders in plain mode (pyzbar, zxing-cpp ``TextMode.Plain``, most
hardware scanners) send the *raw* form ``01095011015300031725123110ABC<GS>21…``: AIs and data run
together, a field of predefined length (``gs1_table.PREDEFINED_LENGTHS``) simply ends, and a
variable-length field ends at FNC1 — transmitted as GS (0x1D) — or at the end of the data.
zxing in HRI mode and people typing from a label send the *bracketed* form
``(01)09501101530003(17)251231(10)ABC``.

What the raw reader accepts, and why:

* an AIM symbology identifier of a GS1 symbol first (``]C1`` GS1-128, ``]e0`` DataBar,
  ``]d2`` DataMatrix, ``]Q3`` QR, ``]J1`` DotCode); any other identifier is refused, because the
  symbol then is not GS1 (e.g. ``]C0`` plain Code 128);
* one leading GS: some scanners transmit the FNC1 in first position;
* as separator: GS (0x1D), and the literal texts ``<GS>`` and ``{GS}``, which keyboard-wedge
  scanners are configured to type because a wedge cannot type a control character. ``{`` is not
  in the GS1 character set, so ``{GS}`` is unambiguous; ``<GS>`` would shadow a lot number that
  really contains ``<GS>``, which we accept as unlikely. (GS1 QR encodes FNC1 as ``%`` inside
  the symbol, but decoders transmit it as GS; a ``%`` that reaches us is data);
* a separator after a fixed-length field, and one at the very end (both needless, both common);
* trailing CR/LF (the wedge's Enter key).

A fixed-length field that is not of predefined length (402, 422, 7006, 8005) is read by its
length even when the encoder forgot the FNC1 after it: the table knows the length, so refusing
would only punish the user for a label printer's slip. In the bracketed form a value ends at the
next ``(`` that opens two to four digits and ``)``; a lone ``(`` is data.

Association rules of the GS1 syntax dictionary (02 needs 37, 10 needs a GTIN, …) are *not*
enforced: a reader should not refuse a label a supplier printed, and the screen that receives the
scan knows what it needs. Two contradictions are refused: the same AI twice with different values,
and AI 01 with AI 02 (the GTIN would be ambiguous).

Every error is a ``Gs1Error`` naming the 0-based position in the input where it went wrong. The
TypeScript twin ``pwa/src/scanning/gs1.ts`` produces the same messages; both run the vectors in
``tests/vectors/gs1.json``.
"""

from __future__ import annotations

import calendar
import datetime
import decimal
import re
from typing import NoReturn

import msgspec

from server.catalog.gtin import gtin_check_digit
from server.scanning.gs1_table import AI_TABLE, CSET82, AiSpec, lookup_ai

__all__ = ("GS1_SYMBOLOGY_IDS", "Gs1Data", "Gs1Element", "Gs1Error", "looks_like_gs1", "parse_gs1")

GS1_SYMBOLOGY_IDS = frozenset({"]C1", "]e0", "]d2", "]Q3", "]J1"})
GS = "\x1d"
_SEPARATORS = (GS, "<GS>", "{GS}")
_BRACKETED_AI = re.compile(r"\(([0-9]{2,4})\)")
_LEADING_DIGITS = re.compile(r"[0-9]{1,4}")


class Gs1Error(ValueError):
    """A malformed element string; `position` is the 0-based index in the input where it went wrong."""

    position: int
    message: str
    message_zh: str

    def __init__(self, position: int, message: str, message_zh: str) -> None:
        super().__init__(f"{message} (at position {position})")
        self.position = position
        self.message = message
        self.message_zh = message_zh


class Gs1Element(msgspec.Struct, frozen=True, kw_only=True):
    """One field as found: the AI, its data without separators, and the GS1 data title."""

    ai: str
    value: str
    title: str


class Gs1Data(msgspec.Struct, frozen=True, kw_only=True):
    """Every element in order, plus the ones the warehouse acts on, already typed and checked."""

    elements: list[Gs1Element]
    gtin: str | None = None
    content_gtin: bool = False
    sscc: str | None = None
    lot: str | None = None
    expiry: datetime.date | None = None
    best_before: datetime.date | None = None
    production_date: datetime.date | None = None
    serial: str | None = None
    count: int | None = None
    net_weight_kg: decimal.Decimal | None = None


def looks_like_gs1(text: str) -> bool:
    """Cheap test: an AIM symbology identifier of a GS1 symbol (]C1 ]e0 ]d2 ]Q3 ]J1), a leading
    FNC1/GS, or the human-readable "(01)…" form.

    Also true for two leading digits with a GS further on: pyzbar sends GS1-128 raw without ``]C1``
    (BARCODE-NOTES). A raw string of fixed-length fields only (``010950110153000317251231``) is
    indistinguishable from plain digits; a caller that knows the symbol is GS1 calls ``parse_gs1``.
    """
    if text[:3] in GS1_SYMBOLOGY_IDS or text.startswith(_SEPARATORS):
        return True
    if _BRACKETED_AI.match(text):
        return True
    return len(text) >= 2 and _is_digit(text[0]) and _is_digit(text[1]) and any(sep in text for sep in _SEPARATORS)


def parse_gs1(text: str, *, today: datetime.date | None = None) -> Gs1Data:
    """Raw element strings (optional AIM prefix, GS \\x1d or FNC1 separators) or the human-readable
    bracketed form. Raises Gs1Error naming the position.

    ``today`` fixes the reference year of the two-digit-year rule (tests); it defaults to today.
    """
    reference_year = (today or datetime.date.today()).year
    data = text.rstrip("\r\n")
    pos = 0
    if data.startswith("]"):
        symbology = data[:3]
        if symbology not in GS1_SYMBOLOGY_IDS:
            raise Gs1Error(
                0,
                f"symbology identifier {symbology} is not a GS1 symbol",
                f"符号标识 {symbology} 不是 GS1 条码",
            )
        pos = 3
    if data.startswith("(", pos):
        found = _read_bracketed(data, pos, reference_year)
    else:
        pos += _separator_at(data, pos)
        found = _read_raw(data, pos, reference_year)
    if not found:
        raise Gs1Error(pos, "empty element string", "条码内容为空")
    return _assemble(found, reference_year)


# --- reading the two forms ------------------------------------------------------------------------

_Found = tuple[AiSpec, str, int]
"""(spec, value, position of the AI)"""


def _separator_at(data: str, pos: int) -> int:
    """The length of the separator starting at ``pos`` (0 when there is none)."""
    return next((len(sep) for sep in _SEPARATORS if data.startswith(sep, pos)), 0)


def _is_digit(char: str) -> bool:
    """ASCII digits only: ``str.isdigit`` would also accept "²" and "٣"."""
    return "0" <= char <= "9"


def _show(char: str) -> str:
    """A character for an error message: control characters as U+XXXX so they are visible."""
    code = ord(char)
    return f"U+{code:04X}" if code < 0x20 or code == 0x7F else char


def _read_raw(data: str, pos: int, reference_year: int) -> list[_Found]:
    found: list[_Found] = []
    while pos < len(data):
        if _separator_at(data, pos):
            raise Gs1Error(
                pos,
                "expected an application identifier, found a separator",
                "此处应为应用标识符（AI），却是分隔符",
            )
        spec = lookup_ai(data, pos)
        if spec is None:
            if not _is_digit(data[pos]):
                shown = _show(data[pos])
                raise Gs1Error(
                    pos,
                    f"expected an application identifier (digits), found '{shown}'",
                    f"此处应为应用标识符（数字），却是“{shown}”",
                )
            leading = _LEADING_DIGITS.match(data, pos)
            _unknown_ai(leading.group() if leading else "", pos)
        start = pos + len(spec.ai)
        limit = min(start + spec.max_length, len(data)) if spec.fixed else len(data)
        stop = start
        while stop < limit and not _separator_at(data, stop):
            stop += 1
        _check_value(spec, data[start:stop], start, stop, reference_year)
        found.append((spec, data[start:stop], pos))
        pos = stop + _separator_at(data, stop)
    return found


def _read_bracketed(data: str, pos: int, reference_year: int) -> list[_Found]:
    found: list[_Found] = []
    while pos < len(data):
        match = _BRACKETED_AI.match(data, pos)
        if match is None:
            raise Gs1Error(
                pos,
                "expected an application identifier in brackets, like (01)",
                "此处应为括号中的应用标识符，如 (01)",
            )
        spec = AI_TABLE.get(match.group(1))
        if spec is None:
            _unknown_ai(match.group(1), pos + 1)
        start = match.end()
        following = _BRACKETED_AI.search(data, start)
        stop = following.start() if following else len(data)
        _check_value(spec, data[start:stop], start, stop, reference_year)
        found.append((spec, data[start:stop], pos))
        pos = stop
    return found


# --- checking one value ---------------------------------------------------------------------------


def _unknown_ai(shown: str, pos: int) -> NoReturn:
    raise Gs1Error(pos, f"unknown application identifier '{shown}'", f"未知的应用标识符（AI）“{shown}”")


def _label(spec: AiSpec) -> str:
    return f"{spec.title} (AI {spec.ai})"


def _label_zh(spec: AiSpec) -> str:
    return f"{spec.title}（AI {spec.ai}）"


def _check_value(spec: AiSpec, value: str, start: int, stop: int, reference_year: int) -> None:
    """Characters, length, check digit and date of the value found at ``start``..``stop``.

    Characters come first, so every character before a reported position is plain ASCII and the
    position is the same counted in code points (Python) or UTF-16 units (TypeScript).
    """
    for offset, char in enumerate(value):
        if spec.numeric and not _is_digit(char):
            shown = _show(char)
            raise Gs1Error(
                start + offset,
                f"{_label(spec)} must be digits, found '{shown}'",
                f"{_label_zh(spec)}只能是数字，却有“{shown}”",
            )
        if char not in CSET82:
            shown = _show(char)
            raise Gs1Error(
                start + offset,
                f"{_label(spec)} has a character GS1 does not allow: '{shown}'",
                f"{_label_zh(spec)}含有 GS1 不允许的字符“{shown}”",
            )
    if spec.fixed and len(value) < spec.max_length:
        raise Gs1Error(
            stop,
            f"{_label(spec)} needs {spec.max_length} characters, found {len(value)}",
            f"{_label_zh(spec)}需要 {spec.max_length} 位，只有 {len(value)} 位",
        )
    if not value:
        raise Gs1Error(start, f"{_label(spec)} is empty", f"{_label_zh(spec)}为空")
    if len(value) > spec.max_length:
        raise Gs1Error(
            start + spec.max_length,
            f"{_label(spec)} is too long: at most {spec.max_length} characters",
            f"{_label_zh(spec)}过长：最多 {spec.max_length} 位",
        )
    if spec.check_digit:
        expected = gtin_check_digit(value[:-1])
        if value[-1] != expected:
            raise Gs1Error(
                start + len(value) - 1,
                f"{_label(spec)} has a wrong check digit: expected {expected}",
                f"{_label_zh(spec)}校验位错误：应为 {expected}",
            )
    if spec.date is not None:
        _check_date(spec, value, start, reference_year)


def _check_date(spec: AiSpec, value: str, start: int, reference_year: int) -> None:
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise Gs1Error(
            start + 2,
            f"{_label(spec)} has an invalid month '{value[2:4]}'",
            f"{_label_zh(spec)}月份无效：“{value[2:4]}”",
        )
    # 29 February needs the real year: yy 00 is 2000 (leap) or 2100 (not), by the reference year.
    longest = calendar.monthrange(resolve_year(int(value[:2]), reference_year), month)[1]
    if (day == 0 and spec.date == "yymmdd") or day > longest:
        raise Gs1Error(
            start + 4,
            f"{_label(spec)} has an invalid day '{value[4:6]}'",
            f"{_label_zh(spec)}日期无效：“{value[4:6]}”",
        )


# --- building the result --------------------------------------------------------------------------


def resolve_year(yy: int, reference_year: int) -> int:
    """GS1 General Specifications §7.12: the year lies from 49 years back to 50 years ahead."""
    century = reference_year - reference_year % 100
    difference = yy - reference_year % 100
    if difference >= 51:
        century -= 100
    elif difference <= -50:
        century += 100
    return century + yy


def to_date(value: str, reference_year: int) -> datetime.date:
    """A checked YYMMDD value as a date; day 00 is the last day of the month."""
    year = resolve_year(int(value[:2]), reference_year)
    month, day = int(value[2:4]), int(value[4:6])
    return datetime.date(year, month, day or calendar.monthrange(year, month)[1])


def implied_decimal(value: str, decimals: int) -> decimal.Decimal:
    """``001250`` with 2 decimals is ``12.50``: leading zeros go, the written precision stays."""
    whole = value[: len(value) - decimals].lstrip("0") or "0"
    return decimal.Decimal(f"{whole}.{value[len(value) - decimals :]}" if decimals else whole)


def _assemble(found: list[_Found], reference_year: int) -> Gs1Data:
    values: dict[str, str] = {}
    for spec, value, ai_pos in found:
        if values.get(spec.ai, value) != value:
            raise Gs1Error(
                ai_pos,
                f"application identifier {spec.ai} appears twice with different values",
                f"应用标识符 {spec.ai} 出现两次且值不同",
            )
        if spec.ai in ("01", "02") and ({"01", "02"} - {spec.ai}) & values.keys():
            raise Gs1Error(ai_pos, "AI 01 and AI 02 cannot appear together", "AI 01 与 AI 02 不能同时出现")
        values[spec.ai] = value
    elements = [Gs1Element(ai=spec.ai, value=value, title=spec.title) for spec, value, _ in found]
    dates = {ai: to_date(values[ai], reference_year) for ai in ("11", "15", "17") if ai in values}
    count = values.get("37", values.get("30"))
    weight = next((spec for spec, _, _ in found if spec.ai.startswith("310")), None)
    return Gs1Data(
        elements=elements,
        gtin=values.get("01", values.get("02")),
        content_gtin="02" in values,
        sscc=values.get("00"),
        lot=values.get("10"),
        expiry=dates.get("17"),
        best_before=dates.get("15"),
        production_date=dates.get("11"),
        serial=values.get("21"),
        count=int(count) if count is not None else None,
        net_weight_kg=implied_decimal(values[weight.ai], weight.decimals or 0) if weight else None,
    )

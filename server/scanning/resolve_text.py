"""What a scanned string is before any lookup: cleaned, its AIM symbology, its GTIN reading, its shape.

Pure (no database), so the rules are unit-tested alone and the PWA can mirror them for offline
resolution. The rules:

* Unicode is folded with NFKC (a clerk typing in a Chinese IME's full-width mode means ASCII), the
  ends are trimmed of whitespace and control characters (a keyboard-wedge scanner's CR/LF/Tab) —
  except a leading GS, which is GS1's FNC1.
* An AIM symbology identifier (``]E0``, ``]C0``, ``]Q1`` …) is stripped and remembered; a GS1 one
  (``]C1 ]e0 ]d2 ]Q3 ]J1``) sends the scan to the GS1 parser instead.
* A string that is only digits and spaces loses its spaces (the human-readable line of an EAN is
  printed in groups: ``6 901234 567892``).
* Codes are matched as scanned first and then upper-cased: labels print upper case, while a phone
  keyboard or a scanner with Caps Lock on gives lower case. An exact match always beats an
  upper-cased one. GTINs are digits, so case never matters for them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from server.catalog.gtin import gtin_check_digit, is_valid_gtin
from server.catalog.services.barcode_forms import CheckDigitError, is_gtin_shaped, lookup_forms
from server.scanning.gs1 import GS1_SYMBOLOGY_IDS, Gs1Error, looks_like_gs1, parse_gs1

MAX_SCAN_LENGTH = 512
"""Longer input is refused at the edge: no code we store is longer than 64 characters, and GS1
DataMatrix payloads on goods stay well under this."""

AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
FNC1_FORMS = ("\x1d", "<GS>", "{GS}")
"""FNC1 as a scanner sends it: GS, or the text a keyboard wedge is configured to type for it."""

TOTE_CODE = re.compile(r"^TOTE[-_]?[0-9]{1,12}$")
"""A tote (周转箱) label: ``TOTE-0042`` (``TOTE``, an optional ``-`` or ``_``, 1–12 digits), any case.

Totes have no table of their own yet: a tote is its label, as ``fulfilment.item_picked`` carries it
(``tote``), or a location whose code has this shape (a staging location standing for the tote)."""

_TRAILING_JUNK = re.compile(r"[\s\x00-\x1f\x7f]+$")
_LEADING_JUNK = re.compile(r"^[ \t\r\n\x00\x0b\x0c]+")
_RAW_GS1_GTIN = re.compile(r"^01([0-9]{14})")
_RAW_GS1_SSCC = re.compile(r"^00([0-9]{18})")

Gs1Strength = Literal["strong", "weak"]
"""``strong``: a GS1 symbology identifier or a leading FNC1 says so; ``weak``: it only looks like one
(``(01)…``, or raw digits starting with AI 01/00 and a valid check digit) and is looked up as plain
text too."""


@dataclass(frozen=True, slots=True)
class CleanScan:
    raw: str
    text: str
    """Cleaned, AIM identifier stripped (for a GS1 scan the identifier is kept: the parser reads it)."""
    symbology: str | None
    """The AIM identifier, ``]E0`` …, when the scanner sent one."""
    gs1: Gs1Strength | None


def clean_scan(raw: str) -> CleanScan:
    text = unicodedata.normalize("NFKC", raw)
    text = _LEADING_JUNK.sub("", _TRAILING_JUNK.sub("", text))
    symbology = None
    gs1: Gs1Strength | None = None
    if AIM_PREFIX.match(text):
        symbology = text[:3]
        if symbology in GS1_SYMBOLOGY_IDS:
            gs1 = "strong"
        else:
            text = text[3:].strip()
    if gs1 is None:
        if text.startswith(FNC1_FORMS):
            gs1 = "strong"
        elif looks_like_gs1(text) or _looks_like_raw_gs1(text):
            gs1 = "weak"
    if gs1 is None and " " in text:
        compact = text.replace(" ", "")
        if compact.isascii() and compact.isdigit():
            text = compact
    return CleanScan(raw=raw, text=text, symbology=symbology, gs1=gs1)


def _looks_like_raw_gs1(text: str) -> bool:
    """Digits starting with AI 01 + a valid GTIN-14 and more after it, or AI 00 + a valid SSCC: a GS1
    symbol read by a scanner that sends no symbology identifier."""
    gtin = _RAW_GS1_GTIN.match(text)
    if gtin is not None and len(text) > 16:
        return is_valid_gtin(gtin.group(1))
    sscc = _RAW_GS1_SSCC.match(text)
    return sscc is not None and is_valid_sscc(sscc.group(1))


def is_valid_sscc(code: str) -> bool:
    return len(code) == 18 and code.isascii() and code.isdigit() and gtin_check_digit(code[:-1]) == code[-1]


def text_forms(text: str) -> tuple[str, ...]:
    """The codes a plain scan may be stored as, exact first: as scanned, then upper-cased."""
    upper = text.upper()
    return (text,) if upper == text else (text, upper)


@dataclass(frozen=True, slots=True)
class BarcodeForms:
    """Stored barcode codes a scan may match, most likely first; the first ``exact`` come from the
    text as scanned (the rest from its upper-cased form)."""

    forms: tuple[str, ...]
    exact: int
    check_digit_error: CheckDigitError | None = None
    """The scan is GTIN-shaped but no reading of it has a valid check digit."""


def barcode_forms(text: str) -> BarcodeForms:
    """``lookup_forms`` (the catalog's stored forms) of the text as scanned and upper-cased."""
    try:
        exact = lookup_forms(text)
    except CheckDigitError as exc:
        return BarcodeForms(forms=(), exact=0, check_digit_error=exc)
    forms = list(exact)
    upper = text.upper()
    if upper != text:
        forms.extend(form for form in lookup_forms(upper) if form not in forms)
    return BarcodeForms(forms=tuple(forms), exact=len(exact))


GtinShape = Literal["ean8", "upce", "upca", "ean13", "gtin14"]


@dataclass(frozen=True, slots=True)
class GtinReading:
    """How a GTIN-shaped scan reads: its likely symbology and, for a GTIN-14, the indicator digit."""

    shape: GtinShape
    valid: bool
    indicator: int | None = None
    """GTIN-14 only: 0 is the item itself, 1–8 a packaging level (a case), 9 a variable measure."""
    item_form: str | None = None
    """GTIN-14 with indicator 1–9: the 14-digit form of the item inside (indicator 0, check digit
    recomputed), for "this is a case of SKU X but the case code is not registered"."""


def read_gtin(text: str) -> GtinReading | None:
    """``None`` unless ``text`` is ASCII digits of a GTIN length."""
    if not is_gtin_shaped(text):
        return None
    valid = is_valid_gtin(text)
    if len(text) == 8:
        if valid:
            return GtinReading(shape="ean8", valid=True)
        try:
            lookup_forms(text)
        except CheckDigitError:
            return GtinReading(shape="ean8", valid=False)
        return GtinReading(shape="upce", valid=True)
    if len(text) == 12:
        return GtinReading(shape="upca", valid=valid)
    if len(text) == 13:
        return GtinReading(shape="ean13", valid=valid)
    indicator = int(text[0])
    item_form = None
    if valid and indicator != 0:
        body = "0" + text[1:13]
        item_form = body + gtin_check_digit(body)
    return GtinReading(shape="gtin14", valid=valid, indicator=indicator, item_form=item_form)


SHAPE_NAMES: dict[GtinShape, str] = {
    "ean8": "EAN-8",
    "upce": "UPC-E",
    "upca": "UPC-A",
    "ean13": "EAN-13",
    "gtin14": "GTIN-14 (ITF-14)",
}


def is_tote_code(text: str) -> bool:
    return TOTE_CODE.match(text.upper()) is not None


# --- what an unknown code looks like ------------------------------------------------------------

_WAYBILL_SHAPE = re.compile(r"^(?:SF|JT|YT|ZT|JD|JDV|JDX|DPK|EMS|LC|YD|ST|EA|EB)[0-9]{8,16}$")
_ORDER_SHAPE = re.compile(r"^[0-9]{15,22}$")
_PO_SHAPE = re.compile(r"^PO[-_]?[0-9A-Z-]+$")
_URL_SHAPE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FormatHint:
    looks_like: str
    message: str
    message_zh: str


def format_hint(text: str) -> FormatHint | None:
    """A guess at what an unresolved code is, from its shape alone, for the "unknown" answer."""
    reading = read_gtin(text)
    if reading is not None and reading.valid:
        name = SHAPE_NAMES[reading.shape]
        return FormatHint(
            reading.shape, f"looks like an {name} but no SKU has it", f"看起来是 {name} 条码，但没有商品使用它"
        )
    if is_valid_sscc(text):
        return FormatHint(
            "sscc",
            "looks like an SSCC (a pallet or carton serial number); Cangku does not track SSCCs",
            "看起来是 SSCC 物流单元码（托盘/箱序列号），系统不追踪 SSCC",
        )
    upper = text.upper()
    if _WAYBILL_SHAPE.match(upper):
        return FormatHint(
            "waybill", "looks like a waybill number but no shipment has it", "看起来是运单号，但没有对应的包裹"
        )
    if _ORDER_SHAPE.match(text):
        return FormatHint(
            "order", "looks like a platform order number but no order has it", "看起来是平台订单号，但没有对应的订单"
        )
    if _PO_SHAPE.match(upper):
        return FormatHint(
            "purchase_order", "looks like a purchase order code but none has it", "看起来是采购单号，但没有对应的采购单"
        )
    if _URL_SHAPE.match(text):
        return FormatHint("url", "a web link that is no barcode registered here", "这是一个网址，不是已登记的条码")
    return None


# --- near misses ---------------------------------------------------------------------------------

MAX_VARIANTS = 96
"""Per form: bounds the ``IN`` lists of the suggestion query (each variant is one index probe)."""
_DIGITS = "0123456789"


def _keyboard_neighbours() -> dict[str, str]:
    """Keys next to each key on a QWERTY keyboard (a phone's pinyin keyboard too), on the number
    row and on a phone's 3×3 keypad: the slips a person makes typing a code by hand."""
    near: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)

    rows = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
    for r, row in enumerate(rows):
        for i, key in enumerate(row):
            if i + 1 < len(row):
                link(key, row[i + 1])
            if r >= 1 and r + 1 < len(rows):  # staggered rows: the key below and below-left
                below = rows[r + 1]
                for j in (i - 1, i):
                    if 0 <= j < len(below):
                        link(key, below[j])
    keypad = ["123", "456", "789", " 0 "]
    for r, row in enumerate(keypad):
        for c, key in enumerate(row):
            if key == " ":
                continue
            for dr, dc in ((0, 1), (1, 0)):
                if r + dr < len(keypad) and c + dc < 3 and keypad[r + dr][c + dc] != " ":
                    link(key, keypad[r + dr][c + dc])
    out = {key: "".join(sorted(keys)) for key, keys in near.items()}
    out.update({key.lower(): value.lower() for key, value in out.items() if key.isalpha()})
    return out


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


def one_edit_variants(code: str, limit: int = MAX_VARIANTS) -> list[str]:
    """Codes one slip away from ``code``, the likeliest first: two neighbours swapped, a character
    too many, a key next to the right one, a doubled character typed once.

    Substitutions are only by neighbouring keys (keyboard, number row, phone keypad), not the whole
    alphabet: that keeps the list short enough to look up by index (about 7 per character). A
    missing trailing character is found by the prefix lookup instead."""
    seen = {code}
    out: list[str] = []

    def add(candidate: str) -> bool:
        if candidate and candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
        return len(out) >= limit

    n = len(code)
    for i in range(n - 1):
        if code[i] != code[i + 1] and add(code[:i] + code[i + 1] + code[i] + code[i + 2 :]):
            return out
    for i in range(n):
        if add(code[:i] + code[i + 1 :]):
            return out
    for i, char in enumerate(code):
        for other in KEYBOARD_NEIGHBOURS.get(char, ""):
            if add(code[:i] + other + code[i + 1 :]):
                return out
    for i, char in enumerate(code):
        if add(code[:i] + char + code[i:]):
            return out
    return out


def gtin_variants(text: str) -> list[str]:
    """Stored forms of valid GTINs one misread digit or one swap away from a GTIN-shaped ``text``.

    The mod-10 check digit catches every single wrong digit, so of the ~120 one-digit changes about
    a tenth pass it: exactly the codes the scan may have been meant as."""
    forms: list[str] = []
    candidates = [text[:i] + d + text[i + 1 :] for i in range(len(text)) for d in _DIGITS if d != text[i]]
    candidates += [text[:i] + text[i + 1] + text[i] + text[i + 2 :] for i in range(len(text) - 1)]
    for candidate in candidates:
        try:
            found = lookup_forms(candidate)
        except CheckDigitError:
            continue
        forms.extend(form for form in found if form not in forms)
    return forms


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent swaps), for ranking suggestions."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def scan_barcode_forms(raw: str) -> tuple[str, ...]:
    """The stored barcode codes a scan of ``raw`` may match — what ``resolve_scan`` looks up for a
    SKU — for a filter that needs them inside a query (``?barcode=`` on the SKU list).

    An AIM identifier is stripped and a GS1 element string gives its GTIN; raises
    ``CheckDigitError`` for a GTIN-shaped code whose check digit is wrong."""
    scan = clean_scan(raw)
    gtin: tuple[str, ...] = ()
    if scan.gs1 is not None:
        try:
            data = parse_gs1(scan.text)
        except Gs1Error:
            data = None
        if data is not None and data.gtin is not None:
            gtin = (data.gtin,)
        if scan.gs1 == "strong":
            return gtin
    forms = barcode_forms(scan.text)
    if forms.check_digit_error is not None and not gtin:
        raise forms.check_digit_error
    return tuple(dict.fromkeys((*gtin, *forms.forms)))

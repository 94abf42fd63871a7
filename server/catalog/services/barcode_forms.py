"""The one stored form of a barcode, and the forms a scan may match.

A scanner reads the same item as UPC-A ``036000291452`` or EAN-13 ``0036000291452`` depending on
its settings, and a clerk may type digits in a Chinese IME's full-width mode (``０３６…``). Storing
every GTIN as 14 ASCII digits and normalising lookups the same way makes any of these hit.

Codes that look like a GTIN (8, 12, 13 or 14 digits) must carry a valid check digit: a wrong one is a
misread or a typo, and storing it would make a real scan of the item miss. An 8-digit code is taken
as EAN-8 first; if its check digit is wrong as EAN-8 but right as UPC-E, it is the UPC-E code and is
stored as its expanded UPC-A. Everything else (internal codes, QR payloads) is stored as given,
trimmed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from server.catalog.gtin import InvalidGtin, expand_upce, gtin_check_digit, is_valid_gtin
from server.catalog.models import BarcodeKind

MAX_CODE_LENGTH = 64
"""The ``barcodes.code`` column's width."""


class CheckDigitError(ValueError):
    """A GTIN-shaped code whose check digit is wrong; ``expected`` is the digit that would be right."""

    def __init__(self, code: str, expected: str) -> None:
        super().__init__(f"wrong check digit in {code}: expected {expected}")
        self.code = code
        self.expected = expected


@dataclass(frozen=True, slots=True)
class StoredForm:
    code: str
    kind: BarcodeKind


def clean(raw: str) -> str:
    """Trim and fold full-width characters to ASCII (NFKC), as a typed code would be meant."""
    return unicodedata.normalize("NFKC", raw).strip()


def is_gtin_shaped(code: str) -> bool:
    """ASCII digits of a GTIN length; ``str.isdigit`` alone would also accept other scripts' digits."""
    return code.isascii() and code.isdigit() and len(code) in {8, 12, 13, 14}


def _upce_as_gtin(code: str) -> str | None:
    if len(code) != 8:
        return None
    try:
        return expand_upce(code).zfill(14)
    except InvalidGtin:
        return None


def stored_form(raw: str) -> StoredForm:
    """How ``raw`` is stored; raises ``CheckDigitError`` for a GTIN-shaped code with a wrong check digit."""
    code = clean(raw)
    if not is_gtin_shaped(code):
        return StoredForm(code, BarcodeKind.internal)
    if is_valid_gtin(code):
        return StoredForm(code.zfill(14), BarcodeKind.gtin)
    upce = _upce_as_gtin(code)
    if upce is not None:
        return StoredForm(upce, BarcodeKind.gtin)
    raise CheckDigitError(code, gtin_check_digit(code[:-1]))


def lookup_forms(raw: str) -> tuple[str, ...]:
    """Stored codes a scan of ``raw`` may match, most likely first (EAN-8 before UPC-E for 8 digits).

    Raises ``CheckDigitError`` when no reading is valid: such a code can never have been stored.
    """
    code = clean(raw)
    if not is_gtin_shaped(code):
        return (code,)
    forms: list[str] = []
    if is_valid_gtin(code):
        forms.append(code.zfill(14))
    upce = _upce_as_gtin(code)
    if upce is not None and upce not in forms:
        forms.append(upce)
    if not forms:
        raise CheckDigitError(code, gtin_check_digit(code[:-1]))
    return tuple(forms)

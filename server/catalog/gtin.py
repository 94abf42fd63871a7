"""GTIN check digits and the one stored form of EAN/UPC codes.

A scanner reads the same item as UPC-A ``036000291452`` or EAN-13 ``0036000291452`` depending on
its settings; both are the GTIN ``00036000291452``. Storing every GTIN as 14 digits makes a
lookup hit whichever form was scanned. UPC-E is expanded to UPC-A first.
"""

from __future__ import annotations

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


class InvalidGtin(ValueError):
    """The code looks like a GTIN but its check digit (or length) is wrong: a misread, or a typo."""


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for ``body`` (the GTIN without its last digit)."""
    if not body.isdigit():
        msg = f"GTIN body must be digits: {body!r}"
        raise InvalidGtin(msg)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(code: str) -> bool:
    return code.isdigit() and len(code) in GTIN_LENGTHS and gtin_check_digit(code[:-1]) == code[-1]


def expand_upce(code: str) -> str:
    """UPC-E (8 digits, number system 0/1) to its 12-digit UPC-A form."""
    if len(code) != 8 or not code.isdigit() or code[0] not in "01":
        msg = f"not a UPC-E code: {code!r}"
        raise InvalidGtin(msg)
    ns, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = f"{ns}{d[0]}{d[1]}{last}0000{d[2]}{d[3]}{d[4]}"
    elif last == "3":
        body = f"{ns}{d[0]}{d[1]}{d[2]}00000{d[3]}{d[4]}"
    elif last == "4":
        body = f"{ns}{d[0]}{d[1]}{d[2]}{d[3]}00000{d[4]}"
    else:
        body = f"{ns}{d[0]}{d[1]}{d[2]}{d[3]}{d[4]}0000{last}"
    upca = body + check
    if not is_valid_gtin(upca):
        msg = f"UPC-E {code} has a wrong check digit"
        raise InvalidGtin(msg)
    return upca


def normalize_gtin(code: str, *, upce: bool = False) -> str:
    """The 14-digit form of an EAN-8, UPC-A, EAN-13 or GTIN-14 (or UPC-E with ``upce=True``).

    Raises ``InvalidGtin`` when the length or check digit is wrong; EAN-8 is kept distinct by
    its left padding, as GS1 specifies.
    """
    code = code.strip()
    if upce:
        code = expand_upce(code)
    if not code.isdigit() or len(code) not in GTIN_LENGTHS:
        msg = f"a GTIN has 8, 12, 13 or 14 digits: {code!r}"
        raise InvalidGtin(msg)
    if not is_valid_gtin(code):
        msg = f"wrong check digit in {code}: expected {gtin_check_digit(code[:-1])}"
        raise InvalidGtin(msg)
    return code.zfill(14)


def looks_like_gtin(code: str) -> bool:
    """Digits of a GTIN length: such a code must pass the check digit or be refused."""
    return code.isdigit() and len(code) in GTIN_LENGTHS

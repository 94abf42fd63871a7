"""The GS1 Application Identifiers Cangku reads, as one text table shared with the PWA.

The rows use the line format of the GS1 Barcode Syntax Dictionary
(<https://github.com/gs1/gs1-syntax-dictionary>, the data behind <https://ref.gs1.org/ai/>):
``AI-or-range  [*]  spec  # TITLE``, where ``*`` marks a predefined length (no FNC1 after it),
``N``/``X`` are digits / GS1 character set 82, ``N6`` is fixed and ``X..20`` variable length, and
the linters after a comma are ``csum`` (mod-10 check digit), ``yymmd0`` (date, day 00 allowed)
and ``yymmdd`` (date, day 00 refused). Only AIs with a single component are listed.

``AI_DICTIONARY`` is copied byte for byte into ``pwa/src/scanning/gs1Table.ts``; a unit test
compares the two, so the server and the phone can never disagree about an AI. Edit both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

AI_DICTIONARY = """\
00         *  N18,csum     # SSCC
01         *  N14,csum     # GTIN
02         *  N14,csum     # CONTENT
03         *  N14,csum     # MTO GTIN
10            X..20        # BATCH/LOT
11         *  N6,yymmd0    # PROD DATE
12         *  N6,yymmd0    # DUE DATE
13         *  N6,yymmd0    # PACK DATE
15         *  N6,yymmd0    # BEST BEFORE or BEST BY
16         *  N6,yymmd0    # SELL BY
17         *  N6,yymmd0    # USE BY or EXPIRY
20         *  N2           # VARIANT
21            X..20        # SERIAL
22            X..20        # CPV
235           X..28        # TPX
240           X..30        # ADDITIONAL ID
241           X..30        # CUST. PART No.
242           N..6         # MTO VARIANT
243           X..20        # PCN
250           X..30        # SECONDARY SERIAL
251           X..30        # REF. TO SOURCE
254           X..20        # GLN EXTENSION COMPONENT
30            N..8         # VAR. COUNT
3100-3105  *  N6           # NET WEIGHT (kg)
3110-3115  *  N6           # LENGTH (m)
3120-3125  *  N6           # WIDTH (m)
3130-3135  *  N6           # HEIGHT (m)
3140-3145  *  N6           # AREA (m²)
3150-3155  *  N6           # NET VOLUME (l)
3160-3165  *  N6           # NET VOLUME (m³)
3200-3205  *  N6           # NET WEIGHT (lb)
3210-3215  *  N6           # LENGTH (in)
3220-3225  *  N6           # LENGTH (ft)
3230-3235  *  N6           # LENGTH (yd)
3240-3245  *  N6           # WIDTH (in)
3250-3255  *  N6           # WIDTH (ft)
3260-3265  *  N6           # WIDTH (yd)
3270-3275  *  N6           # HEIGHT (in)
3280-3285  *  N6           # HEIGHT (ft)
3290-3295  *  N6           # HEIGHT (yd)
3300-3305  *  N6           # GROSS WEIGHT (kg)
3310-3315  *  N6           # LENGTH (m), log
3320-3325  *  N6           # WIDTH (m), log
3330-3335  *  N6           # HEIGHT (m), log
3340-3345  *  N6           # AREA (m²), log
3350-3355  *  N6           # VOLUME (l), log
3360-3365  *  N6           # VOLUME (m³), log
3370-3375  *  N6           # KG PER m²
3400-3405  *  N6           # GROSS WEIGHT (lb)
3410-3415  *  N6           # LENGTH (in), log
3420-3425  *  N6           # LENGTH (ft), log
3430-3435  *  N6           # LENGTH (yd), log
3440-3445  *  N6           # WIDTH (in), log
3450-3455  *  N6           # WIDTH (ft), log
3460-3465  *  N6           # WIDTH (yd), log
3470-3475  *  N6           # HEIGHT (in), log
3480-3485  *  N6           # HEIGHT (ft), log
3490-3495  *  N6           # HEIGHT (yd), log
3500-3505  *  N6           # AREA (in²)
3510-3515  *  N6           # AREA (ft²)
3520-3525  *  N6           # AREA (yd²)
3530-3535  *  N6           # AREA (in²), log
3540-3545  *  N6           # AREA (ft²), log
3550-3555  *  N6           # AREA (yd²), log
3560-3565  *  N6           # NET WEIGHT (tr oz)
3570-3575  *  N6           # NET VOLUME (oz)
3600-3605  *  N6           # NET VOLUME (qt (US))
3610-3615  *  N6           # NET VOLUME (gal.)
3620-3625  *  N6           # VOLUME (qt (US)), log
3630-3635  *  N6           # VOLUME (gal (US)), log
3640-3645  *  N6           # NET VOLUME (in³)
3650-3655  *  N6           # NET VOLUME (ft³)
3660-3665  *  N6           # NET VOLUME (yd³)
3670-3675  *  N6           # VOLUME (in³), log
3680-3685  *  N6           # VOLUME (ft³), log
3690-3695  *  N6           # VOLUME (yd³), log
37            N..8         # COUNT
3900-3909     N..15        # AMOUNT
3920-3929     N..15        # PRICE
400           X..30        # ORDER NUMBER
401           X..30        # GINC
402           N17,csum     # GSIN
403           X..30        # ROUTE
410        *  N13,csum     # SHIP TO LOC
411        *  N13,csum     # BILL TO
412        *  N13,csum     # PURCHASE FROM
413        *  N13,csum     # SHIP FOR LOC
414        *  N13,csum     # LOC No.
415        *  N13,csum     # PAY TO
416        *  N13,csum     # PROD/SERV LOC
417        *  N13,csum     # PARTY
420           X..20        # SHIP TO POST
422           N3           # ORIGIN
424           N3           # COUNTRY - PROCESS
426           N3           # COUNTRY - FULL PROCESS
7006          N6,yymmdd    # FIRST FREEZE DATE
8005          N6           # PRICE PER UNIT
8020          X..25        # REF No.
8200          X..70        # PRODUCT URL
90            X..30        # INTERNAL
91-99         X..90        # INTERNAL
"""

PREDEFINED_LENGTHS: dict[str, int] = {
    "00": 20,
    "01": 16,
    "02": 16,
    "03": 16,
    "04": 18,
    **{str(p): 8 for p in range(11, 20)},
    "20": 4,
    **{str(p): 10 for p in range(31, 37)},
    "41": 16,
}
"""AI + data length by the first two AI digits (GS1 General Specifications, Figure 7.8.4-2).

Only these AIs may be followed by the next AI without an FNC1/GS. The figure's old row ``23``
(AI 23n, withdrawn) is left out on purpose: today's AI 235 (TPX) is variable length and needs FNC1.
"""

CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
"""The GS1 AI encodable character set 82: every character an ``X`` field may hold."""

DECIMAL_FAMILIES = frozenset({"31", "32", "33", "34", "35", "36", "39"})
"""AIs ``31nn``–``36nn`` and ``39nn``: the fourth AI digit is the number of implied decimals."""

DateRule = Literal["yymmd0", "yymmdd"]


@dataclass(frozen=True, slots=True)
class AiSpec:
    """One Application Identifier: what its data looks like and whether a separator must follow."""

    ai: str
    title: str
    numeric: bool
    min_length: int
    max_length: int
    predefined: bool
    check_digit: bool = False
    date: DateRule | None = None
    decimals: int | None = None

    @property
    def fixed(self) -> bool:
        return self.min_length == self.max_length

    @property
    def fnc1_required(self) -> bool:
        """Whether an encoder must put FNC1/GS after this field when another field follows."""
        return not self.predefined


_ROW = re.compile(r"^(\d{2,4})(?:-(\d{2,4}))?\s+(\*?)\s*([NX])(\.\.)?(\d+)((?:,\w+)*)\s+#\s*(.+?)\s*$")


def _expand(first: str, last: str | None) -> list[str]:
    if last is None:
        return [first]
    width = len(first)
    return [str(n).zfill(width) for n in range(int(first), int(last) + 1)]


def parse_dictionary(text: str) -> dict[str, AiSpec]:
    """Read the table rows; a malformed row is a programming error and fails at import."""
    table: dict[str, AiSpec] = {}
    for line in text.splitlines():
        match = _ROW.match(line)
        if match is None:
            msg = f"bad GS1 dictionary row: {line!r}"
            raise ValueError(msg)
        first, last, star, kind, dots, length, linters, title = match.groups()
        flags = set(linters.split(",")[1:])
        date: DateRule | None = "yymmd0" if "yymmd0" in flags else "yymmdd" if "yymmdd" in flags else None
        for ai in _expand(first, last):
            table[ai] = AiSpec(
                ai=ai,
                title=title,
                numeric=kind == "N",
                min_length=1 if dots else int(length),
                max_length=int(length),
                predefined=star == "*",
                check_digit="csum" in flags,
                date=date,
                decimals=int(ai[3]) if len(ai) == 4 and ai[:2] in DECIMAL_FAMILIES else None,
            )
    return table


AI_TABLE: dict[str, AiSpec] = parse_dictionary(AI_DICTIONARY)


def lookup_ai(text: str, pos: int) -> AiSpec | None:
    """The AI starting at ``pos``: GS1 AIs are prefix-free, so at most one of 2, 3, 4 digits fits."""
    for size in (2, 3, 4):
        spec = AI_TABLE.get(text[pos : pos + size])
        if spec is not None:
            return spec
    return None

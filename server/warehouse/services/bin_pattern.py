"""Expand a shelving pattern (aisles × racks × levels) into bin codes in walking order.

Pure: no database, so the order can be unit-tested. The walk is serpentine (S-shaped): up the
first aisle from the lowest rack, down the next from the highest, and so on, the way a picker
actually walks a block of parallel aisles; the levels of one rack are consecutive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.lib.errors import ValidationFailed

MAX_BINS_PER_REQUEST = 5_000
"""More than this in one request is almost certainly a typo (a rack range of 1–2000) and would hold
the write lock for a long time; larger layouts are created aisle by aisle."""


@dataclass(frozen=True, slots=True)
class BinSpec:
    code: str
    walking_sequence: int


def _width(last: int) -> int:
    return max(2, len(str(last)))


def _check_range(first: int, last: int, field: str, noun_zh: str) -> None:
    if first > last:
        raise ValidationFailed(
            f"{field.replace('_to', '_from')} must not be greater than {field}",
            message_zh=f"{noun_zh}起始编号不能大于结束编号",
            field=field,
            code="invalid_range",
        )


def pattern_size(aisles: Sequence[str], rack_from: int, rack_to: int, level_from: int, level_to: int) -> int:
    """How many bins the pattern makes; checked before anything is built."""
    _check_range(rack_from, rack_to, "rack_to", "货架")
    _check_range(level_from, level_to, "level_to", "层")
    return len(aisles) * (rack_to - rack_from + 1) * (level_to - level_from + 1)


def expand_pattern(
    aisles: Sequence[str],
    *,
    rack_from: int,
    rack_to: int,
    level_from: int,
    level_to: int,
    first_sequence: int,
) -> list[BinSpec]:
    """Codes ``<aisle>-<rack>-<level>`` (zero-padded to two digits or the widest number) in walking order.

    Refuses a duplicate aisle and a pattern over ``MAX_BINS_PER_REQUEST`` (422, nothing created).
    """
    duplicates = sorted({a for a in aisles if aisles.count(a) > 1})
    if duplicates:
        raise ValidationFailed(
            f"aisle {duplicates[0]!r} is listed twice", message_zh="通道重复", field="aisles", code="duplicate_aisle"
        )
    size = pattern_size(aisles, rack_from, rack_to, level_from, level_to)
    if size > MAX_BINS_PER_REQUEST:
        raise ValidationFailed(
            f"the pattern makes {size} bins; at most {MAX_BINS_PER_REQUEST} per request (split it by aisle)",
            message_zh=f"该规则将生成 {size} 个库位，单次最多 {MAX_BINS_PER_REQUEST} 个，请按通道分批创建",
            field="aisles",
            code="too_many_locations",
            detail={"requested": size, "limit": MAX_BINS_PER_REQUEST},
        )
    rack_width, level_width = _width(rack_to), _width(level_to)
    ascending = list(range(rack_from, rack_to + 1))
    specs: list[BinSpec] = []
    for index, aisle in enumerate(aisles):
        racks = ascending if index % 2 == 0 else ascending[::-1]
        for rack in racks:
            for level in range(level_from, level_to + 1):
                code = f"{aisle}-{rack:0{rack_width}d}-{level:0{level_width}d}"
                specs.append(BinSpec(code=code, walking_sequence=first_sequence + len(specs)))
    return specs

"""Small pieces every report builds its envelope from (``warehouse_figures`` adds the warehouse's).

Money stays integer fen; ratios and hours are rounded here, once, half up, so a tile and a table row
showing the same figure agree; a ratio of nothing is ``None`` ("nothing to measure"), never 0.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from server.reports.envelope import Column, Unit

T = TypeVar("T")


def column(key: str, label_en: str, label_zh: str, unit: Unit) -> Column:
    return Column(key=key, label_en=label_en, label_zh=label_zh, unit=unit)


def average_fen(total: int, count: int) -> int | None:
    """Whole fen, halves rounded up; ``None`` with nothing to average."""
    if count == 0:
        return None
    return int((Decimal(total) / count).to_integral_value(ROUND_HALF_UP))


def percent(part: int, whole: int) -> float | None:
    """0–100 with one decimal; ``None`` when there is no whole."""
    if whole == 0:
        return None
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def hours(total_seconds: int, count: int = 1) -> float | None:
    """The average of ``count`` durations, in hours with one decimal; ``None`` for no durations."""
    if count == 0:
        return None
    return float((Decimal(total_seconds) / count / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP))


def capped(rows: list[T], limit: int | None) -> tuple[list[T], bool]:
    """The first ``limit`` rows (all when ``None``) and whether any were left out."""
    if limit is None or len(rows) <= limit:
        return rows, False
    return rows[:limit], True


def local_moment(moment: datetime | None, zone: tzinfo) -> str | None:
    """An ISO timestamp at the report's local offset (``2026-12-02T10:00:00+08:00``)."""
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat(timespec="seconds")

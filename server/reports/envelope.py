"""One shape for every manager report (sales, fulfilment, productivity, stock, counts).

A report is tiles (headline figures), charts (labelled series over one x axis) and tables; the PWA
draws any report from this alone and the CSV export writes any table, so a new report is a query
and nothing else. Labels travel in both languages: the phone picks, the CSV names its columns in
the language asked for.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from server.lib.schema import Schema


class Unit(StrEnum):
    """How a number reads. Money is integer fen (¥1 = 100), never a float."""

    fen = "fen"
    tally = "count"
    """How many things (orders, picks, bins); the member is not ``count``, which ``str`` already has."""
    qty = "qty"
    percent = "percent"
    """0–100, one decimal at most."""
    hours = "hours"
    minutes = "minutes"
    days = "days"
    per_hour = "per_hour"
    text = "text"
    date = "date"
    datetime = "datetime"


Cell = int | float | str | None


class Tile(Schema):
    key: str
    label_en: str
    label_zh: str
    value: int | float | None
    """``None``: nothing to measure in the range (no orders shipped, say), not zero."""
    unit: Unit


class Series(Schema):
    key: str
    label_en: str
    label_zh: str
    values: list[int | float | None]
    """One value per label of the chart's ``x``."""


class Chart(Schema):
    key: str
    label_en: str
    label_zh: str
    kind: str
    """``bar`` (stacked when several series) or ``line``."""
    unit: Unit
    x: list[str]
    """Category labels: ISO dates for a chart by day, otherwise names as they are."""
    series: list[Series]


class Column(Schema):
    key: str
    label_en: str
    label_zh: str
    unit: Unit


class Table(Schema):
    key: str
    label_en: str
    label_zh: str
    columns: list[Column]
    rows: list[list[Cell]]
    truncated: bool = False
    """More rows matched than the report lists; the CSV export of this table has them all."""


class ReportFilters(Schema):
    date_from: date
    date_to: date
    """Inclusive, local days of ``timezone``."""
    timezone: str
    warehouse_id: int | None = None
    platform: str | None = None
    channel_id: int | None = None


class FilterOption(Schema):
    value: str
    label_en: str
    label_zh: str


class FilterOptions(Schema):
    """What the filter pickers offer: the caller's warehouses, the platforms and shops."""

    warehouses: list[FilterOption]
    platforms: list[FilterOption]
    channels: list[FilterOption]


class Report(Schema):
    report: str
    title_en: str
    title_zh: str
    filters: ReportFilters
    generated_at: datetime
    tiles: list[Tile]
    charts: list[Chart]
    tables: list[Table]
    options: FilterOptions | None = None

"""Any report table as a CSV file that opens right in Excel in China.

- UTF-8 with a byte-order mark: without it Excel reads the file as GBK and the Chinese is garbage.
- Column names in the language asked for; money columns say they are in yuan (元 / CNY).
- Money as yuan with two decimals (``12345`` fen → ``123.45``), from integer fen by integer
  arithmetic — never through a float.
- Times as the local wall-clock time the table already carries (``2026-12-02 10:00:00``), which
  Excel reads as a date-time; dates as ``YYYY-MM-DD``; nothing (``None``) as an empty cell.
- A text cell that Excel would run as a formula (``=``, ``+``, ``-``, ``@`` first: shop names and
  order numbers come from outside) is prefixed with ``'`` so it stays text (CSV injection).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from server.lib.errors import DomainError
from server.reports.envelope import Cell, Column, Report, Table, Unit

Lang = Literal["zh", "en"]
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def header(column: Column, lang: Lang) -> str:
    label = column.label_zh if lang == "zh" else column.label_en
    if column.unit is Unit.fen:
        return f"{label}(元)" if lang == "zh" else f"{label} (CNY)"
    return label


def cell(value: Cell, unit: Unit) -> str:
    if value is None:
        return ""
    if unit is Unit.fen and isinstance(value, int):
        return yuan(value)
    if unit is Unit.datetime and isinstance(value, str):
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def table_csv(table: Table, lang: Lang = "zh") -> bytes:
    """Every row of ``table`` (the report built with ``limit=None``), header first, CRLF lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header(c, lang) for c in table.columns])
    for row in table.rows:
        writer.writerow([cell(value, c.unit) for value, c in zip(row, table.columns, strict=True)])
    return (BOM + out.getvalue()).encode("utf-8")


def pick_table(report: Report, key: str | None) -> Table:
    """The table ``key`` of ``report`` (its first when ``None``); 400 naming the ones there are."""
    if key is None and report.tables:
        return report.tables[0]
    for table in report.tables:
        if table.key == key:
            return table
    keys = [t.key for t in report.tables]
    raise DomainError(
        f"report {report.report} has no table {key!r}; it has {', '.join(keys)}",
        message_zh=f"报表 {report.title_zh} 没有表格 {key}，可选：{'、'.join(keys)}",
        field="table",
        code="unknown_table",
        status=400,
        detail={"tables": keys},
    )


def filename(report: Report, table: Table) -> str:
    """``cangku-sales-by_day-2026-11-01_2026-11-30.csv``: ASCII only (keys and ISO dates)."""
    f = report.filters
    return f"cangku-{report.report}-{table.key}-{f.date_from.isoformat()}_{f.date_to.isoformat()}.csv"

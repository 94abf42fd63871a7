"""The CSV writer on its own: any table, Excel's expectations, the edge cells."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.lib.errors import DomainError
from server.reports.csv_export import filename, pick_table, table_csv, yuan
from server.reports.envelope import Column, Report, ReportFilters, Table, Unit


def _table(rows: list[list[int | float | str | None]]) -> Table:
    return Table(
        key="t",
        label_en="T",
        label_zh="表",
        columns=[
            Column(key="name", label_en="Name", label_zh="名称", unit=Unit.text),
            Column(key="amount", label_en="Amount", label_zh="金额", unit=Unit.fen),
            Column(key="at", label_en="At", label_zh="时间", unit=Unit.datetime),
            Column(key="rate", label_en="Rate", label_zh="比率", unit=Unit.percent),
        ],
        rows=rows,
    )


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (99, "0.99"), (100, "1.00"), (123_456, "1234.56"), (-5, "-0.05"), (-12_345, "-123.45")],
)
def test_fen_become_yuan_with_two_decimals(fen: int, text: str) -> None:
    assert yuan(fen) == text


def test_bom_header_language_and_cells() -> None:
    table = _table([["天猫店", 10_050, "2026-12-02T10:05:00+08:00", 66.7], ["拼多多, 店", -1, None, None]])

    zh = table_csv(table, "zh")
    en = table_csv(table, "en")

    assert zh.startswith("\ufeff".encode())
    assert zh.decode("utf-8-sig") == (
        '名称,金额(元),时间,比率\r\n天猫店,100.50,2026-12-02 10:05:00,66.7\r\n"拼多多, 店",-0.01,,\r\n'
    )
    assert en.decode("utf-8-sig").splitlines()[0] == "Name,Amount (CNY),At,Rate"


def test_text_that_excel_would_run_as_a_formula_stays_text() -> None:
    body = table_csv(_table([['=HYPERLINK("x")', 1, None, None], ["@SUM(A1)", 1, None, None]])).decode("utf-8-sig")

    assert body.splitlines()[1].startswith('"\'=HYPERLINK(""x"")"')
    assert body.splitlines()[2].startswith("'@SUM(A1)")


def _report(tables: list[Table]) -> Report:
    return Report(
        report="sales",
        title_en="Sales",
        title_zh="销售报表",
        filters=ReportFilters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), timezone="Asia/Shanghai"),
        generated_at=datetime(2026, 12, 1, tzinfo=UTC),
        tiles=[],
        charts=[],
        tables=tables,
    )


def test_the_table_asked_for_or_the_first_and_its_file_name() -> None:
    first, second = _table([]), Table(key="by_shop", label_en="S", label_zh="店", columns=[], rows=[])
    report = _report([first, second])

    assert pick_table(report, None) is first
    assert pick_table(report, "by_shop") is second
    assert filename(report, second) == "cangku-sales-by_shop-2026-11-01_2026-11-30.csv"
    with pytest.raises(DomainError) as refused:
        pick_table(report, "nope")
    assert (refused.value.status, refused.value.code, refused.value.detail) == (
        400,
        "unknown_table",
        {"tables": ["t", "by_shop"]},
    )

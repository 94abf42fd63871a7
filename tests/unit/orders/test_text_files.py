"""Uploaded files as tables: encodings, preambles, decorated cells, XLSX, and the limits on work."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from server.orders.adapters import text_files
from server.orders.adapters.text_files import FileError, decode_text, find_table, header_key, read_rows, read_table

pytestmark = pytest.mark.unit

ORDER_NO = ("订单编号",)
ADDRESS = ("收货地址",)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_gbk_bytes_decode_as_gb18030() -> None:
    data = "订单编号,收货地址\n1,浙江省\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_text(data) == "订单编号,收货地址\n1,浙江省\n"


def test_utf8_bom_is_dropped_so_the_first_header_still_matches() -> None:
    data = '\ufeff订单编号,收货地址\n="2016000000000001",x\n'.encode()
    assert data.startswith(b"\xef\xbb\xbf")
    table = read_table(data, [ORDER_NO])
    assert table.columns == ["订单编号", "收货地址"]
    assert table.rows[0].get("订单编号") == "2016000000000001"


def test_header_is_found_below_preamble_and_rows_are_numbered_from_it() -> None:
    text = (
        "店铺：某某旗舰店\n"
        "导出时间：2024-03-01 10:00:00\n"
        "\n"
        "订单编号,收货地址 ,联系手机\n"
        '="2016000000000001",浙江省 杭州市,\'138****1234\n'
        ",,\n"
        '="2016000000000002",湖北省,\'139****5678\t\n'
    )
    table = read_table(text.encode("gb18030"), [ORDER_NO, ADDRESS])
    assert [row.number for row in table.rows] == [2, 4]  # the blank row 3 is skipped, not renumbered
    first, second = table.rows
    assert first.get("收货地址") == "浙江省 杭州市"  # the header had a trailing space
    assert first.get("联系手机") == "138****1234"
    assert second.get("联系手机") == "139****5678"
    assert second.get("没有这列") == ""
    assert table.has("买家实付金额", "联系手机") == "联系手机"
    assert table.has("买家实付金额") is None


def test_header_keys_ignore_spaces_and_case() -> None:
    assert header_key(" 收货地址 ") == header_key("收货地址")
    assert header_key("Order  No ") == header_key("order no") == "orderno"


def test_missing_columns_are_named_with_the_columns_found() -> None:
    rows = [["订单编号", "收货人姓名"], ["1", "张**"]]
    with pytest.raises(FileError) as caught:
        find_table(rows, [ORDER_NO, ("订单状态",), ("买家实际支付金额", "买家实付金额")])
    assert caught.value.message == (
        "Columns missing from the file: 订单状态, 买家实际支付金额/买家实付金额. Columns found: 订单编号, 收货人姓名"
    )
    assert "订单状态" in caught.value.message_zh and "收货人姓名" in caught.value.message_zh


def test_repeated_column_keeps_the_first() -> None:
    table = find_table([["订单编号", "备注", "备注"], ["1", "first", "second"]], [ORDER_NO])
    assert table.rows[0].get("备注") == "first"


def test_xlsx_first_sheet_is_read_as_text_cells() -> None:
    data = xlsx(
        [
            ["订单编号", "数量", "单价", "下单时间", "电话"],
            ["A-1", 2, 19.9, datetime(2024, 3, 1, 9, 5), 13800001234],
            [None, None, None, None, None],
            ["A-2", 1.0, "5.00元", "2024-03-02 10:00:00", "'138****1234"],
        ]
    )
    table = read_table(data, [ORDER_NO])
    assert [row.number for row in table.rows] == [2, 4]
    first, second = table.rows
    assert [first.get(c) for c in ("数量", "单价", "下单时间", "电话")] == [
        "2",
        "19.9",
        "2024-03-01 09:05:00",
        "13800001234",
    ]
    assert second.get("数量") == "1"
    assert second.get("电话") == "138****1234"


def test_xlsx_is_recognised_by_its_bytes_whatever_the_name() -> None:
    data = xlsx([["订单编号"], ["A-1"]])
    assert read_rows(data, "orders.csv") == [["订单编号"], ["A-1"]]


def test_damaged_xlsx_and_old_xls_are_refused_clearly() -> None:
    with pytest.raises(FileError, match="XLSX"):
        read_rows(b"PK\x03\x04not really a zip", "orders.xlsx")
    with pytest.raises(FileError, match=r"\.xls files are not supported"):
        read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "orders.xls")


def test_file_over_50_mb_is_refused_before_decoding() -> None:
    data = b"a" * (50 * 1024 * 1024 + 1)
    with pytest.raises(FileError) as caught:
        read_rows(data)
    assert "50 MB" in caught.value.message and "50 MB" in caught.value.message_zh


def test_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_files, "MAX_ROWS", 3)
    assert len(read_rows(b"h\n1\n2\n")) == 3
    with pytest.raises(FileError, match="more than 3 rows"):
        read_rows(b"h\n1\n2\n3\n")
    with pytest.raises(FileError, match="more than 3 rows"):
        read_rows(xlsx([["h"], [1], [2], [3]]))


def test_xlsx_with_too_many_cells_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_files, "MAX_CELLS", 5)
    assert len(read_rows(xlsx([["a", "b"], [1, 2]]))) == 2
    with pytest.raises(FileError, match="too many cells"):
        read_rows(xlsx([["a", "b"], [1, 2], [3, 4]]))


def test_xlsx_that_inflates_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_files, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(FileError, match="unpacks to more than"):
        read_rows(xlsx([["订单编号"], ["A-1"]]))


def test_undecodable_bytes_are_a_file_error() -> None:
    with pytest.raises(FileError) as caught:
        decode_text(b"\x81\x20\xff\xff")
    assert "UTF-8" in caught.value.message and "GBK" in caught.value.message_zh


def test_empty_file_is_a_file_error() -> None:
    with pytest.raises(FileError, match="empty"):
        read_table(b"", [ORDER_NO])

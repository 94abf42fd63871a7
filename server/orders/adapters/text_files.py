"""Uploaded spreadsheets (CSV or XLSX) as a table of cleaned text cells, ready for a file adapter.

Merchants upload what the platform's seller centre exported: GBK CSV from Taobao, UTF-8 with a BOM
from Excel, XLSX from newer back-ends, with preamble lines above the header and guards in the cells
(``="…"``, a leading ``'``). Every file adapter needs the same steps, so they live here once: decode,
split into rows, find the header by name, clean each cell, read a row's cells. Whole-file problems
raise ``FileError`` (nothing is imported); ``RowReader`` turns one row's bad cells into ``RowError``s
so the other rows still go in.

Work is bounded as it goes (file size, unzipped size, rows, columns, cells): an upload is untrusted
input and the import runs on the same server as everything else.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from server.orders.normalized import RowError
from server.orders.values import BadValue, clean_cell

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
"""Rows in a file, the header and any preamble included."""
MAX_COLUMNS = 1_000
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
"""An XLSX is a zip: a small upload may inflate enormously, so its members are summed before opening."""
MAX_CELLS = 20_000_000
"""Cells read from an XLSX (a CSV's are bounded by its size): a cell far to the right pads its whole row."""
HEADER_SEARCH_ROWS = 50
"""How far down the header may sit below preamble lines (shop name, export time, filters)."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0"


class FileError(BadValue):
    """The file as a whole cannot be read (wrong format, too big, header not found): nothing is imported."""


def header_key(name: str) -> str:
    """How header names are compared: real exports carry stray spaces ("收货地址 ") and users type
    mapped names in any case, so whitespace anywhere and case do not count."""
    return "".join(clean_cell(name).split()).casefold()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) if the bytes are valid UTF-8, else GB18030 (a superset of GBK).

    GBK text is almost never valid UTF-8, so trying UTF-8 strictly first is a reliable detector."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileError(
            "The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or XLSX",
            "文件编码无法识别（既不是 UTF-8 也不是 GBK），请另存为 CSV（UTF-8）或 XLSX",
        ) from exc


def _too_many_rows() -> FileError:
    return FileError(
        f"The file has more than {MAX_ROWS:,} rows; split it into smaller files",
        f"文件超过 {MAX_ROWS} 行，请拆分为多个文件后再导入",
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as exc:
        raise FileError(
            f"The CSV file is malformed near line {reader.line_num}: {exc}",
            f"CSV 文件格式错误（约第 {reader.line_num} 行）",
        ) from exc
    return rows


def _xlsx_text(value: Any) -> str:
    """A cell as the text a CSV export of it would hold, so one code path reads both formats.

    Numbers drop a meaningless ``.0`` (a phone typed as a number comes back 13800001234.0); dates
    become the ``yyyy-MM-dd HH:mm:ss`` the time readers take."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    # openpyxl reads XLSX: newer seller-centre exports are XLSX only, and merchants save mapped
    # import files from Excel. Read-only mode streams the sheet instead of building it in memory.
    import openpyxl  # type: ignore[import-untyped]  # openpyxl ships no type hints

    unreadable = FileError(
        "The XLSX file cannot be read; open it in Excel and save it again, or export CSV",
        "无法读取该 XLSX 文件，请用 Excel 重新保存或导出为 CSV",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise unreadable from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        limit = MAX_UNZIPPED_BYTES // (1024 * 1024)
        raise FileError(
            f"The XLSX file unpacks to more than {limit} MB; split it into smaller files",
            f"XLSX 文件解压后超过 {limit} MB，请拆分为多个文件后再导入",
        )
    rows: list[list[str]] = []
    cells = 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the stored size is often wrong; rows come as long as the file has them
            for values in sheet.iter_rows(values_only=True):
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows()
                row = values[:MAX_COLUMNS]
                cells += len(row)
                if cells > MAX_CELLS:
                    raise FileError(
                        "The XLSX file has too many cells; split it into smaller files",
                        "XLSX 文件单元格过多，请拆分为多个文件后再导入",
                    )
                rows.append([_xlsx_text(value) for value in row])
        finally:
            workbook.close()
    except FileError:
        raise
    except Exception as exc:  # a damaged upload can fail anywhere inside openpyxl
        raise unreadable from exc
    return rows


def read_rows(data: bytes, filename: str = "") -> list[list[str]]:
    """Every row of a CSV or XLSX upload (first sheet) as raw text cells.

    The format comes from the bytes (an XLSX is a zip), the name only breaks ties, since platforms
    and browsers are loose with extensions."""
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise FileError(
            f"The file is larger than {limit} MB; split it into smaller files",
            f"文件超过 {limit} MB，请拆分为多个文件后再导入",
        )
    name = filename.lower()
    if data.startswith(_ZIP_MAGIC) or name.endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(data)
    if data.startswith(_OLE2_MAGIC) or name.endswith(".xls"):
        raise FileError(
            "Old Excel .xls files are not supported; save the file as .xlsx or .csv",
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 .csv",
        )
    return _csv_rows(data)


@dataclass(frozen=True, slots=True)
class TableRow:
    number: int
    """The row as a spreadsheet of the table shows it: the header is row 1, so the first data row is 2."""
    cells: dict[str, str]
    """Cleaned cell text keyed by ``header_key`` of its column."""

    def get(self, column: str | None) -> str:
        """The cell under ``column`` ("" when the table lacks it), so optional columns need no checks."""
        return self.cells.get(header_key(column), "") if column else ""


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    """Header names as written (stripped), for messages."""
    rows: list[TableRow]
    """Data rows, blank ones left out (their numbers are skipped, not reused)."""
    keys: frozenset[str]
    """``header_key`` of every column."""

    def has(self, *names: str) -> str | None:
        """The first of ``names`` the header has, so callers can accept a column's other spellings
        across export versions (买家实际支付金额 / 买家实付金额)."""
        return next((name for name in names if header_key(name) in self.keys), None)

    def __iter__(self) -> Iterator[TableRow]:
        return iter(self.rows)


def _missing(keys: set[str], required: Sequence[tuple[str, ...]]) -> list[str]:
    return ["/".join(names) for names in required if not any(header_key(name) in keys for name in names)]


def find_header(rows: list[list[str]], required: Sequence[tuple[str, ...]]) -> tuple[int, list[str]]:
    """The index and cleaned names of the first row (within ``HEADER_SEARCH_ROWS``) that names every
    required column.

    Each requirement lists a column's accepted spellings. When no row qualifies, the error names the
    missing columns and the ones found in the closest row, so the user can fix a mapping or pick the
    right file."""
    best: tuple[list[str], list[str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [clean_cell(cell) for cell in row]
        missing = _missing({header_key(name) for name in names if name}, required)
        if not missing:
            return index, names
        if any(names) and (best is None or len(missing) < len(best[1])):
            best = (names, missing)
    if best is None:
        raise FileError("The file is empty", "文件为空")
    found = ", ".join(name for name in best[0] if name)
    lacking = ", ".join(best[1])
    raise FileError(
        f"Columns missing from the file: {lacking}. Columns found: {found}",
        f"文件缺少以下列：{lacking}。文件中的列：{found}",
    )


def find_table(rows: list[list[str]], required: Sequence[tuple[str, ...]]) -> Table:
    """The table under the header ``find_header`` finds."""
    index, names = find_header(rows, required)
    return _table(names, rows[index + 1 :])


def _table(names: list[str], body: list[list[str]]) -> Table:
    keys: list[str] = []
    for name in names:
        key = header_key(name)
        keys.append("" if not key or key in keys else key)  # a repeated column: the first one counts
    rows: list[TableRow] = []
    for offset, raw in enumerate(body):
        cells = {key: clean_cell(value) for key, value in zip(keys, raw, strict=False) if key}
        if any(cells.values()):
            rows.append(TableRow(number=offset + 2, cells=cells))
    return Table(columns=[name for name in names if name], rows=rows, keys=frozenset(key for key in keys if key))


def read_table(data: bytes, required: Sequence[tuple[str, ...]], filename: str = "") -> Table:
    """``read_rows`` then ``find_table``: the one call a file adapter makes."""
    return find_table(read_rows(data, filename), required)


T = TypeVar("T")


class RowReader:
    """Reads one row's cells, turning each bad one into a ``RowError`` instead of stopping.

    A row can have several bad cells; reporting them all at once saves the merchant a round trip per
    cell. Readers return a harmless default after a failure, so the caller reads the whole row and
    then drops it if ``errors`` is not empty."""

    def __init__(self, row: TableRow, source: str, source_zh: str) -> None:
        self.row = row
        self.source = source
        self.source_zh = source_zh
        self.errors: list[RowError] = []

    def fail(self, column: str, message: str, message_zh: str) -> None:
        self.errors.append(
            RowError(
                row=self.row.number,
                field=column,
                message=f"{self.source}: {message}",
                message_zh=f"{self.source_zh}：{message_zh}",
            )
        )

    def text(self, column: str | None) -> str:
        return self.row.get(column)

    def read(self, column: str | None, parse: Callable[[str], T], default: T) -> T:
        """``parse`` applied to the cell; ``default`` when the column is absent or the cell is bad."""
        if not column:
            return default
        try:
            return parse(self.row.get(column))
        except BadValue as exc:
            self.fail(column, exc.message, exc.message_zh)
            return default

    def required(self, column: str | None, what: str, what_zh: str) -> str:
        value = self.row.get(column)
        if not value and column:
            self.fail(column, f"{column}: {what} is empty", f"{column}：{what_zh}为空")
        return value

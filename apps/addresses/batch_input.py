"""Reading a batch-matching upload (CSV or XLSX) safely: encoding detected (UTF-8 with or without
BOM, else GBK, and said so), size and shape limits enforced, spreadsheet formulas never evaluated
(their text is matched as typed), junk refused with a clear message. Pure module."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

MAX_ROWS = 100_000
MAX_CELL_CHARS = 500
MAX_BYTES = 50 * 1024 * 1024


class BatchInputError(ValueError):
    """The upload cannot be matched; `field` names the parameter at fault."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(message)
        self.field = field


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    encoding: str
    notes: list[str]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8（带 BOM）"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030（推断）"
    except UnicodeDecodeError as exc:
        raise BatchInputError("文件既不是 UTF-8 也不是 GBK 编码的文本，无法读取") from exc


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise BatchInputError("文件包含二进制内容，不是 CSV 文本")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(MAX_BYTES)
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [row for row in reader]
    if not rows:
        raise BatchInputError("文件为空")
    return Table([c.strip() for c in rows[0]], rows[1:], encoding, [])


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell keeps its formula text; nothing is evaluated.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise BatchInputError("不是有效的 XLSX 文件") from exc
    sheet = book.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    if not rows:
        raise BatchInputError("工作表为空")
    notes = []
    if any(cell.startswith("=") for row in rows for cell in row):
        notes.append("含公式的单元格按公式文本处理，未计算")
    return Table([c.strip() for c in rows[0]], rows[1:], "XLSX", notes)


def read_table(data: bytes, filename: str) -> Table:
    if not data:
        raise BatchInputError("文件为空")
    if len(data) > MAX_BYTES:
        raise BatchInputError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    is_xlsx = filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    table = _read_xlsx(data) if is_xlsx else _read_csv(data)
    if len(table.rows) > MAX_ROWS:
        raise BatchInputError(f"最多 {MAX_ROWS} 行，收到 {len(table.rows)} 行")
    if not table.rows:
        raise BatchInputError("只有表头，没有数据行")
    return table


def address_column(table: Table, column: str) -> int:
    if column not in table.columns:
        raise BatchInputError(f"找不到地址列「{column}」（文件中的列：{'、'.join(table.columns[:20])}）", "column")
    index = table.columns.index(column)
    for number, row in enumerate(table.rows, start=2):
        if index < len(row) and len(row[index]) > MAX_CELL_CHARS:
            raise BatchInputError(f"第 {number} 行地址超过 {MAX_CELL_CHARS} 个字符", "file")
    return index

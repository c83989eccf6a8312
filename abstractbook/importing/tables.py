"""import, tables: a CSV file or an XLSX workbook -> `Table`s of rows keyed by column name.

Rows are numbered as a spreadsheet shows them (the header is row 1), and
columns found by their header whatever its case, so a message can say
`authors.csv: row 7, column "affiliation": ...`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import Issues, read_bytes, read_text

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
MAX_XLSX_UNPACKED = 32 * 2**20  # a workbook's files, uncompressed, as the zip declares them
MAX_ROWS = 100_000  # per sheet
MAX_COLUMNS = 256  # read per row; later ones are ignored
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def key(header: str) -> str:
    return " ".join(header.split()).casefold()


@dataclass
class Row:
    number: int
    cells: dict[str, str]  # by key(header)

    def get(self, column: str | None) -> str:
        return self.cells.get(column, "").strip() if column else ""


@dataclass
class Table:
    path: Path
    sheet: str | None  # the worksheet's name in a workbook
    headers: list[str]
    rows: list[Row]

    def column(self, *names: str) -> str | None:
        """The key of the first column whose header is one of `names` (any case)."""
        keys = [key(h) for h in self.headers]
        return next((key(n) for n in names if key(n) in keys), None)

    def columns_like(self, words: tuple[str, ...]) -> list[str]:
        """Keys of the columns whose header contains one of `words`, in column order."""
        return [key(h) for h in self.headers if any(w in key(h) for w in words)]

    def header(self, column: str) -> str:
        return next((h for h in self.headers if key(h) == column), column)

    def place(self, row: Row | None = None, column: str | None = None) -> str:
        parts = [f"sheet {self.sheet!r}"] if self.sheet else []
        if row is not None:
            parts.append(f"row {row.number}")
        if column is not None:
            parts.append(f'column "{self.header(column)}"')
        return ", ".join(parts)


def read_tables(path: Path, issues: Issues) -> list[Table]:
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _workbook(path, issues)
    if suffix == ".xls":
        issues.error(path, "", "an old .xls workbook: save it as .xlsx or CSV")
        return []
    table = _csv(path, issues)
    return [table] if table else []


def _csv(path: Path, issues: Issues) -> Table | None:
    text = read_text(path, issues)
    if text is None:
        return None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as e:
        issues.error(path, "", f"not a readable CSV file: {e}")
        return None
    return _table(path, None, [[c for c in r] for r in rows], issues)


def _workbook(path: Path, issues: Issues) -> list[Table]:
    import openpyxl  # only XLSX sources pay for loading it
    from openpyxl.utils.exceptions import InvalidFileException

    data = read_bytes(path, issues)
    if data is None:
        return []
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        issues.error(path, "", f"not a readable XLSX workbook ({e})")
        return []
    if unpacked > MAX_XLSX_UNPACKED:
        issues.error(
            path,
            "",
            f"unpacks to {unpacked / 2**20:,.0f} MB; a workbook may unpack to at most "
            f"{MAX_XLSX_UNPACKED // 2**20} MB (export it as CSV, or only the sheets needed)",
        )
        return []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        issues.error(path, "", f"not a readable XLSX workbook ({e})")
        return []
    tables = []
    try:
        for sheet in book.worksheets:
            rows = _sheet_rows(path, sheet, issues)
            table = _table(path, sheet.title, rows, issues)
            if table is not None:
                tables.append(table)
    finally:
        book.close()
    return tables


def _sheet_rows(path: Path, sheet: Any, issues: Issues) -> list[list[str]]:
    """A worksheet's cells as text, read as far as they go: the dimension a sheet
    declares is ignored (it can claim a million rows), and rows and columns are
    limited (README, Limits)."""
    place = f"sheet {sheet.title!r}"
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows: list[list[str]] = []
    try:
        for row in sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True):
            if len(rows) == MAX_ROWS:
                issues.error(path, place, f"more than {MAX_ROWS:,} rows")
                break
            rows.append([_cell(v) for v in row])
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
        # openpyxl on a malformed cell: a date that is not a date, a bad reference, ...
        issues.error(path, f"{place}, row {len(rows) + 1}", f"a cell cannot be read ({e})")
    return rows  # as far as they could be read: the table is still known by its headers


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "minutes")
    return str(value)


def _table(path: Path, sheet: str | None, rows: list[list[str]], issues: Issues) -> Table | None:
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        return None
    headers = [" ".join(h.split()) for h in rows[start]]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(path, sheet, headers, [])
    keys = [key(h) for h in headers]
    for n, cells in enumerate(rows[start + 1 :], start + 2):
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(keys) :] if c.strip()]
        if extra:
            row = Row(n, {})
            issues.error(path, table.place(row), f"{len(cells)} cells, but {len(keys)} headers")
            continue
        padded = cells + [""] * (len(keys) - len(cells))
        table.rows.append(Row(n, {k: v for k, v in zip(keys, padded, strict=False) if k}))
    return table

"""File writers for exports: CSV (UTF-8 with BOM, so Excel opens Chinese text) and xlsx
(openpyxl write-only mode, rows streamed to the file, never held in memory).

Both writers pass every cell through `safe_cell`, the one place that defuses spreadsheet
formulas (OWASP "CSV injection"): a text starting with = + - @, a tab or a carriage
return gets a leading apostrophe, so Excel/WPS show it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

FORMATS = ("xlsx", "csv")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows but never executes.

    Numbers stay numbers (a negative number is not a formula); everything else becomes
    text, prefixed with an apostrophe when it starts like a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _safe_row(row: Sequence[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


def iter_csv(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """CSV as a stream of byte chunks: the BOM and header first, then one chunk per row."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write(BOM)
    writer.writerow(_safe_row(headers))
    for row in rows:
        writer.writerow(_safe_row(row))
        if buf.tell() >= 64 * 1024:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\").strip("' ")
    return cleaned[:31] or "Sheet1"


def write_xlsx(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], target: IO[bytes] | str, title: str = ""
) -> int:
    """Write an xlsx workbook (write-only: constant memory); returns the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title(title))
    ws.append(_safe_row(headers))
    n = 0
    for row in rows:
        ws.append(_safe_row(row))
        n += 1
    wb.save(target)
    return n


def export_rows(
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    target: IO[bytes] | None = None,
    title: str = "",
) -> IO[bytes]:
    """Write `rows` under `headers` as `fmt` ("xlsx" or "csv") into `target` (a binary
    file; a temporary spooled file by default), rewound and ready to send."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")

    out = target if target is not None else tempfile.SpooledTemporaryFile(max_size=8 << 20)
    if fmt == "csv":
        for chunk in iter_csv(headers, rows):
            out.write(chunk)
    else:
        write_xlsx(headers, rows, out, title)
    out.seek(0)
    return out

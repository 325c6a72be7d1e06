"""Writing Excel workbooks safely: the one way every export writes cells, sheet titles and the
download's file name.

The values come from people: a worker, grid or street named `=HYPERLINK(...)` must reach the
reader as that text, never as a live formula, and a name with `:` or `/` (or a control
character) must not make the export fail.

- `append_row(sheet, values)`: writes one row. Text that a spreadsheet would take for a formula
  (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with an explicit
  string type and Excel's quote prefix, so it is shown as typed and stays text when the cell is
  edited; the text itself is kept exactly (no apostrophe is added to the data). Characters that
  XML cannot hold are dropped. Numbers, dates and None are written as they are.
- `sheet_title(name)`: a legal, non-empty sheet title of at most 31 characters.
- `response(content, filename)`: the download, with an ASCII `filename` for old clients and the
  exact name as RFC 5987 `filename*` (UTF-8), so Chinese names survive and no header breaks.
"""

import re
import unicodedata
from collections.abc import Iterable
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What Excel, LibreOffice and Google Sheets treat as the start of a formula (OWASP's CSV
# injection list); a tab or CR first is how the others are smuggled past a naive check.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Excel refuses these in a sheet title, and a title may not start or end with an apostrophe.
_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
TITLE_LENGTH = 31

# Kept in the ASCII fallback of a file name; anything else becomes "_".
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def text(value):
    """The value with the characters XML cannot hold removed (openpyxl would refuse it)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_cell(sheet: Worksheet, value) -> Cell:
    """A cell of `sheet` holding `value` that no spreadsheet evaluates."""
    value = text(value)
    cell = Cell(sheet, value=value)
    if looks_like_formula(value):
        # openpyxl types any text starting with "=" as a formula; keep it a string, and set the
        # quote prefix so Excel keeps it text even when someone edits the cell.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(sheet: Worksheet, values: Iterable) -> tuple[Cell, ...]:
    """Append one row of safe cells; returns the cells (to style them)."""
    cells = [safe_cell(sheet, value) for value in values]
    sheet.append(cells)
    return tuple(cells)


def sheet_title(name, *, fallback: str = "Sheet") -> str:
    """A title Excel accepts: forbidden characters replaced, at most 31 characters, not empty."""
    title = _TITLE_FORBIDDEN.sub("_", text(str(name or ""))).strip()
    title = title[:TITLE_LENGTH].strip("'").strip()
    return title or fallback


def new_sheet(workbook: Workbook, title) -> Worksheet:
    return workbook.create_sheet(title=sheet_title(title))


def to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ascii_filename(filename: str) -> str:
    decomposed = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = _FILENAME_UNSAFE.sub("_", decomposed).strip(" .").rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = stem.strip("_ ") or "export"
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name as RFC 5987 `filename*`."""
    exact = "".join(ch for ch in str(filename) if unicodedata.category(ch)[0] != "C").replace("/", "_")
    exact = exact.replace("\\", "_").strip() or "export.xlsx"
    return f"attachment; filename=\"{_ascii_filename(exact)}\"; filename*=UTF-8''{quote(exact, safe='')}"


def response(content: bytes | Workbook, filename: str) -> HttpResponse:
    """An .xlsx download."""
    if isinstance(content, Workbook):
        content = to_bytes(content)
    answer = HttpResponse(content, content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = content_disposition(filename)
    return answer

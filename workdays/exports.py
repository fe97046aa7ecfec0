"""Every CSV and XLSX file the service hands out is written here, and only here.

A caller gives a ``Table``: a sheet name, an optional title line, the column headers and the rows, each
cell a typed value (text, a whole or decimal number, a moment, or nothing). This module knows nothing of
requests or reports; it makes the file safe to open and easy to read:

- **No formula.** Text that a spreadsheet could take for a formula, i.e. text starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return (OWASP's "CSV injection" rule), is neutralised: in a CSV it gets a
  leading single quote; in an XLSX it is stored as a text cell (never a formula) marked "quote prefix",
  which is what a spreadsheet does when a person types the quote: the text shows as typed and stays text
  when edited. The title line and the headers are treated the same way.
- **Typed cells (XLSX).** A number is a number; a moment is a date cell shown in the Buddhist Era by its
  number format (Thai calendar), in the local time zone.
- **Readable (XLSX).** Bold headers, the header row frozen, column widths from the headers and the first
  rows, a filter over the table.
- **Thai opens in Excel (CSV).** UTF-8 with a byte-order mark.

Rows are consumed once, as they come: a caller may pass a generator over a database cursor, and the XLSX
is written by a write-only workbook, so a large export never holds its rows as cells."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

FORMATS = ("csv", "xlsx")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Value = str | int | float | Decimal | datetime.datetime | None

# OWASP: a cell starting with one of these may be run as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The Buddhist Era calendar (calendar 07) with Thai or English month names.
DATETIME_FORMAT_TH = "[$-th-TH,107]d mmm yyyy hh:mm"
DATETIME_FORMAT_EN = "[$-en-GB,107]d mmm yyyy hh:mm"

_WIDTH_SAMPLE = 200  # rows read ahead to size the columns
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    name: str  # the sheet's name
    header: Sequence[str]
    rows: Iterable[Sequence[Value]]
    title: str = ""  # a line above the header (XLSX)


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could take the text for a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """The text as a CSV cell that no spreadsheet runs: a leading quote when it could be a formula."""
    return f"'{text}" if is_risky(text) else text


# CSV


def csv_bytes(table: Table, *, date_text: Callable[[datetime.datetime], str]) -> bytes:
    """The table as CSV (no title line); moments written with ``date_text`` (the Buddhist Era)."""

    def cell(value: Value) -> str | int | float | Decimal:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            return neutralise(date_text(value))
        if isinstance(value, str):
            return neutralise(value)
        return value

    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Thai correctly only with the byte-order mark
    writer = csv.writer(buffer)
    writer.writerow([neutralise(text) for text in table.header])
    writer.writerows([cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8")


# XLSX


def _display_width(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 18
    # Thai vowels and tone marks above or below a consonant take no width of their own.
    return sum(1 for char in str(value) if unicodedata.category(char) != "Mn")


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _sheet_name(name: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub(" ", name).strip("' ")[:31] or "1"


def xlsx_bytes(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_name(table.name))
    bold = Font(bold=True)
    date_format = DATETIME_FORMAT_EN if (get_language() or "th").startswith("en") else DATETIME_FORMAT_TH

    def text_cell(text: str, *, font: Font | None = None) -> Cell:
        text = ILLEGAL_CHARACTERS_RE.sub("", text)  # control characters no workbook may hold
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # text, whatever it starts with: never a formula
        if is_risky(text):
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    def cell(value: Value) -> Any:
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            return text_cell(text) if is_risky(text) else text  # plain text is written as it is: faster
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            moment = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
            moment.number_format = date_format
            return moment
        return value

    rows: Iterator[Sequence[Value]] = iter(table.rows)
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE))
    columns = len(table.header)
    for index in range(columns):
        widest = max(
            [_display_width(table.header[index])]
            + [_display_width(row[index]) for row in sample if index < len(row)]
        )
        sheet.column_dimensions[_column_letter(index + 1)].width = min(
            max(widest + 2, _MIN_WIDTH), _MAX_WIDTH
        )

    header_row = 2 if table.title else 1
    sheet.freeze_panes = f"A{header_row + 1}"  # before the first row: a write-only sheet writes it then
    if table.title:
        sheet.append([text_cell(table.title, font=bold)])
    heads = []
    for text in table.header:
        head = text_cell(text, font=bold)
        head.alignment = Alignment(wrap_text=True, vertical="top")
        heads.append(head)
    sheet.append(heads)
    last_row = header_row
    for row in itertools.chain(sample, rows):
        sheet.append([cell(value) for value in row])
        last_row += 1
    if columns:
        sheet.auto_filter.ref = f"A{header_row}:{_column_letter(columns)}{last_row}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(
    table: Table, *, fmt: str, filename: str, date_text: Callable[[datetime.datetime], str]
) -> HttpResponse:
    """The download: ``fmt`` is one of FORMATS; ``filename`` without its extension."""
    if fmt == "csv":
        response = HttpResponse(csv_bytes(table, date_text=date_text), content_type=CSV_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE)
    else:
        raise ValueError(fmt)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response

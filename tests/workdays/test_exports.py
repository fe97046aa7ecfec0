"""The one export module: OWASP's rule on every text cell, typed XLSX cells, rows read once as they come."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook

from workdays.exports import Table, Value, csv_bytes, neutralise, xlsx_bytes


def test_neutralise_follows_owasp() -> None:
    for risky in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(risky) == f"'{risky}"
    for safe in ("", "ขอหารือ", "1-2", "a=b", "'x"):
        assert neutralise(safe) == safe


def test_rows_are_read_once_as_they_come_and_control_characters_never_fail() -> None:
    read: list[int] = []

    def rows() -> Iterator[list[Value]]:
        for i in range(500):
            read.append(i)
            yield [f"=A{i}", i, datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC), "a\x01b", None]

    table = Table("a/b:c?", ["=h", "n", "d", "t", "e"], rows(), title="@title")
    sheet: Any = load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert read == list(range(500))  # one pass over the generator
    assert sheet.title == "a b c"
    assert sheet["A1"].value == "@title" and sheet["A1"].quotePrefix
    assert sheet["A2"].value == "=h" and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "=A0" and sheet["A3"].data_type == "s" and sheet["A3"].quotePrefix
    assert sheet["B3"].value == 0 and sheet["D3"].value == "ab"
    assert sheet["C3"].value.isoformat() == "2026-01-01T16:00:00"  # Bangkok time
    assert sheet.max_row == 502 and sheet.auto_filter.ref == "A2:E502"

    table = Table("x", ["=h", "n"], iter([["-1", -1], [None, 2.5]]))
    text = csv_bytes(table, date_text=str).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["'=h", "n"], ["'-1", "-1"], ["", "2.5"]]

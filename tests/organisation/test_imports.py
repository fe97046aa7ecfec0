"""Importing LGOs and adjoining districts: all or nothing, every bad row reported with its row and column."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from organisation.models import District, DistrictNeighbour, LocalGovernmentOrganisation
from organisation.services.imports import (
    MAX_FILE_BYTES,
    ImportFailed,
    RowError,
    lgos_import,
    neighbours_import,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
Kind = LocalGovernmentOrganisation.Kind

pytestmark = pytest.mark.django_db

HEADER = "code,name_th,kind,district_code\n"


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def failure(call: object, **kwargs: object) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        call(**kwargs)  # type: ignore[operator]
    return caught.value.errors


def where(errors: list[RowError]) -> list[tuple[int, str, str]]:
    """Row, column and kind of each problem: the same whatever the language of the messages."""
    return [(e.row, e.column, e.code) for e in errors]


# LGOs -------------------------------------------------------------------------------------------------


def test_good_csv_creates_lgos_with_thai_and_english_kinds() -> None:
    data = csv_bytes(
        HEADER + "2500101,เทศบาลนครเชียงใหม่,เทศบาลนคร,5001\n"
        "1500101,องค์การบริหารส่วนจังหวัดเชียงใหม่,PAO,5001\n"
        "3500701,องค์การบริหารส่วนตำบลดอนแก้ว,อบต.,5007\n"
    )

    report = lgos_import(data=data, filename="lgos.csv")

    assert (report.created, report.updated) == (3, 0)
    city = LocalGovernmentOrganisation.objects.get(code="2500101")
    assert (city.name_th, city.kind, city.district.code) == ("เทศบาลนครเชียงใหม่", Kind.MUNICIPALITY, "5001")
    assert LocalGovernmentOrganisation.objects.get(code="1500101").kind == Kind.PROVINCIAL
    assert LocalGovernmentOrganisation.objects.get(code="3500701").kind == Kind.SUBDISTRICT


def test_csv_with_byte_order_mark_is_read() -> None:
    report = lgos_import(
        data=csv_bytes(HEADER + "2510101,เทศบาลเมืองลำพูน,เทศบาล,5101\n", bom=True), filename="x.csv"
    )

    assert report.created == 1
    assert LocalGovernmentOrganisation.objects.get(code="2510101").district.code == "5101"


def test_reimport_updates_changed_rows_and_leaves_the_rest() -> None:
    lgos_import(
        data=csv_bytes(HEADER + "A1,เทศบาลตำบลป่าซาง,เทศบาลตำบล,5106\nA2,อบต.ทาปลาดุก,อบต.,5102\n"),
        filename="a.csv",
    )

    report = lgos_import(
        data=csv_bytes(HEADER + "A1,เทศบาลเมืองป่าซาง,เทศบาลเมือง,5106\nA2,อบต.ทาปลาดุก,อบต.,5102\n"),
        filename="a.csv",
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert LocalGovernmentOrganisation.objects.get(code="A1").name_th == "เทศบาลเมืองป่าซาง"
    assert LocalGovernmentOrganisation.objects.count() == 2


def test_unknown_district_code_names_row_and_column_and_imports_nothing() -> None:
    rows = (
        "".join(f"C{i},เทศบาลตำบลที่ {i},เทศบาล,5001\n" for i in range(5))
        + "C9,เทศบาลตำบลไม่มีอำเภอ,เทศบาล,5099\n"
    )

    with translation.override("en"):
        errors = failure(lgos_import, data=csv_bytes(HEADER + rows), filename="x.csv")

    assert where(errors) == [(7, "district_code", "unknown_district")]
    assert [str(e) for e in errors] == ["Unknown district code 5099 (row 7, column district_code)"]
    assert not LocalGovernmentOrganisation.objects.exists()


def test_every_bad_row_is_reported_at_once() -> None:
    data = csv_bytes(
        HEADER + "D1,,อบต.,5001\n"  # row 2: no name
        "D2,เทศบาลตำบลหนึ่ง,สหกรณ์,5001\n"  # row 3: unknown kind
        "D3,เทศบาลตำบลสอง,เทศบาล,5001\n"  # row 4: good
        "D3,เทศบาลตำบลสาม,เทศบาล,5001\n"  # row 5: code already in row 4
        ",เทศบาลตำบลสี่,เทศบาล,\n"  # row 6: no code, no district
    )

    errors = failure(lgos_import, data=data, filename="x.csv")

    assert where(errors) == [
        (2, "name_th", "missing"),
        (3, "kind", "unknown_kind"),
        (5, "code", "duplicate"),
        (6, "code", "missing"),
        (6, "district_code", "missing"),
    ]
    assert "สหกรณ์" in errors[1].message
    assert "4" in errors[2].message  # the row that first has the code
    assert not LocalGovernmentOrganisation.objects.exists()


def test_missing_column_in_header_is_refused() -> None:
    errors = failure(lgos_import, data=csv_bytes("code,name_th,district_code\nX,ชื่อ,5001\n"), filename="x.csv")

    assert where(errors) == [(1, "kind", "missing_column")]


def test_a_bad_row_leaves_existing_lgos_untouched() -> None:
    lgos_import(data=csv_bytes(HEADER + "E1,เทศบาลเดิม,เทศบาล,5001\n"), filename="x.csv")

    failure(
        lgos_import,
        data=csv_bytes(HEADER + "E1,เทศบาลใหม่,เทศบาล,5001\nE2,อบต.ใหม่,อบต.,9999\n"),
        filename="x.csv",
    )

    assert LocalGovernmentOrganisation.objects.get(code="E1").name_th == "เทศบาลเดิม"
    assert not LocalGovernmentOrganisation.objects.filter(code="E2").exists()


def test_xlsx_with_numeric_codes_is_read() -> None:
    data = xlsx_bytes(
        [["code", "name_th", "kind", "district_code"], [2510101, "เทศบาลเมืองลำพูน", "เทศบาลเมือง", 5101]]
    )

    report = lgos_import(data=data, filename="lgos.xlsx")

    assert report.created == 1
    assert LocalGovernmentOrganisation.objects.get(code="2510101").district.code == "5101"


def test_text_file_renamed_to_xlsx_is_refused_clearly() -> None:
    errors = failure(lgos_import, data=csv_bytes(HEADER + "X,ชื่อ,อบต.,5001\n"), filename="lgos.xlsx")

    assert where(errors) == [(0, "", "not_xlsx")]
    assert not LocalGovernmentOrganisation.objects.exists()


def test_non_utf8_csv_is_refused_with_advice() -> None:
    data = (HEADER + "X,เทศบาล,อบต.,5001\n").encode("cp874")

    errors = failure(lgos_import, data=data, filename="lgos.csv")

    assert where(errors) == [(0, "", "encoding")]
    assert "CSV UTF-8" in errors[0].message


def test_file_over_the_size_limit_is_refused() -> None:
    errors = failure(lgos_import, data=b"x" * (MAX_FILE_BYTES + 1), filename="big.csv")

    assert where(errors) == [(0, "", "too_large")]
    assert "5" in errors[0].message


def test_example_files_import_and_agree() -> None:
    from_xlsx = lgos_import(data=(EXAMPLES / "lgos-example.xlsx").read_bytes(), filename="lgos-example.xlsx")
    from_csv = lgos_import(data=(EXAMPLES / "lgos-example.csv").read_bytes(), filename="lgos-example.csv")

    assert from_xlsx.created > 5
    assert (from_csv.created, from_csv.updated, from_csv.unchanged) == (0, 0, from_xlsx.created)


# Adjoining districts ----------------------------------------------------------------------------------


def pair_codes() -> set[tuple[str, str]]:
    return set(DistrictNeighbour.objects.values_list("district_a__code", "district_b__code"))


def test_neighbour_pairs_are_stored_once_lower_id_first_and_reimport_is_idempotent() -> None:
    data = csv_bytes("district_code_a,district_code_b\n5019,5001\n5001,5019\n5001,5007\n")

    first = neighbours_import(data=data, filename="n.csv")
    second = neighbours_import(data=data, filename="n.csv")

    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert DistrictNeighbour.objects.count() == 2
    for pair in DistrictNeighbour.objects.all():
        assert pair.district_a_id < pair.district_b_id
    assert {frozenset(p) for p in pair_codes()} == {frozenset({"5001", "5019"}), frozenset({"5001", "5007"})}


def test_self_pair_and_unknown_codes_are_errors_and_nothing_is_stored() -> None:
    data = csv_bytes("district_code_a,district_code_b\n5001,5007\n5001,5001\n5001,5099\nabc,5002\n")

    errors = failure(neighbours_import, data=data, filename="n.csv")

    assert where(errors) == [
        (3, "district_code_b", "self_pair"),
        (4, "district_code_b", "unknown_district"),
        (5, "district_code_a", "unknown_district"),
    ]
    assert not DistrictNeighbour.objects.exists()


def test_example_neighbours_file_pairs_real_districts() -> None:
    neighbours_import(data=(EXAMPLES / "neighbours-example.csv").read_bytes(), filename="n.csv")

    mueang = District.objects.get(code="5001")
    saraphi = District.objects.get(code="5019")
    a, b = sorted([mueang.pk, saraphi.pk])
    assert DistrictNeighbour.objects.filter(district_a_id=a, district_b_id=b).exists()


# Commands ---------------------------------------------------------------------------------------------


def test_import_lgos_command_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_lgos", str(EXAMPLES / "lgos-example.csv"))

    assert "created" in capsys.readouterr().out
    assert LocalGovernmentOrganisation.objects.filter(district__code="5101").exists()


def test_import_lgos_command_prints_errors_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "X,ชื่อ,อบต.,5099\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as caught, translation.override("en"):
        call_command("import_lgos", str(bad), stderr=err)

    assert caught.value.returncode == 1
    assert "Unknown district code 5099 (row 2, column district_code)" in err.getvalue()
    assert not LocalGovernmentOrganisation.objects.exists()


def test_import_neighbours_command_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "neighbours-example.csv")
    call_command("import_neighbours", path)
    count = DistrictNeighbour.objects.count()

    call_command("import_neighbours", path)

    assert DistrictNeighbour.objects.count() == count
    assert "0 new pair(s)" in capsys.readouterr().out

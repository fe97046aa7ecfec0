"""Importing reference data from spreadsheets: local government organisations and adjoining districts.

Every import is all-or-nothing: the whole file is checked first, and when any row is bad nothing is
written and every bad row is reported with its row number (as a spreadsheet shows it: the header is
row 1) and its column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from organisation.models import District, DistrictNeighbour, LocalGovernmentOrganisation

MAX_FILE_BYTES = 5 * 1024 * 1024
# An XLSX is a zip of XML: its unpacked size is bounded too, so a small "zip bomb" cannot exhaust memory.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000

LGO_COLUMNS = ("code", "name_th", "kind", "district_code")
NEIGHBOUR_COLUMNS = ("district_code_a", "district_code_b")

Kind = LocalGovernmentOrganisation.Kind
# What officers write in the kind column, in Thai or English, mapped to the stored kind.
KIND_ALIASES: dict[str, str] = {
    "อบจ.": Kind.PROVINCIAL,
    "อบจ": Kind.PROVINCIAL,
    "องค์การบริหารส่วนจังหวัด": Kind.PROVINCIAL,
    "เทศบาล": Kind.MUNICIPALITY,
    "เทศบาลนคร": Kind.MUNICIPALITY,
    "เทศบาลเมือง": Kind.MUNICIPALITY,
    "เทศบาลตำบล": Kind.MUNICIPALITY,
    "ทน.": Kind.MUNICIPALITY,
    "ทม.": Kind.MUNICIPALITY,
    "ทต.": Kind.MUNICIPALITY,
    "อบต.": Kind.SUBDISTRICT,
    "อบต": Kind.SUBDISTRICT,
    "องค์การบริหารส่วนตำบล": Kind.SUBDISTRICT,
    "พิเศษ": Kind.SPECIAL,
    "รูปแบบพิเศษ": Kind.SPECIAL,
    "pao": Kind.PROVINCIAL,
    "municipality": Kind.MUNICIPALITY,
    "sao": Kind.SUBDISTRICT,
    "special": Kind.SPECIAL,
}


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1; 0 for the file as a whole
    column: str
    message: str
    code: str = "invalid"  # what kind of problem, whatever the language of the message
    # The whole sentence in the language the message was written in (the one active when the row was read).
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.row == 0:
            text = self.message
        elif not self.column:
            text = _("%(message)s (row %(row)s)") % {"message": self.message, "row": self.row}
        else:
            text = _("%(message)s (row %(row)s, column %(column)s)") % {
                "message": self.message,
                "row": self.row,
                "column": self.column,
            }
        object.__setattr__(self, "text", text)

    def __str__(self) -> str:
        return self.text


class ImportFailed(Exception):
    """The file was refused; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)


# Reading files ----------------------------------------------------------------------------------------


def _file_error(message: str, code: str) -> ImportFailed:
    return ImportFailed([RowError(0, "", message, code)])


def _cell(value: object) -> str:
    """A cell as text; spreadsheets store codes such as 5001 as numbers (5001.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")  # with or without the byte-order mark Excel writes
    except UnicodeDecodeError:
        raise _file_error(
            _(
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”, or upload the XLSX file."
            ),
            "encoding",
        ) from None
    if "\x00" in text:
        raise _file_error(_("The file is not a CSV text file."), "not_csv")
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [cell.strip() for cell in row]


def _read_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        names, unpacked = set(), 0
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _file_error(
            _(
                "The file is not an Excel workbook (XLSX), although its name ends in .xlsx. "
                "Open it in Excel and save it as “Excel Workbook (.xlsx)”, or upload a CSV file."
            ),
            "not_xlsx",
        )
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _file_error(_("The workbook is too large once unpacked."), "too_large")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise _file_error(_("The workbook could not be read; it may be damaged."), "not_xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        workbook.close()


def read_table(*, data: bytes, filename: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV or XLSX file as (row number, {column: text}); blank rows are skipped.

    The first row names the columns (in any order; extra columns are ignored)."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)},
            "too_large",
        )
    if not data.strip():
        raise _file_error(_("The file is empty."), "empty")
    is_zip = data[:4] == b"PK\x03\x04"
    lowered = filename.lower()
    if lowered.endswith((".xlsx", ".xlsm")) or is_zip:
        rows = _read_xlsx(data)
    elif lowered.endswith(".xls"):
        raise _file_error(
            _("Old Excel files (.xls) are not accepted: save the file as .xlsx or CSV UTF-8."), "old_excel"
        )
    else:
        rows = _read_csv(data)

    table: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for number, cells in enumerate(rows, start=1):
        if header is None:
            header = [c.strip().lstrip("\ufeff").lower() for c in cells]
            missing = [c for c in columns if c not in header]
            if missing:
                raise ImportFailed(
                    [
                        RowError(
                            1, c, _("The header has no column %(column)s") % {"column": c}, "missing_column"
                        )
                        for c in missing
                    ]
                )
            positions = {c: header.index(c) for c in columns}
            continue
        if not any(cells):
            continue
        if len(table) >= MAX_ROWS:
            raise _file_error(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS}, "too_large")
        table.append(
            (number, {c: (cells[i].strip() if i < len(cells) else "") for c, i in positions.items()})
        )
    if header is None:
        raise _file_error(_("The file is empty."), "empty")
    return table


# Local government organisations -----------------------------------------------------------------------


def lgo_kind(raw: str) -> str | None:
    """The stored kind for what the file says (อบจ./เทศบาล/อบต./พิเศษ, or PAO/MUNICIPALITY/SAO/SPECIAL)."""
    value = " ".join(raw.split())
    return KIND_ALIASES.get(value) or KIND_ALIASES.get(value.lower())


@transaction.atomic
def lgos_import(*, data: bytes, filename: str) -> ImportReport:
    """Create or update local government organisations by code from a CSV or XLSX file (all-or-nothing)."""
    table = read_table(data=data, filename=filename, columns=LGO_COLUMNS)
    districts = {d.code: d for d in District.objects.all()}
    code_max = LocalGovernmentOrganisation._meta.get_field("code").max_length
    name_max = LocalGovernmentOrganisation._meta.get_field("name_th").max_length
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    valid: list[tuple[str, str, str, District]] = []
    for number, row in table:
        bad = len(errors)
        code, name, kind_raw, district_code = (row[c] for c in LGO_COLUMNS)
        if not code:
            errors.append(RowError(number, "code", _("The LGO code is missing"), "missing"))
        elif code_max and len(code) > code_max:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("The LGO code is longer than %(n)s characters") % {"n": code_max},
                    "too_long",
                )
            )
        elif code in seen:
            errors.append(
                RowError(
                    number,
                    "code",
                    _("LGO code %(code)s appears twice in the file (also in row %(other)s)")
                    % {"code": code, "other": seen[code]},
                    "duplicate",
                )
            )
        else:
            seen[code] = number
        if not name:
            errors.append(RowError(number, "name_th", _("The name is missing"), "missing"))
        elif name_max and len(name) > name_max:
            errors.append(
                RowError(
                    number,
                    "name_th",
                    _("The name is longer than %(n)s characters") % {"n": name_max},
                    "too_long",
                )
            )
        kind = lgo_kind(kind_raw)
        if kind is None:
            errors.append(
                RowError(
                    number,
                    "kind",
                    _(
                        "Unknown kind “%(kind)s”: use อบจ., เทศบาล, อบต. or พิเศษ (or PAO, MUNICIPALITY, SAO, SPECIAL)."
                    )
                    % {"kind": kind_raw},
                    "unknown_kind",
                )
            )
        district = districts.get(district_code)
        if not district_code:
            errors.append(RowError(number, "district_code", _("The district code is missing"), "missing"))
        elif district is None:
            errors.append(
                RowError(
                    number,
                    "district_code",
                    _("Unknown district code %(code)s") % {"code": district_code},
                    "unknown_district",
                )
            )
        if len(errors) == bad:
            assert kind is not None and district is not None
            valid.append((code, name, kind, district))
    if errors:
        raise ImportFailed(errors)

    report = ImportReport(rows=len(valid))
    existing = {
        lgo.code: lgo
        for lgo in LocalGovernmentOrganisation.objects.select_for_update().filter(
            code__in=[v[0] for v in valid]
        )
    }
    to_create: list[LocalGovernmentOrganisation] = []
    to_update: list[LocalGovernmentOrganisation] = []
    for code, name, kind, district in valid:
        lgo = existing.get(code)
        if lgo is None:
            to_create.append(
                LocalGovernmentOrganisation(code=code, name_th=name, kind=kind, district=district)
            )
        elif (lgo.name_th, lgo.kind, lgo.district_id) != (name, kind, district.pk):
            lgo.name_th, lgo.kind, lgo.district = name, kind, district
            to_update.append(lgo)
        else:
            report.unchanged += 1
    LocalGovernmentOrganisation.objects.bulk_create(to_create)
    LocalGovernmentOrganisation.objects.bulk_update(to_update, ["name_th", "kind", "district"])
    report.created, report.updated = len(to_create), len(to_update)
    return report


# Adjoining districts ----------------------------------------------------------------------------------


@transaction.atomic
def neighbours_import(*, data: bytes, filename: str) -> ImportReport:
    """Add pairs of adjoining districts (stored once, lower id first). Pairs already stored are kept."""
    table = read_table(data=data, filename=filename, columns=NEIGHBOUR_COLUMNS)
    districts = {d.code: d for d in District.objects.all()}
    errors: list[RowError] = []
    pairs: dict[tuple[int, int], int] = {}
    for number, row in table:
        found: list[District] = []
        for column in NEIGHBOUR_COLUMNS:
            code = row[column]
            district = districts.get(code)
            if not code:
                errors.append(RowError(number, column, _("The district code is missing"), "missing"))
            elif district is None:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("Unknown district code %(code)s") % {"code": code},
                        "unknown_district",
                    )
                )
            else:
                found.append(district)
        if len(found) != 2:
            continue
        a, b = found
        if a.pk == b.pk:
            errors.append(
                RowError(
                    number,
                    "district_code_b",
                    _("A district cannot adjoin itself (%(code)s)") % {"code": a.code},
                    "self_pair",
                )
            )
            continue
        pairs.setdefault((min(a.pk, b.pk), max(a.pk, b.pk)), number)
    if errors:
        raise ImportFailed(errors)

    existing = set(DistrictNeighbour.objects.values_list("district_a_id", "district_b_id"))
    new = [DistrictNeighbour(district_a_id=a, district_b_id=b) for a, b in pairs if (a, b) not in existing]
    DistrictNeighbour.objects.bulk_create(new, ignore_conflicts=True)
    return ImportReport(created=len(new), unchanged=len(pairs) - len(new), rows=len(table))

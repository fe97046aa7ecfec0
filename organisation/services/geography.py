"""Loading the reference data: provinces and districts from GeoThai, and the DLA's units."""

from __future__ import annotations

from dataclasses import dataclass

import geothai
from django.db import transaction
from django.utils import timezone

from organisation.cached import reference_forget
from organisation.data.province_abbreviations import PROVINCE_ABBREVIATIONS
from organisation.models import District, Province, ReferenceDataVersion, Unit
from organisation.models.geography import BANGKOK_CODE

GEOTHAI_SOURCE = "geothai"

COORDINATION_CENTRE = (
    "coordination-centre",
    "ศูนย์ประสานงานท้องถิ่นอำเภอ",
    "District Officer Coordination Centre",
    "ศปท.",
)
# The centre's number and the group that runs it (source document, Part 2, question 2): "contact the
# Administrative System Development Group (กพร.) of the Department, 02 241 9013".
CENTRE_PHONE = "02 241 9013"
CENTRE_RUN_BY = "admin-development"
# Central units that requests can be routed to; central staff edit these in the admin (they are only created
# when missing, never overwritten).
CENTRAL_UNITS: list[tuple[str, str, str, str, Unit.Kind]] = [
    (
        "admin-development",
        "กลุ่มพัฒนาระบบบริหาร",
        "Administrative System Development Group",
        "กพร.",
        Unit.Kind.DIVISION,
    ),
    (
        "local-finance",
        "สำนักบริหารการคลังท้องถิ่น",
        "Bureau of Local Fiscal Administration",
        "สน.คท.",
        Unit.Kind.BUREAU,
    ),
    (
        "local-law",
        "กองกฎหมายและระเบียบท้องถิ่น",
        "Division of Local Law and Regulations",
        "กม.",
        Unit.Kind.DIVISION,
    ),
    (
        "local-personnel",
        "สำนักพัฒนาระบบบริหารงานบุคคลส่วนท้องถิ่น",
        "Bureau of Local Personnel Administration",
        "สน.บถ.",
        Unit.Kind.BUREAU,
    ),
    (
        "local-planning",
        "กองยุทธศาสตร์และแผนงาน",
        "Division of Strategy and Planning",
        "ยผ.",
        Unit.Kind.DIVISION,
    ),
    (
        "local-development",
        "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น",
        "Division of Local Administration Development",
        "พส.",
        Unit.Kind.DIVISION,
    ),
    (
        "local-accounting",
        "กองการเงินและบัญชีท้องถิ่น",
        "Division of Local Finance and Accounting",
        "กง.บ.",
        Unit.Kind.DIVISION,
    ),
    (
        "local-education",
        "สำนักประสานและพัฒนาการจัดการศึกษาท้องถิ่น",
        "Bureau of Local Education",
        "สน.ศท.",
        Unit.Kind.BUREAU,
    ),
]


@dataclass
class LoadReport:
    provinces_created: int = 0
    provinces_updated: int = 0
    districts_created: int = 0
    districts_updated: int = 0
    units_created: int = 0
    version: str = ""

    @property
    def changed(self) -> bool:
        return any(
            (
                self.provinces_created,
                self.provinces_updated,
                self.districts_created,
                self.districts_updated,
                self.units_created,
            )
        )


def _province_rows() -> dict[str, dict[str, str]]:
    return {p.code: {"name_th": p.name_th, "name_en": p.name_en} for p in geothai.provinces()}


def _district_rows() -> dict[str, dict[str, str]]:
    return {
        d.code: {"name_th": d.name_th, "name_en": d.name_en, "province_code": p.code}
        for p in geothai.provinces()
        for d in geothai.districts(p.code)
    }


def _upsert_provinces() -> tuple[int, int]:
    existing = {p.code: p for p in Province.objects.all()}
    new, changed = [], []
    for code, values in _province_rows().items():
        province = existing.get(code)
        abbreviation = PROVINCE_ABBREVIATIONS.get(code, "กทม." if code == BANGKOK_CODE else "")
        if province is None:
            new.append(Province(code=code, abbreviation=abbreviation, **values))
        elif (province.name_th, province.name_en, province.abbreviation) != (
            values["name_th"],
            values["name_en"],
            abbreviation,
        ):
            province.name_th, province.name_en = values["name_th"], values["name_en"]
            province.abbreviation = abbreviation
            changed.append(province)
    Province.objects.bulk_create(new)
    Province.objects.bulk_update(changed, ["name_th", "name_en", "abbreviation"])
    return len(new), len(changed)


def _upsert_districts() -> tuple[int, int]:
    provinces = {p.code: p for p in Province.objects.all()}
    existing = {d.code: d for d in District.objects.select_related("province")}
    new, changed = [], []
    for code, values in _district_rows().items():
        province = provinces[values["province_code"]]
        district = existing.get(code)
        if district is None:
            new.append(
                District(code=code, name_th=values["name_th"], name_en=values["name_en"], province=province)
            )
        elif (district.name_th, district.name_en, district.province_id) != (
            values["name_th"],
            values["name_en"],
            province.pk,
        ):
            district.name_th, district.name_en, district.province = (
                values["name_th"],
                values["name_en"],
                province,
            )
            changed.append(district)
    District.objects.bulk_create(new)
    District.objects.bulk_update(changed, ["name_th", "name_en", "province"])
    return len(new), len(changed)


@transaction.atomic
def geography_load() -> LoadReport:
    """Create or update the 77 provinces and 928 districts, and the units of the DLA. Idempotent."""
    report = LoadReport(version=geothai.DATA_VERSION)
    report.provinces_created, report.provinces_updated = _upsert_provinces()
    report.districts_created, report.districts_updated = _upsert_districts()
    report.units_created = _ensure_units(list(Province.objects.order_by("code")))
    stored = ReferenceDataVersion.objects.filter(source=GEOTHAI_SOURCE, version=geothai.DATA_VERSION).exists()
    if report.changed or not stored:
        ReferenceDataVersion.objects.update_or_create(
            source=GEOTHAI_SOURCE, defaults={"version": geothai.DATA_VERSION, "loaded_at": timezone.now()}
        )
    if report.changed or not stored:  # written in bulk, without the signals that forget the held lists
        transaction.on_commit(reference_forget)
    return report


def geography_is_current() -> bool:
    """Whether `geography_load()` would change nothing, in two queries: this GeoThai version was loaded (in the
    same transaction as its provinces and districts) and every unit it creates exists."""
    if not ReferenceDataVersion.objects.filter(source=GEOTHAI_SOURCE, version=geothai.DATA_VERSION).exists():
        return False
    provinces = Province.objects.exclude(code=BANGKOK_CODE).values_list("code", flat=True)
    expected = {COORDINATION_CENTRE[0], *(unit[0] for unit in CENTRAL_UNITS)}
    expected |= {f"{prefix}-{code}" for code in provinces for prefix in ("pao-office", "coordination-group")}
    return expected <= set(Unit.objects.values_list("code", flat=True))


def _ensure_units(provinces: list[Province]) -> int:
    existing = set(Unit.objects.values_list("code", flat=True))
    new: list[Unit] = []
    for code, name_th, name_en, abbreviation, kind in CENTRAL_UNITS:
        if code not in existing:
            phone = CENTRE_PHONE if code == CENTRE_RUN_BY else ""
            new.append(
                Unit(
                    code=code,
                    name_th=name_th,
                    name_en=name_en,
                    abbreviation=abbreviation,
                    kind=kind,
                    phone=phone,
                )
            )
    Unit.objects.bulk_create(new)
    code, name_th, name_en, abbreviation = COORDINATION_CENTRE
    if code not in existing:
        new.append(
            Unit.objects.create(
                code=code,
                name_th=name_th,
                name_en=name_en,
                abbreviation=abbreviation,
                kind=Unit.Kind.COORDINATION_CENTRE,
                phone=CENTRE_PHONE,
                parent=Unit.objects.filter(code=CENTRE_RUN_BY).first(),
            )
        )
    offices: list[Unit] = []
    for province in provinces:
        if province.code == BANGKOK_CODE:
            continue
        office_code = f"pao-office-{province.code}"
        if office_code not in existing:
            offices.append(
                Unit(
                    code=office_code,
                    kind=Unit.Kind.PROVINCIAL_OFFICE,
                    province=province,
                    abbreviation="สถจ.",
                    name_th=f"สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{province.name_th}",
                    name_en=f"{province.name_en} Provincial Local Administration Office",
                )
            )
    Unit.objects.bulk_create(offices)
    groups: list[Unit] = []
    office_by_province = {u.province_id: u for u in Unit.objects.filter(kind=Unit.Kind.PROVINCIAL_OFFICE)}
    for province in provinces:
        if province.code == BANGKOK_CODE:
            continue
        group_code = f"coordination-group-{province.code}"
        if group_code not in existing:
            groups.append(
                Unit(
                    code=group_code,
                    kind=Unit.Kind.COORDINATION_GROUP,
                    province=province,
                    abbreviation="กง.ทอ.",
                    parent=office_by_province[province.pk],
                    name_th=f"กลุ่มงานส่งเสริมและประสานงานท้องถิ่นอำเภอ จังหวัด{province.name_th}",
                    name_en=f"District Officer Coordination Group, {province.name_en}",
                )
            )
    Unit.objects.bulk_create(groups)
    return len(new) + len(offices) + len(groups)

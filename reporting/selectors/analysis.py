"""The analysis the proposal needs (source document, Part 4): workload per mission area and indicator, by
province (or district) and nationally; workload per officer (officers holding several districts); the
letter counts of the district office beside those of the district local office; comparisons between
cycles.

Only complete reports count in workload figures. A late report (first submitted after its own deadline,
the extended one when there is an extension: DistrictReport.late) counts like the others, and every figure
says how much of it came from late reports; how many came within an extension is counted beside.
Indicators are the cycle's frozen list (CycleIndicator), never the live one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language

from organisation.models import Officer, Province
from reporting.models import LETTER_FIELDS, CycleIndicator, DistrictReport, ReportingCycle, ReportValue
from workdays.thai import thai_key


def english() -> bool:
    """Names of mission areas and indicators in English when the page is (exports stay Thai)."""
    return (get_language() or "th").startswith("en")


def _avg(total: int, count: int) -> float:
    return total / count if count else 0.0


@dataclass
class Figure:
    """A total, the part of it from late reports, and the average per complete report."""

    total: int = 0
    late: int = 0
    reports: int = 0  # the complete reports it is summed over

    @property
    def average(self) -> float:
        return _avg(self.total, self.reports)


@dataclass
class IndicatorFigure:
    indicator: CycleIndicator
    figure: Figure

    @property
    def name(self) -> str:
        return (english() and self.indicator.name_en) or self.indicator.name_th


@dataclass
class AreaFigure:
    code: str
    name: str
    order: int
    indicators: list[IndicatorFigure] = field(default_factory=list)
    figure: Figure = field(default_factory=Figure)


@dataclass
class GroupRow:
    """A province (the national analysis) or a district (one province's)."""

    pk: int
    name: str
    reports: int = 0
    complete: int = 0
    late: int = 0  # complete reports that were late
    areas: list[int] = field(default_factory=list)  # workload totals, in the order of the areas
    indicators: dict[int, int] = field(default_factory=dict)  # CycleIndicator pk -> total
    letters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # LETTER_FIELDS order

    @property
    def total(self) -> int:
        return sum(self.areas)

    @property
    def area_averages(self) -> list[float | None]:
        """Each mission area's workload per complete report (None without one)."""
        return [a / self.complete if self.complete else None for a in self.areas]

    @property
    def average(self) -> float:
        return _avg(self.total, self.complete)

    @property
    def percent_complete(self) -> float:
        return round(100 * self.complete / self.reports, 1) if self.reports else 0.0

    @property
    def letters_office(self) -> int:
        return self.letters[0] + self.letters[1]

    @property
    def letters_local(self) -> int:
        return self.letters[2] + self.letters[3]


@dataclass
class OfficerRow:
    officer: Officer | None  # None: the districts nobody was responsible for
    districts: list[str] = field(default_factory=list)
    complete: int = 0
    late: int = 0
    total: int = 0  # workload of the complete reports

    @property
    def held(self) -> int:
        return len(self.districts)

    @property
    def per_district(self) -> float:
        return _avg(self.total, self.complete)

    @property
    def several(self) -> bool:
        return self.officer is not None and self.held > 1


@dataclass
class Letters:
    totals: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    late: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # the part from late reports

    @property
    def office(self) -> int:
        return self.totals[0] + self.totals[1]

    @property
    def local(self) -> int:
        return self.totals[2] + self.totals[3]


@dataclass
class Analysis:
    cycle: ReportingCycle
    province: Province | None
    by: str  # "province" or "district": what the rows of `groups` are
    indicators: list[CycleIndicator]
    areas: list[AreaFigure]
    groups: list[GroupRow]
    officers: list[OfficerRow]
    letters: Letters
    reports: int = 0
    complete: int = 0
    late: int = 0  # complete reports that were late
    within_extension: int = 0  # complete reports submitted within an extension

    @property
    def workload(self) -> Figure:
        return Figure(
            total=sum(a.figure.total for a in self.areas),
            late=sum(a.figure.late for a in self.areas),
            reports=self.complete,
        )

    @property
    def several(self) -> list[OfficerRow]:
        """Officers holding several districts, most districts first."""
        return [o for o in self.officers if o.several]

    @property
    def single(self) -> list[OfficerRow]:
        return [o for o in self.officers if o.officer is not None and o.held == 1]

    @property
    def unassigned(self) -> OfficerRow | None:
        return next((o for o in self.officers if o.officer is None), None)

    def per_district_of(self, rows: Iterable[OfficerRow]) -> float:
        rows = list(rows)
        return _avg(sum(o.total for o in rows), sum(o.complete for o in rows))


def frozen_indicators(cycle: ReportingCycle) -> list[CycleIndicator]:
    return list(CycleIndicator.objects.filter(cycle=cycle).order_by("area_order", "order", "code"))


def _areas(indicators: list[CycleIndicator]) -> list[AreaFigure]:
    areas: dict[str, AreaFigure] = {}
    for ind in indicators:
        area = areas.get(ind.area_code)
        if area is None:
            name = (english() and ind.area_name_en) or ind.area_name_th
            area = areas[ind.area_code] = AreaFigure(ind.area_code, name, ind.area_order)
        area.indicators.append(IndicatorFigure(ind, Figure()))
    return list(areas.values())


def analyse(cycle: ReportingCycle, *, province: Province | None = None) -> Analysis:
    """The analysis of one cycle, for the country (rows by province) or one province (rows by district).
    Five queries whatever the size: the frozen indicators, the reports, the values summed by group and
    indicator, the workload by officer, the officers (plus the provinces for the country)."""
    indicators = frozen_indicators(cycle)
    areas = _areas(indicators)
    area_index = {a.code: i for i, a in enumerate(areas)}
    area_of = {ind.pk: area_index[ind.area_code] for ind in indicators}
    reports = DistrictReport.objects.filter(cycle=cycle)
    if province is not None:
        reports = reports.filter(province=province)
    by = "district" if province is not None else "province"
    group_field = "district_id" if province is not None else "province_id"

    groups: dict[int, GroupRow] = {}
    if province is None:
        for p in Province.objects.outside_bangkok().only("pk", "name_th").order_by("code"):
            groups[p.pk] = GroupRow(p.pk, p.name_th, areas=[0] * len(areas))
    officers: dict[int | None, OfficerRow] = {}
    letters = Letters()
    total_reports = complete = late = within_extension = 0
    complete_by_officer: dict[int | None, int] = defaultdict(int)
    for r in reports.order_by().values(
        "pk",
        "province_id",
        "district_id",
        "district__name_th",
        "officer_id",
        "complete",
        "late",
        "within_extension",
        *LETTER_FIELDS,
    ):
        total_reports += 1
        key = r[group_field]
        group = groups.get(key)
        if group is None:
            group = groups[key] = GroupRow(key, r["district__name_th"], areas=[0] * len(areas))
        group.reports += 1
        officer = officers.get(r["officer_id"])
        if officer is None:
            officer = officers[r["officer_id"]] = OfficerRow(None)
        officer.districts.append(r["district__name_th"])
        if not r["complete"]:
            continue
        complete += 1
        group.complete += 1
        officer.complete += 1
        complete_by_officer[r["officer_id"]] += 1
        within_extension += r["within_extension"]
        if r["late"]:
            late += 1
            group.late += 1
            officer.late += 1
        for i, name in enumerate(LETTER_FIELDS):
            value = r[name] or 0
            group.letters[i] += value
            letters.totals[i] += value
            if r["late"]:
                letters.late[i] += value

    figures = {item.indicator.pk: item.figure for area in areas for item in area.indicators}
    # Joined filters, not `report__in=<subquery>`: PostgreSQL scans every cycle's reports for the latter.
    values = ReportValue.objects.filter(report__cycle=cycle, report__complete=True).order_by()
    if province is not None:
        values = values.filter(report__province=province)
    for row in values.values(f"report__{group_field}", "indicator_id").annotate(
        total=Sum("value"), late=Sum("value", filter=Q(report__late=True))
    ):
        group = groups.get(row[f"report__{group_field}"])
        total, late_part = row["total"] or 0, row["late"] or 0
        if group is not None:
            group.indicators[row["indicator_id"]] = total
            group.areas[area_of[row["indicator_id"]]] += total
        area = areas[area_of[row["indicator_id"]]]
        figures[row["indicator_id"]].total += total
        figures[row["indicator_id"]].late += late_part
        area.figure.total += total
        area.figure.late += late_part
    for area in areas:
        area.figure.reports = complete
        for item in area.indicators:
            item.figure.reports = complete

    for row in values.values("report__officer_id").annotate(total=Sum("value")):
        officer = officers.get(row["report__officer_id"])
        if officer is not None:
            officer.total = row["total"] or 0
    people = Officer.objects.filter(pk__in=[pk for pk in officers if pk is not None]).select_related(
        "province"
    )
    for person in people:
        officers[person.pk].officer = person

    officer_rows = sorted(
        officers.values(),
        key=lambda o: (o.officer is None, -o.held, -o.per_district, thai_key(str(o.officer or ""))),
    )
    group_rows = sorted(groups.values(), key=lambda g: thai_key(g.name))
    return Analysis(
        cycle=cycle,
        province=province,
        by=by,
        indicators=indicators,
        areas=areas,
        groups=group_rows,
        officers=officer_rows,
        letters=letters,
        reports=total_reports,
        complete=complete,
        late=late,
        within_extension=within_extension,
    )


# Comparison between cycles ---------------------------------------------------------------------------


@dataclass
class CycleColumn:
    cycle: ReportingCycle
    reports: int = 0
    complete: int = 0
    late: int = 0

    @property
    def percent_complete(self) -> float:
        return round(100 * self.complete / self.reports, 1) if self.reports else 0.0


@dataclass
class CompareRow:
    code: str
    name: str
    order: int
    totals: list[Figure] = field(default_factory=list)  # one per cycle, in the order of the columns


@dataclass
class Comparison:
    columns: list[CycleColumn]
    areas: list[CompareRow]
    letters: list[list[int]]  # per cycle: the four letter totals

    @property
    def workload(self) -> list[Figure]:
        return [
            Figure(
                total=sum(a.totals[i].total for a in self.areas),
                late=sum(a.totals[i].late for a in self.areas),
                reports=c.complete,
            )
            for i, c in enumerate(self.columns)
        ]


def _area_name(row: Any) -> str:
    return str((english() and row["indicator__area_name_en"]) or row["indicator__area_name_th"])


def default_compare_cycles(limit: int = 4) -> list[ReportingCycle]:
    """The last few cycles that have reports, oldest first."""
    cycles = list(
        ReportingCycle.objects.filter(
            status__in=[ReportingCycle.Status.OPEN, ReportingCycle.Status.CLOSED]
        ).order_by("-opens_on", "-pk")[:limit]
    )
    return cycles[::-1]


def compare(cycles: list[ReportingCycle], *, province: Province | None = None) -> Comparison:
    """Totals per mission area (matched by the frozen area code), completion and letters per cycle, in
    three queries. Cycles are shown in the order given."""
    columns = [CycleColumn(c) for c in cycles]
    index = {c.pk: i for i, c in enumerate(cycles)}
    reports = DistrictReport.objects.filter(cycle__in=cycles)
    if province is not None:
        reports = reports.filter(province=province)
    done = Q(complete=True)
    letters: list[list[int]] = [[0, 0, 0, 0] for _c in cycles]
    counted: Any
    for counted in (
        reports.order_by()
        .values("cycle_id")
        .annotate(
            n=Count("pk"),
            n_complete=Count("pk", filter=done),
            n_late=Count("pk", filter=done & Q(late=True)),
            **{f"s_{name}": Sum(name, filter=done) for name in LETTER_FIELDS},
        )
    ):
        column = columns[index[counted["cycle_id"]]]
        column.reports, column.complete, column.late = counted["n"], counted["n_complete"], counted["n_late"]
        letters[index[counted["cycle_id"]]] = [counted[f"s_{name}"] or 0 for name in LETTER_FIELDS]
    areas: dict[str, CompareRow] = {}
    for row in (
        ReportValue.objects.filter(
            report__cycle__in=cycles,
            report__complete=True,
            **({"report__province": province} if province is not None else {}),
        )
        .order_by()
        .values(
            "report__cycle_id",
            "indicator__area_code",
            "indicator__area_name_th",
            "indicator__area_name_en",
            "indicator__area_order",
        )
        .annotate(total=Sum("value"), late=Sum("value", filter=Q(report__late=True)))
    ):
        code = row["indicator__area_code"]
        area = areas.get(code)
        if area is None:
            area = areas[code] = CompareRow(
                code,
                _area_name(row),
                row["indicator__area_order"],
                [Figure(reports=c.complete) for c in columns],
            )
        i = index[row["report__cycle_id"]]
        area.totals[i].total += row["total"] or 0
        area.totals[i].late += row["late"] or 0
        if i == len(columns) - 1:  # the newest cycle's name for the area
            area.name = _area_name(row)
    for area in areas.values():
        for i, column in enumerate(columns):
            area.totals[i].reports = column.complete
    return Comparison(
        columns=columns,
        areas=sorted(areas.values(), key=lambda a: (a.order, a.code)),
        letters=letters,
    )

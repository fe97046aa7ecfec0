"""Who may watch which province, and the rows of the national, province and district pages.

Central staff (and superusers) see the whole country; a province's group director (or the acting deputy
on their days), provincial head and SSO admin see that province; the officer responsible for a district
today also sees that district's history. Anything else answers 404 in the views."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language

from organisation.models import District, DistrictAssignment, Officer, Province, Role
from organisation.selectors.roles import UserScope
from reporting.models import (
    LETTER_FIELDS,
    DistrictReport,
    ReportingCycle,
    ReportValue,
)
from reporting.selectors.progress import (
    Progress,
    ProvinceProgress,
    province_progress,
    status_colour,
    status_word,
    tally,
)
from workdays.templatetags.thai_dates import thai_datetime
from workdays.thai import thai_key

_NAME_FIELDS = ("id", "user_id", "prefix", "first_name_th", "last_name_th", "first_name_en", "last_name_en")

# The provincial roles that watch their province's reports.
MONITOR_ROLES = (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.SSO_ADMIN)


def monitored_provinces(scope: UserScope) -> frozenset[int] | None:
    """The provinces whose reports the user watches: None for the whole country (central staff)."""
    if scope.is_central:
        return None
    ids: set[int] = set()
    for role in MONITOR_ROLES:
        ids |= scope.provinces_by_role.get(role, frozenset())
    return frozenset(ids)


def may_monitor_province(scope: UserScope, province_id: int) -> bool:
    allowed = monitored_provinces(scope)
    return allowed is None or province_id in allowed


def may_monitor_district(scope: UserScope, district: District, on: datetime.date | None = None) -> bool:
    if may_monitor_province(scope, district.province_id):
        return True
    if scope.officer is None:
        return False
    return (
        DistrictAssignment.objects.current(on or timezone.localdate())
        .filter(district=district, officer=scope.officer)
        .exists()
    )


def cycles_for_switcher() -> list[ReportingCycle]:
    """Every cycle that has reports (or is opening), newest first: few rows (four a year)."""
    return list(
        ReportingCycle.objects.exclude(status=ReportingCycle.Status.SCHEDULED)
        .only("pk", "label", "fiscal_year", "status", "opens_on", "closes_on")
        .order_by("-opens_on", "-pk")
    )


# The national page -----------------------------------------------------------------------------------

SORTS = ("progress", "name", "overdue")


def sum_progress(rows: list[ProvinceProgress]) -> Progress:
    """The country's progress from the provinces' (no second query)."""
    names = (
        "total",
        "complete",
        "submitted",
        "draft",
        "returned",
        "not_started",
        "overdue",
        "late",
        "within_extension",
        "unassigned",
    )
    return Progress(**{name: sum(getattr(row.progress, name) for row in rows) for name in names})


def sort_provinces(rows: list[ProvinceProgress], sort: str) -> list[ProvinceProgress]:
    if sort == "name":
        return sorted(rows, key=lambda r: thai_key(r.province.name_th))
    if sort == "overdue":
        return sorted(
            rows, key=lambda r: (-r.progress.overdue, r.progress.percent_complete, r.province.name_th)
        )
    # progress: the most complete first; among equals, the one with most waiting for review
    return sorted(
        rows,
        key=lambda r: (-r.progress.percent_complete, -r.progress.submitted, thai_key(r.province.name_th)),
    )


def national_rows(cycle: ReportingCycle, *, now: datetime.datetime | None = None) -> list[ProvinceProgress]:
    provinces = list(
        Province.objects.outside_bangkok().only("pk", "code", "name_th", "name_en").order_by("code")
    )
    return province_progress(cycle, provinces=provinces, now=now)


# The province page -----------------------------------------------------------------------------------


@dataclass
class DistrictRow:
    report: DistrictReport
    word: str
    colour: str
    overdue: bool
    extended: bool  # its deadline was moved past the cycle's
    district_url: str = ""
    report_url: str = ""
    holder: Officer | None = None  # who holds a report nobody was responsible for (the group director)
    submitted: str = ""  # when, in words (Buddhist Era)
    due: str = ""  # the deadline in words, when extended


@dataclass
class ProvinceReports:
    rows: list[DistrictRow]
    progress: Progress


def district_rows(
    cycle: ReportingCycle,
    province: Province,
    *,
    now: datetime.datetime | None = None,
    district_url: Callable[[int], str] = str,
    report_url: Callable[[int], str] = str,
) -> ProvinceReports:
    """Each district's report in a province, by district name, and the province's progress counted from
    the same rows (one query; a second only when some district has nobody responsible)."""
    now = now or timezone.now()
    reports = list(
        DistrictReport.objects.filter(cycle=cycle, province=province)
        .order_by()
        .select_related("district", "officer")
        .only(
            "pk",
            "cycle_id",
            "province_id",
            "status",
            "complete",
            "late",
            "within_extension",
            "unassigned",
            "due_at",
            "submitted_at",
            "assignee_id",
            "district__id",
            "district__province_id",
            "district__name_th",
            "district__name_en",
            "officer__id",
            "officer__prefix",
            "officer__first_name_th",
            "officer__last_name_th",
            "officer__first_name_en",
            "officer__last_name_en",
        )
    )
    held = {r.assignee_id for r in reports if r.officer_id is None and r.assignee_id}
    holders = (
        {o.user_id: o for o in Officer.objects.filter(user_id__in=held).only(*_NAME_FIELDS)} if held else {}
    )
    rows = []
    for r in reports:
        r.district.province = province  # display_name asks for it (Bangkok's khet are named differently)
        rows.append(
            DistrictRow(
                report=r,
                word=status_word(r.status, r.complete),
                colour=status_colour(r.status, r.complete),
                overdue=r.is_overdue(now, cycle_closed=cycle.is_closed),
                extended=r.due_at > cycle.due_at,
                district_url=district_url(r.district_id),
                report_url=report_url(r.pk),
                holder=holders.get(r.assignee_id) if r.officer_id is None else None,
                submitted=thai_datetime(r.submitted_at) if r.submitted_at else "",
                due=thai_datetime(r.due_at) if r.due_at > cycle.due_at else "",
            )
        )
    rows.sort(key=lambda row: thai_key(row.report.district.name_th))
    return ProvinceReports(rows, tally(reports, now=now, closed=cycle.is_closed))


# The district page -----------------------------------------------------------------------------------


@dataclass
class AreaColumn:
    code: str
    name: str


@dataclass
class HistoryRow:
    report: DistrictReport
    word: str
    colour: str
    areas: list[int | None] = field(default_factory=list)  # totals in the order of the columns
    letters: list[int | None] = field(default_factory=list)
    total: int | None = None  # the workload of a complete report
    width: float = 0.0  # its bar, in percent of the largest

    @property
    def letters_office(self) -> int | None:
        return None if self.letters[0] is None else (self.letters[0] or 0) + (self.letters[1] or 0)

    @property
    def letters_local(self) -> int | None:
        return None if self.letters[2] is None else (self.letters[2] or 0) + (self.letters[3] or 0)


@dataclass
class AreaHistory:
    """A mission area across the latest complete reports (the transposed table of the district page)."""

    name: str
    values: list[int | None]


@dataclass
class History:
    columns: list[AreaColumn]
    rows: list[HistoryRow]
    recent: list[HistoryRow] = field(default_factory=list)  # the latest complete reports, newest first
    areas: list[AreaHistory] = field(default_factory=list)  # their totals per mission area


def district_history(district: District) -> History:
    """Every cycle's report of the district, newest first, with its totals per mission area (complete
    reports only: a draft's figures are not workload yet) and its letter counts."""
    reports = list(
        DistrictReport.objects.filter(district=district)
        .exclude(cycle__status=ReportingCycle.Status.SCHEDULED)
        .select_related("cycle", "officer")
        .order_by("-cycle__opens_on", "-cycle__pk")
    )
    complete_ids = [r.pk for r in reports if r.complete]
    english = (get_language() or "th").startswith("en")
    totals: dict[tuple[int, str], int] = {}
    columns: dict[str, tuple[int, str]] = {}
    if complete_ids:
        for row in (
            ReportValue.objects.filter(report_id__in=complete_ids)
            .order_by("-report__cycle__opens_on")
            .values(
                "report_id",
                "indicator__area_code",
                "indicator__area_name_th",
                "indicator__area_name_en",
                "indicator__area_order",
            )
            .annotate(total=Sum("value"))
        ):
            code = row["indicator__area_code"]
            totals[(row["report_id"], code)] = row["total"]
            # The first (newest) cycle's name and order of an area stand for it.
            name = (english and row["indicator__area_name_en"]) or row["indicator__area_name_th"]
            columns.setdefault(code, (row["indicator__area_order"], name))
    ordered = sorted(columns.items(), key=lambda item: (item[1][0], item[0]))
    history_rows = []
    for r in reports:
        areas = [totals.get((r.pk, code)) if r.complete else None for code, _v in ordered]
        history_rows.append(
            HistoryRow(
                report=r,
                word=status_word(r.status, r.complete),
                colour=status_colour(r.status, r.complete),
                areas=areas,
                letters=[getattr(r, name) if r.complete else None for name in LETTER_FIELDS],
                total=sum(a or 0 for a in areas) if r.complete else None,
            )
        )
    top = max((line.total or 0 for line in history_rows), default=0)
    for line in history_rows:
        line.width = round(100 * (line.total or 0) / top, 3) if top else 0.0
    recent = [line for line in history_rows if line.total is not None]
    return History(
        columns=[AreaColumn(code, name) for code, (_order, name) in ordered],
        rows=history_rows,
        recent=recent,
        areas=[
            AreaHistory(name, [row.areas[i] for row in recent]) for i, (_c, (_o, name)) in enumerate(ordered)
        ],
    )

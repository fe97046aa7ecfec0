"""Exports of the reporting cycle's figures, CSV and XLSX: Thai column headers, Buddhist Era dates, the
cycle's frozen indicator list, one province or the whole country.

    reports    one row per district: its status, submission, every frozen indicator, the letter counts
    provinces  the progress table of the national page
    analysis   workload totals per indicator by province (complete reports only)
    officers   workload per officer (districts held, complete reports, total, per district)

The files are written by workdays.exports (no formula in any cell, typed XLSX cells, the header frozen,
a filter); the reports table is a generator over the database, streamed into the file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from organisation.models import Province
from reporting.models import LETTER_FIELDS, DistrictReport, ReportingCycle, ReportValue
from reporting.selectors.analysis import analyse, frozen_indicators
from reporting.selectors.monitoring import national_rows, sort_provinces, sum_progress
from reporting.selectors.progress import Progress, ProvinceProgress, progress, status_word
from workdays.exports import Table, export_response
from workdays.templatetags.thai_dates import thai_datetime
from workdays.thai import thai_key, thai_order


def _letter_headers() -> list[str]:
    return [
        _("Letters received by the district office"),
        _("Letters sent by the district office"),
        _("Letters received by the district local office (สถอ.)"),
        _("Letters sent by the district local office (สถอ.)"),
    ]


def _yes(flag: bool) -> str:
    return _("Yes") if flag else ""


def reports_table(cycle: ReportingCycle, province: Province | None) -> Table:
    indicators = frozen_indicators(cycle)
    reports = DistrictReport.objects.filter(cycle=cycle)
    if province is not None:
        reports = reports.filter(province=province)
    values: dict[int, dict[int, int]] = {}
    for report_id, indicator_id, value in (
        ReportValue.objects.filter(
            report__cycle=cycle, **({"report__province": province} if province is not None else {})
        )
        .order_by()
        .values_list("report_id", "indicator_id", "value")
    ):
        values.setdefault(report_id, {})[indicator_id] = value
    header = [
        _("Province"),
        _("District"),
        _("District code"),
        _("Officer responsible"),
        _("Status"),
        _("Complete"),
        _("Submitted on"),
        _("Late"),
        _("Within an extension"),
        _("Deadline"),
        *[f"{i.name_th} ({i.unit})" for i in indicators],
        *_letter_headers(),
    ]
    nobody = _("Nobody responsible")

    def rows() -> Iterator[list[Any]]:
        for r in (
            reports.select_related("province", "district", "officer")
            .order_by(thai_order("province__name_th"), thai_order("district__name_th"), "district__code")
            .iterator(chunk_size=1000)
        ):
            mine = values.get(r.pk, {})
            yield [
                r.province.name_th,
                r.district.name_th,
                r.district.code,
                r.officer.full_name if r.officer else nobody,
                status_word(r.status, r.complete),
                _yes(r.complete),
                r.submitted_at,
                _yes(r.late),
                _yes(r.within_extension),
                r.due_at,
                *[mine.get(i.pk) for i in indicators],
                *[getattr(r, name) for name in LETTER_FIELDS],
            ]

    return Table(pgettext("export sheet", "Reports"), header, rows())


def _progress_cells(p: Progress) -> list[Any]:
    return [
        p.total,
        p.complete,
        p.percent_complete,
        p.submitted,
        p.draft,
        p.returned,
        p.not_started,
        p.overdue,
        p.late,
        p.within_extension,
        p.unassigned,
    ]


def provinces_table(cycle: ReportingCycle, province: Province | None) -> Table:
    header = [
        _("Province"),
        _("Number of districts"),
        pgettext("report status", "Complete"),
        _("Percent complete"),
        pgettext("report status", "Waiting for review"),
        pgettext("report status", "Draft"),
        pgettext("report status", "Returned"),
        pgettext("report status", "Not started"),
        _("Overdue"),
        _("Submitted late"),
        _("Submitted within an extension"),
        _("Nobody responsible"),
    ]
    if province is not None:
        rows: list[ProvinceProgress] = [ProvinceProgress(province, progress(cycle, province=province))]
    else:
        rows = sort_provinces(national_rows(cycle), "name")
    body = [[r.province.name_th, *_progress_cells(r.progress)] for r in rows]
    if province is None:
        body.append([_("Whole country"), *_progress_cells(sum_progress(rows))])
    return Table(_("Progress"), header, body)


def analysis_table(cycle: ReportingCycle, province: Province | None) -> Table:
    """Totals per indicator (complete reports only): a row per province and the whole country, or, for
    one province, a row per district and the province."""
    result = analyse(cycle, province=province)
    header = [
        _("Province") if province is None else _("District"),
        pgettext("export column", "Reports"),
        _("Complete reports"),
        _("Of which late"),
        *[f"{i.name_th} ({i.unit})" for i in result.indicators],
        _("Total workload"),
        _("Workload per district"),
        *_letter_headers(),
    ]
    body: list[list[Any]] = [
        [
            g.name,
            g.reports,
            g.complete,
            g.late,
            *[g.indicators.get(i.pk, 0) for i in result.indicators],
            g.total,
            round(g.average, 2),
            *g.letters,
        ]
        for g in sorted(result.groups, key=lambda g: thai_key(g.name))
    ]
    figures = {item.indicator.pk: item.figure for area in result.areas for item in area.indicators}
    body.append(
        [
            province.name_th if province is not None else _("Whole country"),
            result.reports,
            result.complete,
            result.late,
            *[figures[i.pk].total for i in result.indicators],
            result.workload.total,
            round(result.workload.average, 2),
            *result.letters.totals,
        ]
    )
    return Table(_("Analysis"), header, body)


def officers_table(cycle: ReportingCycle, province: Province | None) -> Table:
    result = analyse(cycle, province=province)
    header = [
        _("Officer"),
        _("Province"),
        _("Districts held"),
        _("Districts"),
        _("Complete reports"),
        _("Of which late"),
        _("Total workload"),
        _("Workload per district"),
    ]
    body: list[list[Any]] = [
        [
            o.officer.full_name if o.officer else _("Nobody responsible (held by the group director)"),
            o.officer.province.name_th if o.officer and o.officer.province else "",
            o.held,
            ", ".join(sorted(o.districts, key=thai_key)),
            o.complete,
            o.late,
            o.total,
            round(o.per_district, 2),
        ]
        for o in result.officers
    ]
    return Table(_("Officers"), header, body)


TABLES: dict[str, Callable[[ReportingCycle, Province | None], Table]] = {
    "reports": reports_table,
    "provinces": provinces_table,
    "analysis": analysis_table,
    "officers": officers_table,
}


def export_items() -> list[tuple[str, str]]:
    """The downloads the pages offer: (what, words)."""
    return [
        ("reports", _("Each district's report")),
        ("provinces", _("Progress by province")),
        ("analysis", _("Workload totals per indicator")),
        ("officers", _("Workload per officer")),
    ]


def filename(cycle: ReportingCycle, what: str, province: Province | None) -> str:
    label = cycle.label.replace("/", "-").replace("\\", "-").strip()
    parts = [label, what]
    if province is not None:
        parts.append(province.name_th)
    return "-".join(parts).replace(" ", "_")


def export(cycle: ReportingCycle, *, what: str, fmt: str, province: Province | None) -> HttpResponse:
    table = TABLES[what](cycle, province)
    table.title = _("%(cycle)s, as of %(when)s") % {
        "cycle": cycle.label,
        "when": thai_datetime(timezone.now()),
    }
    return export_response(table, fmt=fmt, filename=filename(cycle, what, province), date_text=thai_datetime)

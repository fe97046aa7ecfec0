"""Monitoring and analysis of the reporting cycle: the national page (central staff), a province's page
(its group director, acting deputy, provincial head, SSO admin, and central staff), a district's reports
over time, the analysis the proposal needs, the comparison between cycles, and the exports of each.

Every page looks its objects up within the user's scope: anything outside it answers 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from organisation.cached import PERSON_HELD_SECONDS, REPORTS, work_held_key
from organisation.models import District, DistrictAssignment, Province
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope
from reporting import exports
from reporting.charts import (
    area_chart,
    compare_chart,
    completion_chart,
    letters_chart,
    progress_cells,
    ranking_chart,
    table_rows,
)
from reporting.models import ReportingCycle
from reporting.selectors import analysis as analysis_selectors
from reporting.selectors.monitoring import (
    SORTS,
    cycles_for_switcher,
    district_history,
    district_rows,
    may_monitor_district,
    may_monitor_province,
    monitored_provinces,
    national_rows,
    sort_provinces,
    sum_progress,
)
from reporting.selectors.progress import Progress, ProvinceProgress, legend
from workdays.exports import FORMATS
from workdays.templatetags.thai_dates import thai_date
from workdays.thai import thai_key

COMPARE_MAX = 8  # cycles side by side: more would not read
_HOLE = 987654321  # stands for the varying pk in a reversed URL


def _urls(name: str, *args: int) -> Callable[[int], str]:
    """A URL maker for many links of one pattern (one reversal, then a string replacement each; the
    pages draw up to 150 links): `args` holds _HOLE where the varying pk goes."""
    pattern = reverse(name, args=args)
    return lambda pk: pattern.replace(str(_HOLE), str(pk))


def _switcher(
    cycles: list[ReportingCycle], url: Callable[[int], str], query: str = "", current: int | None = None
) -> SafeString:
    """The list of the other cycles (links, opening dates), built here: up to sixty items on every page."""
    if len(cycles) < 2:
        return SafeString("")
    return format_html_join(
        "\n",
        '<li>{} <span class="muted rsmall">{}</span></li>',
        (
            (
                format_html('<span aria-current="page" class="mswitch-current">{}</span>', c.label)
                if c.pk == current
                else format_html('<a href="{}">{}</a>', url(c.pk) + query, c.label),
                thai_date(c.opens_on),
            )
            for c in cycles
        ),
    )


def _scope(request: HttpRequest) -> UserScope:
    scope: UserScope = scope_of(request)
    return scope


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("legend", legend())
    context.setdefault("export_items", exports.export_items())
    return render(request, f"reporting/monitoring/{template}", context)


def _cycle(pk: int) -> ReportingCycle:
    return get_object_or_404(ReportingCycle, pk=pk)


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def _provinces_in_scope(scope: UserScope) -> list[Province]:
    allowed = monitored_provinces(scope)
    provinces = Province.objects.outside_bangkok().only("pk", "code", "name_th", "name_en")
    if allowed is not None:
        provinces = provinces.filter(pk__in=allowed)
    return sorted(provinces, key=lambda p: thai_key(p.name_th))


def _chosen_province(request: HttpRequest, scope: UserScope) -> tuple[Province | None, list[Province]]:
    """The province of ?province=<pk> (404 when outside the scope); without one, the whole country for
    central staff, a provincial role's own province (the first, when they watch several)."""
    choices = _provinces_in_scope(scope)
    if not choices:
        raise Http404
    raw = request.GET.get("province")
    if raw:
        pk = _int(raw)
        found = next((p for p in choices if p.pk == pk), None)
        if found is None:
            raise Http404
        return found, choices
    if scope.is_central:
        return None, choices
    return choices[0], choices


@login_required
@require_GET
def national(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    scope = _scope(request)
    if not scope.is_central:
        raise Http404
    cycle = _cycle(cycle_pk)
    sort = request.GET.get("sort", "progress")
    if sort not in SORTS:
        sort = "progress"
    province_url = _urls("reporting:province", cycle.pk, _HOLE)

    # The page's figures are the same for all central staff: held rendered (national.html's {% cache %}) until a
    # report, a cycle or the reference data changes; counted here only when they are rendered.
    @functools.cache
    def counted() -> tuple[list[ProvinceProgress], Progress]:
        rows = national_rows(cycle)
        return rows, sum_progress(rows)

    context: dict[str, Any] = {
        "cycle": cycle,
        # The reporting menu above them is drawn for the person's roles: they are part of the key.
        "held_key": work_held_key(str(cycle.pk), sort, ",".join(sorted(scope.roles)), covers=REPORTS),
        "held_seconds": PERSON_HELD_SECONDS,
        "cycles": SimpleLazyObject(
            lambda: _switcher(cycles_for_switcher(), _urls("reporting:national", _HOLE), current=cycle.pk)
        ),
        "progress": SimpleLazyObject(lambda: counted()[1]),
        "rows": SimpleLazyObject(lambda: table_rows(sort_provinces(counted()[0], sort), province_url)),
        "total_cells": SimpleLazyObject(lambda: progress_cells(counted()[1])),
        "sort": sort,
        "chart": SimpleLazyObject(
            lambda: ranking_chart(sort_provinces(counted()[0], "progress"), province_url)
        ),
        "districts_total": SimpleLazyObject(lambda: cycle.districts_total or counted()[1].total),
        "now": timezone.now(),
    }
    return _render(request, "national.html", context)


@login_required
@require_GET
def province(request: HttpRequest, cycle_pk: int, province_pk: int) -> HttpResponse:
    scope = _scope(request)
    place = get_object_or_404(Province, pk=province_pk)
    if not may_monitor_province(scope, place.pk):
        raise Http404
    cycle = _cycle(cycle_pk)
    now = timezone.now()
    reports = district_rows(
        cycle,
        place,
        now=now,
        district_url=_urls("reporting:district", _HOLE),
        report_url=_urls("reporting:report", _HOLE),
    )
    context = {
        "cycle": cycle,
        "cycles": _switcher(
            cycles_for_switcher(), _urls("reporting:province", _HOLE, place.pk), current=cycle.pk
        ),
        "province": place,
        "progress": reports.progress,
        "rows": reports.rows,
        "is_central": scope.is_central,
        "now": now,
    }
    return _render(request, "province.html", context)


@login_required
@require_GET
def district(request: HttpRequest, district_pk: int) -> HttpResponse:
    scope = _scope(request)
    place = get_object_or_404(District.objects.select_related("province"), pk=district_pk)
    if not may_monitor_district(scope, place):
        raise Http404
    responsible = (
        DistrictAssignment.objects.current(timezone.localdate())
        .filter(district=place)
        .select_related("officer")
        .first()
    )
    context = {
        "district": place,
        "history": district_history(place),
        "responsible": responsible.officer if responsible else None,
        "may_see_province": may_monitor_province(scope, place.province_id),
    }
    return _render(request, "district.html", context)


@login_required
@require_GET
def analysis(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    scope = _scope(request)
    chosen, choices = _chosen_province(request, scope)
    cycle = _cycle(cycle_pk)
    result = analysis_selectors.analyse(cycle, province=chosen)
    several, single = result.several, result.single
    # The whole country lists the officers holding several districts (and the districts nobody holds);
    # one province lists everyone.
    officer_rows = (
        result.officers if chosen else [o for o in result.officers if o.officer is None or o.several]
    )
    context = {
        "cycle": cycle,
        "cycles": _switcher(
            cycles_for_switcher(),
            _urls("reporting:analysis", _HOLE),
            f"?province={chosen.pk}" if chosen else "",
            current=cycle.pk,
        ),
        "province": chosen,
        "choices": choices,
        "is_central": scope.is_central,
        "a": result,
        "area_chart": area_chart(result.areas),
        "letters_chart": letters_chart(result.groups, by=result.by),
        "officer_rows": officer_rows,
        "per_district": request.GET.get("per") == "district",
        "officers_hidden": len(result.officers) - len(officer_rows),
        "several_avg": result.per_district_of(several),
        "single_avg": result.per_district_of(single),
    }
    return _render(request, "analysis.html", context)


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    chosen, choices = _chosen_province(request, scope)
    available = cycles_for_switcher()
    wanted = [pk for pk in (_int(v) for v in request.GET.getlist("cycles")) if pk is not None]
    picked = [c for c in available if c.pk in set(wanted)]
    if picked:
        picked = sorted(picked, key=lambda c: (c.opens_on, c.pk))[-COMPARE_MAX:]
    else:
        picked = analysis_selectors.default_compare_cycles()
    result = analysis_selectors.compare(picked, province=chosen)
    context = {
        "available": available,
        "picked": {c.pk for c in picked},
        "province": chosen,
        "choices": choices,
        "is_central": scope.is_central,
        "c": result,
        "compare_chart": compare_chart(result),
        "completion_chart": completion_chart(result),
        "compare_max": COMPARE_MAX,
    }
    return _render(request, "compare.html", context)


@login_required
@require_GET
def export(request: HttpRequest, cycle_pk: int, what: str, fmt: str) -> HttpResponse:
    if what not in exports.TABLES or fmt not in FORMATS:
        raise Http404
    scope = _scope(request)
    chosen, _choices = _chosen_province(request, scope)
    cycle = _cycle(cycle_pk)
    return exports.export(cycle, what=what, fmt=fmt, province=chosen)

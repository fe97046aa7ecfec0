"""The coordination monitoring pages (issue 14): the whole country (central staff), a province (its group
director and provincial head, and central staff), a bureau (its desk members, and central staff), the trends
of the last twelve months, and the exports of every table.

Every figure links to the list of the requests behind it (the lists' filters), and every page looks its
province or unit up within the user's scope (cases.selectors.monitoring.monitor_scope): outside it, 404."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.models import CoordinationRequest
from cases.selectors import monitoring as m
from cases.selectors.held import held, held_minutes
from cases.selectors.national import national_figures
from cases.selectors.requests import pool_units
from organisation.cached import made_when_drawn
from organisation.models import Province, Unit
from organisation.scope import scope_of
from organisation.selectors.roles import UserScope
from workdays.calendar import working_calendar
from workdays.exports import FORMATS, Table, export_response
from workdays.templatetags.thai_dates import thai_datetime
from workdays.thai import thai_key


def _scope(request: HttpRequest) -> tuple[UserScope, m.MonitorScope]:
    scope: UserScope = scope_of(request)
    ms = m.monitor_scope(scope)
    if ms.empty:
        raise Http404
    return scope, ms


def _english() -> bool:
    return (get_language() or "th").startswith("en")


def _period(request: HttpRequest) -> m.Period:
    found = m.parse_period(request.GET.get("period"), timezone.localdate())
    if found is None:
        raise Http404
    return found


# A row's key in a list link made once for every row (`_row_links`): digits, which no encoding changes.
_STAND_IN = "987654321"


@dataclass
class Links:
    """URLs of the request list behind each figure: the viewer's list, the page's scope, the period."""

    base: str
    scope: dict[str, Any]
    period: m.Period

    def _url(self, params: dict[str, Any]) -> str:
        return f"{self.base}?{urlencode({**self.scope, **{k: v for k, v in params.items() if v not in (None, '')}})}"

    def dates(self) -> dict[str, str]:
        return {"date_from": self.period.start.isoformat(), "date_to": self.period.end.isoformat()}

    def event(self, event: str, **extra: Any) -> str:
        return self._url({"event": event, **self.dates(), **extra})

    def open(self, **extra: Any) -> str:
        return self._url({"event": "open", **extra})

    def overdue(self, **extra: Any) -> str:
        return self._url({"event": "open", "overdue": "on", **extra})

    def age(self, key: str) -> str:
        return self._url({"age": key})

    def step(self, key: str, met: str = "", **extra: Any) -> str:
        return self._url({"step": key, "deadline": met, **self.dates(), **extra})

    def escalation(self, level: int) -> str:
        return self._url({"escalation": level, **self.dates()})


def _links(
    scope: UserScope, period: m.Period, *, province: int | None = None, unit: int | None = None
) -> Links:
    """Central staff see every request (the country's list); a provincial role their province's list; a
    bureau desk member their unit's."""

    params: dict[str, Any] = {}
    if province is not None:
        params["involving"] = province
    if unit is not None:
        params["target_unit"] = unit
    if scope.is_central:
        base = reverse("requests:all")
    elif unit is not None and unit in pool_units(scope):
        base = reverse("requests:unit")
    else:
        base = reverse("requests:province")
    return Links(base, params, period)


def _bars(items: Iterable[tuple[str, int, str]]) -> list[dict[str, Any]]:
    """Horizontal bars: (label, value, url) with the width in percent of the largest."""
    items = list(items)
    top = max((v for _l, v, _u in items), default=0)
    return [
        {"label": label, "value": value, "url": url, "width": round(100 * value / top, 2) if top else 0}
        for label, value, url in items
    ]


# What _summary gives, and the country page's charts and tables: the names its template reads.
_DRAWN = (
    *("f", "events", "open_url", "overdue_url", "step_bars", "age_bars", "shares", "escalations"),
    *("routing_url", "answer_url", "category_bars", "provinces", "province_chart", "units", "unit_chart"),
)


def _summary(figures: m.Figures, links: Links) -> dict[str, Any]:
    labels = m.event_labels()
    return {
        "f": figures,
        "events": [(e, labels[e], figures.events[e], links.event(e)) for e in m.EVENTS],
        "open_url": links.open(),
        "overdue_url": links.overdue(),
        "step_bars": _bars((label, n, links.open(status=s)) for s, label, n in figures.by_step),
        "age_bars": _bars((label, n, links.age(k)) for k, label, n in figures.by_age),
        "shares": [
            {
                "share": share,
                "met_url": links.step(share.key, "met"),
                "missed_url": links.step(share.key, "missed"),
                "done_url": links.step(share.key),
            }
            for share in figures.shares
        ],
        "escalations": [(level, n, links.escalation(level)) for level, n in figures.escalations],
        "routing_url": links.event("routed"),
        "answer_url": links.event("answered"),
        "category_bars": _bars(
            (category.name, n, links.event("sent", category=category.pk))
            for category, n in figures.categories
        ),
    }


def _sort_asked(request: HttpRequest, default: str = "sent", param: str = "sort") -> str:
    sort = request.GET.get(param, default)
    return sort if sort in m.SORTABLE else default


def _sorted(
    request: HttpRequest, rows: list[m.Row], default: str = "sent", param: str = "sort"
) -> tuple[list[m.Row], str]:
    sort = _sort_asked(request, default, param)
    return m.sort_rows(rows, sort), sort


def _picker(today: datetime.date) -> list[tuple[str, list[tuple[str, str]]]]:
    english = _english()
    return [(fy, [(p.key, p.label(english)) for p in periods]) for fy, periods in m.period_choices(today)]


def _base_context(request: HttpRequest, period: m.Period, counted_at: datetime.datetime) -> dict[str, Any]:
    return {
        "period": period,
        "period_label": period.label(_english()),
        "picker": SimpleLazyObject(lambda: _picker(timezone.localdate())),  # not when the page holds it drawn
        "now": timezone.now(),
        "counted_at": counted_at,
        "counted_every": held_minutes(),
        "sort_query": urlencode({"period": period.key}),
    }


# The figures of each page, counted once for everyone who sees the same scope and period (cases/selectors/held.py): the
# page and its downloads show the same figures, counted at the same moment.


def _province_figures(place: Province, period: m.Period) -> tuple[dict[str, Any], datetime.datetime]:
    qs = m.requests_in(m.MonitorScope(), province=place.pk)

    def build(now: datetime.datetime) -> dict[str, Any]:
        return {
            "figures": m.figures(qs, period, now=now, calendar=working_calendar()),
            "districts": m.district_rows(qs, place, period, now=now),
        }

    return held(f"province:{place.pk}:{period.key}", build)


def _unit_figures(place: Unit, period: m.Period) -> tuple[dict[str, Any], datetime.datetime]:
    qs = m.requests_in(m.MonitorScope(), unit=place.pk)

    def build(now: datetime.datetime) -> dict[str, Any]:
        return {
            "figures": m.figures(qs, period, now=now, calendar=working_calendar()),
            "people": m.unit_people(place, qs, period, now),
        }

    return held(f"unit:{place.pk}:{period.key}", build)


def _trend_figures(
    qs: QuerySet[CoordinationRequest], query: str, months: list[m.Period]
) -> tuple[list[m.Series], datetime.datetime]:
    return held(
        f"trends:{query or 'all'}:{months[-1].key}",
        lambda _now: m.trends(qs, months, calendar=working_calendar(), whole=not query),
    )


def _row_links(rows: list[m.Row], links: Links, kind: str) -> list[dict[str, Any]]:
    """Each row's figures with the list behind each. Each kind of link is made once, with a stand-in for the
    row's key that each row replaces (a hundred rows of eight links each cost a millisecond, not fifteen)."""
    key: dict[str, Any]
    target: dict[str, Any]
    if kind == "province":
        key, target = {"province": _STAND_IN}, {"target_province": _STAND_IN}
    elif kind == "district":
        key, target = {"district": _STAND_IN}, {}
    else:
        key = target = {"target_unit": _STAND_IN}
    patterns = {
        "sent": links.event("sent", **key),
        "routed": links.event("routed", **key),
        "closed": links.event("closed", **key),
        "open": links.open(**key),
        "overdue": links.overdue(**key),
        "received": links.event("routed", **target) if target else "",
        "answered": links.event("answered", **target) if target else "",
        "on_time": links.step("answer", "met", **target) if target else "",
    }
    return [
        {"row": row, **{name: url.replace(_STAND_IN, str(row.pk)) for name, url in patterns.items()}}
        for row in rows
    ]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The monitoring page of the person: the country, their province, or their unit."""
    _user_scope, ms = _scope(request)
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if ms.everything:
        return redirect(reverse("requests:monitor-national") + query)
    if ms.provinces:
        first = sorted(Province.objects.filter(pk__in=ms.provinces), key=lambda p: thai_key(p.name_th))[0]
        return redirect(reverse("requests:monitor-province", args=[first.pk]) + query)
    unit = sorted(Unit.objects.filter(pk__in=ms.units), key=lambda u: thai_key(u.name_th))[0]
    return redirect(reverse("requests:monitor-unit", args=[unit.pk]) + query)


@login_required
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    scope, ms = _scope(request)
    if not ms.everything:
        raise Http404
    period = _period(request)
    links = _links(scope, period)
    counted, counted_at = national_figures(period)
    sort, unit_sort = _sort_asked(request), _sort_asked(request, default="received", param="usort")

    def drawn() -> dict[str, Any]:
        """What the summary, charts and tables draw: made only when they are rendered, not when they are held
        (rows_key below)."""
        provinces = m.sort_rows(counted["provinces"], sort)
        units = m.sort_rows(counted["units"], unit_sort)
        return {
            **_summary(counted["figures"], links),
            "provinces": _row_links(provinces, links, "province"),
            "province_chart": _bars(
                (r.name, r.sent, r.url) for r in sorted(provinces, key=lambda r: -r.sent)
            ),
            "units": _row_links(units, links, "unit"),
            "unit_chart": _bars(
                (r.name, r.received, r.url) for r in sorted(units, key=lambda r: -r.received)
            ),
        }

    context = {
        **_base_context(request, period, counted_at),
        **made_when_drawn(drawn, _DRAWN),
        "heading": _("The whole country"),
        "sort": sort,
        "usort": unit_sort,
        # The charts and tables of the provinces and units, rendered once per sort for as long as the figures
        # are held: the same for every central staff member (a hundred rows, eight links and numbers each).
        "rows_seconds": settings.MONITORING_FIGURES_SECONDS,
        "rows_key": (
            f"{period.key}:{counted_at.timestamp()}:{links.base}:{get_language()}:{timezone.localdate().isoformat()}"
        ),
        "export_scope": "",
        "exports": [
            ("figures", _("Figures of the period")),
            ("provinces", _("Each province")),
            ("units", _("Each target unit")),
        ],
        "trends_url": reverse("requests:monitor-trends") + f"?period={period.key}",
    }
    return render(request, "requests/monitoring/national.html", context)


@login_required
@require_GET
def province(request: HttpRequest, province_pk: int) -> HttpResponse:
    scope, ms = _scope(request)
    place = get_object_or_404(Province, pk=province_pk)
    if not ms.may_see_province(place.pk):
        raise Http404
    period = _period(request)
    now = timezone.now()
    links = _links(scope, period, province=place.pk)
    counted, counted_at = _province_figures(place, period)
    districts, sort = _sorted(request, counted["districts"])
    context = {
        **_base_context(request, period, counted_at),
        **_summary(counted["figures"], links),
        "heading": place.name,
        "province": place,
        "districts": _row_links(districts, links, "district"),
        "district_chart": _bars((r.name, r.sent, "") for r in sorted(districts, key=lambda r: -r.sent)),
        "queue": m.director_queue(place, now),
        "queue_review_url": links.open(status="REVIEW", held_in=place.pk),
        "queue_target_url": links.open(status="AT_TARGET", held_in=place.pk),
        "queue_review_overdue_url": links.overdue(status="REVIEW", held_in=place.pk),
        "queue_target_overdue_url": links.overdue(status="AT_TARGET", held_in=place.pk),
        "sort": sort,
        "is_central": ms.everything,
        "choices": sorted(Province.objects.filter(pk__in=ms.provinces), key=lambda p: thai_key(p.name_th))
        if not ms.everything
        else [],
        "export_scope": f"province={place.pk}",
        "exports": [("figures", _("Figures of the period")), ("districts", _("Each district"))],
        "trends_url": reverse("requests:monitor-trends") + f"?period={period.key}&province={place.pk}",
    }
    return render(request, "requests/monitoring/province.html", context)


@login_required
@require_GET
def unit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    scope, ms = _scope(request)
    place = get_object_or_404(Unit, pk=unit_pk)
    if not ms.may_see_unit(place.pk):
        raise Http404
    period = _period(request)
    links = _links(scope, period, unit=place.pk)
    counted, counted_at = _unit_figures(place, period)
    context = {
        **_base_context(request, period, counted_at),
        **_summary(counted["figures"], links),
        "heading": place.name,
        "unit": place,
        "people": counted["people"],
        "pool_url": links.open(unclaimed="on"),
        "pool_overdue_url": links.overdue(unclaimed="on"),
        "is_central": ms.everything,
        "export_scope": f"unit={place.pk}",
        "exports": [("figures", _("Figures of the period")), ("people", _("Who claimed what"))],
        "trends_url": reverse("requests:monitor-trends") + f"?period={period.key}&unit={place.pk}",
    }
    return render(request, "requests/monitoring/unit.html", context)


@dataclass
class Chosen:
    """The requests of ?province= or ?unit= (404 outside the scope), else everything the scope allows: the
    place (None for the whole country), the words for it, the query that names it."""

    qs: QuerySet[CoordinationRequest]
    heading: str
    query: str
    province: Province | None = None
    unit: Unit | None = None


def _chosen(request: HttpRequest, ms: m.MonitorScope) -> Chosen:
    province_pk = request.GET.get("province")
    unit_pk = request.GET.get("unit")
    if province_pk:
        if not province_pk.isdigit() or not ms.may_see_province(int(province_pk)):
            raise Http404
        place = get_object_or_404(Province, pk=int(province_pk))
        return Chosen(
            m.requests_in(ms, province=place.pk), place.name, f"province={place.pk}", province=place
        )
    if unit_pk:
        if not unit_pk.isdigit() or not ms.may_see_unit(int(unit_pk)):
            raise Http404
        found = get_object_or_404(Unit, pk=int(unit_pk))
        return Chosen(m.requests_in(ms, unit=found.pk), found.name, f"unit={found.pk}", unit=found)
    if not ms.everything:
        raise Http404
    return Chosen(m.requests_in(ms), _("The whole country"), "")


@dataclass
class Column:
    label: str
    year: str  # under the first month and each January: the year (Buddhist Era, two digits)
    value: float | None
    height: float
    x: float

    @property
    def y(self) -> float:
        return round(40 - self.height, 2)


def _chart(series: m.Series, months: list[m.Period]) -> dict[str, Any]:
    top = series.top or 1
    width = 100 / len(months)
    columns = [
        Column(
            months[i].month_label(_english()),
            months[i].year_label if i == 0 or months[i].start.month == 1 else "",
            value,
            round(38 * (value or 0) / top, 2),
            round(i * width + width * 0.15, 2),
        )
        for i, value in enumerate(series.values)
    ]
    return {"series": series, "columns": columns, "bar_width": round(width * 0.7, 2)}


@login_required
@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    _user_scope, ms = _scope(request)
    chosen = _chosen(request, ms)
    qs, heading, query = chosen.qs, chosen.heading, chosen.query
    period = _period(request)
    months = m.last_twelve_months(timezone.localdate())
    series, counted_at = _trend_figures(qs, query, months)
    context = {
        **_base_context(request, period, counted_at),
        "heading": heading,
        "months": [p.short_label(_english()) for p in months],
        "month_keys": [p.key for p in months],
        "charts": [_chart(s, months) for s in series],
        "export_scope": query,
        "keep": [tuple(query.split("=", 1))] if query else [],
        "exports": [("trends", _("Month by month"))],
        "back_url": reverse("requests:monitor")
        + (f"?{query}&period={period.key}" if query else f"?period={period.key}"),
    }
    if query.startswith("province="):
        context["back_url"] = (
            reverse("requests:monitor-province", args=[int(query[9:])]) + f"?period={period.key}"
        )
    elif query.startswith("unit="):
        context["back_url"] = (
            reverse("requests:monitor-unit", args=[int(query[5:])]) + f"?period={period.key}"
        )
    return render(request, "requests/monitoring/trends.html", context)


# Exports ----------------------------------------------------------------------------------------------


def _figures_table(f: m.Figures) -> Table:
    labels = m.event_labels()
    rows: list[list[Any]] = [[_("Requests"), labels[e], f.events[e]] for e in m.EVENTS]
    rows.append([_("Open at present"), _("All"), f.open_now])
    rows.append([_("Open at present"), _("Overdue"), f.overdue_now])
    rows += [[_("Open now by step"), label, n] for _s, label, n in f.by_step]
    rows += [[_("Open now by age"), label, n] for _k, label, n in f.by_age]
    for share in f.shares:
        rows.append([_("Steps done within their deadline"), share.label, share.percent])
        rows.append([_("Steps done"), share.label, share.done])
    for name, d in ((_("Sending to routing"), f.to_routing), (_("Sending to an answer"), f.to_answer)):
        rows.append([name, _("Median working days"), d.median])
        rows.append([name, _("90th percentile working days"), d.p90])
        rows.append([name, _("Requests"), d.count])
    rows += [[_("Escalations"), _("Level %(level)s") % {"level": level}, n] for level, n in f.escalations]
    rows += [[_("Categories asked most"), c.name_th, n] for c, n in f.categories]
    return Table(_("Figures"), [_("Figure"), _("Item"), _("Value")], rows)


def _rows_table(name: str, first: str, rows: list[m.Row], target: bool) -> Table:
    header = [first, _("Sent"), _("Routed"), _("Closed"), _("Open at present"), _("Overdue now")]
    if target:
        header += [
            _("Received as target"),
            _("Answered"),
            _("Answered within the deadline (%)"),
            _("Median working days from sending to an answer"),
        ]
    body = []
    for r in rows:
        line: list[Any] = [r.name, r.sent, r.routed, r.closed, r.open, r.overdue]
        if target:
            line += [r.received, r.answered, r.on_time_percent, r.median_answer]
        body.append(line)
    return Table(name, header, body)


def _place_figures(chosen: Chosen, period: m.Period) -> tuple[dict[str, Any], datetime.datetime]:
    if chosen.province is not None:
        return _province_figures(chosen.province, period)
    if chosen.unit is not None:
        return _unit_figures(chosen.unit, period)
    return national_figures(period)


@login_required
@require_GET
def export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """Each table of the pages, as the page shows it (the same held figures, the same moment)."""
    if fmt not in FORMATS or what not in ("figures", "provinces", "units", "districts", "people", "trends"):
        raise Http404
    _user_scope, ms = _scope(request)
    period = _period(request)
    chosen = _chosen(request, ms)
    national = chosen.province is None and chosen.unit is None
    if what == "trends":
        months = m.last_twelve_months(timezone.localdate())
        series, counted_at = _trend_figures(chosen.qs, chosen.query, months)
        table = Table(
            _("Month by month"),
            [_("Figure"), *[p.label(False) for p in months]],
            [[s.label, *s.values] for s in series],
        )
    elif (
        what == "figures"
        or (what in ("provinces", "units") and national)
        or (what == "districts" and chosen.province is not None)
        or (what == "people" and chosen.unit is not None)
    ):
        counted, counted_at = _place_figures(chosen, period)
        if what == "figures":
            table = _figures_table(counted["figures"])
        elif what == "provinces":
            rows = m.sort_rows(counted["provinces"], "name")
            table = _rows_table(_("Provinces"), _("Province"), rows, target=True)
        elif what == "units":
            rows = m.sort_rows(counted["units"], "name")
            table = _rows_table(_("Target units"), _("Target unit"), rows, target=True)
        elif what == "districts":
            rows = m.sort_rows(counted["districts"], "name")
            table = _rows_table(_("Districts"), _("District"), rows, target=False)
        else:
            table = Table(
                _("People"),
                [_("Person"), _("Holding now"), _("Overdue now"), _("Answered in the period")],
                [
                    [str(p.officer) if p.officer else str(p.user_id), p.holding, p.overdue, p.answered]
                    for p in counted["people"]["people"]
                ],
            )
    else:
        raise Http404
    table.title = _("%(scope)s, %(period)s, as of %(when)s") % {
        "scope": chosen.heading,
        "period": period.label(_english()),
        "when": thai_datetime(counted_at),
    }
    name = f"coordination-{what}-{period.key}"
    return export_response(table, fmt=fmt, filename=name, date_text=thai_datetime)

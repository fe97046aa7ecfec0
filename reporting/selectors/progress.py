"""Progress of a reporting cycle: how many district reports are complete, waiting for review, in draft,
returned, not started; how many are overdue, late, submitted within an extension, without anybody
responsible.

Every figure comes from one aggregate query (COUNT ... FILTER), for the country, one province, or each
province at once (one grouped query). The five status buckets partition the reports: a complete report
counts as complete whatever its status, the others by their status."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from organisation.models import Province
from reporting.models import UNSUBMITTED_STATUSES, DistrictReport, ReportingCycle, ReportStatus

# The fills of the five status colours (SVG presentation attributes: the CSP forbids style attributes).
FILLS = {
    "grey": "#8a949f",
    "yellow": "#e8b416",
    "blue": "#2f6dbb",
    "red": "#c0392b",
    "green": "#1e7a3c",
}

# The words of the five buckets (the legend) and of a single report's status. A context keeps them apart
# from the same English words elsewhere ("Not started" of an appointment, "Approved" of a request).
BUCKET_WORDS = {
    "not_started": pgettext_lazy("report status", "Not started"),
    "draft": pgettext_lazy("report status", "Draft"),
    "submitted": pgettext_lazy("report status", "Waiting for review"),
    "returned": pgettext_lazy("report status", "Returned"),
    "complete": pgettext_lazy("report status", "Complete"),
}
STATUS_WORDS = {
    ReportStatus.NOT_STARTED: pgettext_lazy("report status", "Not started"),
    ReportStatus.DRAFT: pgettext_lazy("report status", "Draft"),
    ReportStatus.SUBMITTED: pgettext_lazy("report status", "Waiting for review"),
    ReportStatus.RETURNED: pgettext_lazy("report status", "Returned"),
    ReportStatus.APPROVED: pgettext_lazy("report status", "Approved"),
}
SUBMITTED_COMPLETE = pgettext_lazy("report status", "Submitted")


def status_word(status: str, complete: bool = False) -> str:
    """A report's status in words: a submitted report of a cycle without review is simply submitted."""
    if complete and status == ReportStatus.SUBMITTED:
        return str(SUBMITTED_COMPLETE)
    return str(STATUS_WORDS.get(ReportStatus(status), status))


def status_colour(status: str, complete: bool = False) -> str:
    if complete:
        return "green"
    return {
        ReportStatus.NOT_STARTED: "grey",
        ReportStatus.DRAFT: "yellow",
        ReportStatus.SUBMITTED: "blue",
        ReportStatus.RETURNED: "red",
        ReportStatus.APPROVED: "green",
    }[ReportStatus(status)]


@dataclass(frozen=True)
class Segment:
    """One part of the stacked bar: a status bucket with its count."""

    key: str  # not_started, draft, submitted, returned, complete
    colour: str  # grey, yellow, blue, red, green (STATUS_COLOURS)
    count: int
    percent: float  # of the total, for the bar's width
    offset: float = 0.0  # where the segment starts, in percent of the bar

    @property
    def fill(self) -> str:
        return FILLS[self.colour]

    @property
    def label(self) -> str:
        return str(BUCKET_WORDS[self.key])


@dataclass(frozen=True)
class Progress:
    total: int = 0
    complete: int = 0
    submitted: int = 0  # submitted and waiting for the group director's review
    draft: int = 0
    returned: int = 0
    not_started: int = 0
    overdue: int = 0  # not complete, not submitted, past its (possibly extended) deadline, cycle open
    late: int = 0  # first submitted after the report's own deadline (DistrictReport.late)
    within_extension: int = 0  # first submitted after the cycle's deadline, by the report's extended one
    unassigned: int = 0  # nobody responsible for the district (when the cycle opened, and none since)

    @property
    def percent_complete(self) -> float:
        return round(100 * self.complete / self.total, 1) if self.total else 0.0

    @property
    def not_complete(self) -> int:
        return self.total - self.complete

    @property
    def started(self) -> int:
        """Reports somebody has worked on (the "opened X / 878" of the national page)."""
        return self.total - self.not_started

    @property
    def segments(self) -> list[Segment]:
        """The five buckets in the order of the bar: grey, yellow, blue, red, green."""
        parts = [
            ("not_started", "grey", self.not_started),
            ("draft", "yellow", self.draft),
            ("submitted", "blue", self.submitted),
            ("returned", "red", self.returned),
            ("complete", "green", self.complete),
        ]
        segments = []
        offset = 0.0
        for key, colour, count in parts:
            percent = (100 * count / self.total) if self.total else 0.0
            segments.append(Segment(key, colour, count, percent, offset))
            offset += percent
        return segments


def legend() -> list[tuple[str, str, str, str]]:
    """The five buckets in the order of the bars: (key, colour, fill, words)."""
    order = [
        ("not_started", "grey"),
        ("draft", "yellow"),
        ("submitted", "blue"),
        ("returned", "red"),
        ("complete", "green"),
    ]
    return [(key, colour, FILLS[colour], str(BUCKET_WORDS[key])) for key, colour in order]


@dataclass(frozen=True)
class ProvinceProgress:
    province: Province
    progress: Progress = field(default_factory=Progress)


def current_cycle() -> ReportingCycle | None:
    """The cycle the pages show by default: the latest open one, else the latest opening or closed one
    (by opening date)."""
    cycle = (
        ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).order_by("-opens_on", "-pk").first()
    )
    if cycle is None:
        cycle = (
            ReportingCycle.objects.filter(
                status__in=[ReportingCycle.Status.OPENING, ReportingCycle.Status.CLOSED]
            )
            .order_by("-opens_on", "-pk")
            .first()
        )
    return cycle


def _aggregates(now: datetime.datetime) -> dict[str, Count]:
    """COUNT ... FILTER for each figure, named n_<figure>."""
    incomplete = Q(complete=False)
    return {
        "n_total": Count("pk"),
        "n_complete": Count("pk", filter=Q(complete=True)),
        "n_submitted": Count("pk", filter=incomplete & Q(status=ReportStatus.SUBMITTED)),
        "n_draft": Count("pk", filter=incomplete & Q(status=ReportStatus.DRAFT)),
        "n_returned": Count("pk", filter=incomplete & Q(status=ReportStatus.RETURNED)),
        # An approved report is complete; anything else not complete and not in a bucket above counts
        # as not started, so the five buckets always add up to the total.
        "n_not_started": Count(
            "pk",
            filter=incomplete
            & ~Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.DRAFT, ReportStatus.RETURNED]),
        ),
        "n_overdue": Count("pk", filter=incomplete & Q(status__in=UNSUBMITTED_STATUSES, due_at__lt=now)),
        "n_late": Count("pk", filter=Q(late=True)),
        "n_within_extension": Count("pk", filter=Q(within_extension=True)),
        "n_unassigned": Count("pk", filter=Q(unassigned=True)),
    }


def _progress(row: Mapping[str, Any]) -> Progress:
    # The aggregates are named n_<field>: "complete" and "late" would clash with the model's fields.
    return Progress(**{key[2:]: value or 0 for key, value in row.items() if key.startswith("n_")})


def tally(reports: Iterable[DistrictReport], *, now: datetime.datetime, closed: bool = False) -> Progress:
    """The progress of reports already loaded (the same rules as the aggregate query)."""
    counts = dict.fromkeys(
        (
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
        ),
        0,
    )
    bucket = {
        ReportStatus.SUBMITTED: "submitted",
        ReportStatus.DRAFT: "draft",
        ReportStatus.RETURNED: "returned",
    }
    for r in reports:
        counts["total"] += 1
        if r.complete:
            counts["complete"] += 1
        else:
            counts[bucket.get(r.status, "not_started")] += 1  # type: ignore[call-overload]
        counts["overdue"] += r.is_overdue(now, cycle_closed=closed)
        counts["late"] += r.late
        counts["within_extension"] += r.within_extension
        counts["unassigned"] += r.unassigned
    return Progress(**counts)


def progress_of(reports: QuerySet[DistrictReport], *, now: datetime.datetime | None = None) -> Progress:
    """The progress of any set of reports (one query)."""
    now = now or timezone.now()
    row = reports.order_by().aggregate(**_aggregates(now))
    return _progress(row)


def progress(
    cycle: ReportingCycle, *, province: Province | None = None, now: datetime.datetime | None = None
) -> Progress:
    """The progress of a cycle, for the country or one province (one aggregate query)."""
    reports = DistrictReport.objects.filter(cycle=cycle)
    if province is not None:
        reports = reports.filter(province=province)
    result = progress_of(reports, now=now)
    return replace(result, overdue=0) if cycle.is_closed else result


def province_progress(
    cycle: ReportingCycle,
    *,
    provinces: list[Province] | None = None,
    now: datetime.datetime | None = None,
) -> list[ProvinceProgress]:
    """The progress of each province of the cycle (one grouped query; `provinces`, when given, saves the
    query of the provinces themselves and limits the result to them). Ordered by the provinces' order
    (Thai name); a province without reports yet shows zeros."""
    now = now or timezone.now()
    if provinces is None:
        provinces = list(Province.objects.outside_bangkok().only("pk", "code", "name_th", "name_en"))
    rows = (
        DistrictReport.objects.filter(cycle=cycle)
        .order_by()
        .values("province_id")
        .annotate(**_aggregates(now))
    )
    if len(provinces) < 20:
        rows = rows.filter(province_id__in=[p.pk for p in provinces])
    by_province = {row["province_id"]: _progress(row) for row in rows}
    if cycle.is_closed:  # nothing is overdue once the cycle stops taking reports
        by_province = {pk: replace(p, overdue=0) for pk, p in by_province.items()}
    return [ProvinceProgress(p, by_province.get(p.pk, Progress())) for p in provinces]

"""The figures of the coordination monitoring pages (issue 14): for a period (a Thai fiscal year, a quarter
or a month), what was sent, routed, answered, accepted, reopened, closed, rejected and withdrawn; what is open
now by step and by age in working days; the share of each step done within its deadline; the median and 90th
percentile working days from sending to routing and to an answer; escalations by level; the categories asked
most; and the same per province, per target unit, per district, per person, and month by month.

Who sees what (`monitor_scope`): central staff the whole country; a group director or provincial head their
province, as requester and as target; a bureau desk member their unit's requests.

Every figure is counted in the database (conditional counts grouped by a column): a page's query count does
not grow with the rows. Working days need the service's calendar (Thai holidays, the administrators' days),
which the database does not hold: the durations are grouped by (day sent, day reached) in the database and
the groups, a few thousand at most, are turned into working days here, and the percentiles computed from
them exactly (linear interpolation, as PostgreSQL's percentile_cont), on PostgreSQL and SQLite alike.

At national scale a page's figures take a second or two to count, and every central staff member asks for the
same ones: a page's figures are counted once for everyone who sees the same scope and period, and held in the
shared cache for MONITORING_FIGURES_SECONDS (five minutes; cases/selectors/held.py). The page says when they were counted."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.translation import gettext as _

from cases.models import Category, CoordinationRequest, RequestStatus
from deadlines.models import Deadline, ScheduledAction
from organisation.models import District, Officer, Province, Role, Unit
from organisation.selectors.roles import UserScope
from workdays.calendar import BANGKOK, WorkingCalendar, fiscal_year
from workdays.templatetags.thai_dates import MONTHS_LONG_EN, MONTHS_LONG_TH, MONTHS_SHORT_EN, MONTHS_SHORT_TH
from workdays.thai import thai_key

BE = 543

# Who sees the monitoring pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorScope:
    """What a person may watch: everything (central staff), or their provinces and units."""

    everything: bool = False
    provinces: frozenset[int] = frozenset()
    units: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.provinces or self.units)

    def may_see_province(self, pk: int) -> bool:
        return self.everything or pk in self.provinces

    def may_see_unit(self, pk: int) -> bool:
        return self.everything or pk in self.units


def monitor_scope(scope: UserScope) -> MonitorScope:
    if scope.is_central:
        return MonitorScope(everything=True)
    provinces: set[int] = set()
    for role in (Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD):
        provinces |= scope.provinces_by_role.get(role, frozenset())
    return MonitorScope(
        provinces=frozenset(provinces),
        units=frozenset(scope.units_by_role.get(Role.BUREAU_DESK, frozenset())),
    )


def requests_in(
    ms: MonitorScope, *, province: int | None = None, unit: int | None = None
) -> QuerySet[CoordinationRequest]:
    """The sent requests a page counts: of one province (as requester or target), of one target unit, or
    everything the scope allows."""
    qs = CoordinationRequest.objects.exclude(status=RequestStatus.DRAFT).order_by()
    if province is not None:
        return qs.filter(Q(province_id=province) | Q(target_province_id=province))
    if unit is not None:
        return qs.filter(target_unit_id=unit)
    if ms.everything:
        return qs
    return qs.filter(
        Q(province_id__in=ms.provinces)
        | Q(target_province_id__in=ms.provinces)
        | Q(target_unit_id__in=ms.units)
    )


# Periods ----------------------------------------------------------------------------------------------


def _months(english: bool, short: bool = False) -> list[str]:
    if english:
        return MONTHS_SHORT_EN if short else MONTHS_LONG_EN
    return MONTHS_SHORT_TH if short else MONTHS_LONG_TH


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Days `start` to `end` (both included). `key`: "2569" a fiscal year, "2569-Q1" its first quarter
    (October to December 2568), "2568-10" a month (the Buddhist Era year of the calendar)."""

    key: str
    kind: str  # year, quarter, month
    start: datetime.date
    end: datetime.date

    def label(self, english: bool = False) -> str:
        if self.kind == "year":
            fy = self.key
            return f"Fiscal year {fy}" if english else f"ปีงบประมาณ {fy}"
        if self.kind == "quarter":
            fy, q = self.key.split("-Q")
            return f"Quarter {q} of fiscal year {fy}" if english else f"ไตรมาส {q} ปีงบประมาณ {fy}"
        month = _months(english)[self.start.month - 1]
        year = self.start.year + BE
        return f"{month} {year}"

    def short_label(self, english: bool = False) -> str:
        """A month's axis label: "ต.ค. 68"."""
        return f"{self.month_label(english)} {self.year_label}"

    def month_label(self, english: bool = False) -> str:
        return str(_months(english, short=True)[self.start.month - 1])

    @property
    def year_label(self) -> str:
        """The Buddhist Era year's last two digits: "69"."""
        return str(self.start.year + BE)[-2:]

    @property
    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From midnight of the first day to midnight after the last, in Bangkok."""
        return (
            datetime.datetime.combine(self.start, datetime.time(), tzinfo=BANGKOK),
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=BANGKOK),
        )


def fiscal_year_period(fy: int) -> Period:
    year = fy - BE - 1
    return Period(str(fy), "year", datetime.date(year, 10, 1), datetime.date(year + 1, 9, 30))


def quarter_period(fy: int, q: int) -> Period:
    start = _add_months(datetime.date(fy - BE - 1, 10, 1), 3 * (q - 1))
    return Period(f"{fy}-Q{q}", "quarter", start, _add_months(start, 3) - datetime.timedelta(days=1))


def month_period(day: datetime.date) -> Period:
    start = day.replace(day=1)
    return Period(
        f"{start.year + BE}-{start.month:02d}",
        "month",
        start,
        _add_months(start, 1) - datetime.timedelta(days=1),
    )


def parse_period(raw: str | None, today: datetime.date) -> Period | None:
    """The period of a key (None when the key is not one), within the years the service has run."""
    raw = (raw or "").strip()
    if not raw:
        return fiscal_year_period(fiscal_year(today))
    try:
        if raw.isdigit() and len(raw) == 4:
            fy = int(raw)
            period = fiscal_year_period(fy)
        elif len(raw) == 7 and raw[4:6] == "-Q" and raw[:4].isdigit() and raw[6] in "1234":
            period = quarter_period(int(raw[:4]), int(raw[6]))
        elif len(raw) == 7 and raw[4] == "-" and raw[:4].isdigit() and raw[5:].isdigit():
            month = int(raw[5:])
            if not 1 <= month <= 12:
                return None
            period = month_period(datetime.date(int(raw[:4]) - BE, month, 1))
        else:
            return None
    except ValueError:
        return None
    if not 2500 <= period.start.year + BE <= today.year + BE + 1:
        return None
    return period


def period_choices(today: datetime.date, years: int = 3) -> list[tuple[str, list[Period]]]:
    """The picker's groups: each fiscal year (newest first) with its quarters and months up to today."""
    current = fiscal_year(today)
    groups = []
    for fy in range(current, current - years, -1):
        year = fiscal_year_period(fy)
        items = [year]
        items += [quarter_period(fy, q) for q in range(1, 5) if quarter_period(fy, q).start <= today]
        month = year.start
        while month <= min(year.end, today):
            items.append(month_period(month))
            month = _add_months(month, 1)
        groups.append((str(fy), items))
    return groups


def last_twelve_months(today: datetime.date) -> list[Period]:
    first = _add_months(today.replace(day=1), -11)
    return [month_period(_add_months(first, i)) for i in range(12)]


# Working days and percentiles -------------------------------------------------------------------------


def weighted_percentile(pairs: Iterable[tuple[int, int]], q: float) -> float | None:
    """The q-th percentile (0 to 1) of values given as (value, how many), by linear interpolation between
    the closest ranks: what percentile_cont gives over the expanded values."""
    items = sorted((v, n) for v, n in pairs if n > 0)
    total = sum(n for _v, n in items)
    if not total:
        return None
    position = q * (total - 1)
    low_rank, frac = int(position), position - int(position)

    def at(rank: int) -> int:
        seen = 0
        for value, n in items:
            seen += n
            if rank < seen:
                return value
        return items[-1][0]

    low = at(low_rank)
    if not frac:
        return float(low)
    return low + (at(low_rank + 1) - low) * frac


@dataclass
class Duration:
    count: int = 0
    median: float | None = None
    p90: float | None = None


def _durations(
    qs: QuerySet[CoordinationRequest], since: str, until: str, calendar: WorkingCalendar
) -> dict[Any, Duration]:
    """Working days from `since` to `until` of the rows, grouped by an optional "group" annotation (None:
    all). One query: the rows grouped by (group, local day of each moment)."""
    rows = (
        qs.annotate(d0=TruncDate(since, tzinfo=BANGKOK), d1=TruncDate(until, tzinfo=BANGKOK))
        .values("group", "d0", "d1")
        .annotate(n=Count("pk"))
    )
    pairs: dict[Any, dict[int, int]] = {}
    for row in rows:
        days = calendar.working_days_between(row["d0"], row["d1"])
        bucket = pairs.setdefault(row["group"], {})
        bucket[days] = bucket.get(days, 0) + row["n"]
    return {
        group: Duration(
            count=sum(counts.values()),
            median=weighted_percentile(counts.items(), 0.5),
            p90=weighted_percentile(counts.items(), 0.9),
        )
        for group, counts in pairs.items()
    }


# The figures ------------------------------------------------------------------------------------------

EVENTS = ("sent", "routed", "answered", "accepted", "reopened", "closed", "rejected", "withdrawn")


def event_labels() -> dict[str, str]:
    return {
        "sent": _("Sent"),
        "routed": _("Routed"),
        "answered": _("Answered"),
        "accepted": _("Accepted"),
        "reopened": _("Reopened"),
        "closed": _("Closed"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
    }


def event_q(event: str, start: datetime.datetime, end: datetime.datetime) -> Q:
    """The requests that had `event` between the two moments (the list filter uses it too)."""
    if event == "sent":
        return Q(sent_at__gte=start, sent_at__lt=end)
    if event == "routed":
        return Q(routed_at__gte=start, routed_at__lt=end)
    if event == "answered":
        return Q(answered_at__gte=start, answered_at__lt=end)
    if event == "reopened":
        return Q(reopened_at__gte=start, reopened_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    if event == "accepted":
        return closed & Q(status=RequestStatus.CLOSED, closed_automatically=False)
    if event == "closed":
        return closed & Q(status=RequestStatus.CLOSED)
    if event == "rejected":
        return closed & Q(status=RequestStatus.REJECTED)
    if event == "withdrawn":
        return closed & Q(status=RequestStatus.WITHDRAWN)
    raise ValueError(event)


OPEN_STEPS = RequestStatus.open_states()


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=BANGKOK)


def _district_answer() -> Q:
    """A deadline of a district officer's answer: the answer step held in a province by someone who is not its
    group director (the handling is the director's, or a bureau's, which has no province). Read from the
    deadline's own columns: no join with the 570,000 tasks."""
    return Q(
        step="coordination.answer", unit__isnull=True, province__isnull=False, assignee_is_director=False
    )


def deadline_q(step: str, met: str, start: datetime.datetime, end: datetime.datetime) -> Q:
    """The requests with a deadline of the step closed as done between the moments: met ("met") or
    missed ("missed") or either."""
    deadlines = Deadline.objects.filter(
        case_type=_request_type(),
        case_id=OuterRef("pk"),
        step=STEP_DEADLINES[step],
        status=Deadline.Status.DONE,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    if step == "district_answer":
        deadlines = deadlines.filter(_district_answer())
    elif step == "handling":
        deadlines = deadlines.exclude(_district_answer())
    if met == "met":
        deadlines = deadlines.filter(closed_at__lte=F("due_at"))
    elif met == "missed":
        deadlines = deadlines.filter(closed_at__gt=F("due_at"))
    return Q(Exists(deadlines))


def escalation_q(level: int, start: datetime.datetime, end: datetime.datetime) -> Q:
    return Q(
        Exists(
            ScheduledAction.objects.filter(
                kind=ScheduledAction.Kind.ESCALATION,
                status=ScheduledAction.Status.FIRED,
                position=level,
                fired_at__gte=start,
                fired_at__lt=end,
                deadline__case_type=_request_type(),
                deadline__case_id=OuterRef("pk"),
            )
        )
    )


# Age of an open request, working days since it was sent: (key, lowest, highest or None).
AGES = (("0-2", 0, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21-", 21, None))


def age_labels() -> dict[str, str]:
    return {
        "0-2": _("0-2 working days"),
        "3-5": _("3-5 working days"),
        "6-10": _("6-10 working days"),
        "11-20": _("11-20 working days"),
        "21-": _("More than 20 working days"),
    }


def age_sent_range(
    key: str, today: datetime.date, calendar: WorkingCalendar
) -> tuple[datetime.date | None, datetime.date | None]:
    """The days an open request of that age was sent on (first, last; None: no bound)."""
    for name, low, high in AGES:
        if name == key:
            last = _sent_day_for_age(low, today, calendar)
            first = (
                None if high is None else _sent_day_for_age(high + 1, today, calendar) + datetime.timedelta(1)
            )
            return first, last
    raise ValueError(key)


def _sent_day_for_age(age: int, today: datetime.date, calendar: WorkingCalendar) -> datetime.date:
    """The latest day whose working days up to today are at least `age`."""
    if age == 0:
        return today
    day = today
    while calendar.working_days_between(day, today) < age:
        day -= datetime.timedelta(days=1)
    return day


# Steps whose deadlines are measured: (key, deadline step, whether the district officer's answer)
STEPS = (
    ("review", "coordination.review"),
    ("handling", "coordination.answer"),
    ("district_answer", "coordination.answer"),
    ("reply", "coordination.reply"),
    ("acceptance", "coordination.acceptance"),
)


# The list filter also takes "answer": the answer step, by the target or a district officer.
STEP_DEADLINES = {**dict(STEPS), "answer": "coordination.answer"}


def step_labels() -> dict[str, str]:
    return {
        "review": _("Group director's review"),
        "handling": _("Handling at the target"),
        "district_answer": _("District officer's answer"),
        "reply": _("Requester's reply"),
        "acceptance": _("Acceptance by the requester"),
        "answer": _("Answer at the target"),
    }


STATUS_OF_STEP = {
    "review": [RequestStatus.REVIEW],
    "handling": [RequestStatus.AT_TARGET],
    "district_answer": [RequestStatus.HANDED_ON],
    "reply": [RequestStatus.RETURNED, RequestStatus.CLARIFICATION],
    "acceptance": [RequestStatus.ANSWERED],
}


@dataclass
class StepShare:
    key: str
    label: str
    done: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.done - self.on_time

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.done, 1) if self.done else None


@dataclass
class Figures:
    period: Period
    events: dict[str, int]
    open_now: int
    overdue_now: int
    by_step: list[tuple[str, str, int]]  # (status, label, count)
    by_age: list[tuple[str, str, int]]  # (age key, label, count)
    shares: list[StepShare]
    to_routing: Duration
    to_answer: Duration
    escalations: list[tuple[int, int]]  # (level, count)
    categories: list[tuple[Category, int]]

    @property
    def age_top(self) -> int:
        return max((n for _k, _l, n in self.by_age), default=0)


def _counts(qs: QuerySet[CoordinationRequest], period: Period, now: datetime.datetime) -> dict[str, int]:
    start, end = period.moments
    open_q = Q(status__in=OPEN_STEPS)
    aggregates = {event: Count("pk", filter=event_q(event, start, end)) for event in EVENTS}
    aggregates["open_now"] = Count("pk", filter=open_q)
    aggregates["overdue_now"] = Count("pk", filter=open_q & Q(due_at__lt=now))
    return {k: v or 0 for k, v in qs.aggregate(**aggregates).items()}


def _request_type() -> ContentType:
    return ContentType.objects.get_for_model(CoordinationRequest)


def _cases(qs: QuerySet[CoordinationRequest], whole: bool) -> Q:
    """The deadlines (or their actions, through `prefix`) of the requests counted: all of them for the whole
    country (no semi-join with 100,000 requests), else those of `qs`."""
    return Q() if whole else Q(case_id__in=qs.values("pk"))


def _steps_done(
    qs: QuerySet[CoordinationRequest], start: datetime.datetime, end: datetime.datetime, whole: bool
) -> QuerySet[Deadline]:
    """The deadlines of the requests counted whose step was done between start and end."""
    return Deadline.objects.filter(
        _cases(qs, whole),
        case_type=_request_type(),
        status=Deadline.Status.DONE,
        closed_at__gte=start,
        closed_at__lt=end,
    ).order_by()


def step_shares(qs: QuerySet[CoordinationRequest], period: Period, *, whole: bool = False) -> list[StepShare]:
    """Of the steps done in the period (their deadlines closed as done), how many by their deadline."""
    start, end = period.moments
    district = _district_answer()
    rows = (
        _steps_done(qs, start, end, whole)
        .values("step")
        .annotate(
            done=Count("pk"),
            on_time=Count("pk", filter=Q(closed_at__lte=F("due_at"))),
            district_done=Count("pk", filter=district),
            district_on_time=Count("pk", filter=district & Q(closed_at__lte=F("due_at"))),
        )
    )
    labels = step_labels()
    shares = {key: StepShare(key, labels[key]) for key, _step in STEPS}
    for row in rows:
        if row["step"] == "coordination.answer":
            shares["district_answer"].done += row["district_done"]
            shares["district_answer"].on_time += row["district_on_time"]
            shares["handling"].done += row["done"] - row["district_done"]
            shares["handling"].on_time += row["on_time"] - row["district_on_time"]
        else:
            key = next((k for k, s in STEPS if s == row["step"]), None)
            if key is not None:
                shares[key].done += row["done"]
                shares[key].on_time += row["on_time"]
    return list(shares.values())


def escalations(
    qs: QuerySet[CoordinationRequest], period: Period, *, whole: bool = False
) -> list[tuple[int, int]]:
    start, end = period.moments
    cases = Q() if whole else Q(deadline__case_id__in=qs.values("pk"))
    rows = (
        ScheduledAction.objects.filter(
            cases,
            kind=ScheduledAction.Kind.ESCALATION,
            status=ScheduledAction.Status.FIRED,
            fired_at__gte=start,
            fired_at__lt=end,
            deadline__case_type=_request_type(),
        )
        .order_by()
        .values("position")
        .annotate(n=Count("pk"))
    )
    return sorted((row["position"], row["n"]) for row in rows)


def figures(
    qs: QuerySet[CoordinationRequest],
    period: Period,
    *,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    whole: bool = False,
) -> Figures:
    """The period's figures of the requests `qs` (`whole`: qs is every request of the country)."""
    start, end = period.moments
    today = now.astimezone(BANGKOK).date()
    counts = _counts(qs, period, now)
    statuses = dict(RequestStatus.choices)
    by_status = {
        row["status"]: row["n"]
        for row in qs.filter(status__in=OPEN_STEPS).values("status").annotate(n=Count("pk"))
    }
    ages = {key: 0 for key, _l, _h in AGES}
    for row in (
        qs.filter(status__in=OPEN_STEPS)
        .annotate(day=TruncDate("sent_at", tzinfo=BANGKOK))
        .values("day")
        .annotate(n=Count("pk"))
    ):
        if row["day"] is None:
            continue
        age = calendar.working_days_between(row["day"], today)
        key = next((k for k, low, high in AGES if age >= low and (high is None or age <= high)), "0-2")
        ages[key] += row["n"]
    alabels = age_labels()
    routing = _durations(
        qs.filter(event_q("routed", start, end)).annotate(group=Value(0, output_field=IntegerField())),
        "sent_at",
        "routed_at",
        calendar,
    )
    answer = _durations(
        qs.filter(event_q("answered", start, end)).annotate(group=Value(0, output_field=IntegerField())),
        "sent_at",
        "answered_at",
        calendar,
    )
    top = list(
        qs.filter(event_q("sent", start, end))
        .values("category_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "category_id")[:10]
    )
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[row["category_id"] for row in top])}
    return Figures(
        period=period,
        events={e: counts[e] for e in EVENTS},
        open_now=counts["open_now"],
        overdue_now=counts["overdue_now"],
        by_step=[(s, str(statuses[s]), by_status.get(s, 0)) for s in OPEN_STEPS],
        by_age=[(k, alabels[k], ages[k]) for k, _l, _h in AGES],
        shares=step_shares(qs, period, whole=whole),
        to_routing=next(iter(routing.values()), Duration()),
        to_answer=next(iter(answer.values()), Duration()),
        escalations=escalations(qs, period, whole=whole),
        categories=[(categories[row["category_id"]], row["n"]) for row in top],
    )


# Tables: a row per province, target unit, district, person -------------------------------------------


@dataclass
class Row:
    pk: int
    name: str
    url: str = ""
    sent: int = 0
    routed: int = 0
    received: int = 0  # routed to it (a target)
    answered: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    answered_on_time: int = 0  # answers given by the answer step's deadline (a target)
    median_answer: float | None = None

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.answered_on_time / self.answered, 1) if self.answered else None


def _grouped(
    qs: QuerySet[CoordinationRequest], column: str, period: Period, now: datetime.datetime
) -> dict[int, dict[str, int]]:
    start, end = period.moments
    open_q = Q(status__in=OPEN_STEPS)
    rows = (
        qs.exclude(**{f"{column}__isnull": True})
        .values(column)
        .annotate(
            sent=Count("pk", filter=event_q("sent", start, end)),
            routed=Count("pk", filter=event_q("routed", start, end)),
            answered=Count("pk", filter=event_q("answered", start, end)),
            closed=Count("pk", filter=event_q("closed", start, end)),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
        )
    )
    return {row.pop(column): row for row in rows}


def _answered_on_time(qs: QuerySet[CoordinationRequest], column: str, period: Period) -> dict[int, int]:
    """Per group: the requests whose answer step was done in the period by its deadline."""
    start, end = period.moments
    met = Deadline.objects.filter(
        case_type=_request_type(),
        case_id=OuterRef("pk"),
        step="coordination.answer",
        status=Deadline.Status.DONE,
        closed_at__gte=start,
        closed_at__lt=end,
        closed_at__lte=F("due_at"),
    )
    rows = qs.filter(Exists(met)).values(column).annotate(n=Count("pk"))
    return {row[column]: row["n"] for row in rows}


def _medians(
    qs: QuerySet[CoordinationRequest], column: str, period: Period, calendar: WorkingCalendar
) -> dict[int, Duration]:
    start, end = period.moments
    return _durations(
        qs.filter(event_q("answered", start, end)).annotate(group=F(column)),
        "sent_at",
        "answered_at",
        calendar,
    )


def _rows(
    objects: Sequence[Any],
    counts: dict[int, dict[str, int]],
    url: Any,
    *,
    received: dict[int, dict[str, int]] | None = None,
    on_time: dict[int, int] | None = None,
    medians: dict[int, Duration] | None = None,
    name: Any = str,
) -> list[Row]:
    rows = []
    for obj in objects:
        c = counts.get(obj.pk, {})
        row = Row(pk=obj.pk, name=name(obj), url=url(obj.pk) if url else "", **c)
        if received is not None:
            r = received.get(obj.pk, {})
            row.received = r.get("routed", 0)
            row.answered = r.get("answered", 0)
        if on_time is not None:
            row.answered_on_time = min(on_time.get(obj.pk, 0), row.answered)
        if medians is not None and obj.pk in medians:
            row.median_answer = medians[obj.pk].median
        rows.append(row)
    return rows


def province_rows(
    qs: QuerySet[CoordinationRequest],
    period: Period,
    *,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    url: Any = None,
) -> list[Row]:
    """Per province: what its districts sent (sent, routed, closed; open and overdue now), and what it
    received as a target province (received, answered, answered on time, median working days to answer)."""
    provinces = list(Province.objects.outside_bangkok().only("pk", "name_th", "name_en", "code"))
    sent = _grouped(qs, "province_id", period, now)
    received = _grouped(qs, "target_province_id", period, now)
    on_time = _answered_on_time(qs.filter(target_province__isnull=False), "target_province_id", period)
    medians = _medians(qs.filter(target_province__isnull=False), "target_province_id", period, calendar)
    return _rows(
        provinces, sent, url, received=received, on_time=on_time, medians=medians, name=lambda p: p.name
    )


def unit_rows(
    qs: QuerySet[CoordinationRequest],
    period: Period,
    *,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    url: Any = None,
    only: Iterable[int] | None = None,
) -> list[Row]:
    counts = _grouped(qs, "target_unit_id", period, now)
    ids = set(counts) if only is None else set(only)
    units = list(Unit.objects.filter(pk__in=ids).only("pk", "name_th", "name_en", "code"))
    on_time = _answered_on_time(qs.filter(target_unit__isnull=False), "target_unit_id", period)
    medians = _medians(qs.filter(target_unit__isnull=False), "target_unit_id", period, calendar)
    return _rows(units, counts, url, received=counts, on_time=on_time, medians=medians, name=lambda u: u.name)


def district_rows(
    qs: QuerySet[CoordinationRequest], province: Province, period: Period, *, now: datetime.datetime
) -> list[Row]:
    """A province's districts: what each sent, and where those stand (a row for every district)."""
    districts = list(
        District.objects.filter(province=province).only("pk", "name_th", "name_en", "province_id")
    )
    for d in districts:
        d.province = province
    counts = _grouped(qs.filter(province=province), "district_id", period, now)
    rows = _rows(districts, counts, None, name=lambda d: d.display_name)
    return rows


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    if sort in SORTABLE and sort != "name":
        return sorted(rows, key=lambda r: (-(getattr(r, sort) or 0), thai_key(r.name)))
    return sorted(rows, key=lambda r: thai_key(r.name))


SORTABLE = ("name", "sent", "routed", "received", "answered", "closed", "open", "overdue", "on_time_percent")


# A province's director's queue and a unit's pool --------------------------------------------------------


def director_queue(province: Province, now: datetime.datetime) -> dict[str, Any]:
    """What waits for the province's group director now: reviews of its districts' requests and requests
    routed to the province, by step, with the overdue and the oldest."""
    qs = CoordinationRequest.objects.filter(
        holder_province=province, status__in=[RequestStatus.REVIEW, RequestStatus.AT_TARGET]
    ).order_by()
    counts = qs.aggregate(
        review=Count("pk", filter=Q(status=RequestStatus.REVIEW)),
        review_overdue=Count("pk", filter=Q(status=RequestStatus.REVIEW, due_at__lt=now)),
        target=Count("pk", filter=Q(status=RequestStatus.AT_TARGET)),
        target_overdue=Count("pk", filter=Q(status=RequestStatus.AT_TARGET, due_at__lt=now)),
    )
    oldest = list(
        qs.select_related("category")
        .only(
            "pk", "number", "subject", "status", "due_at", "sent_at", "category__name_th", "category__name_en"
        )
        .order_by("due_at", "pk")[:10]
    )
    return {**counts, "oldest": oldest}


@dataclass
class PersonRow:
    officer: Officer | None
    user_id: int
    holding: int = 0
    overdue: int = 0
    answered: int = 0
    on_time: int = 0


def unit_people(
    unit: Unit, qs: QuerySet[CoordinationRequest], period: Period, now: datetime.datetime
) -> dict[str, Any]:
    """A bureau's pool now (waiting unclaimed) and who claimed what: per person, the requests they claimed
    and hold now and those they answered in the period."""
    start, end = period.moments
    mine = qs.filter(target_unit=unit)
    pool = mine.filter(holder__isnull=True, holder_unit=unit, status=RequestStatus.AT_TARGET).aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))
    )
    people: dict[int, PersonRow] = {}
    for row in (
        mine.filter(status=RequestStatus.AT_TARGET, holder__isnull=False)
        .values("holder_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    ):
        people[row["holder_id"]] = PersonRow(None, row["holder_id"], holding=row["n"], overdue=row["late"])
    for answered in (
        mine.filter(event_q("answered", start, end), answered_by__isnull=False)
        .values("answered_by_id")
        .annotate(n=Count("pk"))
    ):
        person = people.setdefault(answered["answered_by_id"], PersonRow(None, answered["answered_by_id"]))
        person.answered = answered["n"]
    officers = {o.user_id: o for o in Officer.objects.filter(user_id__in=list(people))}
    for person in people.values():
        person.officer = officers.get(person.user_id)
    rows = sorted(
        people.values(), key=lambda p: thai_key(p.officer.first_name_th if p.officer else str(p.user_id))
    )
    return {**pool, "people": rows}


# Trends: the figures month by month ------------------------------------------------------------------


@dataclass
class Series:
    key: str
    label: str
    values: list[float | None] = field(default_factory=list)
    unit: str = ""  # "%" or "days"

    @property
    def top(self) -> float:
        return max((v or 0 for v in self.values), default=0)


def trends(
    qs: QuerySet[CoordinationRequest], months: list[Period], *, calendar: WorkingCalendar, whole: bool = False
) -> list[Series]:
    """Per month of `months`: each event's count, the share of steps done by their deadline, the median
    working days to routing and to an answer, and the escalations. A query per figure, whatever the rows."""
    start = months[0].moments[0]
    end = months[-1].moments[1]
    index = {m.start: i for i, m in enumerate(months)}
    labels = event_labels()
    out: list[Series] = []
    # One scan of the requests for every event and month: conditional counts over the months' moments (no
    # month truncation per row: on SQLite that is a Python function called for each row and column).
    aggregates = {
        f"{event}_{i}": Count("pk", filter=event_q(event, *month.moments))
        for event in EVENTS
        for i, month in enumerate(months)
    }
    counted = qs.filter(
        Q(sent_at__gte=start, sent_at__lt=end)
        | Q(routed_at__gte=start, routed_at__lt=end)
        | Q(answered_at__gte=start, answered_at__lt=end)
        | Q(reopened_at__gte=start, reopened_at__lt=end)
        | Q(closed_at__gte=start, closed_at__lt=end)
    ).aggregate(**aggregates)
    for event in EVENTS:
        out.append(Series(event, labels[event], [counted[f"{event}_{i}"] or 0 for i in range(len(months))]))
    done = _steps_done(qs, start, end, whole).aggregate(
        **{f"done_{i}": Count("pk", filter=_within("closed_at", month)) for i, month in enumerate(months)},
        **{
            f"met_{i}": Count("pk", filter=_within("closed_at", month) & Q(closed_at__lte=F("due_at")))
            for i, month in enumerate(months)
        },
    )
    shares = [[done[f"done_{i}"] or 0, done[f"met_{i}"] or 0] for i in range(len(months))]
    out.append(
        Series(
            "on_time",
            _("Steps done within their deadline"),
            [round(100 * t / d, 1) if d else None for d, t in shares],
            "%",
        )
    )
    for key, label, until, event in (
        ("to_routing", _("Median working days from sending to routing"), "routed_at", "routed"),
        ("to_answer", _("Median working days from sending to an answer"), "answered_at", "answered"),
    ):
        durations = _durations(
            qs.filter(event_q(event, start, end)).annotate(group=TruncMonth(until, tzinfo=BANGKOK)),
            "sent_at",
            until,
            calendar,
        )
        values: list[float | None] = [None] * len(months)
        for month, duration in durations.items():
            i = _slot(index, month)
            if i is not None:
                values[i] = duration.median
        out.append(Series(key, label, values, "days"))
    fired = (
        ScheduledAction.objects.filter(
            Q() if whole else Q(deadline__case_id__in=qs.values("pk")),
            kind=ScheduledAction.Kind.ESCALATION,
            status=ScheduledAction.Status.FIRED,
            fired_at__gte=start,
            fired_at__lt=end,
            deadline__case_type=_request_type(),
        )
        .order_by()
        .aggregate(
            **{f"m{i}": Count("pk", filter=_within("fired_at", month)) for i, month in enumerate(months)}
        )
    )
    levels = [fired[f"m{i}"] or 0 for i in range(len(months))]
    out.append(Series("escalations", _("Escalations"), list(levels)))
    return out


def _within(column: str, month: Period) -> Q:
    first, after = month.moments
    return Q(**{f"{column}__gte": first, f"{column}__lt": after})


def _slot(index: dict[datetime.date, int], value: datetime.date | datetime.datetime | None) -> int | None:
    """The position of a month (a database's truncated moment) in the months shown, if shown."""
    start = _month_start(value)
    return None if start is None else index.get(start)


def _month_start(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.astimezone(BANGKOK).date() if value.tzinfo else value.date()
    return value.replace(day=1)

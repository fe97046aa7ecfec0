"""The reporting demo of `make run` (issue 5): the country filling in a cycle, and three closed cycles.

Dates come from today. The cycle in progress reports on the fiscal quarter of forty days ago (on 25
November 2026: ไตรมาส 1/2570, October to December), so that the three quarters before it have ended and
been closed. It opened twelve working days ago; its closing date was two working days ago. The day before,
central staff extended the deadline of the provinces still reporting by two weeks (the south for its
floods, the others at their request): their districts report into the coming weeks, and those that
submitted after the original deadline did so within their extension (not late). The provinces that were
nearly done were not extended: their last reports are overdue and have escalated to the director.

Each province moves at its own pace (some nearly all green, some mostly grey). The cycle in progress goes
through the services, as people would have acted (each at its moment, `now=`): drafts, submissions, returns with comments,
approvals. The closed cycles, three times 878 reports, are opened with the bulk spawn, completed in bulk
(their values, statuses and timeline) and closed with the service. Notifications of the past are marked
delivered (and read, for the closed cycles), so the first `make run` does not send thousands of e-mails.

In Chiang Mai: cm.officer1 has a report returned with comments and a draft to finish; cm.director has
reports to review; two districts have nobody responsible (flagged, held by the director).

Seeded once: a database that has the demo's cycles keeps them (a `make run` weeks later shows the cycle as
it was left, its deadlines passing like any other); `rm var/db.sqlite3 && make run` seeds a fresh demo
dated from the new today.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from deadlines.models import TimelineEntry
from deadlines.services.deadlines import due_actions_fire
from demo.organisation import DEMO_PROVINCES, demo_country_exists
from flows.task_life import outer_transaction_allowed
from notifications.models import Delivery, Notification
from organisation.models import District, Role, RoleAssignment
from reporting.models import (
    LETTER_FIELDS,
    CycleIndicator,
    DistrictReport,
    ReportingCycle,
    ReportStatus,
    ReportValue,
)
from reporting.services import cycles
from reporting.services.reports import (
    ReportInput,
    open_task,
    report_approve,
    report_return,
    report_save_draft,
    report_submit,
    reports_extend,
)
from workdays.calendar import WorkingCalendar, fiscal_year, working_calendar

# The provinces of the south, extended for their floods: mostly grey.
FLOODED = {"80", "90", "92", "93", "94", "95", "96"}
FLOOD_REASON = "สถานการณ์อุทกภัยในพื้นที่ ท้องถิ่นอำเภอต้องลงพื้นที่ช่วยเหลือผู้ประสบภัยร่วมกับ อปท."
REQUEST_REASON = "จังหวัดขอขยายเวลา เนื่องจากท้องถิ่นอำเภอติดภารกิจตรวจติดตามการเบิกจ่ายงบประมาณของ อปท."
RETURN_COMMENTS = [
    (
        "จำนวนหนังสือรับของ สถอ. ต่ำกว่าไตรมาสก่อนมาก โปรดตรวจสอบกับทะเบียนหนังสือรับอีกครั้ง",
        {"letters_received_local": "ไตรมาสก่อนรายงาน 1,2xx ฉบับ โปรดตรวจสอบ"},
    ),
    ("โปรดแยกจำนวนข้อหารือด้านกฎหมายออกจากเรื่องร้องเรียน และรายงานใหม่", {}),
    (
        "ตัวเลขหนังสือส่งของสำนักงานอำเภอรวมหนังสือของ สถอ. ไว้ด้วย โปรดแยกให้ถูกต้อง",
        {"letters_sent_office": "รวมซ้ำกับ สถอ."},
    ),
]

# Shares of the reports of a province in each state, by the province's pace.
PACES: dict[str, list[tuple[str, float]]] = {
    "done": [("approved", 0.88), ("submitted", 0.08), ("draft", 0.02), ("none", 0.02)],
    "busy": [("approved", 0.35), ("submitted", 0.2), ("returned", 0.05), ("draft", 0.2), ("none", 0.2)],
    "slow": [("approved", 0.06), ("submitted", 0.1), ("returned", 0.02), ("draft", 0.15), ("none", 0.67)],
}


@dataclass(frozen=True)
class Quarter:
    fiscal_year: int
    number: int
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"ไตรมาส {self.number}/{self.fiscal_year}"


def quarter_of(day: datetime.date) -> Quarter:
    """The quarter of the Thai fiscal year (October to September, named by the year it ends in, B.E.)."""
    number = (day.month - 10) % 12 // 3 + 1
    first_month = (10 + 3 * (number - 1) - 1) % 12 + 1
    start = datetime.date(day.year if first_month <= day.month else day.year - 1, first_month, 1)
    after = datetime.date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return Quarter(fiscal_year(start), number, start, after - datetime.timedelta(days=1))


def quarter_before(quarter: Quarter) -> Quarter:
    return quarter_of(quarter.start - datetime.timedelta(days=1))


@dataclass(frozen=True)
class ReportingDemo:
    current: ReportingCycle
    closed: list[ReportingCycle]


def demo_reporting_current() -> ReportingCycle | None:
    return (
        ReportingCycle.objects.filter(status=ReportingCycle.Status.OPEN).order_by("-opens_on", "-pk").first()
    )


def demo_quarters(today: datetime.date) -> list[Quarter]:
    """The quarters of the demo's cycles, the one in progress last."""
    quarters = [quarter_of(today - datetime.timedelta(days=40))]
    for _ in range(3):
        quarters.insert(0, quarter_before(quarters[0]))
    return quarters


def demo_reporting_seed(now: datetime.datetime | None = None) -> ReportingDemo | None:
    """Seed the cycles; None (and nothing changes) when one of them exists already, or the country has no
    people. Other cycles (made by hand on a developer's database) are left alone."""
    now = now or timezone.now()
    quarters = demo_quarters(timezone.localdate(now))
    labels = Q()
    for quarter in quarters:
        labels |= Q(fiscal_year=quarter.fiscal_year, label=quarter.label)
    if ReportingCycle.objects.filter(labels).exists() or not demo_country_exists():
        return None
    # All or nothing: a seed that failed half way is tried again next time (a single-user batch: the
    # shared task life allows acting inside its transaction).
    with outer_transaction_allowed(), transaction.atomic():
        return _seed(now, quarters)


def _seed(now: datetime.datetime, quarters: list[Quarter]) -> ReportingDemo:
    cycles.defaults_ensure()
    first_delivery = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    calendar = working_calendar()
    today = timezone.localdate(now)
    central = User.objects.get(username="central")
    *earlier, quarter = quarters
    closed = [_closed_cycle(q, central, calendar) for q in earlier]
    Notification.objects.filter(pk__gt=first_notification).update(read_at=F("created_at"))
    current = _current_cycle(quarter, central, calendar, today, now)
    due_actions_fire(now=now)  # the overdue reports escalate; the reminders of the past went out
    # Everything above happened in the past: its e-mails went out then.
    Delivery.objects.filter(pk__gt=first_delivery, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT, sent_at=F("not_before"), attempts=1
    )
    return ReportingDemo(current=current, closed=closed)


# Plausible values ------------------------------------------------------------------------------------------


def _size(district: District) -> float:
    """How busy a district is, the same in every cycle: 0.5 (a small district) to 1.5."""
    return 0.5 + (int(district.code) * 37 % 101) / 100


def _values(indicators: list[CycleIndicator], district: District, rng: random.Random) -> dict[str, int]:
    size = _size(district)
    values: dict[str, int] = {}
    for indicator in indicators:
        bound = indicator.upper_bound or 60
        share = 0.03 + (sum(map(ord, indicator.code)) % 9) / 100  # each indicator its usual level
        value = round(bound * share * size * rng.uniform(0.7, 1.3))
        values[indicator.field_name] = 0 if rng.random() < 0.08 else min(value, bound)
    received = round(420 * size * rng.uniform(0.85, 1.15))
    local = round(received * rng.uniform(0.6, 0.8))
    values["letters_received_office"] = received
    values["letters_sent_office"] = round(received * rng.uniform(0.45, 0.65))
    values["letters_received_local"] = local
    values["letters_sent_local"] = round(local * rng.uniform(0.5, 0.7))
    return values


def _typed(values: dict[str, int], revision: int, *, part: float = 1.0) -> ReportInput:
    names = list(values)[: max(1, round(len(values) * part))]
    return ReportInput(raw={name: f"{values[name]:,}" for name in names}, revision=revision)


# The cycle in progress --------------------------------------------------------------------------------------


def _pace(code: str) -> str:
    if code in FLOODED:
        return "slow"
    if code in {d.code for d in DEMO_PROVINCES}:
        return "busy"
    return ("done", "busy", "done", "slow", "busy")[int(code) * 7 % 5]


def _draw(pace: str, rng: random.Random) -> str:
    u = rng.random()
    for state, share in PACES[pace]:
        if u < share:
            return state
        u -= share
    return "none"


def _current_cycle(
    quarter: Quarter,
    central: User,
    calendar: WorkingCalendar,
    today: datetime.date,
    now: datetime.datetime,
) -> ReportingCycle:
    def day(working_days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
        moment = calendar.opening(calendar.add_working_days(today, -working_days_ago))
        return moment + datetime.timedelta(hours=hour - 8, minutes=minute - 30)

    opened = day(12, 9)
    cycle = cycles.cycle_create(
        data=cycles.CycleInput(
            fiscal_year=quarter.fiscal_year,
            label=quarter.label,
            period_start=quarter.start,
            period_end=quarter.end,
            opens_on=timezone.localdate(opened),
            closes_on=calendar.add_working_days(today, -2),
        ),
        by=central,
        now=day(14, 10),
    )
    cycles.cycle_spawn(cycle_id=cycle.pk, now=opened)
    cycle.refresh_from_db()
    indicators = list(cycle.indicators.all())
    reports = list(
        cycle.reports.select_related("cycle", "province", "district", "assignee").order_by(
            "province__code", "district__code"
        )
    )
    # What each report goes through: its state and the working day (before today) its holder acted. The
    # nearly-done provinces acted before the deadline; the others until yesterday, within the extension
    # (after the original deadline, two working days ago: within the extension, not late).
    plans: list[tuple[DistrictReport, str, int, random.Random]] = []
    for report in reports:
        rng = random.Random(f"{cycle.label}-{report.district.code}")
        pace = _pace(report.province.code)
        state = _draw(pace, rng)
        plans.append(_demo_users((report, state, rng.randint(4 if pace == "done" else 1, 10), rng)))

    def act(report: DistrictReport, state: str, when: int, rng: random.Random) -> None:
        values = _values(indicators, report.district, rng)
        moment = day(when, rng.randint(9, 15), rng.randint(0, 59))
        holder = report.assignee
        if holder is None or state == "none":
            return
        if state == "draft":
            report_save_draft(
                report=report, data=_typed(values, report.revision, part=0.6), by=holder, now=moment
            )
            return
        report = report_submit(report=report, data=_typed(values, report.revision), by=holder, now=moment)
        review = open_task(report, "review")
        reviewed = moment + datetime.timedelta(hours=rng.randint(2, 20))
        if state == "submitted" or review is None or review.owner is None or reviewed >= now:
            return
        if state == "returned":
            general, fields = RETURN_COMMENTS[rng.randrange(len(RETURN_COMMENTS))]
            report_return(report=report, by=review.owner, general=general, comments=fields, now=reviewed)
        else:
            report_approve(report=report, by=review.owner, now=reviewed)

    for report, state, when, rng in plans:
        if when > 3:  # before the extension
            act(report, state, when, rng)
    extended = day(3, 13, 30)
    until = calendar.add_working_days(today, 10)
    codes = {r.province.code for r in reports}
    asked = [c for c in codes if _pace(c) != "done" and c not in FLOODED]
    reports_extend(
        reports=cycle.reports.filter(province__code__in=FLOODED),
        until=until,
        by=central,
        reason=FLOOD_REASON,
        now=extended,
    )
    reports_extend(
        reports=cycle.reports.filter(province__code__in=asked),
        until=until,
        by=central,
        reason=REQUEST_REASON,
        now=extended,
    )
    for report, state, when, rng in plans:
        if when <= 3:  # within the extension
            fresh = DistrictReport.objects.select_related("cycle", "province", "district", "assignee")
            act(fresh.get(pk=report.pk), state, when, rng)
    cycle.refresh_from_db()
    return cycle


def _demo_users(
    plan: tuple[DistrictReport, str, int, random.Random],
) -> tuple[DistrictReport, str, int, random.Random]:
    """Chiang Mai as the demo's sign-ins need it: cm.officer1 has a report returned with comments and a
    draft to finish; the reports of officers 2 to 6 wait for cm.director's review (sent within the extension)."""
    report, _state, _when, rng = plan
    username = report.assignee.get_username() if report.assignee else ""
    if report.province.code != "50" or not username.startswith("cm.officer"):
        return plan
    number = int(username.removeprefix("cm.officer"))
    if number == 1:
        first = report.district.code == min(
            DistrictReport.objects.filter(cycle=report.cycle, assignee=report.assignee).values_list(
                "district__code", flat=True
            )
        )
        return (report, "returned", 6, rng) if first else (report, "draft", 3, rng)
    if 2 <= number <= 6:
        return report, "submitted", 1, rng
    return plan


# The closed cycles: completed in bulk ---------------------------------------------------------------------


def _closed_cycle(quarter: Quarter, central: User, calendar: WorkingCalendar) -> ReportingCycle:
    def working(day: datetime.date) -> datetime.date:
        return calendar.add_working_days(day, 0)

    opens_on = working(quarter.end - datetime.timedelta(days=30))
    closes_on = working(quarter.end + datetime.timedelta(days=10))
    closed_at = calendar.closing(working(quarter.end + datetime.timedelta(days=21)))
    opened = calendar.opening(opens_on) + datetime.timedelta(hours=1)
    cycle = cycles.cycle_create(
        data=cycles.CycleInput(
            fiscal_year=quarter.fiscal_year,
            label=quarter.label,
            period_start=quarter.start,
            period_end=quarter.end,
            opens_on=opens_on,
            closes_on=closes_on,
        ),
        by=central,
        now=opened - datetime.timedelta(days=3),
    )
    cycles.cycle_spawn(cycle_id=cycle.pk, now=opened)
    cycle.refresh_from_db()
    indicators = list(cycle.indicators.all())
    span = calendar.working_days_between(opens_on, closes_on)
    reports = list(cycle.reports.select_related("district", "province"))
    directors = {
        a.province_id: a.officer.user_id
        for a in RoleAssignment.objects.current(opens_on)
        .filter(role=Role.GROUP_DIRECTOR)
        .select_related("officer")
    }
    values: list[ReportValue] = []
    steps: list[TimelineEntry] = []
    report_type = ContentType.objects.get_for_model(DistrictReport)
    for report in reports:
        rng = random.Random(f"{cycle.label}-{report.district.code}")
        u = rng.random()
        state = "approved" if u < 0.965 else "submitted" if u < 0.975 else "draft" if u < 0.985 else "none"
        if state == "none" or report.assignee_id is None:
            continue
        # A few districts had their deadline extended by a week and reported within it (not late).
        extended = state == "approved" and rng.random() < 0.04
        sent_day = calendar.add_working_days(opens_on, rng.randint(2, span))
        if extended:
            sent_day = calendar.add_working_days(closes_on, rng.randint(1, 4))
            report.due_at = calendar.closing(calendar.add_working_days(closes_on, 5))
            report.extension_reason = REQUEST_REASON
            steps.append(
                TimelineEntry(
                    case_type=report_type,
                    case_id=report.pk,
                    kind=TimelineEntry.Kind.DEADLINE_MOVED,
                    at=cycle.due_at - datetime.timedelta(hours=3),
                    actor=central,
                    data={
                        "old_due_at": cycle.due_at.isoformat(),
                        "due_at": report.due_at.isoformat(),
                        "reason": REQUEST_REASON,
                    },
                )
            )
        submitted = calendar.opening(sent_day) + datetime.timedelta(minutes=rng.randint(30, 420))
        numbers = _values(indicators, report.district, rng)
        values += [
            ReportValue(report=report, indicator=i, value=numbers[i.field_name])
            for i in indicators
            if state != "draft" or rng.random() < 0.6
        ]
        for name in LETTER_FIELDS:
            setattr(report, name, numbers[name])
        report.status = {"approved": ReportStatus.APPROVED, "submitted": ReportStatus.SUBMITTED}.get(
            state, ReportStatus.DRAFT
        )
        report.revision = 2
        report.updated_by_id = report.assignee_id
        report.updated_at = submitted
        if state == "draft":
            continue
        report.record_first_submission(submitted)
        steps.append(
            _step(
                report_type,
                report,
                "report_submitted",
                submitted,
                report.assignee_id,
                late=report.late,
                within_extension=report.within_extension,
            )
        )
        if state == "approved":
            approved = min(
                calendar.opening(calendar.add_working_days(sent_day, rng.randint(1, 3)))
                + datetime.timedelta(minutes=rng.randint(30, 400)),
                closed_at - datetime.timedelta(hours=1),
            )
            report.complete = True
            report.approved_at = approved
            report.updated_at = approved
            steps.append(
                _step(report_type, report, "report_approved", approved, directors.get(report.province_id))
            )
    DistrictReport.objects.bulk_update(
        reports,
        [
            "status",
            "complete",
            "late",
            "within_extension",
            "due_at",
            "extension_reason",
            "submitted_at",
            "approved_at",
            "updated_at",
            "updated_by",
            "revision",
            *LETTER_FIELDS,
        ],
        batch_size=500,
    )
    ReportValue.objects.bulk_create(values, batch_size=2000)
    TimelineEntry.objects.bulk_create(steps, batch_size=2000)
    cycle.refresh_from_db()
    return cycles.cycle_close(cycle=cycle, by=central, now=closed_at)


def _step(
    report_type: ContentType,
    report: DistrictReport,
    event: str,
    at: datetime.datetime,
    actor_id: int | None,
    **data: object,
) -> TimelineEntry:
    return TimelineEntry(
        case_type=report_type,
        case_id=report.pk,
        kind=TimelineEntry.Kind.STEP,
        at=at,
        actor_id=actor_id,
        data={"event": event, **data},
    )

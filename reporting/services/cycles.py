"""Reporting cycles: created by central staff with a frozen list of indicators, opened (one report per
district outside Bangkok, in bulk, by province, with progress), closed (read-only)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from cases.models import (
    DistrictAssignment,
    Province,
    Role,
    RoleAssignment,
    TimelineEntry,
    Urgency,
)
from cases.models.geography import District
from cases.selectors.roles import acting_group_director, role_holder
from cases.services.deadlines import DeadlineSpec, deadlines_start_many
from cases.services.requests import service_now
from cases.working_days import working_calendar
from notifications.models import Kind
from notifications.services import Event, notify_many
from reporting.defaults import FILL_STEP, load_defaults
from reporting.models import CycleIndicator, DistrictReport, Indicator, ReportingCycle
from reporting.services.reports import ReportError, ReportInvalid, reports_close

logger = logging.getLogger(__name__)

BANGKOK_CODE = "10"


def defaults_ensure() -> None:
    """The default mission areas and the report steps' deadline rules (after a flush emptied them)."""
    from django.apps import apps

    from cases.services.requests import defaults_ensure as request_defaults_ensure

    request_defaults_ensure()  # the active deadline policy
    load_defaults(apps.get_model)


def reported_districts() -> QuerySet[District]:
    """The districts a cycle covers: the 878 outside Bangkok (its 50 khet have no DLA office)."""
    return District.objects.exclude(province__code=BANGKOK_CODE)


def fiscal_year_of(day: datetime.date) -> int:
    """The Thai fiscal year (B.E.), named by the year it ends in (1 Oct 2025 is in 2569)."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


@dataclass
class CycleInput:
    fiscal_year: int
    label: str
    period_start: datetime.date
    period_end: datetime.date
    opens_on: datetime.date
    closes_on: datetime.date
    review_required: bool = True


def _validate(data: CycleInput, today: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    label = data.label.strip()
    if not label:
        errors["label"] = _("Give the cycle a label, for example ไตรมาส 1/2569.")
    elif ReportingCycle.objects.filter(fiscal_year=data.fiscal_year, label=label).exists():
        errors["label"] = _("This fiscal year already has a cycle with this label.")
    if not 2500 <= data.fiscal_year <= 2700:
        errors["fiscal_year"] = _("Write the fiscal year in the Buddhist Era, for example 2569.")
    if data.period_end < data.period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if data.closes_on < data.opens_on:
        errors["closes_on"] = _("The closing date cannot be before the opening date.")
    if data.closes_on < today:
        errors["closes_on"] = _("The closing date is already past.")
    return errors


@transaction.atomic
def cycle_create(
    *, data: CycleInput, by: User | None, now: datetime.datetime | None = None
) -> ReportingCycle:
    """A new cycle with a copy of today's active mission areas and indicators: later edits to them never
    change what this cycle asks."""
    now = service_now(now)
    errors = _validate(data, timezone.localdate(now))
    if errors:
        raise ReportInvalid(errors)
    indicators = list(Indicator.objects.filter(is_active=True, area__is_active=True).select_related("area"))
    if not indicators:
        raise ReportError(_("There are no active indicators to ask: add mission areas and indicators first."))
    cycle = ReportingCycle.objects.create(
        fiscal_year=data.fiscal_year,
        label=data.label.strip(),
        period_start=data.period_start,
        period_end=data.period_end,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        review_required=data.review_required,
        due_at=working_calendar().closing(data.closes_on),
        created_by=by,
    )
    CycleIndicator.objects.bulk_create(
        CycleIndicator(
            cycle=cycle,
            indicator=i,
            area_code=i.area.code,
            area_name_th=i.area.name_th,
            area_name_en=i.area.name_en,
            area_order=i.area.order,
            code=i.code,
            name_th=i.name_th,
            name_en=i.name_en,
            unit=i.unit,
            help_text=i.help_text,
            upper_bound=i.upper_bound,
            required=i.required,
            order=i.order,
        )
        for i in indicators
    )
    from flows.reporting import ReportingCycleFlow

    process = ReportingCycleFlow.start.run(cycle=cycle)
    ReportingCycle.objects.filter(pk=cycle.pk).update(process=process)
    cycle.refresh_from_db()
    return cycle


def cycle_open_now(*, cycle: ReportingCycle, by: User) -> ReportingCycle:
    """Central staff press "open now": the spawn runs in a worker; the page follows its progress."""
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status == ReportingCycle.Status.CLOSED:
            raise ReportError(_("This cycle is closed."))
        if cycle.status == ReportingCycle.Status.SCHEDULED:
            cycle.status = ReportingCycle.Status.OPENING
            cycle.districts_total = reported_districts().count()
            cycle.save(update_fields=["status", "districts_total"])
        transaction.on_commit(lambda: _enqueue_spawn(cycle.pk))
    return cycle


def _enqueue_spawn(cycle_id: int) -> None:
    from reporting.tasks import spawn_cycle

    try:
        spawn_cycle.delay(cycle_id)
    except Exception:  # the broker is down: the periodic job picks the cycle up (status OPENING)
        logger.warning("could not enqueue the spawn of cycle %s; the periodic job will", cycle_id)


def cycles_due_to_open(today: datetime.date) -> list[int]:
    return list(
        ReportingCycle.objects.filter(
            status__in=[ReportingCycle.Status.SCHEDULED, ReportingCycle.Status.OPENING], opens_on__lte=today
        ).values_list("pk", flat=True)
    ) + list(
        ReportingCycle.objects.filter(status=ReportingCycle.Status.OPENING, opens_on__gt=today).values_list(
            "pk", flat=True
        )
    )


@dataclass
class SpawnResult:
    created: int = 0
    unassigned: int = 0


def cycle_spawn(*, cycle_id: int, now: datetime.datetime | None = None) -> SpawnResult:
    """Open the cycle: one report per district outside Bangkok, province by province (one transaction
    each, so the progress shows and a crash loses at most one province's work), each to the officer
    responsible for the district today, or to the group director when nobody is (flagged). Safe to run
    twice, even at the same time: each province runs under the cycle's row lock and skips districts that
    already have their report (and the database refuses a second report per district)."""
    now = service_now(now)
    result = SpawnResult()
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.status in (ReportingCycle.Status.OPEN, ReportingCycle.Status.CLOSED):
            return result
        cycle.status = ReportingCycle.Status.OPENING
        cycle.districts_total = reported_districts().count()
        cycle.save(update_fields=["status", "districts_total"])
    on = timezone.localdate(now)
    calendar = working_calendar()
    for province in Province.objects.exclude(code=BANGKOK_CODE).order_by("code"):
        with transaction.atomic():
            cycle = ReportingCycle.objects.select_for_update().get(pk=cycle_id)
            if cycle.status != ReportingCycle.Status.OPENING:
                return result
            made, unassigned = _spawn_province(cycle, province, on=on, now=now, calendar=calendar)
            result.created += made
            result.unassigned += unassigned
            cycle.districts_spawned = cycle.reports.count()
            cycle.save(update_fields=["districts_spawned"])
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.status != ReportingCycle.Status.OPENING:
            return result
        cycle.status = ReportingCycle.Status.OPEN
        cycle.opened_at = now
        cycle.districts_spawned = cycle.reports.count()
        cycle.save(update_fields=["status", "opened_at", "districts_spawned"])
        _run_handle(cycle, "opening")
        notify_many(
            events=[Event(_province_leaders(on), Kind.CYCLE_OPENED, _cycle_context(cycle))],
            now=now,
            calendar=calendar,
        )
    return result


def _cycle_context(cycle: ReportingCycle) -> dict[str, object]:
    return {"subject": cycle.label, "url": cycle.get_absolute_url(), "due_at": cycle.due_at.isoformat()}


def _province_leaders(on: datetime.date) -> list[User]:
    return [
        a.officer.user
        for a in RoleAssignment.objects.current(on)
        .filter(
            role__in=[Role.GROUP_DIRECTOR, Role.PROVINCIAL_HEAD, Role.CENTRAL_STAFF],
            officer__user__isnull=False,
        )
        .select_related("officer__user")
    ]


def _run_handle(cycle: ReportingCycle, node: str) -> None:
    if cycle.process_id is None:
        return
    task = Task.objects.filter(process_id=cycle.process_id, status=STATUS.NEW).order_by("-pk").first()
    if task is not None and task.flow_task.name == node:
        from flows.reporting import ReportingCycleFlow

        getattr(ReportingCycleFlow, node).run(task)


def _spawn_province(
    cycle: ReportingCycle, province: Province, *, on: datetime.date, now: datetime.datetime, calendar: object
) -> tuple[int, int]:
    from flows.reporting import DistrictReportFlow

    done = set(cycle.reports.filter(province=province).values_list("district_id", flat=True))
    districts = [d for d in District.objects.filter(province=province).order_by("code") if d.pk not in done]
    if not districts:
        return 0, 0
    responsible = {
        a.district_id: a.officer
        for a in DistrictAssignment.objects.current(on)
        .filter(district__in=districts, officer__is_active=True, officer__user__is_active=True)
        .select_related("officer__user")
    }
    director = acting_group_director(province=province, on=on) or role_holder(
        province=province, role=Role.PROVINCIAL_HEAD, on=on
    )
    director_user = director.user if director is not None and director.is_active else None
    reports = DistrictReport.objects.bulk_create(
        DistrictReport(
            cycle=cycle,
            district=d,
            province=province,
            officer=responsible.get(d.pk),
            unassigned=d.pk not in responsible,
            assignee=responsible[d.pk].user if d.pk in responsible else director_user,
            due_at=cycle.due_at,
        )
        for d in districts
    )
    # The rows DistrictReportFlow.start.run(report=...) writes, for all districts at once.
    report_type = ContentType.objects.get_for_model(DistrictReport)
    processes = Process.objects.bulk_create(
        Process(
            flow_class=DistrictReportFlow,
            status=PROCESS.NEW,
            created=now,
            data={"report": r.pk},
            artifact_content_type=report_type,
            artifact_object_id=r.pk,
        )
        for r in reports
    )
    starts = Task.objects.bulk_create(
        Task(
            process=p,
            flow_task=DistrictReportFlow.start,
            flow_task_type=DistrictReportFlow.start.task_type,
            status=STATUS.DONE,
            created=now,
            started=now,
            finished=now,
            token=Token("start"),
        )
        for p in processes
    )
    fills = Task.objects.bulk_create(
        Task(
            process=p,
            flow_task=DistrictReportFlow.fill,
            flow_task_type=DistrictReportFlow.fill.task_type,
            status=STATUS.ASSIGNED if r.assignee_id else STATUS.NEW,
            created=now,
            assigned=now if r.assignee_id else None,
            owner_id=r.assignee_id,
            token=Token("start"),
        )
        for p, r in zip(processes, reports, strict=True)
    )
    Task.previous.through.objects.bulk_create(
        Task.previous.through(from_task_id=fill.pk, to_task_id=start.pk)
        for fill, start in zip(fills, starts, strict=True)
    )
    for report, process in zip(reports, processes, strict=True):
        report.process = process
    DistrictReport.objects.bulk_update(reports, ["process"])
    deadlines_start_many(
        specs=[
            DeadlineSpec(
                task=fill,
                case=report,
                assignee=report.assignee,
                province=province,
                assignee_is_director=report.unassigned,
            )
            for fill, report in zip(fills, reports, strict=True)
        ],
        step=FILL_STEP,
        urgency=Urgency.NORMAL,
        due_at=cycle.due_at,
        now=now,
        calendar=calendar,  # type: ignore[arg-type]
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            case_type=report_type,
            case_id=r.pk,
            kind=TimelineEntry.Kind.STEP,
            at=now,
            data={
                "event": "report_unassigned" if r.unassigned else "report_opened",
                "to": str(r.officer) if r.officer else (str(director) if director else ""),
            },
        )
        for r in reports
    )
    notify_many(
        events=[
            Event(
                [r.assignee] if r.assignee else [],
                Kind.TASK_ASSIGNED,
                {
                    "subject": f"{cycle.label} · {r.district.name_th}",
                    "url": r.get_absolute_url(),
                    "due_at": cycle.due_at.isoformat(),
                },
            )
            for r in reports
        ],
        now=now,
        calendar=calendar,  # type: ignore[arg-type]
    )
    return len(reports), sum(1 for r in reports if r.unassigned)


def cycle_close(*, cycle: ReportingCycle, by: User, now: datetime.datetime | None = None) -> ReportingCycle:
    """Close the cycle: read-only from now on; reports not complete stay as they are (and count as not
    complete in every figure); reminders and escalations still pending are cancelled."""
    now = service_now(now)
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status == ReportingCycle.Status.CLOSED:
            return cycle  # a second click
        if cycle.status != ReportingCycle.Status.OPEN:
            raise ReportError(_("Only an open cycle can be closed."))
        cycle.status = ReportingCycle.Status.CLOSED
        cycle.closed_at = now
        cycle.closed_by = by
        cycle.save(update_fields=["status", "closed_at", "closed_by"])
        reports_close(cycle=cycle, now=now)
        _run_handle(cycle, "collecting")
        on = timezone.localdate(now)
        recipients = _province_leaders(on) + [
            r.assignee
            for r in cycle.reports.filter(complete=False).exclude(assignee=None).select_related("assignee")
            if r.assignee
        ]
        notify_many(events=[Event(recipients, Kind.CYCLE_CLOSED, _cycle_context(cycle))], now=now)
    return cycle

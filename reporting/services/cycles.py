"""Reporting cycles: created by central staff with a frozen list of indicators, opened (one report per
district outside Bangkok, in bulk, by province, with progress), closed (read-only)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from deadlines.services.deadlines import default_policy_ensure
from flows.reporting import ReportingCycleFlow
from notifications import webhooks
from notifications.models import Kind, WebhookEventKind
from notifications.services import Event, action_by, case_context, notify_many
from organisation.models import Province, Role, RoleAssignment
from organisation.models.geography import District
from reporting import tasks
from reporting.defaults import load_defaults
from reporting.models import CycleIndicator, Indicator, ReportingCycle
from reporting.services.reports import ReportError, ReportInvalid, reports_close
from reporting.services.spawn import SpawnPlan, plan_load, spawn_province
from workdays.calendar import WorkingCalendar, working_calendar
from workdays.forms import one_line

logger = logging.getLogger(__name__)


def defaults_ensure() -> None:
    """The default mission areas and the report steps' deadline rules (after a flush emptied them)."""
    default_policy_ensure()
    load_defaults(apps.get_model)


def reported_districts() -> QuerySet[District]:
    """The districts a cycle covers: the 878 outside Bangkok (its 50 khet have no DLA office)."""
    return District.objects.outside_bangkok()


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
    label = data.label = one_line(data.label)
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
    now = now or timezone.now()
    errors = _validate(data, timezone.localdate(now))
    if errors:
        raise ReportInvalid(errors)
    indicators = list(Indicator.objects.filter(is_active=True, area__is_active=True).select_related("area"))
    if not indicators:
        raise ReportError(_("There are no active indicators to ask: add mission areas and indicators first."))
    cycle = ReportingCycle.objects.create(
        fiscal_year=data.fiscal_year,
        label=data.label,
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
            unit_en=i.unit_en,
            help_text=i.help_text,
            help_text_en=i.help_text_en,
            upper_bound=i.upper_bound,
            required=i.required,
            order=i.order,
        )
        for i in indicators
    )
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

    try:
        tasks.spawn_cycle.delay(cycle_id)
    except Exception:  # the broker is down: the periodic job picks the cycle up (status OPENING)
        logger.warning("could not enqueue the spawn of cycle %s; the periodic job will", cycle_id)


def cycles_due_to_open(today: datetime.date) -> list[int]:
    """Cycles whose opening date has come, and openings left half done (a worker died, a message was lost)."""
    return list(
        ReportingCycle.objects.filter(
            Q(status=ReportingCycle.Status.SCHEDULED, opens_on__lte=today)
            | Q(status=ReportingCycle.Status.OPENING)
        )
        .order_by("opens_on", "pk")
        .values_list("pk", flat=True)
    )


def cycles_open_due(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: open what `cycles_due_to_open` finds. A cycle whose opening fails is logged and
    tried again at the next run; the others go on. Returns the number of cycles it ran the opening for."""
    now = now or timezone.now()
    done = 0
    for cycle_id in cycles_due_to_open(timezone.localdate(now)):
        try:
            cycle_spawn(cycle_id=cycle_id, now=now)
        except Exception:
            logger.exception("the opening of reporting cycle %s failed; the next run tries again", cycle_id)
            continue
        done += 1
    return done


@dataclass
class SpawnResult:
    created: int = 0
    unassigned: int = 0


def cycle_spawn(*, cycle_id: int, now: datetime.datetime | None = None) -> SpawnResult:
    """Open the cycle: one report per district outside Bangkok, province by province (one transaction
    each, so the progress shows and a crash loses at most one province's work), each to the officer
    responsible for the district today, or to the group director when nobody is (flagged). Safe to run
    twice, even at the same time: each province runs under the cycle's row lock and skips districts that
    already have their report (and the database refuses a second report per district).

    Who is responsible for each district and each province's director are read once; each province then
    costs the same few bulk queries whatever its number of districts (reporting/services/spawn.py)."""
    now = now or timezone.now()
    result = SpawnResult()
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.status in (ReportingCycle.Status.OPEN, ReportingCycle.Status.CLOSED):
            return result
        cycle.status = ReportingCycle.Status.OPENING
        cycle.districts_total = reported_districts().count()
        cycle.districts_spawned = cycle.reports.count()  # what a run that died left, exactly
        cycle.save(update_fields=["status", "districts_total", "districts_spawned"])
    on = timezone.localdate(now)
    calendar = working_calendar()
    provinces = list(Province.objects.outside_bangkok().order_by("code"))
    plan = plan_load(cycle=cycle, on=on, now=now, calendar=calendar, provinces=provinces)
    for province in provinces:
        with transaction.atomic():
            made = spawn_province(plan, province)  # under the cycle's lock; and the progress
        if made is None:
            return result  # closed meanwhile, or opened by another run
        result.created += made[0]
        result.unassigned += made[1]
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
        webhooks.emit(
            kind=WebhookEventKind.CYCLE_OPENED,
            province=None,
            data=webhooks.object_data(cycle, label=cycle.label),
            now=now,
        )
    return result


def _cycle_context(cycle: ReportingCycle) -> dict[str, object]:
    return case_context(cycle, due_at=cycle.due_at.isoformat())


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
        getattr(ReportingCycleFlow, node).run(task)


def _spawn_province(
    cycle: ReportingCycle,
    province: Province,
    *,
    on: datetime.date,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    plan: SpawnPlan | None = None,
) -> tuple[int, int]:
    """One province's reports (the caller holds the transaction and the cycle's lock); `plan` is read for
    this province alone when not given (tests that open a few provinces)."""
    plan = plan or plan_load(cycle=cycle, on=on, now=now, calendar=calendar, provinces=[province])
    return spawn_province(plan, province) or (0, 0)


def cycle_close(*, cycle: ReportingCycle, by: User, now: datetime.datetime | None = None) -> ReportingCycle:
    """Close the cycle: read-only from now on; reports not complete stay as they are (and count as not
    complete in every figure); reminders and escalations still pending are cancelled."""
    now = now or timezone.now()
    with transaction.atomic(), action_by(by):
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
        webhooks.emit(
            kind=WebhookEventKind.CYCLE_CLOSED,
            province=None,
            data=webhooks.object_data(cycle, label=cycle.label),
            now=now,
        )
    return cycle

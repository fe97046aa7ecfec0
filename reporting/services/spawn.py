"""Opening a cycle at scale: each district's report with its viewflow process and tasks, its deadline with
the reminders and escalations, its timeline and the holder's notification, one province at a time in plain
ORM bulk writes: the same number of queries for a province of 3 districts as for one of 32.

The rows are those `DistrictReportFlow.start.run(report=...)` writes (viewflow writes the process and its
start and fill tasks; the fill task's onCreate, `fill_opened`, links the report, writes the first line of
its timeline, starts the deadline and tells the holder): tests/reporting/test_spawn.py compares them field
by field. The processes and tasks are written with viewflow's models and their public fields; the fill
tasks are then opened as a batch by the deadline engine (`deadlines_open_many`) and the outbox
(`notify_many`), which the one-task open goes through too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from deadlines.models import DeadlinePolicy, TimelineEntry, Urgency
from deadlines.services.deadlines import DeadlineOpening, active_policy, deadlines_open_many
from flows.reporting import DistrictReportFlow
from notifications.models import Kind
from notifications.services import Event, notify_many
from organisation.models import ActingDeputy, Officer, Province, Role, RoleAssignment
from organisation.models.geography import District
from organisation.selectors.roles import district_responsible
from reporting.defaults import FILL_STEP
from reporting.models import DistrictReport, ReportingCycle
from reporting.services.reports import report_opened_entry
from workdays.calendar import WorkingCalendar


@dataclass
class SpawnPlan:
    """What an opening reads once: the districts, who holds each one's report, each province's director,
    the deadline policy."""

    cycle: ReportingCycle
    on: datetime.date
    now: datetime.datetime
    calendar: WorkingCalendar
    policy: DeadlinePolicy
    districts: dict[int, list[District]]  # province id → its districts, by code
    responsible: dict[int, Officer]  # district id → the officer responsible on the opening date
    director: dict[int, Officer]  # province id → acting group director, else director, else head

    def director_user(self, province_id: int) -> User | None:
        officer = self.director.get(province_id)
        return officer.user if officer is not None and officer.is_active and officer.user else None


def plan_load(
    *,
    cycle: ReportingCycle,
    on: datetime.date,
    now: datetime.datetime,
    calendar: WorkingCalendar,
    provinces: Iterable[Province],
) -> SpawnPlan:
    province_ids = [p.pk for p in provinces]
    districts: dict[int, list[District]] = defaultdict(list)
    for district in District.objects.filter(province__in=province_ids).order_by("code"):
        districts[district.province_id].append(district)
    responsible = district_responsible(on=on, provinces=province_ids)
    # As acting_group_director, else role_holder(PROVINCIAL_HEAD): the latest appointment of each.
    director: dict[int, Officer] = {}
    for role in (Role.PROVINCIAL_HEAD, Role.GROUP_DIRECTOR):  # the director before the head
        for a in (
            RoleAssignment.objects.current(on)
            .filter(province__in=province_ids, role=role)
            .select_related("officer__user")
            .order_by("start_date", "pk")
        ):
            director[a.province_id] = a.officer
    for deputy in (
        ActingDeputy.objects.current(on)
        .filter(province__in=province_ids)
        .select_related("deputy__user")
        .order_by("start_date", "pk")
    ):
        director[deputy.province_id] = deputy.deputy
    return SpawnPlan(
        cycle=cycle,
        on=on,
        now=now,
        calendar=calendar,
        policy=active_policy(),
        districts=districts,
        responsible=responsible,
        director=director,
    )


def spawn_province(plan: SpawnPlan, province: Province) -> tuple[int, int] | None:
    """The reports of the province's districts that have none yet, with everything that goes with them, in
    the caller's transaction: (created, unassigned). The cycle's row is locked first (a second opening
    running at the same time waits, then finds the reports written); when the cycle is no longer opening
    (closed meanwhile, or opened by another run) nothing is written and None is returned."""
    cycle = plan.cycle
    status = ReportingCycle.objects.select_for_update().values_list("status", flat=True).get(pk=cycle.pk)
    if status != ReportingCycle.Status.OPENING:
        return None
    done = set(
        DistrictReport.objects.filter(cycle=cycle, province=province).values_list("district", flat=True)
    )
    director_user = plan.director_user(province.pk)
    reports = []
    for district in plan.districts.get(province.pk, []):
        if district.pk in done:
            continue
        officer = plan.responsible.get(district.pk)
        reports.append(
            DistrictReport(
                cycle=cycle,
                district=district,
                province=province,
                officer=officer,
                unassigned=officer is None,
                assignee=officer.user if officer is not None else director_user,
                due_at=cycle.due_at,
            )
        )
    if not reports:
        return 0, 0
    DistrictReport.objects.bulk_create(reports)
    reports_open(reports=reports, now=plan.now, calendar=plan.calendar, policy=plan.policy)
    ReportingCycle.objects.filter(pk=cycle.pk).update(districts_spawned=F("districts_spawned") + len(reports))
    return len(reports), sum(1 for r in reports if r.unassigned)


def reports_open(
    *,
    reports: Sequence[DistrictReport],
    now: datetime.datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
) -> None:
    """Start the process of each new report (saved, with its cycle, province and district at hand) as
    `DistrictReportFlow.start.run(report=...)` does, in bulk: the process, its start task (done) and its
    fill task with the holder, then the fill tasks opened as `fill_opened` opens one."""
    start, fill = DistrictReportFlow.start, DistrictReportFlow.fill
    processes = Process.objects.bulk_create(
        Process(
            flow_class=DistrictReportFlow,
            status=PROCESS.NEW,
            created=now,
            data={"report": report.pk},
            artifact=report,
        )
        for report in reports
    )
    starts = [
        Task(
            process=process,
            flow_task=start,
            flow_task_type=start.task_type,
            status=STATUS.DONE,
            created=now,
            started=now,
            finished=now,
        )
        for process in processes
    ]
    # viewflow leaves the "assigned" moment empty when it assigns a task as it creates it.
    fills = [
        Task(
            process=process,
            flow_task=fill,
            flow_task_type=fill.task_type,
            status=STATUS.ASSIGNED if report.assignee else STATUS.NEW,
            owner=report.assignee,
            created=now,
        )
        for report, process in zip(reports, processes, strict=True)
    ]
    Task.objects.bulk_create([*starts, *fills])
    Task.previous.through.objects.bulk_create(
        Task.previous.through(from_task=f, to_task=s) for s, f in zip(starts, fills, strict=True)
    )
    for report, process in zip(reports, processes, strict=True):
        report.process = process
    DistrictReport.objects.bulk_update(reports, ["process"])
    TimelineEntry.objects.bulk_create(
        report_opened_entry(report=report, holder=report.assignee, now=now) for report in reports
    )
    deadlines = deadlines_open_many(
        openings=[
            DeadlineOpening(
                task=task,
                case=report,
                step=FILL_STEP,
                urgency=Urgency.NORMAL,
                assignee=task.owner,
                province=report.province,
                assignee_is_director=report.unassigned,
                due_at=report.due_at if report.due_at > now else None,
            )
            for report, task in zip(reports, fills, strict=True)
        ],
        now=now,
        policy=policy,
        calendar=calendar,
    )
    notify_many(
        events=[
            Event(
                [task.owner] if task.owner else [],
                Kind.TASK_ASSIGNED,
                {
                    "subject": str(report),
                    "url": report.get_absolute_url(),
                    "due_at": deadline.due_at.isoformat(),
                },
            )
            for report, task, deadline in zip(reports, fills, deadlines, strict=True)
        ],
        now=now,
        calendar=calendar,
    )

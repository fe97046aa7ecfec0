"""Opening a cycle over the 878 districts (`cycle_spawn`, reporting/services/spawn.py): each report to the
officer responsible on the opening date, the others to the director and flagged; safe to run twice (and
twice at once on PostgreSQL); the deadline, reminders, escalations, timeline and notifications of every
report; the rows of the bulk path equal to those `DistrictReportFlow.start.run()` writes; the progress;
the periodic job opening a scheduled cycle on its opening date."""

from __future__ import annotations

import datetime
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from deadlines.models import Deadline, ScheduledAction, TimelineEntry
from deadlines.timeline_text import describe
from flows.reporting import DistrictReportFlow
from notifications.models import Channel, Delivery, Kind, Notification, Preference
from organisation.models import ActingDeputy, District, DistrictAssignment, Province, Role
from reporting.defaults import FILL_STEP
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services import cycles
from reporting.services.reports import (
    open_task,
    report_approve,
    report_return,
    report_submit,
)
from reporting.tasks import open_due_cycles
from tests.coordination import Org
from tests.factories import OfficerFactory, give_role
from tests.reporting.conftest import DUE, full_input, report_of
from workdays.calendar import BANGKOK, working_calendar

DISTRICTS = 878
# Reports with someone to hold them: 5 officers' districts, and those nobody holds in the provinces with a
# director or a head (Chiang Mai 23, Khon Kaen 24, Lamphun 7, Phuket 3); the other provinces have nobody.
HELD = 62
SINCE = datetime.date(2025, 10, 1)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 6) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BANGKOK)


@dataclass
class Country:
    """People across provinces beyond the two of `org`: Khon Kaen with a director, a head and three
    officers (one holding two districts, one whose assignment ended before the opening, one starting after
    it), an acting deputy in Lamphun on the opening date, Phuket with only a provincial head, Krabi with
    nobody at all."""

    khon_kaen: Province
    kk_director: User
    kk_head: User
    kk_two: User  # responsible for two districts
    kk_districts: list[District]  # [two's first, two's second, ended, starts later]
    lp_deputy: User
    pk_head: User
    krabi: Province


def person(username: str, province: Province, role: Role) -> User:
    officer = OfficerFactory(user__username=username, province=province)
    give_role(officer, role, province=province, start_date=SINCE)
    return officer.user


@pytest.fixture
def country(org: Org) -> Country:
    kk = Province.objects.get(code="40")
    kk_districts = list(District.objects.filter(province=kk).order_by("code")[:4])
    director = person("t.kk_director", kk, Role.GROUP_DIRECTOR)
    head = person("t.kk_head", kk, Role.PROVINCIAL_HEAD)
    two = person("t.kk_two", kk, Role.DISTRICT_OFFICER)
    gone = person("t.kk_gone", kk, Role.DISTRICT_OFFICER)
    later = person("t.kk_later", kk, Role.DISTRICT_OFFICER)
    for district in kk_districts[:2]:
        DistrictAssignment.objects.create(district=district, officer=two.officer, start_date=SINCE)
    DistrictAssignment.objects.create(
        district=kk_districts[2], officer=gone.officer, start_date=SINCE, end_date=datetime.date(2026, 6, 5)
    )
    DistrictAssignment.objects.create(
        district=kk_districts[3], officer=later.officer, start_date=datetime.date(2026, 6, 9)
    )
    deputy = person("t.lp_deputy", org.lamphun, Role.DISTRICT_OFFICER)
    ActingDeputy.objects.create(
        province=org.lamphun,
        deputy=deputy.officer,
        start_date=datetime.date(2026, 6, 1),
        end_date=datetime.date(2026, 6, 12),
    )
    phuket = Province.objects.get(code="83")
    return Country(
        khon_kaen=kk,
        kk_director=director,
        kk_head=head,
        kk_two=two,
        kk_districts=kk_districts,
        lp_deputy=deputy,
        pk_head=person("t.pk_head", phuket, Role.PROVINCIAL_HEAD),
        krabi=Province.objects.get(code="81"),
    )


@pytest.fixture
def opened(org: Org, country: Country, new_cycle: Callable[..., ReportingCycle]) -> ReportingCycle:
    cycle = new_cycle()
    result = cycles.cycle_spawn(cycle_id=cycle.pk)
    assert (result.created, result.unassigned) == (DISTRICTS, DISTRICTS - 5)
    cycle.refresh_from_db()
    return cycle


# Who gets which report


def test_every_district_outside_bangkok_gets_one_report_and_the_cycle_opens(opened):
    assert opened.status == ReportingCycle.Status.OPEN and opened.opened_at == at(8)
    assert (opened.districts_total, opened.districts_spawned) == (DISTRICTS, DISTRICTS)
    assert opened.reports.count() == DISTRICTS
    assert not opened.reports.filter(province__code="10").exists()
    assert opened.reports.values("district").distinct().count() == DISTRICTS
    assert opened.reports.filter(process=None).count() == 0


def test_each_report_goes_to_the_officer_responsible_on_the_opening_date(org, country, opened):
    def holder(district: District) -> tuple[Any, Any, bool]:
        report = report_of(opened, district)
        return report.assignee, report.officer, report.unassigned

    assert holder(org.district) == (org.officer, org.officer.officer, False)
    assert holder(org.other_district) == (org.neighbour, org.neighbour.officer, False)
    assert holder(org.lamphun_district) == (org.lp_officer, org.lp_officer.officer, False)
    first, second, ended, later = country.kk_districts
    two = country.kk_two
    assert holder(first) == holder(second) == (two, two.officer, False)  # one officer, two reports
    # Nobody responsible on 8 June: the assignment ended on 5 June, the next starts on 9 June.
    assert holder(ended) == holder(later) == (country.kk_director, None, True)
    assert opened.reports.filter(unassigned=False).count() == 5
    assert opened.reports.filter(unassigned=True, officer__isnull=False).count() == 0


def test_a_district_nobody_holds_goes_to_the_acting_deputy_else_the_director_else_the_head(
    org, country, opened
):
    unassigned = opened.reports.filter(unassigned=True)
    by_province = {
        code: set(unassigned.filter(province__code=code).values_list("assignee", flat=True))
        for code in ("50", "51", "40", "83", "81")
    }
    assert by_province == {
        "50": {org.director.pk},
        "51": {country.lp_deputy.pk},  # acting for the director from 1 to 12 June
        "40": {country.kk_director.pk},
        "83": {country.pk_head.pk},  # no director: the provincial head
        "81": {None},  # nobody at all: the report waits, flagged, for whoever is appointed
    }
    fill = open_task(report_of(opened, District.objects.filter(province=country.krabi).first()), "fill")
    assert fill is not None and (fill.status, fill.owner) == (STATUS.NEW, None)
    report = unassigned.filter(province=org.chiang_mai).first()
    entry = TimelineEntry.objects.get(
        case_type=ContentType.objects.get_for_model(DistrictReport), case_id=report.pk, kind="STEP"
    )
    assert entry.data == {"event": "report_unassigned", "to": str(org.director.officer)}
    assert "อำเภอนี้ไม่มีผู้รับผิดชอบ" in describe(entry)
    mine = TimelineEntry.objects.get(
        case_type=ContentType.objects.get_for_model(DistrictReport),
        case_id=report_of(opened, org.district).pk,
        kind="STEP",
    )
    assert mine.data == {"event": "report_opened", "to": str(org.officer.officer)}


def test_an_inactive_officer_is_not_given_a_report(org, country, new_cycle):
    org.neighbour.is_active = False
    org.neighbour.save()
    cycle = new_cycle()
    cycles.cycle_spawn(cycle_id=cycle.pk)
    report = report_of(cycle, org.other_district)
    assert (report.assignee, report.officer, report.unassigned) == (org.director, None, True)


# Safe to run twice


def test_running_the_spawn_twice_gives_no_district_a_second_report(opened):
    again = cycles.cycle_spawn(cycle_id=opened.pk)
    assert again.created == 0
    assert opened.reports.count() == DISTRICTS


def test_a_spawn_that_died_half_way_is_finished_by_the_next_run_without_duplicates(org, country, new_cycle):
    cycle = new_cycle()
    first = list(Province.objects.exclude(code="10").order_by("code")[:30])
    ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.OPENING)
    cycle.refresh_from_db()
    now = timezone.now()
    for province in first:  # what the worker committed before it died
        cycles._spawn_province(cycle, province, on=now.date(), now=now, calendar=working_calendar())
    done = cycle.reports.count()
    assert 0 < done < DISTRICTS

    result = cycles.cycle_spawn(cycle_id=cycle.pk)

    assert result.created == DISTRICTS - done
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN and cycle.reports.count() == DISTRICTS
    tasks = Task.objects.filter(process__in=cycle.reports.values("process"))
    assert Counter(t.flow_task.name for t in tasks) == {"start": DISTRICTS, "fill": DISTRICTS}
    assert Notification.objects.filter(kind=Kind.TASK_ASSIGNED).count() == HELD


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_spawns_at_the_same_time_give_each_district_one_report(org, country, new_cycle):
    cycle = new_cycle()
    start = threading.Barrier(2)
    results: list[cycles.SpawnResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(cycles.cycle_spawn(cycle_id=cycle.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(r.created for r in results)[1] > 0 and sum(r.created for r in results) == DISTRICTS
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.OPEN
    assert (cycle.reports.count(), cycle.districts_spawned) == (DISTRICTS, DISTRICTS)
    processes = cycle.reports.values("process")
    assert Process.objects.filter(pk__in=processes).count() == DISTRICTS
    assert Task.objects.filter(process__in=processes).count() == 2 * DISTRICTS
    assert (
        Deadline.objects.filter(case_id__in=cycle.reports.values("pk"), step=FILL_STEP).count() == DISTRICTS
    )


def test_a_province_costs_the_same_few_queries_whatever_its_number_of_districts(org, country, new_cycle):
    cycle = new_cycle()
    ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.OPENING)
    cycle.refresh_from_db()
    now = timezone.now()
    provinces = [country.krabi, org.chiang_mai, org.lamphun]  # Krabi first: the caches warm
    plan = cycles.plan_load(
        cycle=cycle, on=now.date(), now=now, calendar=working_calendar(), provinces=provinces
    )
    queries, made = {}, {}
    for province in provinces:
        with CaptureQueriesContext(connection) as captured:
            made[province.code] = cycles.spawn_province(plan, province)
        # The statements without their values; SQLite splits an INSERT of more than 999 values: counted once.
        statements = (re.sub(r'"s\d+_x\d+"', "<savepoint>", q["sql"].split(" (")[0]) for q in captured)
        queries[province.code] = [sql for sql, _ in groupby(statements)]
    assert (made["50"], made["51"]) == ((25, 23), (8, 7))
    assert queries["50"] == queries["51"] and len(queries["50"]) <= 20


# Deadlines, reminders, escalations, notifications


def test_every_fill_task_is_due_at_the_closing_date_with_reminders_and_the_escalation_ladder(opened):
    deadlines = Deadline.objects.filter(
        task_type=ContentType.objects.get_for_model(Task),
        case_type=ContentType.objects.get_for_model(DistrictReport),
        case_id__in=opened.reports.values("pk"),
    )
    assert deadlines.count() == DISTRICTS
    assert set(deadlines.values_list("step", "due_at", "status")) == {(FILL_STEP, DUE, Deadline.Status.OPEN)}
    fills = {
        t.pk: t
        for t in Task.objects.filter(
            process__in=opened.reports.values("process"), status__in=["NEW", "ASSIGNED"]
        )
    }
    assert {d.task_id for d in deadlines} == set(fills)
    officer = {
        ("REMINDER", 5, at(19, 8, 30)),  # five working days before Friday 26 June
        ("REMINDER", 1, at(25, 8, 30)),
        ("ESCALATION", 1, DUE),  # the officer and the group director
        ("ESCALATION", 2, at(30, 16, 30)),  # two working days later: the provincial head
    }
    director = officer - {("ESCALATION", 1, DUE)}  # the director is not told about their own report
    schedules: Counter[str] = Counter()
    for deadline in deadlines.prefetch_related("actions"):
        actions = {(a.kind, a.position, a.fire_at) for a in deadline.actions.all()}
        assert {a.status for a in deadline.actions.all()} == {ScheduledAction.Status.PENDING}
        schedules["director" if deadline.assignee_is_director else "officer"] += 1
        assert actions == (director if deadline.assignee_is_director else officer), deadline
    assert schedules == {"officer": 5, "director": DISTRICTS - 5}


def test_each_holder_is_told_once_per_report(org, country, opened):
    told = Notification.objects.filter(kind=Kind.TASK_ASSIGNED)
    assert told.count() == opened.reports.exclude(assignee=None).count() == HELD
    assert told.filter(recipient=country.kk_two).count() == 2
    assert told.filter(recipient=org.director).count() == 23
    mine = told.get(recipient=org.officer)
    report = report_of(opened, org.district)
    assert mine.context == {
        "subject": f"ไตรมาส 3/2569 · {org.district.name_th}",
        "number": "",
        "title": f"ไตรมาส 3/2569 · {org.district.name_th}",
        "district": {"th": org.district.name_th, "en": org.district.name_en},
        "province": {"th": org.chiang_mai.name_th, "en": org.chiang_mai.name_en},
        "url": f"/reports/{report.pk}/",
        "due_at": DUE.astimezone(datetime.UTC).isoformat(),
    }
    assert (mine.created_at, mine.show_in_app, mine.read_at) == (at(8), True, None)
    deliveries = Delivery.objects.filter(notification__in=told)
    assert deliveries.count() == HELD
    delivery = deliveries.get(notification=mine)
    assert (delivery.channel, delivery.dedupe_key, delivery.not_before, delivery.digest) == (
        Channel.EMAIL,
        f"n{mine.pk}-email",
        at(8),
        False,
    )
    opened_notice = Notification.objects.filter(kind=Kind.CYCLE_OPENED)
    assert set(opened_notice.values_list("recipient", flat=True)) >= {org.director.pk, org.head.pk}


def test_the_holders_choices_of_channel_and_digest_are_kept_as_notify_keeps_them(org, country, new_cycle):
    Preference.objects.create(user=org.officer, kind=Kind.TASK_ASSIGNED, channel=Channel.EMAIL, enabled=False)
    Preference.objects.create(
        user=org.neighbour, kind=Kind.TASK_ASSIGNED, channel=Channel.EMAIL, enabled=True, digest=True
    )
    Preference.objects.create(
        user=org.lp_officer, kind=Kind.TASK_ASSIGNED, channel=Channel.IN_APP, enabled=False
    )
    cycle = new_cycle()
    cycles.cycle_spawn(cycle_id=cycle.pk)
    told = Notification.objects.filter(kind=Kind.TASK_ASSIGNED)

    assert not Delivery.objects.filter(notification__recipient=org.officer).exists()  # e-mail off
    assert told.get(recipient=org.officer).show_in_app
    digest = Delivery.objects.get(notification__recipient=org.neighbour)
    assert digest.digest and digest.not_before == at(9, 8, 30)  # the next working morning
    assert not told.get(recipient=org.lp_officer).show_in_app  # in the application: off
    assert Delivery.objects.filter(notification__recipient=org.lp_officer).count() == 1


# The same rows as viewflow's own start


def _values(obj: Model, **replace: Any) -> dict[str, Any]:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = replace.get(field.attname, field.value_from_object(obj))
        values[field.attname] = str(value) if type(value).__name__ == "Token" else value
    return values


def _rows(report: DistrictReport) -> dict[str, Any]:
    """Every row the opening wrote for the report, ids replaced by what they stand for."""
    report = DistrictReport.objects.select_related("district").get(pk=report.pk)
    process = Process.objects.get(pk=report.process_id)
    tasks = list(Task.objects.filter(process=process).order_by("pk"))
    name = {t.pk: t.flow_task.name for t in tasks}
    report_type = ContentType.objects.get_for_model(DistrictReport)
    deadlines = list(Deadline.objects.filter(case_type=report_type, case_id=report.pk))
    notifications = list(Notification.objects.filter(context__url=report.get_absolute_url()))
    entries = TimelineEntry.objects.filter(case_type=report_type, case_id=report.pk).order_by("pk")
    holder = {"owner_id": "holder" if report.assignee_id else None}

    def context(n: Notification) -> dict[str, Any]:
        return {
            **n.context,
            "url": n.context["url"].replace(str(report.pk), "<report>"),
            "subject": n.context["subject"].replace(report.district.name_th, "<district>"),
            "title": n.context["title"].replace(report.district.name_th, "<district>"),
            "district": "<district>",
        }

    return {
        "report": _values(
            report,
            district_id="district",
            officer_id="officer" if report.officer_id else None,
            assignee_id="holder" if report.assignee_id else None,
            process_id="process",
        ),
        "process": _values(process, data={"report": "report"}, artifact_object_id="report"),
        "tasks": [
            {
                **_values(t, process_id="process", **(holder if t.owner_id else {})),
                "previous": [name[p.pk] for p in t.previous.all()],
            }
            for t in tasks
        ],
        "deadlines": [
            _values(
                d, task_id=name[d.task_id], case_id="report", assignee_id="holder" if d.assignee_id else None
            )
            for d in deadlines
        ],
        "actions": sorted(
            (_values(a, deadline_id="deadline") for d in deadlines for a in d.actions.all()),
            key=lambda a: (a["kind"], a["position"]),
        ),
        "timeline": [
            _values(e, case_id="report", data={**e.data, "to": "holder"} if "to" in e.data else e.data)
            for e in entries
        ],
        "notifications": [_values(n, recipient_id="holder", context=context(n)) for n in notifications],
        "deliveries": [
            _values(
                d,
                notification_id="notification",
                dedupe_key=d.dedupe_key.replace(str(d.notification_id), "<n>"),
            )
            for d in Delivery.objects.filter(notification__in=notifications)
        ],
    }


@pytest.mark.parametrize("held_by", ["officer", "director"])
def test_the_bulk_path_writes_the_rows_viewflows_own_start_writes(org, country, new_cycle, held_by):
    cycle = new_cycle()
    ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.OPENING)
    cycle.refresh_from_db()
    if held_by == "officer":
        by_flow, by_bulk = org.district, org.other_district
        officer = org.officer.officer
    else:
        by_flow, by_bulk = District.objects.filter(province=org.chiang_mai).order_by("code")[2:4]
        officer = None
    # One district the way a plain loop would open it: its report, then viewflow's start.
    report = DistrictReport.objects.create(
        cycle=cycle,
        district=by_flow,
        province=org.chiang_mai,
        officer=officer,
        unassigned=officer is None,
        assignee=officer.user if officer else org.director,
        due_at=cycle.due_at,
    )
    process = DistrictReportFlow.start.run(report=report)
    assert DistrictReport.objects.get(pk=report.pk).process == process  # linked, as in bulk
    # The rest of the province in bulk (the district above has its report: it is left alone).
    now = timezone.now()
    made, _ = cycles._spawn_province(
        cycle, org.chiang_mai, on=now.date(), now=now, calendar=working_calendar()
    )
    assert made == 24

    flow_rows, bulk_rows = _rows(report), _rows(report_of(cycle, by_bulk))
    assert [t["flow_task"] for t in flow_rows["tasks"]] == [DistrictReportFlow.start, DistrictReportFlow.fill]
    assert len(flow_rows["actions"]) == (4 if officer else 3)
    assert len(flow_rows["notifications"]) == len(flow_rows["deliveries"]) == 1
    assert [(e["kind"], e["data"].get("event")) for e in flow_rows["timeline"]] == [
        ("STEP", "report_opened" if officer else "report_unassigned"),
        ("DEADLINE_SET", None),
    ]
    steps = TimelineEntry.objects.filter(
        case_type=ContentType.objects.get_for_model(DistrictReport), kind="STEP"
    )
    assert steps.get(case_id=report.pk).data["to"] == str(officer or org.director.officer)
    assert steps.get(case_id=report_of(cycle, by_bulk).pk).data["to"] == str(
        org.neighbour.officer if officer else org.director.officer
    )
    for table in flow_rows:
        assert bulk_rows[table] == flow_rows[table], table


def test_a_report_opened_in_bulk_goes_through_submit_return_submit_approve(org, country, opened, clock):
    report = report_of(opened, org.district)
    submitted = report_submit(report=report, data=full_input(report), by=org.officer)
    assert submitted.status == ReportStatus.SUBMITTED
    review = open_task(submitted, "review")
    assert review is not None and review.owner == org.director
    clock.move_to(at(9))
    returned = report_return(
        report=report_of(opened, org.district),
        by=org.director,
        general="ตรวจสอบจำนวนหนังสือรับอีกครั้ง",
        comments={},
    )
    assert returned.status == ReportStatus.RETURNED
    assert open_task(returned, "fill").owner == org.officer
    again = report_submit(report=returned, data=full_input(returned, "4"), by=org.officer)
    assert again.status == ReportStatus.SUBMITTED
    approved = report_approve(report=report_of(opened, org.district), by=org.director)
    assert (approved.status, approved.complete) == (ReportStatus.APPROVED, True)
    assert open_task(approved).flow_task.name == "complete"


# Progress, closing, the periodic job


def test_the_progress_counter_moves_province_by_province(org, country, new_cycle, monkeypatch):
    cycle = new_cycle()
    seen: list[int] = []
    spawn_province = cycles.spawn_province

    def spy(plan: Any, province: Province) -> tuple[int, int]:
        made = spawn_province(plan, province)
        seen.append(ReportingCycle.objects.get(pk=cycle.pk).districts_spawned)
        return made

    monkeypatch.setattr(cycles, "spawn_province", spy)
    cycles.cycle_spawn(cycle_id=cycle.pk)

    sizes = [p.districts.count() for p in Province.objects.exclude(code="10").order_by("code")]
    assert seen == [sum(sizes[: i + 1]) for i in range(len(sizes))]
    assert seen[-1] == DISTRICTS


def test_a_cycle_closed_before_or_during_the_spawn_is_not_opened(org, country, new_cycle, monkeypatch):
    cycle = new_cycle()
    ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.CLOSED)
    assert cycles.cycle_spawn(cycle_id=cycle.pk).created == 0
    assert not cycle.reports.exists()

    other = new_cycle(label="ไตรมาส 4/2569")
    spawn_province = cycles.spawn_province
    calls = 0

    def closing_after_three(plan: Any, province: Province) -> tuple[int, int] | None:
        nonlocal calls
        calls += 1
        made = spawn_province(plan, province)
        if calls == 3:  # the centre closes it as the worker commits the third province
            ReportingCycle.objects.filter(pk=other.pk).update(status=ReportingCycle.Status.CLOSED)
        return made

    monkeypatch.setattr(cycles, "spawn_province", closing_after_three)
    result = cycles.cycle_spawn(cycle_id=other.pk)
    other.refresh_from_db()
    assert other.status == ReportingCycle.Status.CLOSED
    assert result.created == other.reports.count() > 0
    assert other.reports.values("province").distinct().count() == 3  # the fourth found it closed
    assert calls == 4


def test_open_now_marks_the_cycle_opening_and_hands_the_spawn_to_a_worker(
    org, country, new_cycle, django_capture_on_commit_callbacks, monkeypatch
):
    cycle = new_cycle()
    queued: list[int] = []
    monkeypatch.setattr(cycles, "_enqueue_spawn", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.cycle_open_now(cycle=cycle, by=org.central)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.districts_total, queued) == (
        ReportingCycle.Status.OPENING,
        DISTRICTS,
        [cycle.pk],
    )
    assert not cycle.reports.exists()  # the worker's job


def test_the_periodic_job_opens_a_scheduled_cycle_on_its_opening_date_not_before(
    org, country, new_cycle, clock
):
    cycle = new_cycle(opens_on=datetime.date(2026, 6, 10))
    clock.move_to(at(9, 23, 55))
    assert open_due_cycles() == 0
    cycle.refresh_from_db()
    assert cycle.status == ReportingCycle.Status.SCHEDULED and not cycle.reports.exists()

    clock.move_to(at(10, 0, 5))
    assert open_due_cycles() == 1
    cycle.refresh_from_db()
    assert (cycle.status, cycle.reports.count(), cycle.opened_at) == (
        ReportingCycle.Status.OPEN,
        DISTRICTS,
        at(10, 0, 5),
    )
    assert open_due_cycles() == 0  # open now: nothing more to do


def test_a_cycle_whose_opening_fails_does_not_stop_the_periodic_job_for_the_others(
    org, country, new_cycle, monkeypatch, caplog
):
    broken = new_cycle(label="รอบที่เสีย")
    fine = new_cycle()
    spawn = cycles.cycle_spawn

    def failing(*, cycle_id: int, now: Any = None) -> cycles.SpawnResult:
        if cycle_id == broken.pk:
            raise RuntimeError("the database went away")
        return spawn(cycle_id=cycle_id, now=now)

    monkeypatch.setattr(cycles, "cycle_spawn", failing)
    assert open_due_cycles() == 1
    fine.refresh_from_db()
    assert fine.status == ReportingCycle.Status.OPEN and fine.reports.count() == DISTRICTS
    assert f"reporting cycle {broken.pk} failed" in caplog.text

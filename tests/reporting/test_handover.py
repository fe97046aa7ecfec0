"""Open tasks follow responsibility (issue 10, item 1, hand over; the defect "a district given to another
officer in the middle of a cycle keeps its open report with the old holder"): a district's new responsible
officer receives its open fill task, and whoever directs a province today (a new group director, an acting
deputy while their dates run) receives the reviews waiting there, reports and requests alike; each with a
timeline entry and a notification to both people. Right after the change commits, and daily for changes
dated later."""

from __future__ import annotations

import datetime

import time_machine
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.models import Task

from cases.models import CoordinationRequest
from deadlines.models import Deadline, TimelineEntry
from deadlines.services.deadlines import due_actions_fire
from flows.task_life import task_hand_to_responsible
from flows.tasks import hand_tasks_to_responsible, responsibility_follow
from notifications.models import Kind, Notification
from notifications.texts import title
from organisation.models import DistrictAssignment, Role
from organisation.services.appointments import acting_deputy_set, role_appoint
from organisation.services.assignments import district_assign, district_unassign
from reporting.models import DistrictReport, ReportingCycle
from reporting.services.reports import FILL_RESPONSIBILITY, open_task, report_submit
from tests.coordination import Org, sent_request
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import full_input, report_of
from workdays.calendar import BANGKOK

START = datetime.date(2025, 10, 1)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=BANGKOK)


def fresh(report: DistrictReport) -> DistrictReport:
    return DistrictReport.objects.select_related("cycle", "province", "district").get(pk=report.pk)


def person(username: str, org: Org, role: Role | None = None, **officer: object) -> User:
    user = UserFactory(username=username)
    made = OfficerFactory(user=user, province=org.chiang_mai, **officer)
    if role is not None:
        give_role(made, role, province=org.chiang_mai, start_date=START)
    return user


def handovers(case: object) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.filter(
            case_type=ContentType.objects.get_for_model(case),  # type: ignore[arg-type]
            case_id=case.pk,  # type: ignore[attr-defined]
            kind=TimelineEntry.Kind.REASSIGNED,
        ).order_by("at", "pk")
    )


def notices(user: User, kind: str = Kind.TASK_ASSIGNED) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def deadline_of(task: Task) -> Deadline:
    return Deadline.objects.get(
        task_type=ContentType.objects.get_for_model(Task), task_id=task.pk, status=Deadline.Status.OPEN
    )


def test_a_district_given_to_another_officer_mid_cycle_hands_its_open_report_to_them(
    org: Org, small_cycle: ReportingCycle, client: Client, django_capture_on_commit_callbacks
) -> None:
    newcomer = person("t.newcomer", org, Role.DISTRICT_OFFICER)
    report = report_of(small_cycle, org.district)
    task = open_task(report, "fill")
    assert task is not None and task.owner == org.officer
    before_old = len(notices(org.officer))

    with django_capture_on_commit_callbacks(execute=True):
        district_assign(district=org.district, officer=newcomer.officer, start_date=at(8).date(), by=org.head)

    task = open_task(fresh(report), "fill")
    assert task is not None and task.owner == newcomer  # the same task, now the newcomer's
    assert fresh(report).assignee == newcomer
    assert deadline_of(task).assignee == newcomer
    [entry] = handovers(report)
    assert entry.actor is None and entry.data["to"] == newcomer.officer.full_name
    assert entry.data["from"] == org.officer.officer.full_name and entry.data["reason"]
    assert len(notices(newcomer)) == 1
    told = notices(org.officer)[before_old:]
    assert len(told) == 1 and told[0].context["handed_to"]
    with translation.override("en"):  # the former holder is told where it went, not "a new task for you"
        assert title(told[0]) == f"Handed over to {told[0].context['handed_to']}: {report}"
        assert title(notices(newcomer)[0]) == f"New task for you: {report}"

    # The newcomer's home page lists the report, with its button; they can fill it in and submit it.
    client.force_login(newcomer)
    page = client.get(reverse("home")).content.decode()
    assert report.get_absolute_url() in page
    submitted = report_submit(report=fresh(report), data=full_input(fresh(report)), by=newcomer)
    assert submitted.status == "SUBMITTED"

    # The former officer's home page no longer lists it as theirs.
    client.force_login(org.officer)
    assert report.get_absolute_url() not in client.get(reverse("home")).content.decode()

    # A second run changes nothing.
    assert responsibility_follow(now=at(8, 10)) == 0
    assert len(handovers(report)) == 1


def test_a_district_nobody_was_responsible_for_gets_its_report_with_its_new_officer(
    org: Org, small_cycle: ReportingCycle, client: Client, django_capture_on_commit_callbacks
) -> None:
    report = small_cycle.reports.filter(province=org.chiang_mai, unassigned=True).select_related("district")[
        0
    ]
    assert open_task(report, "fill").owner == org.director  # type: ignore[union-attr]
    newcomer = person("t.newcomer", org, Role.DISTRICT_OFFICER)

    with django_capture_on_commit_callbacks(execute=True):
        district_assign(
            district=report.district, officer=newcomer.officer, start_date=at(8).date(), by=org.head
        )

    report = fresh(report)
    assert open_task(report, "fill").owner == newcomer  # type: ignore[union-attr]
    assert (report.assignee, report.officer, report.unassigned) == (newcomer, newcomer.officer, False)
    client.force_login(newcomer)
    page = client.get(reverse("home")).content.decode()
    assert report.get_absolute_url() in page
    client.force_login(org.director)
    assert report.get_absolute_url() not in client.get(reverse("reporting:mine")).content.decode()


def test_the_pending_reminders_of_a_handed_report_go_to_its_new_officer(
    org: Org, small_cycle: ReportingCycle, clock: time_machine.Traveller, django_capture_on_commit_callbacks
) -> None:
    newcomer = person("t.newcomer", org, Role.DISTRICT_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        district_assign(district=org.district, officer=newcomer.officer, start_date=at(8).date(), by=org.head)
    clock.move_to(at(19, 9, 1))
    due_actions_fire(now=at(19, 9, 1))  # five working days before the deadline
    assert len(notices(newcomer, Kind.DUE_SOON)) == 1
    assert all(
        n.context.get("subject") != str(report_of(small_cycle, org.district))
        for n in notices(org.officer, Kind.DUE_SOON)
    )


def test_an_assignment_dated_later_takes_effect_on_its_start_date_by_the_daily_job(
    org: Org, small_cycle: ReportingCycle, clock: time_machine.Traveller, django_capture_on_commit_callbacks
) -> None:
    newcomer = person("t.newcomer", org, Role.DISTRICT_OFFICER)
    report = report_of(small_cycle, org.district)
    with django_capture_on_commit_callbacks(execute=True):
        district_assign(
            district=org.district, officer=newcomer.officer, start_date=at(15).date(), by=org.head
        )
    assert open_task(fresh(report), "fill").owner == org.officer  # type: ignore[union-attr]

    clock.move_to(at(12, 23, 59))
    assert hand_tasks_to_responsible() == 0  # not yet
    clock.move_to(at(15, 0, 5))
    assert hand_tasks_to_responsible() == 1
    assert open_task(fresh(report), "fill").owner == newcomer  # type: ignore[union-attr]
    assert fresh(report).assignee == newcomer
    assert hand_tasks_to_responsible() == 0
    assert len(handovers(report)) == 1


def test_a_district_left_with_nobody_responsible_keeps_its_report_with_its_holder(
    org: Org, small_cycle: ReportingCycle, clock: time_machine.Traveller, django_capture_on_commit_callbacks
) -> None:
    report = report_of(small_cycle, org.district)
    with django_capture_on_commit_callbacks(execute=True):
        district_unassign(district=org.district, end_date=at(8).date(), by=org.head)
    clock.move_to(at(9, 0, 5))
    assert not DistrictAssignment.objects.current(at(9).date()).filter(district=org.district).exists()
    assert hand_tasks_to_responsible() == 0
    assert open_task(fresh(report), "fill").owner == org.officer  # type: ignore[union-attr]
    assert handovers(report) == []


def test_a_new_group_director_receives_the_reviews_waiting_in_the_province(
    org: Org, small_cycle: ReportingCycle, django_capture_on_commit_callbacks
) -> None:
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    request = sent_request(org)
    lamphun_report = report_of(small_cycle, org.lamphun_district)
    report_submit(report=lamphun_report, data=full_input(lamphun_report), by=org.lp_officer)
    assert open_task(fresh(report), "review").owner == org.director  # type: ignore[union-attr]
    successor = person("t.successor", org, former_district_officer=True)
    before = len(notices(org.director))

    with django_capture_on_commit_callbacks(execute=True):
        role_appoint(
            officer=successor.officer,
            role=Role.GROUP_DIRECTOR,
            province=org.chiang_mai,
            start_date=at(8).date(),
            by=org.head,
        )

    assert open_task(fresh(report), "review").owner == successor  # type: ignore[union-attr]
    request_task = Task.objects.get(pk=CoordinationRequest.objects.get(pk=request.pk).current_task_id)
    assert request_task.owner == successor
    assert CoordinationRequest.objects.get(pk=request.pk).holder == successor
    assert len(handovers(report)) == len(handovers(request)) == 1
    assert len(notices(successor)) == 2
    assert len(notices(org.director)) == before + 2  # told of each
    assert open_task(fresh(lamphun_report), "review").owner == org.lp_director  # type: ignore[union-attr]
    assert responsibility_follow(now=at(8, 10)) == 0


def test_an_acting_deputy_receives_the_reviews_on_their_days_and_they_go_back_after(
    org: Org, small_cycle: ReportingCycle, clock: time_machine.Traveller, django_capture_on_commit_callbacks
) -> None:
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    request = sent_request(org)
    deputy = person("t.deputy", org, Role.DISTRICT_OFFICER)

    with django_capture_on_commit_callbacks(execute=True):
        acting_deputy_set(
            province=org.chiang_mai,
            deputy=deputy.officer,
            start_date=at(8).date(),
            end_date=at(9).date(),
            by=org.head,
        )

    def holders() -> tuple[User | None, User | None]:
        request_task = Task.objects.get(pk=CoordinationRequest.objects.get(pk=request.pk).current_task_id)
        return open_task(fresh(report), "review").owner, request_task.owner  # type: ignore[union-attr]

    assert holders() == (deputy, deputy)
    clock.move_to(at(9, 0, 5))
    assert hand_tasks_to_responsible() == 0  # still the deputy's day
    clock.move_to(at(10, 0, 5))
    assert hand_tasks_to_responsible() == 2  # the dates ended: back to the director
    assert holders() == (org.director, org.director)
    assert len(handovers(report)) == len(handovers(request)) == 2
    assert len(notices(deputy)) == 4  # received two, then told of each going back
    assert hand_tasks_to_responsible() == 0


def test_an_acting_deputy_dated_later_receives_the_reviews_on_their_first_day(
    org: Org, small_cycle: ReportingCycle, clock: time_machine.Traveller, django_capture_on_commit_callbacks
) -> None:
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    deputy = person("t.deputy", org, Role.DISTRICT_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        acting_deputy_set(
            province=org.chiang_mai,
            deputy=deputy.officer,
            start_date=at(11).date(),
            end_date=at(12).date(),
            by=org.head,
        )
    assert open_task(fresh(report), "review").owner == org.director  # type: ignore[union-attr]
    clock.move_to(at(11, 0, 5))
    assert hand_tasks_to_responsible() == 1
    assert open_task(fresh(report), "review").owner == deputy  # type: ignore[union-attr]


def test_a_task_acted_on_meanwhile_is_skipped_without_an_error(org: Org, small_cycle: ReportingCycle) -> None:
    newcomer = person("t.newcomer", org, Role.DISTRICT_OFFICER)
    report = report_of(small_cycle, org.district)
    stale = open_task(report, "fill")
    assert stale is not None
    report_submit(report=report, data=full_input(report), by=org.officer)  # the task is done meanwhile
    assert not task_hand_to_responsible(rule=FILL_RESPONSIBILITY, task=stale, to=newcomer, now=at(8, 10))
    assert handovers(report) == []
    assert fresh(report).assignee == org.officer


def test_the_beat_schedule_runs_the_hand_over_daily(settings) -> None:
    from celery.schedules import crontab

    from project.celery import app

    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("hand_tasks_to_responsible")
    ]
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks

"""Two people acting on the same report at the same moment, on PostgreSQL: one wins, the other is told, and
a closing cycle never leaves a task, a deadline or a reminder open behind it (issue 10)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from deadlines.models import Deadline, ScheduledAction
from flows.task_life import OPEN_STATUSES, TaskUnavailable
from organisation.services.geography import geography_load
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services import cycles
from reporting.services.reports import ReportError, report_approve, report_reopen, report_submit
from tests.coordination import Org
from tests.reporting.conftest import full_input, open_for, report_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            action()
            outcomes.append("done")
        except TaskUnavailable:
            outcomes.append("told")
        except ReportError as error:
            outcomes.append(f"refused {error}")
        except Exception as error:
            outcomes.append(f"error {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,), name=f"action-{i}") for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.fixture
def pg_org(transactional_db: None, org: Org) -> Org:
    geography_load()
    return org


@pytest.fixture
def cycle(pg_org: Org, new_cycle: Callable[..., ReportingCycle]) -> ReportingCycle:
    return open_for(new_cycle(), [pg_org.chiang_mai])


def _fresh(report: DistrictReport) -> DistrictReport:
    return DistrictReport.objects.select_related("cycle", "province", "district").get(pk=report.pk)


def _nothing_left_open(cycle: ReportingCycle) -> None:
    process_ids = list(cycle.reports.values_list("process_id", flat=True))
    assert not Task.objects.filter(process_id__in=process_ids, status__in=OPEN_STATUSES).exists()
    assert set(Process.objects.filter(pk__in=process_ids).values_list("status", flat=True)) == {PROCESS.DONE}
    report_type = ContentType.objects.get_for_model(DistrictReport)
    deadlines = Deadline.objects.filter(case_type=report_type, case_id__in=cycle.reports.values("pk"))
    assert not deadlines.filter(status=Deadline.Status.OPEN).exists()
    assert not ScheduledAction.objects.filter(
        deadline__in=deadlines, status=ScheduledAction.Status.PENDING
    ).exists()


def test_two_reopenings_at_once_one_wins_the_other_is_told(pg_org: Org, cycle: ReportingCycle) -> None:
    org = pg_org
    report = report_of(cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    report_approve(report=_fresh(report), by=org.director)

    def reopen() -> None:
        report_reopen(report=_fresh(report), by=org.central, reason="ตัวเลขเรื่องร้องเรียนไม่ตรงกับทะเบียน")

    def hold_the_first(sender: Any, instance: DistrictReport, **kwargs: Any) -> None:
        # The winner holds its lock a moment, as a slow request would: the other has read the open task by
        # then, whatever the machine's load (without it, a loaded CI machine sometimes started the second
        # reopening after the first had committed, and it was refused as not complete instead).
        if instance.pk == report.pk and instance.status == ReportStatus.RETURNED:
            time.sleep(1.0)

    post_save.connect(hold_the_first, sender=DistrictReport)
    try:
        assert _race([reopen, reopen]) == ["done", "told"]
    finally:
        post_save.disconnect(hold_the_first, sender=DistrictReport)
    reopened = _fresh(report)
    assert (reopened.status, reopened.complete) == (ReportStatus.RETURNED, False)
    open_tasks = Task.objects.filter(process_id=report.process_id, status__in=OPEN_STATUSES)
    assert [t.flow_task.name for t in open_tasks] == ["fill"]  # back with its officer, once


def test_closing_a_cycle_while_an_officer_submits_ends_submitted_then_closed(
    pg_org: Org, cycle: ReportingCycle
) -> None:
    """The submission holds the report's flow lock when the close starts: the close waits for it, then
    cancels the review the submission opened; the finished fill task stays done."""
    org = pg_org
    report = report_of(cycle, org.district)
    fill = Task.objects.get(process_id=report.process_id, status=STATUS.ASSIGNED)
    submitting = threading.Event()

    def hold_the_submission(sender: Any, instance: DistrictReport, **kwargs: Any) -> None:
        if instance.pk == report.pk and instance.status == ReportStatus.SUBMITTED:
            submitting.set()
            time.sleep(1.0)  # still inside the submission's transaction and lock

    def submit() -> None:
        report_submit(report=_fresh(report), data=full_input(report), by=org.officer)

    def close() -> None:
        assert submitting.wait(10)
        cycles.cycle_close(cycle=ReportingCycle.objects.get(pk=cycle.pk), by=org.central)

    post_save.connect(hold_the_submission, sender=DistrictReport)
    try:
        assert _race([submit, close]) == ["done", "done"]
    finally:
        post_save.disconnect(hold_the_submission, sender=DistrictReport)
    assert ReportingCycle.objects.get(pk=cycle.pk).status == ReportingCycle.Status.CLOSED
    assert _fresh(report).status == ReportStatus.SUBMITTED
    assert Task.objects.get(pk=fill.pk).status == STATUS.DONE  # not marked cancelled after it finished
    review = Task.objects.get(process_id=report.process_id, flow_task_type="HUMAN", status=STATUS.CANCELED)
    assert review.flow_task.name == "review"
    _nothing_left_open(cycle)


def test_a_submission_and_a_close_released_together_end_closed_with_nothing_open(
    pg_org: Org, cycle: ReportingCycle
) -> None:
    org = pg_org
    reports = [report_of(cycle, org.district), report_of(cycle, org.other_district)]

    def submit(report: DistrictReport) -> Callable[[], None]:
        return lambda: report_submit(report=_fresh(report), data=full_input(report), by=report.assignee)

    def close() -> None:
        cycles.cycle_close(cycle=ReportingCycle.objects.get(pk=cycle.pk), by=org.central)

    outcomes = _race([close, *(submit(r) for r in reports if r.assignee is not None)])
    assert all(o == "done" or o == "told" or o.startswith("refused") for o in outcomes), outcomes
    assert ReportingCycle.objects.get(pk=cycle.pk).status == ReportingCycle.Status.CLOSED
    _nothing_left_open(cycle)


def test_a_hand_over_while_the_officer_submits_skips_the_task_and_is_never_an_error(
    pg_org: Org, cycle: ReportingCycle
) -> None:
    """The district is given to another officer while its officer submits, holding the report's flow lock:
    the hand-over finds the fill task done (or the lock busy) and leaves it; nothing fails, nothing is
    handed, the submission stands; a later run has nothing to do."""
    import datetime

    from deadlines.models import TimelineEntry
    from flows.tasks import responsibility_follow
    from organisation.models import DistrictAssignment, Role
    from tests.factories import OfficerFactory, UserFactory, give_role

    org = pg_org
    report = report_of(cycle, org.district)
    newcomer = OfficerFactory(user=UserFactory(username="t.newcomer"), province=org.chiang_mai)
    give_role(newcomer, Role.DISTRICT_OFFICER, province=org.chiang_mai)
    today = timezone.localdate()
    DistrictAssignment.objects.filter(district=org.district).update(
        end_date=today - datetime.timedelta(days=1)
    )
    DistrictAssignment.objects.create(district=org.district, officer=newcomer, start_date=today)
    submitting = threading.Event()
    handed: list[int] = []

    def hold_the_submission(sender: Any, instance: DistrictReport, **kwargs: Any) -> None:
        if instance.pk == report.pk and instance.status == ReportStatus.SUBMITTED:
            submitting.set()
            time.sleep(1.0)  # still inside the submission's transaction and lock

    def submit() -> None:
        report_submit(report=_fresh(report), data=full_input(report), by=org.officer)

    def hand_over() -> None:
        assert submitting.wait(10)
        handed.append(responsibility_follow(now=timezone.now(), districts=[org.district.pk]))

    post_save.connect(hold_the_submission, sender=DistrictReport)
    try:
        assert _race([submit, hand_over]) == ["done", "done"]
    finally:
        post_save.disconnect(hold_the_submission, sender=DistrictReport)
    assert handed == [0]
    assert _fresh(report).status == ReportStatus.SUBMITTED and _fresh(report).assignee == org.officer
    assert not TimelineEntry.objects.filter(case_id=report.pk, kind=TimelineEntry.Kind.REASSIGNED).exists()
    assert responsibility_follow(now=timezone.now(), districts=[org.district.pk]) == 0

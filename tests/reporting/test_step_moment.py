"""A report's service told `now` opens the next task at that moment (no demo clock in the services)."""

from __future__ import annotations

import datetime

from deadlines.models import Deadline
from reporting.models import ReportingCycle
from reporting.services.reports import open_task, report_approve, report_reopen, report_submit
from tests.reporting.conftest import MONDAY_MORNING, Org, full_input, report_of


def test_a_report_submitted_at_a_given_moment_opens_its_review_at_that_moment(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = report_of(small_cycle, org.district)
    submitted_at = MONDAY_MORNING + datetime.timedelta(days=1)

    report_submit(report=report, data=full_input(report), by=org.officer, now=submitted_at)

    review = open_task(report_of(small_cycle, org.district), "review")
    assert review is not None
    assert Deadline.objects.get(task_id=review.pk, status=Deadline.Status.OPEN).started_at == submitted_at


def test_a_report_reopened_at_a_given_moment_goes_back_to_its_officer_at_that_moment(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = report_of(small_cycle, org.district)
    submitted_at = MONDAY_MORNING + datetime.timedelta(days=1)
    report_submit(report=report, data=full_input(report), by=org.officer, now=submitted_at)
    report_approve(report=report_of(small_cycle, org.district), by=org.director, now=submitted_at)
    reopened_at = submitted_at + datetime.timedelta(days=1)

    report_reopen(report=report_of(small_cycle, org.district), by=org.central, reason="ซ้ำ", now=reopened_at)

    fill = open_task(report_of(small_cycle, org.district), "fill")
    assert fill is not None
    assert Deadline.objects.get(task_id=fill.pk, status=Deadline.Status.OPEN).started_at == reopened_at

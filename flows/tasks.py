import datetime
from collections.abc import Iterable
from typing import Any

from celery import shared_task
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from cases.services import requests
from flows.task_life import Responsibility, tasks_follow_responsibility
from reporting.services import reports

# The open tasks that follow who is responsible today, in both workflows: a report's fill task its district's
# officer; the director's reviews of reports and of requests whoever directs the province.
RESPONSIBILITIES: tuple[Responsibility, ...] = (
    reports.FILL_RESPONSIBILITY,
    reports.REVIEW_RESPONSIBILITY,
    requests.REVIEW_RESPONSIBILITY,
)


@shared_task(ignore_result=True)
def fire_workflow_timers() -> int:
    """Every minute: viewflow's database timers that are due (e.g. an answered request nobody accepted
    closes itself). Safe with several workers: each task is fired under its flow lock."""
    return fire_due_timers()


def responsibility_follow(
    *,
    now: datetime.datetime,
    provinces: Iterable[int] | None = None,
    districts: Iterable[int] | None = None,
) -> int:
    """Hand the open tasks of the scope (None: everywhere) to whoever is responsible for them today."""
    return tasks_follow_responsibility(
        rules=RESPONSIBILITIES, now=now, provinces=provinces, districts=districts
    )


def responsibility_changed_received(
    sender: Any, *, provinces: list[int], districts: list[int], **kwargs: Any
) -> None:
    """A district's officer or a province's director changed (cases.services.assignments, sent once the
    change committed): that province's or district's open tasks follow at once."""
    now = timezone.now()
    if provinces:
        responsibility_follow(now=now, provinces=provinces)
    if districts:
        responsibility_follow(now=now, districts=districts)


@shared_task(ignore_result=True)
def hand_tasks_to_responsible() -> int:
    """Daily, just after midnight: changes dated to begin or end today (an assignment's start date, an
    acting deputy's days) take effect on the open tasks; anything a lost change left behind is caught up."""
    return responsibility_follow(now=timezone.now())

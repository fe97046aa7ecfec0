"""A report's submission, return and approval, and a cycle's closing, reach the subscribed systems."""

from __future__ import annotations

import datetime

from notifications import webhooks
from notifications.models import Delivery, Subscription, WebhookEventKind
from reporting.models import ReportingCycle
from reporting.services import cycles
from reporting.services.reports import report_approve, report_return, report_submit
from tests.coordination import Org
from tests.reporting.conftest import full_input, report_of


def _subscribe(org: Org, province: object = None) -> Subscription:
    return webhooks.subscription_create(
        owner=org.central,
        province=province,  # type: ignore[arg-type]
        name="INFO",
        url="http://127.0.0.1:9/",
        events=[k.value for k in WebhookEventKind],
        now=datetime.datetime(2026, 6, 8, tzinfo=datetime.UTC),
    )


def _kinds(subscription: Subscription) -> list[str]:
    return list(
        Delivery.objects.filter(subscription=subscription)
        .order_by("pk")
        .values_list("event__kind", flat=True)
    )


def test_a_report_submitted_returned_and_approved_and_the_cycle_closed(
    org: Org, small_cycle: ReportingCycle
) -> None:
    chiang_mai = _subscribe(org, org.chiang_mai)
    lamphun = _subscribe(org, org.lamphun)
    report = report_of(small_cycle, org.district)

    submitted = report_submit(report=report, data=full_input(report), by=org.officer)
    returned = report_return(report=submitted, by=org.director, general="ตรวจอีกครั้ง", comments={})
    again = report_submit(report=returned, data=full_input(returned), by=org.officer)
    report_approve(report=again, by=org.director)
    cycles.cycle_close(cycle=small_cycle, by=org.central)

    assert _kinds(chiang_mai) == [
        "report.submitted",
        "report.returned",
        "report.submitted",
        "report.approved",
        "cycle.closed",
    ]
    assert _kinds(lamphun) == ["cycle.closed"]  # a cycle is the whole country's

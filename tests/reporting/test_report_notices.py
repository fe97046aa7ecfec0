"""The e-mails of a district report, read from the outbox: a return says what to fix and who returned it;
an extension says the new deadline; nobody is told of their own action."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail

from notifications.models import Delivery, Notification
from notifications.services import delivery_send
from reporting.models import DistrictReport, ReportingCycle
from reporting.services.reports import report_return, report_submit, reports_extend
from tests.coordination import Org
from tests.reporting.conftest import full_input, report_of


@pytest.fixture(autouse=True)
def addresses(org: Org) -> None:
    for user in User.objects.all():
        user.email = f"{user.username}@dla.go.th"
        user.save(update_fields=["email"])
    for value in vars(org).values():
        if isinstance(value, User):
            value.refresh_from_db()


def sent_to(user: User) -> list[mail.EmailMessage]:
    mail.outbox.clear()
    for delivery in Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("pk"):
        delivery_send(
            delivery_id=delivery.pk, now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=9)
        )
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_returned_report_tells_the_officer_what_to_fix_by_whom_and_by_when(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = report_of(small_cycle, org.district)
    report_submit(report=report, data=full_input(report), by=org.officer)
    sent_to(org.officer)
    before = Notification.objects.filter(recipient=org.director).count()

    report_return(report=report, by=org.director, general="ตัวเลขหนังสือรับไม่ตรง", comments={})

    [message] = sent_to(org.officer)
    html = message.alternatives[0][0]  # type: ignore[attr-defined]
    for part in (message.body, html):
        assert small_cycle.label in part
        assert f"อำเภอ{org.district.name_th} จังหวัด{org.chiang_mai.name_th}" in part
        assert org.director.officer.full_name in part
        assert "ตัวเลขหนังสือรับไม่ตรง" in part
        assert "2569" in part  # the deadline, Buddhist Era
    assert Notification.objects.filter(recipient=org.director).count() == before


def test_an_extension_tells_each_officer_the_new_deadline_of_their_report(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = report_of(small_cycle, org.district)
    sent_to(org.officer)  # the new task of the opening
    reports_extend(
        reports=DistrictReport.objects.filter(pk=report.pk),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วมสำนักงาน",
    )

    [message] = sent_to(org.officer)
    assert message.subject.startswith("ขยายกำหนดส่งเป็น 3 ก.ค. 2569")
    assert "น้ำท่วมสำนักงาน" in message.body and org.central.officer.full_name in message.body
    assert report.get_absolute_url() in message.body

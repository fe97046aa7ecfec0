"""A delivery that fails for another reason than the channel being down is recorded as failed, shown to
administrators and never marked sent nor retried on its own; one-line text is cleaned on its way in."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import BadHeaderError
from django.urls import reverse

from health.selectors import background_problems
from notifications.models import Delivery, Kind, Notification
from notifications.services import deliveries_send, deliveries_sweep, delivery_send, notify
from organisation.models import Officer
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK
from workdays.forms import OneLineField, one_line

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.datetime(2026, 4, 21, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    return OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user


def test_a_header_django_refuses_fails_the_delivery_for_good_and_administrators_see_it(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=TUESDAY_10)
    delivery = Delivery.objects.get()
    refused = BadHeaderError("Header values can't contain newlines")

    with mock.patch("notifications.channels.email.EmailMultiAlternatives.send", side_effect=refused):
        outcome = deliveries_send(delivery_ids=[delivery.pk], now=TUESDAY_10)

    delivery.refresh_from_db()
    assert outcome["failed"] == [delivery.pk]
    assert (delivery.status, delivery.sent_at) == (Delivery.Status.FAILED, None)
    assert delivery.last_error.startswith("BadHeaderError")
    assert background_problems().failed_deliveries == 1
    # Never retried on its own: the sweep, long after, leaves it alone.
    assert deliveries_sweep(now=TUESDAY_10 + datetime.timedelta(hours=1)) == 0
    assert delivery_send(delivery_id=delivery.pk, now=TUESDAY_10 + datetime.timedelta(hours=1)) == "skipped"
    assert mail.outbox == []


def test_any_error_that_is_not_an_outage_is_recorded_as_failed_not_left_claimed(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
    delivery = Delivery.objects.get()

    with mock.patch("notifications.texts.render", side_effect=KeyError("due_at")):
        assert delivery_send(delivery_id=delivery.pk, now=TUESDAY_10) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "KeyError" in delivery.last_error


def test_a_stored_subject_with_line_breaks_still_gives_a_one_line_email_subject(reader) -> None:  # type: ignore[no-untyped-def]
    # A row written before the cleaning existed.
    notify(
        recipients=[reader],
        kind=Kind.TASK_ASSIGNED,
        context={"subject": "ปส.ชม. 1/2569\r\nBcc: victim@example.com"},
        now=TUESDAY_10,
    )

    assert delivery_send(delivery_id=Delivery.objects.get().pk, now=TUESDAY_10) == "sent"

    assert mail.outbox[0].subject == "งานใหม่สำหรับท่าน: ปส.ชม. 1/2569 Bcc: victim@example.com"
    assert mail.outbox[0].bcc == []


def test_the_failed_deliveries_are_listed_for_administrators(admin_client, reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
    with mock.patch(
        "notifications.channels.email.EmailMultiAlternatives.send", side_effect=BadHeaderError("x")
    ):
        deliveries_send(delivery_ids=[Delivery.objects.get().pk], now=TUESDAY_10)

    page = admin_client.get(reverse("admin:notifications_delivery_changelist") + "?status__exact=FAILED")

    assert page.status_code == 200 and "BadHeaderError" in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ขอหารือ\r\nBcc: x@example.com", "ขอหารือ Bcc: x@example.com"),
        ("  งบ\tกลาง\x00\x1b\u2028ปี\u2029 2569 \x85", "งบ กลาง ปี 2569"),
        ("ไตรมาส 1/2569", "ไตรมาส 1/2569"),
    ],
)
def test_one_line_text_is_cleaned_by_one_function(typed: str, stored: str) -> None:
    assert one_line(typed) == stored
    assert OneLineField(max_length=200).clean(typed) == stored


def test_every_one_line_field_is_stored_as_one_line() -> None:
    created = OfficerFactory(first_name_th="สมชาย\r\nX-Evil: 1", position="ท้องถิ่นอำเภอ\nเมือง")

    officer = Officer.objects.get(pk=created.pk)
    assert (officer.first_name_th, officer.position) == ("สมชาย X-Evil: 1", "ท้องถิ่นอำเภอ เมือง")
    assert not Notification.objects.exists()

"""A digest that fails: a channel outage is retried; anything else is recorded as a failure once."""

from __future__ import annotations

import datetime
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from notifications.channels import ChannelUnavailable
from notifications.models import Channel, Delivery, Kind, Preference
from notifications.services import digest_send, notify
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

FRIDAY_EVENING = datetime.datetime(2026, 4, 17, 18, 0, tzinfo=BANGKOK)
MONDAY_MORNING = datetime.datetime(2026, 4, 20, 8, 45, tzinfo=BANGKOK)
TUESDAY_MORNING = datetime.datetime(2026, 4, 21, 8, 45, tzinfo=BANGKOK)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the message for good (550)."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPDataError(550, b"5.7.1 message refused")


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    user = OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user
    Preference.objects.create(user=user, kind=Kind.ANSWERED, channel=Channel.EMAIL, digest=True)
    return user


def held_for(reader, context: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.ANSWERED, context=context, now=FRIDAY_EVENING)


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9
)
def test_a_digest_whose_mail_server_is_down_is_given_back_for_a_retry(reader) -> None:  # type: ignore[no-untyped-def]
    held_for(reader, {"subject": "เรื่อง 1"})

    with pytest.raises(ChannelUnavailable):
        digest_send(user_id=reader.pk, now=MONDAY_MORNING)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error


def test_a_digest_that_cannot_be_written_is_recorded_as_failed_and_not_tried_again(reader) -> None:  # type: ignore[no-untyped-def]
    held_for(reader, {"subject": "เรื่อง 1"})
    held_for(reader, {"subject": "เรื่อง 2", "due_at": "the day after tomorrow"})  # a bad row: a bug

    assert digest_send(user_id=reader.pk, now=MONDAY_MORNING) == 0

    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.FAILED}
    assert all("ValueError" in d.last_error for d in Delivery.objects.all())
    assert digest_send(user_id=reader.pk, now=TUESDAY_MORNING) == 0  # the next morning leaves them alone
    assert not mail.outbox


@override_settings(EMAIL_BACKEND="tests.notifications.test_digest.RefusingBackend")
def test_a_digest_the_mail_server_refuses_for_good_is_recorded_as_failed(reader) -> None:  # type: ignore[no-untyped-def]
    held_for(reader, {"subject": "เรื่อง 1"})

    assert digest_send(user_id=reader.pk, now=MONDAY_MORNING) == 0

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "message refused" in delivery.last_error

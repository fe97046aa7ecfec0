"""Notifications are written with their event and delivered once per channel, in the reader's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from notifications.channels import ChannelUnavailable
from notifications.models import Channel, Delivery, Kind, Notification, Preference
from notifications.services import (
    deliveries_sweep,
    delivery_send,
    digest_send,
    notifications_mark_read,
    notify,
    unread_count,
)
from organisation.cached import work_forget
from tests.factories import OfficerFactory
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.datetime(2026, 4, 21, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def reader():  # type: ignore[no-untyped-def]
    return OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user


def one_delivery() -> Delivery:
    return Delivery.objects.select_related("notification").get()


def test_a_notification_is_written_with_an_email_delivery_and_enqueued_after_commit(
    reader, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        notify(
            recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=TUESDAY_10
        )

    assert Notification.objects.filter(recipient=reader).count() == 1
    assert one_delivery().channel == Channel.EMAIL
    # The enqueue, and forgetting the bell's count again, wait for the commit (beside the renewals of the stamps
    # of what was written: organisation/cached.py).
    waiting = [c for c in callbacks if getattr(c, "func", None) is not work_forget]
    assert len(waiting) == 2


def test_a_rolled_back_event_leaves_no_notification(reader) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
        raise RuntimeError("the event failed")

    assert not Notification.objects.exists()


def test_delivery_sends_one_email_in_thai_and_a_second_attempt_sends_nothing(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=TUESDAY_10)
    delivery = one_delivery()

    results = [delivery_send(delivery_id=delivery.pk, now=TUESDAY_10) for _ in range(3)]

    assert results == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "งานใหม่สำหรับท่าน: ปส.ชม. 1/2569"
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{delivery.dedupe_key}@")


def test_english_readers_get_english(reader) -> None:  # type: ignore[no-untyped-def]
    reader.officer.preferred_language = "en"
    reader.officer.save()
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=TUESDAY_10)

    delivery_send(delivery_id=one_delivery().pk, now=TUESDAY_10)

    assert mail.outbox[0].subject == "New task for you: ปส.ชม. 1/2569"


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=9
)
def test_an_unreachable_mail_server_leaves_the_delivery_pending_for_a_retry(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
    delivery = one_delivery()

    with pytest.raises(ChannelUnavailable):
        delivery_send(delivery_id=delivery.pk, now=TUESDAY_10)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error


def test_a_person_without_an_email_address_is_recorded_as_failed_not_retried() -> None:
    officer = OfficerFactory(email="", user__email="")
    notify(recipients=[officer.user], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)

    assert delivery_send(delivery_id=one_delivery().pk, now=TUESDAY_10) == "failed"
    assert one_delivery().status == Delivery.Status.FAILED


def test_the_sweep_takes_back_a_dead_workers_claim_and_enqueues_what_waited(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=TUESDAY_10)

    deliveries_sweep(now=TUESDAY_10 + datetime.timedelta(minutes=10))

    assert one_delivery().status == Delivery.Status.PENDING


def test_a_kind_switched_off_sends_no_email_but_stays_in_the_app(reader) -> None:  # type: ignore[no-untyped-def]
    Preference.objects.create(user=reader, kind=Kind.ANSWERED, channel=Channel.EMAIL, enabled=False)

    notify(recipients=[reader], kind=Kind.ANSWERED, context={"subject": "x"}, now=TUESDAY_10)

    assert not Delivery.objects.exists()
    assert unread_count(reader) == 1


def test_the_daily_digest_collects_non_urgent_emails_for_the_next_working_morning(reader) -> None:  # type: ignore[no-untyped-def]
    Preference.objects.create(user=reader, kind=Kind.ANSWERED, channel=Channel.EMAIL, digest=True)
    Preference.objects.create(user=reader, kind=Kind.ESCALATED, channel=Channel.EMAIL, digest=True)
    friday_evening = datetime.datetime(2026, 4, 17, 18, 0, tzinfo=BANGKOK)
    for n in range(3):
        notify(recipients=[reader], kind=Kind.ANSWERED, context={"subject": f"เรื่อง {n}"}, now=friday_evening)
    notify(
        recipients=[reader], kind=Kind.ESCALATED, context={"subject": "ด่วน", "level": 2}, now=friday_evening
    )

    held = Delivery.objects.filter(digest=True)
    assert held.count() == 3  # escalations are never held
    assert {d.not_before for d in held} == {datetime.datetime(2026, 4, 20, 8, 30, tzinfo=BANGKOK)}
    monday = datetime.datetime(2026, 4, 20, 8, 45, tzinfo=BANGKOK)
    assert digest_send(user_id=reader.pk, now=monday) == 3
    assert digest_send(user_id=reader.pk, now=monday) == 0
    assert len(mail.outbox) == 1
    assert "เรื่อง 2" in mail.outbox[0].body


def test_marking_read_updates_the_bell(reader) -> None:  # type: ignore[no-untyped-def]
    notify(recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "x"}, now=TUESDAY_10)
    notify(recipients=[reader], kind=Kind.ANSWERED, context={"subject": "y"}, now=TUESDAY_10)

    assert unread_count(reader) == 2
    notifications_mark_read(user=reader, ids=None, now=TUESDAY_10)
    assert unread_count(reader) == 0

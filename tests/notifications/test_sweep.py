"""A delivery whose worker died mid-send (killed: its claim stays) goes again within a minute, once: the
sweep, on beat's clock, takes the claim back once no live send can still hold it, and enqueues it ahead of
the new e-mails; the dead worker's own message, redelivered later, finds it sent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import Delivery, Kind
from notifications.services import deliveries_send, notify
from project.celery import app
from tests.factories import OfficerFactory
from tests.integration.processes import celery_broker
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

# Tuesday 21 April 2026, 10:00 in Bangkok: an office morning.
TUESDAY_10 = datetime.datetime(2026, 4, 21, 10, 0, tzinfo=BANGKOK)
A_MINUTE = datetime.timedelta(seconds=60)


@pytest.fixture
def memory_broker() -> Iterator[None]:
    with celery_broker("memory://"):
        try:
            yield
        finally:
            with app.connection_for_write() as conn:
                conn.default_channel.queue_purge(settings.NOTIFICATION_EMAIL_QUEUE)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


def claimed_by_a_worker_that_dies(clock: time_machine.Traveller) -> Delivery:
    reader = OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user
    notify(
        recipients=[reader], kind=Kind.TASK_ASSIGNED, context={"subject": "ปส.ชม. 1/2569"}, now=timezone.now()
    )
    # What delivery_send's claim writes; then SIGKILL: nothing more.
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=timezone.now(), attempts=1)
    return Delivery.objects.get()


@pytest.mark.parametrize("sweep_phase", [0.0, 0.5, 5.0, 10.0, 14.9])
def test_a_delivery_whose_worker_died_mid_send_is_enqueued_again_within_a_minute(
    memory_broker: None, clock: time_machine.Traveller, sweep_phase: float
) -> None:
    """Beat runs the sweep every NOTIFICATION_SWEEP_EVERY_SECONDS, at whatever moment of the claim."""
    delivery = claimed_by_a_worker_that_dies(clock)
    claimed_at = timezone.now()
    clock.shift(sweep_phase)

    while tasks.sweep() == 0:
        assert timezone.now() - claimed_at < A_MINUTE, "still not enqueued again a minute after the death"
        # A live send never lasts as long as the claim timeout: until then the claim stands.
        assert Delivery.objects.get().status == Delivery.Status.SENDING
        clock.shift(settings.NOTIFICATION_SWEEP_EVERY_SECONDS)

    assert timezone.now() - claimed_at < A_MINUTE
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert deliveries_send(delivery_ids=[delivery.pk]) == {
        "sent": [delivery.pk],
        "skipped": [],
        "failed": [],
        "unavailable": [],
    }
    # The dead worker's message, redelivered by the broker long after: nothing is sent twice.
    clock.shift(3600)
    assert deliveries_send(delivery_ids=[delivery.pk])["skipped"] == [delivery.pk]
    assert tasks.sweep() == 0
    assert len(mail.outbox) == 1


def test_a_claim_is_not_taken_back_while_a_live_send_may_still_hold_it(
    memory_broker: None, clock: time_machine.Traveller
) -> None:
    claimed_by_a_worker_that_dies(clock)

    clock.shift(settings.EMAIL_SEND_DEADLINE_SECONDS + 5)  # a send that took all its deadline, and more

    assert tasks.sweep() == 0
    assert Delivery.objects.get().status == Delivery.Status.SENDING

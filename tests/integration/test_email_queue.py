"""The e-mail queue against the real thing: a private redis-server, the compose file's e-mail worker
(`celery -A project worker --queues=email --pool=threads --concurrency=16`) on the test database, and a
slow SMTP relay (tests/integration/smtp_sink.py, in this process)."""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery, Kind
from notifications.services import Event, deliveries_sweep, notify, notify_many
from project.celery import app
from tests.factories import OfficerFactory
from tests.integration.processes import RedisServer, Worker, celery_broker
from tests.integration.smtp_sink import SmtpSink
from tests.integration.test_notification_reliability import message_id, smtp_env

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# docker-compose.yml's email-worker.
EMAIL_WORKER = {"pool": "threads", "concurrency": 16, "queues": [settings.NOTIFICATION_EMAIL_QUEUE]}


@pytest.fixture
def reader() -> User:
    return OfficerFactory(email="reader@dla.go.th", user__email="reader@dla.go.th").user


def test_an_email_worker_killed_mid_send_has_the_delivery_sent_again_within_a_minute_and_only_once(
    private_redis: RedisServer,
    smtp_sink: SmtpSink,
    workers: Callable[..., Worker],
    reader: User,
) -> None:
    smtp_sink.reply_delay = 0.2  # a slow relay
    sending, release = threading.Event(), threading.Event()

    def hold_the_first_message() -> None:  # the relay holds the first DATA: the worker is mid-send
        if not sending.is_set():
            sending.set()
            release.wait(60)

    smtp_sink.on_data = hold_the_first_message
    with celery_broker(private_redis.url):
        first = workers(broker_url=private_redis.url, env=smtp_env(smtp_sink), **EMAIL_WORKER)
        first.wait_ready()
        with transaction.atomic():
            notify(
                recipients=[reader],
                kind=Kind.TASK_ASSIGNED,
                context={"subject": "ปส.ชม. 1/2569"},
                now=timezone.now(),
            )
        assert sending.wait(60), first.output()
        assert Delivery.objects.get().status == Delivery.Status.SENDING

        first.kill()  # SIGKILL: the worker and its threads, nothing runs a shutdown handler
        killed_at = time.monotonic()
        release.set()  # the relay reads on: the dead client's connection ends before the final dot
        # What docker's restart policy does: a new e-mail worker.
        second = workers(broker_url=private_redis.url, env=smtp_env(smtp_sink), **EMAIL_WORKER)
        # Beat: the sweep every NOTIFICATION_SWEEP_EVERY_SECONDS, from the moment of the death.
        while smtp_sink.count == 0:
            assert time.monotonic() - killed_at < 60, f"not sent again within 60 s:\n{second.output()}"
            deliveries_sweep(now=timezone.now())
            smtp_sink.wait_for(1, timeout=settings.NOTIFICATION_SWEEP_EVERY_SECONDS)
        sent_again_after = time.monotonic() - killed_at

        deadline = time.monotonic() + 30
        while Delivery.objects.get().status != Delivery.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
        # Whatever the sweep does from now on, the delivery is not sent again.
        assert deliveries_sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0
        smtp_sink.wait_for(2, timeout=2)
        second.stop()

    print(f"sent again {sent_again_after:.1f} s after its worker was killed")
    delivery = Delivery.objects.get()
    assert sent_again_after < 60
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert smtp_sink.message_ids == [message_id(delivery.dedupe_key)]  # exactly once


def test_a_delivery_that_goes_again_is_queued_ahead_of_the_new_emails(
    private_redis: RedisServer, reader: User
) -> None:
    """A cycle opening's e-mails fill the queue; the delivery the sweep takes back from a dead worker is
    the next one a worker takes, not the last."""
    with celery_broker(private_redis.url):
        with transaction.atomic():  # enqueued on commit: five batches of new e-mails
            notify_many(
                events=[Event([reader], Kind.CYCLE_OPENED, {"subject": f"รอบ {i}"}) for i in range(100)],
                now=timezone.now(),
            )
        dead = Delivery.objects.order_by("pk").last()
        assert dead is not None
        claimed_at = timezone.now() - datetime.timedelta(
            seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS + 1
        )
        Delivery.objects.filter(pk=dead.pk).update(
            status=Delivery.Status.SENDING, claimed_at=claimed_at, attempts=1
        )

        assert deliveries_sweep(now=timezone.now()) == 1

        with app.connection_for_read() as conn:
            channel = conn.default_channel
            taken = []
            while (message := channel.basic_get(settings.NOTIFICATION_EMAIL_QUEUE, no_ack=True)) is not None:
                taken.append(message.decode()[0][0])
    assert taken[0] == [dead.pk]
    assert len(taken) == 1 + 5

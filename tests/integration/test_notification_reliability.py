"""Notifications are never lost and never sent twice, against the real thing: a private redis-server that
the test stops and starts, real `celery -A project worker` processes on the test database, and a real SMTP
server (tests/integration/smtp_sink.py, in this process) that counts the messages it accepted and their Message-IDs."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from notifications.models import Delivery, Kind, Notification
from notifications.services import Event, deliveries_sweep, notify, notify_many
from tests.factories import OfficerFactory
from tests.integration.processes import RedisServer, Worker, celery_broker
from tests.integration.smtp_sink import SmtpSink

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# A web request must never hang on the broker (notes/platform.md: 0.7 s refused, 19 s or forever hung).
QUICK = 3.0


def smtp_env(sink: SmtpSink) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "10",
    }


@pytest.fixture
def readers() -> list:  # type: ignore[type-arg]
    return [
        OfficerFactory(email=f"reader{i}@dla.go.th", user__email=f"reader{i}@dla.go.th").user
        for i in range(10)
    ]


def expected_message_ids() -> set[str]:
    keys = Delivery.objects.values_list("dedupe_key", flat=True)
    return {f"<{key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>" for key in keys}


def wait_until_all_sent(total: int, *, timeout: float, worker: Worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Delivery.objects.filter(status=Delivery.Status.SENT).count() >= total:
            return
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.1)
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))
    pytest.fail(f"not all {total} deliveries SENT within {timeout} s: {counts}\n{worker.output()}")


def later(seconds: int) -> datetime.datetime:
    """A sweep's `now`, `seconds` (plus one) from now: what beat would pass once that much time went by."""
    return timezone.now() + datetime.timedelta(seconds=seconds + 1)


def test_redis_down_while_100_events_happen_then_all_are_delivered_once(
    private_redis: RedisServer,
    smtp_sink: SmtpSink,
    workers: Callable[..., Worker],
    readers: list,  # type: ignore[type-arg]
    caplog: pytest.LogCaptureFixture,
) -> None:
    with celery_broker(private_redis.url):
        private_redis.stop()

        durations = []
        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            for i in range(100):
                started = time.perf_counter()
                with transaction.atomic():  # the event, as a web request commits it
                    notify(
                        recipients=[readers[i % len(readers)]],
                        kind=Kind.TASK_ASSIGNED,
                        context={"subject": f"ปส.ชม. {i + 1}/2569"},
                        now=timezone.now(),
                    )
                durations.append(time.perf_counter() - started)

        assert max(durations) < QUICK, f"an event took {max(durations):.2f} s with Redis down"
        # Each commit tried the broker and left its delivery to the sweep.
        assert sum("broker unavailable" in r.getMessage() for r in caplog.records) == 100
        assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 100
        assert smtp_sink.count == 0

        private_redis.start()
        worker = workers(broker_url=private_redis.url, env=smtp_env(smtp_sink))
        assert deliveries_sweep(now=later(settings.NOTIFICATION_SWEEP_AFTER_SECONDS)) == 100

        wait_until_all_sent(100, timeout=60, worker=worker)
        smtp_sink.wait_for(100, timeout=10)
        worker.stop()  # nothing more can arrive after this

    assert Notification.objects.count() == 100
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 100
    assert smtp_sink.duplicates() == {}
    assert smtp_sink.count == 100
    assert set(smtp_sink.message_ids) == expected_message_ids()


def test_a_worker_killed_mid_batch_of_500_then_every_email_is_sent_exactly_once(
    private_redis: RedisServer,
    smtp_sink: SmtpSink,
    workers: Callable[..., Worker],
    readers: list,  # type: ignore[type-arg]
) -> None:
    total = 500
    with celery_broker(private_redis.url):
        first = workers(broker_url=private_redis.url, pool="prefork", concurrency=2, env=smtp_env(smtp_sink))
        first.wait_ready()
        with transaction.atomic():  # enqueued on commit: ten `deliver` tasks of 50
            notify_many(
                events=[
                    Event(
                        [readers[i % len(readers)]], Kind.TASK_ASSIGNED, {"subject": f"ปส.ชม. {i + 1}/2569"}
                    )
                    for i in range(total)
                ],
                now=timezone.now(),
            )

        seen = smtp_sink.wait_for(50, timeout=60)
        first.kill()
        at_kill = smtp_sink.count
        assert 50 <= seen <= at_kill < total, f"killed after {at_kill} of {total} messages: not mid-batch"
        statuses = dict.fromkeys(Delivery.Status.values, 0)
        for status in Delivery.objects.values_list("status", flat=True):
            statuses[status] += 1
        assert statuses[Delivery.Status.SENT] >= at_kill - 2  # recorded before the final dot

        # Beat's sweep, once the claim timeout has passed: the dead worker's claims come back, and every
        # pending delivery is enqueued again (those still queued in Redis too: their claim makes it once).
        assert deliveries_sweep(now=later(settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)) == (
            total - Delivery.objects.filter(status=Delivery.Status.SENT).count()
        )
        second = workers(broker_url=private_redis.url, pool="prefork", concurrency=2, env=smtp_env(smtp_sink))
        wait_until_all_sent(total, timeout=60, worker=second)
        smtp_sink.wait_for(total, timeout=10)
        second.stop()

    print(f"killed at {at_kill} messages; deliveries then: {statuses}")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == total
    assert smtp_sink.duplicates() == {}
    assert smtp_sink.count == total
    assert set(smtp_sink.message_ids) == expected_message_ids()

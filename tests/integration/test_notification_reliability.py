"""Notifications are never lost, and repeated only with the same Message-ID, against the real thing: a
private redis-server that the test stops and starts, real `celery -A project worker` processes on the test database, and a real SMTP
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
from notifications.services import Event, deliveries_sweep, enqueue, notify, notify_many
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


def message_id(dedupe_key: str) -> str:
    return f"<{dedupe_key}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def expected_message_ids() -> set[str]:
    return {message_id(key) for key in Delivery.objects.values_list("dedupe_key", flat=True)}


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
        # The first use of the broker imports the transport and builds the producer pool (seconds on a
        # loaded machine): not what is measured here, which is the wait for a broker that is down.
        enqueue([])
        caplog.clear()

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


def test_a_worker_killed_mid_batch_of_500_then_every_email_arrives_at_least_once_with_one_message_id(
    private_redis: RedisServer,
    smtp_sink: SmtpSink,
    workers: Callable[..., Worker],
    readers: list,  # type: ignore[type-arg]
) -> None:
    """At least once, never lost: a delivery is recorded SENT only after the relay accepted it, so a kill
    loses nothing; only what was in flight at the kill (at most the worker's concurrency) can arrive
    twice, and then with the same Message-ID."""
    total, concurrency = 500, 2
    with celery_broker(private_redis.url):
        first = workers(
            broker_url=private_redis.url, pool="prefork", concurrency=concurrency, env=smtp_env(smtp_sink)
        )
        first.wait_ready()
        with transaction.atomic():  # enqueued on commit: `deliver` tasks of 20
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
        at_kill = set(smtp_sink.message_ids)
        assert 50 <= seen <= len(at_kill) < total, f"killed after {len(at_kill)} of {total}: not mid-batch"
        by_status: dict[str, set[str]] = {status: set() for status in Delivery.Status.values}
        for key, status in Delivery.objects.values_list("dedupe_key", "status"):
            by_status[status].add(message_id(key))
        # Recorded only after the relay's reply: every delivery SENT at the kill had arrived...
        assert by_status[Delivery.Status.SENT] <= at_kill
        # ... and what arrived without its record was in flight (claimed) at the kill.
        in_flight = by_status[Delivery.Status.SENDING]
        assert at_kill - by_status[Delivery.Status.SENT] <= in_flight
        assert len(in_flight) <= concurrency

        # Beat's sweep, once the claim timeout (and the sweep's wait for pending rows) has passed: the dead
        # worker's claims come back, and every pending delivery is enqueued again (those still queued in
        # Redis too: their claim makes it once).
        waited = max(settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS, settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
        assert deliveries_sweep(now=later(waited)) == (
            total - Delivery.objects.filter(status=Delivery.Status.SENT).count()
        )
        second = workers(
            broker_url=private_redis.url, pool="prefork", concurrency=concurrency, env=smtp_env(smtp_sink)
        )
        wait_until_all_sent(total, timeout=60, worker=second)
        second.stop()

    repeats = smtp_sink.duplicates()
    print(f"killed at {len(at_kill)} messages; in flight {len(in_flight)}; repeated {len(repeats)}")
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == total
    assert set(smtp_sink.message_ids) == expected_message_ids()  # every Message-ID at least once
    assert set(repeats) <= in_flight  # a repeat only for what was in flight at the kill...
    assert all(count == 2 for count in repeats.values())  # ... and only once more
    assert smtp_sink.count == total + len(repeats)

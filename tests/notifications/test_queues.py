"""E-mail has a queue of its own: a slow mail relay fills the e-mail queue, never the one that fires the
deadlines, reminders and escalations (nor the outbox sweep, which takes back a dead worker's e-mails)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from deadlines.tasks import fire_deadlines
from notifications.services import enqueue
from notifications.tasks import sweep
from project import devrun
from project.celery import app
from tests.integration.processes import celery_broker

EMAIL = settings.NOTIFICATION_EMAIL_QUEUE
DEFAULT = settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.fixture
def memory_broker() -> Iterator[None]:
    """kombu's in-memory broker, in this process: what was published can be read back, queue by queue."""
    with celery_broker("memory://"):
        try:
            yield
        finally:
            with app.connection_for_write() as conn:
                for queue in (EMAIL, DEFAULT, settings.WEBHOOK_QUEUE):
                    conn.default_channel.queue_purge(queue)


def queued_tasks(queue: str) -> list[tuple[str, list[object]]]:
    """The task names and arguments waiting in a queue (taken out of it)."""
    found = []
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            args, _kwargs, _embed = message.decode()
            found.append((message.headers["task"], args))
    return found


def test_deliveries_wait_in_the_email_queue_and_the_deadline_firing_in_the_default_one(
    memory_broker: None,
) -> None:
    assert EMAIL != DEFAULT

    enqueue([1, 2, 3])
    fire_deadlines.delay()
    sweep.delay()

    assert queued_tasks(EMAIL) == [("notifications.tasks.deliver", [[1, 2, 3]])]
    assert queued_tasks(DEFAULT) == [
        ("deadlines.tasks.fire_deadlines", []),
        ("notifications.tasks.sweep", []),
    ]


def test_every_periodic_job_runs_on_the_default_queue_and_every_email_on_the_email_queue() -> None:
    """Beat's jobs (the deadlines, the escalations, the sweep that takes back a dead worker's e-mails) are
    never queued behind e-mail; what sends e-mail (deliveries, digests) never occupies the default worker."""
    router = app.amqp.router
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert router.route({}, entry["task"])["queue"].name == DEFAULT, entry["task"]
    for task in ("notifications.tasks.deliver", "notifications.tasks.send_digest"):
        assert router.route({}, task)["queue"].name == EMAIL, task


def test_make_run_starts_a_worker_that_consumes_every_queue() -> None:
    worker = devrun.commands(8000)["worker"]

    assert f"--queues={DEFAULT},{EMAIL},{settings.WEBHOOK_QUEUE}" in worker


def test_webhook_deliveries_wait_in_their_own_queue(memory_broker: None) -> None:
    """A receiver that hangs until the send deadline delays neither e-mail nor the periodic jobs."""
    hooks = settings.WEBHOOK_QUEUE
    assert hooks not in (EMAIL, DEFAULT)

    enqueue([7, 8], webhook=True)

    assert queued_tasks(hooks) == [("notifications.tasks.deliver_webhooks", [[7, 8]])]
    assert queued_tasks(EMAIL) == []

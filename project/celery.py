"""The Celery application: configured from Django settings (the CELERY_* names)."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _first_heartbeat(sender: Any, **kwargs: Any) -> None:
    """Beat first fires the heartbeat 30 s after it starts: send one now, through the broker, so that
    /healthz turns healthy as soon as a worker consumes tasks. It goes to a queue this worker reads."""
    queue = next(iter(sender.app.amqp.queues.consume_from), None)
    sender.app.send_task("health.tasks.heartbeat", queue=queue, expires=60)

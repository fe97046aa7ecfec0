"""The Celery application: configured from Django settings (the CELERY_* names)."""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_ready
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _logging_of_the_service(**kwargs: Any) -> None:
    """Workers and beat log as the web does (settings.LOGGING: JSON lines in production, each with the
    running task's id and name), not in Celery's own format: a receiver here keeps Celery's hands off."""
    logging.config.dictConfig(settings.LOGGING)


@worker_ready.connect
def _first_heartbeat(sender: Any, **kwargs: Any) -> None:
    """Beat first fires the heartbeat 30 s after it starts: send one now, through the broker, so that
    /healthz turns healthy as soon as a worker consumes tasks. It goes to a queue this worker reads."""
    queue = next(iter(sender.app.amqp.queues.consume_from), None)
    sender.app.send_task("health.tasks.heartbeat", queue=queue, expires=60)

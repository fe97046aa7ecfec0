import socket

from celery import shared_task
from django.utils import timezone

from cases.models import WorkerHeartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Run by beat every 30 s: proves that beat schedules and a worker runs tasks (/healthz reads it)."""
    WorkerHeartbeat.objects.update_or_create(
        worker=socket.gethostname(), defaults={"beat_at": timezone.now()}
    )

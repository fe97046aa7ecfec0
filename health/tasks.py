import datetime
import socket

from celery import Task, shared_task
from django.utils import timezone

from health.models import WorkerHeartbeat

# A worker that has not beaten for this long is gone (an old container); its row is pruned.
_FORGET_AFTER = datetime.timedelta(days=7)


@shared_task(bind=True, ignore_result=True)
def heartbeat(self: Task[[], None]) -> None:
    """Run by beat every 30 s: proves that beat schedules and a worker runs tasks (/healthz reads it).

    One row per worker node name (celery@host)."""
    now = timezone.now()
    worker = self.request.hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"beat_at": now})
    WorkerHeartbeat.objects.filter(beat_at__lt=now - _FORGET_AFTER).delete()

"""/healthz: the state of the database, the broker and the last worker heartbeat; /metrics for Prometheus."""

from __future__ import annotations

import datetime
from typing import Any

from celery import current_app as app  # the project's (project/celery.py, loaded with Django)
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from health.metrics import metrics_allowed, scrape
from health.models import WorkerHeartbeat


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure means unhealthy, whatever the driver raises
        return {"ok": False, "error": exc.__class__.__name__}


def _broker() -> dict[str, Any]:
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    # Short socket timeouts of our own: a broker that accepts and never answers must not hang /healthz.
    short = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with app.connection_for_write(transport_options=short, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            driver = conn.transport.driver_type
        return {"ok": True, "transport": driver}
    except Exception as exc:  # kombu raises many kinds; all mean the broker is not usable
        return {"ok": False, "error": exc.__class__.__name__}


def _worker(database_ok: bool) -> dict[str, Any]:
    if not database_ok:
        return {"ok": False, "error": "database unavailable"}
    last = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return {"ok": False, "last_heartbeat": None}
    age = (timezone.now() - last).total_seconds()
    max_age = datetime.timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS).total_seconds()
    return {"ok": age <= max_age, "last_heartbeat": last.isoformat(), "age_seconds": round(age)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    checks = {"database": database, "broker": _broker(), "worker": _worker(database["ok"])}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape. Outsiders get the site's 404, as if nothing were here."""
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)

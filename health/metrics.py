"""The service's Prometheus metrics (/metrics, read only by the addresses of METRICS_ALLOWED_IPS).

Three sources, one text page:

- Web requests (this module's middleware): requests by view, method and status, their latency and their
  database queries. Counted in the web process; under gunicorn (several worker processes) prometheus-client's
  multiprocess mode sums every worker's files (PROMETHEUS_MULTIPROC_DIR, set by gunicorn.conf.py).
- Background work, from Redis when the broker is Redis: the Celery queues' lengths and the outcome of every
  task (counted by the workers through Celery's signals into one Redis hash, so that every worker container,
  however many, adds to the same counters and the web side reads them at scrape time). Without Redis (the
  file-system broker of `make run`) these are left out.
- The state of the service, read from the database at scrape time: the outbox (deliveries waiting or failed
  per channel), the deadline engine (reminders and escalations due, failed, fired in the last hour), each
  worker's last heartbeat and when beat last sent each periodic task.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

import redis
from celery import current_app
from celery.signals import task_postrun, task_revoked
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.transport.redis import Channel as RedisChannel
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from deadlines.models import ScheduledAction
from health.models import WorkerHeartbeat
from notifications.models import Channel, Delivery

logger = logging.getLogger(__name__)

# No *_created series beside each counter (multiprocess mode has none either: the same page either way).
disable_created_metrics()

# --- web requests ----------------------------------------------------------------------------------------

REQUESTS = Counter(
    "dla_http_requests", "HTTP requests answered, by view, method and status", ["view", "method", "status"]
)
LATENCY = Histogram(
    "dla_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
QUERIES = Histogram(
    "dla_http_request_db_queries",
    "Database queries run by one request, by view",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 12, 16, 20, 30, 50, 100, 200),
)

# A request no URL matched (404s of unknown paths): one label for all, never the path.
UNRESOLVED = "<unresolved>"


def view_name(request: HttpRequest) -> str:
    """The URL pattern's name (app:name), a bounded label; never the path itself."""
    match = request.resolver_match
    return match.view_name if match is not None else UNRESOLVED


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    """Counts each request, its time and its database queries (outermost but for the request log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_name(request)
        REQUESTS.labels(view=view, method=request.method or "", status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(elapsed)
        QUERIES.labels(view=view).observe(queries.count)
        return response


# --- background work (Redis) -----------------------------------------------------------------------------

# Hash field "task name|state" -> count, added to by every worker (HINCRBY).
TASK_OUTCOMES_KEY = "dla:metrics:celery_task_outcomes"
_FIELD_SEPARATOR = "|"


@cache
def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)


def task_outcome_count(*, task: str, state: str) -> None:
    """Adds one to a task's outcome; a metric never fails the task (Redis down: the task fails anyway)."""
    client = _redis()
    if client is None:
        return
    try:
        client.hincrby(TASK_OUTCOMES_KEY, f"{task}{_FIELD_SEPARATOR}{state}", 1)
    except redis.RedisError:
        logger.warning("task outcome not counted: Redis unavailable", exc_info=True)


@task_postrun.connect
def _task_finished(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    # SUCCESS, FAILURE, RETRY, IGNORED or REJECTED.
    task_outcome_count(task=getattr(task, "name", "unknown"), state=state or "UNKNOWN")


@task_revoked.connect
def _task_revoked(sender: Any = None, expired: bool = False, **kwargs: Any) -> None:
    # Expired: a periodic task whose run came too late (e.g. queued while no worker ran), dropped.
    task_outcome_count(task=getattr(sender, "name", "unknown"), state="EXPIRED" if expired else "REVOKED")


def queue_names() -> list[str]:
    """The queues the workers consume: the default one, those declared and those the routes name."""
    conf = current_app.conf
    names = {conf.task_default_queue, *current_app.amqp.queues.keys()}
    routes = conf.task_routes
    if isinstance(routes, dict):
        names |= {route["queue"] for route in routes.values() if isinstance(route, dict) and "queue" in route}
    return sorted(names)


def _redis_lists(queue: str) -> list[str]:
    """kombu keeps one Redis list per queue and priority step (the plain name for priority 0)."""
    return [
        queue if step == 0 else f"{queue}{RedisChannel.sep}{step}" for step in RedisChannel.priority_steps
    ]


def _background(client: redis.Redis) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    lengths = GaugeMetricFamily(
        "dla_celery_queue_length",
        "Tasks waiting in a Celery queue (not yet taken by a worker)",
        labels=["queue"],
    )
    pipe = client.pipeline(transaction=False)
    names = queue_names()
    for name in names:
        for key in _redis_lists(name):
            pipe.llen(key)
    pipe.hlen("unacked")  # kombu's hash of the tasks workers have taken and not yet acknowledged
    pipe.hgetall(TASK_OUTCOMES_KEY)
    *llens, unacked, outcomes = pipe.execute()
    steps = len(RedisChannel.priority_steps)
    for index, name in enumerate(names):
        lengths.add_metric([name], sum(llens[index * steps : (index + 1) * steps]))
    yield lengths
    yield GaugeMetricFamily(
        "dla_celery_tasks_unacknowledged", "Tasks taken by a worker and not yet finished", value=unacked
    )
    tasks = CounterMetricFamily(
        "dla_celery_tasks",
        "Celery tasks finished, by task and outcome (all workers)",
        labels=["task", "state"],
    )
    for field, count in sorted(outcomes.items()):
        task, _, state = field.decode().rpartition(_FIELD_SEPARATOR)
        tasks.add_metric([task, state], int(count))
    yield tasks


# --- the service's state (database) -----------------------------------------------------------------------


def _timestamp(moment: datetime.datetime | None) -> float:
    return moment.timestamp() if moment is not None else 0.0


def _outbox(now: datetime.datetime) -> Iterator[GaugeMetricFamily]:
    status = Delivery.Status
    deliveries = GaugeMetricFamily(
        "dla_outbox_deliveries",
        "Notification deliveries not yet sent or given up, by channel and status",
        labels=["channel", "status"],
    )
    due = GaugeMetricFamily(
        "dla_outbox_due",
        "Pending deliveries whose time has come (not held for office hours or a digest)",
        labels=["channel"],
    )
    oldest = GaugeMetricFamily(
        "dla_outbox_oldest_due_timestamp_seconds",
        "When the longest-waiting due delivery became due (0: none waits)",
        labels=["channel"],
    )
    rows: dict[str, Mapping[str, Any]] = {
        row["channel"]: row
        for row in Delivery.objects.filter(status__in=[status.PENDING, status.SENDING, status.FAILED])
        .values("channel")
        .annotate(
            pending=Count("pk", filter=Q(status=status.PENDING)),
            sending=Count("pk", filter=Q(status=status.SENDING)),
            failed=Count("pk", filter=Q(status=status.FAILED)),
            due=Count("pk", filter=Q(status=status.PENDING, not_before__lte=now)),
            oldest_due=Min("not_before", filter=Q(status=status.PENDING, not_before__lte=now)),
        )
        .order_by()
    }
    for name in Channel.values:
        row = rows.get(name, {})
        for label in ("pending", "sending", "failed"):
            deliveries.add_metric([name, label], row.get(label, 0))
        due.add_metric([name], row.get("due", 0))
        oldest.add_metric([name], _timestamp(row.get("oldest_due")))
    yield from (deliveries, due, oldest)


def _deadlines(now: datetime.datetime) -> Iterator[GaugeMetricFamily]:
    status = ScheduledAction.Status
    hour_ago = now - datetime.timedelta(hours=1)
    families = {
        "due": GaugeMetricFamily(
            "dla_deadline_actions_due",
            "Reminders and escalations whose time has come and that have not fired yet",
            labels=["kind"],
        ),
        "oldest_due": GaugeMetricFamily(
            "dla_deadline_actions_oldest_due_timestamp_seconds",
            "When the longest-waiting due reminder or escalation was due (0: none waits)",
            labels=["kind"],
        ),
        "fired": GaugeMetricFamily(
            "dla_deadline_actions_fired_last_hour",
            "Reminders and escalations fired in the last hour",
            labels=["kind"],
        ),
        "failed": GaugeMetricFamily(
            "dla_deadline_actions_failed",
            "Reminders and escalations that failed and wait for staff",
            labels=["kind"],
        ),
    }
    rows: dict[str, Mapping[str, Any]] = {
        row["kind"]: row
        for row in ScheduledAction.objects.values("kind")
        .annotate(
            due=Count("pk", filter=Q(status=status.PENDING, fire_at__lte=now)),
            oldest_due=Min("fire_at", filter=Q(status=status.PENDING, fire_at__lte=now)),
            fired=Count("pk", filter=Q(status=status.FIRED, fired_at__gte=hour_ago)),
            failed=Count("pk", filter=Q(status=status.FAILED)),
        )
        .order_by()
    }
    for kind in ScheduledAction.Kind.values:
        row = rows.get(kind, {})
        families["due"].add_metric([kind], row.get("due", 0))
        families["oldest_due"].add_metric([kind], _timestamp(row.get("oldest_due")))
        families["fired"].add_metric([kind], row.get("fired", 0))
        families["failed"].add_metric([kind], row.get("failed", 0))
    yield from families.values()


def _heartbeats() -> Iterator[GaugeMetricFamily]:
    workers = GaugeMetricFamily(
        "dla_worker_heartbeat_timestamp_seconds",
        "When each Celery worker last ran the heartbeat task (beat sends it every 30 s)",
        labels=["worker"],
    )
    for worker, beat_at in WorkerHeartbeat.objects.order_by("worker").values_list("worker", "beat_at"):
        workers.add_metric([worker], beat_at.timestamp())
    yield workers
    beat = GaugeMetricFamily(
        "dla_beat_last_run_timestamp_seconds",
        "When Celery beat last sent each periodic task (beat saves it every few minutes)",
        labels=["task"],
    )
    for name, last_run in (
        PeriodicTask.objects.filter(enabled=True).order_by("name").values_list("name", "last_run_at")
    ):
        beat.add_metric([name], _timestamp(last_run))
    yield beat
    last = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    yield GaugeMetricFamily(
        "dla_heartbeat_last_timestamp_seconds",
        "The latest heartbeat of any worker: beat scheduled it and a worker ran it (0: never)",
        value=_timestamp(last),
    )


class ServiceStateCollector(Collector):
    """Read at scrape time. A part that cannot be read (the database or Redis down) is left out and
    named by dla_metrics_part_up 0, so the request metrics still reach Prometheus."""

    def collect(self) -> Iterator[Any]:
        up = GaugeMetricFamily(
            "dla_metrics_part_up",
            "1 when this part of the metrics could be read at this scrape",
            labels=["part"],
        )
        now = timezone.now()
        parts: list[tuple[str, Callable[[], Iterator[Any]]]] = [
            ("outbox", lambda: _outbox(now)),
            ("deadlines", lambda: _deadlines(now)),
            ("heartbeats", _heartbeats),
        ]
        client = _redis()
        if client is not None:
            parts.append(("celery", lambda: _background(client)))
        for name, read in parts:
            try:
                families = list(read())
            except Exception:  # the database or Redis failing in any of their ways: this part is down
                logger.exception("metrics: %s could not be read", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


class _ThisProcess(Collector):
    """The web metrics of this process alone (runserver, tests: one process)."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def scrape() -> bytes:
    """The metrics page in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)  # every gunicorn worker's counters, summed
    else:
        registry.register(_ThisProcess())
    registry.register(ServiceStateCollector())
    return generate_latest(registry)


# --- who may read it --------------------------------------------------------------------------------------


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a header writes it: 192.0.2.1, 192.0.2.1:4711, [2001:db8::1]:4711, "[2001:db8::1]"."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket writes an IPv4 peer as ::ffff:192.0.2.1.
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return mapped or address


def _hops(request: HttpRequest) -> list[str]:
    """Every address the request names: the peer, and those the proxies in front of it forwarded."""
    meta = request.META
    hops = [str(meta.get("REMOTE_ADDR", ""))]
    hops += meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if meta.get("HTTP_X_FORWARDED_FOR") else []
    hops += [meta["HTTP_X_REAL_IP"]] if meta.get("HTTP_X_REAL_IP") else []
    for element in meta.get("HTTP_FORWARDED", "").replace(";", ",").split(","):
        key, _, value = element.strip().partition("=")
        if key.lower() == "for":
            hops.append(value)
    return hops


def metrics_allowed(request: HttpRequest) -> bool:
    """Only when every address on the way is inside METRICS_ALLOWED_IPS: a request through the public proxy
    names its client in X-Forwarded-For (or X-Real-IP, Forwarded), so an outsider is refused even though
    the proxy itself is inside; an address that cannot be read refuses too."""
    networks = [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]
    for hop in _hops(request):
        address = _address(hop)
        if address is None or not any(address in network for network in networks):
            return False
    return True

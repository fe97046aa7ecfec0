"""/metrics: read by Prometheus' own text parser (prometheus-client's), from inside only.

It counts requests by view and status with their latency and queries, and reads the state of the service at
scrape time: the outbox per channel, the deadline engine, the heartbeats; with Redis, the Celery queues and
the outcome of every task, whichever worker ran it."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pytest_django import Settings

from deadlines.models import DeadlinePolicy, ScheduledAction, Urgency
from deadlines.services.deadlines import deadline_start, policy_define_step
from health import metrics
from health.models import WorkerHeartbeat
from health.tasks import heartbeat
from notifications.models import Channel, Delivery, Kind, Notification
from organisation.models import District
from project.celery import app
from tests.factories import OfficerFactory, UserFactory
from workdays.calendar import BANGKOK

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: Client, **extra: str) -> Samples:
    response = client.get("/metrics", **extra)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def delivery(*, channel: str, status: str, not_before: datetime.datetime, n: int) -> None:
    notification = Notification.objects.create(
        recipient=UserFactory(), kind=Kind.TASK_ASSIGNED, created_at=timezone.now()
    )
    Delivery.objects.create(
        notification=notification,
        channel=channel,
        dedupe_key=f"metrics-{n}",
        status=status,
        not_before=not_before,
    )


def test_requests_by_view_and_status_with_latency_and_queries(client: Client) -> None:
    officer = OfficerFactory()
    client.force_login(officer.user)
    before = scrape(client)  # the counters of this process: other tests' requests are in them too
    client.get("/notifications/")
    client.get("/notifications/")
    client.get("/no-such-page/")

    after = scrape(client)

    def added(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after[key] - before.get(key, 0)

    assert added("dla_http_requests_total", view="notifications:inbox", method="GET", status="200") == 2
    assert added("dla_http_requests_total", view="<unresolved>", method="GET", status="404") == 1
    assert added("dla_http_request_duration_seconds_count", view="notifications:inbox") == 2
    assert added("dla_http_request_duration_seconds_sum", view="notifications:inbox") > 0
    assert added("dla_http_request_duration_seconds_bucket", view="notifications:inbox", le="+Inf") == 2
    # The signed-in page reads the session, the user, the officer...: its queries are counted, per request.
    assert added("dla_http_request_db_queries_count", view="notifications:inbox") == 2
    assert added("dla_http_request_db_queries_sum", view="notifications:inbox") >= 2 * 3


def test_the_outbox_deadlines_and_heartbeats_are_read_at_scrape_time(client: Client) -> None:
    now = timezone.now()
    delivery(
        channel=Channel.EMAIL,
        status=Delivery.Status.PENDING,
        not_before=now - datetime.timedelta(minutes=5),
        n=1,
    )
    delivery(
        channel=Channel.EMAIL,
        status=Delivery.Status.PENDING,
        not_before=now + datetime.timedelta(hours=9),
        n=2,
    )
    delivery(channel=Channel.EMAIL, status=Delivery.Status.FAILED, not_before=now, n=3)
    delivery(channel=Channel.IN_APP, status=Delivery.Status.SENT, not_before=now, n=4)
    policy = DeadlinePolicy.objects.get(is_active=True)
    policy_define_step(policy=policy, step="test.review", working_days=dict.fromkeys(Urgency.values, 1))
    officer = OfficerFactory()
    deadline_start(
        task=officer, case=District.objects.get(code="5001"), step="test.review", urgency=Urgency.NORMAL,
        assignee=officer.user, province=officer.province, now=datetime.datetime(2026, 4, 10, 10, tzinfo=BANGKOK),
    )  # fmt: skip
    actions = ScheduledAction.objects.order_by("fire_at")
    assert actions.count() >= 3  # a reminder and escalations, all long past their time
    first, second = actions[0], actions[1]
    ScheduledAction.objects.filter(pk=first.pk).update(status=ScheduledAction.Status.FIRED, fired_at=now)
    ScheduledAction.objects.filter(pk=second.pk).update(status=ScheduledAction.Status.FAILED)
    pending = ScheduledAction.objects.filter(status=ScheduledAction.Status.PENDING)
    oldest_pending = pending.order_by("fire_at").first()
    beat_at = now - datetime.timedelta(seconds=20)
    WorkerHeartbeat.objects.create(worker="celery@worker-1", beat_at=beat_at)

    samples = scrape(client)

    assert value(samples, "dla_outbox_deliveries", channel="email", status="pending") == 2
    assert value(samples, "dla_outbox_deliveries", channel="email", status="failed") == 1
    assert value(samples, "dla_outbox_deliveries", channel="in_app", status="pending") == 0
    assert value(samples, "dla_outbox_due", channel="email") == 1  # the other waits for its time
    assert value(samples, "dla_outbox_oldest_due_timestamp_seconds", channel="email") == pytest.approx(
        (now - datetime.timedelta(minutes=5)).timestamp()
    )
    assert value(samples, "dla_outbox_oldest_due_timestamp_seconds", channel="in_app") == 0
    by_kind = {
        kind: {
            "due": value(samples, "dla_deadline_actions_due", kind=kind),
            "fired": value(samples, "dla_deadline_actions_fired_last_hour", kind=kind),
            "failed": value(samples, "dla_deadline_actions_failed", kind=kind),
        }
        for kind in ScheduledAction.Kind.values
    }
    assert sum(counts["due"] for counts in by_kind.values()) == pending.count()
    assert by_kind[first.kind]["fired"] == 1 and by_kind[second.kind]["failed"] >= 1
    assert sum(counts["failed"] for counts in by_kind.values()) == 1
    assert value(
        samples, "dla_deadline_actions_oldest_due_timestamp_seconds", kind=oldest_pending.kind
    ) == pytest.approx(oldest_pending.fire_at.timestamp())
    assert value(
        samples, "dla_worker_heartbeat_timestamp_seconds", worker="celery@worker-1"
    ) == pytest.approx(beat_at.timestamp())
    assert value(samples, "dla_heartbeat_last_timestamp_seconds") == pytest.approx(beat_at.timestamp())
    assert value(samples, "dla_metrics_part_up", part="outbox") == 1


def test_without_redis_the_celery_part_is_left_out(client: Client, settings: Settings) -> None:
    settings.REDIS_URL = ""
    metrics._redis.cache_clear()
    try:
        samples = scrape(client)
    finally:
        metrics._redis.cache_clear()

    assert not [name for name, _ in samples if name.startswith("dla_celery")]
    assert ("dla_metrics_part_up", frozenset({("part", "celery")})) not in samples


# --- who may read it --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"REMOTE_ADDR": "203.0.113.7"},
        # Through the public proxy on the same machine: the peer is inside, the client is not.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.7"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.7"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_FORWARDED": 'for="[2001:db8::7]:4711";proto=https'},
        # An outsider who writes an inside address in the header is still the peer.
        {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "127.0.0.1"},
        # What cannot be read as an address refuses.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "unknown"},
    ],
)
def test_outsiders_get_the_sites_404_and_no_metrics(client: Client, headers: dict[str, str]) -> None:
    response = client.get("/metrics", **headers)  # type: ignore[arg-type]

    assert response.status_code == 404
    assert b"dla_" not in response.content


def test_the_setting_lists_who_may_read_it(client: Client, settings: Settings) -> None:
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16", "2001:db8::1"]

    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200  # type: ignore[arg-type]
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.20.3.4").status_code == 200  # type: ignore[arg-type]
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::1").status_code == 200  # type: ignore[arg-type]
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 404  # type: ignore[arg-type]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404  # type: ignore[arg-type]


def test_prometheus_reads_it_over_plain_http_when_https_is_enforced(
    client: Client, settings: Settings
) -> None:
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/metrics").status_code == 200
    assert client.get("/").status_code == 301


def test_a_wrong_address_in_the_setting_stops_the_service() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.test_settings",
        "METRICS_ALLOWED_IPS": "10.0.0.0/33",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS: '10.0.0.0/33' is not an address or network" in result.stderr


# --- several gunicorn workers --------------------------------------------------------------------------

ONE_WORKER = """
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from health.metrics import MetricsMiddleware

middleware = MetricsMiddleware(lambda request: HttpResponse(status=201))
for _ in range(3):
    middleware(RequestFactory().get("/anything"))
"""


def test_every_worker_process_counts_in_one_scrape(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In multiprocess mode (gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR) a scrape, answered by any one
    worker, sums the requests of all of them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.test_settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    for _ in range(2):  # two worker processes, one after the other
        subprocess.run([sys.executable, "-c", ONE_WORKER], cwd=BASE_DIR, env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    samples = scrape(client)

    assert value(samples, "dla_http_requests_total", view="<unresolved>", method="GET", status="201") == 6
    assert value(samples, "dla_http_request_duration_seconds_count", view="<unresolved>") == 6
    # Read at scrape time, in multiprocess mode too.
    assert ("dla_outbox_due", frozenset({("channel", "email")})) in samples


def test_gunicorn_conf_gives_the_workers_an_empty_metrics_directory(tmp_path: Path) -> None:
    stale = tmp_path / "metrics"
    stale.mkdir()
    (stale / "counter_99999.db").write_bytes(b"from an earlier run")
    script = (
        "import runpy; conf = runpy.run_path('gunicorn.conf.py'); conf['on_starting'](None); "
        "import os; print(os.environ['PROMETHEUS_MULTIPROC_DIR']); print(conf['accesslog'])"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(stale)}

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == [str(stale), "None"]
    assert list(stale.iterdir()) == []


# --- Celery, with Redis -----------------------------------------------------------------------------------


@pytest.fixture
def redis_metrics(settings: Settings) -> Iterator[None]:
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    metrics._redis.cache_clear()
    client = metrics._redis()
    assert client is not None
    ours = [metrics.TASK_OUTCOMES_KEY, "unacked", *metrics._redis_lists("celery")]
    client.delete(*ours)
    yield
    client.delete(*ours)
    metrics._redis.cache_clear()


@pytest.mark.usefixtures("redis_metrics")
def test_celery_queue_lengths_and_task_outcomes_come_from_redis(client: Client) -> None:
    """Task outcomes are counted by the worker that ran the task (Celery's signals) into Redis, so that
    the web side reports those of every worker; the queues' lengths are Redis lists (kombu's)."""
    heartbeat.apply()
    heartbeat.apply()
    with app.connection_for_write() as connection:  # no worker consumes in this test: they wait
        for _ in range(3):
            app.send_task("health.tasks.heartbeat", connection=connection)
        app.send_task("health.tasks.heartbeat", connection=connection, priority=6)

    samples = scrape(client)

    assert value(samples, "dla_celery_tasks_total", task="health.tasks.heartbeat", state="SUCCESS") == 2
    assert value(samples, "dla_celery_queue_length", queue="celery") == 4
    assert value(samples, "dla_celery_tasks_unacknowledged") == 0
    assert value(samples, "dla_metrics_part_up", part="celery") == 1


@pytest.mark.usefixtures("redis_metrics")
def test_a_failed_task_is_counted_as_failed(client: Client) -> None:
    @app.task(name="tests.health.always_fails", ignore_result=True)
    def always_fails() -> None:
        raise RuntimeError("boom")

    always_fails.apply()

    samples = scrape(client)

    assert value(samples, "dla_celery_tasks_total", task="tests.health.always_fails", state="FAILURE") == 1

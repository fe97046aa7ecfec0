"""Benchmark of the deadline engine and of notification delivery, on PostgreSQL and Redis.

    DJANGO_SETTINGS_MODULE=project.test_settings DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python -m tests.bench_engine

(a) The periodic job over 1,000,000 deadlines with one scheduled action each (generated in SQL by the
    server), of which 10,000 escalations are due: time to fire them all (target: at least 1,000 actions/s),
    and the median of 50 runs with nothing due (target: under 10 ms).
(b) Notification delivery through a real `celery worker` process (prefork, 2 processes, the project's
    settings, locmem e-mail): notifications/s beside the throughput of a no-op task (`celery.accumulate`)
    drained by the same worker settings in the same run, and their ratio (target: at least 0.5). Both
    queues are filled while no worker runs, then a worker starts and the clock runs from its "ready" to the
    last item done.

It creates its own database (bench_engine_<pid>) and a queue of its own on the REDIS_URL server, and drops
both at the end. Without PostgreSQL or REDIS_URL it prints why and exits 0. BENCH_ROWS and BENCH_DUE
change the sizes (defaults 1,000,000 and 10,000).
"""

from __future__ import annotations

import os
import sys

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL:
    print("bench_engine skipped: needs DATABASE_URL=postgres://... and REDIS_URL=redis://...")
    sys.exit(0)

import contextlib  # noqa: E402
import datetime  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import psycopg  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
DUE = int(os.environ.get("BENCH_DUE", "10000"))
NOTIFICATIONS = int(os.environ.get("BENCH_NOTIFICATIONS", "5000"))
NOOPS = int(os.environ.get("BENCH_NOOPS", "5000"))
BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = f"bench_engine_{os.getpid()}"
QUEUE = f"bench-engine-{os.getpid()}"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


ADMIN_URL = DATABASE_URL
BENCH_URL = _with_db(DATABASE_URL, DB_NAME)


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    # Deliveries too go to this bench's queue (they have a queue of their own in production): the worker
    # below inherits this environment.
    os.environ["NOTIFICATION_EMAIL_QUEUE"] = QUEUE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    from organisation.services.geography import geography_load
    from project.celery import app

    app.conf.task_default_queue = QUEUE  # nothing of this bench lands in another worker's queue
    call_command("migrate", verbosity=0)
    geography_load()


# (a) The periodic job ------------------------------------------------------------------------------------


def load_deadlines(now: datetime.datetime) -> dict[str, float]:
    """ROWS deadlines, one escalation action each; DUE of them due, the rest due tomorrow or later."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from deadlines.models import Deadline, DeadlinePolicy, EscalationTarget, ScheduledAction, Urgency
    from deadlines.services.deadlines import policy_define_step
    from organisation.models import District, Officer, Province, Role
    from tests.factories import OfficerFactory, give_role

    province = Province.objects.get(code="50")
    officers = [
        OfficerFactory(province=province, email=f"bench{i}@dla.go.th", user__email=f"bench{i}@dla.go.th")
        for i in range(100)
    ]
    for officer in officers:
        give_role(officer, Role.DISTRICT_OFFICER)
    director = OfficerFactory(province=province, email="director@dla.go.th", user__email="director@dla.go.th")
    give_role(director, Role.GROUP_DIRECTOR)
    policy, _ = DeadlinePolicy.objects.get_or_create(version=900, defaults={"name": "bench"})
    rules = policy_define_step(
        policy=policy,
        step="bench.review",
        working_days=dict.fromkeys(Urgency, 3),
        reminders=[],
        ladder=[(1, 0, EscalationTarget.ASSIGNEE_AND_DIRECTOR, False)],
    )
    rule = next(r for r in rules if r.urgency == Urgency.NORMAL)
    districts = list(District.objects.filter(province=province).values_list("pk", flat=True))
    users = [o.user_id for o in officers]
    deadline_table, action_table = Deadline._meta.db_table, ScheduledAction._meta.db_table
    params = {
        "task_type": ContentType.objects.get_for_model(Officer).pk,
        "case_type": ContentType.objects.get_for_model(District).pk,
        "districts": districts,
        "users": users,
        "rule": rule.pk,
        "province": province.pk,
        "now": now,
        "rows": ROWS,
        "due": DUE,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Generated by the server: due_at is g seconds in the past for the first DUE rows, else in the future.
        cursor.execute(
            f"""
            INSERT INTO {deadline_table} (id, task_type_id, task_id, case_type_id, case_id, step, urgency,
                rule_id, province_id, assignee_id, assignee_is_director, started_at, due_at, status)
            SELECT g, %(task_type)s, g, %(case_type)s,
                (%(districts)s::bigint[])[1 + g %% cardinality(%(districts)s::bigint[])],
                'bench.review', 'NORMAL', %(rule)s, %(province)s,
                (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])], false,
                %(now)s - interval '10 days',
                CASE WHEN g <= %(due)s THEN %(now)s - g * interval '1 second'
                     ELSE %(now)s + interval '1 day' + g * interval '1 second' END,
                'OPEN'
            FROM generate_series(1, %(rows)s) AS g
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO {action_table} (id, deadline_id, kind, position, fire_at, status, error)
            SELECT d.id, d.id, 'ESCALATION', 1, d.due_at, 'PENDING', '' FROM {deadline_table} d
            """
        )
        for table in (deadline_table, action_table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
            cursor.execute(f"ANALYZE {table}")
    loaded = time.perf_counter() - started
    return {"rows": 2 * ROWS, "seconds": loaded}


def bench_periodic_job() -> dict[str, float]:
    from django.db import connection
    from django.utils import timezone

    from deadlines.models import ScheduledAction
    from deadlines.services.deadlines import due_actions_fire
    from notifications.models import Notification

    now = timezone.now()
    load = load_deadlines(now)
    print(
        f"  loaded {load['rows']:,} rows (deadlines + scheduled actions) in {load['seconds']:.1f} s "
        f"({load['rows'] / load['seconds']:,.0f} rows/s)"
    )
    assert ScheduledAction.objects.filter(status="PENDING", fire_at__lte=now).count() == DUE

    started = time.perf_counter()
    report = due_actions_fire(now=now)
    elapsed = time.perf_counter() - started
    assert report.fired == DUE and report.failed == 0, report
    assert Notification.objects.count() == 2 * DUE
    rate = report.fired / elapsed
    print(
        f"  fired {report.fired:,} due escalations in {elapsed:.2f} s: {rate:,.0f} actions/s (target >= 1,000)"
    )

    runs = []
    for _ in range(50):
        started = time.perf_counter()
        empty = due_actions_fire(now=now)
        runs.append((time.perf_counter() - started) * 1000)
        assert empty.fired == 0
    idle = statistics.median(runs)
    print(
        f"  a run with nothing due: median {idle:.2f} ms, p90 {statistics.quantiles(runs, n=10)[-1]:.2f} ms "
        f"over 50 runs (target < 10 ms)"
    )
    connection.close()
    return {"actions_per_s": rate, "idle_ms": idle}


# (b) Delivery through a real worker ----------------------------------------------------------------------


class Worker:
    def __init__(self, log: Path) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "project.test_settings",  # locmem e-mail: the engine, not an SMTP server
            "DATABASE_URL": BENCH_URL,
            "REDIS_URL": REDIS_URL,
        }
        command = [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=prefork"]
        command += ["--concurrency=2", "--loglevel=INFO", "-Q", QUEUE, f"--hostname=bench-{os.getpid()}@%h"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return time.perf_counter()
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(errors="replace")[-3000:])
            time.sleep(0.005)
        raise RuntimeError("worker not ready:\n" + self.log.read_text(errors="replace")[-3000:])

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _wait(condition: object, timeout: float, what: str) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return time.perf_counter()
        time.sleep(0.01)
    raise RuntimeError(f"timed out waiting for {what}")


def _queue_purge() -> None:
    from project.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)


def bench_delivery(workdir: Path) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from health.models import WorkerHeartbeat
    from notifications.models import Delivery, Kind
    from notifications.services import Event, notify_many
    from project.celery import app

    _queue_purge()  # what the periodic job enqueued above

    # No-op tasks: queued first, then a worker drains them; a heartbeat queued last marks the end.
    WorkerHeartbeat.objects.all().delete()
    for _ in range(NOOPS):
        app.send_task("celery.accumulate", args=(1,), queue=QUEUE)
    app.send_task("health.tasks.heartbeat", queue=QUEUE)
    worker = Worker(workdir / "worker-noop.log")
    try:
        ready = worker.wait_ready()
        done = _wait(WorkerHeartbeat.objects.exists, 300, "the no-op tasks")
    finally:
        worker.stop()
    noop_rate = NOOPS / (done - ready)
    print(f"  no-op task: {NOOPS:,} in {done - ready:.2f} s: {noop_rate:,.0f} tasks/s")

    # Notifications: written (and enqueued, 50 per task) while no worker runs, then delivered.
    users = list(get_user_model().objects.filter(email__startswith="bench")[:100])
    Delivery.objects.all().delete()
    with transaction.atomic():
        notify_many(
            events=[
                Event([users[i % len(users)]], Kind.TASK_ASSIGNED, {"subject": f"ปส.ชม. {i + 1}/2569"})
                for i in range(NOTIFICATIONS)
            ],
            now=timezone.now(),
        )
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    worker = Worker(workdir / "worker-deliver.log")
    try:
        ready = worker.wait_ready()
        done = _wait(lambda: sent.count() >= NOTIFICATIONS, 600, "the deliveries")
    finally:
        worker.stop()
    rate = NOTIFICATIONS / (done - ready)
    print(f"  notifications: {NOTIFICATIONS:,} e-mails in {done - ready:.2f} s: {rate:,.0f} notifications/s")
    print(f"  ratio notifications/s : no-op tasks/s = {rate / noop_rate:.2f} (target >= 0.5)")
    return {"noop_per_s": noop_rate, "notifications_per_s": rate, "ratio": rate / noop_rate}


def main() -> int:
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        setup_django()
        print(f"bench_engine on {DB_NAME} (PostgreSQL), queue {QUEUE} on {REDIS_URL}")
        print(f"(a) periodic job: {ROWS:,} deadlines and {ROWS:,} scheduled actions, {DUE:,} due")
        job = bench_periodic_job()
        print(f"(b) delivery through a real worker (prefork, 2 processes), {NOTIFICATIONS:,} notifications")
        with tempfile.TemporaryDirectory(prefix="bench-engine-") as workdir:
            delivery = bench_delivery(Path(workdir))
        print("summary:")
        print(f"  periodic job: {job['actions_per_s']:,.0f} actions/s, idle run {job['idle_ms']:.2f} ms")
        print(
            f"  delivery: {delivery['notifications_per_s']:,.0f} notifications/s, "
            f"no-op {delivery['noop_per_s']:,.0f} tasks/s, ratio {delivery['ratio']:.2f}"
        )
        return 0
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            from project.celery import app

            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(QUEUE)
        _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())

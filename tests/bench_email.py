"""Benchmark of e-mail delivery to a slow relay, through real Celery workers on PostgreSQL and Redis.

    DJANGO_SETTINGS_MODULE=project.test_settings DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python -m tests.bench_email

A local SMTP relay (tests/integration/smtp_sink.py, in this process) takes 1 s per message (between the
final dot and its reply; BENCH_RELAY_SECONDS). The deliveries are written as a cycle opening writes them
(one `notify_many` in one transaction, enqueued on commit), and the clock runs from that commit to the last
delivery recorded sent.

- before: the worker of the compose file before e-mail had a queue of its own (prefork, 2 processes) on a
  sample of BENCH_BEFORE e-mails (80); 880 of them would take minutes, so its time for 880 is extrapolated.
  It runs today's code (batches share a connection), which changes little against a relay whose time is
  per message: issue 12 measured the old code, one SMTP connection per message, at 1.8 e-mails/s to a
  0.9 s relay.
- now: docker-compose.yml's email-worker command as it stands (read from the file), on BENCH_EMAILS (880)
  e-mails. Target: under 120 s.

It creates and drops its own database (bench_email_<pid>) and queue on the REDIS_URL server. Without
PostgreSQL or REDIS_URL it prints why and exits 0.
"""

from __future__ import annotations

import os
import sys

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL:
    print("bench_email skipped: needs DATABASE_URL=postgres://... and REDIS_URL=redis://...")
    sys.exit(0)

import contextlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

import psycopg  # noqa: E402

EMAILS = int(os.environ.get("BENCH_EMAILS", "880"))
BEFORE = int(os.environ.get("BENCH_BEFORE", "80"))
RELAY_SECONDS = float(os.environ.get("BENCH_RELAY_SECONDS", "1.0"))
BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = f"bench_email_{os.getpid()}"
QUEUE = f"bench-email-{os.getpid()}"
BENCH_URL = urlunsplit(urlsplit(DATABASE_URL)._replace(path="/" + DB_NAME))
# CREATE and DROP DATABASE from the server's own database (the one named in DATABASE_URL may not exist yet).
ADMIN_URL = urlunsplit(urlsplit(DATABASE_URL)._replace(scheme="postgresql", path="/postgres"))
BEFORE_WORKER = ["--pool=prefork", "--concurrency=2"]


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def compose_email_worker() -> list[str]:
    """The arguments of docker-compose.yml's email-worker, after `celery -A project worker`, without its
    queue (this bench's own) and host name."""
    text = (BASE_DIR / "docker-compose.yml").read_text()
    found = re.search(r"^  email-worker:\n(?:    .*\n)*?    command: (\[.*\])$", text, re.MULTILINE)
    if found is None:
        raise RuntimeError("docker-compose.yml has no email-worker command")
    words: list[str] = json.loads(found.group(1))
    return [w for w in words[4:] if not w.startswith(("--queues=", "--hostname=", "--loglevel="))]


class Worker:
    def __init__(self, arguments: list[str], log: Path, relay_port: int) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
            "DATABASE_URL": BENCH_URL,
            "REDIS_URL": REDIS_URL,
            "NOTIFICATION_EMAIL_QUEUE": QUEUE,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(relay_port),
            "EMAIL_USE_TLS": "0",
        }
        command = [sys.executable, "-m", "celery", "-A", "project", "worker", *arguments, f"--queues={QUEUE}"]
        command += ["--loglevel=WARNING", f"--hostname=bench-email-{os.getpid()}@%h"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["NOTIFICATION_EMAIL_QUEUE"] = QUEUE  # this process publishes to the bench's queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    from organisation.services.geography import geography_load

    call_command("migrate", verbosity=0)
    geography_load()


def run(name: str, arguments: list[str], count: int, workdir: Path) -> float:
    """`count` e-mails written as a cycle opening writes them, with the worker ready: seconds to all sent."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from notifications.models import Delivery, Kind
    from notifications.services import Event, notify_many
    from tests.integration.smtp_sink import SmtpSink

    users = list(get_user_model().objects.filter(email__startswith="bench")[:100])
    Delivery.objects.all().delete()
    relay = SmtpSink(message_delay=RELAY_SECONDS).start()
    worker = Worker(arguments, workdir / f"worker-{name}.log", relay.port)
    try:
        # Ready: it has taken (and sent) a first e-mail.
        with transaction.atomic():
            notify_many(
                events=[Event([users[0]], Kind.CYCLE_OPENED, {"subject": "warm-up"})], now=timezone.now()
            )
        if relay.wait_for(1, timeout=120) < 1:
            raise RuntimeError("the worker sent nothing:\n" + worker.log.read_text(errors="replace")[-3000:])
        sent = Delivery.objects.filter(status=Delivery.Status.SENT)
        started = time.perf_counter()
        with transaction.atomic():
            notify_many(
                events=[
                    Event([users[i % len(users)]], Kind.CYCLE_OPENED, {"subject": f"รอบรายงาน {i + 1}"})
                    for i in range(count)
                ],
                now=timezone.now(),
            )
        deadline = time.monotonic() + 600
        while sent.count() < count + 1:
            if time.monotonic() > deadline or worker.process.poll() is not None:
                raise RuntimeError("not all sent:\n" + worker.log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        connections = relay.connections
    finally:
        worker.stop()
        relay.stop()
    rate = count / elapsed
    print(
        f"  {name}: {count:,} e-mails in {elapsed:.1f} s: {rate:.1f} e-mails/s "
        f"({connections} SMTP connections; worker {' '.join(arguments)})"
    )
    return elapsed


def main() -> int:
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        setup_django()
        from tests.factories import OfficerFactory

        for i in range(100):
            OfficerFactory(email=f"bench{i}@dla.go.th", user__email=f"bench{i}@dla.go.th")
        print(f"bench_email on {DB_NAME} (PostgreSQL), queue {QUEUE} on {REDIS_URL}")
        print(f"a relay that takes {RELAY_SECONDS:g} s per message")
        with tempfile.TemporaryDirectory(prefix="bench-email-") as workdir:
            before = run("before (prefork, 2 processes)", BEFORE_WORKER, BEFORE, Path(workdir))
            now = run(
                "now (docker-compose.yml's email-worker)", compose_email_worker(), EMAILS, Path(workdir)
            )
        extrapolated = before / BEFORE * EMAILS
        print("summary:")
        print(
            f"  before: {BEFORE / before:.1f} e-mails/s, {EMAILS:,} e-mails would take {extrapolated:.0f} s"
        )
        print(
            f"  now: {EMAILS / now:.1f} e-mails/s, {EMAILS:,} e-mails in {now:.1f} s "
            f"(target < 120 s: {'met' if now < 120 else 'NOT met'}), {extrapolated / now:.1f} times faster"
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

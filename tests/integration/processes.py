"""Real processes for the integration tests: private redis-server instances, Celery worker processes on the
test database, and the Celery app of the test process pointed at a given broker. Every process is started
in its own process group, so that it and its children can be stopped (or killed) together."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import kombu.pools
from django.conf import settings

from project.celery import app as celery_app
from tests.integration.smtp_sink import free_port

BASE_DIR = Path(settings.BASE_DIR)
REDIS_SERVER = shutil.which("redis-server")


def worker_database_url() -> str:
    """The URL of the database the tests run on (test_<name>), for other processes."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_group_stop(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM (a warm shutdown for a worker), then SIGKILL for the whole group, whatever happened."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children (prefork pool) that outlived their parent
    process.wait()


class RedisServer:
    """A private redis-server: nothing else publishes to it or consumes from it, and a test may stop it."""

    def __init__(self, log: Path) -> None:
        if REDIS_SERVER is None:
            raise RuntimeError("no redis-server binary on PATH")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, timeout: float = 10) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while not self._ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start:\n{self.log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            process_group_stop(self.process, grace=5)
            self.process = None


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (the publisher of `enqueue`) at `url`; restore it afterwards."""
    previous = celery_app.conf.broker_url

    def reset_pools() -> None:
        # kombu keeps its connection and producer pools in a registry keyed by broker URL: a pool closed
        # here would be handed out again, closed, to the next publisher of the same URL. Empty it all.
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    reset_pools()
    celery_app.conf.broker_url = url
    try:
        yield
    finally:
        reset_pools()
        celery_app.conf.broker_url = previous


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    nodename: str
    log: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise RuntimeError(f"the worker was not ready within {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL for the worker and its pool processes at once: nothing runs a shutdown handler."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        process_group_stop(self.process, grace=20)


def worker_start(
    *,
    broker_url: str,
    log: Path,
    pool: str = "solo",
    concurrency: int = 1,
    env: dict[str, str] | None = None,
    queues: list[str] | None = None,
) -> Worker:
    """`celery -A project worker` on a private broker, on the test database; by default it consumes both
    queues (the default one, the e-mail one and the webhooks'), as `make run`'s worker does."""
    queues = queues or [
        settings.CELERY_TASK_DEFAULT_QUEUE,
        settings.NOTIFICATION_EMAIL_QUEUE,
        settings.WEBHOOK_QUEUE,
    ]
    name = f"test-{uuid.uuid4().hex[:8]}"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", f"--pool={pool}"]
    command += [f"--concurrency={concurrency}", "--loglevel=INFO", f"--hostname={name}@integration-test"]
    command += [f"--queues={','.join(queues)}"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Worker(process=process, nodename=f"{name}@integration-test", log=log, env=full_env)

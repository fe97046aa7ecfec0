"""A real `celery -A project worker` process, on Redis and the test database, runs our tasks."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from health.models import WorkerHeartbeat
from health.tasks import heartbeat

pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _test_database_url() -> str:
    """The URL of the database this test runs on (test_<name>), for the worker process."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    nodename: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_for_heartbeat(worker: Worker, *, since: datetime.datetime, timeout: float) -> WorkerHeartbeat:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = WorkerHeartbeat.objects.filter(worker=worker.nodename, beat_at__gte=since).first()
        if row is not None:
            return row
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited with {worker.process.returncode}:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"no heartbeat from {worker.nodename} within {timeout} s:\n{worker.output()}")


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    name = f"test-{uuid.uuid4().hex[:8]}"
    queue, log = f"{name}-queue", tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.test_settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
    }
    command = [sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["-Q", queue, f"--hostname={name}@integration-test", "--without-mingle", "--without-gossip"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    started = Worker(process=process, queue=queue, nodename=f"{name}@integration-test", log=log)
    try:
        yield started
    finally:
        process.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_worker_beats_once_ready_and_runs_an_enqueued_heartbeat(worker: Worker) -> None:
    started = timezone.now()
    first = _wait_for_heartbeat(worker, since=started, timeout=60)

    WorkerHeartbeat.objects.filter(pk=first.pk).delete()
    enqueued = timezone.now()
    heartbeat.apply_async(queue=worker.queue)

    again = _wait_for_heartbeat(worker, since=enqueued, timeout=30)
    assert again.worker == first.worker
    assert again.beat_at >= enqueued

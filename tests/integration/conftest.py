"""Integration tests run real processes against the test database, so they are transactional: Django
empties every table after each of them. Put the reference data back for the tests that follow.

Fixtures for the reliability tests: a private redis-server, Celery worker processes, an SMTP sink. Each
is stopped (or killed) in a `finally`, whatever the test did."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_django import DjangoDbBlocker

from organisation.services.geography import geography_load
from tests.integration.processes import REDIS_SERVER, RedisServer, Worker, worker_start
from tests.integration.smtp_sink import SmtpSink


@pytest.fixture(scope="module", autouse=True)
def reference_data_restored(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        geography_load()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own (the same binary as the machine's Redis): no other worker on the
    shared Redis can take this test's tasks, and the test may stop and restart it."""
    if REDIS_SERVER is None:
        pytest.skip("needs the redis-server binary: apt-get install redis-server")
    server = RedisServer(tmp_path / "redis.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start Celery worker processes (see processes.worker_start); all are stopped when the test ends."""
    started: list[Worker] = []

    def start(**kwargs: object) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        worker = worker_start(log=log, **kwargs)  # type: ignore[arg-type]
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()

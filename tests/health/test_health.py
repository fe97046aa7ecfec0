"""/healthz answers 200 only when the database, the broker and a recent worker heartbeat are all fine,
and names the part that is not. The broker is real: the configured one, or a closed or hung port."""

from __future__ import annotations

import datetime
import socket
import time
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from health.models import WorkerHeartbeat
from project.celery import app

pytestmark = pytest.mark.django_db


def _beat(*, ago: datetime.timedelta) -> None:
    WorkerHeartbeat.objects.create(worker="celery@district-office", beat_at=timezone.now() - ago)


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def hung_port() -> Iterator[int]:
    """A server that accepts connections and never answers, like a Redis that froze."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


PointBroker = Callable[[str], None]


@pytest.fixture
def broker_at(monkeypatch: pytest.MonkeyPatch) -> PointBroker:
    """Points the web side's Celery app at another broker URL for one test."""

    def point(url: str) -> None:
        monkeypatch.setattr(app.conf, "broker_url", url)

    return point


def test_healthz_is_200_when_database_broker_and_a_recent_heartbeat_are_fine(client: Client) -> None:
    _beat(ago=datetime.timedelta(seconds=20))

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert body["worker"]["age_seconds"] == pytest.approx(20, abs=5)
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_naming_the_worker_when_the_heartbeat_is_stale(
    client: Client, settings: Settings
) -> None:
    _beat(ago=datetime.timedelta(seconds=settings.HEARTBEAT_MAX_AGE_SECONDS + 30))

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["worker"]["ok"] is False
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_is_503_when_no_worker_ever_beat(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "last_heartbeat": None}


def test_healthz_is_503_naming_the_broker_when_it_refuses_connections(
    client: Client, closed_port: int, broker_at: PointBroker, settings: Settings
) -> None:
    settings.HEALTHZ_BROKER_TIMEOUT = 0.5
    _beat(ago=datetime.timedelta(seconds=5))
    broker_at(f"redis://127.0.0.1:{closed_port}/0")

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["broker"] == {"ok": False, "error": "OperationalError"}
    assert body["database"]["ok"] and body["worker"]["ok"]


def test_healthz_gives_up_quickly_when_the_broker_hangs(
    client: Client, hung_port: int, broker_at: PointBroker, settings: Settings
) -> None:
    settings.HEALTHZ_BROKER_TIMEOUT = 0.5
    _beat(ago=datetime.timedelta(seconds=5))
    broker_at(f"redis://127.0.0.1:{hung_port}/0")

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed < 3, f"/healthz took {elapsed:.1f} s with a hung broker"


def test_healthz_answers_get_only(client: Client) -> None:
    assert client.post("/healthz").status_code == 405

"""Errors go to Sentry (or a compatible service) only when SENTRY_DSN is set: without it the SDK is never
initialised and nothing is sent. With it, Django's and Celery's errors are reported. Each case starts a
fresh Python process, as the web server and the workers do."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sentry_sdk

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REPORT = """
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print("active" if client.is_active() else "inactive")
print(",".join(sorted(client.integrations)))
sentry_sdk.capture_message("a test report")
sentry_sdk.flush(timeout=5)
"""


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[int, list[str]]]:
    """A stand-in for the Sentry server on this machine: it records the paths posted to it."""
    _Collector.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Collector.received
    server.shutdown()
    server.server_close()


def _run(dsn: str) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.test_settings", "SENTRY_DSN": dsn}
    result = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_without_sentry_dsn_nothing_is_initialised_or_sent(collector: tuple[int, list[str]]) -> None:
    _, received = collector

    state, integrations = _run(dsn="")

    assert state == "inactive" and integrations == ""
    assert received == []
    assert not sentry_sdk.get_client().is_active()  # this test run's own settings: off too


def test_with_sentry_dsn_django_and_celery_errors_are_reported(collector: tuple[int, list[str]]) -> None:
    port, received = collector

    state, integrations = _run(dsn=f"http://public-key@127.0.0.1:{port}/42")

    assert state == "active"
    assert {"django", "celery"} <= set(integrations.split(","))
    assert received == ["/api/42/envelope/"]

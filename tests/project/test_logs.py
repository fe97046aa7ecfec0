"""Logs: one JSON object per line in production, each request's line with its id, person, view, status and
duration; a task's lines with its id and name; the request id in the X-Request-ID header and on the 500
page, so that an officer can quote it to the centre."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import setup_logging
from django.test import Client
from pytest_django import Settings

from project.celery import app
from project.logs import ContextFilter, JsonFormatter, TextFormatter
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
NEW_ID = re.compile(r"[0-9a-f]{32}")
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    """What the production handler writes: the root logger's lines, as JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        text = stream.getvalue()
        return [json.loads(line) for line in text.splitlines()]  # every line one JSON object

    yield lines
    root.removeHandler(handler)


def request_line(lines: list[dict[str, Any]], path: str) -> dict[str, Any]:
    [line] = [line for line in lines if line["logger"] == "dla.request" and line["path"] == path]
    return line


def test_every_request_gets_an_id_in_the_x_request_id_header(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("5f0c1c6ad7e4b2a1c3d4e5f607182930", True),  # nginx's $request_id
        ("3b241101-e2bb-4255-8caf-4136c566a962", True),  # a UUID
        ("short", False),
        ("x" * 129, False),
        ('abc123456" "level": "CRITICAL', False),
        ("abc12345678\nforged line", False),
    ],
)
def test_the_proxys_request_id_is_kept_when_sane(client: Client, incoming: str, kept: bool) -> None:
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)["X-Request-ID"]

    assert (answered == incoming) is kept
    if not kept:
        assert NEW_ID.fullmatch(answered)


def test_each_request_writes_one_json_line_with_its_id_person_view_status_and_duration(
    client: Client, json_lines: Lines
) -> None:
    officer = OfficerFactory()
    client.force_login(officer.user)

    response = client.get("/notifications/")

    line = request_line(json_lines(), "/notifications/")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == officer.user.pk
    assert line["view"] == "notifications:inbox"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_an_anonymous_request_has_no_person_and_costs_no_query_for_it(
    client: Client, json_lines: Lines, django_assert_num_queries: Any
) -> None:
    client.get("/no-such-page-yet/")  # the page's footer (the centre) is cached from the first page on
    with django_assert_num_queries(0):
        client.get("/no-such-page/")

    line = request_line(json_lines(), "/no-such-page/")
    assert "user_id" not in line
    assert line["status"] == 404 and line["view"] is None


@pytest.mark.urls("tests.project.urls_failing")
def test_a_server_error_shows_its_request_id_on_the_500_page_and_in_the_log(
    client: Client, json_lines: Lines
) -> None:
    client.raise_request_exception = False

    response = client.get("/failing/", HTTP_X_REQUEST_ID="edge-0123456789abcdef")

    assert response.status_code == 500
    assert response["X-Request-ID"] == "edge-0123456789abcdef"
    page = response.content.decode()
    assert "edge-0123456789abcdef" in page
    assert "ศูนย์ประสานงาน" in page  # in Thai: contact the coordination centre with this reference
    [error] = [line for line in json_lines() if line["level"] == "ERROR"]
    assert error["request_id"] == "edge-0123456789abcdef"
    assert "RuntimeError: the database went away" in error["exception"]
    assert "\n" not in json.dumps(error)


def test_a_tasks_lines_carry_its_id_and_name(json_lines: Lines) -> None:
    @app.task(name="tests.project.writes_a_line", ignore_result=True)
    def writes_a_line() -> None:
        logging.getLogger("notifications").warning("relay refused the message")

    writes_a_line.apply(task_id="6b1d8a4e-task")

    [line] = [line for line in json_lines() if line["message"] == "relay refused the message"]
    assert line["task_id"] == "6b1d8a4e-task"
    assert line["task_name"] == "tests.project.writes_a_line"
    assert "request_id" not in line


def test_workers_and_beat_log_as_the_service_does(settings: Settings) -> None:
    """Celery configures logging only when nobody answers its setup_logging signal: the service does, with
    its own settings (JSON lines), so a worker's lines are those of the web's."""
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        answers = setup_logging.send(sender=None, loglevel="INFO", logfile=None, format="", colorize=False)
        formatters = [type(handler.formatter) for handler in root.handlers]
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        for handler in before:
            root.addHandler(handler)

    assert answers  # so Celery leaves logging alone
    assert settings.LOG_FORMAT == "json" and JsonFormatter in formatters


def test_make_run_logs_readable_text() -> None:
    record = logging.LogRecord("dla.request", logging.INFO, __file__, 1, "GET %s %s", ("/", 200), None)
    record.request_id = "5f0c1c6ad7e4b2a1"
    record.duration_ms = 12.5

    text = TextFormatter().format(record)

    assert "INFO" in text and "dla.request: GET / 200" in text
    assert "request_id=5f0c1c6ad7e4b2a1" in text and "duration_ms=12.5" in text


@pytest.mark.parametrize(("debug", "expected"), [("1", "text"), ("0", "json")])
def test_the_format_is_text_with_debug_and_json_without(debug: str, expected: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "DEBUG")},
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DEBUG": debug,
        "SECRET_KEY": "a-real-secret-key-" + "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip

    assert result.stdout.strip() == expected


def test_the_workers_own_lines_about_a_task_name_it_without_its_arguments(json_lines: Lines) -> None:
    """Celery's "Task x[id] succeeded" lines are written outside the task: the id and name come from the
    line's arguments, and Celery's copy of the task's arguments and return value is left out."""
    context = {"id": "6b1d8a4e-task", "name": "notifications.tasks.deliver", "args": "(42,)", "runtime": 0.1}
    logging.getLogger("celery.app.trace").info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss", context, extra={"data": context}
    )

    [line] = [line for line in json_lines() if line["logger"] == "celery.app.trace"]
    assert line["message"] == "Task notifications.tasks.deliver[6b1d8a4e-task] succeeded in 0.1s"
    assert line["task_id"] == "6b1d8a4e-task" and line["task_name"] == "notifications.tasks.deliver"
    assert "data" not in line

"""The web server's limits (issue 12 item 9, docs/operations.md): gunicorn's timeout and worker recycling
come from the environment docker-compose.yml sets, and a web request's query is cancelled by PostgreSQL
before gunicorn would kill the worker."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.bench_load import compose_web

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_gunicorn_takes_its_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNICORN_TIMEOUT", "17")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "1234")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS_JITTER", "56")
    monkeypatch.setenv("GUNICORN_BACKLOG", "78")

    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))

    assert (conf["timeout"], conf["max_requests"], conf["max_requests_jitter"], conf["backlog"]) == (
        17,
        1234,
        56,
        78,
    )


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_reach() -> None:
    import gc

    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_compose_cancels_a_web_query_before_gunicorn_kills_the_worker() -> None:
    command, environment = compose_web()

    assert command == ["gunicorn", "project.wsgi"]  # the limits are gunicorn.conf.py's, not overridden here
    assert 0 < int(environment["DATABASE_STATEMENT_TIMEOUT"]) < int(environment["GUNICORN_TIMEOUT"]) * 1000
    assert int(environment["CONN_MAX_AGE"]) > 0  # a connection per request is about ten times slower


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_longer_than_the_statement_timeout_is_cancelled() -> None:
    db = connection.settings_dict
    url = (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    script = (
        "import django; django.setup(); from django.db import connection, utils\n"
        "try:\n"
        "    connection.cursor().execute('SELECT pg_sleep(2)')\n"
        "except utils.OperationalError as error:\n"
        "    print('cancelled:', type(error.__cause__).__name__)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.test_settings",
        "DATABASE_STATEMENT_TIMEOUT": "100",
        "DATABASE_URL": url,
    }

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )

    assert "cancelled: QueryCanceled" in result.stdout, result.stderr[-2000:]


@pytest.mark.django_db
def test_workers_start_as_copies_of_the_loaded_service_without_its_database_connection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """preload_app: a worker recycled by --max-requests starts at once rather than importing everything again;
    a connection the master opened while loading is closed before the fork, never shared with a worker."""
    monkeypatch.setenv(
        "PROMETHEUS_MULTIPROC_DIR", str(tmp_path)
    )  # gunicorn.conf.py sets it otherwise, for good
    conf = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert conf["preload_app"] is True

    connection.ensure_connection()
    assert connection.connection is not None
    conf["pre_fork"](server=None, worker=None)
    assert connection.connection is None or connection.connection.closed  # closed (a test's atomic keeps it)

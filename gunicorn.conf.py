"""gunicorn's settings beside its command line (docker-compose.yml): read from this directory by default.

Metrics: each worker process counts its own requests; prometheus-client's multiprocess mode keeps them in
files of one directory (PROMETHEUS_MULTIPROC_DIR) and /metrics sums them all, so a scrape sees the whole
server whichever worker answers it. The directory is set here, before any worker imports the client, and
emptied at every start (counters restart with the server, as Prometheus expects).

Sizing (docs/operations.md, from tests/bench_load.py's measurements): sync workers, one request at a time
each, since every page is bound by Python on the CPU (threads would only queue behind the GIL). Gunicorn
reads WEB_CONCURRENCY itself; the rest comes from the environment here, with the defaults docker-compose.yml
states:
- GUNICORN_TIMEOUT (30 s): a worker silent that long is killed and replaced. The slowest page answers in a
  fraction of a second and the whole cycle's XLSX export in under 3 s; DATABASE_STATEMENT_TIMEOUT (set below
  it for the web server) ends a runaway query first, as an error page with its request id.
- GUNICORN_MAX_REQUESTS (5000, jitter 500): each worker is replaced after that many requests, so a slow leak
  never grows without end; about every 1-3 minutes per worker at full load, never all at once.
- GUNICORN_BACKLOG (256): connections waiting for a worker beyond this are refused at once, so that under an
  overload the proxy answers "busy" in milliseconds instead of every officer waiting out the timeout.

Logs: gunicorn's own lines in the service's format (JSON in production); no access log, the service writes
one line per request itself (project/logs.py) with the request id, person, view and duration.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

_OWN_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
METRICS_DIR = Path(
    os.environ.setdefault(
        "PROMETHEUS_MULTIPROC_DIR", str(Path(tempfile.gettempdir()) / f"dla-prometheus-{os.getpid()}")
    )
)

# The master loads the service once and each worker starts as a copy of it: a worker recycled by
# --max-requests answers at once, instead of spending a second and a half of a core importing everything again
# while the others serve (measured: the page being served at the time lost a quarter of its throughput).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
backlog = int(os.environ.get("GUNICORN_BACKLOG", "256"))

accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "service": {"()": "project.logs.JsonFormatter"}
        if os.environ.get("LOG_FORMAT", "text" if os.environ.get("DEBUG") == "1" else "json") == "json"
        else {"()": "project.logs.TextFormatter"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "service", "stream": "ext://sys.stderr"}
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False}},
}


def on_starting(server: Any) -> None:
    """Before the first worker: an empty metrics directory (a previous run's files would add up)."""
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True)


def pre_fork(server: Any, worker: Any) -> None:
    """No connection opened while loading the service is shared with a worker (each opens its own)."""
    from django.db import connections

    connections.close_all()


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the service: its objects (modules, templates, URL patterns: most of the heap)
    move out of the garbage collector's reach. Otherwise every full collection walks them all, and one request
    in twenty or so paid a 60-90 ms pause (measured on the directory search; none after freezing)."""
    gc.collect()
    gc.freeze()


def child_exit(server: Any, worker: Any) -> None:
    """A worker gone (recycled by --max-requests, or killed): its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_DIRECTORY:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)

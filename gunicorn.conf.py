"""gunicorn's settings beside its command line (docker-compose.yml): read from this directory by default.

Metrics: each worker process counts its own requests; prometheus-client's multiprocess mode keeps them in
files of one directory (PROMETHEUS_MULTIPROC_DIR) and /metrics sums them all, so a scrape sees the whole
server whichever worker answers it. The directory is set here, before any worker imports the client, and
emptied at every start (counters restart with the server, as Prometheus expects).

Logs: gunicorn's own lines in the service's format (JSON in production); no access log, the service writes
one line per request itself (project/logs.py) with the request id, person, view and duration.
"""

from __future__ import annotations

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


def child_exit(server: Any, worker: Any) -> None:
    """A worker gone (recycled by --max-requests, or killed): its live gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_DIRECTORY:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)

"""`make run`: the whole service on a developer's machine, in one terminal.

First it prepares the database in this one process (`make demo` does only that): the migrations not yet
applied, the reference data when its version or a unit is missing, the demo when it is not there yet, then
the demo sign-ins. On a database that is ready this takes about a second and writes nothing: a process per
step (migrate, load_geography, seed_demo, seed_demo --list) cost a Django start-up each.

Starts the web server (Django's runserver), a Celery worker and Celery beat, all on the embedded
defaults (SQLite and the file-system broker under var/, unless DATABASE_URL or REDIS_URL say
otherwise). Ctrl-C or SIGTERM stops all three; if one of them exits, the others are stopped too.

    python -m project.devrun            # http://127.0.0.1:8000/
    python -m project.devrun --prepare  # only the database (make demo)
    PORT=8080 python -m project.devrun
"""

from __future__ import annotations

import io
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

from honcho.manager import Manager

from project import older_database

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def _port() -> int:
    try:
        return int(os.environ.get("PORT", "8000"))
    except ValueError:
        sys.exit(f"PORT must be a number, not {os.environ['PORT']!r}")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _environment(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env["DEBUG"] = "1"  # a developer's run; settings default to production (DEBUG off)
    # The port served, for the settings' default public address (SITE_URL: the links in e-mails).
    env["PORT"] = str(port)
    env.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    env["PYTHONUNBUFFERED"] = "1"  # lines appear as they are written, not when a buffer fills
    return env


def prepare() -> str:
    """Bring the database up to date for a developer's run and return the demo sign-ins. Each step looks
    first and does nothing when its work is already there. Needs Django set up."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from organisation.services.geography import geography_is_current

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False)
    if not geography_is_current():
        call_command("load_geography")
    call_command("seed_demo")
    sign_ins = io.StringIO()
    call_command("seed_demo", "--list", stdout=sign_ins)
    return sign_ins.getvalue().rstrip()


def _prepared(env: dict[str, str]) -> str:
    """`prepare()` with the run's environment, in this process."""
    os.environ.update(env)
    if older_database.main() != 0:
        sys.exit(1)
    import django

    django.setup()
    return prepare()


def commands(port: int) -> dict[str, str]:
    """Needs Django set up (the queue names come from the settings)."""
    from django.conf import settings

    python = sys.executable
    queues = (
        f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.NOTIFICATION_EMAIL_QUEUE},{settings.WEBHOOK_QUEUE}"
    )
    return {
        "web": f"{python} manage.py runserver {HOST}:{port}",
        # solo: one task at a time in the worker process itself; enough on one machine, quick to stop. Every
        # queue: the default one (deadlines, sweeps), the e-mail one and the webhooks' (production gives
        # each of those two a worker).
        "worker": f"{python} -m celery -A project worker --pool=solo --loglevel=INFO --hostname=dev@%h"
        f" --queues={queues}",
        "beat": f"{python} -m celery -A project beat --loglevel=INFO"
        " --scheduler=django_celery_beat.schedulers:DatabaseScheduler",
    }


def main() -> int:
    port = _port()
    env = _environment(port)
    if "--prepare" in sys.argv[1:]:  # make demo
        print(_prepared(env))
        return 0
    if not _port_is_free(port):
        print(f"Port {port} on {HOST} is in use (another `make run`?). Stop it or set PORT=...")
        return 1
    sign_ins = _prepared(env)

    print(f"\n  DLA coordination service: http://{HOST}:{port}/   (health: http://{HOST}:{port}/healthz)\n")
    print("  " + sign_ins.replace("\n", "\n  "))
    print("\n  Web server, Celery worker and Celery beat start below; Ctrl-C stops all three.\n", flush=True)

    manager = Manager()
    for name, command in commands(port).items():
        manager.add_process(name, command, env=env, cwd=str(BASE_DIR))

    # honcho handles SIGINT and SIGTERM; a closed terminal (SIGHUP) must not leave the children behind.
    def _hangup(signum: int, frame: FrameType | None) -> None:
        manager.terminate()

    signal.signal(signal.SIGHUP, _hangup)
    manager.loop()
    # Stopped on purpose (Ctrl-C, SIGTERM): success. A process that died first gives its own code.
    return 0 if manager.returncode in (None, 130, 143) else manager.returncode


if __name__ == "__main__":
    sys.exit(main())

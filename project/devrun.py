"""`make run`: the whole service on a developer's machine, in one terminal.

Starts the web server (Django's runserver), a Celery worker and Celery beat, all on the embedded
defaults (SQLite and the file-system broker under var/, unless DATABASE_URL or REDIS_URL say
otherwise). Ctrl-C or SIGTERM stops all three; if one of them exits, the others are stopped too.

    python -m project.devrun            # http://127.0.0.1:8000/
    PORT=8080 python -m project.devrun
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType

from honcho.manager import Manager

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


def _demo_sign_ins(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--list"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return f"(could not list the demo sign-ins: {result.stderr.strip().splitlines()[-1:]})"
    return result.stdout.rstrip()


def commands(port: int) -> dict[str, str]:
    python = sys.executable
    return {
        "web": f"{python} manage.py runserver {HOST}:{port}",
        # solo: one task at a time in the worker process itself; enough on one machine, quick to stop.
        "worker": f"{python} -m celery -A project worker --pool=solo --loglevel=INFO --hostname=dev@%h",
        "beat": f"{python} -m celery -A project beat --loglevel=INFO"
        " --scheduler=django_celery_beat.schedulers:DatabaseScheduler",
    }


def main() -> int:
    port = _port()
    if not _port_is_free(port):
        print(f"Port {port} on {HOST} is in use (another `make run`?). Stop it or set PORT=...")
        return 1
    env = _environment(port)

    print(f"\n  DLA coordination service: http://{HOST}:{port}/   (health: http://{HOST}:{port}/healthz)\n")
    print("  " + _demo_sign_ins(env).replace("\n", "\n  "))
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

"""E-mail links start with one public address (SITE_URL); without it, the address `make run` serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from project import devrun

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PRINT_SITE_URL = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def _site_url(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_on_another_port_links_to_that_port() -> None:
    env = devrun._environment(8101)
    env.pop("SITE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "project.settings"

    assert _site_url(env) == "http://127.0.0.1:8101"


def test_production_sets_the_public_address() -> None:
    env = devrun._environment(8101)
    env.update(SITE_URL="https://coordination.dla.go.th/", DJANGO_SETTINGS_MODULE="project.settings")

    assert _site_url(env) == "https://coordination.dla.go.th"

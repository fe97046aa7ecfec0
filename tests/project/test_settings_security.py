"""Production settings (DEBUG off) refuse to start without a real secret key, and pass Django's
deployment checks when configured as .env.example says. Each case starts a fresh Python process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = secrets.token_urlsafe(50)
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
)


def _production_env(**overrides: str) -> dict[str, str]:
    """The process environment minus anything a developer's shell or CI set, plus production values.
    Set explicitly (even empty) so that a developer's .env file cannot fill them in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SECRET_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="coordination.dla.go.th",
        SECURE_SSL_REDIRECT="1",
    )
    env.update(overrides)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param("", id="missing"),
        pytest.param("short-key-2568", id="short"),
        pytest.param("django-insecure-" + "x" * 40, id="django-insecure"),
    ],
)
def test_production_settings_refuse_to_start_without_a_real_secret_key(secret_key: str) -> None:
    result = _run(["-c", PRINT_SETTINGS], _production_env(SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for_and_then_cookies_are_secure() -> None:
    # Empty rather than absent, so that no .env file can fill it in: the default applies.
    result = _run(["-c", PRINT_SETTINGS], _production_env(DEBUG=""))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True"]


def test_production_settings_start_with_a_good_secret_key() -> None:
    result = _run(["-c", PRINT_SETTINGS], _production_env())

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_deployment_checks_pass_with_the_production_environment() -> None:
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert check not in result.stdout + result.stderr


def test_deployment_checks_fail_when_https_redirect_is_forgotten() -> None:
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(SECURE_SSL_REDIRECT="0"),
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout

"""The load test's reference server: a bare Django "hello" view, with no application and no middleware, on
the same gunicorn command (tests/bench_load.py quotes every page as a share of its requests/s, as issue 12
does): the cost of the machine, gunicorn and Django's request cycle alone."""

from tests.load_settings import *  # noqa: F403

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
MIDDLEWARE = []  # type: ignore[var-annotated]
ROOT_URLCONF = "tests.load_urls_bare"

"""Shared fixtures. Markers: `postgres` needs DATABASE_URL on PostgreSQL, `broker` needs REDIS_URL and
starts a real Celery worker, `browser` needs /usr/bin/chromium. Without them those tests are skipped."""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connection
from pytest_django.plugin import blocking_manager_key

from organisation.models import Province
from organisation.services.geography import geography_load

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    skips = {
        "postgres": (not on_postgres, "needs PostgreSQL: set DATABASE_URL"),
        "broker": (not os.environ.get("REDIS_URL"), "needs Redis and a worker: set REDIS_URL"),
        "browser": (shutil.which(CHROMIUM) is None, "needs Chromium: apt-get install chromium"),
    }
    for item in items:
        for marker, (skip, reason) in skips.items():
            if skip and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (a person's cached scope, unread count, session): SQLite reuses
    the ids a rolled-back test used, so a cached entry could describe someone else."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Every test database holds the full reference data (77 provinces, 928 districts, the units)."""
    with django_db_blocker.unblock():
        geography_load()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test (and a live server) empties every table when it ends: once all its fixtures are
    torn down, put the reference data back for the tests after it."""
    yield
    if nextitem is None:  # the session is over: the test database is gone already
        return
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    if (
        "transactional_db" in fixtures
        or "live_server" in fixtures
        or (marker is not None and marker.kwargs.get("transaction", False))
    ):
        with item.config.stash[blocking_manager_key].unblock():
            geography_load()


@pytest.fixture
def today() -> datetime.date:
    return datetime.date(2026, 4, 10)


@pytest.fixture
def chiang_mai(db: None) -> Province:
    return Province.objects.get(code="50")


@pytest.fixture
def lamphun(db: None) -> Province:
    return Province.objects.get(code="51")


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"

"""Browser tests: headless system Chromium (no `playwright install`) against Django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from organisation.services.geography import geography_load

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are not async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def reference_data_kept(django_db_blocker: Any) -> Iterator[None]:
    """The live server's transactional database is emptied after each test: load the reference data again
    afterwards, so that the tests that follow still find the 77 provinces. (Autouse, hence set up before the
    database fixture and torn down after its flush.)"""
    yield
    with django_db_blocker.unblock():
        geography_load()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """An office PC set to Thai: the browser asks for Thai pages."""
    return {**browser_context_args, "locale": "th-TH"}

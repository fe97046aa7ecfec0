"""Integration tests run real processes against the test database, so they are transactional: Django
empties every table after each of them. Put the reference data back for the tests that follow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from cases.services.geography import geography_load


@pytest.fixture(scope="module", autouse=True)
def reference_data_restored(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        geography_load()

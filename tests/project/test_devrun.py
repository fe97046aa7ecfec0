"""A second `make run` (or `make demo`) starts in a few seconds: on a database that is ready, the preparation
in project/devrun.py migrates, loads and seeds nothing, and finds that out in a few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demo.management.commands import seed_demo
from organisation.models import Unit
from organisation.services.geography import geography_is_current, geography_load
from project import devrun

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP")


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_the_reference_data_is_current_after_a_load_and_not_when_a_unit_is_missing() -> None:
    geography_load()
    with CaptureQueriesContext(connection) as queries:
        assert geography_is_current()
    assert len(queries.captured_queries) <= 3
    Unit.objects.filter(code="coordination-centre").delete()
    assert not geography_is_current()


def test_a_second_preparation_writes_nothing_and_asks_little(settings, monkeypatch) -> None:
    settings.DEBUG = True  # as `make run` sets it
    # The country's people and cycles take minutes to seed here: tests/demo/test_reporting.py seeds them twice.
    monkeypatch.setattr(seed_demo, "demo_country_seed", lambda password: False)
    monkeypatch.setattr(seed_demo, "demo_reporting_seed", lambda: None)
    devrun.prepare()  # the first run seeds the demo
    with CaptureQueriesContext(connection) as queries:
        sign_ins = devrun.prepare()
    assert _writes(queries) == []
    assert len(queries.captured_queries) <= 30, [q["sql"][:80] for q in queries.captured_queries]
    assert "cm.officer1" in sign_ins

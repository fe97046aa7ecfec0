"""Aggregates the ORM lacks: the median, in the database where it can compute one."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Aggregate, DurationField


class Median(Aggregate):
    """The median of an interval (PostgreSQL's ``percentile_cont(0.5)``). SQLite has no percentile: ask
    ``has_median()`` first and compute it from the values with ``median_of`` there (`make run`'s database)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def has_median() -> bool:
    return connection.vendor == "postgresql"


def median_of(values: Iterable[Any]) -> Any:
    found = [v for v in values if v is not None]
    return statistics.median(found) if found else None

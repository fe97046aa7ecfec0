"""A reporting cycle on a fixed clock, over the small organisation of the coordination tests (Chiang Mai
and Lamphun, their directors and heads, three district officers, central staff).

`small_cycle` opens only the reports of Chiang Mai and Lamphun (fast: most page tests need a handful);
tests of the opening itself use `cycle_spawn` over all 878 districts."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from reporting.models import DistrictReport, ReportingCycle
from reporting.services import cycles
from reporting.services.reports import ReportInput, report_fields
from tests.coordination import MONDAY_MORNING, Org, clock, media_in_tmp, org
from workdays.calendar import BANGKOK, working_calendar

# The cycle of the tests: FY 2569, quarter 3 (April-June 2026), open Monday 8 June, due Friday 26 June
# 16:30 (no holiday in between); reminders on 19 June (5 working days before) and 25 June (1 day).
OPENS = datetime.date(2026, 6, 8)
CLOSES = datetime.date(2026, 6, 26)
DUE = datetime.datetime(2026, 6, 26, 16, 30, tzinfo=BANGKOK)


def cycle_input(**changes: object) -> cycles.CycleInput:
    data = cycles.CycleInput(
        fiscal_year=2569,
        label="ไตรมาส 3/2569",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
        opens_on=OPENS,
        closes_on=CLOSES,
        review_required=True,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def new_cycle(org: Org) -> Callable[..., ReportingCycle]:
    """Make a cycle (not yet open); keyword arguments change its CycleInput."""
    cycles.defaults_ensure()

    def make(**changes: object) -> ReportingCycle:
        return cycles.cycle_create(data=cycle_input(**changes), by=org.central)

    return make


def open_for(cycle: ReportingCycle, provinces: list) -> ReportingCycle:  # type: ignore[type-arg]
    """Open a cycle for a few provinces only, the way the spawn does for each province."""
    now = timezone.now()
    ReportingCycle.objects.filter(pk=cycle.pk).update(status=ReportingCycle.Status.OPENING)
    cycle.refresh_from_db()
    for province in provinces:
        with transaction.atomic():  # as the spawn holds it (transactional tests have none around them)
            cycles._spawn_province(cycle, province, on=now.date(), now=now, calendar=working_calendar())
    ReportingCycle.objects.filter(pk=cycle.pk).update(
        status=ReportingCycle.Status.OPEN, opened_at=now, districts_spawned=cycle.reports.count()
    )
    cycle.refresh_from_db()
    cycles._run_handle(cycle, "opening")
    return cycle


@pytest.fixture
def small_cycle(org: Org, new_cycle: Callable[..., ReportingCycle]) -> ReportingCycle:
    """An open cycle with the reports of Chiang Mai and Lamphun only."""
    return open_for(new_cycle(), [org.chiang_mai, org.lamphun])


def report_of(cycle: ReportingCycle, district: object) -> DistrictReport:
    return DistrictReport.objects.select_related("cycle", "province", "district").get(
        cycle=cycle, district=district
    )


def full_input(report: DistrictReport, value: str = "3", **raw: str) -> ReportInput:
    """Every field filled with `value` (then `raw` overrides), at the report's current revision."""
    values = {name: value for name, _ in report_fields(report.cycle)}
    values.update(raw)
    return ReportInput(raw=values, revision=report.revision)


__all__ = [
    "DUE",
    "MONDAY_MORNING",
    "Org",
    "User",
    "clock",
    "media_in_tmp",
    "org",
    "time_machine",
]

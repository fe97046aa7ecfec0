"""The country's coordination monitoring figures (the national monitoring page and its downloads): counted once
for all central staff and held (cases/selectors/held.py), and for the period the page opens with, the fiscal year
so far, counted ahead of time by beat (cases/tasks.py) so that no look waits for a count of the whole country."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from cases.selectors import monitoring as m
from cases.selectors.held import held, hold_anew
from workdays.calendar import working_calendar
from workdays.fast import row_url


def period_url(name: str, period: m.Period) -> Callable[[int], str]:
    """The link of a row's page (a province's, a unit's) for the same period."""
    return lambda pk: f"{row_url(name, pk)}?period={period.key}"


def _key(period: m.Period) -> str:
    return f"national:{period.key}"


def _build(period: m.Period) -> Callable[[datetime.datetime], dict[str, Any]]:
    qs = m.requests_in(m.MonitorScope(everything=True))

    def build(now: datetime.datetime) -> dict[str, Any]:
        calendar = working_calendar()
        return {
            "figures": m.figures(qs, period, now=now, calendar=calendar, whole=True),
            "provinces": m.province_rows(
                qs, period, now=now, calendar=calendar, url=period_url("requests:monitor-province", period)
            ),
            "units": m.unit_rows(
                qs, period, now=now, calendar=calendar, url=period_url("requests:monitor-unit", period)
            ),
        }

    return build


def national_figures(period: m.Period) -> tuple[dict[str, Any], datetime.datetime]:
    """The figures of `period` and when they were counted."""
    return held(_key(period), _build(period))


def national_figures_ahead(today: datetime.date | None = None) -> m.Period:
    """Count the figures of the period the page opens with (in the language active) and hold them."""
    period = m.parse_period(None, today or timezone.localdate())
    assert period is not None  # the default period always parses
    hold_anew(_key(period), _build(period))
    return period

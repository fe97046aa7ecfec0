"""The working-day calendar: Thai public and government holidays (the `holidays` package, Thai names)
plus the holidays and extra working days that an administrator adds (CalendarDay).

A deadline of N working days ends at the close of office on the Nth working day after the day the task
was created. Every function takes "now" or a date from its caller: nothing here reads the clock.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from dataclasses import dataclass, field

import holidays
from django.conf import settings

from workdays.models import CalendarDay

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def fiscal_year(day: datetime.date) -> int:
    """The Thai fiscal year (Buddhist Era), October to September, named by the year it ends in: 1 Oct 2025
    is in 2569."""
    return day.year + 543 + (1 if day.month >= 10 else 0)


def _clock(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


@functools.cache
def _official_holidays() -> holidays.HolidayBase:
    """Thai public and government holidays, computed once per process (years are added as asked)."""
    return holidays.country_holidays("TH", categories=(holidays.PUBLIC, holidays.GOVERNMENT), language="th")


@dataclass
class WorkingCalendar:
    extra_holidays: dict[datetime.date, str] = field(default_factory=dict)
    extra_working_days: set[datetime.date] = field(default_factory=set)
    opens: datetime.time = datetime.time(8, 30)
    closes: datetime.time = datetime.time(16, 30)

    def __post_init__(self) -> None:
        self._official = _official_holidays()

    # Days
    def holiday_name(self, day: datetime.date) -> str | None:
        if day in self.extra_working_days:
            return None
        return self.extra_holidays.get(day) or self._official.get(day)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() < 5 and self.holiday_name(day) is None

    def add_working_days(self, day: datetime.date, count: int) -> datetime.date:
        """The count-th working day after `day` (count 0: `day` itself if working, else the next one)."""
        current = day
        if count == 0:
            while not self.is_working_day(current):
                current += datetime.timedelta(days=1)
            return current
        step = 1 if count > 0 else -1
        remaining = abs(count)
        while remaining:
            current += datetime.timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + datetime.timedelta(offset))
        )

    # Moments
    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        if moment.tzinfo is None:
            raise ValueError("aware datetimes only")
        return moment.astimezone(BANGKOK)

    def opening(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, self.opens, tzinfo=BANGKOK)

    def closing(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, self.closes, tzinfo=BANGKOK)

    def deadline(self, created_at: datetime.datetime, working_days: int) -> datetime.datetime:
        """Close of office on the Nth working day after the day of creation."""
        return self.closing(self.add_working_days(self._local(created_at).date(), working_days))

    def is_office_hours(self, moment: datetime.datetime) -> bool:
        local = self._local(moment)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_working_morning(self, moment: datetime.datetime) -> datetime.datetime:
        """The next opening of office: today's if it is still to come on a working day, else the next one."""
        local = self._local(moment)
        if self.is_working_day(local.date()) and local.time() < self.opens:
            return self.opening(local.date())
        return self.opening(self.add_working_days(local.date(), 1))

    def next_office_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` itself during office hours, else the next working morning (quiet hours wait)."""
        return moment if self.is_office_hours(moment) else self.next_working_morning(moment)


def working_calendar() -> WorkingCalendar:
    """The calendar with the administrators' days, and office hours from settings."""

    extra_holidays: dict[datetime.date, str] = {}
    extra_working: set[datetime.date] = set()
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        if kind == CalendarDay.Kind.HOLIDAY:
            extra_holidays[day] = name
        else:
            extra_working.add(day)
    return WorkingCalendar(
        extra_holidays=extra_holidays,
        extra_working_days=extra_working,
        opens=_clock(settings.OFFICE_OPENS),
        closes=_clock(settings.OFFICE_CLOSES),
    )

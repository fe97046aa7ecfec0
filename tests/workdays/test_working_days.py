"""The working-day calendar: Thai holidays, administrators' days, office hours."""

import datetime

import pytest

from workdays.calendar import BANGKOK, WorkingCalendar, working_calendar
from workdays.models import CalendarDay


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_three_working_days_from_friday_before_songkran_is_monday_20_april(calendar: WorkingCalendar) -> None:
    assert calendar.deadline(at(2026, 4, 10), 3) == at(2026, 4, 20, 16, 30)


def test_one_working_day_from_30_december_is_4_january(calendar: WorkingCalendar) -> None:
    assert calendar.deadline(at(2026, 12, 30), 1) == at(2027, 1, 4, 16, 30)


def test_a_task_created_on_a_weekend_counts_from_the_next_working_day(calendar: WorkingCalendar) -> None:
    # Saturday 18 April 2026: working days after it are Mon 20, Tue 21.
    assert calendar.deadline(at(2026, 4, 18), 2) == at(2026, 4, 21, 16, 30)


def test_a_task_created_after_hours_still_counts_from_that_day(calendar: WorkingCalendar) -> None:
    assert calendar.deadline(at(2026, 4, 9, 22), 1) == at(2026, 4, 10, 16, 30)


def test_holiday_names_are_thai(calendar: WorkingCalendar) -> None:
    assert calendar.holiday_name(datetime.date(2026, 4, 13)) == "วันสงกรานต์"
    assert not calendar.is_working_day(datetime.date(2026, 4, 13))
    assert calendar.is_working_day(datetime.date(2026, 4, 16))


def test_working_days_between_skips_weekends_and_holidays(calendar: WorkingCalendar) -> None:
    assert calendar.working_days_between(datetime.date(2026, 4, 10), datetime.date(2026, 4, 20)) == 3
    assert calendar.working_days_between(datetime.date(2026, 4, 20), datetime.date(2026, 4, 10)) == -3


def test_next_working_morning_waits_over_weekend_and_holidays(calendar: WorkingCalendar) -> None:
    assert calendar.next_working_morning(at(2026, 4, 10, 17)) == at(2026, 4, 16, 8, 30)
    assert calendar.next_working_morning(at(2026, 4, 16, 7)) == at(2026, 4, 16, 8, 30)
    assert calendar.next_office_moment(at(2026, 4, 16, 9)) == at(2026, 4, 16, 9)
    assert calendar.next_office_moment(at(2026, 4, 18, 9)) == at(2026, 4, 20, 8, 30)


@pytest.mark.django_db
def test_a_holiday_added_by_an_administrator_moves_deadlines() -> None:
    CalendarDay.objects.create(
        date=datetime.date(2026, 4, 16), kind=CalendarDay.Kind.HOLIDAY, name="วันหยุดพิเศษ"
    )

    calendar = working_calendar()

    assert calendar.holiday_name(datetime.date(2026, 4, 16)) == "วันหยุดพิเศษ"
    assert calendar.deadline(at(2026, 4, 10), 3) == at(2026, 4, 21, 16, 30)


@pytest.mark.django_db
def test_an_extra_working_day_counts_even_on_a_weekend() -> None:
    CalendarDay.objects.create(
        date=datetime.date(2026, 4, 18), kind=CalendarDay.Kind.WORKING_DAY, name="ทำงานชดเชย"
    )

    assert working_calendar().deadline(at(2026, 4, 17), 1) == at(2026, 4, 18, 16, 30)


@pytest.mark.django_db
def test_office_hours_come_from_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OFFICE_CLOSES = "16:00"

    assert working_calendar().deadline(at(2026, 4, 10), 3) == at(2026, 4, 20, 16, 0)

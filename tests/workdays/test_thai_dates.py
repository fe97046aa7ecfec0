import datetime

import pytest
from django.utils import translation

from workdays.forms import ThaiDateField
from workdays.templatetags.thai_dates import thai_date, thai_datetime


def test_dates_show_in_the_buddhist_era_with_thai_month_abbreviations() -> None:
    with translation.override("th"):
        assert thai_date(datetime.date(2025, 10, 1)) == "1 ต.ค. 2568"
        assert thai_date(datetime.date(2025, 10, 1), "long") == "1 ตุลาคม 2568"
        assert thai_date(datetime.date(2026, 4, 20), "numeric") == "20/04/2569"


def test_english_keeps_the_buddhist_era_year() -> None:
    with translation.override("en"):
        assert thai_date(datetime.date(2025, 10, 1)) == "1 Oct 2568 BE"


def test_aware_datetimes_show_in_bangkok_time() -> None:
    late_utc = datetime.datetime(2026, 4, 19, 20, 0, tzinfo=datetime.UTC)  # 03:00 on the 20th in Bangkok
    with translation.override("th"):
        assert thai_datetime(late_utc) == "20 เม.ย. 2569 03:00 น."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01/10/2568", datetime.date(2025, 10, 1)),
        ("29/02/2567", datetime.date(2024, 2, 29)),  # a leap day in BE 2567 = 2024
        ("1/10/2568", datetime.date(2025, 10, 1)),
        ("01-10-2568", datetime.date(2025, 10, 1)),
        ("01/10/2025", datetime.date(2025, 10, 1)),  # a Common Era year is taken as such
        ("2025-10-01", datetime.date(2025, 10, 1)),
    ],
)
def test_date_input_accepts_buddhist_era_years(typed: str, expected: datetime.date) -> None:
    assert ThaiDateField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["29/02/2568", "31/04/2568", "2568", "พรุ่งนี้", "01/13/2568"])
def test_impossible_dates_get_a_clear_message(typed: str) -> None:
    from django.core.exceptions import ValidationError

    with translation.override("en"), pytest.raises(ValidationError) as error:
        ThaiDateField().clean(typed)
    assert "01/10/2568" in error.value.messages[0]

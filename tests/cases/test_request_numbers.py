"""Request numbers: every province with a DLA office has its own abbreviation."""

from __future__ import annotations

import datetime

import geothai

from organisation.data.province_abbreviations import PROVINCE_ABBREVIATIONS
from workdays.calendar import fiscal_year


def test_all_76_provinces_with_an_office_have_a_unique_abbreviation() -> None:
    codes = {p.code for p in geothai.provinces()} - {"10"}
    assert set(PROVINCE_ABBREVIATIONS) == codes
    assert len(PROVINCE_ABBREVIATIONS) == 76
    assert len(set(PROVINCE_ABBREVIATIONS.values())) == 76
    assert all(value.endswith(".") and len(value) == 3 for value in PROVINCE_ABBREVIATIONS.values())
    assert PROVINCE_ABBREVIATIONS["50"] == "ชม." and PROVINCE_ABBREVIATIONS["83"] == "ภก."


def test_the_fiscal_year_turns_on_1_october() -> None:
    assert fiscal_year(datetime.date(2025, 9, 30)) == 2568
    assert fiscal_year(datetime.date(2025, 10, 1)) == 2569
    assert fiscal_year(datetime.date(2026, 9, 30)) == 2569

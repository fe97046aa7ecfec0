"""Words (issue 11 item 16): a closed cycle is "ปิดรอบ" (a request's is "ปิดเรื่อง"); the district local office
is named as in the source document; a cycle's closing date before the end of its period needs staff's
confirmation."""

from __future__ import annotations

import datetime

from django.utils import translation
from django.utils.translation import gettext

from cases.models import RequestStatus
from reporting.forms import CycleForm
from reporting.models import ReportingCycle


def test_a_closed_cycle_is_not_a_closed_request() -> None:
    with translation.override("th"):
        assert str(ReportingCycle.Status.CLOSED.label) == "ปิดรอบ"
        assert str(RequestStatus.CLOSED.label) == "ปิดเรื่อง"


def test_the_district_local_office_has_its_name_from_the_source_document() -> None:
    with translation.override("th"):
        assert gettext("District local office (สถอ.)") == "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอ (สถอ.)"


def _form(**changes: str) -> CycleForm:
    data = {
        "fiscal_year": "2570",
        "label": "ไตรมาส 1/2570",
        "period_start": "1/10/2569",
        "period_end": "31/12/2569",
        "opens_on": "1/12/2569",
        "closes_on": "20/12/2569",
        "review_required": "on",
        **changes,
    }
    return CycleForm(data=data, today=datetime.date(2026, 12, 1))


def test_a_closing_date_before_the_period_ends_needs_confirmation() -> None:
    with translation.override("en"):
        refused = _form()
        assert not refused.is_valid()
        assert "before the end of the period" in str(refused.errors["closes_on"])
        assert refused.needs_early_close_confirmation

        assert _form(early_close_confirmed="on").is_valid()
        assert _form(closes_on="15/1/2570").is_valid()

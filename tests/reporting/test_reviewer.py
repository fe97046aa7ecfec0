"""A report's reviewer is whoever directs the province that day, the same person as for a request."""

from __future__ import annotations

import datetime

from organisation.models import Officer
from reporting.models import ReportingCycle
from reporting.services.reports import is_reviewer
from tests.reporting.conftest import Org, report_of

DAY = datetime.date(2026, 6, 10)


def test_with_the_group_director_inactive_the_provincial_head_reviews(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = report_of(small_cycle, org.district)
    Officer.objects.filter(user=org.director).update(is_active=False)

    assert is_reviewer(org.head, report, DAY)
    assert not is_reviewer(org.director, report, DAY)

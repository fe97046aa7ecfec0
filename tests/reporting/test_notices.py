"""The closing-soon notice goes to the people in post on the day in Bangkok, not on the day in UTC."""

from __future__ import annotations

import datetime

from notifications.models import Kind, Notification
from organisation.models import Role, RoleAssignment
from reporting.models import ReportingCycle
from reporting.services.notices import closing_soon_notify
from tests.factories import OfficerFactory, give_role
from tests.reporting.conftest import Org

# Thursday 25 June 2026, 18:00 UTC: already Friday 26 June, 01:00, in Bangkok.
LATE_THURSDAY_UTC = datetime.datetime(2026, 6, 25, 18, 0, tzinfo=datetime.UTC)


def test_a_director_appointed_from_the_bangkok_day_of_the_notice_receives_it(
    org: Org, small_cycle: ReportingCycle
) -> None:
    RoleAssignment.objects.filter(officer__user=org.director, role=Role.GROUP_DIRECTOR).update(
        end_date=datetime.date(2026, 6, 25)
    )
    successor = OfficerFactory(province=org.chiang_mai)
    give_role(successor, Role.GROUP_DIRECTOR, start_date=datetime.date(2026, 6, 26))

    closing_soon_notify(now=LATE_THURSDAY_UTC)

    told = set(Notification.objects.filter(kind=Kind.CYCLE_CLOSING_SOON).values_list("recipient", flat=True))
    assert successor.user.pk in told
    assert org.director.pk not in told

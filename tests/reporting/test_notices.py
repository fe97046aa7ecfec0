"""The closing-soon notice: to the people in post on the day in Bangkok (not the day in UTC); one working
day before each province's own close (its latest extension), never for a date passed nor on a non-working
day, once per province and cycle, with the true date in Thai (Buddhist Era)."""

from __future__ import annotations

import datetime

from django.utils import translation

from notifications.models import Kind, Notification
from notifications.texts import title
from organisation.models import Role, RoleAssignment
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services.notices import closing_soon_notify
from reporting.services.reports import reports_extend
from tests.factories import OfficerFactory, give_role
from tests.reporting.conftest import Org
from workdays.calendar import BANGKOK

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


# The closing-soon notice tells the truth (issue 11 item 2) ------------------------------------------------

BKK = BANGKOK


def moment(month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=BKK)


def closing_notices(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Kind.CYCLE_CLOSING_SOON).order_by("pk"))


def thai_title(notification: Notification) -> str:
    with translation.override("th"):
        return title(notification)


def extend(cycle: ReportingCycle, org: Org, until: datetime.date, **where: object) -> None:
    reports_extend(reports=cycle.reports.filter(**where), until=until, by=org.central, reason="อุทกภัย")


def test_each_province_hears_one_working_day_before_its_own_close_with_its_true_date(
    org: Org, small_cycle: ReportingCycle
) -> None:
    # Chiang Mai is extended to Friday 3 July; Lamphun keeps the cycle's Friday 26 June.
    extend(small_cycle, org, datetime.date(2026, 7, 3), province=org.chiang_mai)

    assert closing_soon_notify(now=moment(6, 25)) == 2  # Thursday 25 June: Lamphun's director and head
    assert closing_notices(org.director) == [] and closing_notices(org.head) == []
    (lamphun,) = closing_notices(org.lp_director)
    assert lamphun.context["missing"] == 8 and "26 มิ.ย. 2569" in thai_title(lamphun)

    assert closing_soon_notify(now=moment(6, 29)) == 0  # Monday 29 June: too early for Chiang Mai
    assert closing_soon_notify(now=moment(7, 2)) == 2  # Thursday 2 July: Chiang Mai's director and head
    (chiang_mai,) = closing_notices(org.director)
    assert chiang_mai.context["missing"] == 25
    assert "3 ก.ค. 2569" in thai_title(chiang_mai) and "26 มิ.ย." not in thai_title(chiang_mai)
    assert len(closing_notices(org.head)) == 1
    assert closing_soon_notify(now=moment(7, 3)) == 0  # once per province and cycle
    assert len(closing_notices(org.lp_director)) == 1


def test_never_for_a_date_that_has_passed(org: Org, small_cycle: ReportingCycle) -> None:
    extend(small_cycle, org, datetime.date(2026, 7, 3), province=org.chiang_mai)
    # The service was down from before Lamphun's notice until after its close (Friday 26 June 16:30).
    assert closing_soon_notify(now=moment(6, 29)) == 0
    assert closing_soon_notify(now=moment(7, 2)) == 2
    assert closing_notices(org.lp_director) == [] and closing_notices(org.lp_head) == []


def test_never_on_a_non_working_day(org: Org, small_cycle: ReportingCycle) -> None:
    # Extended to Monday 6 July: the notice is due on Friday 3 July; missed then, it waits for Monday.
    extend(small_cycle, org, datetime.date(2026, 7, 6), province=org.chiang_mai)
    for day in (4, 5):  # Saturday and Sunday
        assert closing_soon_notify(now=moment(7, day)) == 0
    assert closing_soon_notify(now=moment(7, 6, 8)) == 2
    assert "6 ก.ค. 2569" in thai_title(closing_notices(org.director)[0])


def test_the_latest_extension_in_a_province_decides_and_only_its_reports_not_complete_count(
    org: Org, small_cycle: ReportingCycle
) -> None:
    # One Chiang Mai district is extended to Friday 10 July; the others keep 26 June, and one is complete.
    DistrictReport.objects.filter(cycle=small_cycle, district=org.other_district).update(
        complete=True, status=ReportStatus.APPROVED
    )
    extend(small_cycle, org, datetime.date(2026, 7, 10), district=org.district)
    assert closing_soon_notify(now=moment(6, 25)) == 2  # Lamphun only
    assert closing_notices(org.director) == []
    assert closing_soon_notify(now=moment(7, 9)) == 2
    (chiang_mai,) = closing_notices(org.director)
    assert chiang_mai.context["missing"] == 24 and "10 ก.ค. 2569" in thai_title(chiang_mai)

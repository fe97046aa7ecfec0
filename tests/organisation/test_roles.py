"""Who directs a province on a given day: one rule for both workflows, with one tie-break."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from organisation.models import ActingDeputy, Officer, Province, Role
from organisation.models.people import person_name
from organisation.selectors.roles import acting_group_director, province_director
from tests.factories import OfficerFactory, give_role

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def leaders(chiang_mai: Province) -> dict[str, Officer]:
    people = {
        "director": OfficerFactory(province=chiang_mai),
        "head": OfficerFactory(province=chiang_mai),
    }
    give_role(people["director"], Role.GROUP_DIRECTOR)
    give_role(people["head"], Role.PROVINCIAL_HEAD)
    return people


def deputy(province: Province, start: datetime.date, end: datetime.date) -> Officer:
    officer = OfficerFactory(province=province)
    ActingDeputy.objects.create(province=province, deputy=officer, start_date=start, end_date=end)
    return officer


def test_the_acting_deputy_directs_on_their_days_and_the_director_before_and_after(
    chiang_mai: Province, leaders: dict[str, Officer]
) -> None:
    acting = deputy(chiang_mai, DAY, DAY + datetime.timedelta(days=4))

    assert province_director(province=chiang_mai, on=DAY) == acting
    assert province_director(province=chiang_mai, on=DAY - datetime.timedelta(days=1)) == leaders["director"]
    assert province_director(province=chiang_mai, on=DAY + datetime.timedelta(days=5)) == leaders["director"]


def test_of_two_acting_deputies_on_the_same_day_the_one_whose_days_began_last_directs(
    chiang_mai: Province, leaders: dict[str, Officer]
) -> None:
    later = deputy(chiang_mai, DAY - datetime.timedelta(days=1), DAY + datetime.timedelta(days=3))
    deputy(chiang_mai, DAY - datetime.timedelta(days=5), DAY + datetime.timedelta(days=5))  # recorded last

    assert province_director(province=chiang_mai, on=DAY) == later


def test_of_two_acting_deputies_with_the_same_days_the_one_recorded_last_directs(
    chiang_mai: Province, leaders: dict[str, Officer]
) -> None:
    deputy(chiang_mai, DAY, DAY)
    recorded_last = deputy(chiang_mai, DAY, DAY)

    assert province_director(province=chiang_mai, on=DAY) == recorded_last
    assert acting_group_director(province=chiang_mai, on=DAY) == recorded_last


def test_a_new_director_appointed_before_the_old_ones_end_date_directs_from_their_first_day(
    chiang_mai: Province, leaders: dict[str, Officer]
) -> None:
    leaders["director"].role_assignments.update(end_date=DAY + datetime.timedelta(days=30))
    successor = OfficerFactory(province=chiang_mai)
    give_role(successor, Role.GROUP_DIRECTOR, start_date=DAY)

    assert province_director(province=chiang_mai, on=DAY - datetime.timedelta(days=1)) == leaders["director"]
    assert province_director(province=chiang_mai, on=DAY) == successor


def test_an_inactive_deputy_or_director_is_passed_over_down_to_the_provincial_head(
    chiang_mai: Province, leaders: dict[str, Officer]
) -> None:
    acting = deputy(chiang_mai, DAY, DAY)
    Officer.objects.filter(pk=acting.pk).update(is_active=False)
    assert province_director(province=chiang_mai, on=DAY) == leaders["director"]

    Officer.objects.filter(pk=leaders["director"].pk).update(is_active=False)
    assert province_director(province=chiang_mai, on=DAY) == leaders["head"]


def test_a_person_is_named_by_their_officer_record_else_by_their_username(chiang_mai: Province) -> None:
    officer = OfficerFactory(province=chiang_mai, prefix="นาย", first_name_th="สมชาย", last_name_th="ศรีสุข")

    assert person_name(officer.user) == "นายสมชาย ศรีสุข"
    assert person_name(User.objects.create(username="svc.import")) == "svc.import"
    assert person_name(None) == ""

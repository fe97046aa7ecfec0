"""Appointing group directors and other roles (source document, Part 1, question 3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
)
from organisation.models.people import CivilServiceLevel
from organisation.selectors.roles import acting_group_director, role_holder, user_scope
from organisation.services.appointments import acting_deputy_set, role_appoint, role_end
from tests.factories import OfficerFactory, give_role

pytestmark = pytest.mark.django_db

OCT_1 = datetime.date(2025, 10, 1)


@pytest.fixture
def head(chiang_mai: Province) -> Officer:
    officer = OfficerFactory(province=chiang_mai)
    give_role(officer, Role.PROVINCIAL_HEAD)
    return officer


def former_district_officer(province: Province, level: str = CivilServiceLevel.PROFESSIONAL) -> Officer:
    return OfficerFactory(province=province, level=level, former_district_officer=True)


def test_provincial_head_appoints_an_eligible_group_director(head: Officer, chiang_mai: Province) -> None:
    candidate = former_district_officer(chiang_mai, CivilServiceLevel.SENIOR_PROFESSIONAL)

    role_appoint(
        officer=candidate, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
    )

    assert role_holder(province=chiang_mai, role=Role.GROUP_DIRECTOR, on=OCT_1) == candidate
    assert user_scope(candidate.user, on=OCT_1).has_role(Role.GROUP_DIRECTOR, chiang_mai)


@pytest.mark.parametrize(
    "level", [CivilServiceLevel.PRACTITIONER, CivilServiceLevel.OPERATIONAL, CivilServiceLevel.SENIOR]
)
def test_a_group_director_below_professional_level_is_refused(
    level: CivilServiceLevel, head: Officer, chiang_mai: Province
) -> None:
    candidate = former_district_officer(chiang_mai, level)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        role_appoint(
            officer=candidate, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
        )

    assert "ชำนาญการ" in error.value.messages[0]
    assert not RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR).exists()


def test_the_level_refusal_reads_in_thai(head: Officer, chiang_mai: Province) -> None:
    candidate = former_district_officer(chiang_mai, CivilServiceLevel.PRACTITIONER)

    with translation.override("th"), pytest.raises(ValidationError) as error:
        role_appoint(
            officer=candidate, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
        )

    assert error.value.messages[0].startswith("ต้องมีระดับชำนาญการขึ้นไป")


def test_a_group_director_who_never_served_as_district_officer_is_refused(
    head: Officer, chiang_mai: Province
) -> None:
    candidate = OfficerFactory(
        province=chiang_mai, level=CivilServiceLevel.EXPERT, former_district_officer=False
    )

    with translation.override("en"), pytest.raises(ValidationError) as error:
        role_appoint(
            officer=candidate, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
        )

    assert "served as a district officer" in error.value.messages[0]


def test_a_district_assignment_in_the_records_counts_as_service(head: Officer, chiang_mai: Province) -> None:
    candidate = OfficerFactory(
        province=chiang_mai, level=CivilServiceLevel.PROFESSIONAL, former_district_officer=False
    )
    DistrictAssignment.objects.create(
        district=District.objects.get(code="5002"),
        officer=candidate,
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2025, 9, 30),
    )

    role_appoint(
        officer=candidate, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
    )

    assert role_holder(province=chiang_mai, role=Role.GROUP_DIRECTOR, on=OCT_1) == candidate


def test_a_new_group_director_ends_the_previous_term_the_day_before(
    head: Officer, chiang_mai: Province
) -> None:
    first, second = former_district_officer(chiang_mai), former_district_officer(chiang_mai)
    old = role_appoint(
        officer=first, role=Role.GROUP_DIRECTOR, province=chiang_mai, start_date=OCT_1, by=head.user
    )

    role_appoint(
        officer=second,
        role=Role.GROUP_DIRECTOR,
        province=chiang_mai,
        start_date=datetime.date(2026, 2, 1),
        by=head.user,
    )

    old.refresh_from_db()
    assert old.end_date == datetime.date(2026, 1, 31)
    assert role_holder(province=chiang_mai, role=Role.GROUP_DIRECTOR, on=datetime.date(2026, 1, 31)) == first
    assert role_holder(province=chiang_mai, role=Role.GROUP_DIRECTOR, on=datetime.date(2026, 2, 1)) == second


def test_the_database_allows_one_open_group_director_per_province(chiang_mai: Province) -> None:
    give_role(former_district_officer(chiang_mai), Role.GROUP_DIRECTOR)

    with pytest.raises(IntegrityError), transaction.atomic():
        give_role(former_district_officer(chiang_mai), Role.GROUP_DIRECTOR)


def test_a_district_officer_may_not_appoint_a_group_director(chiang_mai: Province) -> None:
    officer = OfficerFactory(province=chiang_mai)
    give_role(officer, Role.DISTRICT_OFFICER)

    with pytest.raises(PermissionDenied):
        role_appoint(
            officer=former_district_officer(chiang_mai),
            role=Role.GROUP_DIRECTOR,
            province=chiang_mai,
            start_date=OCT_1,
            by=officer.user,
        )


def test_a_provincial_head_may_not_appoint_in_another_province(head: Officer, lamphun: Province) -> None:
    with pytest.raises(PermissionDenied):
        role_appoint(
            officer=former_district_officer(lamphun),
            role=Role.GROUP_DIRECTOR,
            province=lamphun,
            start_date=OCT_1,
            by=head.user,
        )


def test_only_central_staff_appoint_a_provincial_head(head: Officer, chiang_mai: Province) -> None:
    central = OfficerFactory(province=None)
    give_role(central, Role.CENTRAL_STAFF)
    successor = OfficerFactory(province=chiang_mai, level=CivilServiceLevel.DIRECTOR_HIGHER)

    with pytest.raises(PermissionDenied):
        role_appoint(
            officer=successor, role=Role.PROVINCIAL_HEAD, province=chiang_mai, start_date=OCT_1, by=head.user
        )
    role_appoint(
        officer=successor,
        role=Role.PROVINCIAL_HEAD,
        province=chiang_mai,
        start_date=datetime.date(2026, 1, 1),
        by=central.user,
    )

    assert (
        role_holder(province=chiang_mai, role=Role.PROVINCIAL_HEAD, on=datetime.date(2026, 1, 1)) == successor
    )


def test_the_acting_deputy_acts_as_group_director_on_their_days_only(
    head: Officer, chiang_mai: Province
) -> None:
    director = former_district_officer(chiang_mai)
    give_role(director, Role.GROUP_DIRECTOR)
    deputy = OfficerFactory(province=chiang_mai)
    acting_deputy_set(
        province=chiang_mai,
        deputy=deputy,
        start_date=datetime.date(2026, 4, 10),
        end_date=datetime.date(2026, 4, 17),
        by=head.user,
        reason="ลาพักผ่อน",
    )

    assert acting_group_director(province=chiang_mai, on=datetime.date(2026, 4, 9)) == director
    assert acting_group_director(province=chiang_mai, on=datetime.date(2026, 4, 10)) == deputy
    assert acting_group_director(province=chiang_mai, on=datetime.date(2026, 4, 17)) == deputy
    assert acting_group_director(province=chiang_mai, on=datetime.date(2026, 4, 18)) == director
    assert user_scope(deputy.user, on=datetime.date(2026, 4, 12)).has_role(Role.GROUP_DIRECTOR, chiang_mai)
    assert not user_scope(deputy.user, on=datetime.date(2026, 4, 20)).has_role(
        Role.GROUP_DIRECTOR, chiang_mai
    )


def test_overlapping_acting_deputies_are_refused(head: Officer, chiang_mai: Province) -> None:
    first, second = OfficerFactory(province=chiang_mai), OfficerFactory(province=chiang_mai)
    acting_deputy_set(
        province=chiang_mai,
        deputy=first,
        start_date=datetime.date(2026, 4, 10),
        end_date=datetime.date(2026, 4, 17),
        by=head.user,
    )

    with pytest.raises(ValidationError) as error:
        acting_deputy_set(
            province=chiang_mai,
            deputy=second,
            start_date=datetime.date(2026, 4, 17),
            end_date=datetime.date(2026, 4, 30),
            by=head.user,
        )

    assert error.value.code == "overlap"
    assert ActingDeputy.objects.count() == 1


def test_ending_a_role_stops_it_from_the_next_day(head: Officer, chiang_mai: Province) -> None:
    officer = OfficerFactory(province=chiang_mai)
    assignment = role_appoint(
        officer=officer, role=Role.DISTRICT_OFFICER, province=chiang_mai, start_date=OCT_1, by=head.user
    )

    role_end(assignment=assignment, end_date=datetime.date(2026, 3, 31), by=head.user)

    assert user_scope(officer.user, on=datetime.date(2026, 3, 31)).has_role(Role.DISTRICT_OFFICER)
    assert not user_scope(officer.user, on=datetime.date(2026, 4, 1)).has_role(Role.DISTRICT_OFFICER)

"""One responsible district officer per district at any time (source document, Part 1, question 4)."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from organisation.models import District, DistrictAssignment, DistrictNeighbour, Officer, Province, Role
from organisation.services.assignments import district_assign, district_unassign
from tests.factories import OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

OCT_1 = datetime.date(2025, 10, 1)


@pytest.fixture
def head(chiang_mai: Province) -> Officer:
    officer = OfficerFactory(province=chiang_mai)
    give_role(officer, Role.PROVINCIAL_HEAD)
    return officer


def district_officer(province: Province) -> Officer:
    officer = OfficerFactory(province=province)
    give_role(officer, Role.DISTRICT_OFFICER)
    return officer


def test_provincial_head_assigns_an_officer_to_a_district(head: Officer, chiang_mai: Province) -> None:
    officer = district_officer(chiang_mai)
    district = District.objects.get(code="5001")

    result = district_assign(district=district, officer=officer, start_date=OCT_1, by=head.user)

    assert result.assignment.officer == officer
    assert result.warnings == []
    assert list(DistrictAssignment.objects.current(OCT_1).filter(district=district)) == [result.assignment]


def test_a_new_assignment_ends_the_previous_one_the_day_before_and_keeps_history(
    head: Officer, chiang_mai: Province
) -> None:
    first, second = district_officer(chiang_mai), district_officer(chiang_mai)
    district = District.objects.get(code="5001")
    old = district_assign(district=district, officer=first, start_date=OCT_1, by=head.user).assignment

    new = district_assign(
        district=district,
        officer=second,
        start_date=datetime.date(2026, 1, 5),
        by=head.user,
        expected_current=old.pk,
    ).assignment

    old.refresh_from_db()
    assert old.end_date == datetime.date(2026, 1, 4)
    assert new.end_date is None
    assert DistrictAssignment.objects.filter(district=district).count() == 2
    assert (
        DistrictAssignment.objects.current(datetime.date(2026, 1, 4)).get(district=district).officer == first
    )
    assert (
        DistrictAssignment.objects.current(datetime.date(2026, 1, 5)).get(district=district).officer == second
    )


def test_an_assignment_starting_before_the_current_one_is_refused_as_overlapping(
    head: Officer, chiang_mai: Province
) -> None:
    first, second = district_officer(chiang_mai), district_officer(chiang_mai)
    district = District.objects.get(code="5001")
    district_assign(district=district, officer=first, start_date=OCT_1, by=head.user)

    with translation.override("en"), pytest.raises(ValidationError) as error:
        district_assign(district=district, officer=second, start_date=OCT_1, by=head.user)

    assert error.value.code == "overlap"
    assert "overlaps" in error.value.messages[0]
    assert DistrictAssignment.objects.get(district=district).officer == first


def test_someone_elses_change_in_between_is_refused_not_overwritten(
    head: Officer, chiang_mai: Province
) -> None:
    first, second = district_officer(chiang_mai), district_officer(chiang_mai)
    district = District.objects.get(code="5001")
    # Two people open the form while nobody is responsible; the first saves.
    district_assign(district=district, officer=first, start_date=OCT_1, by=head.user, expected_current=None)

    with pytest.raises(ValidationError) as error:
        district_assign(
            district=district,
            officer=second,
            start_date=datetime.date(2025, 11, 1),
            by=head.user,
            expected_current=None,
        )

    assert error.value.code == "stale"
    assert DistrictAssignment.objects.get(district=district).officer == first


def test_the_database_refuses_two_open_assignments_for_one_district(chiang_mai: Province) -> None:
    district = District.objects.get(code="5001")
    DistrictAssignment.objects.create(
        district=district, officer=district_officer(chiang_mai), start_date=OCT_1
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictAssignment.objects.create(
            district=district, officer=district_officer(chiang_mai), start_date=OCT_1
        )


def test_an_officer_may_hold_several_districts_with_a_warning_when_they_do_not_adjoin(
    head: Officer, chiang_mai: Province
) -> None:
    officer = district_officer(chiang_mai)
    mueang, saraphi, fang = (District.objects.get(code=c) for c in ("5001", "5019", "5010"))
    DistrictNeighbour.objects.create(district_a=mueang, district_b=saraphi)
    district_assign(district=mueang, officer=officer, start_date=OCT_1, by=head.user)

    adjoining = district_assign(district=saraphi, officer=officer, start_date=OCT_1, by=head.user)
    # Fang has neighbour data (it adjoins Chai Prakan, 5022) but adjoins neither Mueang nor Saraphi.
    chai_prakan = District.objects.get(code="5022")
    a, b = sorted((fang, chai_prakan), key=lambda d: d.pk)
    DistrictNeighbour.objects.create(district_a=a, district_b=b)
    with translation.override("en"):
        far = district_assign(district=fang, officer=officer, start_date=OCT_1, by=head.user)

    assert adjoining.warnings == []
    assert len(far.warnings) == 1
    assert "does not adjoin" in far.warnings[0]
    assert DistrictAssignment.objects.current(OCT_1).filter(officer=officer).count() == 3


def test_no_adjacency_warning_for_a_district_without_neighbour_data(
    head: Officer, chiang_mai: Province
) -> None:
    officer = district_officer(chiang_mai)
    district_assign(
        district=District.objects.get(code="5001"), officer=officer, start_date=OCT_1, by=head.user
    )

    result = district_assign(
        district=District.objects.get(code="5010"), officer=officer, start_date=OCT_1, by=head.user
    )

    assert result.warnings == []


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.GROUP_DIRECTOR, Role.SSO_ADMIN])
def test_only_the_provincial_head_or_central_staff_may_assign(role: Role, chiang_mai: Province) -> None:
    actor = OfficerFactory(province=chiang_mai)
    give_role(actor, role)

    with pytest.raises(PermissionDenied):
        district_assign(
            district=District.objects.get(code="5001"),
            officer=district_officer(chiang_mai),
            start_date=OCT_1,
            by=actor.user,
        )
    assert not DistrictAssignment.objects.exists()


def test_another_provinces_head_may_not_assign(lamphun: Province, chiang_mai: Province) -> None:
    other_head = OfficerFactory(province=lamphun)
    give_role(other_head, Role.PROVINCIAL_HEAD)

    with pytest.raises(PermissionDenied):
        district_assign(
            district=District.objects.get(code="5001"),
            officer=district_officer(chiang_mai),
            start_date=OCT_1,
            by=other_head.user,
        )


def test_central_staff_may_assign_in_any_province(lamphun: Province) -> None:
    central = OfficerFactory(province=None)
    give_role(central, Role.CENTRAL_STAFF)

    result = district_assign(
        district=District.objects.get(code="5101"),
        officer=district_officer(lamphun),
        start_date=OCT_1,
        by=central.user,
    )

    assert result.assignment.district.province == lamphun


def test_an_officer_of_another_province_cannot_be_responsible(head: Officer, lamphun: Province) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        district_assign(
            district=District.objects.get(code="5001"),
            officer=district_officer(lamphun),
            start_date=OCT_1,
            by=head.user,
        )
    assert error.value.code == "other_province"


def test_an_officer_without_the_district_officer_role_cannot_be_responsible(
    head: Officer, chiang_mai: Province
) -> None:
    clerk = OfficerFactory(province=chiang_mai)

    with pytest.raises(ValidationError) as error:
        district_assign(
            district=District.objects.get(code="5001"), officer=clerk, start_date=OCT_1, by=head.user
        )

    assert error.value.code == "not_district_officer"


def test_refusals_are_in_thai_by_default(head: Officer, chiang_mai: Province) -> None:
    clerk = OfficerFactory(province=chiang_mai)

    with translation.override("th"), pytest.raises(ValidationError) as error:
        district_assign(
            district=District.objects.get(code="5001"), officer=clerk, start_date=OCT_1, by=head.user
        )

    assert "ท้องถิ่นอำเภอ" in error.value.messages[0]


def test_bangkok_khet_have_no_district_officer() -> None:
    central = OfficerFactory(province=None)
    give_role(central, Role.CENTRAL_STAFF)
    bangkok = Province.objects.get(code="10")

    with pytest.raises(ValidationError) as error:
        district_assign(
            district=District.objects.get(code="1001"),
            officer=OfficerFactory(province=bangkok),
            start_date=OCT_1,
            by=central.user,
        )
    assert error.value.code == "bangkok"


def test_ending_an_assignment_leaves_the_district_with_nobody(head: Officer, chiang_mai: Province) -> None:
    district = District.objects.get(code="5001")
    district_assign(district=district, officer=district_officer(chiang_mai), start_date=OCT_1, by=head.user)

    district_unassign(district=district, end_date=datetime.date(2026, 3, 31), by=head.user)

    assert (
        not DistrictAssignment.objects.current(datetime.date(2026, 4, 1)).filter(district=district).exists()
    )
    assert DistrictAssignment.objects.current(datetime.date(2026, 3, 31)).filter(district=district).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_assigning_the_same_district_at_once_cannot_both_win() -> None:
    chiang_mai = Province.objects.get(code="50")
    head = OfficerFactory(province=chiang_mai)
    give_role(head, Role.PROVINCIAL_HEAD)
    candidates = [district_officer(chiang_mai), district_officer(chiang_mai)]
    district = District.objects.get(code="5001")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(officer: Officer) -> None:
        try:
            barrier.wait(timeout=10)
            district_assign(
                district=district, officer=officer, start_date=OCT_1, by=head.user, expected_current=None
            )
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(officer,)) for officer in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["stale", "won"]
    assert DistrictAssignment.objects.filter(district=district).count() == 1


def test_a_user_without_an_officer_profile_may_not_assign(chiang_mai: Province) -> None:
    with pytest.raises(PermissionDenied):
        district_assign(
            district=District.objects.get(code="5001"),
            officer=district_officer(chiang_mai),
            start_date=OCT_1,
            by=UserFactory(),
        )

"""Province management pages: who may use them, and that every change goes through the rules."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    DistrictNeighbour,
    Officer,
    Province,
    Role,
    RoleAssignment,
)
from organisation.models.people import CivilServiceLevel
from organisation.services.appointments import group_director_ineligibility
from tests.factories import OfficerFactory, give_role


def make_officer(**fields: Any) -> Officer:
    return cast(Officer, OfficerFactory(**fields))


pytestmark = pytest.mark.django_db

START = datetime.date(2025, 10, 1)  # 01/10/2568


@pytest.fixture
def head(chiang_mai: Province) -> Officer:
    officer = make_officer(first_name_th="ประยูร", level=CivilServiceLevel.DIRECTOR_HIGHER)
    give_role(officer, Role.PROVINCIAL_HEAD, province=chiang_mai)
    return officer


@pytest.fixture
def central() -> Officer:
    officer = make_officer(first_name_th="กลาง", province=None)
    give_role(officer, Role.CENTRAL_STAFF)
    return officer


@pytest.fixture
def lamphun_head(lamphun: Province) -> Officer:
    officer = make_officer(first_name_th="ลำพูน", province=lamphun)
    give_role(officer, Role.PROVINCIAL_HEAD, province=lamphun)
    return officer


@pytest.fixture
def somchai(chiang_mai: Province) -> Officer:
    officer = make_officer(first_name_th="สมชาย", level=CivilServiceLevel.PROFESSIONAL)
    give_role(officer, Role.DISTRICT_OFFICER, province=chiang_mai)
    return officer


@pytest.fixture
def somsri(chiang_mai: Province) -> Officer:
    officer = make_officer(prefix="นาง", first_name_th="สมศรี", level=CivilServiceLevel.PRACTITIONER)
    give_role(officer, Role.DISTRICT_OFFICER, province=chiang_mai)
    return officer


@pytest.fixture
def director(chiang_mai: Province, somchai: Officer) -> Officer:
    officer = make_officer(first_name_th="ผอ", level=CivilServiceLevel.SENIOR_PROFESSIONAL)
    officer.former_district_officer = True
    officer.save()
    give_role(officer, Role.GROUP_DIRECTOR, province=chiang_mai)
    return officer


def client_for(officer: Officer) -> Client:
    assert officer.user is not None
    client = Client()
    client.force_login(officer.user)
    return client


def district(code: str) -> District:
    return District.objects.get(code=code)


def assign(officer: Officer, code: str, start: datetime.date = START) -> DistrictAssignment:
    return DistrictAssignment.objects.create(district=district(code), officer=officer, start_date=start)


def adjoin(code_a: str, code_b: str) -> None:
    a, b = sorted([district(code_a).pk, district(code_b).pk])
    DistrictNeighbour.objects.create(district_a_id=a, district_b_id=b)


def assign_url(district_code: str, province_code: str = "50") -> str:
    return reverse("manage:district-assign", args=[province_code, district_code])


# Who may open the pages -------------------------------------------------------------------------------


def test_provincial_head_sees_districts_officers_and_director(
    head: Officer, somchai: Officer, director: Officer
) -> None:
    assign(somchai, "5019")

    response = client_for(head).get(reverse("manage:province", args=["50"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "อำเภอสารภี" in page and "อำเภอเมืองเชียงใหม่" in page
    assert somchai.full_name in page and director.full_name in page
    assert assign_url("5001") in page


def test_province_page_query_count_does_not_grow_with_assignments(
    head: Officer, somchai: Officer, somsri: Officer, django_assert_max_num_queries: object
) -> None:
    for code in ("5001", "5002", "5003"):
        assign(somchai, code)
    assign(somsri, "5004")
    client = client_for(head)

    with django_assert_max_num_queries(20):  # type: ignore[operator]
        response = client.get(reverse("manage:province", args=["50"]))

    assert response.status_code == 200


def test_central_staff_may_open_any_province(central: Officer) -> None:
    client = client_for(central)

    assert client.get(reverse("manage:province", args=["51"])).status_code == 200
    assert client.get(reverse("manage:index")).status_code == 200


def test_provincial_head_of_one_province_is_sent_to_it_from_the_index(head: Officer) -> None:
    response = client_for(head).get(reverse("manage:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("manage:province", args=["50"])


def test_another_provinces_head_gets_404(lamphun_head: Officer) -> None:
    assert client_for(lamphun_head).get(reverse("manage:province", args=["50"])).status_code == 404


@pytest.mark.parametrize("who", ["somchai", "director"])
def test_officers_who_manage_nothing_are_refused(who: str, request: pytest.FixtureRequest) -> None:
    officer: Officer = request.getfixturevalue(who)
    client = client_for(officer)

    assert client.get(reverse("manage:province", args=["50"])).status_code == 403
    assert client.get(reverse("manage:index")).status_code == 403
    assert client.get(reverse("manage:imports")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(chiang_mai: Province) -> None:
    response = Client().get(reverse("manage:province", args=["50"]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/manage/provinces/99/",
        "/manage/provinces/10/",  # Bangkok: no provincial office
        "/manage/provinces/50/districts/5101/assign/",  # a Lamphun district under Chiang Mai
        "/manage/provinces/50/districts/xyz/assign/",
        "/manage/provinces/50/roles/999999/end/",
    ],
)
def test_bad_codes_give_404(url: str, head: Officer, central: Officer) -> None:
    assert client_for(head).get(url).status_code == 404
    assert client_for(central).get(url).status_code == 404


# Assigning a district ---------------------------------------------------------------------------------


def test_head_assigns_a_district_with_a_buddhist_era_date(head: Officer, somchai: Officer) -> None:
    response = client_for(head).post(
        assign_url("5019"), {"officer": somchai.pk, "start_date": "01/10/2568", "expected_current": ""}
    )

    assert response.status_code == 302
    assignment = DistrictAssignment.objects.get(district__code="5019", end_date__isnull=True)
    assert (assignment.officer, assignment.start_date) == (somchai, START)
    assert assignment.assigned_by == head.user


def test_central_staff_reassign_a_district_ending_the_previous_assignment(
    central: Officer, somchai: Officer, somsri: Officer
) -> None:
    old = assign(somchai, "5019")

    response = client_for(central).post(
        assign_url("5019"), {"officer": somsri.pk, "start_date": "01/01/2569", "expected_current": old.pk}
    )

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.end_date == datetime.date(2025, 12, 31)
    assert DistrictAssignment.objects.get(district__code="5019", end_date__isnull=True).officer == somsri


@pytest.mark.parametrize("who", ["somchai", "director", "lamphun_head"])
def test_others_cannot_assign_and_nothing_changes(
    who: str, request: pytest.FixtureRequest, somchai: Officer
) -> None:
    officer: Officer = request.getfixturevalue(who)

    response = client_for(officer).post(
        assign_url("5019"), {"officer": somchai.pk, "start_date": "01/10/2568", "expected_current": ""}
    )

    assert response.status_code in (403, 404)
    assert not DistrictAssignment.objects.exists()


def test_officer_list_offers_only_the_provinces_district_officers(
    head: Officer, somchai: Officer, lamphun: Province
) -> None:
    outsider = make_officer(first_name_th="คนนอก", province=lamphun)
    give_role(outsider, Role.DISTRICT_OFFICER, province=lamphun)
    not_do = make_officer(first_name_th="ธุรการ")

    page = client_for(head).get(assign_url("5019")).content.decode()
    response = client_for(head).post(
        assign_url("5019"), {"officer": outsider.pk, "start_date": "01/10/2568", "expected_current": ""}
    )

    assert somchai.full_name in page
    assert outsider.full_name not in page and not_do.full_name not in page
    assert response.status_code == 200
    assert "officer" in response.context["form"].errors
    assert not DistrictAssignment.objects.exists()


def test_stale_form_is_refused_when_someone_else_assigned_in_the_meantime(
    head: Officer, central: Officer, somchai: Officer, somsri: Officer
) -> None:
    first, second = client_for(head), client_for(central)
    # Both open the form while nobody is responsible.
    assert first.get(assign_url("5019")).status_code == 200
    assert second.get(assign_url("5019")).status_code == 200

    first.post(
        assign_url("5019"), {"officer": somchai.pk, "start_date": "01/10/2568", "expected_current": ""}
    )
    response = second.post(
        assign_url("5019"), {"officer": somsri.pk, "start_date": "02/10/2568", "expected_current": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "stale")
    # What was typed is kept, and the form now knows the assignment as it is.
    form = response.context["form"]
    assert form["officer"].value() == str(somsri.pk)
    assert form["start_date"].value() == "02/10/2568"
    assert DistrictAssignment.objects.get(district__code="5019", end_date__isnull=True).officer == somchai
    assert DistrictAssignment.objects.count() == 1


def test_double_submit_creates_one_assignment_and_says_so_calmly(head: Officer, somchai: Officer) -> None:
    client = client_for(head)
    data = {"officer": somchai.pk, "start_date": "01/10/2568", "expected_current": ""}

    client.post(assign_url("5019"), data)
    response = client.post(assign_url("5019"), data, follow=True)

    assert response.status_code == 200
    assert DistrictAssignment.objects.filter(district__code="5019").count() == 1
    assert [m.level for m in get_messages(response.wsgi_request)][-1] == messages.INFO


def test_non_adjoining_district_asks_for_confirmation_before_saving(head: Officer, somchai: Officer) -> None:
    assign(somchai, "5001")
    adjoin("5001", "5019")
    adjoin("5018", "5002")  # อมก๋อย has neighbour data, but not เมืองเชียงใหม่
    client = client_for(head)
    data = {"officer": somchai.pk, "start_date": "01/11/2568", "expected_current": ""}

    preview = client.post(assign_url("5018"), data)

    assert preview.status_code == 200
    assert preview.templates[0].name == "organisation/manage/district_assign_confirm.html"
    assert preview.context["warnings"]
    assert all(w in preview.content.decode() for w in preview.context["warnings"])
    assert not DistrictAssignment.objects.filter(district__code="5018").exists()

    back = client.post(assign_url("5018"), {**data, "confirmed": "1", "edit": "1"})

    assert back.templates[0].name == "organisation/manage/district_assign.html"
    assert back.context["form"]["start_date"].value() == "01/11/2568"
    assert not DistrictAssignment.objects.filter(district__code="5018").exists()

    confirmed = client.post(assign_url("5018"), {**data, "confirmed": "1"})

    assert confirmed.status_code == 302
    assert DistrictAssignment.objects.get(district__code="5018").officer == somchai


def test_adjoining_district_is_saved_without_confirmation(head: Officer, somchai: Officer) -> None:
    assign(somchai, "5001")
    adjoin("5001", "5019")

    response = client_for(head).post(
        assign_url("5019"), {"officer": somchai.pk, "start_date": "01/11/2568", "expected_current": ""}
    )

    assert response.status_code == 302
    assert DistrictAssignment.objects.get(district__code="5019").officer == somchai


def test_no_warning_when_the_district_has_no_neighbour_data(head: Officer, somchai: Officer) -> None:
    assign(somchai, "5001")

    response = client_for(head).post(
        assign_url("5025"),
        {"officer": somchai.pk, "start_date": "01/11/2568", "expected_current": ""},
        follow=True,
    )

    assert DistrictAssignment.objects.get(district__code="5025").officer == somchai
    assert [m.level for m in get_messages(response.wsgi_request)] == [messages.SUCCESS]


@pytest.mark.parametrize("bad_date", ["31/02/2568", "2568", "พรุ่งนี้", "01/13/2568"])
def test_bad_dates_are_form_errors_and_keep_the_input(head: Officer, somchai: Officer, bad_date: str) -> None:
    response = client_for(head).post(
        assign_url("5019"), {"officer": somchai.pk, "start_date": bad_date, "expected_current": ""}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "start_date" in form.errors
    assert form["start_date"].value() == bad_date
    assert form["officer"].value() == str(somchai.pk)


def test_damaged_hidden_field_is_a_form_error_not_a_server_error(head: Officer, somchai: Officer) -> None:
    response = client_for(head).post(
        assign_url("5019"), {"officer": "abc", "start_date": "01/10/2568", "expected_current": "x"}
    )

    assert response.status_code == 200
    assert not DistrictAssignment.objects.exists()


def test_overlapping_start_date_is_refused_with_the_rule(
    head: Officer, somchai: Officer, somsri: Officer
) -> None:
    current = assign(somchai, "5019", start=datetime.date(2025, 10, 1))

    response = client_for(head).post(
        assign_url("5019"), {"officer": somsri.pk, "start_date": "01/09/2568", "expected_current": current.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "overlap")
    assert DistrictAssignment.objects.get(district__code="5019", end_date__isnull=True).officer == somchai


def test_head_ends_an_assignment(head: Officer, somchai: Officer) -> None:
    current = assign(somchai, "5019")
    url = reverse("manage:district-unassign", args=["50", "5019"])

    response = client_for(head).post(url, {"end_date": "31/03/2569"})

    assert response.status_code == 302
    current.refresh_from_db()
    assert current.end_date == datetime.date(2026, 3, 31)


def test_others_cannot_end_an_assignment(lamphun_head: Officer, somchai: Officer, director: Officer) -> None:
    current = assign(somchai, "5019")
    url = reverse("manage:district-unassign", args=["50", "5019"])

    for officer in (lamphun_head, somchai, director):
        assert client_for(officer).post(url, {"end_date": "31/03/2569"}).status_code in (403, 404)

    current.refresh_from_db()
    assert current.end_date is None


# The group director and the acting deputy -------------------------------------------------------------


def test_head_appoints_an_eligible_group_director(head: Officer, somchai: Officer) -> None:
    url = reverse("manage:group-director", args=["50"])

    response = client_for(head).post(url, {"officer": somchai.pk, "start_date": "01/10/2568"})

    assert response.status_code == 302
    role = RoleAssignment.objects.get(role=Role.GROUP_DIRECTOR, province__code="50")
    assert (role.officer, role.start_date) == (somchai, START)


def test_group_director_page_lists_eligible_first_and_shows_reasons(
    head: Officer, somchai: Officer, somsri: Officer
) -> None:
    page = client_for(head).get(reverse("manage:group-director", args=["50"])).content.decode()

    assert page.index(somchai.full_name) < page.index(somsri.full_name)
    for reason in group_director_ineligibility(somsri, timezone.localdate()):
        assert reason in page


def test_ineligible_group_director_is_refused_with_the_rule(head: Officer, somsri: Officer) -> None:
    url = reverse("manage:group-director", args=["50"])

    response = client_for(head).post(url, {"officer": somsri.pk, "start_date": "01/10/2568"})

    assert response.status_code == 200
    errors = str(response.context["form"].non_field_errors())
    assert "ชำนาญการ" in errors and "ปฏิบัติการ" in errors
    assert not RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR).exists()


def test_new_director_ends_the_previous_term_and_double_submit_is_calm(
    head: Officer, director: Officer, somchai: Officer
) -> None:
    client = client_for(head)
    url = reverse("manage:group-director", args=["50"])
    data = {"officer": somchai.pk, "start_date": "01/10/2568"}

    client.post(url, data)
    again = client.post(url, data, follow=True)

    assert again.status_code == 200
    assert [m.level for m in get_messages(again.wsgi_request)][-1] == messages.INFO
    assert (
        RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR, end_date__isnull=True).get().officer
        == somchai
    )
    assert RoleAssignment.objects.get(officer=director, role=Role.GROUP_DIRECTOR).end_date == datetime.date(
        2025, 9, 30
    )


@pytest.mark.parametrize("who", ["somchai", "director", "lamphun_head"])
def test_others_cannot_appoint_a_group_director(
    who: str, request: pytest.FixtureRequest, somchai: Officer
) -> None:
    officer: Officer = request.getfixturevalue(who)
    before = RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR).count()

    response = client_for(officer).post(
        reverse("manage:group-director", args=["50"]), {"officer": somchai.pk, "start_date": "01/10/2568"}
    )

    assert response.status_code in (403, 404)
    assert RoleAssignment.objects.filter(role=Role.GROUP_DIRECTOR).count() == before


def test_head_sets_an_acting_deputy(head: Officer, director: Officer, somchai: Officer) -> None:
    response = client_for(head).post(
        reverse("manage:acting-deputy", args=["50"]),
        {"deputy": somchai.pk, "start_date": "01/10/2568", "end_date": "15/10/2568", "reason": "ลาพักผ่อน"},
    )

    assert response.status_code == 302
    deputy = ActingDeputy.objects.get()
    assert (deputy.deputy, deputy.start_date, deputy.end_date, deputy.reason) == (
        somchai,
        START,
        datetime.date(2025, 10, 15),
        "ลาพักผ่อน",
    )


def test_acting_deputy_until_before_from_is_a_form_error(head: Officer, somchai: Officer) -> None:
    response = client_for(head).post(
        reverse("manage:acting-deputy", args=["50"]),
        {"deputy": somchai.pk, "start_date": "15/10/2568", "end_date": "01/10/2568", "reason": "ลา"},
    )

    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert response.context["form"]["reason"].value() == "ลา"
    assert not ActingDeputy.objects.exists()


def test_overlapping_acting_deputy_is_refused_with_the_rule(
    head: Officer, somchai: Officer, somsri: Officer
) -> None:
    client = client_for(head)
    url = reverse("manage:acting-deputy", args=["50"])
    client.post(url, {"deputy": somchai.pk, "start_date": "01/10/2568", "end_date": "15/10/2568"})

    response = client.post(url, {"deputy": somsri.pk, "start_date": "10/10/2568", "end_date": "20/10/2568"})

    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "overlap")
    assert ActingDeputy.objects.count() == 1


@pytest.mark.parametrize("who", ["somchai", "director", "lamphun_head"])
def test_others_cannot_set_an_acting_deputy(
    who: str, request: pytest.FixtureRequest, somsri: Officer
) -> None:
    officer: Officer = request.getfixturevalue(who)

    response = client_for(officer).post(
        reverse("manage:acting-deputy", args=["50"]),
        {"deputy": somsri.pk, "start_date": "01/10/2568", "end_date": "15/10/2568"},
    )

    assert response.status_code in (403, 404)
    assert not ActingDeputy.objects.exists()


# The district-officer role ----------------------------------------------------------------------------


def test_head_gives_and_ends_the_district_officer_role(head: Officer) -> None:
    newcomer = make_officer(first_name_th="ใหม่")
    client = client_for(head)

    given = client.post(
        reverse("manage:district-officer-add", args=["50"]),
        {"officer": newcomer.pk, "start_date": "01/10/2568"},
    )
    again = client.post(
        reverse("manage:district-officer-add", args=["50"]),
        {"officer": newcomer.pk, "start_date": "01/10/2568"},
        follow=True,
    )
    role = RoleAssignment.objects.get(officer=newcomer, role=Role.DISTRICT_OFFICER)
    ended = client.post(reverse("manage:role-end", args=["50", role.pk]), {"end_date": "30/09/2569"})

    assert given.status_code == 302 and ended.status_code == 302
    assert [m.level for m in get_messages(again.wsgi_request)][-1] == messages.INFO
    assert RoleAssignment.objects.filter(officer=newcomer, role=Role.DISTRICT_OFFICER).count() == 1
    role.refresh_from_db()
    assert role.end_date == datetime.date(2026, 9, 30)


def test_ending_the_role_of_an_officer_of_another_province_is_404(head: Officer, lamphun: Province) -> None:
    other = make_officer(province=lamphun)
    role = give_role(other, Role.DISTRICT_OFFICER, province=lamphun)

    response = client_for(head).post(
        reverse("manage:role-end", args=["50", role.pk]), {"end_date": "30/09/2569"}
    )

    assert response.status_code == 404
    role.refresh_from_db()
    assert role.end_date is None


@pytest.mark.parametrize("who", ["somchai", "director", "lamphun_head"])
def test_others_cannot_give_or_end_the_role(
    who: str, request: pytest.FixtureRequest, somsri: Officer
) -> None:
    officer: Officer = request.getfixturevalue(who)
    newcomer = make_officer(first_name_th="ใหม่")
    role = RoleAssignment.objects.get(officer=somsri, role=Role.DISTRICT_OFFICER)
    client = client_for(officer)

    given = client.post(
        reverse("manage:district-officer-add", args=["50"]),
        {"officer": newcomer.pk, "start_date": "01/10/2568"},
    )
    ended = client.post(reverse("manage:role-end", args=["50", role.pk]), {"end_date": "30/09/2569"})

    assert given.status_code in (403, 404) and ended.status_code in (403, 404)
    assert not RoleAssignment.objects.filter(officer=newcomer).exists()
    role.refresh_from_db()
    assert role.end_date is None


# Upload of reference data -----------------------------------------------------------------------------


def test_central_staff_upload_lgos_and_see_row_errors(central: Officer) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organisation.models import LocalGovernmentOrganisation

    client = client_for(central)
    bad = SimpleUploadedFile("lgos.csv", "code,name_th,kind,district_code\nX1,เทศบาล,อบต.,5099\n".encode())
    good = SimpleUploadedFile("lgos.csv", "code,name_th,kind,district_code\nX1,เทศบาล,อบต.,5001\n".encode())

    refused = client.post(reverse("manage:imports"), {"kind": "lgos", "file": bad})
    accepted = client.post(reverse("manage:imports"), {"kind": "lgos", "file": good})

    assert refused.status_code == 200
    assert refused.context["import_errors"] and "5099" in refused.content.decode()
    assert accepted.status_code == 302
    assert LocalGovernmentOrganisation.objects.get(code="X1").district.code == "5001"

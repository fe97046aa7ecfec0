"""Each role lands on its own home page; the layout around it names the person and their roles."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    Officer,
    Province,
    Role,
    RoleAssignment,
    Unit,
)
from tests.factories import PASSWORD, OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 4, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def officer(province: Province | None, first: str, last: str = "ใจดี", **kwargs: object) -> Officer:
    return cast(Officer, OfficerFactory(province=province, first_name_th=first, last_name_th=last, **kwargs))


def district(province: Province, name: str) -> District:
    return District.objects.get(province=province, name_th=name)


def assign(where: District, who: Officer) -> None:
    DistrictAssignment.objects.create(district=where, officer=who, start_date=datetime.date(2024, 10, 1))


def home_of(client: Client, who: Officer | None = None, **user: object) -> str:
    client.force_login(cast(Any, who.user if who else UserFactory(**user)))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def chiang_mai_office(chiang_mai: Province) -> dict[str, Officer]:
    director = officer(chiang_mai, "วิชัย", "ประสานดี", phone="053 111 222", email="wichai@dla.go.th")
    give_role(director, Role.GROUP_DIRECTOR)
    head = officer(chiang_mai, "ประยูร", "ถิ่นเหนือ", phone="053 111 000")
    give_role(head, Role.PROVINCIAL_HEAD)
    somying = officer(chiang_mai, "สมหญิง", "รักถิ่น")
    give_role(somying, Role.DISTRICT_OFFICER)
    assign(district(chiang_mai, "แม่ริม"), somying)
    assign(district(chiang_mai, "สันทราย"), somying)
    somsak = officer(chiang_mai, "สมศักดิ์", "ดูแลดี")
    give_role(somsak, Role.DISTRICT_OFFICER)
    assign(district(chiang_mai, "ฝาง"), somsak)
    return {"director": director, "head": head, "somying": somying, "somsak": somsak}


def test_district_officer_sees_their_districts_and_their_director_and_head(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    html = home_of(client, chiang_mai_office["somying"])

    assert 'id="my-districts-title"' in html
    assert "อำเภอแม่ริม" in html and "อำเภอสันทราย" in html
    assert "อำเภอฝาง" not in html
    assert "วิชัย ประสานดี" in html and 'href="tel:053111222"' in html
    assert "ประยูร ถิ่นเหนือ" in html
    assert 'id="national-title"' not in html


def test_district_officer_sees_the_acting_deputy_on_the_days_one_is_set(
    client: Client, chiang_mai: Province, chiang_mai_office: dict[str, Officer]
) -> None:
    deputy = officer(chiang_mai, "สุดา", "แทนได้")
    ActingDeputy.objects.create(
        province=chiang_mai,
        deputy=deputy,
        start_date=datetime.date(2026, 4, 8),
        end_date=datetime.date(2026, 4, 17),
    )

    html = home_of(client, chiang_mai_office["somsak"])

    assert "สุดา แทนได้" in html
    assert "17 เม.ย. 2569" in html
    assert html.index("สุดา แทนได้") < html.index("วิชัย ประสานดี")


def test_group_director_sees_each_district_with_its_officer_and_those_with_nobody_in_red(
    client: Client, chiang_mai: Province, chiang_mai_office: dict[str, Officer]
) -> None:
    html = home_of(client, chiang_mai_office["director"])

    districts = District.objects.filter(province=chiang_mai).count()
    assert "สมหญิง รักถิ่น" in html and "สมศักดิ์ ดูแลดี" in html
    assert html.count('class="row-missing"') == districts - 3
    assert f"3 / {districts}" in html
    assert 'class="badge badge-warn"' in html  # สมหญิง holds two districts
    assert 'id="my-districts-title"' not in html


def test_provincial_head_sees_the_province_overview(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    html = home_of(client, chiang_mai_office["head"])

    assert 'id="province-50-title"' in html
    assert "สมศักดิ์ ดูแลดี" in html


def test_an_acting_deputy_sees_the_province_overview_on_their_days(
    client: Client, chiang_mai: Province, chiang_mai_office: dict[str, Officer]
) -> None:
    deputy = officer(chiang_mai, "สุดา", "แทนได้")
    ActingDeputy.objects.create(
        province=chiang_mai,
        deputy=deputy,
        start_date=datetime.date(2026, 4, 8),
        end_date=datetime.date(2026, 4, 17),
    )

    assert 'id="province-50-title"' in home_of(client, deputy)


def test_group_director_home_query_count_does_not_grow_with_districts(
    client: Client, django_assert_max_num_queries, chiang_mai: Province
) -> None:
    director = officer(chiang_mai, "วิชัย", "ประสานดี")
    give_role(director, Role.GROUP_DIRECTOR)
    client.force_login(cast(Any, director.user))
    districts = list(District.objects.filter(province=chiang_mai).order_by("code"))
    assign(districts[0], officer(chiang_mai, "ผู้รับผิดชอบแรก"))
    # Measured warm: the layout (the person's scope, the bell) comes from the cache.
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for where in districts[1:20]:
        assign(where, officer(chiang_mai, f"ผู้รับผิดชอบ{where.code}"))
    client.get(reverse("home"))

    # The layout (the session, the user, the centre in the footer; the scope and the bell cached) and the page:
    # the provinces; office, roles, acting deputies, districts, their assignments; workload reports: the
    # reports nobody is responsible for, the review queue's count, the current cycle (two when none is open).
    with django_assert_max_num_queries(22), CaptureQueriesContext(connection) as twenty:
        client.get(reverse("home"))
    assert len(one) == len(twenty)


def test_central_staff_see_national_figures(client: Client, chiang_mai_office: dict[str, Officer]) -> None:
    staff = officer(None, "กลาง", "ส่วนกลาง")
    give_role(staff, Role.CENTRAL_STAFF)

    html = home_of(client, staff)

    assert 'id="national-title"' in html
    assert "1 / 76" in html  # provinces with a group director
    assert "3 / 878" in html  # districts with a responsible officer, Bangkok's khet left out
    assert html.count('class="chip chip-missing"') == 75
    assert "<progress" in html


def test_central_staff_home_query_count_is_constant(client: Client, django_assert_max_num_queries) -> None:
    staff = officer(None, "กลาง", "ส่วนกลาง")
    give_role(staff, Role.CENTRAL_STAFF)
    client.force_login(cast(Any, staff.user))

    # The layout, the national figures, the request figures (what the person holds, what waits in the centre's
    # pool: two indexed counts), the three counts of failed background work and the current reporting cycle
    # (two queries when none is open).
    with django_assert_max_num_queries(19):
        client.get(reverse("home"))


def test_bureau_desk_member_sees_their_unit_and_its_members(client: Client) -> None:
    unit = Unit.objects.get(code="local-law")
    member = officer(None, "กฎหมาย", "ชัดเจน", unit=unit)
    give_role(member, Role.BUREAU_DESK, unit=unit)
    colleague = officer(None, "ระเบียบ", "ถูกต้อง", unit=unit)
    give_role(colleague, Role.BUREAU_DESK, unit=unit)

    html = home_of(client, member)

    assert "กองกฎหมายและระเบียบท้องถิ่น" in html
    assert "ระเบียบ ถูกต้อง" in html


def test_sso_admin_sees_the_provinces_whose_accounts_they_manage(
    client: Client, chiang_mai: Province
) -> None:
    admin = officer(chiang_mai, "อรุณี", "ระบบดี")
    give_role(admin, Role.SSO_ADMIN)

    html = home_of(client, admin)

    assert 'id="sso-title"' in html
    assert reverse("province-detail", args=["50"]) in html


def test_a_user_without_an_officer_record_gets_a_friendly_explanation(client: Client) -> None:
    html = home_of(client, username="newcomer")

    assert 'id="no-role-title"' in html
    assert reverse("directory") in html


def test_an_officer_without_a_role_today_gets_a_friendly_explanation(
    client: Client, chiang_mai: Province
) -> None:
    retired = officer(chiang_mai, "เกษียณ", "แล้ว")
    RoleAssignment.objects.create(
        officer=retired,
        role=Role.DISTRICT_OFFICER,
        province=chiang_mai,
        start_date=datetime.date(2020, 10, 1),
        end_date=datetime.date(2025, 9, 30),
    )

    html = home_of(client, retired)

    assert 'id="no-role-title"' in html


def test_home_requires_sign_in(client: Client) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The layout -------------------------------------------------------------------------------------------------


def test_header_names_the_person_and_their_role_and_offers_only_existing_pages(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    html = home_of(client, chiang_mai_office["director"])

    assert 'class="user-name">นายวิชัย ประสานดี' in html
    assert 'class="role-tag"' in html
    assert f'href="{reverse("directory")}"' in html
    assert 'href="/admin/"' not in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'action="{reverse("logout")}"' in html


def _menu(html: str) -> list[tuple[str, str, bool]]:
    """(address, label, marked as the page shown) of each item of the main menu."""
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert nav is not None
    return [
        (href, re.sub(r"<.*?>", "", label).strip(), bool(current))
        for href, current, label in re.findall(
            r'<a [^>]*?href="([^"]+)"( aria-current="page")?>(.*?)</a>', nav[0]
        )
    ]


def test_the_menu_holds_the_pages_of_the_persons_roles_in_thai_and_marks_the_one_shown(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    client.force_login(cast(Any, chiang_mai_office["director"].user))
    html = client.get(reverse("reporting:queue")).content.decode()

    with translation.override("th"):
        expected = [
            (reverse("home"), gettext("Home"), False),
            (reverse("requests:mine"), gettext("Coordination requests"), False),
            (reverse("reporting:queue"), gettext("Workload reports"), True),
            (reverse("requests:monitor"), gettext("Coordination monitoring"), False),
            (reverse("directory"), gettext("Directory"), False),
            (reverse("notifications:inbox"), gettext("Notifications"), False),
            (reverse("about"), gettext("Help"), False),
        ]
    assert _menu(html) == expected
    assert all(not re.search("[A-Za-z]", label) for _href, label, _current in expected)
    assert '<span class="role-tag">ผอ.กง.ทอ.</span>' in html
    assert '<span class="user-province">จังหวัดเชียงใหม่</span>' in html

    officer_menu = _menu(home_of(client, chiang_mai_office["somying"]))
    assert [href for href, _label, _current in officer_menu] == [
        reverse("home"),
        reverse("requests:mine"),
        reverse("reporting:mine"),
        reverse("directory"),
        reverse("notifications:inbox"),
        reverse("about"),
    ]
    assert officer_menu[0][2] is True


def test_staff_see_the_administration_link(client: Client) -> None:
    html = home_of(client, username="admin-staff", is_staff=True)

    assert 'href="/admin/"' in html


def test_pages_carry_no_inline_scripts_or_styles(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    for url in (reverse("home"), reverse("directory") + "?q=สม", reverse("province-detail", args=["50"])):
        client.force_login(cast(Any, chiang_mai_office["director"].user))
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html, url
        assert "{#" not in html and "{%" not in html, url  # no template comment or tag leaks as text


# Sign-in ---------------------------------------------------------------------------------------------------


def test_sign_in_page_tells_where_to_get_an_account(client: Client) -> None:
    html = client.get(reverse("login")).content.decode()

    assert "SSO" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'for="id_username"' in html


def test_sign_in_with_a_wrong_password_shows_an_error(client: Client) -> None:
    UserFactory(username="somchai")

    response = client.post(reverse("login"), {"username": "somchai", "password": "wrong"})

    assert response.status_code == 200
    assert 'id="login-error"' in response.content.decode()


def test_sign_in_with_the_right_password_lands_on_home(client: Client) -> None:
    UserFactory(username="somchai")

    response = client.post(reverse("login"), {"username": "somchai", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_language_switch_shows_the_page_in_english(
    client: Client, chiang_mai_office: dict[str, Officer]
) -> None:
    client.force_login(cast(Any, chiang_mai_office["somying"].user))

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
    html = response.content.decode()

    assert '<html lang="en">' in html
    assert "Mae Rim" in html

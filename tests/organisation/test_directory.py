"""The directory: any signed-in person finds who is responsible where, with contacts.

Assertions look at data (names, phone numbers, dates) and at markup hooks (ids, classes) rather than at
interface wording, so they hold whether the page is shown in English or in Thai.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, cast

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.models import (
    ActingDeputy,
    District,
    DistrictAssignment,
    DistrictNeighbour,
    LocalGovernmentOrganisation,
    Officer,
    Province,
    Role,
)
from organisation.selectors.directory import directory_forget, directory_search, normalise_query
from organisation.views import directory as directory_views
from organisation.views.directory import RESULT_LIMIT
from tests.factories import OfficerFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 4, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def officer(province: Province, first: str, last: str = "ใจดี", **kwargs: object) -> Officer:
    return cast(Officer, OfficerFactory(province=province, first_name_th=first, last_name_th=last, **kwargs))


def assign(district: District, who: Officer, start: datetime.date = datetime.date(2024, 10, 1)) -> None:
    DistrictAssignment.objects.create(district=district, officer=who, start_date=start)


@pytest.fixture
def reader(client: Client) -> Client:
    """A signed-in person with no role: the directory is open to every signed-in user."""
    client.force_login(cast(Any, UserFactory(username="reader")))
    return client


@pytest.fixture
def chiang_mai_people(chiang_mai: Province) -> dict[str, Officer]:
    director = officer(chiang_mai, "วิชัย", "ประสานดี", phone="053 111 222", email="wichai@dla.go.th")
    give_role(director, Role.GROUP_DIRECTOR)
    head = officer(chiang_mai, "ประยูร", "ถิ่นเหนือ", phone="053 111 000")
    give_role(head, Role.PROVINCIAL_HEAD)
    sso = officer(chiang_mai, "อรุณี", "ระบบดี")
    give_role(sso, Role.SSO_ADMIN)
    deputy = officer(chiang_mai, "สุดา", "แทนได้")
    ActingDeputy.objects.create(
        province=chiang_mai,
        deputy=deputy,
        start_date=datetime.date(2026, 4, 8),
        end_date=datetime.date(2026, 4, 17),
    )
    mae_rim = District.objects.get(province=chiang_mai, name_th="แม่ริม")
    san_sai = District.objects.get(province=chiang_mai, name_th="สันทราย")
    district_officer = officer(chiang_mai, "สมหญิง", "รักถิ่น", phone="081-234-5678", email="somying@dla.go.th")
    give_role(district_officer, Role.DISTRICT_OFFICER)
    assign(mae_rim, district_officer)
    assign(san_sai, district_officer)
    return {
        "director": director,
        "head": head,
        "sso": sso,
        "deputy": deputy,
        "district_officer": district_officer,
    }


def search(client: Client, **params: str) -> str:
    response = client.get(reverse("directory"), params)
    assert response.status_code == 200
    return response.content.decode()


# Search -------------------------------------------------------------------------------------------------


def test_search_finds_an_officer_by_first_name(reader: Client, chiang_mai_people: dict[str, Officer]) -> None:
    html = search(reader, q="สมหญิง")

    assert "สมหญิง รักถิ่น" in html
    assert "วิชัย" not in html


def test_search_finds_an_officer_by_first_and_last_name_typed_together(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    html = search(reader, q="  สมหญิง   รักถิ่น ")

    assert "สมหญิง รักถิ่น" in html


def test_search_finds_the_district_officer_by_district_name_with_or_without_amphoe(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    for query in ("แม่ริม", "อำเภอแม่ริม", "อ.แม่ริม"):
        result = directory_search(query=query)
        assert [row.officer.first_name_th for row in result.rows] == ["สมหญิง"], query


def test_search_lists_the_officers_districts_and_roles(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    html = search(reader, q="สันทราย")

    assert "อำเภอแม่ริม" in html
    assert "อำเภอสันทราย" in html
    assert 'class="role-tag role-district_officer"' in html


def test_search_links_phone_numbers_and_email_addresses(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    html = search(reader, q="สมหญิง")

    assert 'href="tel:0812345678"' in html
    assert 'href="mailto:somying@dla.go.th"' in html


def test_a_phone_number_with_an_extension_is_shown_but_not_dialled_wrongly(
    reader: Client, chiang_mai: Province
) -> None:
    officer(chiang_mai, "ต่อสาย", phone="02 241 9000 ต่อ 4101")

    html = search(reader, q="ต่อสาย")

    assert "02 241 9000 ต่อ 4101" in html
    assert "tel:022419000" not in html  # (the centre's 02 241 9013 in the footer is dialled)


def test_search_by_province_filter_lists_only_people_of_that_province(
    reader: Client, chiang_mai_people: dict[str, Officer], lamphun: Province
) -> None:
    other = officer(lamphun, "สมหญิง", "ลำพูนดี")
    give_role(other, Role.DISTRICT_OFFICER)

    html = search(reader, q="สมหญิง", province="51")

    assert "สมหญิง ลำพูนดี" in html
    assert "สมหญิง รักถิ่น" not in html


def test_province_filter_alone_lists_every_officer_of_the_province(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    result = directory_search(query="", province=Province.objects.get(code="50"))

    assert {row.officer.pk for row in result.rows} == {o.pk for o in chiang_mai_people.values()}


def test_search_by_province_name_finds_its_group_director(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    html = search(reader, q="จังหวัดเชียงใหม่")

    assert "วิชัย ประสานดี" in html
    assert reverse("province-detail", args=["50"]) in html


def test_search_of_a_province_lists_its_director_acting_deputy_and_head_first(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    result = directory_search(query="เชียงใหม่")

    first_three = {row.officer.first_name_th for row in result.rows[:3]}
    assert first_three == {"วิชัย", "ประยูร", "สุดา"}
    assert result.rows[3].officer.first_name_th == "อรุณี"  # the SSO admin next


def test_search_matches_english_names_case_insensitively(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    result = directory_search(query="mae rim")

    assert [row.officer.first_name_th for row in result.rows] == ["สมหญิง"]


def test_search_shows_a_matching_district_that_has_nobody(reader: Client, chiang_mai: Province) -> None:
    html = search(reader, q="ดอยสะเก็ด")

    assert reverse("district-detail", args=[District.objects.get(name_th="ดอยสะเก็ด").code]) in html


def test_search_with_no_match_shows_no_results(reader: Client, chiang_mai_people: dict[str, Officer]) -> None:
    result = directory_search(query="ไม่มีชื่อนี้แน่นอน")

    assert result.rows == []
    assert not result.has_more
    assert 'id="results-title"' in search(reader, q="ไม่มีชื่อนี้แน่นอน")


def test_search_joins_a_split_sara_am_typed_as_two_characters() -> None:
    assert normalise_query("\u0e19\u0e4d\u0e32\u0e1e\u0e39\u0e19") == "น\u0e33พูน"


def test_search_marks_an_acting_group_director(reader: Client, chiang_mai_people: dict[str, Officer]) -> None:
    html = search(reader, q="สุดา")

    assert 'class="role-tag role-acting"' in html
    assert "17 เม.ย. 2569" in html


def test_search_is_cut_at_the_limit_and_says_there_are_more(chiang_mai: Province) -> None:
    for n in range(7):
        officer(chiang_mai, f"ทดสอบ{n}")

    result = directory_search(query="ทดสอบ", limit=5)

    assert len(result.rows) == 5
    assert result.has_more


def _add_district_officers(province: Province, names: range) -> None:
    districts = list(District.objects.filter(province=province).order_by("code"))
    for n in names:
        who = officer(province, f"นับจำนวน{n:02d}")
        give_role(who, Role.DISTRICT_OFFICER)
        if n < len(districts):
            assign(districts[n], who)


def _queries_of(client: Client, **params: str) -> tuple[int, str]:
    directory_forget()  # a search not held yet: its own queries counted
    with CaptureQueriesContext(connection) as queries:
        html = search(client, **params)
    return len(queries), html


def test_search_runs_the_same_number_of_queries_for_5_results_or_a_full_page(reader: Client) -> None:
    korat = Province.objects.get(code="30")  # นครราชสีมา: 32 districts, so some officers hold none
    _add_district_officers(korat, range(5))
    search(reader, q="นับจำนวน")  # the page's layout (the person's scope) is cached from the first page on
    five, html_five = _queries_of(reader, q="นับจำนวน")
    _add_district_officers(korat, range(5, 50))
    search(reader, q="นับจำนวน")
    fifty, html_fifty = _queries_of(reader, q="นับจำนวน")

    assert html_five.count('class="officer-row"') == 5
    assert html_fifty.count('class="officer-row"') == RESULT_LIMIT
    assert five == fifty


def test_a_search_asked_again_is_held_until_the_directory_changes(chiang_mai: Province) -> None:
    """The same search again reads nothing from the database; an officer renamed or newly assigned shows in
    the next search at once."""
    who = officer(chiang_mai, "ทดลองถือ")
    first = directory_search(query="ทดลองถือ")
    assert [row.officer.pk for row in first.rows] == [who.pk]
    with CaptureQueriesContext(connection) as again:
        assert [row.officer.pk for row in directory_search(query="ทดลองถือ").rows] == [who.pk]
    assert len(again) == 0

    who.last_name_th = "เปลี่ยนนามสกุล"
    who.save()
    assert directory_search(query="ทดลองถือ").rows[0].officer.last_name_th == "เปลี่ยนนามสกุล"
    district = District.objects.filter(province=chiang_mai).order_by("code").first()
    assign(district, who)
    assert directory_search(query="ทดลองถือ").rows[0].districts == [district]


def test_a_search_page_holds_its_results_rendered_until_the_directory_changes(
    reader: Client, chiang_mai: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results of the same search are drawn once (organisation/views/directory.py): a second look neither
    searches nor draws them again; a renamed officer shows on the next look."""
    searched: list[str] = []

    def counted_search(**asked: Any) -> Any:
        searched.append(asked["query"])
        return directory_search(**asked)

    monkeypatch.setattr(directory_views, "directory_search", counted_search)
    who = officer(chiang_mai, "ทดลองแสดง")
    assert "ทดลองแสดง ใจดี" in search(reader, q="ทดลองแสดง")
    assert "ทดลองแสดง ใจดี" in search(reader, q="ทดลองแสดง")
    assert searched == ["ทดลองแสดง"]

    who.last_name_th = "เปลี่ยนนามสกุล"
    who.save()
    html = search(reader, q="ทดลองแสดง")
    assert "ทดลองแสดง เปลี่ยนนามสกุล" in html and "ใจดี" not in html
    assert searched == ["ทดลองแสดง", "ทดลองแสดง"]


def test_search_stays_within_its_query_budget(
    reader: Client, django_assert_max_num_queries, chiang_mai_people: dict[str, Officer]
) -> None:
    # The layout (session, user, officer of the user, the bell, the centre in the footer, the session saved: 3)
    # and the page: officers, roles, districts, acting deputies; matching provinces, districts and units; data
    # version; the province select.
    with django_assert_max_num_queries(17):
        search(reader, q="นับจำนวน")


def test_search_by_province_stays_within_its_query_budget(
    reader: Client, django_assert_max_num_queries, chiang_mai_people: dict[str, Officer]
) -> None:
    with django_assert_max_num_queries(17):
        search(reader, q="เชียงใหม่", province="50")


# Province page ---------------------------------------------------------------------------------------------


def test_province_page_lists_director_acting_deputy_head_sso_admins_and_districts(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    response = reader.get(reverse("province-detail", args=["50"]))
    html = response.content.decode()

    assert response.status_code == 200
    assert "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเชียงใหม่" in html
    for name in ("วิชัย ประสานดี", "สุดา แทนได้", "ประยูร ถิ่นเหนือ", "อรุณี ระบบดี", "สมหญิง รักถิ่น"):
        assert name in html
    assert "8 เม.ย. 2569" in html and "17 เม.ย. 2569" in html  # the acting deputy's days
    assert 'href="tel:053111222"' in html
    assert html.count('class="row-missing"') == District.objects.filter(province__code="50").count() - 2


def test_province_page_marks_an_officer_holding_several_districts(
    reader: Client, chiang_mai_people: dict[str, Officer]
) -> None:
    html = reader.get(reverse("province-detail", args=["50"])).content.decode()

    assert html.count('class="badge badge-warn"') == 2  # on both of สมหญิง's districts
    assert html.count('<span class="badge badge-warn">รับผิดชอบ 2 อำเภอ</span>') == 2


def test_province_page_of_bangkok_says_the_dla_has_no_provincial_office(reader: Client) -> None:
    html = reader.get(reverse("province-detail", args=["10"])).content.decode()

    assert 'class="alert alert-info"' in html
    assert "เขตพระนคร" in html
    assert 'class="row-missing"' not in html
    assert 'id="office-title"' not in html


def test_province_page_query_count_does_not_grow_with_assigned_districts(
    reader: Client, django_assert_max_num_queries, chiang_mai: Province
) -> None:
    districts = list(District.objects.filter(province=chiang_mai).order_by("code"))
    url = reverse("province-detail", args=["50"])
    assign(districts[0], officer(chiang_mai, "ผู้รับผิดชอบแรก"))
    reader.get(url)  # measured warm: the layout (the person's scope, the bell) comes from the cache
    with CaptureQueriesContext(connection) as one:
        reader.get(url)
    for district in districts[1:13]:
        assign(district, officer(chiang_mai, f"ผู้รับผิดชอบ{district.code}"))
    reader.get(url)

    # The layout (the session, the user, the centre in the footer; the scope and the bell cached) and the page:
    # province, office, roles, acting deputies, districts, their current assignments, data version.
    with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as thirteen:
        reader.get(url)
    assert len(one) == len(thirteen)


def test_pages_credit_geothai_with_the_loaded_version(reader: Client) -> None:
    from organisation.models import ReferenceDataVersion

    version = ReferenceDataVersion.objects.get(source="geothai").version
    for url in (
        reverse("directory"),
        reverse("province-detail", args=["50"]),
        reverse("district-detail", args=["5001"]),
    ):
        html = reader.get(url).content.decode()
        assert "GeoThai (CC BY 4.0)" in html and version in html, url


# District page ---------------------------------------------------------------------------------------------


def test_district_page_shows_the_responsible_officer_and_history_with_buddhist_era_dates(
    reader: Client, chiang_mai: Province
) -> None:
    mae_rim = District.objects.get(province=chiang_mai, name_th="แม่ริม")
    before = officer(chiang_mai, "ก่อนหน้า", "เคยดูแล")
    DistrictAssignment.objects.create(
        district=mae_rim,
        officer=before,
        start_date=datetime.date(2022, 10, 1),
        end_date=datetime.date(2024, 9, 30),
    )
    now = officer(chiang_mai, "ปัจจุบัน", "ดูแลอยู่", phone="053 999 888")
    assign(mae_rim, now, start=datetime.date(2024, 10, 1))

    html = reader.get(reverse("district-detail", args=[mae_rim.code])).content.decode()

    assert "ปัจจุบัน ดูแลอยู่" in html
    assert "1 ตุลาคม 2567" in html  # since, long form
    assert "1 ต.ค. 2565" in html and "30 ก.ย. 2567" in html
    assert html.index("ปัจจุบัน ดูแลอยู่") < html.index("ก่อนหน้า เคยดูแล")
    assert 'class="row-current"' in html


def test_district_page_says_nobody_is_responsible(reader: Client, chiang_mai: Province) -> None:
    district = District.objects.get(province=chiang_mai, name_th="ดอยสะเก็ด")

    html = reader.get(reverse("district-detail", args=[district.code])).content.decode()

    assert 'class="nobody"' in html


def test_district_page_lists_its_lgos_and_neighbours(reader: Client, chiang_mai: Province) -> None:
    mae_rim = District.objects.get(province=chiang_mai, name_th="แม่ริม")
    mueang = District.objects.get(province=chiang_mai, name_th="เมืองเชียงใหม่")
    a, b = sorted([mae_rim, mueang], key=lambda d: d.pk)
    DistrictNeighbour.objects.create(district_a=a, district_b=b)
    LocalGovernmentOrganisation.objects.create(
        code="5070501", name_th="เทศบาลตำบลริมใต้", kind="MUNICIPALITY", district=mae_rim
    )

    html = reader.get(reverse("district-detail", args=[mae_rim.code])).content.decode()

    assert "เทศบาลตำบลริมใต้" in html
    assert reverse("district-detail", args=[mueang.code]) in html


def test_bangkok_khet_page_says_the_dla_has_no_provincial_office(reader: Client) -> None:
    khet = District.objects.get(name_th="เขตพระนคร")

    html = reader.get(reverse("district-detail", args=[khet.code])).content.decode()

    assert 'class="alert alert-info"' in html
    assert 'class="nobody"' not in html


# Access ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/directory/provinces/99/", "/directory/districts/9999/", "/directory/provinces/abc/"]
)
def test_unknown_codes_are_not_found(reader: Client, url: str) -> None:
    assert reader.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/directory/", "/directory/?q=สมหญิง", "/directory/provinces/50/", "/directory/districts/5001/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_provinces_directory_is_read_once_until_someone_is_assigned_appointed_or_edited(
    reader: Client, chiang_mai_people: dict[str, Officer], chiang_mai: Province
) -> None:
    """Every director's home page and the province page show the province's directory: it is held in the shared
    cache, and any appointment, assignment or edit of the people in it shows at once."""
    url = reverse("province-detail", args=["50"])
    reader.get(url)
    with CaptureQueriesContext(connection) as held:
        reader.get(url)
    assert not [q for q in held.captured_queries if "organisation_districtassignment" in q["sql"]]

    chiang_dao = District.objects.get(province=chiang_mai, name_th="เชียงดาว")
    assign(chiang_dao, officer(chiang_mai, "มานพ", "ใหม่มา"))
    assert "มานพ ใหม่มา" in reader.get(url).content.decode()
    chiang_mai_people["head"].phone = "053 999 999"
    chiang_mai_people["head"].save()
    assert "053 999 999" in reader.get(url).content.decode()
    DistrictAssignment.objects.filter(district=chiang_dao).delete()
    assert "มานพ ใหม่มา" not in reader.get(url).content.decode()

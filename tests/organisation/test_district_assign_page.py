"""Assigning a district shows what matters (issue 11 item 15): the officers of the province with the districts
each already holds, a warning beside those the district does not adjoin, in the service's own form style; and
the demo has adjoining districts to show it with."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from demo.organisation import DEMO_NEIGHBOURS, demo_neighbours_seed, demo_seed
from organisation.models import District, DistrictAssignment, DistrictNeighbour, Officer, Province, Role
from organisation.models.people import CivilServiceLevel
from tests.factories import OfficerFactory, give_role

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 10, 1)


def make(first: str, role: str, province: Province) -> Officer:
    officer = cast(
        Officer, OfficerFactory(first_name_th=first, province=province, level=CivilServiceLevel.PROFESSIONAL)
    )
    give_role(officer, role, province=province)
    return officer


def holds(officer: Officer, *codes: str) -> None:
    for code in codes:
        DistrictAssignment.objects.create(
            district=District.objects.get(code=code), officer=officer, start_date=START
        )


def adjoin(a: str, b: str) -> None:
    pk_a, pk_b = sorted([District.objects.get(code=a).pk, District.objects.get(code=b).pk])
    DistrictNeighbour.objects.create(district_a_id=pk_a, district_b_id=pk_b)


@pytest.fixture
def head_client(chiang_mai: Province) -> Client:
    head = make("ประยูร", Role.PROVINCIAL_HEAD, chiang_mai)
    client = Client()
    client.force_login(cast(Any, head.user))
    return client


def choice_of(html: str, officer: Officer) -> str:
    """The option of the officer: from its radio to the end of its list item."""
    start = html.index(f'value="{officer.pk}"')
    return html[start : html.index("</li>", start)]


def test_each_officer_is_shown_with_the_districts_held_and_whether_the_district_adjoins_them(
    head_client: Client, chiang_mai: Province
) -> None:
    near = make("ใกล้", Role.DISTRICT_OFFICER, chiang_mai)
    far = make("ไกล", Role.DISTRICT_OFFICER, chiang_mai)
    free = make("ว่าง", Role.DISTRICT_OFFICER, chiang_mai)
    holds(near, "5001")  # เมืองเชียงใหม่ adjoins แม่ริม
    holds(far, "5002")  # จอมทอง does not
    adjoin("5001", "5007")
    adjoin("5007", "5006")

    html = head_client.get(reverse("manage:district-assign", args=["50", "5007"])).content.decode()

    assert "---------" not in html and "<select" not in html
    assert len(re.findall(r'type="radio" name="officer"', html)) == 3
    assert "เมืองเชียงใหม่" in choice_of(html, near) and "assign-adjoins" in choice_of(html, near)
    assert "จอมทอง" in choice_of(html, far) and "assign-warning" in choice_of(html, far)
    assert "assign-warning" not in choice_of(html, free) and "assign-adjoins" not in choice_of(html, free)
    assert "assign-no-neighbours" not in html


def test_without_neighbour_data_the_page_says_so_rather_than_warn(
    head_client: Client, chiang_mai: Province
) -> None:
    officer = make("ใกล้", Role.DISTRICT_OFFICER, chiang_mai)
    holds(officer, "5002")

    html = head_client.get(reverse("manage:district-assign", args=["50", "5007"])).content.decode()

    assert "assign-no-neighbours" in html and "assign-warning" not in html
    assert "จอมทอง" in choice_of(html, officer)


def test_choosing_nobody_is_refused_on_the_form_with_the_officers_still_shown(
    head_client: Client, chiang_mai: Province
) -> None:
    officer = make("ใกล้", Role.DISTRICT_OFFICER, chiang_mai)
    holds(officer, "5001")

    response = head_client.post(
        reverse("manage:district-assign", args=["50", "5007"]),
        {"start_date": "01/11/2568", "expected_current": ""},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_officer_error"' in html and 'class="alert alert-error"' in html
    assert "เมืองเชียงใหม่" in choice_of(html, officer)
    assert not DistrictAssignment.objects.filter(district__code="5007").exists()


def test_a_district_not_adjoining_asks_for_confirmation_then_assigns(
    head_client: Client, chiang_mai: Province
) -> None:
    officer = make("ไกล", Role.DISTRICT_OFFICER, chiang_mai)
    holds(officer, "5002")
    adjoin("5001", "5007")
    url = reverse("manage:district-assign", args=["50", "5007"])
    data = {"officer": str(officer.pk), "start_date": "01/11/2568", "expected_current": ""}

    confirm = head_client.post(url, data)
    assert confirm.status_code == 200 and 'name="confirmed"' in confirm.content.decode()
    assert not DistrictAssignment.objects.filter(district__code="5007").exists()

    assert head_client.post(url, {**data, "confirmed": "1"}).status_code == 302
    assert DistrictAssignment.objects.get(district__code="5007").officer == officer


def test_the_demo_loads_the_adjoining_districts_of_the_example_file_once() -> None:
    rows = len(DEMO_NEIGHBOURS.read_text(encoding="utf-8").strip().splitlines()) - 1
    demo_seed()

    assert DistrictNeighbour.objects.count() == rows
    assert DistrictNeighbour.objects.filter(district_a__province__code="50").exists()
    assert demo_neighbours_seed() is False
    assert DistrictNeighbour.objects.count() == rows

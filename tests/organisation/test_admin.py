"""The admin: reference data browsable, units editable, assignments read-only (their rules live in services)."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from organisation.models import (
    District,
    DistrictAssignment,
    DistrictNeighbour,
    Officer,
    Role,
    RoleAssignment,
    Unit,
)
from tests.factories import OfficerFactory, give_role


def make_officer(**fields: Any) -> Officer:
    return cast(Officer, OfficerFactory(**fields))


pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    user = get_user_model().objects.create_superuser("root", "root@dla.go.th", "x-very-long-password")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "province",
        "district",
        "unit",
        "localgovernmentorganisation",
        "districtneighbour",
        "referencedataversion",
        "officer",
        "roleassignment",
        "districtassignment",
        "actingdeputy",
    ],
)
def test_every_changelist_opens(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(reverse(f"admin:organisation_{model}_changelist")).status_code == 200


def test_districts_are_searchable_by_thai_name_and_code(admin_client_: Client) -> None:
    url = reverse("admin:organisation_district_changelist")

    by_name = admin_client_.get(url, {"q": "สารภี"}).content.decode()
    by_code = admin_client_.get(url, {"q": "5101"}).content.decode()

    assert "สารภี" in by_name and "ฮอด" not in by_name
    assert "เมืองลำพูน" in by_code


def test_officers_are_searchable_by_thai_and_english_names(admin_client_: Client) -> None:
    make_officer(first_name_th="วิไลวรรณ", first_name_en="Wilaiwan")
    url = reverse("admin:organisation_officer_changelist")

    assert "วิไลวรรณ" in admin_client_.get(url, {"q": "วิไลวรรณ"}).content.decode()
    assert "วิไลวรรณ" in admin_client_.get(url, {"q": "Wilaiwan"}).content.decode()


def test_a_central_unit_is_edited_in_the_admin(admin_client_: Client) -> None:
    unit = Unit.objects.get(code="local-law")
    url = reverse("admin:organisation_unit_change", args=[unit.pk])

    response = admin_client_.post(
        url,
        {
            "kind": unit.kind,
            "code": unit.code,
            "name_th": unit.name_th,
            "name_en": unit.name_en,
            "abbreviation": unit.abbreviation,
            "phone": "02 241 9000",
            "email": "law@dla.go.th",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.phone == "02 241 9000"


def test_assignments_cannot_be_added_or_changed_in_the_admin(admin_client_: Client) -> None:
    officer = make_officer()
    role = give_role(officer, Role.DISTRICT_OFFICER)
    assignment = DistrictAssignment.objects.create(
        district=District.objects.get(code="5019"), officer=officer, start_date=datetime.date(2025, 10, 1)
    )

    assert admin_client_.get(reverse("admin:organisation_districtassignment_add")).status_code == 403
    assert admin_client_.get(reverse("admin:organisation_roleassignment_add")).status_code == 403
    assert admin_client_.get(reverse("admin:organisation_actingdeputy_add")).status_code == 403
    view = admin_client_.get(reverse("admin:organisation_districtassignment_change", args=[assignment.pk]))
    assert view.status_code == 200  # view only
    changed = admin_client_.post(
        reverse("admin:organisation_districtassignment_change", args=[assignment.pk]),
        {"district": assignment.district_id, "officer": officer.pk, "start_date": "2020-01-01"},
    )
    assert changed.status_code == 403
    assert (
        admin_client_.post(
            reverse("admin:organisation_roleassignment_delete", args=[role.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assignment.refresh_from_db()
    assert assignment.start_date == datetime.date(2025, 10, 1)
    assert RoleAssignment.objects.filter(pk=role.pk).exists()


def test_assignment_list_links_to_the_management_page(admin_client_: Client) -> None:
    officer = make_officer()
    DistrictAssignment.objects.create(
        district=District.objects.get(code="5019"), officer=officer, start_date=datetime.date(2025, 10, 1)
    )

    page = admin_client_.get(reverse("admin:organisation_districtassignment_changelist")).content.decode()

    assert reverse("manage:province", args=["50"]) in page


def test_neighbour_pair_entered_in_either_order_is_stored_lower_id_first(admin_client_: Client) -> None:
    mueang, saraphi = District.objects.get(code="5001"), District.objects.get(code="5019")
    high, low = max(mueang, saraphi, key=lambda d: d.pk), min(mueang, saraphi, key=lambda d: d.pk)

    response = admin_client_.post(
        reverse("admin:organisation_districtneighbour_add"), {"district_a": high.pk, "district_b": low.pk}
    )
    again = admin_client_.post(
        reverse("admin:organisation_districtneighbour_add"), {"district_a": low.pk, "district_b": high.pk}
    )

    assert response.status_code == 302
    pair = DistrictNeighbour.objects.get()
    assert (pair.district_a_id, pair.district_b_id) == (low.pk, high.pk)
    assert again.status_code == 200  # refused on the form: already recorded
    assert DistrictNeighbour.objects.count() == 1

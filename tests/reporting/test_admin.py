"""Mission areas and indicators are data central staff edit in the admin (issue 5); cycles and district
reports are shown there read-only (their changes go through the reporting pages and services)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from organisation.services.appointments import central_staff_admin_access
from reporting.models import Indicator, MissionArea, ReportingCycle
from reporting.services import cycles
from tests.reporting.conftest import report_of


@pytest.fixture
def admin_client(client: Client, org: Any) -> Client:
    """Central staff as the appointment leaves them: staff status and the central staff's admin group."""
    central_staff_admin_access(org.central)
    client.force_login(org.central)
    return client


def test_central_staff_see_mission_areas_with_their_thai_names_and_indicator_counts(admin_client, org):
    cycles.defaults_ensure()
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reporting_missionarea_changelist") in index
    assert reverse("admin:reporting_indicator_add") in index
    response = admin_client.get(reverse("admin:reporting_missionarea_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    area = MissionArea.objects.order_by("order").first()
    assert area.name_th in body
    assert f">{area.indicators.count()}<" in body


def test_central_staff_add_a_mission_area_with_its_indicators_inline(admin_client, org):
    cycles.defaults_ensure()
    data = {
        "code": "TOURISM",
        "name_th": "ส่งเสริมการท่องเที่ยวท้องถิ่น",
        "name_en": "Local tourism",
        "order": "20",
        "is_active": "on",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "indicators-0-order": "1",
        "indicators-0-code": "tourism-events",
        "indicators-0-name_th": "กิจกรรมส่งเสริมการท่องเที่ยวที่ให้คำแนะนำ",
        "indicators-0-name_en": "Tourism events advised",
        "indicators-0-unit": "ครั้ง",
        "indicators-0-upper_bound": "50",
        "indicators-0-required": "on",
        "indicators-0-is_active": "on",
    }
    response = admin_client.post(reverse("admin:reporting_missionarea_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    area = MissionArea.objects.get(code="TOURISM")
    indicator = area.indicators.get()
    assert (indicator.name_th, indicator.unit, indicator.upper_bound) == (
        "กิจกรรมส่งเสริมการท่องเที่ยวที่ให้คำแนะนำ",
        "ครั้ง",
        50,
    )
    # A new cycle asks it.
    cycle = cycles.cycle_create(data=cycles.CycleInput(**_cycle_data()), by=org.central)
    assert cycle.indicators.filter(code="tourism-events").exists()


def _cycle_data() -> dict[str, Any]:
    from tests.reporting.conftest import cycle_input

    return cycle_input().__dict__


def test_central_staff_change_an_indicator_and_retire_another(admin_client, org):
    cycles.defaults_ensure()
    indicator = Indicator.objects.order_by("pk").first()
    page = admin_client.get(reverse("admin:reporting_indicator_change", args=[indicator.pk]))
    assert page.status_code == 200
    response = admin_client.post(
        reverse("admin:reporting_indicator_change", args=[indicator.pk]),
        {
            "area": indicator.area_id,
            "code": indicator.code,
            "name_th": indicator.name_th,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "help_text": "นับเฉพาะที่มีหลักฐาน",
            "required": "on",
            "upper_bound": "999",
            "order": indicator.order,
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.upper_bound == 999 and not indicator.is_active  # unticked: retired from new cycles
    # Central staff may not delete: retiring keeps the history readable.
    delete = admin_client.post(
        reverse("admin:reporting_indicator_delete", args=[indicator.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_cycles_and_reports_are_read_only_in_the_admin(admin_client, org, small_cycle):
    report = report_of(small_cycle, org.district)
    for name, args in [
        ("admin:reporting_reportingcycle_changelist", []),
        ("admin:reporting_reportingcycle_change", [small_cycle.pk]),
        ("admin:reporting_districtreport_changelist", []),
        ("admin:reporting_districtreport_change", [report.pk]),
    ]:
        response = admin_client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    body = admin_client.get(reverse("admin:reporting_reportingcycle_change", args=[small_cycle.pk])).content
    assert b'name="_save"' not in body  # a view, not a form
    assert admin_client.get(reverse("admin:reporting_reportingcycle_add")).status_code == 403
    assert admin_client.get(reverse("admin:reporting_districtreport_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:reporting_reportingcycle_change", args=[small_cycle.pk]), {"label": "เปลี่ยน"}
    )
    assert response.status_code == 403
    assert ReportingCycle.objects.get(pk=small_cycle.pk).label == small_cycle.label
    assert (
        admin_client.post(
            reverse("admin:reporting_districtreport_delete", args=[report.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("who", ["officer", "director", "head"])
def test_people_without_admin_access_do_not_reach_the_reporting_admin(client, org, who):
    user: User = getattr(org, who)
    client.force_login(user)
    response = client.get(reverse("admin:reporting_missionarea_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

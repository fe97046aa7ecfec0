"""One audit log of every change: who, when, from which address, through which way in (a page, the API,
the admin, a background job), with the values before and after; append-only; central staff search it all,
a provincial head their province's."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.context import AuditMiddleware
from audit.models import AppendOnly, AuditEntry, WayIn
from organisation.models import Role, RoleAssignment
from reporting.models import DistrictReport, ReportingCycle
from reporting.services import cycles
from reporting.services.reports import report_approve, report_reopen, report_submit, reports_extend
from tests.coordination import Org
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import full_input
from workdays.models import CalendarDay


def signed_in(user: User) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


def entries_for(instance: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.get_for_object(instance).order_by("pk"))


def test_a_change_through_a_page_names_the_person_the_address_and_the_values(org: Org) -> None:
    newcomer = OfficerFactory(province=org.chiang_mai)
    role = give_role(newcomer, Role.DISTRICT_OFFICER, province=org.chiang_mai)

    response = signed_in(org.head).post(
        reverse("manage:role-end", args=["50", role.pk]), {"end_date": "30/09/2569"}
    )

    assert response.status_code == 302
    entry = entries_for(role)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert (entry.way_in, entry.actor, entry.remote_addr) == (WayIn.PAGE, org.head, "203.0.113.7")
    assert entry.changes_dict["end_date"] == ["None", "2026-09-30"]
    assert entry.province == org.chiang_mai


def test_a_change_through_the_admin_is_recorded_as_the_admin(db: None) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    day = CalendarDay.objects.create(date=datetime.date(2026, 7, 28), kind=CalendarDay.Kind.HOLIDAY, name="x")

    response = signed_in(admin).post(
        reverse("admin:workdays_calendarday_change", args=[day.pk]),
        {"date": "2026-07-28", "kind": "HOLIDAY", "name": "วันเฉลิมพระชนมพรรษา"},
    )

    assert response.status_code == 302
    entry = entries_for(day)[-1]
    assert (entry.way_in, entry.actor, entry.action) == (WayIn.ADMIN, admin, LogEntry.Action.UPDATE)
    assert entry.changes_dict["name"] == ["x", "วันเฉลิมพระชนมพรรษา"]


def test_a_change_through_the_api_names_the_token_person_known_only_in_the_view(db: None) -> None:
    """The API (another branch) authenticates a token inside its view: the person is read when the change
    is written, and the way in is the API by its path."""
    caller = UserFactory(username="api.caller")
    officer = OfficerFactory(position="เดิม")

    def view(request: HttpRequest) -> HttpResponse:
        request.user = caller  # type: ignore[assignment]  # what DRF's token authentication does, inside the view
        officer.position = "ใหม่"
        officer.save()
        return HttpResponse(status=200)

    request = RequestFactory().patch(
        f"/api/v1/officers/{officer.pk}/", HTTP_AUTHORIZATION="Token abc", REMOTE_ADDR="198.51.100.4"
    )
    AuditMiddleware(view)(request)

    entry = entries_for(officer)[-1]
    assert (entry.way_in, entry.actor, entry.remote_addr) == (WayIn.API, caller, "198.51.100.4")
    assert entry.changes_dict["position"] == ["เดิม", "ใหม่"]


def test_a_change_by_a_background_job_is_recorded_as_a_job(
    org: Org, new_cycle: Callable[..., ReportingCycle]
) -> None:
    cycle = new_cycle()

    cycles.cycles_open_due()  # what beat runs: opens the cycles due today

    cycle.refresh_from_db()
    assert cycle.status != ReportingCycle.Status.SCHEDULED
    [entry] = [e for e in entries_for(cycle) if e.changes_dict.get("status", [""])[0] == "SCHEDULED"]
    assert (entry.way_in, entry.actor, entry.action) == (WayIn.JOB, None, LogEntry.Action.UPDATE)


def test_an_extension_written_in_bulk_is_in_the_log_with_its_deadline_before_and_after(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = DistrictReport.objects.get(cycle=small_cycle, district=org.district)
    before = report.due_at

    reports_extend(
        reports=DistrictReport.objects.filter(pk=report.pk),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วมสำนักงาน",
    )

    entry = entries_for(report)[-1]
    assert entry.changes_dict["due_at"][0] == str(before)
    assert entry.changes_dict["extension_reason"] == ["", "น้ำท่วมสำนักงาน"]
    assert entry.province == org.chiang_mai and entry.actor == org.central


def test_a_reopening_is_in_the_log_with_the_status_before_and_after(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = DistrictReport.objects.get(cycle=small_cycle, district=org.district)
    submitted = report_submit(report=report, data=full_input(report), by=org.officer)
    approved = report_approve(report=submitted, by=org.director)

    report_reopen(report=approved, by=org.central, reason="ตัวเลขไม่ตรงกับสารบรรณ")

    entry = entries_for(report)[-1]
    assert entry.changes_dict["status"] == ["APPROVED", "RETURNED"]
    assert (entry.actor, entry.way_in) == (org.central, WayIn.JOB)  # a service called outside a request


def test_the_log_is_append_only(org: Org, is_postgres: bool) -> None:
    officer = OfficerFactory(position="เดิม")
    entry = entries_for(officer)[-1]

    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    if is_postgres:  # below the ORM too
        for statement in ("UPDATE audit_auditentry SET object_repr = 'x'", "DELETE FROM audit_auditentry"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


def test_central_staff_search_everything_a_head_only_their_province_others_nothing(org: Org) -> None:
    cm_officer = OfficerFactory(province=org.chiang_mai, first_name_th="ชมพู")
    lp_officer = OfficerFactory(province=org.lamphun, first_name_th="ลำใย")
    url = reverse("audit:search")

    central = signed_in(org.central).get(url, {"subject": "ลำใย"})
    head = signed_in(org.head).get(url, {"subject": "ลำใย"})
    head_all = signed_in(org.head).get(url)
    officer = signed_in(org.officer).get(url)

    assert central.status_code == 200 and central.context["page"].paginator.count == 1
    assert head.status_code == 200 and head.context["page"].paginator.count == 0
    shown = {e.object_pk for e in head_all.context["page"].object_list}
    assert str(cm_officer.pk) in shown and str(lp_officer.pk) not in shown
    assert {e.province_id for e in head_all.context["page"].object_list} == {org.chiang_mai.pk}
    assert officer.status_code == 403


def test_the_search_finds_by_person_object_and_date(org: Org) -> None:
    newcomer = OfficerFactory(province=org.chiang_mai)
    role = give_role(newcomer, Role.DISTRICT_OFFICER, province=org.chiang_mai)
    signed_in(org.head).post(reverse("manage:role-end", args=["50", role.pk]), {"end_date": "30/09/2569"})
    client = signed_in(org.central)
    url = reverse("audit:search")

    by_person = client.get(url, {"person": org.head.officer.first_name_th})
    by_nobody = client.get(url, {"person": "ไม่มีใครชื่อนี้"})
    by_object = client.get(url, {"subject": "roleassignment"})
    by_day = client.get(url, {"date_from": "08/06/2569", "date_to": "08/06/2569"})
    by_other_day = client.get(url, {"date_from": "01/01/2569", "date_to": "31/01/2569"})

    assert by_person.context["page"].paginator.count == 1
    assert by_nobody.context["page"].paginator.count == 0
    assert by_object.context["page"].paginator.count >= 1
    assert by_day.context["page"].paginator.count >= 1
    assert by_other_day.context["page"].paginator.count == 0
    assert RoleAssignment.objects.filter(pk=role.pk, end_date=datetime.date(2026, 9, 30)).exists()


def test_the_search_page_reads_a_constant_number_of_queries(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        OfficerFactory(province=org.chiang_mai, position=f"ตำแหน่ง {n}")
    client = signed_in(org.central)
    client.get(reverse("audit:search"))

    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit:search"))

    assert response.status_code == 200 and len(response.context["page"].object_list) == 50  # a full page


def test_the_count_of_changes_is_written_with_thousands_separators(org: Org) -> None:
    OfficerFactory(province=org.chiang_mai)
    entry = AuditEntry.objects.order_by("pk").first()
    assert entry is not None
    values = {
        f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields if not f.primary_key
    }
    AuditEntry.objects.bulk_create(AuditEntry(**values) for _ in range(1234 - AuditEntry.objects.count()))

    html = signed_in(org.central).get(reverse("audit:search")).content.decode()
    assert "การเปลี่ยนแปลง 1,234 รายการ" in html


def test_the_page_names_each_changed_field_in_thai_and_writes_dates_in_the_buddhist_era(
    org: Org, small_cycle: ReportingCycle
) -> None:
    report = DistrictReport.objects.get(cycle=small_cycle, district=org.district)
    reports_extend(
        reports=DistrictReport.objects.filter(pk=report.pk),
        until=datetime.date(2026, 7, 3),
        by=org.central,
        reason="น้ำท่วมสำนักงาน",
    )
    report_reopen(
        report=report_approve(
            report=report_submit(report=report, data=full_input(report), by=org.officer), by=org.director
        ),
        by=org.central,
        reason="ตัวเลขไม่ตรงกับสารบรรณ",
    )

    html = signed_in(org.central).get(reverse("audit:search"), {"subject": "districtreport"}).content.decode()
    assert "<dt>ครบกำหนด</dt>" in html and "<dt>เหตุผลการขยายเวลา</dt>" in html
    assert "3 ก.ค. 2569 16:30 น." in html  # the new deadline: the day's office close, Bangkok time, B.E.
    assert "<dd>— → น้ำท่วมสำนักงาน</dd>" in html  # no reason before
    assert "<dt>สถานะ</dt><dd>อนุมัติแล้ว → ส่งกลับแก้ไข</dd>" in html
    assert "due_at" not in html and "extension_reason" not in html and "+00:00" not in html


def test_a_related_record_is_named_not_numbered(org: Org) -> None:
    officer = OfficerFactory(province=org.chiang_mai, first_name_th="ชมพู")
    html = signed_in(org.central).get(reverse("audit:search"), {"subject": str(officer)}).content.decode()
    changes = html.split('<dl class="changes">', 1)[1].split("</dl>", 1)[0]
    assert f"<dd>— → {org.chiang_mai}</dd>" in changes  # the province, by its name
    assert f"<dt>บัญชีผู้ใช้</dt><dd>— → {officer}</dd>" in changes  # an account, by its officer's name
    assert re.search(r"<dd>— → \d+</dd>", changes) is None  # no bare key

"""The workload report in headless Chromium (issue 5): the district officer fills it in and submits it,
the group director returns it with a comment beside a value, the officer fixes it and submits again, the
director approves it, and central staff see the district green on the province page of the national
monitoring. Screenshots of every page, on a desktop and on a phone, go to test-artifacts/browser/."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from reporting.models import DistrictReport, ReportingCycle, ReportStatus
from reporting.services import cycles
from tests.browser.test_request_flow import VIEWPORTS, as_user
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import open_for
from workdays.calendar import fiscal_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cycle(live_server: Any) -> ReportingCycle:
    cycles.defaults_ensure()  # the live server's database was emptied by an earlier transactional test
    chiang_mai = Province.objects.get(code="50")
    start = datetime.date(2024, 10, 1)

    def person(username: str, first: str, last: str, role: Role, **kwargs: Any) -> Officer:
        officer: Officer = OfficerFactory(  # type: ignore[assignment]
            user=UserFactory(username=username), first_name_th=first, last_name_th=last, **kwargs
        )
        give_role(officer, role, start_date=start, unit=kwargs.get("unit"))
        return officer

    somying = person("cm.officer", "สมหญิง", "รักถิ่น", Role.DISTRICT_OFFICER, province=chiang_mai, prefix="นาง")
    DistrictAssignment.objects.create(
        district=District.objects.get(province=chiang_mai, name_th="แม่ริม"), officer=somying, start_date=start
    )
    person("cm.director", "วิชัย", "ประสานดี", Role.GROUP_DIRECTOR, province=chiang_mai)
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    central = person("central", "ปรีชา", "ส่วนกลาง", Role.CENTRAL_STAFF, province=None, unit=centre)
    today = timezone.localdate()
    created = cycles.cycle_create(
        data=cycles.CycleInput(
            fiscal_year=fiscal_year(today),
            label="ไตรมาสทดสอบ",
            period_start=today - datetime.timedelta(days=90),
            period_end=today - datetime.timedelta(days=1),
            opens_on=today,
            closes_on=today + datetime.timedelta(days=30),
        ),
        by=central.user,
    )
    return open_for(created, [chiang_mai])


def shot(page: Page, artifacts: Path, name: str, size: str) -> None:
    page.screenshot(path=artifacts / f"reporting-{name}-{size}.png", full_page=True)


def fill_everything(page: Page, value: str) -> None:
    for box in page.locator(".rfield input[type=text], input[name^=letters_]").all():
        box.fill(value)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_officer_submits_director_returns_officer_fixes_director_approves_country_sees_green(
    browser: Browser, live_server: Any, cycle: ReportingCycle, artifacts: Path, size: str
) -> None:
    base = live_server.url
    report = DistrictReport.objects.get(cycle=cycle, district__name_th="แม่ริม")

    # 1. The officer finds the report on the reporting status page, fills it in with one bad value.
    officer = as_user(browser, base, "cm.officer", size)
    officer.goto(f"{base}/reports/")
    shot(officer, artifacts, "status-before", size)
    officer.locator(f"a[href='/reports/{report.pk}/']").first.click()
    fill_everything(officer, "12")
    officer.fill("#id_letters_sent_local", "-4")
    officer.locator("button[name=action][value=submit]").click()
    expect(officer.locator("#id_letters_sent_local_error")).to_contain_text("ติดลบ")
    expect(officer.locator("#id_letters_received_local")).to_have_value("12")  # nothing typed is lost
    shot(officer, artifacts, "form-error", size)
    officer.fill("#id_letters_sent_local", "๓๐")  # Thai digits are fine
    officer.locator("button[name=action][value=submit]").click()
    expect(officer.locator(".rstatus").first).to_contain_text("ส่งแล้ว")
    assert DistrictReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    # 2. The director returns it with a comment beside the letters sent by the district local office.
    director = as_user(browser, base, "cm.director", size)
    director.goto(f"{base}/reports/queue/")
    shot(director, artifacts, "queue", size)
    director.locator(f"a[href='/reports/{report.pk}/']").first.click()
    box = director.locator("#f-letters_sent_local details, details:has(#id_comment_letters_sent_local)").first
    box.locator("summary").click()
    director.fill("#id_comment_letters_sent_local", "ตัวเลขต่ำกว่าไตรมาสก่อนมาก โปรดตรวจสอบทะเบียนหนังสือส่ง")
    director.fill("#id_general", "โปรดตรวจสอบจำนวนหนังสือส่งของ สถอ.")
    shot(director, artifacts, "review", size)
    director.locator("button[name=decision][value=return]").click()
    expect(director.locator(".messages")).to_be_visible()
    assert DistrictReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED

    # 3. The officer sees the comment beside the value, fixes it and submits again.
    officer.goto(f"{base}/reports/{report.pk}/")
    expect(officer.locator("#id_letters_sent_local_comment")).to_contain_text("ทะเบียนหนังสือส่ง")
    expect(officer.locator(".rreturned-text")).to_contain_text("โปรดตรวจสอบจำนวนหนังสือส่งของ สถอ.")
    shot(officer, artifacts, "returned", size)
    officer.fill("#id_letters_sent_local", "130")
    officer.locator("button[name=action][value=submit]").click()
    expect(officer.locator(".rstatus").first).to_contain_text("ส่งแล้ว")

    # 4. The director approves.
    director.goto(f"{base}/reports/{report.pk}/")
    director.locator("button[name=decision][value=approve]").click()
    expect(director.locator(".rstatus").first).to_contain_text("อนุมัติ")
    approved = DistrictReport.objects.get(pk=report.pk)
    assert (approved.status, approved.complete, approved.letters_sent_local) == (
        ReportStatus.APPROVED,
        True,
        130,
    )

    # 5. Central staff: the national page counts it, the province page shows the district green.
    central = as_user(browser, base, "central", size)
    central.goto(f"{base}/reports/cycles/{cycle.pk}/")
    shot(central, artifacts, "national", size)
    central.goto(f"{base}/reports/cycles/{cycle.pk}/provinces/{approved.province_id}/")
    row = central.locator("tr", has_text="แม่ริม")
    expect(row.locator(".rstatus-green")).to_be_visible()
    shot(central, artifacts, "province", size)

    # The officer's reporting status shows it green too.
    officer.goto(f"{base}/reports/")
    expect(officer.locator(f"a[href='/reports/{report.pk}/']").first).to_be_visible()
    expect(officer.locator(".rstatus-green").first).to_be_visible()
    shot(officer, artifacts, "status-after", size)

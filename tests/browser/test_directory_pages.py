"""Sign in, find a colleague in the directory and open their province, on a desktop and on a phone."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from organisation.models import District, DistrictAssignment, Officer, Province, Role
from tests.factories import PASSWORD, OfficerFactory, UserFactory, give_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 800},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def chiang_mai_people(live_server: Any) -> None:
    chiang_mai = Province.objects.get(code="50")
    director: Officer = OfficerFactory(  # type: ignore[assignment]
        user=UserFactory(username="cm.director"),
        province=chiang_mai,
        first_name_th="วิชัย",
        last_name_th="ประสานดี",
        first_name_en="Wichai",
        last_name_en="Prasandee",
        phone="053 111 222",
    )
    give_role(director, Role.GROUP_DIRECTOR)
    somying: Officer = OfficerFactory(province=chiang_mai, first_name_th="สมหญิง", last_name_th="รักถิ่น")  # type: ignore[assignment]
    give_role(somying, Role.DISTRICT_OFFICER)
    DistrictAssignment.objects.create(
        district=District.objects.get(province=chiang_mai, name_th="แม่ริม"),
        officer=somying,
        start_date=datetime.date(2024, 10, 1),
    )


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(".login-card button[type=submit]")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_an_officer_signs_in_finds_a_colleague_and_opens_the_province(
    page: Page, live_server: Any, chiang_mai_people: None, artifacts: Path, size: str
) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    base = live_server.url

    sign_in(page, base, "cm.director", "wrong password")
    expect(page.locator("#login-error")).to_be_visible()
    page.screenshot(path=artifacts / f"login-error-{size}.png", full_page=True)

    sign_in(page, base, "cm.director", PASSWORD)
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".user-name")).to_have_text("นายวิชัย ประสานดี")
    expect(page.locator("#province-50-title")).to_be_visible()
    expect(page.locator(".row-missing").first).to_be_visible()
    page.screenshot(path=artifacts / f"home-director-{size}.png", full_page=True)

    page.locator(".site-nav a[href='/directory/']").click()
    page.fill("#id_q", "แม่ริม")
    page.locator("form[role=search] button[type=submit]").click()
    result = page.locator(".officer-row").first
    expect(result).to_contain_text("สมหญิง รักถิ่น")
    expect(result).to_contain_text("อำเภอแม่ริม")
    expect(result.locator("a[href^='tel:']")).to_be_visible()
    page.screenshot(path=artifacts / f"directory-results-{size}.png", full_page=True)

    result.get_by_role("link", name="เชียงใหม่").click()
    expect(page).to_have_url(f"{base}/directory/provinces/50/")
    expect(page.locator(".people-grid")).to_contain_text("วิชัย ประสานดี")
    expect(page.locator(".district-table")).to_contain_text("สมหญิง รักถิ่น")
    expect(page.locator(".credit")).to_contain_text("GeoThai")
    page.screenshot(path=artifacts / f"province-{size}.png", full_page=True)

    page.locator(".district-table a", has_text="แม่ริม").click()
    expect(page.locator("h1")).to_contain_text("อำเภอแม่ริม")
    expect(page.locator(".person-name")).to_have_text("นายสมหญิง รักถิ่น")


def test_the_language_switch_and_sign_out_work_without_javascript(
    browser: Browser, live_server: Any, chiang_mai_people: None
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"], locale="th-TH")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "cm.director", PASSWORD)

    expect(page.locator(".user-name")).to_have_text("นายวิชัย ประสานดี")
    page.locator("button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".user-name")).to_have_text("Wichai Prasandee")

    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    context.close()

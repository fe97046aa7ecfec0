"""The main path of a coordination request in headless Chromium, with four people: the officer opens it,
the group director routes it, the bureau desk claims and answers it, the officer accepts the answer.
Screenshots of every page on a desktop and on a phone go to test-artifacts/browser/."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, ViewportSize, expect

from cases.services.requests import defaults_ensure
from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from tests.coordination import pdf_bytes
from tests.factories import PASSWORD, OfficerFactory, UserFactory, give_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 800},
    "phone": {"width": 390, "height": 844},
}


@pytest.fixture
def people(live_server: Any) -> None:
    defaults_ensure()  # the live server's database was emptied by an earlier transactional test
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
    bureau = Unit.objects.get(code="local-finance")
    person("bureau", "กมลวรรณ", "การคลัง", Role.BUREAU_DESK, province=None, unit=bureau, prefix="นางสาว")


def as_user(browser: Browser, base: str, username: str, size: str, language: str = "th") -> Page:
    """Signed in, in a browser of its own; in English as after the language switch when `language` is "en"."""
    context = browser.new_context(viewport=VIEWPORTS[size], locale="th-TH")
    if language != "th":
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(".login-card button[type=submit]")
    expect(page.locator(".user-name")).to_be_visible()
    return page


@pytest.mark.parametrize("size", VIEWPORTS)
def test_officer_opens_director_routes_desk_answers_officer_accepts(
    browser: Browser, live_server: Any, people: None, artifacts: Path, size: str, tmp_path: Path
) -> None:
    base = live_server.url
    letter = tmp_path / "หนังสือขอหารือ.pdf"
    letter.write_bytes(pdf_bytes())

    # 1. The district officer opens a request from the home page.
    officer = as_user(browser, base, "cm.officer", size)
    expect(officer.locator("#home-requests-title")).to_be_visible()
    officer.locator(".home-requests a[href='/requests/new/']").click()
    officer.fill("#id_subject", "ขอหารือการเบิกจ่ายงบกลางกรณีฉุกเฉิน")
    officer.fill("#id_details", "เทศบาลตำบลริมใต้ขอหารือแนวทางการเบิกจ่ายงบกลางเพื่อซ่อมแซมถนนที่เสียหายจากน้ำท่วม")
    officer.select_option("#id_category", label="งบประมาณและการเงิน")
    officer.select_option("#id_urgency", label="ด่วน")
    officer.select_option("#id_target", label="สำนักบริหารการคลังท้องถิ่น")
    officer.set_input_files("#id_attachments", str(letter))
    officer.screenshot(path=artifacts / f"request-form-{size}.png", full_page=True)
    officer.get_by_role("button", name="ส่งถึง ผอ.กง.ทอ.").click()
    expect(officer.locator(".messages")).to_contain_text("ปส.ชม. 1/")
    expect(officer.locator(".req-number")).to_contain_text("ปส.ชม. 1/")
    expect(officer.locator(".req-files")).to_contain_text("หนังสือขอหารือ.pdf")
    expect(officer.locator(".req-facts")).to_contain_text("วิชัย ประสานดี")
    officer.screenshot(path=artifacts / f"request-sent-{size}.png", full_page=True)

    # 2. The group director finds it in the queue and routes it.
    director = as_user(browser, base, "cm.director", size)
    director.goto(f"{base}/requests/queue/")
    director.screenshot(path=artifacts / f"request-queue-{size}.png", full_page=True)
    director.locator(".req-table a", has_text="ปส.ชม. 1/").first.click()
    expect(director.locator(".req-actions")).to_be_visible()
    director.fill("#id_route_comment", "เห็นควรส่งสำนักบริหารการคลังท้องถิ่นพิจารณา")
    director.screenshot(path=artifacts / f"request-review-{size}.png", full_page=True)
    director.get_by_role("button", name="อนุมัติและส่งต่อ").click()
    expect(director.locator(".messages")).to_contain_text("สำนักบริหารการคลังท้องถิ่น")

    # 3. The bureau desk claims it from the pool and answers.
    desk = as_user(browser, base, "bureau", size)
    desk.goto(f"{base}/requests/pool/")
    desk.screenshot(path=artifacts / f"request-pool-{size}.png", full_page=True)
    desk.get_by_role("button", name="รับเรื่อง ปส.ชม. 1/", exact=False).click()
    expect(desk.locator(".messages")).to_contain_text("รับเรื่องนี้ไปดำเนินการแล้ว")
    desk.fill("#id_answer", "เบิกจ่ายได้ตามระเบียบกระทรวงมหาดไทยว่าด้วยการเบิกจ่ายเงินของ อปท. ข้อ 89")
    desk.get_by_role("button", name="ส่งคำตอบ").click()
    expect(desk.locator(".status")).to_contain_text("ตอบ")

    # 4. The officer reads the answer and accepts it.
    officer.goto(officer.url)
    expect(officer.locator(".req-answer")).to_contain_text("ข้อ 89")
    officer.screenshot(path=artifacts / f"request-answered-{size}.png", full_page=True)
    officer.get_by_role("button", name="รับทราบคำตอบและปิดเรื่อง").click()
    expect(officer.locator(".status")).to_have_text("ปิดเรื่อง")
    expect(officer.locator(".timeline")).to_contain_text("อนุมัติและส่งเรื่องถึง")
    officer.screenshot(path=artifacts / f"request-closed-{size}.png", full_page=True)
    officer.goto(f"{base}/requests/")
    officer.screenshot(path=artifacts / f"request-mine-{size}.png", full_page=True)
    for page in (officer, director, desk):
        page.context.close()

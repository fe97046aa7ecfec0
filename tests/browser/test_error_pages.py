"""The service's own error pages in the browser (issue 11 item 14): a refused page and a missing one show
the service's page in Thai, with the menu and a way back, and in English after the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_request_flow import VIEWPORTS, as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_refused_and_missing_pages_are_the_services_own(
    browser: Browser,
    live_server: Any,
    world: None,
    artifacts: Path,
    size: str,
) -> None:
    base = live_server.url
    page = as_user(browser, base, "cm.officer", size)

    page.goto(f"{base}/manage/")
    expect(page.locator("h1")).to_have_text("คุณไม่มีสิทธิ์เปิดหน้านี้")
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.get_by_text("LOG IN AS ANOTHER USER", exact=False)).to_have_count(0)
    page.screenshot(path=artifacts / f"error-403-{size}.png", full_page=True)

    page.goto(f"{base}/requests/999999/")
    expect(page.locator("h1")).to_have_text("ไม่พบหน้าที่ต้องการ")
    page.screenshot(path=artifacts / f"error-404-{size}.png", full_page=True)
    page.get_by_role("link", name="กลับหน้าหลัก").click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/manage/")
    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_have_text("You may not open this page")
    page.screenshot(path=artifacts / f"error-403-en-{size}.png", full_page=True)

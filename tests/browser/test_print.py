"""Printing on A4 (issue 11 item 17): a request with its timeline and a district report print in one column
the width of the paper, without the menu, the buttons or the forms that act; the PDFs go to
test-artifacts/browser/ to be looked at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from cases.models import CoordinationRequest
from reporting.models import DistrictReport
from tests.browser.test_request_flow import as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_CONTENT_WIDTH = 720  # px at 96 dpi: 210 mm less the margins is about 182 mm, 688 px


def _printed(page: Page, url: str, pdf: Path) -> None:
    page.goto(url)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{url} is {width} px wide on paper"
    for screen_only in [".site-nav", ".header-tools", "button", ".req-comment", ".rform-actions"]:
        assert all(not el.is_visible() for el in page.locator(screen_only).all()), screen_only
    page.screenshot(path=pdf.with_suffix(".png"), full_page=True)  # what the paper shows, to look at
    page.pdf(path=str(pdf), format="A4", print_background=False)
    assert pdf.stat().st_size > 1000


def test_a_request_and_a_district_report_print_on_a4(
    browser: Browser,
    live_server: Any,
    world: None,
    artifacts: Path,
) -> None:
    base = live_server.url
    request = CoordinationRequest.objects.get()
    report = DistrictReport.objects.get(district__name_th="แม่ริม")
    page = as_user(browser, base, "cm.officer", "desktop")

    _printed(page, f"{base}/requests/{request.pk}/", artifacts / "print-request.pdf")
    assert page.locator("#timeline .timeline-item").first.is_visible()
    page.emulate_media(media="screen")
    _printed(page, f"{base}/reports/{report.pk}/", artifacts / "print-report.pdf")

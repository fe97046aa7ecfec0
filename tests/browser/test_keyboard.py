"""What axe cannot see, found by keyboard (issue 14 items 8 to 10), on a desktop (1,366 px) and a phone
(390 px): Tab through a workload report never puts the focus under the sticky save bar nor hides its ring;
a form that comes back with errors puts the focus on what says so; the attachment's help text is the one its
field names; on an English page the Thai from the data is marked lang="th".
Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from reporting.models import DistrictReport
from tests.browser.accessibility import axe_violations, focus_problems
from tests.browser.test_request_flow import VIEWPORTS, as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS_AT_MOST = 400
ACTIVE = "() => document.activeElement.id || document.activeElement.className"


def _tab_until(page: Page, selector: str, artifacts: Path, name: str) -> list[str]:
    """Tab from the top of the page to `selector`: what hid the focus or its ring on the way."""
    found: list[str] = []
    for step in range(TABS_AT_MOST):
        page.keyboard.press("Tab")
        state = focus_problems(page)
        if state is None:
            continue
        element, problems = state
        if problems:
            if not found:
                page.screenshot(path=artifacts / f"focus-hidden-{name}.png")
            found.append(f"Tab {step + 1}, {element}: {', '.join(problems)}")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return found
    raise AssertionError(f"{TABS_AT_MOST} Tabs never reached {selector}")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_tab_through_a_report_never_hides_the_focus_or_its_ring(
    browser: Browser, live_server: Any, world: None, artifacts: Path, size: str
) -> None:
    # The group director fills the reports nobody is responsible for: a chip per district above the form.
    report = DistrictReport.objects.filter(unassigned=True, district__province__code="50").first()
    assert report is not None
    page = as_user(browser, live_server.url, "cm.director", size)
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.locator(".rchip[aria-current=page]")).to_be_visible()

    # The skip link, the language buttons, the menu, the district chips (the current one too), every field of
    # the form, the sticky bar's buttons.
    hidden = _tab_until(page, ".rform-actions button[value=submit]", artifacts, f"report-{size}")
    assert hidden == [], "\n".join(hidden)

    # A field near the end of the form, focused: above the bar, with its ring (to look at).
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
    page.screenshot(path=artifacts / f"focus-report-field-{size}.png")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_form_back_with_errors_puts_the_focus_on_its_error_summary(
    browser: Browser, live_server: Any, world: None, artifacts: Path, size: str
) -> None:
    page = as_user(browser, live_server.url, "cm.officer", size)
    page.goto(f"{live_server.url}/requests/new/")
    # The attachment's help text is the one its field names (the paragraph was id_attachments_help).
    described = page.get_attribute("#id_attachments", "aria-describedby") or ""
    assert described.split(), "the attachment field names no description"
    for name in described.split():
        expect(page.locator(f"#{name}")).to_have_count(1)
    expect(page.locator("#id_attachments_helptext")).not_to_be_empty()

    page.get_by_role("button", name="ส่งถึง ผอ.กง.ทอ.").click()
    summary = page.locator(".alert-error[role=alert]")
    expect(summary).to_be_visible()
    assert page.evaluate("() => document.activeElement.matches('.alert-error[role=alert]')")
    assert focus_problems(page) == (
        page.evaluate("() => document.activeElement.tagName.toLowerCase()")
        + ".alert.alert-error "
        + summary.inner_text().strip()[:30],
        [],
    )
    # Each field in error names its message; axe finds nothing on the page with its errors.
    for field in page.locator("[aria-invalid=true]").all():
        for name in (field.get_attribute("aria-describedby") or "").split():
            expect(page.locator(f"#{name}")).to_have_count(1)
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"focus-error-summary-{size}.png")

    # The workload report submitted incomplete: its message is the summary.
    report = DistrictReport.objects.get(officer__user__username="cm.officer")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.locator(".rform-actions button[value=submit]").click()
    expect(page.locator(".message-error")).to_be_visible()
    assert page.evaluate("() => document.activeElement.matches('.message-error')")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"focus-report-errors-{size}.png")


def test_thai_from_the_data_is_marked_thai_on_english_pages(
    browser: Browser, live_server: Any, world: None, artifacts: Path
) -> None:
    page = as_user(browser, live_server.url, "central", "desktop", "en")
    page.goto(f"{live_server.url}/requests/all/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The request's subject and the Thai terms in English wording are marked Thai; the figures name the
    # province in English.
    expect(page.locator(".data-table th", has_text="Chiang Mai").first).to_be_visible()
    expect(page.locator("[lang=th]", has_text="ขอหารือการเบิกจ่าย").first).to_be_visible()
    page.goto(f"{live_server.url}/about/")
    expect(page.locator("[lang=th]", has_text="ผอ.กง.ทอ.").first).to_be_visible()
    # On a Thai page nothing needs marking.
    thai = as_user(browser, live_server.url, "central", "desktop")
    thai.goto(f"{live_server.url}/requests/all/")
    expect(thai.locator("body [lang=th]:not(.lang-button)")).to_have_count(0)

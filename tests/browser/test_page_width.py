"""No page of the service is wider than its window (issue 11 item 4): on a desktop (1,366 px) and a phone
(390 px), each role signs in and walks every page its links reach (one page per URL pattern), and each page's
document is no wider than the window, so that nothing pans sideways. An anonymous visitor's pages and the
error pages are walked too. A page wider than its window is saved as a screenshot in test-artifacts/browser/."""

from __future__ import annotations

import datetime
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from cases.models import Category
from cases.services import requests as request_services
from organisation.models import District, DistrictAssignment, Officer, Province, Role, Unit
from reporting.services import cycles
from tests.browser.test_request_flow import VIEWPORTS, as_user
from tests.factories import OfficerFactory, UserFactory, give_role
from tests.reporting.conftest import open_for
from workdays.calendar import fiscal_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERS = ["cm.officer", "cm.director", "cm.head", "cm.sso", "central", "bureau"]
# Not pages: downloads, sign-out, the language switch, the admin, the health check and metrics, the SSO
# provider (outside the service), links that act.
SKIPPED = re.compile(
    r"^/(admin/|healthz|metrics|i18n/|oidc/|accounts/logout/)|/export|/files/|/open/$|/read-all/$"
)
PAGES_PER_USER = 40
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def world(live_server: Any) -> None:
    """Chiang Mai with a person in every role, a request sent to the group director, a reporting cycle open."""
    cycles.defaults_ensure()  # the live server's database was emptied by an earlier transactional test
    request_services.defaults_ensure()
    chiang_mai = Province.objects.get(code="50")
    start = datetime.date(2024, 10, 1)

    def person(username: str, first: str, last: str, role: Role, **kwargs: Any) -> Officer:
        officer: Officer = OfficerFactory(  # type: ignore[assignment]
            user=UserFactory(username=username), first_name_th=first, last_name_th=last, **kwargs
        )
        give_role(officer, role, start_date=start, unit=kwargs.get("unit"))
        return officer

    somying = person("cm.officer", "สมหญิง", "รักถิ่น", Role.DISTRICT_OFFICER, province=chiang_mai, prefix="นาง")
    mae_rim = District.objects.get(province=chiang_mai, name_th="แม่ริม")
    DistrictAssignment.objects.create(district=mae_rim, officer=somying, start_date=start)
    person("cm.director", "วิชัย", "ประสานดี", Role.GROUP_DIRECTOR, province=chiang_mai)
    person("cm.head", "ประเสริฐ", "ทองดี", Role.PROVINCIAL_HEAD, province=chiang_mai)
    person("cm.sso", "กมลวรรณ", "เรืองศรี", Role.SSO_ADMIN, province=chiang_mai)
    bureau = Unit.objects.get(code="local-finance")
    person("bureau", "สุภาพร", "พรหมมา", Role.BUREAU_DESK, province=None, unit=bureau, prefix="นางสาว")
    centre = Unit.objects.get(kind=Unit.Kind.COORDINATION_CENTRE)
    central = person("central", "ปรีชา", "ส่วนกลาง", Role.CENTRAL_STAFF, province=None, unit=centre)

    draft = request_services.request_save_draft(
        by=somying.user,
        data=request_services.RequestInput(
            subject="ขอหารือการเบิกจ่ายค่าตอบแทนคณะกรรมการตรวจรับพัสดุขององค์การบริหารส่วนตำบล",
            details="รายละเอียดยาว " * 80,
            category=Category.objects.order_by("pk").first(),  # type: ignore[misc]
            urgency="NORMAL",
            district=mae_rim,
            target_unit=bureau,
            target_province=None,
        ),
    )
    request_services.request_send(request=draft, by=somying.user)
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
    open_for(created, [chiang_mai])


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "#", path)


def _too_wide(page: Page, url: str, artifacts: Path, name: str) -> str | None:
    page.goto(url)
    width, window = page.evaluate(WIDTH)
    if width <= window:
        return None
    page.screenshot(path=artifacts / f"too-wide-{name}.png", full_page=True)
    return f"{urlsplit(page.url).path}: {width} px in a {window} px window"


def _walk(page: Page, base: str, artifacts: Path, name: str) -> tuple[list[str], set[str]]:
    """Every page reachable by links from the home page, one per URL pattern: those wider than the window."""
    seen: set[str] = set()
    queue = deque(["/"])
    wide: list[str] = []
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.popleft()
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        problem = _too_wide(page, base + path, artifacts, f"{name}-{len(seen)}")
        if problem:
            wide.append(problem)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(href)
            if link.netloc == urlsplit(base).netloc and not SKIPPED.search(link.path):
                queue.append(link.path)
    return wide, seen


@pytest.mark.parametrize("size", VIEWPORTS)
def test_no_page_is_wider_than_its_window(
    browser: Browser, live_server: Any, world: None, artifacts: Path, size: str
) -> None:
    base = live_server.url
    wide: list[str] = []
    walked: set[str] = set()
    for username in USERS:
        page = as_user(browser, base, username, size)
        found, seen = _walk(page, base, artifacts, f"{size}-{username}")
        wide += [f"{username} {problem}" for problem in found]
        walked |= seen
        page.context.close()
    anonymous = browser.new_context(viewport=VIEWPORTS[size], locale="th-TH").new_page()
    for path in ["/accounts/login/", "/accounts/sso-admins/", "/no-such-page/"]:
        problem = _too_wide(anonymous, base + path, artifacts, f"{size}-anonymous{path.replace('/', '-')}")
        if problem:
            wide.append(f"anonymous {problem}")
    anonymous.context.close()

    # The walk reached the pages the issue names, for the roles that have them.
    for needed in [
        "/",
        "/requests/",
        "/requests/new/",
        "/requests/#/",
        "/requests/queue/",
        "/reports/",
        "/reports/#/",
        "/reports/queue/",
        "/reports/cycles/#/",
        "/reports/cycles/#/provinces/#/",
        "/directory/",
        "/notifications/",
    ]:
        assert needed in walked, f"the walk never reached {needed}: {sorted(walked)}"
    assert wide == []

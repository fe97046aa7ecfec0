"""Every page of the service, walked in the browser on a desktop (1,366 px) and a phone (390 px), in Thai and in
English: each role signs in and walks every page its links reach (one page per URL pattern, checked by the first
role that reaches it; every role's home page is its own); an anonymous
visitor's pages and the error pages are walked too. Each page is loaded once and checked at both widths (the
window narrowed to the phone's, as the page's CSS sees a phone). On each page, at each width:
1. the document is no wider than its window, so that nothing pans sideways (issue 11 item 4);
2. axe-core finds no WCAG 2.1 A or AA violation (issue 14 item 7), every id an aria-describedby or
   aria-labelledby names is there, and on English pages the Thai in them is marked lang="th" (item 10).
A page with a problem is saved as a screenshot in test-artifacts/browser/."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, Page

from tests.browser.accessibility import axe_in_every_page, axe_violations, screen_reader_problems
from tests.browser.test_request_flow import VIEWPORTS, as_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERS = ["cm.officer", "cm.director", "cm.head", "cm.sso", "central", "bureau"]
LANGUAGES = ["th", "en"]
# Not pages: downloads, sign-out, the language switch, the admin, the health check and metrics, the API
# (its reference page is Swagger UI's, for developers), the SSO
# provider (outside the service), links that act.
SKIPPED = re.compile(
    r"^/(admin/|healthz|metrics|i18n/|oidc/|accounts/logout/|api/v1/)|/export|/files/|/open/$|/read-all/$"
)
PAGES_PER_USER = 40
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "#", path)


def _route(path: str) -> str:
    """The URL pattern a path matches (a unit's contacts page is one page, whatever the unit)."""
    try:
        match = resolve(path)
    except Resolver404:
        return _pattern(path)
    return f"{match.namespace}:{match.route}"


def _problems(page: Page, url: str, artifacts: Path, name: str) -> tuple[list[str], list[str]]:
    """The page at `url`, at each width: wider than its window, and what axe finds on it."""
    page.goto(url)
    path = urlsplit(page.url).path
    wide: list[str] = []
    found: list[str] = []
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        width, window = page.evaluate(WIDTH)
        problems = [
            f"{size} {path} {problem}" for problem in axe_violations(page) + screen_reader_problems(page)
        ]
        if width > window:
            wide.append(f"{size} {path}: {width} px in a {window} px window")
        if problems or width > window:
            page.screenshot(path=artifacts / f"page-problem-{name}-{size}.png", full_page=True)
        found += problems
    return wide, found


def _walk(
    page: Page, base: str, artifacts: Path, name: str, checked: set[str]
) -> tuple[list[str], list[str], set[str]]:
    """Every page reachable by links from the home page, one per URL pattern. A pattern another role's walk
    has checked already is only followed for its links (the home page, each role's own, is always checked)."""
    seen: set[str] = set()
    walked: set[str] = set()
    queue = deque(["/"])
    wide: list[str] = []
    axe: list[str] = []
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.popleft()
        route = _route(path)
        if route in seen:
            continue
        seen.add(route)
        walked.add(_pattern(path))
        if route in checked and path != "/":
            page.goto(base + path)
        else:
            checked.add(route)
            too_wide, found = _problems(page, base + path, artifacts, f"{name}-{len(seen)}")
            wide += too_wide
            axe += found
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urlsplit(href)
            if link.netloc == urlsplit(base).netloc and not SKIPPED.search(link.path):
                queue.append(link.path)
    return wide, axe, walked


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_fits_its_window_and_axe_finds_no_violation(
    browser: Browser, live_server: Any, world: None, artifacts: Path, language: str
) -> None:
    base = live_server.url
    wide: list[str] = []
    axe: list[str] = []
    walked: set[str] = set()
    checked: set[str] = set()  # URL patterns checked by an earlier role's walk
    for username in USERS:
        page = as_user(browser, base, username, "desktop", language)
        axe_in_every_page(page.context)
        too_wide, found, seen = _walk(page, base, artifacts, f"{language}-{username}", checked)
        wide += [f"{username} {problem}" for problem in too_wide]
        axe += [f"{username} {problem}" for problem in found]
        walked |= seen
        page.context.close()
    anonymous = browser.new_context(viewport=VIEWPORTS["desktop"], locale="th-TH")
    axe_in_every_page(anonymous)
    anonymous.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    visitor = anonymous.new_page()
    for path in ["/accounts/login/", "/accounts/sso-admins/", "/no-such-page/"]:
        name = f"{language}-anonymous{path.replace('/', '-')}"
        wider, problems = _problems(visitor, base + path, artifacts, name)
        wide += [f"anonymous {problem}" for problem in wider]
        axe += [f"anonymous {problem}" for problem in problems]
    anonymous.close()

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
        "/requests/monitoring/",  # the coordination monitoring (issue 14): each role's own page
        "/requests/monitoring/country/",
        "/requests/monitoring/province/#/",
        "/requests/monitoring/unit/#/",
        "/requests/monitoring/trends/",
    ]:
        assert needed in walked, f"the walk never reached {needed}: {sorted(walked)}"
    assert wide == [], "pages wider than their window:\n" + "\n".join(wide)
    assert axe == [], "WCAG 2.1 A/AA violations (axe-core) and screen-reader problems:\n" + "\n".join(axe)

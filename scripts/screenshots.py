"""Screenshots of the main pages from a running server, at desktop and phone size, for a person to look at.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 [--password demo-2568] [--out DIR]

Signs in as the demo users of `manage.py seed_demo` (one per role) and writes PNGs into
test-artifacts/screens/: the sign-in page (empty and with a wrong password), each role's home page, the
directory search with results, a province page and a district page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}
HOMES = {
    "officer": "cm.officer1",
    "director": "cm.director",
    "head": "cm.head",
    "sso": "cm.sso",
    "central": "central",
    "bureau": "bureau",
}


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(".login-card button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        raise SystemExit(f"could not sign in as {username}: run `manage.py seed_demo` on that server")


def shoot(page: Page, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(path)
    if page.viewport_size and page.viewport_size["width"] < 600:
        # Long phone pages shrink to nothing when viewed whole: keep the first two screens apart.
        page.screenshot(
            path=str(out / f"{name}-top.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 390, "height": 1500},
        )


def take(browser: Browser, base: str, password: str, out: Path, language: str) -> None:
    for size, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="th-TH")  # type: ignore[arg-type]
        page = context.new_page()
        suffix = f"{size}-{language}"
        page.goto(f"{base}/accounts/login/")
        if language != "th":
            page.click(f"button[name=language][value={language}]")
            page.wait_for_load_state()
        shoot(page, out, f"login-{suffix}")
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong-password")
        page.click(".login-card button[type=submit]")
        shoot(page, out, f"login-error-{suffix}")
        for role, username in HOMES.items():
            context.clear_cookies()
            if language != "th":
                context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            sign_in(page, base, username, password)
            shoot(page, out, f"home-{role}-{suffix}")
        page.goto(f"{base}/directory/")
        shoot(page, out, f"directory-{suffix}")
        page.fill("#id_q", "เชียงใหม่")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_load_state()
        shoot(page, out, f"directory-results-{suffix}")
        page.goto(f"{base}/directory/provinces/50/")
        shoot(page, out, f"province-{suffix}")
        page.goto(f"{base}/directory/provinces/10/")
        shoot(page, out, f"province-bangkok-{suffix}")
        page.goto(f"{base}/directory/provinces/50/")
        page.locator(".district-table tbody tr:not(.row-missing) a").first.click()
        page.wait_for_load_state()
        shoot(page, out, f"district-{suffix}")
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default="demo-2568", help="password of the demo users")
    parser.add_argument("--out", default="test-artifacts/screens", type=Path)
    parser.add_argument("--language", default="th", choices=["th", "en"])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            take(browser, args.url.rstrip("/"), args.password, args.out, args.language)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

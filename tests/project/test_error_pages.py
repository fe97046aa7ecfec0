"""The service's own 403, 404 and 500 pages (issue 11 item 14): in Thai (English when switched), with the
menu and a way back; viewflow's stock 403 ("LOG IN AS ANOTHER USER") never shows; with DEBUG on (`make run`)
a missing page is the service's 404 too; the 500 page needs no database."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tests.coordination import Org, clock, org  # noqa: F401  (fixtures)


def _signed_in(client: Client, org: Org) -> Client:  # noqa: F811
    client.force_login(org.officer)
    return client


@pytest.mark.django_db
def test_a_refused_page_is_the_services_403_in_thai_with_the_menu(client: Client, org: Org) -> None:  # noqa: F811
    page = _signed_in(client, org).get(reverse("manage:index"))
    html = page.content.decode()

    assert page.status_code == 403
    assert "คุณไม่มีสิทธิ์เปิดหน้านี้" in html and 'lang="th"' in html
    assert 'class="site-nav"' in html and f'href="{reverse("home")}"' in html
    assert "LOG IN AS ANOTHER USER" not in html.upper() and "Access Forbidden" not in html


@pytest.mark.django_db
def test_the_403_is_english_when_switched(client: Client, org: Org) -> None:  # noqa: F811
    _signed_in(client, org).post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("manage:index")).content.decode()

    assert "You may not open this page" in html and 'lang="en"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_page_is_the_services_404_with_debug_on_or_off(
    client: Client,
    org: Org,  # noqa: F811
    settings,
    debug: bool,
) -> None:
    settings.DEBUG = debug  # `make run` runs with DEBUG on: Django's technical 404 is not for the officers
    _signed_in(client, org)

    for path in ["/no-such-page/", reverse("requests:detail", args=[999999])]:
        page = client.get(path)
        html = page.content.decode()
        assert page.status_code == 404, path
        assert "ไม่พบหน้าที่ต้องการ" in html and 'class="site-nav"' in html, path
        assert "Django tried these URL patterns" not in html and "technical_404" not in html


@pytest.mark.django_db
def test_debug_still_redirects_a_missing_slash(client: Client, org: Org, settings) -> None:  # noqa: F811
    settings.DEBUG = True
    page = _signed_in(client, org).get("/requests")
    assert page.status_code == 301 and page["Location"] == "/requests/"


def test_the_500_page_needs_no_database_and_is_in_the_current_language() -> None:
    # No django_db mark: any query fails the test.
    request = RequestFactory().get("/")
    with translation.override("th"):
        thai = server_error(request).content.decode()
    with translation.override("en"):
        english = server_error(request).content.decode()

    assert "ระบบขัดข้อง" in thai and 'href="/"' in thai
    assert "Something went wrong on our side" in english
    assert "csrfmiddlewaretoken" not in thai  # no form that could only fail

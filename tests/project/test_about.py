"""The about page and help (issue 11 item 13): what the coordination group and the centre are and do, who may be
group director, how districts are assigned, how to sign in and whom to ask; open without signing in, linked from
the sign-in page and the footer of every page."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECTIONS = ("group", "director", "districts", "centre", "reporting", "sign-in", "ask")


def test_the_about_page_answers_the_source_document_s_questions_in_thai(client: Client) -> None:
    response = client.get(reverse("about"))
    html = response.content.decode()

    assert response.status_code == 200
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    assert (
        "ชำนาญการ" in html and "55/2564" in html
    )  # who may be group director; the order that set up the group
    assert "ติดต่อกัน" in html  # adjoining districts are preferred
    assert 'href="tel:022419013"' in html and "กลุ่มพัฒนาระบบบริหาร" in html
    assert f'href="{reverse("accounts:sso-admins")}"' in html
    assert "The coordination group" not in html  # Thai first


def test_the_about_page_reads_in_english_when_switched(client: Client) -> None:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = client.get(reverse("about"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Who may be group director" in html and "02 241 9013" in html


def test_the_sign_in_page_and_every_page_link_to_the_about_page(client: Client) -> None:
    about = f'href="{reverse("about")}"'
    assert client.get(reverse("login")).content.decode().count(about) == 2  # the sign-in card and the footer
    client.force_login(cast(Any, UserFactory()))
    for url in (reverse("home"), reverse("directory")):
        assert about in client.get(url).content.decode(), url

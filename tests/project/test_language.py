"""Thai first: an English browser still gets Thai until the person switches."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_an_english_browser_gets_thai_until_the_person_switches(client: Client) -> None:
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

    before = client.get(reverse("login"), **english_browser).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"}, **english_browser)
    after = client.get(reverse("login"), **english_browser).content.decode()

    assert 'lang="th"' in before and "เข้าสู่ระบบ" in before
    assert 'lang="en"' in after and "Sign in" in after
